/**
 * The top of a V8 CPU profile (.cpuprofile, from `node --cpu-prof` or qos1Profile.ts): self time
 * per function and total time per file, as shares of the sampled time, so profiles taken on a
 * busy shared machine compare by proportion.
 *
 *   npx tsx test/bench/cpuProfileSummary.ts FILE.cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && Array.isArray((value as CpuProfile).nodes) && Array.isArray((value as CpuProfile).samples);
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '30' }, stacks: { type: 'string' } },
  allowPositionals: true,
});
const top = Number(values.top);

for (const file of positionals) {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const byId = new Map(parsed.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of parsed.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfUs = new Map<number, number>();
  parsed.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (parsed.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idleIds = new Set(parsed.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const idle = [...idleIds].reduce((sum, id) => sum + (selfUs.get(id) ?? 0), 0);
  const busy = total - idle;
  const short = (url: string): string =>
    url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\//, 'nm:')
      .replace(/^.*\/(ingest|main)\//, '');
  const name = (node: ProfileNode): string => `${node.callFrame.functionName || '(anonymous)'} ${short(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  const selfByName = new Map<string, number>();
  const inclusiveByFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (idleIds.has(id)) continue;
    const node = byId.get(id)!;
    selfByName.set(name(node), (selfByName.get(name(node)) ?? 0) + us);
    // Each file on the stack once: time spent under any function of that file.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const url = short(byId.get(at)!.callFrame.url) || byId.get(at)!.callFrame.functionName;
      if (seen.has(url)) continue;
      seen.add(url);
      inclusiveByFile.set(url, (inclusiveByFile.get(url) ?? 0) + us);
    }
  }
  // --stacks NAME: the heaviest call stacks under functions named NAME (who calls it).
  const stacks = new Map<string, number>();
  if (values.stacks !== undefined) {
    for (const [id, us] of selfUs) {
      const frames: string[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) frames.push(name(byId.get(at)!));
      const hit = frames.findIndex((f) => f.startsWith(`${values.stacks} `));
      if (hit < 0) continue;
      const key = frames.slice(hit, hit + 9).join('\n      <- ');
      stacks.set(key, (stacks.get(key) ?? 0) + us);
    }
  }
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * busy) / total).toFixed(0)} % busy (shares below are of busy time)`);
  console.log('  self time by function:');
  for (const [n, us] of [...selfByName].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${n}`);
  for (const [stack, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${pct(us)}  ${stack}`);
  if (values.stacks !== undefined) continue;
  console.log('  time under each file (inclusive):');
  for (const [n, us] of [...inclusiveByFile].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${n}`);
}
