import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun, type PlanJson } from '../support/rig.js';
import { objectWith } from '../support/objects.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * Store files and folders that a mode hides from the store's own user (as
 * anyone but root: root reads whatever the mode). Their bytes are not known
 * to be bad: `fsck` reports the mode, `--repair` gives it back and only then
 * judges the bytes; gc steps round what it cannot read.
 */

const PIPELINE = '# D\n\n```shark-run\necho precious-bytes > /data/a.txt\n```\n';

interface Report {
  readonly problems: { id: string; problem: string; detail: string }[];
  readonly results: number;
  readonly repaired: boolean;
}

let rig: Rig;
let as: ReturnType<typeof unprivileged>;
let object: string;
beforeEach(async () => {
  rig = new Rig('shark-fsck-unreadable-');
  as = unprivileged(rig);
  if (as.skip !== undefined) return;
  rig.write('p.md', PIPELINE);
  expect((await as.shark('run', 'p.md')).code).toBe(0);
  object = objectWith(rig, 'precious-bytes\n');
});
afterEach(() => rig.cleanup());

async function fsck(...args: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await as.shark('fsck', 'p.md', '--json', ...args);
  noCrash(r.stderr);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

async function plan(): Promise<PlanJson> {
  const r = await as.shark('plan', 'p.md', '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

const quarantined = (): string[] => (existsSync(rig.path('.shark/quarantine')) ? readdirSync(rig.path('.shark/quarantine')) : []);

describe('an object of mode 000', () => {
  it('another user\'s (a store a group shares) is not said repaired: --repair says it could not give the mode back, exit 1', async () => {
    if (as.skip !== undefined) return;
    chmodSync(object, 0o000);
    chownSync(object, 0, 0);
    const text = await as.shark('fsck', 'p.md', '--repair');
    noCrash(text.stderr);
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(/given (its|their) stored mode back/);
    expect(text.stdout).toMatch(/^not repaired: 1 mode could not be given back \(another user's: chmod as their owner, or run fsck --repair as them\)$/m);
    expect(lstatSync(object).mode & 0o777).toBe(0);
  });

  it('is one mode problem, and --repair gives its mode back and keeps its result', async () => {
    if (as.skip !== undefined) return;
    chmodSync(object, 0o000);
    const found = await fsck();
    expect(found.code).toBe(1);
    expect(found.report.problems.map((p) => p.problem)).toEqual(['mode']);
    expect(found.report.problems[0]!.detail).toMatch(/has mode 0000, not 0444/);
    expect(found.report.results).toBe(0);
    const text = await as.shark('fsck', 'p.md', '--repair');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^repaired: 1 object given its stored mode back$/m);
    expect(text.stdout).not.toMatch(/corrupt|dropped/);
    expect(lstatSync(object).mode & 0o7777).toBe(0o444);
    expect(quarantined()).toEqual([]);
    expect(toRun(await plan())).toEqual([]);
    expect((await fsck()).code).toBe(0);
  });

  it('whose bytes are bad too: --repair gives its mode back, then finds the bytes bad and drops the result', async () => {
    if (as.skip !== undefined) return;
    chmodSync(object, 0o644);
    writeFileSync(object, 'tampered\n');
    chmodSync(object, 0o000);
    expect((await fsck()).report.problems.map((p) => p.problem)).toEqual(['mode']);
    const repaired = await fsck('--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.report.problems.map((p) => p.problem)).toEqual(['mode', 'corrupt']);
    expect(repaired.report.results).toBe(1);
    expect(quarantined()).toHaveLength(1);
    expect(toRun(await plan())).toHaveLength(1);
  });
});

describe('a folder of the store of mode 000', () => {
  it('fsck reports it as a mode problem (exit 1), not as missing data, and --repair gives its mode back', async () => {
    if (as.skip !== undefined) return;
    const folder = dirname(object);
    chmodSync(folder, 0o000);
    const found = await fsck();
    expect(found.code).toBe(1);
    expect(found.report.problems.map((p) => p.problem)).toEqual(['mode']);
    expect(found.report.problems[0]!.detail).toMatch(/cannot be read \(permission denied\)/);
    expect(found.report.results).toBe(0);
    const text = await as.shark('fsck', 'p.md');
    noCrash(text.stderr);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(folder);
    const repaired = await fsck('--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.report.results).toBe(0);
    expect(lstatSync(folder).mode & 0o700).toBe(0o700);
    expect(lstatSync(object).mode & 0o7777).toBe(0o444);
    expect(quarantined()).toEqual([]);
    expect(toRun(await plan())).toEqual([]);
    expect((await fsck()).code).toBe(0);
  });

  it('--repair judges the objects the folder hid once it can read them: bad bytes are quarantined', async () => {
    if (as.skip !== undefined) return;
    chmodSync(object, 0o644);
    writeFileSync(object, 'tampered\n');
    chmodSync(object, 0o444);
    chmodSync(dirname(object), 0o000);
    const repaired = await as.shark('fsck', 'p.md', '--repair');
    noCrash(repaired.stderr);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/^repaired: 1 folder of the store given its mode back; bad data quarantined, 1 result dropped/m);
    expect(quarantined()).toHaveLength(1);
    expect(toRun(await plan())).toHaveLength(1);
  });

  it('gc reports it in one line, dry run and --delete alike, and leaves what it holds', async () => {
    if (as.skip !== undefined) return;
    const folder = dirname(object);
    chmodSync(folder, 0o000);
    for (const args of [['gc', 'p.md'], ['gc', 'p.md', '--delete']]) {
      const gc = await as.shark(...args);
      noCrash(gc.stderr);
      expect(gc.code, gc.stderr).toBe(0);
      const shown = relative(rig.dir, folder);
      expect(gc.stderr).toBe(`shark: warning: cannot read ${shown}: permission denied; what it holds is neither counted nor freed (give the folder its mode back: chmod u+rwx ${shown})\n`);
    }
    chmodSync(folder, 0o755);
    expect(lstatSync(object).isFile()).toBe(true);
  });

  it('gc reports a tmp folder it cannot read, and a folder it can list but not enter', async () => {
    if (as.skip !== undefined) return;
    chmodSync(rig.path('.shark/tmp'), 0o000);
    chmodSync(dirname(object), 0o644);
    const gc = await as.shark('gc', 'p.md', '--delete');
    noCrash(gc.stderr);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stderr).toContain('cannot read .shark/tmp: permission denied');
    expect(gc.stderr).toContain(`cannot read ${relative(rig.dir, dirname(object))}: permission denied`);
    const checked = await fsck();
    expect(checked.report.problems.map((p) => p.problem)).toEqual(['mode']);
  });
});
