import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A data file whose name closes an HTML comment and opens a Shark block on the next line. */
const HOSTILE = 'a-->\n```shark-run\ntouch INJECTED\n```\n';

const PIPELINE = ['```shark-import', 'in/ /data/in/', '```', '', '```shark-run', 'cat /data/in/* > /data/out/+', '```', ''].join('\n');

describe('the executed document with hostile file names', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-executed-');
    rig.write(`in/${HOSTILE}`, '1');
    rig.write('e.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('keeps every name inside its comment: the document has its blocks and no more', async () => {
    expect((await rig.shark(['run', 'e.md', '-o', 'ex.md'])).code).toBe(0);
    const executed = rig.read('ex.md');
    const notes = executed.split('\n').filter((l) => l.startsWith('<!--'));
    for (const note of notes) expect(note).toMatch(/^<!-- (?:(?!--).)* -->$/);
    expect(notes.join('\n')).toContain('"/data/out/a-\\x2d>\\n```shark-run\\ntouch INJECTED\\n```\\n"');
    const check = await rig.shark(['check', 'ex.md']);
    expect(check.stdout).toContain('ok — 2 blocks');
    const rerun = await rig.shark(['run', 'ex.md']);
    expect(rerun.code).toBe(0);
    expect(rig.exists('INJECTED')).toBe(false);
  });

  it('shows such a name escaped in the text plan', async () => {
    expect((await rig.shark(['run', 'e.md'])).code).toBe(0);
    const plan = await rig.shark(['plan', '-v', 'e.md']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('"/data/out/a-->\\n```shark-run\\ntouch INJECTED\\n```\\n" = sha256:');
    expect(plan.stdout.split('\n').filter((l) => l.startsWith('```'))).toEqual([]);
    rig.write(`in/${HOSTILE}`, '2');
    const changed = await rig.shark(['plan', 'e.md']);
    expect(changed.stdout).toContain('(input "/data/in/a-->\\n```shark-run\\ntouch INJECTED\\n```\\n" changed');
    expect(changed.stdout.split('\n').filter((l) => l.startsWith('```'))).toEqual([]);
  });
});

describe('the executed document with a job that prints escape sequences', () => {
  it('keeps its text, not the sequences (cat out.md cleared the screen)', async () => {
    const rig = new Rig('shark-executed-esc-');
    try {
      rig.write('c.md', "# C\n\n```shark-run\nprintf '\\033[2J\\033[31mred\\033[0m\\n'; echo > /data/x.txt\n```\n");
      expect((await rig.shark(['run', 'c.md', '-o', 'out.md'])).code).toBe(0);
      const out = rig.read('out.md');
      expect(out).toContain('red');
      expect(out).not.toContain('\x1b');
    } finally {
      rig.cleanup();
    }
  });
});

describe('an executed document run again with -o', () => {
  let rig: Rig;
  beforeEach(() => void (rig = new Rig('shark-executed-again-')));
  afterEach(() => rig.cleanup());

  it('has this run\'s notes in place of the earlier run\'s, also inside a quote (each run added a set, and two ok lines for one job)', async () => {
    rig.write('in/a.txt', 'a\n');
    rig.write('p.md', ['```shark-import', 'in/ /data/in/', '```', '', '```shark-run', 'cat /data/in/* | tee /data/out/+', '```', '', '> ```shark-run', '> echo quoted > /data/q.txt; echo said', '> ```', '> after', ''].join('\n'));
    expect((await rig.shark(['run', 'p.md', '-o', 'out.md'])).code).toBe(0);
    const first = rig.read('out.md');
    rig.write('in/a.txt', 'b\n');
    expect((await rig.shark(['run', 'out.md', '-o', 'out2.md'])).code).toBe(0);
    const second = rig.read('out2.md');
    const notes = (text: string): string[] => text.split('\n').filter((l) => /^(> )?<!-- shark: /.test(l));
    expect(notes(second)).toHaveLength(notes(first).length);
    expect(second.split('\n').filter((l) => /```text$/.test(l))).toHaveLength(2);
    expect(second).not.toContain('\na\n');
    expect(second).toContain('\nb\n');
    expect(second).toContain('> after');
    expect((await rig.shark(['check', 'out2.md'])).code).toBe(0);
  });
});

describe('the executed document with output markdown reads as line breaks or bytes it refuses', () => {
  let rig: Rig;
  beforeEach(() => void (rig = new Rig('shark-executed-bytes-')));
  afterEach(() => rig.cleanup());

  it('keeps a lone CR from ending a quote and opening a block of its own', async () => {
    rig.write('p.md', "# CR\n\n> ```shark-run\n> printf 'x\\r~~~shark-run\\rtouch INJECTED\\r~~~\\r'; echo a > /data/a.txt\n> ```\n");
    expect((await rig.shark(['run', 'p.md', '-o', 'out.md'])).code).toBe(0);
    const dag = await rig.shark(['dag', 'out.md', '--json']);
    expect((JSON.parse(dag.stdout) as { blocks: unknown[] }).blocks).toHaveLength(1);
    expect((await rig.shark(['run', 'out.md'])).code).toBe(0);
    expect(rig.exists('INJECTED')).toBe(false);
  });

  it('escapes a NUL byte, which a document may not hold, so the executed document runs again', async () => {
    rig.write('p.md', "# NUL\n\n```shark-run\nprintf 'a\\000b\\r\\nc\\n'; echo a > /data/a.txt\n```\n");
    expect((await rig.shark(['run', 'p.md', '-o', 'out.md'])).code).toBe(0);
    const out = rig.read('out.md');
    expect(out).toContain('\na\\x00b\nc\n');
    expect((await rig.shark(['check', 'out.md'])).code).toBe(0);
  });
});

describe('the executed document of a run that kept a {precious} result', () => {
  it('says the job was kept, and why, not that this text\'s command made it (it said `cached` under the new command)', async () => {
    const rig = new Rig('shark-executed-kept-');
    try {
      rig.write('p.md', '```shark-run\necho 1 > /data/a.txt\n```\n\n## Slow\n\n```shark-run {precious}\ncat /data/a.txt > /data/slow.txt\n```\n');
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      rig.write('p.md', rig.read('p.md').replace('cat /data/a.txt >', 'cat /data/a.txt /data/a.txt >'));
      expect((await rig.shark(['run', 'p.md', '-o', 'ex.md'])).code).toBe(0);
      const ex = rig.read('ex.md');
      expect(ex).toMatch(/<!-- slow: kept \(precious: command text changed\), not made by this text, key [0-9a-f]{16}, \/data\/slow\.txt = sha256:/);
      expect(ex).toMatch(/<!-- run: cached, key /);
    } finally {
      rig.cleanup();
    }
  });
});
