import { describe, expect, it } from 'vitest';
import { onlySetsVariables } from '../../src/pipeline/assignment-line.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import { Rig } from '../support/rig.js';

function load(...blocks: string[]): ReturnType<typeof loadPipeline> {
  return loadPipeline('p.md', ['# P', '', ...blocks.flatMap((b) => ['```shark-run', b, '```', ''])].join('\n'));
}

describe('a line that only sets variables', () => {
  it('is told from a command, its value holding quotes, substitutions and backquotes', () => {
    for (const line of ['N=$(nproc)', 'export P=$(echo 8)', 'readonly Z=3', 'X=`echo 9` Y="a b"', 'Q="$(wc -l < f) x"', "A='x y' B=${C:-d}", 'N=$(echo ")") # note']) {
      expect(onlySetsVariables(line), line).toBe(true);
    }
    for (const line of ['N=$(nproc) make', 'N=1; echo $N', 'N=$(x) > f', 'echo N=1', 'N="open', 'export', 'N=1 | cat', '(N=1)']) {
      expect(onlySetsVariables(line), line).toBe(false);
    }
  });

  it('is carried to the commands below it, a value from a command too, and is no step of its own', async () => {
    const loaded = load('export P=$(echo 8)\nreadonly Z=3\nX=`echo 9` Y="a b"\necho "P=$P Z=$Z X=$X Y=$Y" > /data/n.txt');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.pipeline!.steps).toHaveLength(1);
    const rig = new Rig('shark-assignments-');
    try {
      rig.write('p.md', '# P\n\n```shark-run\nexport P=$(echo 8)\nreadonly Z=3\nX=`echo 9` Y="a b"\necho "P=$P Z=$Z X=$X Y=$Y" > /data/n.txt\n```\n\n```shark-publish\n/data/n.txt\n```\n');
      const ran = await rig.shark(['run', 'p.md']);
      expect(ran.code, ran.stderr).toBe(0);
      expect(rig.read('_shark/n.txt')).toBe('P=8 Z=3 X=9 Y=a b\n');
    } finally {
      rig.cleanup();
    }
  });

  it('naming a /data path is an error at the path, quoted or not (it was lost, or read the machine\'s own /data)', () => {
    const { diagnostics } = load('seq 1 4 > /data/a.txt', 'N=$(wc -l < /data/a.txt)\nQ="$(wc -l < /data/a.txt)"\nexport OUT=/data/out.txt\necho "$N $Q" > /data/n.txt');
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col} ${d.severity}`)).toEqual(['8:13 error', '9:14 error', '10:12 error']);
    expect(diagnostics[0]!.message).toMatch(/^`\/data\/a\.txt` in a line that only sets variables: Shark gives such a line to the commands below it as written/);
    // On one line with the command that uses it, the value is the step's own: read, placed and waited for.
    const one = load('seq 1 4 > /data/a.txt', 'N=$(wc -l < /data/a.txt); echo "$N" > /data/n.txt');
    expect(one.diagnostics).toEqual([]);
    expect(one.pipeline!.steps[1]!.inputs.map((i) => i.path)).toEqual(['/data/a.txt']);
  });

  it('a line of `umask`, `export -p`, `set` or `alias` whose output goes somewhere prints what is set: a step of its own', () => {
    const loaded = load('umask > /data/u.txt\nexport -p > /data/e.txt\nalias >> /data/a.txt\nset > /data/s.txt\numask 022');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.pipeline!.steps.map((s) => s.outputs.map((o) => o.path))).toEqual([['/data/u.txt'], ['/data/e.txt'], ['/data/a.txt'], ['/data/s.txt']]);
  });
});
