import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Rig, toRun } from '../support/rig.js';

/**
 * A host job's inputs are hard links to the store's objects: one that
 * writes through its link must fail with `modified-input` and never be
 * cached, however it writes and whoever checks first. The paths go through
 * a variable (`F=/data/g.txt; chmod u+w $F`): named in the command, a
 * `chmod` of another step's output is refused when the document is read.
 */

const fence = '```';
const pipeline = (writer: string, reader?: string): string => `# d

${fence}shark-run
echo original > /data/g.txt
${fence}

## culprit

${fence}shark-run
${writer}
${fence}
${reader === undefined ? '' : `
## innocent

${fence}shark-run
${reader}
${fence}
`}`;

interface Failed {
  readonly type: string;
  readonly job: string;
  readonly reason: string;
  readonly message: string;
}

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-modified-')));
afterEach(() => rig.cleanup());

async function failures(args: string[]): Promise<Failed[]> {
  const ran = await rig.shark(['run', 'p.md', '--json', ...args]);
  expect(ran.code, ran.stderr).toBe(1);
  return ran.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Failed).filter((e) => e.type === 'job-failed');
}

describe('a host job writing through its input', () => {
  it('is caught when it puts the modification time back but the size changed', async () => {
    rig.write('p.md', pipeline(`F=/data/g.txt; touch -r $F ${rig.path('saved')}; chmod u+w $F; echo more >> $F; touch -r ${rig.path('saved')} $F; chmod a-w $F; cat $F > /data/copy.txt`));
    const failed = await failures([]);
    expect(failed.map((f) => [f.job, f.reason])).toEqual([['culprit', 'modified-input']]);
    expect(toRun(await rig.plan('p.md'))).toEqual(['d', 'culprit']);
  });

  it('fails, and is not cached, when it replaces its input with a file of its own (sed -i through a function), whose change would be lost', async () => {
    rig.write('p.md', pipeline("edit() { sed -i \"$@\"; }; edit 's/original/edited/' /data/g.txt"));
    const failed = await failures([]);
    expect(failed.map((f) => [f.job, f.reason])).toEqual([['culprit', 'modified-input']]);
    expect(failed[0]!.message).toMatch(/^its input \/data\/g\.txt was replaced by another file \(as `sed -i`/);
    // The store is sound: the writer stays cached, the culprit runs again.
    expect(toRun(await rig.plan('p.md'))).toEqual(['culprit']);
  });

  it('fails, and is not cached, when a job reading the same data at the same time checked it first', async () => {
    rig.write('p.md', pipeline(
      'F=/data/g.txt; chmod u+w $F; echo HACKED >> $F; sleep 2; wc -c < /data/g.txt > /data/culprit.txt',
      'sleep 0.5; cat /data/g.txt > /data/innocent.txt',
    ));
    const failed = await failures(['-k', '-j', '2']);
    expect(failed.find((f) => f.job === 'culprit')?.reason).toBe('modified-input');
    // The reader saw damaged data: it fails too, without being blamed for the write.
    const innocent = failed.find((f) => f.job === 'innocent');
    expect(innocent?.reason).toBe('modified-input');
    expect(innocent?.message).not.toMatch(/the job modified/);
    expect(innocent?.message).toContain('/data/g.txt');
    expect(toRun(await rig.plan('p.md'))).toEqual(['d', 'culprit', 'innocent']);
  });
});

describe('a host job changing the mode of its input', () => {
  it('fails as modified-input, and the object keeps its stored mode for the next run', async () => {
    rig.write('p.md', `# c

${fence}shark-run
printf '#!/bin/sh\\necho hello\\n' > /data/tool.sh && chmod +x /data/tool.sh
${fence}

## chmodder

${fence}shark-run
T=/data/tool.sh; chmod a-x $T; wc -c < /data/tool.sh > /data/size.txt
${fence}

## user

${fence}shark-run
/data/tool.sh > /data/out.txt
${fence}

${fence}shark-publish
/data/out.txt
${fence}
`);
    const failed = await failures(['-j', '1']);
    expect(failed.find((f) => f.job === 'chmodder')?.reason).toBe('modified-input');
    expect(failed.find((f) => f.job === 'chmodder')?.message).toMatch(/the mode of its input \/data\/tool.sh was changed/);
    const objects = rig.path('.shark/objects');
    const modes = readdirSync(objects).flatMap((p) => readdirSync(join(objects, p)).map((n) => [n.endsWith('.x'), statSync(join(objects, p, n)).mode & 0o7777]));
    for (const [exec, mode] of modes) expect(mode).toBe(exec ? 0o555 : 0o444);
    // Once the chmod is gone, the tool runs from the store as it was stored.
    rig.write('p.md', rig.read('p.md').replace('chmod a-x $T; ', ''));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('_shark/out.txt')).toBe('hello\n');
  });

  it('fails when it makes its input setuid and world-writable', async () => {
    rig.write('p.md', pipeline('G=/data/g.txt; chmod 4777 $G; wc -c < /data/g.txt > /data/count.txt'));
    const failed = await failures([]);
    expect(failed.map((f) => [f.job, f.reason])).toEqual([['culprit', 'modified-input']]);
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
  });
});

describe('a later job given data an earlier job of the run changed', () => {
  it('says the data was discarded because of that job, not that the store lost it', async () => {
    // The reader waits for a slow step that runs beside the culprit: it is given g.txt after the culprit's check.
    rig.write('p.md', `# d

${fence}shark-run
echo original > /data/g.txt
${fence}

## slow

${fence}shark-run
sleep 2; echo slow > /data/slow.txt
${fence}

## culprit

${fence}shark-run
cat /data/g.txt > /data/a.txt; sh -c 'echo more >> "$1"' _ /data/g.txt
${fence}

## innocent

${fence}shark-run
cat /data/g.txt /data/slow.txt > /data/c.txt
${fence}
`);
    const failed = await failures(['-k', '-j', '2']);
    expect(failed.find((f) => f.job === 'culprit')?.reason).toBe('modified-input');
    const later = failed.find((f) => f.job === 'innocent');
    expect(later?.message).toMatch(/the stored data of \/data\/g.txt was discarded: job culprit of this run changed it in place.*the next run recomputes it/);
    expect(later?.message).not.toMatch(/fsck/);
  });
});
