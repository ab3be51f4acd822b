import { readdirSync, rmSync, symlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** An empty store or pipeline argument is no path: it must not put a store's files in the current directory. */
describe('empty --store, $SHARK_STORE and pipeline arguments', () => {
  const rig = new Rig();
  rig.write('p.md', '# P\n\n```shark-run\necho hi > /data/x\n```\n');
  afterAll(() => rig.cleanup());
  const here = (): string[] => readdirSync(rig.dir).filter((f) => f !== 'p.md' && f !== '.shark').sort();

  it('an empty $SHARK_STORE counts as unset: the store is .shark/ beside the pipeline', async () => {
    const ran = await rig.shark(['run', 'p.md'], { env: { SHARK_STORE: '' } });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(rig.exists('.shark/shark.sqlite')).toBe(true);
    expect(here()).toEqual([]);
    for (const command of [['plan', 'p.md'], ['gc', 'p.md'], ['fsck'], ['runs', 'p.md']]) {
      const again = await rig.shark(command, { env: { SHARK_STORE: '' } });
      expect({ command, code: again.code, stderr: again.stderr }).toEqual({ command, code: 0, stderr: '' });
    }
    expect(here()).toEqual([]);
  });

  it.each([
    [['run', 'p.md', '--store', '']],
    [['run', 'p.md', '--store=']],
    [['plan', 'p.md', '--store', '']],
    [['gc', 'p.md', '--store', '']],
    [['fsck', '--store', '']],
    [['why', 'p.md', '--store', '']],
  ])('shark %j is a usage error (exit 2) and makes nothing', async (args) => {
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^shark: error: .*--store.* empty/);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect(here()).toEqual([]);
  });

  it.each([
    [['plan', 'p.md', '--store=~/x'], '~/x'],
    [['run', 'p.md', '--store', '$HOME/x'], '$HOME/x'],
  ])('shark %j (a `~` or `$` no shell expanded) is a usage error (exit 2) and makes nothing: a directory `~` was made', async (args, store) => {
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(`shark: error: the store \`${store}\` is taken as written: Shark expands no \`~\` or \`$\` in it, and would make a directory of that name; write the path itself (--store "$HOME/x" lets the shell expand it)\n`);
    expect(here()).toEqual([]);
  });

  it.each([
    [['run', 'p.md', '--store', '   ']],
    [['plan', 'p.md', '--store=\t']],
  ])('shark %j (a store named only by spaces) is a usage error (exit 2) and makes nothing', async (args) => {
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('shark: error: --store is blank: name a directory or zfs:POOL/DATASET, or leave the option out for the default\n');
    expect(here()).toEqual([]);
  });

  it.each([
    [['run', 'p.md'], ' '],
    [['runs', 'p.md'], '  '],
    [['plan', 'p.md'], '\t'],
    [['fsck'], ' '],
    [['why', 'p.md'], ' '],
    [['shell', 'p.md'], ' '],
  ])('shark %j with $SHARK_STORE of only spaces is the same usage error as --store of only spaces (exit 2), and makes nothing', async (args, blank) => {
    const ran = await rig.shark(args, { env: { SHARK_STORE: blank } });
    expect(ran.stderr).toBe('shark: error: $SHARK_STORE is blank: set it to a directory or zfs:POOL/DATASET, or unset it for the default\n');
    expect(ran.code).toBe(2);
    expect(here()).toEqual([]);
  });

  it('a blank $SHARK_STORE is not used, so not refused, when --store names the store', async () => {
    const ran = await rig.shark(['run', 'p.md', '--store', 'given'], { env: { SHARK_STORE: ' ' } });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(here()).toEqual(['given']);
    rmSync(rig.path('given'), { recursive: true, force: true });
  });

  it.each([[['gc', '']], [['gc', 'p.md', '']], [['fsck', '']], [['run', '']], [['plan', '']], [['runs', '']]])(
    'shark %j (an empty pipeline argument) is a usage error (exit 2)',
    async (args) => {
      const ran = await rig.shark(args);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toMatch(/^shark: error: .*empty/);
      expect(ran.stderr).not.toMatch(/no store|\n\s+at /);
      expect(here()).toEqual([]);
    },
  );
});

