/**
 * Which scene is on screen and for how much longer. Pure and clock-driven, so the rules (pinning,
 * a scene list that changes under a running rotation, a laptop that slept through several scenes)
 * are unit-tested without a browser.
 */
import type { SceneSpec } from '../../contract/dashboard';

export interface SceneOnScreen {
  readonly scene: SceneSpec;
  readonly index: number;
  readonly count: number;
  /** Share of this scene's time used, 0..1; 0 while pinned. */
  readonly progress: number;
  readonly pinned: boolean;
  /** Which page of the scene, 0-based, and how many: a scene whose devices do not fit shows them a page per slot. */
  readonly page: number;
  readonly pages: number;
}

export class SceneRotation {
  private scenes: readonly SceneSpec[] = [];
  private currentId: string | null;
  private startedAt: number;
  private readonly pagesById = new Map<string, number>();

  /**
   * `pinnedId`: stay on this scene while it exists (`?scene=`). `resumeId`: the scene to start on,
   * e.g. the one shown before a watchdog reload.
   */
  constructor(
    private readonly pinnedId: string | null,
    resumeId: string | null,
    now: number,
  ) {
    this.currentId = pinnedId ?? resumeId;
    this.startedAt = now;
  }

  /** Replaces the scene list; the scene on screen stays if it still exists. */
  setScenes(scenes: readonly SceneSpec[]): void {
    this.scenes = scenes;
  }

  /**
   * How many pages a scene has (known once it is on screen and laid out): it then stays on stage
   * for its duration once per page. Only the latest count per scene is kept, and only for scenes in the list.
   */
  setPages(sceneId: string, pages: number): void {
    const count = Math.max(1, Math.floor(pages));
    if (this.scenes.some((s) => s.id === sceneId)) this.pagesById.set(sceneId, count);
    for (const id of this.pagesById.keys()) if (!this.scenes.some((s) => s.id === id)) this.pagesById.delete(id);
  }

  current(now: number): SceneOnScreen | null {
    const count = this.scenes.length;
    if (count === 0) return null;
    const pinned = this.pinnedId === null ? -1 : this.scenes.findIndex((s) => s.id === this.pinnedId);
    if (pinned >= 0) {
      this.enter(pinned, now);
      const scene = this.scenes[pinned] as SceneSpec;
      const pages = this.pagesOf(scene);
      // Pinned, the pages still turn, one per scene duration.
      const page = Math.floor(Math.max(0, now - this.startedAt) / (scene.durationSeconds * 1000)) % pages;
      return { scene, index: pinned, count, progress: 0, pinned: true, page, pages };
    }

    let index = Math.max(
      0,
      this.scenes.findIndex((s) => s.id === this.currentId),
    );
    if (this.scenes[index]?.id !== this.currentId) this.enter(index, now);
    let scene = this.scenes[index] as SceneSpec;
    const durationMs = scene.durationSeconds * 1000 * this.pagesOf(scene);
    const elapsed = now - this.startedAt;
    if (count > 1 && elapsed >= durationMs) {
      index = (index + 1) % count;
      // After a sleep or a stalled tab, start the next scene afresh rather than race through the missed ones.
      this.enter(index, elapsed >= 2 * durationMs || elapsed < 0 ? now : this.startedAt + durationMs);
      scene = this.scenes[index] as SceneSpec;
    } else if (elapsed < 0) {
      this.startedAt = now; // the page clock went backwards
    }
    const pages = this.pagesOf(scene);
    const pageMs = scene.durationSeconds * 1000;
    const shownFor = Math.max(0, now - this.startedAt);
    const page = count > 1 ? Math.min(pages - 1, Math.floor(shownFor / pageMs)) : Math.floor(shownFor / pageMs) % pages;
    const progress = count > 1 ? Math.min(1, Math.max(0, (now - this.startedAt) / (pageMs * pages))) : 0;
    return { scene, index, count, progress, pinned: false, page, pages };
  }

  private pagesOf(scene: SceneSpec): number {
    return this.pagesById.get(scene.id) ?? 1;
  }

  private enter(index: number, at: number): void {
    const id = this.scenes[index]?.id ?? null;
    if (id !== this.currentId) {
      this.currentId = id;
      this.startedAt = at;
    }
  }
}
