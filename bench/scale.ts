import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fillCache } from './fill-cache.js';
import { generateItems } from './gen-items.js';
import { SHARK, fmt, median, peakMemoryMb, ratio, scratch, table, timeOnce, write } from './tools.js';

const node = process.execPath;
const PIPELINE = '---\ninputs:\n  items: /data/items/\n---\n# Map\n\n```shark-run\ncp /data/items/* /data/out/+\n```\n\n' +
  '## Reduce\n\n```shark-run\nls /data/out/ | wc -l > /data/count.txt\n```\n';

/** Median of three after a warm-up (a million-item store's first pass after a run moves ±40 % on this VM), and the peak memory. */
function timed(args: readonly string[], dir: string): { seconds: number; mb: string } {
  const seconds = median(node, [SHARK, ...args], dir, 3);
  const mb = peakMemoryMb(node, [SHARK, ...args], dir);
  return { seconds, mb: mb === undefined ? 'memory unknown (no /usr/bin/time)' : `${mb.toFixed(0)} MB` };
}

/**
 * Issue 17: a map of N items (1,000,000 unless SHARK_BENCH_ITEMS) and a
 * reduce. `plan` first time (every file hashed) beside `sha256sum` over the
 * same files; `plan` text and --json with the hash cache warm, before any
 * run and fully cached; `run` fully cached. The cached store is filled by
 * `fill-cache.ts` (what a run records), then the reduce runs for real.
 */
export async function benchScale(): Promise<string[]> {
  const n = Number(process.env.SHARK_BENCH_ITEMS ?? 1_000_000);
  const dir = scratch('scale');
  try {
    generateItems(join(dir, 'items'), n);
    write(join(dir, 'p.md'), PIPELINE);
    const input = ['-i', 'items=items'];
    const first = timeOnce(node, [SHARK, 'plan', 'p.md', ...input], dir);
    const sum = timeOnce('sh', ['-c', 'find items -type f -print0 | xargs -0 sha256sum > /dev/null'], dir);
    const bytes = Number(spawnSync('du', ['-sb', 'items'], { cwd: dir, encoding: 'utf8' }).stdout.split('\t')[0]);
    const rate = (s: number): string => `${Math.round(n / s).toLocaleString('en')} files/s, ${(bytes / 1e6 / s).toFixed(1)} MB/s`;
    const lines = table(`plan of a ${n.toLocaleString('en')}-item map + reduce, first time (every file hashed):`, [
      ['shark plan', `${fmt(first)} (${rate(first)})`, 'bound by reading the bytes'],
      ['sha256sum (find | xargs)', `${fmt(sum)} (${rate(sum)})`, `shark/sha256sum ${ratio(first, sum)}`],
    ]);
    const warmText = timed(['plan', 'p.md', ...input], dir);
    const warmJson = timed(['plan', 'p.md', ...input, '--json'], dir);
    await fillCache(dir);
    timeOnce(node, [SHARK, 'run', 'p.md', ...input, '-j', '2'], dir);
    const cachedText = timed(['plan', 'p.md', ...input], dir);
    const cachedJson = timed(['plan', 'p.md', ...input, '--json'], dir);
    const run = timed(['run', 'p.md', ...input, '-j', '2'], dir);
    // What any tool that trusts nothing pays: a stat of every input and of every stored output.
    const floor = timeOnce('sh', ['-c', "find items .shark/objects -type f -printf '%s %T@ %i\\n' > /dev/null"], dir);
    lines.push(...table(`plan of the same, hash cache warm:`, [
      ['nothing run yet, text', `${fmt(warmText.seconds)}, ${warmText.mb}`, '< 10 s, < 2 GB, never a crash'],
      ['nothing run yet, --json', `${fmt(warmJson.seconds)}, ${warmJson.mb}`, '< 10 s, < 2 GB'],
      ['fully cached, text', `${fmt(cachedText.seconds)}, ${cachedText.mb}`, '< 10 s, < 2 GB'],
      ['fully cached, --json', `${fmt(cachedJson.seconds)}, ${cachedJson.mb}`, '< 10 s, < 2 GB'],
      ['floor: find -printf of the items and the objects', fmt(floor), `fully cached text plan / it ${ratio(cachedText.seconds, floor)}`],
    ]));
    lines.push(...table('run of the same, fully cached:', [['shark run -j 2', `${fmt(run.seconds)}, ${run.mb}`, '< 12 s']]));
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Issue 17: the full ancestry of one result in a pipeline of 10,000 jobs, `lineage` and `why`. */
export function benchLineage(): string[] {
  const dir = scratch('lineage');
  try {
    generateItems(join(dir, 'items'), 10_000);
    write(join(dir, 'p.md'), PIPELINE);
    timeOnce(node, [SHARK, 'run', 'p.md', '-i', 'items=items', '-j', '2'], dir);
    // The first read renders it from the records and keeps the rendering (store/lineage-memos.ts); later ones print that.
    const first = timeOnce(node, [SHARK, 'lineage', 'p.md', '/data/count.txt'], dir);
    const idleFirst = timeOnce(node, [SHARK, '--version'], dir);
    // In rounds, start-up timed in each: what a command takes beyond it is the median of its rounds' differences,
    // steadier on this VM (start-up alone moves by ±80 ms from one minute to the next) than a difference of medians.
    const [idle, all, one, why] = beyondStartUp([
      [SHARK, '--version'],
      [SHARK, 'lineage', 'p.md', '/data/count.txt'],
      [SHARK, 'lineage', 'p.md', '/data/out/5.txt'],
      [SHARK, 'why', join(dir, 'items', '5.txt')],
    ], dir);
    const beyond = (t: { total: number; beyond: number }): string => `${fmt(t.total)} (start-up + ${fmt(Math.max(0, t.beyond))})`;
    return table('ancestry in a 10,000-job pipeline (median wall time of the command over 9 rounds; beyond start-up: median of each round\'s difference):', [
      ['shark --version (start-up)', fmt(idle!.total), ''],
      ['lineage /data/count.txt, first read (rendered, then kept)', `${fmt(first)} (start-up + ${fmt(Math.max(0, first - idleFirst))})`, 'reported'],
      ['lineage /data/count.txt (all 10,001 jobs)', beyond(all!), '< 100 ms beyond start-up'],
      ['lineage /data/out/5.txt (one item)', beyond(one!), '< 100 ms beyond start-up'],
      ['why items/5.txt', beyond(why!), '< 100 ms beyond start-up'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each command's median wall time over `rounds` rounds, each after a warm-up, and the median of its differences with the first command's time in the same round. */
function beyondStartUp(commands: readonly (readonly string[])[], dir: string, rounds = 9): { total: number; beyond: number }[] {
  for (const args of commands) timeOnce(node, args, dir);
  const times = commands.map((): number[] => []);
  for (let r = 0; r < rounds; r++) commands.forEach((args, k) => times[k]!.push(timeOnce(node, args, dir)));
  const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return times.map((t) => ({ total: mid(t), beyond: mid(t.map((x, r) => x - times[0]![r]!)) }));
}
