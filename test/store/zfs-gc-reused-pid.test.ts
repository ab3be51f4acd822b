import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Commands } from '../../src/store/zfs/commands.js';
import { createDataset, datasetsUnder } from './zfs-datasets.js';
import { skipZfs, zfsSuite, zfsTestFile } from './zfs-test-file.js';

/**
 * A killed run's workspace is gc's to destroy once its process is gone, even
 * when the machine has since given its pid to another process (a busy
 * machine does within minutes): the dataset records when its process
 * started, as leases and runs do. One made by an older Shark, which did not,
 * is judged by when it was made: a process started since is not its maker.
 */
const missing = await zfsTestFile();

describe.skipIf(skipZfs(missing))('gc of a ZFS workspace whose pid was given to another process', () => {
  const suite = zfsSuite('gc-pid', missing);
  const { ds, store } = suite;

  it('destroys it: pid 1 lives, but is not the process that made the dataset', async () => {
    suite.rig.write('p.md', '# P\n\n```shark-run\necho one > /data/a.txt\n```\n');
    expect((await suite.rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    // As a run killed long ago left it: its pid now another process's (init's), its start time not that one's.
    const left = `${ds}/job/ws-killed`;
    const made = await createDataset(left, { 'shark:pid': '1', 'shark:host': hostname(), 'shark:start': '1', mountpoint: 'none' });
    expect(made.ok).toBe(true);
    const dry = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    expect(dry.stdout).toMatch(/would free 1 object/);
    expect((await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete'])).code).toBe(0);
    expect(await datasetsUnder(ds, 'filesystem')).not.toContain(left);
  });

  it('leaves a dataset a user made inside a killed run\'s, which inherits its shark:pid: gc destroyed it with the run\'s (destroy -r)', async () => {
    const left = `${ds}/job/ws-holder`;
    const theirs = `${left}/mine`;
    expect((await createDataset(left, { 'shark:pid': '1', 'shark:host': hostname(), 'shark:start': '1', mountpoint: 'none' })).ok).toBe(true);
    // Made without any shark: property of its own: it inherits the run's.
    expect((await createDataset(theirs, { mountpoint: 'none' })).ok).toBe(true);
    const real = await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete']);
    expect(real.code, real.stderr).toBe(0);
    expect(await datasetsUnder(ds, 'filesystem')).toContain(theirs);
  });

  it('spares one whose process lives and started when it says', async () => {
    const mine = `${ds}/job/ws-alive`;
    const start = (await import('../../src/store/liveness.js')).ownStart();
    const made = await createDataset(mine, { 'shark:pid': String(process.pid), 'shark:host': hostname(), ...(start === null ? {} : { 'shark:start': start }), mountpoint: 'none' });
    expect(made.ok).toBe(true);
    expect((await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete'])).code).toBe(0);
    expect(await datasetsUnder(ds, 'filesystem')).toContain(mine);
  });

  const sleepers: ChildProcess[] = [];
  afterAll(() => {
    for (const c of sleepers) c.kill();
  });

  it('destroys one without shark:start (an older Shark\'s) whose pid went to a process started after it was made, as one with it', async () => {
    const cmd = Commands.find();
    if (!cmd.ok) throw new Error('zfs is not usable');
    // As a killed run left it: still mounted, something written, its read-only clone of an input beside it.
    const left = `${ds}/job/ws-old`;
    const clone = `${ds}/mnt/ws-old-1`;
    expect((await createDataset(left, { 'shark:host': hostname() })).ok).toBe(true);
    const mp = (await cmd.value.get('mountpoint', [left])).get(left)!.get('mountpoint')!;
    writeFileSync(`${mp}/half.txt`, 'half\n');
    const [input] = (await datasetsUnder(`${ds}/job`, 'snapshot'));
    await cmd.value.run('zfs', ['clone', '-o', 'readonly=on', '-o', `shark:host=${hostname()}`, input!, clone], clone);
    // Its pid given, since, to a process that started after the dataset was made.
    await new Promise((r) => setTimeout(r, 3_000));
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    sleepers.push(sleeper);
    for (const d of [left, clone]) await cmd.value.run('zfs', ['set', `shark:pid=${sleeper.pid}`, d], d);

    const dry = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    expect(dry.stdout).toMatch(/^would remove 1 working folder left by killed runs, /m);
    const real = await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete']);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/^removed 1 working folder left by killed runs, /m);
    const after = await datasetsUnder(ds, 'filesystem');
    expect(after).not.toContain(left);
    expect(after).not.toContain(clone);
  });

  it('spares one without shark:start whose process lives and was there when it was made', async () => {
    const mine = `${ds}/job/ws-old-alive`;
    // This test's process started before the dataset was made: it may be what made it.
    const made = await createDataset(mine, { 'shark:pid': String(process.pid), 'shark:host': hostname() });
    expect(made.ok).toBe(true);
    const dry = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    expect(dry.stdout).not.toMatch(/working folder/);
    expect((await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete'])).code).toBe(0);
    expect(await datasetsUnder(ds, 'filesystem')).toContain(mine);
  });
});
