import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-deep-archive-')));
afterEach(() => rig.cleanup());

describe('a local archive nested deeper than a path can name', () => {
  it('fails the import saying so, not with ENAMETOOLONG or a stack overflow (2,040 nested directories)', async () => {
    // tar unpacks it (each name relative to the directory it opened, under PATH_MAX), but beneath
    // Shark's private directory no absolute path reaches the file, and Node's `rm -r` overflows its stack.
    const name = `${Array(2040).fill('d').join('/')}/f.txt`;
    execFileSync('python3', ['-c', `import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w'); i = tarfile.TarInfo(sys.argv[2]); i.size = 4; t.addfile(i, io.BytesIO(b'deep')); t.close()`, rig.path('deep.tar'), name]);
    rig.write('p.md', '# deep\n\n```shark-import\ndeep.tar /data/d/ extract\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('p.md:4:1: error: cannot extract deep.tar: it nests its members deeper than a path on this system can name (ENAMETOOLONG)');
    expect(ran.stdout + ran.stderr).not.toMatch(/call stack|cannot run job/);
    expect(readdirSync(rig.path('.shark/tmp')).filter((n) => n.startsWith('ws-'))).toEqual([]);
  }, 60_000);
});
