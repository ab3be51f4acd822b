import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { shellWords } from '../../src/pipeline/shell-words.js';
import { Rig } from '../support/rig.js';

/**
 * A command substitution inside double quotes is read as one outside them
 * is: `"$(wc -l < /data/x)"` reads /data/x (it was taken for an output), and
 * `` "`cat /data/x`" `` is seen at all (it was not: the step ran before the
 * one writing x, on the machine's own /data, and published an empty line).
 * A character after `\` is quoted (`/data/a\ b.txt` is one path). Commands
 * nested past 100 parentheses are a located error, not a crash.
 */
function load(...blocks: string[]): ReturnType<typeof loadPipeline> {
  return loadPipeline('p.md', ['# P', '', ...blocks.flatMap((b) => ['```shark-run', b, '```', ''])].join('\n'));
}

const io = (loaded: ReturnType<typeof loadPipeline>): string[][] =>
  loaded.pipeline!.steps.map((s) => [...s.inputs.map((i) => `< ${i.path}`), ...s.outputs.map((o) => `> ${o.path}`)]);

describe('a command substitution inside double quotes', () => {
  it('reads what its redirection reads, as outside quotes', () => {
    const loaded = load('echo 3 > /data/x', 'N="$(wc -l < /data/x)"; echo $N > /data/a.txt');
    expect(loaded.diagnostics).toEqual([]);
    expect(io(loaded)).toEqual([['> /data/x'], ['< /data/x', '> /data/a.txt']]);
  });

  it('is an error at the path when nothing writes what it reads, quoted or not', () => {
    for (const command of ['echo "$(cat /data/x)" > /data/a.txt', 'echo $(cat /data/x) > /data/a.txt']) {
      const { diagnostics } = load(command);
      expect(diagnostics.map((d) => `${d.at.line}:${d.at.col}`), command).toEqual([`4:${command.indexOf('/data/x') + 1}`]);
      expect(diagnostics[0]!.message).toMatch(/^nothing writes \/data\/x: `cat` only reads it/);
    }
  });

  it('in backquotes is read too: the step runs after the one writing what it reads, and publishes its bytes', async () => {
    const loaded = load('echo hello > /data/x', 'echo "`cat /data/x`" > /data/a.txt');
    expect(io(loaded)).toEqual([['> /data/x'], ['< /data/x', '> /data/a.txt']]);
    const rig = new Rig('shark-quoted-sub-');
    try {
      rig.write('p.md', '# P\n\n```shark-run\necho hello > /data/x\n```\n\n```shark-run\necho "`cat /data/x`" > /data/a.txt\n```\n\n```shark-publish\n/data/a.txt\n```\n');
      const ran = await rig.shark(['run', 'p.md']);
      expect(ran.code, ran.stderr).toBe(0);
      expect(rig.read('_shark/a.txt')).toBe('hello\n');
    } finally {
      rig.cleanup();
    }
  });

  it('still leaves a cd line and an assignment line one command', () => {
    const { diagnostics } = load('cd "$(dirname /x/y)"\npwd > /data/c.txt');
    expect(diagnostics.map((d) => d.message.replace(/:.*/, ''))).toEqual(['`cd $(dirname /x/y)`']);
  });
});

describe('a character after a backslash', () => {
  it('is part of the path: a space, `;`, `$`', () => {
    const loaded = load('echo a > /data/a\\ b.txt; echo b > /data/c\\;d.txt; echo c > /data/e\\$f.txt', 'cat /data/a\\ b.txt > /data/g.txt');
    expect(loaded.diagnostics).toEqual([]);
    expect(io(loaded)).toEqual([['> /data/a b.txt', '> /data/c;d.txt', '> /data/e$f.txt'], ['< /data/a b.txt', '> /data/g.txt']]);
  });
});

describe('a command nested too deeply', () => {
  it('is an error at the parenthesis past the limit, quoted or not, and nothing else is read of it', () => {
    for (const [open, close] of [['"$(echo ', '")'], ['$(', ')']] as const) {
      const command = `echo ${open.repeat(3000)}x${close.repeat(3000)} > /data/a.txt`;
      const { diagnostics } = load(command);
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]!.message).toBe('parentheses nested deeper than 100 levels (subshells, `$(…)`): Shark does not read commands nested this deeply');
      expect(diagnostics[0]!.at.line).toBe(4);
    }
  });

  it('is split into words without overflowing the stack, as a command typed at shark shell is before it is checked', () => {
    const command = `echo ${'"$(echo '.repeat(5000)}/data/x${'")'.repeat(5000)} > /data/a.txt`;
    const words = shellWords(command);
    expect(words.filter((w) => w.substituted === true).length).toBeGreaterThan(100);
  });

  it('is read when 100 deep', () => {
    const command = `echo ${'"$(echo '.repeat(99)}x${'")'.repeat(99)} > /data/a.txt`;
    expect(load(command).diagnostics).toEqual([]);
  });
});
