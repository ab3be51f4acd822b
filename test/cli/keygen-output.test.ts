import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { unprivileged } from '../support/unprivileged.js';

/** keygen -o into a directory that is not there is said as other commands say it, not as Node's ENOENT. */
describe('keygen -o DIR/NAME where DIR does not exist', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());

  it.each([['nodir/x'], ['nodir/x.key'], ['a/b/x']])('keygen -o %s: one line naming the missing directory, exit 2, nothing written', async (name) => {
    const ran = await rig.shark(['keygen', '-o', name]);
    const dir = name.slice(0, name.lastIndexOf('/'));
    expect(ran.stderr).toBe(`shark: error: cannot write the key pair: no such directory ${dir}\n`);
    expect(ran.code).toBe(2);
    expect(rig.exists(dir)).toBe(false);
  });

  // Node's `EACCES: permission denied, open 'k.key'` was shown as it came.
  it('keygen -o into a directory where no file can be made: names the file in words, exit 2', async () => {
    const proc = await rig.shark(['keygen', '-o', '/proc/k']);
    expect(proc.stderr).toBe('shark: error: cannot write the key pair: /proc/k.key: cannot create a file in /proc\n');
    expect(proc.code).toBe(2);
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    mkdirSync(rig.path('shut'));
    chmodSync(rig.path('shut'), 0o555);
    const shut = await shark('keygen', '-o', 'shut/k');
    expect(shut.stderr).toBe('shark: error: cannot write the key pair: shut/k.key: permission denied\n');
    expect(shut.code).toBe(2);
  });

  it('refuses a name where a link to nothing stands, as any file there, not with Node\'s EEXIST', async () => {
    symlinkSync('/nonexistent/x', rig.path('l.key'));
    const ran = await rig.shark(['keygen', '-o', 'l']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('shark: error: l.key exists (a symbolic link to nothing); keygen never overwrites a key\n');
    expect(rig.exists('l.pub')).toBe(false);
  });

  it('still writes the pair into a directory that is there', async () => {
    rig.write('keys/.keep', '');
    const ran = await rig.shark(['keygen', '-o', 'keys/me']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(rig.exists('keys/me.key') && rig.exists('keys/me.pub')).toBe(true);
  });

  it('names a pair whose name holds an escape sequence escaped, written or refused: it reached the terminal', async () => {
    const made = await rig.shark(['keygen', '-o', 'k\x1b[31m']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toBe('wrote "k\\u001b[31m.key" (private: keep it secret) and "k\\u001b[31m.pub" (give it to whoever verifies)\n');
    const again = await rig.shark(['keygen', '-o', 'k\x1b[31m']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('shark: error: "k\\u001b[31m.key" exists; keygen never overwrites a key\n');
  });

  it('refuses a name too long for the file system in one line, exit 2 (an internal error, exit 70)', async () => {
    const long = 'k'.repeat(252);
    const ran = await rig.shark(['keygen', '-o', long]);
    expect([ran.code, ran.stderr]).toEqual([2, `shark: error: cannot write the key pair: ${long}.key: file name too long\n`]);
  });
});
