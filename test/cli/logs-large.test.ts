import { appendFileSync, truncateSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** Shark's output through `tail`: a log of hundreds of megabytes is never all in the test's memory. */
const TAIL = ['bash', '-c', 'set -o pipefail; "$0" "$@" | tail -c 80'];

/** A job whose log is larger than a string V8 makes (512 MiB): `shark logs` read it whole, then said it could not. */
describe('shark logs of a job that printed more than a string can hold', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-logs-large-');
    rig.write('p.md', "# P\n\n```shark-run {id=big}\nprintf 'first\\n'; echo 1 > /data/x.txt\n```\n");
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const log = /^==> big \(ok, line 4\) (.+)$/m.exec((await rig.shark(['logs', 'p.md', 'big'])).stdout)![1]!;
    // Sparse: 600 MB of NULs that take no disk, and a coloured last line.
    truncateSync(log, 600_000_000);
    appendFileSync(log, '\n\x1b[31mthe end\x1b[0m\n');
  });
  afterAll(() => rig.cleanup());

  it('shows it whole, to its last line, in little memory', async () => {
    const logs = await rig.shark(['logs', 'p.md', 'big'], { wrap: TAIL, env: { NODE_OPTIONS: '--max-old-space-size=128' } });
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\0\nthe end\n$/);
  });
});
