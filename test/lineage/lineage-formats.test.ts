import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';
import { EDITED, normalise, PIPELINE } from './ask-fixture.js';

type Node = { job: string; inputs: { path: string; from: Node[]; truncated?: boolean }[] };

describe('shark lineage --run, --depth, --format', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', EDITED);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('draws the lineage as a mermaid flowchart (jobs and files)', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--format', 'mermaid']);
    expect(ran.code).toBe(0);
    expectGolden('lineage-queries/report.mmd', normalise(ran.stdout, rig));
  });

  it('shows an earlier run with --run, and keeps --json as --format json', async () => {
    const latest = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/sum.txt', '--json'])).stdout) as { outputs: Record<string, string> };
    const first = await rig.shark(['lineage', 'p.md', '/data/sum.txt', '--run', '1', '--format', 'json']);
    expect(first.code).toBe(0);
    const old = JSON.parse(first.stdout) as { outputs: Record<string, string> };
    expect(old.outputs['/data/sum.txt']).not.toBe(latest.outputs['/data/sum.txt']);
    const text = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--run', '1']);
    expectGolden('lineage-queries/report-run1.txt', normalise(text.stdout, rig));
  });

  it('stops at --depth N, marking the inputs it did not follow', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--depth', '1', '--json']);
    expect(ran.code).toBe(0);
    const tree = JSON.parse(ran.stdout) as Node;
    expect(tree.inputs[0]!.from.map((n) => n.job)).toEqual(['sum']);
    expect(tree.inputs[0]!.from[0]!.inputs[0]).toMatchObject({ path: '/data/numbers.txt', from: [], truncated: true });
    const text = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--depth', '0']);
    expect(text.stdout).toContain('← /data/sum.txt');
    expect(text.stdout).toContain('(not followed: --depth 0)');
    expect(text.stdout).not.toContain('$ tr');
  });

  it('marks in mermaid the inputs --depth did not follow', async () => {
    const cut = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--depth', '0', '--format', 'mermaid']);
    expect(cut.code).toBe(0);
    const lines = cut.stdout.split('\n');
    const marker = lines.find((l) => l.includes('not followed'));
    expect(marker, cut.stdout).toMatch(/^ {2}(n\d+)\{\{"producers not followed<br\/><small>--depth 0<\/small>"\}\}$/);
    const markerId = /n\d+/.exec(marker!)![0];
    const sum = /^ {2}(n\d+)\[\("\/data\/sum\.txt/m.exec(cut.stdout)![1];
    expect(lines).toContain(`  ${markerId} -.-> ${sum}`);
    expect(cut.stdout).not.toContain('sum<br/>');
    const whole = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--format', 'mermaid']);
    expect(whole.stdout).not.toContain('not followed');
  });

  it('refuses a run of another pipeline or a bad depth (exit 2)', async () => {
    expect((await rig.shark(['lineage', 'p.md', '/data/report.txt', '--run', '99'])).code).toBe(2);
    expect((await rig.shark(['lineage', 'p.md', '/data/report.txt', '--depth', '-1'])).code).toBe(2);
    expect((await rig.shark(['lineage', 'p.md', '/data/report.txt', '--format', 'dot'])).code).toBe(2);
  });

  it('given the file a publish block wrote, names the /data path it publishes there (exit 2), for lineage, attest, verify and sign', async () => {
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    const hint = 'shark: error: `_shark/report.txt` is not a /data/... path: p.md publishes /data/report.txt there (`shark why _shark/report.txt` asks where the bytes on disk came from)\n';
    for (const args of [['lineage'], ['attest'], ['verify', '--key', 'k.pub'], ['sign', '--key', 'k.key']]) {
      const ran = await rig.shark([args[0]!, 'p.md', '_shark/report.txt', ...args.slice(1)]);
      expect([ran.code, ran.stdout, ran.stderr]).toEqual([2, '', hint]);
    }
    // A file on disk no publish block wrote: `why` is what asks of it.
    const other = await rig.shark(['lineage', 'p.md', 'p.md']);
    expect([other.code, other.stderr]).toEqual([2, 'shark: error: `p.md` is not a /data/... path (`shark why p.md` asks where the bytes of a file on disk came from)\n']);
    expect((await rig.shark(['lineage', 'p.md', 'nothing.txt'])).stderr).toBe('shark: error: `nothing.txt` is not a /data/... path\n');
  });
});

describe('shark lineage of a step after `export` and `cd` lines', () => {
  it('shows the command as it ran: the export and the cd its relative paths need', async () => {
    const rig = new Rig();
    try {
      rig.write('f/apple.txt', 'a\n');
      rig.write('d.md', '---\ninputs:\n  fruits: /data/fruits/\n---\n```shark-run\nexport LC_ALL=C\ncd /data/fruits/\ncat * > /data/all.txt\n```\n');
      expect((await rig.shark(['run', 'd.md', '-i', 'fruits=f'])).code).toBe(0);
      const node = JSON.parse((await rig.shark(['lineage', 'd.md', '/data/all.txt', '--json'])).stdout) as { command: string };
      expect(node.command).toBe('export LC_ALL=C\ncd /data/fruits/\ncat * > /data/all.txt');
    } finally {
      rig.cleanup();
    }
  });
});

describe('shark lineage --json of a host input', () => {
  it('marks it `"input": true`, as the text marks it (input)', async () => {
    const rig = new Rig();
    try {
      rig.write('mine.txt', 'abc\n');
      rig.write('p.md', '---\ninputs:\n  src: /data/src.txt\n---\n```shark-run\ntr a-z A-Z < /data/src.txt > /data/up.txt\n```\n\n```shark-run\ncat /data/up.txt > /data/copy.txt\n```\n');
      expect((await rig.shark(['run', 'p.md', '-i', 'src=mine.txt'])).code).toBe(0);
      const text = await rig.shark(['lineage', 'p.md', '/data/copy.txt']);
      expect(text.stdout).toMatch(/← \/data\/src\.txt {2}\S+.*\(input\)/);
      expect(text.stdout).not.toMatch(/← \/data\/up\.txt.*\(input\)/);
      type Input = { path: string; input?: boolean; from: { inputs: Input[] }[] };
      const node = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/copy.txt', '--json'])).stdout) as { inputs: Input[] };
      const up = node.inputs[0]!;
      expect(up.path).toBe('/data/up.txt');
      expect(up.input).toBeUndefined();
      expect(up.from[0]!.inputs[0]).toMatchObject({ path: '/data/src.txt', from: [], input: true });
    } finally {
      rig.cleanup();
    }
  });
});
