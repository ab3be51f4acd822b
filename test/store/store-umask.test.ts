import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';

/**
 * The database of a new store is made as the other files are, under the
 * umask: SQLite made it 0644 whatever the umask, so a store a group shares
 * (umask 002) was read-only to every member but the one who made it.
 */
describe('a new store under umask 002', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('has a database its group may write, as its directories', () => {
    rig = new Rig('shark-umask-');
    rig.write('t.md', '# U\n\n```shark-run\necho a > /data/a.txt\n```\n');
    execFileSync('sh', ['-c', `umask 002 && exec "${process.execPath}" "${SHARK}" run t.md`], { cwd: rig.path('.'), stdio: 'ignore' });
    expect(statSync(rig.path('.shark/shark.sqlite')).mode & 0o777).toBe(0o664);
    expect(statSync(rig.path('.shark/objects')).mode & 0o020).toBe(0o020);
  });
});
