import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

/** A map over 24 items, a reduce, and a publish: every execution appends its name to `counter`. */
function pipeline(): string {
  return `# concurrent

\`\`\`shark-run
mkdir -p /data/items && for i in $(seq 1 24); do echo $i > /data/items/i$i.txt; done; echo items >> counter
\`\`\`

\`\`\`shark-run
sleep 0.05; echo "map $(basename /data/items/*)" >> counter; cat /data/items/* /data/items/* > /data/doubled/+
\`\`\`

\`\`\`shark-run
find /data/doubled/ -type f -exec cat {} + | sort -n > /data/all.txt; echo reduce >> counter
\`\`\`

\`\`\`shark-publish
/data/doubled/
/data/all.txt
\`\`\`
`;
}

describe('concurrent runs on one store', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('executes every job exactly once when 4 runs of one pipeline start together, and all succeed', async () => {
    rig.write('p.md', pipeline());
    const runs = await Promise.all([1, 2, 3, 4].map(() => rig.shark(['run', 'p.md', '-j', '3'], { timeoutMs: 120_000 })));
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      expect(r.code, r.stderr).toBe(0);
    }
    const lines = rig.lines();
    // 1 + 24 + 1 jobs, each counted by its own command.
    expect(lines).toHaveLength(26);
    expect(new Set(lines).size).toBe(26);
    expect(rig.read('_shark/all.txt').split('\n').filter(Boolean)).toHaveLength(48);
    expect(readdirSync(rig.path('_shark/doubled'))).toHaveLength(24);
    // Nothing half-published is left beside the results.
    expect(readdirSync(rig.path('_shark')).sort()).toEqual(['all.txt', 'doubled']);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    // No run is left looking as if it were still going.
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
  });

  it('takes a killed run whose pid another process was given for dead: runs says interrupted, the next run and gc --delete go ahead', async () => {
    rig.write('p.md', '# Pid reuse\n\n```shark-run {id=slow}\necho started >> counter; sleep 3; echo done > /data/s.txt\n```\n');
    const killed = rig.start(['run', 'p.md']);
    for (let i = 0; i < 400 && rig.count() === 0; i++) await new Promise((r) => setTimeout(r, 25));
    killed.process.kill('SIGKILL');
    await killed.ended;
    // The killed run's pid handed out again (as a busy machine does within minutes) to a process that is not Shark.
    const other = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const db = new Database(rig.path('.shark/shark.sqlite'));
      db.prepare('UPDATE runs SET pid = ? WHERE pid = ?').run(other.pid, killed.process.pid);
      db.prepare('UPDATE leases SET pid = ? WHERE pid = ?').run(other.pid, killed.process.pid);
      db.close();
      expect((await rig.shark(['runs', 'p.md'])).stdout).toMatch(/^\s*1\s+interrupted/m);
      const next = await rig.shark(['run', 'p.md'], { timeoutMs: 30_000 });
      expect(next.stdout + next.stderr).not.toMatch(/another run/);
      expect(next.code, next.stderr).toBe(0);
      expect(rig.lines()).toEqual(['started', 'started']);
      expect(toRun(await rig.plan('p.md'))).toEqual([]);
      const gc = await rig.shark(['gc', 'p.md', '--delete']);
      expect(gc.code, gc.stderr).toBe(0);
    } finally {
      other.kill('SIGKILL');
    }
  }, 60_000);
});
