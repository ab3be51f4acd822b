import Database from 'better-sqlite3';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

describe('keys and names the store gets right', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('sees a changed input whose size and mtime were put back (ctime cannot be)', async () => {
    rig.write('in.txt', 'aaaa\n');
    rig.write('p.md', `---\ninputs:\n  src: /data/in.txt\n---\n# c\n\n\`\`\`shark-run\ntr a b < /data/in.txt > /data/out.txt\n\`\`\`\n`);
    expect((await rig.shark(['run', 'p.md', '-i', 'src=in.txt'])).code).toBe(0);
    const before = statSync(rig.path('in.txt'));
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(rig.path('in.txt'), 'cccc\n');
    utimesSync(rig.path('in.txt'), before.atime, before.mtime);
    const plan = await rig.plan('p.md', '-i', 'src=in.txt');
    expect(toRun(plan)).toEqual(['c']);
    expect(plan.jobs[0]!.reasons[0]).toMatch(/^input \/data\/in\.txt changed/);
  });

  it('sees a map input changed between plans that found its directory unchanged (its fingerprint), and one added', async () => {
    for (let i = 0; i < 5; i++) rig.write(`items/${i}.txt`, `item ${i}\n`);
    // A whole second, which the rewrite below puts back exactly.
    utimesSync(rig.path('items/2.txt'), 1_700_000_000, 1_700_000_000);
    // Files changed in the last two seconds are never trusted on their stat: let these settle.
    await new Promise((r) => setTimeout(r, 2100));
    rig.write('p.md', `---\ninputs:\n  items: /data/items/\n---\n# m\n\n\`\`\`shark-run\ntr a-z A-Z < /data/items/* > /data/up/+\n\`\`\`\n`);
    expect((await rig.shark(['run', 'p.md', '-i', 'items=items'])).code).toBe(0);
    // The first plan remembers the directory by its fingerprint, the second answers from it.
    for (let n = 0; n < 2; n++) expect(toRun(await rig.plan('p.md', '-i', 'items=items'))).toEqual([]);
    const db = new Database(rig.path('.shark/shark.sqlite'), { readonly: true });
    expect(db.prepare('SELECT path FROM stat_dirs').all()).toEqual([{ path: rig.path('items') }]);
    db.close();
    writeFileSync(rig.path('items/2.txt'), 'ITEM 2\n');
    utimesSync(rig.path('items/2.txt'), 1_700_000_000, 1_700_000_000);
    // Settled too: only its change time says it changed, and the directory's fingerprint has it.
    await new Promise((r) => setTimeout(r, 2100));
    const items = async (): Promise<(string | undefined)[]> =>
      (await rig.plan('p.md', '-i', 'items=items')).jobs.filter((j) => j.status === 'run').map((j) => j.item).sort();
    expect(await items()).toEqual(['2.txt']);
    rig.write('items/5.txt', 'item 5\n');
    expect(await items()).toEqual(['2.txt', '5.txt']);
  });

  it('gives map items that differ only in characters a file name cannot hold their own logs', async () => {
    rig.write('p.md', `# l\n\n\`\`\`shark-run\nmkdir -p /data/names && touch '/data/names/a b' /data/names/a_b '/data/names/a:b'\n\`\`\`\n\n\`\`\`shark-run\necho "item $(basename /data/names/*)" && cp /data/names/* /data/copies/+\n\`\`\`\n`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const logs = (await rig.shark(['logs', 'p.md', 'l-2'])).stdout;
    expect(logs).toContain('item a b');
    expect(logs).toContain('item a_b');
    expect(logs).toContain('item a:b');
    const dir = rig.path('.shark/logs/1');
    expect(readdirSync(dir).filter((f) => f.startsWith('l-2')).length).toBe(3);
  });

  it('stores a link a host job makes to its own /data relative to /data, so it resolves in the next job and is cached', async () => {
    rig.write('p.md', `# s\n\n\`\`\`shark-run\necho hello > /data/a.txt && ln -s /data/a.txt /data/link.txt\n\`\`\`\n\n\`\`\`shark-run\ncat /data/link.txt /data/a.txt > /data/both.txt\n\`\`\`\n\n\`\`\`shark-publish\n/data/both.txt\n\`\`\`\n`);
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code).toBe(0);
    expect(rig.read('_shark/both.txt')).toBe('hello\nhello\n');
    const plan = await rig.shark(['plan', 'p.md', '--json']);
    const outputs = (JSON.parse(plan.stdout) as { jobs: { outputs?: Record<string, string> }[] }).jobs[0]!.outputs!;
    expect(outputs['/data/link.txt']).toBe('link:/data/a.txt');
    expect(toRun(JSON.parse(plan.stdout) as Parameters<typeof toRun>[0])).toEqual([]);
    // A link to a host path is kept as data: its value, never what it points to.
    rig.write('q.md', `# h\n\n\`\`\`shark-run\nln -s /etc/hostname /data/host.txt\n\`\`\`\n`);
    expect((await rig.shark(['run', 'q.md'])).code).toBe(0);
    const q = JSON.parse((await rig.shark(['plan', 'q.md', '--json'])).stdout) as { jobs: { outputs?: Record<string, string> }[] };
    expect(q.jobs[0]!.outputs!['/data/host.txt']).toBe('link:/etc/hostname');
  });
});
