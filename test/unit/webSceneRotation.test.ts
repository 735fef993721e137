import { describe, expect, it } from 'vitest';
import type { SceneSpec } from '../../contract/dashboard';
import { SceneRotation } from '../../web/wall/SceneRotation';

const scene = (id: string, durationSeconds = 10): SceneSpec => ({ id, title: id, durationSeconds, panels: [] });
const ABC = [scene('a'), scene('b', 20), scene('c')];

describe('SceneRotation', () => {
  it('shows nothing until there are scenes', () => {
    expect(new SceneRotation(null, null, 0).current(0)).toBeNull();
  });

  it('rotates through scenes by their own durations and wraps around', () => {
    const rotation = new SceneRotation(null, null, 0);
    rotation.setScenes(ABC);
    expect(rotation.current(0)?.scene.id).toBe('a');
    expect(rotation.current(5_000)?.progress).toBeCloseTo(0.5);
    expect(rotation.current(10_000)?.scene.id).toBe('b');
    expect(rotation.current(29_999)?.scene.id).toBe('b');
    expect(rotation.current(30_000)?.scene.id).toBe('c');
    expect(rotation.current(40_000)).toMatchObject({ scene: { id: 'a' }, index: 0, count: 3, pinned: false });
  });

  it('stays on a pinned scene, without progress', () => {
    const rotation = new SceneRotation('b', null, 0);
    rotation.setScenes(ABC);
    expect(rotation.current(0)).toMatchObject({ scene: { id: 'b' }, progress: 0, pinned: true });
    expect(rotation.current(1_000_000)?.scene.id).toBe('b');
  });

  it('rotates normally while the pinned scene does not exist, and pins once it appears', () => {
    const rotation = new SceneRotation('late', null, 0);
    rotation.setScenes(ABC);
    expect(rotation.current(0)).toMatchObject({ scene: { id: 'a' }, pinned: false });
    rotation.setScenes([...ABC, scene('late')]);
    expect(rotation.current(1)).toMatchObject({ scene: { id: 'late' }, pinned: true });
  });

  it('resumes on the scene shown before a reload', () => {
    const rotation = new SceneRotation(null, 'c', 0);
    rotation.setScenes(ABC);
    expect(rotation.current(0)?.scene.id).toBe('c');
    expect(rotation.current(10_000)?.scene.id).toBe('a');
  });

  it('keeps the scene on screen when the list changes, and starts over when it is gone', () => {
    const rotation = new SceneRotation(null, null, 0);
    rotation.setScenes(ABC);
    rotation.current(0);
    expect(rotation.current(10_000)?.scene.id).toBe('b');
    rotation.setScenes([scene('x'), scene('b', 20)]);
    expect(rotation.current(15_000)).toMatchObject({ scene: { id: 'b' }, index: 1 });
    rotation.setScenes([scene('x'), scene('y')]);
    expect(rotation.current(16_000)).toMatchObject({ scene: { id: 'x' }, progress: 0 });
  });

  it('does not race through scenes missed while the laptop slept', () => {
    const rotation = new SceneRotation(null, null, 0);
    rotation.setScenes(ABC);
    rotation.current(0);
    const after = rotation.current(3_600_000);
    expect(after).toMatchObject({ scene: { id: 'b' }, progress: 0 });
    expect(rotation.current(3_600_000 + 19_000)?.scene.id).toBe('b');
  });

  it('does not rotate a single scene', () => {
    const rotation = new SceneRotation(null, null, 0);
    rotation.setScenes([scene('only')]);
    expect(rotation.current(1_000_000)).toMatchObject({ scene: { id: 'only' }, progress: 0 });
  });
});

describe('SceneRotation with pages', () => {
  it('stays on a scene once per page, a scene duration each, and says which page', () => {
    const rotation = new SceneRotation(null, null, 0);
    rotation.setScenes(ABC);
    rotation.setPages('a', 3);
    expect(rotation.current(0)).toMatchObject({ scene: { id: 'a' }, page: 0, pages: 3 });
    expect(rotation.current(10_000)).toMatchObject({ scene: { id: 'a' }, page: 1, pages: 3 });
    expect(rotation.current(29_999)).toMatchObject({ scene: { id: 'a' }, page: 2 });
    expect(rotation.current(30_000)).toMatchObject({ scene: { id: 'b' }, page: 0, pages: 1 });
  });

  it('turns pages on a pinned scene too', () => {
    const rotation = new SceneRotation('a', null, 0);
    rotation.setScenes(ABC);
    rotation.setPages('a', 2);
    expect(rotation.current(0)?.page).toBe(0);
    expect(rotation.current(10_000)?.page).toBe(1);
    expect(rotation.current(20_000)?.page).toBe(0);
  });

  it('forgets page counts of scenes that left the list', () => {
    const rotation = new SceneRotation(null, null, 0);
    rotation.setScenes(ABC);
    rotation.setPages('gone', 5);
    expect(rotation.current(0)?.pages).toBe(1);
  });
});
