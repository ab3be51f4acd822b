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
    const idle = median(node, [SHARK, '--version'], dir);
    // The first read renders it from the records and keeps the rendering (store/lineage-memos.ts); later ones print that.
    const first = timeOnce(node, [SHARK, 'lineage', 'p.md', '/data/count.txt'], dir);
    const all = median(node, [SHARK, 'lineage', 'p.md', '/data/count.txt'], dir);
    const one = median(node, [SHARK, 'lineage', 'p.md', '/data/out/5.txt'], dir);
    const why = median(node, [SHARK, 'why', join(dir, 'items', '5.txt')], dir, 5, [0, 1, 2]);
    const beyond = (t: number): string => `${fmt(t)} (start-up + ${fmt(Math.max(0, t - idle))})`;
    return table('ancestry in a 10,000-job pipeline (median wall time of the command; node start-up alone beside):', [
      ['shark --version (start-up)', fmt(idle), ''],
      ['lineage /data/count.txt, first read (rendered, then kept)', beyond(first), 'reported'],
      ['lineage /data/count.txt (all 10,001 jobs)', beyond(all), '< 100 ms beyond start-up'],
      ['lineage /data/out/5.txt (one item)', beyond(one), '< 100 ms beyond start-up'],
      ['why items/5.txt', beyond(why), '< 100 ms beyond start-up'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
