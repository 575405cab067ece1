// Reads the .cpuprofile files `--profile` leaves behind and prints where the time went (self time).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './data.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface Hotspot {
  readonly fn: string;
  readonly ms: number;
  readonly pct: number;
}

/** Self time per function (name + file:line), biggest first, idle and GC kept as their own rows. */
export function hotspots(profile: CpuProfile, top = 15): { busyMs: number; spots: Hotspot[] } {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the delta to the next one.
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + dt);
  }
  const byFn = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id) ?? 0;
    const f = node.callFrame;
    const where = f.url
      ? ` ${relative(repoRoot, f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}`
      : '';
    const key = `${f.functionName || '(anonymous)'}${where}`;
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
    total += ms;
    if (f.functionName === '(idle)') idle += ms;
  }
  const busy = total - idle;
  const spots = [...byFn]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, ms]) => ({ fn, ms, pct: busy > 0 ? (100 * ms) / busy : 0 }));
  return { busyMs: busy, spots };
}

/** Every .cpuprofile in dir and its folders (one per server); threads by Node's default names. */
export function summarizeProfiles(dir: string, log: (s: string) => void): void {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  for (const f of files) {
    const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    const { busyMs, spots } = hotspots(profile);
    const wall = (profile.endTime - profile.startTime) / 1000;
    log(`\n${f}: ${(wall / 1000).toFixed(1)} s wall, ${(busyMs / 1000).toFixed(1)} s busy`);
    for (const s of spots)
      log(`  ${s.ms.toFixed(0).padStart(7)} ms ${s.pct.toFixed(1).padStart(5)}%  ${s.fn}`);
  }
}

const invokedDirectly = process.argv[1] && import.meta.filename === process.argv[1];
if (invokedDirectly) summarizeProfiles(process.argv[2] ?? '.', console.log);
