import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/** A `{precious}` block of a sweep: its instance ids hold `[`, `=` and `,`, which a shell would glob (zsh: "no matches found"). */
const PIPELINE = `---
T: [a, b]
---
${fence}shark-import
in/ /data/in/
${fence}

## Slow

${fence}shark-run {precious}
cat /data/in/%{T}.txt > /data/slow/%{T}.txt
${fence}
`;

describe('the way to recompute a kept {precious} instance is a command the shell reads as written', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', '1\n');
    rig.write('in/b.txt', '1\n');
  });
  afterEach(() => rig.cleanup());

  it("quotes an instance id in run's note and in plan --script's comment, and leaves a plain id as it is", async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/a.txt', '2\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/kept \(precious\): slow\[T=a\] — 1 job kept although .*; shark run --force 'slow\[T=a\]' to recompute$/m);
    const script = await rig.shark(['plan', 'p.md', '--script']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain("(shark run --force 'slow[T=a]' recomputes it there)");
  });
});
