import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTree } from '../imports/helpers.js';
import { Rig } from '../support/rig.js';

/** `shark plan --script` on items whose names the shell's `$(…)` would change: the script makes what `run` makes. */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-hand-names-')));
afterEach(() => rig.cleanup());

async function bothWays(doc: string, outputs: readonly string[]): Promise<void> {
  rig.write('p.md', `${doc}\n\`\`\`shark-publish:_all\n${outputs.join('\n')}\n\`\`\`\n`);
  const run = await rig.shark(['run', 'p.md']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  renameSync(rig.path('_all'), rig.path('_run'));
  const plan = await rig.shark(['plan', 'p.md', '--script']);
  expect(plan.code).toBe(0);
  const data = rig.path('data');
  rig.write('hand.sh', plan.stdout.replaceAll('/data/', `${data}/`).replaceAll("'/data'", `'${data}'`));
  execFileSync('sh', ['hand.sh'], { cwd: rig.dir, env: { PATH: process.env['PATH']! }, stdio: 'pipe' });
  expect(readTree(rig.path('_all'))).toEqual(readTree(rig.path('_run')));
}

describe('the hand script with items whose names end in a line break', () => {
  it('keeps the name whole in a map, a `+/FILE` directory and a join (`$(basename …)` cut the line break off)', async () => {
    rig.write('in/trail\n', 't\n');
    rig.write('in/plain.txt', 'p\n');
    await bothWays([
      '```shark-import', 'in/ /data/in/', '```', '',
      '```shark-run', 'wc -c < /data/in/* > /data/count/+.n', '```', '',
      '```shark-run', 'cat /data/in/* > /data/per/+/copy', '```', '',
      '```shark-run', 'cat /data/in/* /data/count/+.n /data/per/+/copy > /data/joined/+', '```', '',
    ].join('\n'), ['/data/count/', '/data/per/', '/data/joined/']);
    expect(readTree(rig.path('_all'))['joined/trail\n']).toBe('t\n2\nt\n');
  });

  it('makes the directory of a nested item whose directory name ends in one', async () => {
    rig.write('in/AVES\n/robin.json', 'r\n');
    await bothWays(['```shark-import', 'in/ /data/in/', '```', '', '```shark-run', 'cat /data/in/*/* > /data/aoh/+.txt', '```', ''].join('\n'), ['/data/aoh/']);
    expect(readTree(rig.path('_all'))).toEqual({ 'aoh/AVES\n/robin.txt': 'r\n' });
  });
});

describe('the hand script with a local import whose name begins with `-`', () => {
  it('copies the file and the directory as run does (`cp \'-x.csv\'` took the name for options)', async () => {
    rig.write('-x.csv', 'x\n');
    rig.write('-in/a.txt', 'a\n');
    await bothWays([
      '```shark-import', '-x.csv /data/x.csv', '-in/ /data/in/', '```', '',
      '```shark-run', 'cat /data/x.csv /data/in/a.txt > /data/both.txt', '```', '',
    ].join('\n'), ['/data/both.txt']);
    expect(readTree(rig.path('_all'))).toEqual({ 'both.txt': 'x\na\n' });
  });
});
