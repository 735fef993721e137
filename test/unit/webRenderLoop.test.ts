import { describe, expect, it } from 'vitest';
import { RenderLoop, type RenderWork } from '../../web/wall/RenderLoop';

function harness(framesOfWork = 1) {
  const frames: (() => void)[] = [];
  const rendered: RenderWork[] = [];
  const loop = new RenderLoop(
    (work) => {
      rendered.push(work);
      return rendered.length < framesOfWork;
    },
    (callback) => frames.push(callback),
  );
  const runFrame = () => frames.shift()?.();
  return { loop, frames, rendered, runFrame };
}

describe('RenderLoop', () => {
  it('coalesces many changes into one frame', () => {
    const { loop, frames, rendered, runFrame } = harness();
    loop.markChange({ membership: false, devices: new Set(['a']) });
    loop.markChange({ membership: true, devices: new Set(['b']) });
    loop.markDevices(['a', 'c']);
    expect(frames).toHaveLength(1);
    expect(rendered).toHaveLength(0);
    runFrame();
    expect(rendered).toHaveLength(1);
    expect(rendered[0]?.membership).toBe(true);
    expect([...(rendered[0]?.changed ?? [])].sort()).toEqual(['a', 'b', 'c']);
    expect(rendered[0]?.everyTile).toBe(false);
  });

  it('starts afresh after a frame', () => {
    const { loop, rendered, runFrame } = harness();
    loop.markChange({ membership: true, devices: new Set(['a']) });
    runFrame();
    loop.markEveryTile();
    runFrame();
    expect(rendered[1]).toEqual({ membership: false, changed: new Set(), everyTile: true });
  });

  it('gives a render that ran out of budget another frame', () => {
    const { loop, frames, rendered, runFrame } = harness(3);
    loop.markEveryTile();
    runFrame();
    expect(frames).toHaveLength(1);
    runFrame();
    runFrame();
    expect(frames).toHaveLength(0);
    expect(rendered.map((w) => w.everyTile)).toEqual([true, false, false]);
  });

  it('does not ask for a frame when nothing is marked', () => {
    const { frames } = harness();
    expect(frames).toHaveLength(0);
  });
});
