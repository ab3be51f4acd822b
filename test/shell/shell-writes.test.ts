import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';
import { leftWorkspaces, shell } from './batch.js';

async function until(done: () => boolean, timeoutMs = 60_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
}

/** A command that leaves in /data what the store cannot keep, then one that writes a file. */
const AFTER = 'echo after > /data/after.txt';

describe('shark shell: a command whose writes the store cannot keep fails, and the shell goes on', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-shell-writes-');
  });
  afterEach(() => rig.cleanup());

  /** Runs `command` between two steps, with --save: the transcript, after checking the session went on and saved. */
  const session = async (command: string): Promise<string> => {
    const ran = await shell(rig, ['--save', 'keep.md'], ['echo important > /data/important.txt', command, AFTER, ''].join('\n'));
    noCrash(ran.stderr);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`shark> ${AFTER}\n[step 2: wrote /data/after.txt]\n`);
    expect(ran.stdout).toContain('saved keep.md: 2 steps\n');
    expect(leftWorkspaces(rig)).toEqual([]);
    return ran.stdout;
  };

  it('a named pipe (FIFO)', async () => {
    expect(await session('mkfifo /data/p')).toContain(
      'shark> mkfifo /data/p\n[failed: /data/p is a named pipe (FIFO): only files, directories and symbolic links can be stored; its writes were discarded]\n',
    );
  });

  it('a Unix socket', async () => {
    const listen = `node -e 'require("net").createServer().listen(process.argv[1], () => process.exit(0))' /data/s/sock`;
    expect(await session(`mkdir /data/s && ${listen}`)).toContain(
      '[failed: /data/s/sock is a socket: only files, directories and symbolic links can be stored; its writes were discarded]\n',
    );
  });

  it('a name that is not UTF-8', async () => {
    expect(await session(`mkdir /data/d && cd /data/d && touch "$(printf 'caf\\351')"`)).toContain(
      '[failed: /data/d/caf\\xe9 has a name that is not UTF-8: Shark keeps file names and link targets as text (UTF-8); its writes were discarded]\n',
    );
  });

  it('a tree deeper than a path can name', async () => {
    const deep = `node -e 'process.chdir(process.argv[1]); for (let i = 0; i < 2100; i++) { require("fs").mkdirSync("d"); process.chdir("d") }' /data/deep`;
    expect(await session(`mkdir /data/deep && ${deep}`)).toMatch(/\n\[failed: \/data\/deep\/d\/d\/[d/]*…[d/]*: file name too long; its writes were discarded\]\n/);
    // The discarded view is removed by `rm -rf` after the shell exits; Node's own removal gives up on such a tree, slowly.
    await until(() => !readdirSync(rig.path('.shark/tmp')).some((n) => n.startsWith('trash-')));
  });

  it('a file it left unreadable (mode 000) is made readable to its owner and kept, as run keeps a job\'s output (it was refused)', async (ctx) => {
    const as = unprivileged(rig);
    if (as.skip !== undefined) return ctx.skip(as.skip);
    const ran = await shell(rig, ['--save', 'keep.md'], ['echo secret > /data/s.txt && chmod 000 /data/s.txt', AFTER, ''].join('\n'), as.options);
    noCrash(ran.stderr);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('[step 1: wrote /data/s.txt]\n');
    expect(ran.stdout).toContain(`shark> ${AFTER}\n[step 2: wrote /data/after.txt]\n`);
    expect(ran.stdout).toContain('saved keep.md: 2 steps\n');
  });
});

describe('shark shell: a command taken as `shark run` takes the job its saved line makes', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-shell-as-run-');
  });
  afterEach(() => rig.cleanup());

  it('fails on the host when it names a link a step made out of /data, so nothing saved reads the host\'s file', async () => {
    const ran = await shell(rig, ['--save', 'keep.md'], ['ln -s /etc/hostname /data/h', 'cat /data/h > /data/copy.txt', 'echo after > /data/after.txt', ''].join('\n'));
    noCrash(ran.stderr);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('shark> cat /data/h > /data/copy.txt\n[failed: its input /data/h is a symbolic link to `/etc/hostname`, outside /data: a job on the host would read the host\'s file through it');
    expect(ran.stdout).toContain('saved keep.md: 2 steps\n');
    expect(rig.read('keep.md')).not.toContain('copy.txt');
    // The saved document runs as it was kept.
    const again = await rig.shark(['run', 'keep.md', '--json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it('writing into a directory nothing made yet, is given the directory, as `shark run` gives a job its outputs\' directories; a file in the way fails it, said as a /data path', async () => {
    const ran = await shell(rig, ['--save', 'keep.md'], ['echo 1 > /data/a.txt', 'cat /data/a.txt > /data/sub/b.txt', 'cat /data/a.txt > /data/a.txt/c.txt', ''].join('\n'));
    noCrash(ran.stderr);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('shark> cat /data/a.txt > /data/sub/b.txt\n[step 2: wrote /data/sub/b.txt; read /data/a.txt]\n');
    expect(ran.stdout).toContain('shark> cat /data/a.txt > /data/a.txt/c.txt\n[failed: cannot create /data/a.txt: a file is in the way');
    expect(leftWorkspaces(rig)).toEqual([]);
  });
});
