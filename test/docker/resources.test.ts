import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { containerSpec } from '../../src/exec/docker/docker-executor.js';
import { JOB_CAPABILITIES, JOB_PIDS_LIMIT } from '../../src/exec/docker/confinement.js';
import { BASE, describeDocker, dockerCli, removeBuiltImages, request, scratch, shark } from './rig.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The CPU quota and memory limit as the job's own cgroup shows them, cgroup v2 or v1, and SHARK_THREADS. */
const PROBE = [
  'if [ -f /sys/fs/cgroup/cpu.max ]; then cpu=$(cat /sys/fs/cgroup/cpu.max); else cpu="$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"; fi',
  'if [ -f /sys/fs/cgroup/memory.max ]; then mem=$(cat /sys/fs/cgroup/memory.max); else mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); fi',
].join('; ');

const probe = (out: string): string => `${PROBE}; echo "cpu=$cpu mem=$mem threads=$SHARK_THREADS" > ${out}`;

/** cpu=QUOTA PERIOD as CPUs, or 'none'. */
function cpus(line: string): string {
  const m = /cpu=(\S+) (\d+)/.exec(line)!;
  return m[1] === 'max' || m[1] === '-1' ? 'none' : String(Number(m[1]) / Number(m[2]));
}

describeDocker('{threads} and {memory} in containers', (client) => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is not built: run `npx tsc -p tsconfig.json` (npm test does)');
    tmp = scratch('shark-docker-resources-');
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  it('limits CPUs and memory as declared, sets SHARK_THREADS, and leaves an undeclared job unlimited', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), `# limits

\`\`\`shark-build:box
FROM ${BASE}
\`\`\`

\`\`\`shark-run:box {threads=2, memory=64M}
${probe('/data/declared.txt')}
\`\`\`

\`\`\`shark-run:box {threads=all}
${probe('/data/all.txt')}
\`\`\`

\`\`\`shark-run:box
${probe('/data/plain.txt')}
\`\`\`

\`\`\`shark-publish
/data/declared.txt
/data/all.txt
/data/plain.txt
\`\`\`
`);
    const ran = await shark(['run', 'p.md', '-j', '3'], tmp.dir);
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    const read = (name: string): string => readFileSync(join(tmp.dir, '_shark', name), 'utf8').trim();
    const declared = read('declared.txt');
    expect(cpus(declared)).toBe('2');
    expect(declared).toContain(`mem=${64 * 2 ** 20} `);
    expect(declared).toMatch(/threads=2$/);
    const all = read('all.txt');
    // All 3 slots; the engine refuses a limit above its own CPUs.
    expect(cpus(all)).toBe(String(Math.min(3, Number(dockerCli('info', '--format', '{{.NCPU}}')))));
    expect(all).toMatch(/threads=3$/);
    const plain = read('plain.txt');
    expect(cpus(plain)).toBe('none');
    expect(plain).not.toContain(`mem=${64 * 2 ** 20} `);
    expect(plain).toMatch(/threads=1$/);
  });

  it('keeps the confinement beside the limits', async () => {
    const req = { ...request(tmp.dir, { script: 'true' }), cpus: 2, memory: 64 * 2 ** 20 };
    const image = (await client.imageId(BASE))!;
    const spec = containerSpec(req, image, undefined);
    expect(spec).toMatchObject({ cpus: 2, memory: 64 * 2 ** 20, capabilities: JOB_CAPABILITIES, pidsLimit: JOB_PIDS_LIMIT, network: false });
  });

  it('says a job killed for going over {memory} went over it, not only that a signal killed it', async () => {
    writeFileSync(join(tmp.dir, 'm.md'), `# oom

\`\`\`shark-build:box
FROM ${BASE}
\`\`\`

\`\`\`shark-run:box {memory=8M}
x=$(head -c 50000000 /dev/zero | tr '\\0' a); echo \${#x} > /data/n.txt
\`\`\`
`);
    const ran = await shark(['run', 'm.md', '--json'], tmp.dir);
    expect(ran.code).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { message: string; reason: string });
    // The engine's own word when it gives it in time (see oom-report.test.ts), else the limit as the likely cause.
    expect(failed).toMatchObject([{ message: expect.stringMatching(/(went|going) over its memory limit \(memory=8M\)/), reason: 'signal' }]);
  });
});
