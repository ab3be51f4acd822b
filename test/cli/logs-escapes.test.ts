import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Rig, SHARK } from '../support/rig.js';

/** A job that colours its output: `shark logs` in a pipe shows its words, not escape codes (as `git log | cat`). */
describe('shark logs of a job that printed colours', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', "# P\n\n```shark-run\nprintf '\\033[31mred\\033[0m \\033]0;title\\007done\\n'; echo 1 > /data/x.txt\n```\n\n" +
      "# Q\n\n```shark-run\nprintf 'bell\\007 back\\010 cr\\015 eot\\004 csi\\302\\233 rlo\\342\\200\\256 end\\n'; echo 2 > /data/y.txt\n```\n");
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('shows the log without escape sequences when the output is not a terminal', async () => {
    const logs = await rig.shark(['logs', 'p.md', 'p']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\nred done\n$/);
    expect(logs.stdout).not.toContain('\x1b');
  });

  // A binary or garbled log held bells, backspaces and C1 controls, which reached the terminal as they were.
  it('escapes the other control characters, as run shows a failure\'s tail', async () => {
    const logs = await rig.shark(['logs', 'p.md', 'q']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('bell\\x07 back\\x08 cr\\x0d eot\\x04 csi\\x9b rlo\\u202e end\n');
    expect(logs.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  // The header named the log file as it was: a store whose name holds an escape sequence recoloured the terminal.
  it('names a log file whose path holds a control character escaped, as other paths are', async () => {
    const store = 'st\x1b[31more';
    expect((await rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    const logs = await rig.shark(['logs', 'p.md', 'q', '--store', store]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^==> q \(ok, line 10\) ".*st\\u001b\[31more\/logs\/\d+\/q-\w+\.log"\n/);
    expect(logs.stdout).not.toContain('\x1b');
  });
});

/** A log whose last line has no newline (`printf abc`) ran into the next job's heading: `abc==> q (ok, …)`. */
describe('shark logs of jobs whose output ends without a newline', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', "# P\n\n```shark-run\nprintf abc; echo 1 > /data/x.txt\n```\n\n# Q\n\n```shark-run\nprintf def; cat /data/x.txt > /data/y.txt\n```\n");
    // Q reads what P writes: the logs are listed in the order the jobs ended.
    expect((await rig.shark(['run', 'p.md', '-j', '1'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('ends each log on a line of its own, as `head` does between files', async () => {
    const logs = await rig.shark(['logs', 'p.md']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^==> p \(ok, line 4\) \S+\nabc\n==> q \(ok, line 10\) \S+\ndef\n$/);
  });

  it('at a terminal, ends with a reset what a log set and never reset: it coloured the prompt after it', async () => {
    rig.write('r.md', "# R\n\n```shark-run\nprintf '\\033[41;1mALARM\\n' ; exit 1\n```\n");
    expect((await rig.shark(['run', 'r.md'])).code).toBe(1);
    // Under a terminal of its own (`script`), as a user types it.
    const shown = spawnSync('script', ['-qec', `${process.execPath} ${SHARK} logs r.md`, '/dev/null'], { cwd: rig.dir, encoding: 'utf8', env: { ...process.env, TERM: 'xterm' } });
    expect(shown.stdout).toContain('\x1b[41;1mALARM');
    expect(shown.stdout.trimEnd().endsWith('\x1b[0m')).toBe(true);
  });
});
