import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A directory of `n` files each run of its own content writes: `n` objects the next version leaves to gc. */
const pipeline = (version: string, n: number): string =>
  `# gc\n\n\`\`\`shark-run\nmkdir /data/d && cd /data/d && awk 'BEGIN { for (i = 0; i < ${n}; i++) { f = "f" i; print "${version}", i > f; close(f) } }'\n\`\`\`\n`;

const FILES = 1500;

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-gc-interrupt-');
});
afterEach(() => rig.cleanup());

/** How many objects gc has marked freed: it marks them all just before it removes the first. */
function marked(): number {
  const db = new Database(rig.path('.shark/shark.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) FROM freed').pluck().get() as number;
  } finally {
    db.close();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  it(`${signal} while gc --delete removes objects stops it in one line, exit 130, the store consistent and no lease left (it exited silently)`, async () => {
    rig.write('p.md', pipeline('v1', FILES));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', pipeline('v2', FILES));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const gc = rig.start(['gc', 'p.md', '--delete']);
    for (let i = 0; i < 2000 && marked() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    gc.process.kill(signal);
    const ran = await gc.ended;
    expect(ran.code, ran.stderr).toBe(130);
    const said = /^shark: interrupted: gc stopped after freeing (\d+) objects?, [\d.]+ MB; the store is consistent, and gc --delete frees what is left\n$/.exec(ran.stderr);
    expect(said, ran.stderr).not.toBeNull();
    const freed = Number(said![1]);
    expect(freed).toBeLessThan(FILES);
    expect(ran.stdout).toBe('');
    const fsck = await rig.shark(['fsck', 'p.md']);
    expect(fsck.code, fsck.stdout + fsck.stderr).toBe(0);
    const again = await rig.shark(['gc', 'p.md', '--delete']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('lease');
    expect(again.stdout).toContain(`freed ${FILES - freed} objects,`);
    expect((await rig.plan('p.md')).summary).toEqual({ cached: 1, run: 0, blocked: 0 });
  }, 120_000);
}
