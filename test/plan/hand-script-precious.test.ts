import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** `plan --script` recomputes what `run` keeps for a `{precious}` block: said above that block's commands. */

const fence = '```';

const PIPELINE = `${fence}shark-import
in/ /data/in/
${fence}

## Slow

${fence}shark-run {precious}
cat /data/in/*.txt > /data/slow/+
${fence}

## Sum

${fence}shark-run
cat /data/slow/a.txt > /data/out.txt
${fence}
`;

const KEPT = /^# kept \(precious\) by shark: this recomputes slow with the current command and inputs; the store keeps an older result \(shark run --force slow recomputes it there\)$/m;

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-hand-precious-');
  rig.write('p.md', PIPELINE);
  rig.write('in/a.txt', '1\n');
});
afterEach(() => rig.cleanup());

async function script(...args: string[]): Promise<string> {
  const r = await rig.shark(['plan', 'p.md', ...args, '--script']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('a {precious} block in the hand script', () => {
  it('has a comment above its commands only when plan says a job of it is kept', async () => {
    // Never run: nothing kept, and no store made for a script.
    expect(await script()).not.toContain('kept (precious)');
    expect(rig.exists('.shark')).toBe(false);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(await script()).not.toContain('kept (precious)');

    rig.write('in/a.txt', '2\n');
    expect((await rig.shark(['plan', 'p.md'])).stdout).toContain('kept (precious): input /data/in/a.txt changed');
    const text = await script();
    expect(text).toMatch(KEPT);
    // Right above the block's commands, once, and not above its reader's.
    const lines = text.split('\n');
    const at = lines.findIndex((l) => KEPT.test(l));
    expect(lines[at - 1]).toMatch(/^# --- slow \(p\.md:8\)$/);
    expect(lines.slice(at + 1, at + 3)).toEqual(["rm -rf '/data/slow'", "mkdir -p '/data/slow'"]);
    expect(text.match(/kept \(precious\)/g)).toHaveLength(1);
    // Forced, plan keeps nothing: no comment.
    expect(await script('--force', 'slow')).not.toContain('kept (precious)');
  });

  it('says it may be kept when the plan cannot be made as the options stand (an input not bound)', async () => {
    rig.write('p.md', `---\ninputs:\n  extra: /data/extra.txt\n---\n\n${PIPELINE}`);
    expect((await rig.shark(['run', 'p.md', '-i', 'extra=in/a.txt'])).code).toBe(0);
    rig.write('in/a.txt', '2\n');
    const text = await script();
    expect(text).toMatch(/^# \{precious\}: shark may keep an older result of slow \(shark plan says whether it does\): this recomputes it with the current command and inputs$/m);
    expect(await script('-i', 'extra=in/a.txt')).toMatch(KEPT);
  });
});
