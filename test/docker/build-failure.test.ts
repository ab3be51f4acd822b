import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, removeBuiltImages, scratch, shark, SHARK, unique } from './rig.js';

interface Summary { status: string; executed: number; failed: number; skipped: number; notStarted?: number }

/** Two environments, one whose build fails, each with a step, and a host step. */
function twoEnvs(): string {
  return `# Two envs

\`\`\`shark-build:aefail
FROM ${BASE}
RUN echo ${unique('oops')} >&2; exit 3
\`\`\`

\`\`\`shark-build:aeok
FROM ${BASE}
ENV EDITION=${unique('ok')}
\`\`\`

\`\`\`shark-run:aefail
echo x > /data/x.txt
\`\`\`

\`\`\`shark-run:aeok
echo y > /data/y.txt
\`\`\`

\`\`\`shark-run
echo host > /data/h.txt
\`\`\`
`;
}

const summaryOf = (stdout: string): Summary => (JSON.parse(stdout.trim().split('\n').at(-1)!) as { summary: Summary }).summary;

describeDocker('a build that fails', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    tmp = scratch('shark-build-failure-');
    writeFileSync(join(tmp.dir, 'two.md'), twoEnvs());
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'two.lock.json'));
    tmp.cleanup();
  });

  it('with -k, lets the other environment build and the independent steps run; its own steps are skipped', async () => {
    const r = await shark(['run', '-k', '--json', 'two.md'], tmp.dir);
    expect(r.code).toBe(1);
    expect(summaryOf(r.stdout)).toMatchObject({ status: 'failed', executed: 2, failed: 1, skipped: 1 });
    expect(existsSync(join(tmp.dir, '_shark'))).toBe(false);
    const runs = await shark(['runs', 'two.md'], tmp.dir);
    expect(runs.stdout).toMatch(/failed .* 2 run, 0 cached, 1 failed, 1 not run/);
    const text = await shark(['run', '-k', 'two.md'], tmp.dir);
    expect(text.stdout + text.stderr).toMatch(/FAILED: 0 run, 2 cached, 1 failed, 1 skipped/);
  });

  it('without -k, counts the jobs it did not run as skipped', async () => {
    const r = await shark(['run', '--json', 'two.md'], tmp.dir);
    expect(r.code).toBe(1);
    expect(summaryOf(r.stdout)).toMatchObject({ status: 'failed', executed: 0, failed: 1, skipped: 3 });
    const runs = await shark(['runs', 'two.md'], tmp.dir);
    expect(runs.stdout).toMatch(/0 run, 0 cached, 1 failed, 3 not run/);
  });

  it('counts a map of the failed environment as a map not started, not as one skipped job', async () => {
    writeFileSync(join(tmp.dir, 'two.md'), `${twoEnvs()}
\`\`\`shark-run
mkdir -p /data/in && echo a > /data/in/a.txt && echo b > /data/in/b.txt
\`\`\`

\`\`\`shark-run:aefail
cp /data/in/* /data/up/+
\`\`\`
`);
    const r = await shark(['run', '-k', '--json', 'two.md'], tmp.dir);
    expect(r.code).toBe(1);
    expect(summaryOf(r.stdout)).toMatchObject({ status: 'failed', executed: 3, failed: 1, skipped: 1, notStarted: 1 });
  });

  it('that the engine could not parse is reported at the document line, without an empty build log section', async () => {
    writeFileSync(join(tmp.dir, 'two.md'), `# p\n\n\`\`\`shark-build:aeparse\nFROM ${BASE}\n\nONBUILD FROM ${unique('x')}\n\`\`\`\n\n\`\`\`shark-run:aeparse\necho x > /data/x.txt\n\`\`\`\n`);
    const r = await shark(['run', 'two.md'], tmp.dir);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("two.md:3:1: error: building environment aeparse failed: the engine could not parse the Dockerfile at line 6: FROM isn't allowed as an ONBUILD trigger\n");
    expect(r.stdout + r.stderr).not.toContain('--- last lines of the build log:');
  }, 180_000);

  it('stopped by Ctrl-C, is reported as interrupted, not as failed', async () => {
    writeFileSync(join(tmp.dir, 'two.md'), `\`\`\`shark-build:aeslow
FROM ${BASE}
RUN sleep 25 # ${unique('slow')}
\`\`\`

\`\`\`shark-run:aeslow
echo x > /data/x.txt
\`\`\`
`);
    const child = spawn(process.execPath, [SHARK, 'run', 'two.md', '--json'], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    await new Promise<void>((building) => child.stdout.on('data', (c: Buffer) => ((out += c.toString()), out.includes('"env-build"') && building())));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    await closed;
    expect(out).not.toContain('"step-failed"');
    expect(summaryOf(out)).toMatchObject({ status: 'interrupted', failed: 0, skipped: 1 });
  });
});
