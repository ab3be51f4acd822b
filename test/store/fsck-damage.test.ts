import { chmodSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';
import { objectWith } from '../support/objects.js';

/**
 * Damage to an object that its bytes do not show: another mode (`chmod`),
 * or something other than a plain file in its place. `fsck` must report it
 * and `--repair` mend it; a run must not trust or trip over it.
 */

const PIPELINE = `# damage

\`\`\`shark-run
echo make >> counter; echo one > /data/single.txt
\`\`\`

\`\`\`shark-run
echo read >> counter; cat /data/single.txt > /data/copy.txt
\`\`\`

\`\`\`shark-publish
/data/copy.txt
\`\`\`
`;

interface Report {
  readonly problems: { id: string; problem: string; detail: string }[];
  readonly results: number;
}

let rig: Rig;
let object: string;
beforeEach(async () => {
  rig = new Rig('shark-fsck-damage-');
  rig.write('p.md', PIPELINE);
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  object = objectWith(rig, 'one\n');
});
afterEach(() => rig.cleanup());

async function fsck(...args: string[]): Promise<{ code: number; report: Report }> {
  const r = await rig.shark(['fsck', 'p.md', '--json', ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

describe('fsck and an object of the wrong mode', () => {
  it('reports a setuid, world-writable object, and --repair gives it its mode back without dropping anything', async () => {
    chmodSync(object, 0o4777);
    const found = await fsck();
    expect(found.code).toBe(1);
    expect(found.report.problems.map((p) => p.problem)).toEqual(['mode']);
    expect(found.report.problems[0]!.detail).toMatch(/mode 4777, not 0444/);
    const repaired = await fsck('--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.report.results).toBe(0);
    expect(lstatSync(object).mode & 0o7777).toBe(0o444);
    expect((await fsck()).code).toBe(0);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('made writable and written: --repair reports the bad bytes once, not again when it gives the mode back', async () => {
    chmodSync(object, 0o644);
    writeFileSync(object, 'other bytes\n');
    const repaired = await fsck('--repair');
    expect(repaired.report.problems.map((p) => p.problem).sort()).toEqual(['corrupt', 'mode']);
  });

  it('reports a hand chmod 666', async () => {
    chmodSync(object, 0o666);
    expect((await fsck()).report.problems[0]?.detail).toMatch(/mode 0666, not 0444/);
  });
});

describe('something other than a plain file in an object\'s place', () => {
  const replaceBy = (kind: 'link' | 'directory'): void => {
    rmSync(object);
    if (kind === 'directory') mkdirSync(object);
    else symlinkSync(rig.write('decoy.txt', 'one\n'), object);
  };

  it('fsck reports a link to a file of the same bytes, and --repair removes it so the next run stores the bytes again', async () => {
    replaceBy('link');
    const found = await fsck();
    expect(found.code).toBe(1);
    expect(found.report.problems.map((p) => p.problem)).toEqual(['corrupt']);
    expect(found.report.problems[0]!.detail).toMatch(/is a symbolic link, not a file/);
    expect((await fsck('--repair')).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(lstatSync(object).isFile()).toBe(true);
    expect(readFileSync(rig.path('decoy.txt'), 'utf8')).toBe('one\n');
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it.each(['link', 'directory'] as const)('a run without the repair replaces a %s with the good bytes', async (kind) => {
    replaceBy(kind);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.stderr).not.toMatch(/EISDIR/);
    expect(ran.code, ran.stderr).toBe(0);
    expect(lstatSync(object).isFile()).toBe(true);
    expect(rig.read('_shark/copy.txt')).toBe('one\n');
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    expect((await fsck()).code).toBe(0);
  });

  it('fsck reports a directory in an object\'s place as damage', async () => {
    replaceBy('directory');
    const found = await fsck();
    expect(found.report.problems[0]?.detail).toMatch(/is a directory, not a file/);
  });
});

describe('fsck and a directory record edited in the metadata', () => {
  it('reports a tree whose recorded entries do not hash to its id, and --repair has the next run make it again', async () => {
    rig.write('d.md', '```shark-run\nmkdir -p /data/d; echo HELLO > /data/d/x.txt; echo bye > /data/d/y.txt\n```\n\n```shark-publish\n/data/d/\n```\n');
    expect((await rig.shark(['run', 'd.md'])).code).toBe(0);
    const hex = (path: string): string => path.split('/').slice(-2).join('');
    const hello = hex(objectWith(rig, 'HELLO\n'));
    const bye = hex(objectWith(rig, 'bye\n'));
    // x.txt's entry now names y.txt's bytes: the directory would be placed and published with the wrong data.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${rig.dir}/.shark/shark.sqlite`);
    expect(db.prepare('UPDATE trees SET entries = replace(entries, ?, ?)').run(`sha256:${hello}`, `sha256:${bye}`).changes).toBe(1);
    db.close();
    const r = await rig.shark(['fsck', 'd.md', '--json']);
    expect(r.code).toBe(1);
    const found = JSON.parse(r.stdout) as Report;
    expect(found.problems).toEqual([expect.objectContaining({ problem: 'corrupt', detail: expect.stringMatching(/^directory of \/data\/d: its recorded entries hash to tree:[0-9a-f]{64}$/) })]);
    expect(found.results).toBe(1);
    expect((await rig.shark(['fsck', 'd.md', '--repair'])).code).toBe(0);
    expect((await rig.shark(['run', 'd.md'])).code).toBe(0);
    expect(rig.read('_shark/d/x.txt')).toBe('HELLO\n');
    expect((await rig.shark(['fsck', 'd.md'])).code).toBe(0);
  });
});

describe('fsck and a stray file in the objects folder', () => {
  it('is no data of the store: neither a problem nor a folder to repair', async () => {
    rig.write('.shark/objects/.DS_Store', 'finder\n');
    const r = await rig.shark(['fsck', 'p.md']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await rig.shark(['gc', 'p.md', '--delete'])).stderr).not.toContain('.DS_Store');
  });
});

describe('a store whose database was moved aside', () => {
  it('is said to hold data with nothing recording it, not to be no store', async () => {
    rmSync(rig.path('.shark/shark.sqlite'));
    rmSync(rig.path('.shark/shark.sqlite-wal'), { force: true });
    rmSync(rig.path('.shark/shark.sqlite-shm'), { force: true });
    const r = await rig.shark(['fsck', 'p.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('shark: error: .shark holds stored data but no database (shark.sqlite): nothing records what the data is, so there is nothing to check; the next run records the store afresh (and runs every job again; what it published before is no longer known as its: a publish refuses a file there that the new run would change, so move those away too)\n');
    // No store at all is still said so.
    rmSync(rig.path('.shark'), { recursive: true });
    expect((await rig.shark(['fsck', 'p.md'])).stderr).toBe('shark: error: no store at .shark\n');
  });
});
