import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/** Two independent blocks (targets pick one) in a pool (shark.yaml may size it). */
const DOC = `---
pools: {db: 1}
---

${fence}shark-run {id=a, pool=db}
echo a >> counter; echo a > /data/a.txt
${fence}

${fence}shark-run {id=b, pool=db}
echo b >> counter; echo b > /data/b.txt
${fence}
`;

interface Setting {
  name: string;
  value: unknown;
  from: string;
  at?: string;
}

describe('shark.yaml sets the options of targets, --force, --pool, --memory and --secrets', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', DOC);
  });
  afterEach(() => rig.cleanup());

  async function settings(...args: string[]): Promise<Map<string, Setting>> {
    const r = await rig.shark(['config', 'p.md', '--json', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return new Map((JSON.parse(r.stdout) as { settings: Setting[] }).settings.map((s) => [s.name, s]));
  }

  it('shows each from shark.yaml, and the command line over it', async () => {
    rig.write('shark.yaml', 'pools:\n  db: 2\nmemory: 2G\nsecrets: s.env\nforce: a\ntargets: [/data/a.txt]\n');
    // Secrets files that exist: `config` refuses an unreadable one as `run` does.
    rig.write('s.env', 'TOKEN=x\n');
    rig.write('other.env', 'TOKEN=y\n');
    const fromConfig = await settings();
    expect(fromConfig.get('pools.db')).toEqual({ name: 'pools.db', value: 2, from: 'config', at: 'shark.yaml:2' });
    expect(fromConfig.get('memory')).toEqual({ name: 'memory', value: '2G', from: 'config', at: 'shark.yaml:3' });
    expect(fromConfig.get('secrets')).toEqual({ name: 'secrets', value: 's.env', from: 'config', at: 'shark.yaml:4' });
    expect(fromConfig.get('force')).toEqual({ name: 'force', value: ['a'], from: 'config', at: 'shark.yaml:5' });
    expect(fromConfig.get('targets')).toEqual({ name: 'targets', value: ['/data/a.txt'], from: 'config', at: 'shark.yaml:6' });
    const over = await settings('--pool', 'db=3', '--memory', '1G', '--secrets', 'other.env', '--force', 'b');
    expect(over.get('pools.db')).toEqual({ name: 'pools.db', value: 3, from: 'command line', at: '--pool' });
    expect(over.get('memory')).toEqual({ name: 'memory', value: '1G', from: 'command line', at: '--memory' });
    expect(over.get('secrets')).toEqual({ name: 'secrets', value: 'other.env', from: 'command line', at: '--secrets' });
    expect(over.get('force')).toEqual({ name: 'force', value: ['b'], from: 'command line', at: '--force' });
  });

  it('targets: and force: in shark.yaml change what plan runs; targets on the command line replace them', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('shark.yaml', 'targets: [/data/a.txt]\nforce: [a]\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.map((j) => [j.job, j.status, j.reasons])).toEqual([['a', 'run', ['forced (--force)']]]);
    const other = await rig.plan('p.md', 'b');
    expect(other.jobs.map((j) => [j.job, j.status])).toEqual([['b', 'cached']]);
  });

  it('a ZFS store name run would refuse is refused by config too, wherever it was given', async () => {
    const says = (spec: string): string => `shark: error: cannot open the store ${spec}: ${spec} is no ZFS dataset name: expected zfs:POOL/DATASET, each part letters, digits, '_', '-', ':' and '.', and none . or ..\n`;
    for (const spec of ['zfs:', 'zfs:tank']) {
      const r = await rig.shark(['config', 'p.md', '--store', spec]);
      expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 2, stderr: says(spec), stdout: '' });
    }
    rig.write('shark.yaml', 'store: zfs:tank\n');
    const r = await rig.shark(['config', 'p.md']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: says('zfs:tank') });
  });

  it('a pool size and a memory budget from shark.yaml reach the run; a bad one is located in shark.yaml', async () => {
    rig.write('shark.yaml', 'pools:\n  db: 1\nmemory: 1G\n');
    const r = await rig.shark(['run', 'p.md']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(rig.lines().sort()).toEqual(['a', 'b']);
    rig.write('shark.yaml', 'memory: lots\n');
    const bad = await rig.shark(['run', 'p.md']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('shark.yaml:1:9: error: `memory` must be a size such as 64G or 512M, from 6M to 8192T, not `lots`');
  });
});
