import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, removeBuiltImages, scratch, shark, unique } from './rig.js';

/** A build block `tools` of environment `bb` (line 3) and a step run in it. */
function document(run: string): string {
  return `## Tools

\`\`\`shark-build:bb
FROM ${BASE}
RUN ${run}
\`\`\`

## Use

\`\`\`shark-run:bb
echo hi > /data/hi.txt
\`\`\`
`;
}

interface Event { type: string; log?: string; summary?: { failures: { job: string; log: string | null }[]; builds?: { env: string; block: string; status: string; log: string; image?: string }[] } }

const events = (stdout: string): Event[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);

describeDocker("a build's log", () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    tmp = scratch('shark-build-logs-');
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'b.lock.json'));
    tmp.cleanup();
  });

  it('of a failed build is kept in the run, named by run, and shown by shark logs for its block', async () => {
    const said = unique('building-step-output');
    writeFileSync(join(tmp.dir, 'b.md'), document(`echo ${said} && false`));
    const r = await shark(['run', '--json', 'b.md'], tmp.dir);
    expect(r.code).toBe(1);
    const failed = events(r.stdout).find((e) => e.type === 'step-failed')!;
    expect(failed.log).toMatch(/\.shark\/logs\/1\/bb\.build\.log$/);
    expect(readFileSync(failed.log!, 'utf8')).toContain(`${said}\n`);
    const summary = events(r.stdout).at(-1)!.summary!;
    expect(summary.failures).toEqual([expect.objectContaining({ job: 'bb', log: failed.log })]);
    expect(summary.builds).toEqual([{ env: 'bb', block: 'tools', line: 3, status: 'failed', log: failed.log }]);

    const logs = await shark(['logs', 'b.md', 'tools'], tmp.dir);
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain(`==> tools (build bb, failed, line 3) ${failed.log}\n`);
    expect(logs.stdout).toMatch(/Step 2\/\d+ : RUN echo/);
    expect(logs.stdout).toContain(`${said}\n`);
    // As the run named it (`FAILED bb`).
    expect((await shark(['logs', 'b.md', 'bb'], tmp.dir)).stdout).toBe(logs.stdout);
    const all = await shark(['logs', 'b.md'], tmp.dir);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(logs.stdout);

    const text = await shark(['run', 'b.md'], tmp.dir);
    expect(text.stdout + text.stderr).toContain(`\n  log: ${failed.log.replace('/1/', '/2/')}\n`);
  });

  it("of a failed build hides the document's secrets wherever the build's output reaches: the run's tail, --json and the log file", async () => {
    const value = unique('hunter');
    writeFileSync(join(tmp.dir, 'token.txt'), `${value}\n`);
    writeFileSync(join(tmp.dir, 'sec.env'), `TOKEN=${value}\n`);
    // The secret reaches the build through a copied file: a build is given no secrets, but may still print one.
    const failing = document('echo "token is $(cat /t)"; exit 3').replace(`FROM ${BASE}\n`, `FROM ${BASE}\nCOPY token.txt /t\n`);
    writeFileSync(join(tmp.dir, 'b.md'), `---\nsecrets: [TOKEN]\n---\n${failing}`);
    const text = await shark(['run', 'b.md', '--secrets', 'sec.env'], tmp.dir);
    expect(text.code).toBe(1);
    expect(text.stdout + text.stderr).toContain('\ntoken is ***\n');
    const json = await shark(['run', 'b.md', '--secrets', 'sec.env', '--json'], tmp.dir);
    const failed = events(json.stdout).find((e) => e.type === 'step-failed')! as Event & { message: string };
    expect(failed.message).toContain('\ntoken is ***\n');
    expect(readFileSync(failed.log!, 'utf8')).toContain('\ntoken is ***\n');
    expect(text.stdout + text.stderr + json.stdout + json.stderr + readFileSync(failed.log!, 'utf8')).not.toContain(value);
  });

  it('of a successful build is listed with the jobs; a run that built nothing says so', async () => {
    const said = unique('built-fine');
    writeFileSync(join(tmp.dir, 'b.md'), document(`echo ${said}`));
    const r = await shark(['run', '--json', 'b.md'], tmp.dir);
    expect(r.code).toBe(0);
    const summary = events(r.stdout).at(-1)!.summary!;
    expect(summary.builds).toEqual([{ env: 'bb', block: 'tools', line: 3, status: 'ok', log: expect.stringMatching(/logs\/1\/bb\.build\.log$/), image: expect.stringMatching(/^docker:sha256:/) }]);
    const all = await shark(['logs', 'b.md'], tmp.dir);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^==> tools \(build bb, ok, line 3\) \S+bb\.build\.log\n/);
    expect(all.stdout).toContain(`${said}\n`);
    expect(all.stdout).toMatch(/\n==> use \(ok, line 11\) /);

    const again = await shark(['run', 'b.md'], tmp.dir);
    expect(again.code).toBe(0);
    const none = await shark(['logs', 'b.md', 'tools'], tmp.dir);
    expect(none.code).toBe(1);
    const since = '(its image was built before, or no step of the run needed it); its image\'s build log: run 1';
    expect(none.stderr).toBe(`shark: \`tools\` is the shark-build block of environment bb: run 2 did not build it ${since} (shark logs b.md tools --run 1)\n`);
    // By the environment's name, as the run names it (`FAILED bb`).
    const byEnv = await shark(['logs', 'b.md', 'bb'], tmp.dir);
    expect([byEnv.code, byEnv.stderr]).toEqual([1, `shark: \`bb\` is environment bb (shark-build block tools): run 2 did not build it ${since} (shark logs b.md bb --run 1)\n`]);
    expect((await shark(['logs', 'b.md', 'bb', '--run', '1'], tmp.dir)).stdout).toContain(`${said}\n`);
  });
});
