import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTree } from '../imports/helpers.js';
import { Rig } from '../support/rig.js';

/** `shark plan --script` run for real, with /data moved to a scratch directory. */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-hand-script-')));
afterEach(() => rig.cleanup());

/** The script with /data moved into the rig, written beside the document and run there. */
function runScript(script: string): void {
  const data = rig.path('data');
  rig.write('hand.sh', script.replaceAll('/data/', `${data}/`).replaceAll("'/data'", `'${data}'`));
  execFileSync('sh', ['hand.sh'], { cwd: rig.dir });
}

describe('local imports in the hand script', () => {
  it('copy a directory\'s contents into DEST, with or without a trailing slash, run once or twice', async () => {
    rig.write('in/a.txt', '1\n');
    rig.write('in/sub/b.txt', '2\n');
    rig.write('h.txt', 'hello\n');
    rig.write('s.md', [
      '```shark-import',
      'in/ /data/in/',
      'in /data/bare',
      'file:in/ /data/named',
      'h.txt /data/h.txt',
      '```',
      '',
      '```shark-run',
      'cat /data/in/a.txt /data/in/sub/b.txt /data/bare/sub/b.txt /data/named/a.txt /data/h.txt > /data/out.txt',
      '```',
      '',
    ].join('\n'));
    const script = await rig.shark(['plan', 's.md', '--script']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain("cp -R 'in/.' '/data/in'");
    const tree = { 'a.txt': '1\n', 'sub/b.txt': '2\n' };
    for (let n = 0; n < 2; n++) {
      runScript(script.stdout);
      expect(readTree(rig.path('data/in'))).toEqual(tree);
      expect(readTree(rig.path('data/bare'))).toEqual(tree);
      expect(readTree(rig.path('data/named'))).toEqual(tree);
      expect(rig.read('data/h.txt')).toBe('hello\n');
      expect(rig.read('data/out.txt')).toBe('1\n2\n2\n1\nhello\n');
    }
  });
});
