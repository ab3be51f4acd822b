import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/**
 * What a host job leaves running in the background ends with the job, as a
 * container's does: it wrote into the workspace the next job of the map was
 * given (a job that wrote nothing had a leftover's file cached as its
 * result), and into the next job's log.
 */
describe('a process a host job leaves running', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-left-running-');
  });
  afterEach(() => rig.cleanup());

  it("never writes the output of the next job given the same workspace: that job fails with missing-output", async () => {
    for (const n of [1, 2, 3]) rig.write(`items/i${n}`, `${n}\n`);
    rig.write('w.md', `# Reuse

${fence}shark-import
items /data/items/
${fence}

${fence}shark-run
cd "$(dirname /data/out/+)"; if [ "$(cat /data/items/*)" = 3 ]; then sleep 0.6; else (sleep 0.3; for n in i1 i2 i3; do [ -e $n ] || echo LEAK > $n; done) & cp /data/items/* /data/out/+; fi
${fence}
`);
    const ran = await rig.shark(['run', 'w.md', '-j1']);
    expect(ran.code).toBe(1);
    expect(ran.stdout + ran.stderr).toMatch(/reuse-2\[i3\] at w\.md:\d+:\d+ \(missing-output\)/);
    const plan = await rig.plan('w.md');
    expect(plan.jobs.find((j) => j.job === 'reuse-2[i3]')?.status).toBe('run');
  });

  it("never writes into the next job's log", async () => {
    rig.write('l.md', `# Logs

${fence}shark-run
(sleep 0.5; echo "from the first step's helper" >&2) & echo a > /data/a.txt
${fence}

${fence}shark-run
sleep 1; cat /data/a.txt > /data/b.txt; echo second >&2; exit 3
${fence}
`);
    const ran = await rig.shark(['run', 'l.md', '-j1']);
    expect(ran.code).toBe(1);
    const logs = await rig.shark(['logs', 'l.md', 'logs-2']);
    expect(logs.stdout).toContain('second');
    expect(logs.stdout + ran.stdout + ran.stderr).not.toContain("first step's helper");
  });
});
