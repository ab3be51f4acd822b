import { chmodSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';
import { FakeServer } from './fake-server.js';

/**
 * A run that must pin an import writes the lock file beside the document:
 * where it may not, that is said before anything runs (exit 2, at the
 * import), not after the download, as a failed import. An import already
 * pinned asks for no write: it runs in a read-only directory.
 */

let server: FakeServer;
let rig: Rig;
beforeEach(async () => {
  server = await FakeServer.start();
  rig = new Rig('shark-lock-unwritable-');
});
afterEach(async () => {
  chmodSync(rig.dir, 0o777);
  await server.close();
  rig.cleanup();
});

const env = { SHARK_HTTP_BACKOFF_MS: '10' };

function project(): void {
  const url = server.file('/files/table.csv', 'a,b\n1,2\n', 'text/csv');
  rig.write('p.md', `# p\n\n\`\`\`shark-import\n${url} /data/table.csv\n\`\`\`\n\n\`\`\`shark-run\necho ran >> ${rig.path('counter')}; wc -l < /data/table.csv > /data/n.txt\n\`\`\`\n`);
}

describe('the lock file where Shark may not write', () => {
  it('refuses a run that must pin an import before fetching anything, exit 2', async () => {
    const { skip, options } = unprivileged(rig);
    if (skip !== undefined) return;
    const shark = (...args: string[]) => rig.shark(args, { ...options, env: { ...options.env, ...env } });
    project();
    expect((await shark('plan', 'p.md')).code).toBe(0); // makes the store
    chmodSync(rig.dir, 0o555);
    const message = `p.md:4:1: error: cannot pin this import in the lock file p.lock.json: cannot write in ${rig.dir}: permission denied`;
    const ran = await shark('run', 'p.md');
    noCrash(ran.stderr);
    expect(ran.stderr).toContain(message);
    expect(ran.code).toBe(2);
    // A plan pins nothing: it is made, with what run would stop on as a warning.
    const planned = await shark('plan', 'p.md');
    expect(planned.stderr).toContain(message.replace(': error: ', ': warning: '));
    expect(planned.code).toBe(0);
    expect(server.requests.filter((r) => r.method === 'GET')).toEqual([]);
    expect(rig.count()).toBe(0);
  });

  it('runs an import already pinned again (--force) in a directory it may not write in', async () => {
    const { skip, options } = unprivileged(rig);
    if (skip !== undefined) return;
    const shark = (...args: string[]) => rig.shark(args, { ...options, env: { ...options.env, ...env } });
    project();
    const first = await shark('run', 'p.md');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    chmodSync(rig.dir, 0o555);
    const ran = await shark('run', 'p.md', '--force', 'p');
    noCrash(ran.stderr);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  });
});