/** `-i NAME=` binds no path, and an input holding the store would change on every run (the store is inside it). */
describe('-i with an empty path, or a path that holds the store', () => {
  const rig = new Rig();
  rig.write('p.md', '---\ninputs:\n  src: /data/src/\n---\n# P\n\n```shark-run\nls /data/src/ > /data/list.txt\n```\n');
  rig.write('sub/a.txt', 'a\n');
  afterAll(() => rig.cleanup());

  it.each([['plan'], ['run'], ['shell']])('shark %s p.md -i src= is a usage error (exit 2)', async (command) => {
    const ran = await rig.shark([command, 'p.md', '-i', 'src=']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('shark: error: the path of -i src= is empty: name the file or directory to bind input `src` to\n');
  });

  it.each([
    ['.', 'holds'],
    ['.shark', 'is'],
    ['.shark/tmp', 'is inside'],
  ])('binding an input to %s (which %s the store) is refused at the input, exit 2, plan and run alike', async (path, how) => {
    expect((await rig.shark(['plan', 'p.md', '-i', 'src=sub'])).code).toBe(0);
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md', '-i', `src=${path}`]);
      expect(ran.code, ran.stderr).toBe(2);
      const which = how === 'is' ? 'which is the store' : `which ${how} the store ${rig.path('.shark')}`;
      expect(ran.stderr).toContain(`p.md:3:8: error: input \`src\` is bound to ${path}, ${which}: what it holds changes as Shark works; bind a directory apart from the store (or move the store with --store)\n`);
    }
  });

  it('binding an input to a directory with a link that leads to the store is refused at the input, exit 2, plan and run alike', async () => {
    rig.write('linked/a.txt', 'a\n');
    symlinkSync('../.shark', rig.path('linked/store'));
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md', '-i', 'src=linked']);
      expect(ran.code, ran.stderr).toBe(2);
      expect(ran.stderr).toContain(`p.md:3:8: error: input \`src\` is bound to linked, which follows the symbolic link ${rig.path('linked/store')} (to \`../.shark\`), which is the store ${rig.path('.shark')}: what it holds changes as Shark works; remove the link, or bind a directory without it\n`);
    }
  });
});

/** An empty value of an option naming a file is no file: a usage error before anything runs, never the current directory nor nothing at all. */
describe('options naming a file, given empty', () => {
  const rig = new Rig();
  rig.write('p.md', '# P\n\n```shark-run\necho ran >> counter; echo hi > /data/x\n```\n');
  afterAll(() => rig.cleanup());

  it('run --sign \'\' is a usage error (exit 2), not a run that signs nothing', async () => {
    const ran = await rig.shark(['run', 'p.md', '--sign', '']);
    expect(ran.stderr).toBe('shark: error: --sign is empty: name an ed25519 private key file (shark keygen writes one), or leave the option out\n');
    expect(ran.code).toBe(2);
    expect(rig.count()).toBe(0);
  });

  it.each([
    [['run', 'p.md', '-o', ''], '-o', 'name the file to write the executed document to'],
    [['export', 'prov', 'p.md', '-o', ''], '-o', 'name a file, or leave the option out for standard output'],
    [['export', 'crate', 'p.md', '-o', ''], '-o', 'name the directory to write the crate into (new or empty)'],
    [['run', 'p.md', '--config', ''], '--config', 'name a YAML file, or leave the option out for shark.yaml beside the pipeline'],
    [['plan', 'p.md', '--config='], '--config', 'name a YAML file, or leave the option out for shark.yaml beside the pipeline'],
    [['plan', 'p.md', '--secrets', ''], '--secrets', 'name a file of KEY=VALUE lines'],
    [['verify', 'p.md', '/data/x', '--key', 'k.pub', '--key', ''], '--key', 'name a public key file (shark keygen writes NAME.pub)'],
    [['sign', 'p.md', '/data/x', '--key', ''], '--key', 'name the private key file to sign with (shark keygen writes NAME.key)'],
    [['serve', 'p.md', '--trust', ''], '--trust', 'name a public key file (shark keygen writes NAME.pub), or leave the option out'],
  ])('shark %j is a usage error (exit 2) with the wording of every empty option, not the current directory', async (args, flag, hint) => {
    const ran = await rig.shark(args);
    expect(ran.stderr).toBe(`shark: error: ${flag} is empty: ${hint}\n`);
    expect(ran.code).toBe(2);
    expect(rig.count()).toBe(0);
  });
});
