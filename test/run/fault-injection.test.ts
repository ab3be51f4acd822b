import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';

/**
 * ~100 jobs: a source, a 96-item map, a reduce, a chain step after it and a
 * publish. Every command appends `start NAME` to `counter` when it begins, so
 * executions are counted by the commands themselves.
 */
const PIPELINE = `# faults

\`\`\`shark-run {id=seed}
echo "start seed" >> counter; mkdir -p /data/seed && for i in $(seq 1 96); do seq 1 $i > /data/seed/s$i.txt; done
\`\`\`

\`\`\`shark-run
echo "start $(basename /data/seed/*)" >> counter; sleep 0.03; awk -v n="$(basename /data/seed/*)" '{ s += $1 * $1 } END { print n, s }' < /data/seed/* > /data/squares/+
\`\`\`

\`\`\`shark-run {id=reduce}
echo "start reduce" >> counter; find /data/squares/ -type f -exec cat {} + | sort > /data/table.txt
\`\`\`

\`\`\`shark-run {id=total}
echo "start total" >> counter; awk '{ s += $2 } END { print s }' /data/table.txt > /data/total.txt
\`\`\`

\`\`\`shark-publish
/data/squares/
/data/table.txt
/data/total.txt
\`\`\`
`;
const JOBS = 1 + 96 + 1 + 1;

/** Every file under `dir`, relative path → bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = join(rel, name);
      if (statSync(join(dir, p)).isDirectory()) walk(p);
      else out.set(p, readFileSync(join(dir, p), 'latin1'));
    }
  };
  walk('');
  return out;
}

interface Killed {
  readonly started: string[];
  readonly exited: number | null;
}

/**
 * Starts `shark run` and SIGKILLs it right after its `boundary`-th job
 * commits, or after `delayMs` (a point in between); returns the jobs whose
 * commands started in that run.
 */
async function runAndKill(rig: Rig, how: { boundary: number } | { delayMs: number }): Promise<Killed> {
  const before = rig.lines().length;
  const child = spawn(process.execPath, [SHARK, 'run', 'p.md', '--json', '-j', '2'], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'ignore'] });
  let buffered = '';
  const kill = (): boolean => child.kill('SIGKILL');
  if ('delayMs' in how) setTimeout(kill, how.delayMs);
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    if ('boundary' in how && buffered.split('"type":"job-done"').length > how.boundary) kill();
  });
  const exited = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  // A launcher may start the job it had just been handed before the watchdog kills it: wait for the watchdog.
  await watchdogDone(child.pid!);
  return { started: rig.lines().slice(before).map((l) => l.slice('start '.length)), exited };
}

/** Waits until the watchdog of run `pid` has killed that run's jobs and exited. */
async function watchdogDone(pid: number): Promise<void> {
  const mine = (): boolean => readdirSync('/proc').some((p) => {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      return argv.includes('shark-watchdog') && argv.includes(String(pid));
    } catch {
      return false;
    }
  });
  for (let i = 0; i < 200 && mine(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('fault injection: SIGKILL at job boundaries and in between', () => {
  const rigs: Rig[] = [];
  afterEach(() => rigs.splice(0).forEach((r) => r.cleanup()));

  it('resumes to the same bytes as an uninterrupted run, re-executing only the jobs that were cut short', async () => {
    const reference = new Rig();
    const faulty = new Rig();
    rigs.push(reference, faulty);
    reference.write('p.md', PIPELINE);
    faulty.write('p.md', PIPELINE);
    expect((await reference.shark(['run', 'p.md', '-j', '2'])).code).toBe(0);
    expect(reference.count()).toBe(JOBS);

    let unfinished = 0;
    let kills = 0;
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let committedBefore = 0;
    for (let round = 0; round < 200; round++) {
      // Boundaries after 1, 2, 3 or 4 commits of a run, and every third kill at a random moment.
      const ran = await runAndKill(faulty, round % 3 === 2 ? { delayMs: 150 + Math.floor(random() * 400) } : { boundary: 1 + (round % 4) });
      if (ran.exited === 0) break;
      kills++;
      // What the store committed tells which of the started jobs were cut short.
      const after = await faulty.plan('p.md');
      const cached = new Set(after.jobs.filter((j) => j.status === 'cached').map((j) => (j as { items?: string[] }).items?.[0] ?? j.job));
      unfinished += ran.started.filter((name) => !cached.has(name)).length;
      expect(after.summary.cached).toBeGreaterThanOrEqual(committedBefore);
      committedBefore = after.summary.cached;
      if (after.summary.run + after.summary.blocked === 0) break;
    }
    const last = await faulty.shark(['run', 'p.md', '-j', '2']);
    expect(last.code).toBe(0);
    expect(kills).toBeGreaterThan(15);
    expect(snapshot(faulty.path('_shark'))).toEqual(snapshot(reference.path('_shark')));
    // Every job ran once, plus once more for each time it was killed in flight.
    const starts = faulty.lines();
    expect(new Set(starts).size).toBe(JOBS);
    expect(starts.length).toBe(JOBS + unfinished);
    expect((await faulty.shark(['fsck', 'p.md'])).code).toBe(0);
  }, 240_000);
});
