import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { ExecRequest } from '../../src/exec/executor.js';
import { HostExecutor, isSimple } from '../../src/exec/host-executor.js';
import { Rig } from '../support/rig.js';

describe('host executor', () => {
  let rig: Rig;
  const executor = new HostExecutor();
  beforeEach(() => {
    rig = new Rig();
    mkdirSync(rig.path('ws/data'), { recursive: true });
  });
  afterEach(() => rig.cleanup());

  const request = (script: string, extra: Partial<ExecRequest> = {}): ExecRequest => ({
    label: 'job', script: (root) => script.replaceAll('/data/', `${root}/data/`), workspace: { root: rig.path('ws') },
    inputs: [], outputs: [], cwd: undefined, pipelineDir: rig.dir, containerWorkdir: '/root', env: { GREETING: 'hello' },
    network: false, timeout: undefined, logPath: rig.path('job.log'), signal: new AbortController().signal, ...extra,
  });

  it('runs simple and compound commands in the pipeline directory, with variables, into the log', async () => {
    writeFileSync(rig.path('input.txt'), 'from the pipeline dir\n');
    expect(await executor.run(request('cp input.txt /data/copy.txt'))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('ws/data/copy.txt'), 'utf8')).toBe('from the pipeline dir\n');
    expect(await executor.run(request('echo "$GREETING" && printf "two\\nlines\\n" >&2'))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('job.log'), 'utf8')).toBe('hello\ntwo\nlines\n');
    expect(await executor.run(request('for i in 1 2; do\n  echo "line $i"\ndone'))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('job.log'), 'utf8')).toMatch(/line 1\nline 2\n$/);
  });

  it('runs in a working directory whose name holds a newline, quotes and a backslash', async () => {
    // The launcher's line is its script: a quoted newline does not end it (a line read with `read` was cut there).
    const odd = "dir with\nnewline 'q' \"dq\" back\\slash";
    mkdirSync(rig.path(odd));
    expect(await executor.run(request('pwd > /data/where.txt', { cwd: odd }))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('ws/data/where.txt'), 'utf8')).toBe(`${rig.path(odd)}\n`);
    expect(await executor.run(request('true'))).toEqual({ status: 'ok' });
  });

  it('reports the exit status and a missing working directory', async () => {
    expect(await executor.run(request('exit 7'))).toMatchObject({ status: 'failed', exitCode: 7, message: 'exit status 7' });
    expect(await executor.run(request('false'))).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(await executor.run(request('true', { cwd: 'nowhere' }))).toMatchObject({ status: 'failed', message: expect.stringContaining('does not exist') });
  });

  it('kills the whole process group on cancel and on timeout', async () => {
    const marker = `shark-host-exec-${process.pid}-${Date.now()}`;
    const controller = new AbortController();
    const running = executor.run(request(`sh -c 'sleep 30; echo ${marker}' & wait`, { signal: controller.signal }));
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    expect(await running).toEqual({ status: 'cancelled' });
    await new Promise((r) => setTimeout(r, 200));
    expect(spawnSync('pgrep', ['-f', marker]).status).not.toBe(0);
    const timed = await executor.run(request(`sleep 30 # ${marker}`, { timeout: 0.5 }));
    expect(timed).toEqual({ status: 'timeout', message: 'timed out after 0.5s' });
    // The executor keeps working after its launchers were killed.
    expect(await executor.run(request('true'))).toEqual({ status: 'ok' });
  });

  it('executes only plain words directly, like make', () => {
    expect(isSimple('true')).toBe(true);
    expect(isSimple("cp '/a b' /c")).toBe(true);
    for (const s of ['echo hi', 'A=b cmd', 'cmd $X', 'cmd > x', 'cmd a;b', `cmd 'it'\\''s'`, 'cd /tmp', 'a\nb', '']) {
      expect(isSimple(s), s).toBe(false);
    }
  });
});
