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
}

export class SceneRotation {
  private scenes: readonly SceneSpec[] = [];
  private currentId: string | null;
  private startedAt: number;

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

  current(now: number): SceneOnScreen | null {
    const count = this.scenes.length;
    if (count === 0) return null;
    const pinned = this.pinnedId === null ? -1 : this.scenes.findIndex((s) => s.id === this.pinnedId);
    if (pinned >= 0) {
      this.enter(pinned, now);
      return { scene: this.scenes[pinned] as SceneSpec, index: pinned, count, progress: 0, pinned: true };
    }

    let index = Math.max(
      0,
      this.scenes.findIndex((s) => s.id === this.currentId),
    );
    if (this.scenes[index]?.id !== this.currentId) this.enter(index, now);
    let scene = this.scenes[index] as SceneSpec;
    const durationMs = scene.durationSeconds * 1000;
    const elapsed = now - this.startedAt;
    if (count > 1 && elapsed >= durationMs) {
      index = (index + 1) % count;
      // After a sleep or a stalled tab, start the next scene afresh rather than race through the missed ones.
      this.enter(index, elapsed >= 2 * durationMs || elapsed < 0 ? now : this.startedAt + durationMs);
      scene = this.scenes[index] as SceneSpec;
    } else if (elapsed < 0) {
      this.startedAt = now; // the page clock went backwards
    }
    const progress = count > 1 ? Math.min(1, Math.max(0, (now - this.startedAt) / (scene.durationSeconds * 1000))) : 0;
    return { scene, index, count, progress, pinned: false };
  }

  private enter(index: number, at: number): void {
    const id = this.scenes[index]?.id ?? null;
    if (id !== this.currentId) {
      this.currentId = id;
      this.startedAt = at;
    }
  }
}
