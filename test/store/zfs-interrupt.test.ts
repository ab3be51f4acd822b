import { chmodSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { destroyDataset } from './zfs-datasets.js';
import { makeSuiteDataset, skipZfs, suiteDataset, zfsTestFile } from './zfs-test-file.js';

/**
 * Ctrl-C while a ZFS store is placing a job's inputs: a store command that
 * fails because the run is being interrupted must not be reported as the
 * store failing. The job was interrupted: it is skipped as such, the run
 * exits 130, and the next run runs it.
 */
const missing = await zfsTestFile();

const PIPELINE = `# Interrupted while mounting

## Make

\`\`\`shark-run
echo made > /data/a.txt
\`\`\`

## Read

\`\`\`shark-run
echo read >> counter; cat /data/a.txt > /data/b.txt
\`\`\`
`;

const MOUNT = ['/usr/bin/mount', '/bin/mount'].find((p) => existsSync(p)) ?? 'mount';

/** The first `mount` Shark runs presses Ctrl-C (SIGINT to Shark) and fails as it ends; later ones are the real mount. */
const FAKE_MOUNT = `#!/bin/sh
if mkdir "$SHARK_TEST_MARK" 2>/dev/null; then
  kill -INT "$PPID"; sleep 0.5; echo "mount: interrupted" >&2; exit 1
fi
exec ${MOUNT} "$@"
`;

describe.skipIf(skipZfs(missing))('Ctrl-C during a ZFS store command', () => {
  const ds = suiteDataset('int');
  const store = `zfs:${ds}`;
  let rig: Rig;

  beforeAll(async () => {
    await makeSuiteDataset(ds, missing);
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    chmodSync(rig.write('bin/mount', FAKE_MOUNT), 0o755);
  });
  afterAll(async () => {
    rig?.cleanup();
    await destroyDataset(ds);
  });

  it('reports the job being set up as interrupted, not as a store failure', async () => {
    const env = { PATH: `${rig.path('bin')}:${process.env['PATH'] ?? ''}`, SHARK_TEST_MARK: rig.path('pressed') };
    const run = await rig.shark(['run', 'p.md', '--store', store, '--json', '-j', '1'], { env });
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; job?: string; reason?: string });
    expect(rig.exists('pressed')).toBe(true);
    expect(events.filter((e) => e.type === 'job-failed')).toEqual([]);
    expect(events.filter((e) => e.type === 'job-skipped').map((e) => [e.job, e.reason])).toEqual([['read', 'interrupted']]);
    expect(run.code).toBe(130);
    expect(rig.count()).toBe(0);

    const again = await rig.shark(['run', 'p.md', '--store', store], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(rig.lines()).toEqual(['read']);
  }, 120_000);
});
