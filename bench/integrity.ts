import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CasStore } from '../src/store/cas-store.js';
import { Metadata } from '../src/store/metadata.js';
import type { SnapshotId } from '../src/store/snapshot-store.js';
import { SHARK, fmt, ratio, timeOnce } from './tools.js';

/**
 * Issue 10: what the checks on every read cost a fully cached plan: every
 * result's outputs checked against their recorded stats (`has`), as a plan
 * does, in a fresh process's store with nothing remembered yet.
 */
export function readChecks(dir: string, planSeconds: number): string {
  const meta = new Metadata(join(dir, '.shark'));
  const store = new CasStore(join(dir, '.shark'), meta);
  try {
    const ids = meta.allResults().flatMap((r) => Object.values(JSON.parse(r.outputs) as Record<string, SnapshotId>));
    const t0 = performance.now();
    const whole = ids.filter((id) => store.has(id)).length;
    const seconds = (performance.now() - t0) / 1000;
    return `  integrity checks of ${ids.length} results' outputs (${whole} sound): ${fmt(seconds)}, ${((seconds / planSeconds) * 100).toFixed(0)}% of the plan (target: plan under 1 s)`;
  } finally {
    store.close();
    meta.close();
  }
}

/** Issue 10: `shark fsck` throughput over a store holding `bytes`, beside sha256sum of the same objects. */
export function fsckThroughput(storeDir: string, bytes: number): string[] {
  const r = spawnSync(process.execPath, [SHARK, 'fsck', '--store', storeDir, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) return [`shark fsck: not measured (exit ${r.status}: ${r.stderr.trim().split('\n')[0]})`];
  const report = JSON.parse(r.stdout) as { seconds: number; bytes: number; objects: number };
  const sum = timeOnce('sh', ['-c', `find ${join(storeDir, 'objects')} -type f -print0 | xargs -0 sha256sum > /dev/null`], storeDir);
  const mbps = (s: number): string => `${Math.round(bytes / 1e6 / s)} MB/s`;
  return [
    `shark fsck over ${report.objects} objects, ${(report.bytes / 1e6).toFixed(0)} MB: ${fmt(report.seconds)} (${mbps(report.seconds)})`,
    `  sha256sum of the same files ${fmt(sum)} (${mbps(sum)}): fsck/sha256sum ${ratio(report.seconds, sum)}`,
  ];
}
