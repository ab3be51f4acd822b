import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { ExecRequest } from '../../src/exec/executor.js';
import { HostExecutor } from '../../src/exec/host-executor.js';
import { isSimple } from '../../src/exec/simple-command.js';
import { Turn } from '../../src/exec/scheduler.js';
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

  it('gives a job /dev/stdout and /dev/stderr it can open, as a shell at a prompt does (tee /dev/stderr)', async () => {
    // Node's stdio "pipes" are socket pairs, which Linux will not reopen through /proc (ENXIO).
    expect(await executor.run(request('seq 3 | tee /dev/stderr > /data/seq.txt'))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('ws/data/seq.txt'), 'utf8')).toBe('1\n2\n3\n');
    expect(readFileSync(rig.path('job.log'), 'utf8')).toBe('1\n2\n3\n');
    expect(await executor.run(request('echo to-stderr > /dev/stderr; echo to-stdout > /dev/stdout', { logPath: rig.path('two.log') }))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('two.log'), 'utf8')).toBe('to-stderr\nto-stdout\n');
  });

  it('runs in a working directory whose name holds a newline, quotes and a backslash', async () => {
    // The launcher's line is its script: a quoted newline does not end it (a line read with `read` was cut there).
    const odd = "dir with\nnewline 'q' \"dq\" back\\slash";
    mkdirSync(rig.path(odd));
    expect(await executor.run(request('pwd > /data/where.txt', { cwd: odd }))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('ws/data/where.txt'), 'utf8')).toBe(`${rig.path(odd)}\n`);
    expect(await executor.run(request('true'))).toEqual({ status: 'ok' });
  });

  it('executes a program dash has as a builtin (true) from the PATH, as make does', async () => {
    mkdirSync(rig.path('bin'));
    writeFileSync(rig.path('bin/true'), `#!/bin/sh\necho "the program ran" > ${rig.path('ran.txt')}\n`, { mode: 0o755 });
    expect(await executor.run(request('true', { env: { PATH: `${rig.path('bin')}:/usr/bin:/bin` } }))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('ran.txt'), 'utf8')).toBe('the program ran\n');
  });

  it('leaves no launcher in a job\'s working directory once the job ended (a ZFS workspace would stay busy)', async () => {
    expect(await executor.run(request('pwd > where.txt', { cwd: '/data' }))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('ws/data/where.txt'), 'utf8').trim()).toBe(rig.path('ws/data'));
    const launchers = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(process.pid) && readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('/bin/sh\0-s');
      } catch {
        return false;
      }
    });
    expect(launchers.length).toBeGreaterThan(0);
    for (const l of launchers) expect(readlinkSync(`/proc/${l}/cwd`)).toBe('/');
  });

  it('runs a script longer than one argument may be (128 KiB on Linux), one line or many', async () => {
    const long = 'x'.repeat(140_000);
    expect(await executor.run(request(`printf %s ${long} > /data/long.txt`))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('ws/data/long.txt'), 'utf8')).toBe(long);
    expect(await executor.run(request(`printf '%s\\n' ${long} > /data/lines.txt\nprintf '%s %s\\n' "$GREETING" \\\\ >> /data/lines.txt\nexit 3`))).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(readFileSync(rig.path('ws/data/lines.txt'), 'utf8')).toBe(`${long}\nhello \\\n`);
  });

  it('reports the exit status and a missing working directory', async () => {
    expect(await executor.run(request('exit 7'))).toMatchObject({ status: 'failed', exitCode: 7, message: 'exit status 7' });
    expect(await executor.run(request('false'))).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(await executor.run(request('true', { cwd: 'nowhere' }))).toMatchObject({ status: 'failed', message: expect.stringContaining('does not exist') });
  });

  it('writes a short line to the log as it is printed, while the job still runs (shark shell shows it live)', async () => {
    // Held back as a possible start of the end marker, a line shorter than it showed only once the job ended.
    const controller = new AbortController();
    const running = executor.run(request('echo start; sleep 30', { signal: controller.signal }));
    const end = Date.now() + 10_000;
    const logged = (): string => (existsSync(rig.path('job.log')) ? readFileSync(rig.path('job.log'), 'utf8') : '');
    while (logged() === '' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    expect(logged()).toBe('start\n');
    expect(await running).toEqual({ status: 'cancelled' });
    // What only looks like the start of the marker is output like any other.
    expect(await executor.run(request("printf 'a\\036b\\036'", { logPath: rig.path('rs.log') }))).toEqual({ status: 'ok' });
    expect(readFileSync(rig.path('rs.log'), 'utf8')).toBe('a\x1eb\x1e');
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

  describe('a job queued behind another (scheduler lanes)', () => {
    const demand = { slots: 1, memory: 0, pool: undefined };
    const pair = (): [Turn, Turn] => {
      const first = new Turn(undefined, 'L', demand);
      return [first, (first.follower = new Turn(first, 'L', demand))];
    };

    it('starts as the one ahead ends, says so then, and keeps its own output', async () => {
      const [a, b] = pair();
      const events: string[] = [];
      const first = executor.run(request('sleep 0.3; echo one', { turn: a, logPath: rig.path('a.log') })).then((o) => (events.push('a ended'), o));
      const second = executor.run(request('echo two', {
        turn: b, logPath: rig.path('b.log'), queued: { begun: () => events.push('b begun'), stopped: rig.path('stopped') },
      }));
      await new Promise((r) => setTimeout(r, 100));
      expect(events).toEqual([]);
      expect(await first).toEqual({ status: 'ok' });
      expect(await second).toEqual({ status: 'ok' });
      // Said by the shell as it starts the job, just after it told of the end of the one ahead.
      expect(events.sort()).toEqual(['a ended', 'b begun']);
      expect(readFileSync(rig.path('a.log'), 'utf8')).toBe('one\n');
      expect(readFileSync(rig.path('b.log'), 'utf8')).toBe('two\n');
    });

    it('does not start after the one ahead failed, unless the run keeps going; says it began only when it did', async () => {
      for (const keepGoing of [false, true]) {
        const [a, b] = pair();
        let begun = 0;
        const first = executor.run(request('sleep 0.2; exit 3', { turn: a }));
        const queued = keepGoing ? { begun: () => begun++ } : { begun: () => begun++, stopped: rig.path('stopped') };
        const second = executor.run(request(`touch /data/ran-${keepGoing}`, { turn: b, queued }));
        expect(await first).toMatchObject({ status: 'failed', exitCode: 3 });
        expect(await second).toEqual(keepGoing ? { status: 'ok' } : { status: 'cancelled' });
        expect(existsSync(rig.path(`ws/data/ran-${keepGoing}`))).toBe(keepGoing);
        expect(begun).toBe(keepGoing ? 1 : 0);
      }
    });

    it('does not start once the run has stopped (its flag exists), though the one ahead succeeded, nor says it began', async () => {
      const [a, b] = pair();
      let begun = 0;
      const first = executor.run(request('sleep 0.3', { turn: a }));
      const second = executor.run(request('touch /data/ran-anyway', { turn: b, queued: { begun: () => begun++, stopped: rig.path('stopped') } }));
      writeFileSync(rig.path('stopped'), '');
      expect(await first).toEqual({ status: 'ok' });
      expect(await second).toEqual({ status: 'cancelled' });
      expect(existsSync(rig.path('ws/data/ran-anyway'))).toBe(false);
      expect(begun).toBe(0);
    });

    it('starts none of a queue behind a job that failed, and gives their launcher to one job only afterwards', async () => {
      const [a, b] = pair();
      const c = (b.follower = new Turn(b, 'L', demand));
      let begun = 0;
      const queued = { begun: () => begun++, stopped: rig.path('stopped') };
      const first = executor.run(request('sleep 0.2; exit 3', { turn: a }));
      const rest = [b, c].map((turn, n) => executor.run(request(`touch /data/queued-${n}`, { turn, queued })));
      expect(await first).toMatchObject({ status: 'failed', exitCode: 3 });
      expect(await Promise.all(rest)).toEqual([{ status: 'cancelled' }, { status: 'cancelled' }]);
      expect(readdirSync(rig.path('ws/data'))).toEqual([]);
      expect(begun).toBe(0);
      // Two jobs started at once run at once: each waits for the other's file, which it could not were both given the same launcher.
      const meet = (mine: string, theirs: string): string =>
        `touch /data/${mine}; for i in $(seq 100); do [ -e /data/${theirs} ] && exit 0; sleep 0.02; done; exit 1`;
      const both = [executor.run(request(meet('x', 'y'), { logPath: rig.path('x.log') })), executor.run(request(meet('y', 'x'), { logPath: rig.path('y.log') }))];
      expect(await Promise.all(both)).toEqual([{ status: 'ok' }, { status: 'ok' }]);
    });

    it('runs a queue whose launcher the job ahead took down on one new launcher, one job after the other', async () => {
      const [a, b] = pair();
      const c = (b.follower = new Turn(b, 'L', demand));
      let begun = 0;
      const queued = { begun: () => begun++, stopped: rig.path('stopped') };
      const first = executor.run(request('sleep 0.2; kill -KILL $PPID; sleep 5', { turn: a }));
      const second = executor.run(request('sleep 0.3; touch /data/b-ended', { turn: b, queued, logPath: rig.path('b.log') }));
      const third = executor.run(request('[ -e /data/b-ended ] || echo c started before b ended > /data/overlap; touch /data/c-ran', { turn: c, queued, logPath: rig.path('c.log') }));
      expect(await first).toMatchObject({ status: 'failed', message: 'the job launcher died' });
      expect(await Promise.all([second, third])).toEqual([{ status: 'ok' }, { status: 'ok' }]);
      expect(readdirSync(rig.path('ws/data')).sort()).toEqual(['b-ended', 'c-ran']);
      expect(begun).toBe(2);
    });

    it('runs on a launcher of its own when the one ahead takes its launcher down', async () => {
      const [a, b] = pair();
      let begun = 0;
      const first = executor.run(request('sleep 0.2; kill -KILL $PPID; sleep 5', { turn: a }));
      const second = executor.run(request('echo ran > /data/after-death', { turn: b, queued: { begun: () => begun++, stopped: rig.path('stopped') } }));
      expect(await first).toMatchObject({ status: 'failed', message: 'the job launcher died' });
      expect(await second).toEqual({ status: 'ok' });
      expect(begun).toBe(1);
      expect(readFileSync(rig.path('ws/data/after-death'), 'utf8')).toBe('ran\n');
    });
  });

  it('executes only plain words directly, like make', () => {
    expect(isSimple('true')).toBe(true);
    expect(isSimple("cp '/a b' /c")).toBe(true);
    for (const s of ['echo hi', 'A=b cmd', 'cmd $X', 'cmd > x', 'cmd a;b', `cmd 'it'\\''s'`, 'cd /tmp', 'a\nb', '']) {
      expect(isSimple(s), s).toBe(false);
    }
  });

  it('fails a bare reserved word (`fi`) with the shell\'s exit status 2, as any syntax error, not as a launcher that died', async () => {
    for (const word of ['fi', 'done', 'then', 'esac', '}']) {
      expect(isSimple(word), word).toBe(false);
      expect(await executor.run(request(word))).toMatchObject({ status: 'failed', reason: 'exit', exitCode: 2 });
    }
  });
});
