import { chmodSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, type PlanJson } from '../support/rig.js';

const fence = '```';

/** Host steps' keys hold the programs they run (resolved on PATH, by content) and their {deps=…} files. */
describe('host steps know their tools', () => {
  let rig: Rig;
  let env: Record<string, string>;
  beforeEach(() => {
    rig = new Rig('shark-host-tools-');
    env = { PATH: `${rig.path('bin')}:${process.env['PATH'] ?? ''}` };
  });
  afterEach(() => rig.cleanup());

  const tool = (name: string, version: string): void => {
    chmodSync(rig.write(`bin/${name}`, `#!/bin/sh\necho ${version}\n`), 0o755);
  };
  const run = async (): Promise<void> => {
    const ran = await rig.shark(['run', 'p.md'], { env });
    expect(ran.code, ran.stderr).toBe(0);
  };
  const plan = async (): Promise<PlanJson> => {
    const ran = await rig.shark(['plan', 'p.md', '--json'], { env });
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout) as PlanJson;
  };
  /** a and b are independent, so the first run may append them in either order; a re-run appends after. */
  const counter = (): string[] => { const l = rig.lines(); return [...l.slice(0, 2).sort(), ...l.slice(2)]; };
  const statuses = (p: PlanJson): string[] => p.jobs.map((j) => `${j.job}:${j.status}`);

  const doc = (opts: { info?: string; a?: string } = {}): string => [
    '# Tools', '',
    `${fence}shark-run {id=a${opts.info ?? ''}}`, opts.a ?? 'echo a >> counter; mytool > /data/a.txt', fence, '',
    `${fence}shark-run {id=b}`, 'echo b >> counter; sort -r counter > /data/b.txt', fence, '',
  ].join('\n');

  it('an upgraded program re-runs exactly the step that runs it, and plan names it', async () => {
    tool('mytool', 'v1');
    rig.write('p.md', doc());
    await run();
    expect(counter()).toEqual(['a', 'b']);
    expect(statuses(await plan())).toEqual(['a:cached', 'b:cached']);

    tool('mytool', 'v2');
    const p = await plan();
    expect(statuses(p)).toEqual(['a:run', 'b:cached']);
    expect(p.jobs[0]!.reasons).toEqual([expect.stringMatching(new RegExp(`^program ${rig.path('bin/mytool')} changed \\([0-9a-f]{8}… → [0-9a-f]{8}…\\)$`))]);
    await run();
    expect(counter()).toEqual(['a', 'b', 'a']);
  });

  it('a program missing at first and installed later re-runs its step', async () => {
    rig.write('p.md', doc({ a: 'echo a >> counter; (othertool || echo none) > /data/a.txt' }));
    await run();
    expect(statuses(await plan())).toEqual(['a:cached', 'b:cached']);
    tool('othertool', 'v1');
    const p = await plan();
    expect(statuses(p)).toEqual(['a:run', 'b:cached']);
    expect(p.jobs[0]!.reasons).toEqual([`program othertool now found (${rig.path('bin/othertool')})`]);
    await run();
    expect(counter()).toEqual(['a', 'b', 'a']);
  });

  it('{deps=…}: a changed file re-runs its step with the reason', async () => {
    tool('mytool', 'v1');
    rig.write('requirements.lock', 'numpy==1.26\n');
    rig.write('p.md', doc({ info: ', deps=requirements.lock' }));
    await run();
    rig.write('requirements.lock', 'numpy==2.0\n');
    const p = await plan();
    expect(statuses(p)).toEqual(['a:run', 'b:cached']);
    expect(p.jobs[0]!.reasons).toEqual([expect.stringMatching(/^dependency requirements\.lock changed \([0-9a-f]{8}… → [0-9a-f]{8}…\)$/)]);
    await run();
    expect(counter()).toEqual(['a', 'b', 'a']);
  });

  it('a missing {deps=…} file is an error located at the option', async () => {
    tool('mytool', 'v1');
    rig.write('p.md', doc({ info: ', deps=nothere.lock' }));
    const p = await plan();
    expect(p.jobs[0]!.reasons).toEqual([expect.stringMatching(/^\{deps=…\}: nothere\.lock does not exist .*\(line 3, column 21\)$/)]);
    const ran = await rig.shark(['run', 'p.md'], { env });
    expect(ran.code).not.toBe(0);
    expect(ran.stdout + ran.stderr).toContain('p.md:3:21: error: {deps=…}: nothere.lock does not exist');
    expect(rig.lines()).toEqual([]);
  });

  it('locates a missing {deps=…} file at the option itself, not at `deps` inside another option\'s value', async () => {
    rig.write('p.md', `# Deps\n\n${fence}shark-run   {id=mydeps, deps=nothere.lock}\necho a > /data/a.txt\n${fence}\n`);
    const p = await plan();
    expect(p.jobs[0]!.reasons).toEqual([expect.stringMatching(/\(line 3, column 28\)$/)]);
  });
});
