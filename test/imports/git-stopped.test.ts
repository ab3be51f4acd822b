import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

let rig: Rig;
beforeEach(() => void (rig = new Rig('shark-git-stopped-')));
afterEach(() => rig.cleanup());

/** A `git` that starts a transport (as `ssh` is, for an ssh URL) and waits on it, saying its pid. */
const FAKE_GIT = `#!/bin/sh
sleep 60 &
echo $! > "$SHARK_TEST_TRANSPORT"
wait
`;

/** Whether `pid` still runs: a zombie (ended, its parent gone, not yet reaped) does not. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

it('stopped while git lists the refs, leaves none of git\'s processes running: the transport it started (ssh) lived on', async () => {
  chmodSync(rig.write('bin/git', FAKE_GIT), 0o755);
  rig.write('p.md', '# Git\n\n```shark-import\ngit@example.org:team/repo.git#main /data/repo\n```\n');
  const env = { PATH: `${rig.path('bin')}:${process.env['PATH'] ?? ''}`, SHARK_TEST_TRANSPORT: rig.path('transport.pid') };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const plan = rig.start(['plan', 'p.md'], { env });
    const said = (): string => (existsSync(rig.path('transport.pid')) ? readFileSync(rig.path('transport.pid'), 'utf8') : '');
    for (let i = 0; i < 1200 && !said().endsWith('\n'); i++) await new Promise((r) => setTimeout(r, 25));
    const transport = Number(said());
    expect(transport).toBeGreaterThan(1);
    plan.process.kill(signal);
    const ended = await plan.ended;
    expect(ended.code, ended.stdout + ended.stderr).toBe(130);
    for (let i = 0; i < 200 && alive(transport); i++) await new Promise((r) => setTimeout(r, 25));
    expect(alive(transport), `${signal}: the transport ${transport} still runs`).toBe(false);
    rmSync(rig.path('transport.pid'));
  }
});
