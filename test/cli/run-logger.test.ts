import { describe, expect, it, vi } from 'vitest';
import { displayWidth } from '../../src/columns.js';
import { progressBar } from '../../src/cli/fsck.js';
import { jsonLogger, prettyLogger } from '../../src/cli/run-logger.js';

describe('the run log a person reads', () => {
  it('says a job another run is computing is waited for, and run here if that run fails (failures are never reused)', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'job-waiting', job: 'fit', step: 'fit', holder: { pid: 41, host: 'vm' } });
    log({ type: 'job-waiting', job: 'fit', step: 'fit', holder: { pid: 41, host: 'vm' } });
    expect(out).toBe('waiting  fit: another run (pid 41 on vm) is computing it: its result will be reused, or the job run here if it fails\n');
  });

  it('says jobs a killed run left in Slurm are taken over, not submitted (it said submitted when nothing was)', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'step-start', step: 'w', jobs: 2, cached: 0 });
    out = '';
    log({ type: 'job-queued', job: 'w[x1]', step: 'w', block: 'w', adopted: true });
    log({ type: 'job-queued', job: 'w[x2]', step: 'w', block: 'w', adopted: true });
    log({ type: 'job-queued', job: 'fit', step: 'fit', block: 'fit', adopted: true });
    expect(out).toBe("queued   w: jobs a killed run left in Slurm, taken over\nqueued   fit (a killed run's, taken over)\n");
  });

  it('ends a map that had a failure FAILED, not done (with -k it said done)', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'step-start', step: 'm', jobs: 2, cached: 0 });
    log({ type: 'job-done', job: 'm[a]', step: 'm', seconds: 0.1, stored: 0 } as never);
    log({ type: 'job-failed', job: 'm[b]', step: 'm', block: 'm', where: 'p.md:1:1', message: 'exit status 1', reason: 'exit', log: null, tail: '' } as never);
    expect(out).toMatch(/^FAILED {3}m: 1 run, 0 cached, 1 failed/m);
    expect(out).not.toMatch(/^done {5}m:/m);
  });

  it('ends a map Ctrl-C cut short `stopped`, not done; one that skipped items an input failed to make stays done', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'step-start', step: 'm', jobs: 3, cached: 0 });
    log({ type: 'job-done', job: 'm[a]', step: 'm', seconds: 0.1, stored: 0 } as never);
    for (const n of ['b', 'c']) log({ type: 'job-skipped', job: `m[${n}]`, step: 'm', block: 'm', reason: 'interrupted' });
    expect(out).toMatch(/^stopped  m: 1 run, 0 cached, 2 skipped \(/m);
    out = '';
    log({ type: 'step-start', step: 'k', jobs: 2, cached: 0 });
    log({ type: 'job-done', job: 'k[a]', step: 'k', seconds: 0.1, stored: 0 } as never);
    log({ type: 'job-skipped', job: 'k[b]', step: 'k', block: 'k', reason: 'an input failed' });
    expect(out).toMatch(/^done {5}k: 1 run, 0 cached, 1 skipped \(/m);
  });

  it('shows a map\'s first failures whole and the rest a line each, and lists ten at the end (60 failed items printed 300 lines)', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'step-start', step: 'm', jobs: 30, cached: 0 });
    const failures = Array.from({ length: 30 }, (_, n) => ({ job: `m[${n}]`, where: 'p.md:3:1', reason: 'exit' as const, log: `/s/logs/1/m[${n}].log` }));
    for (const f of failures) log({ type: 'job-failed', job: f.job, step: 'm', block: 'm', where: f.where, message: 'exit status 3', reason: 'exit', log: f.log, tail: 'bad input\n' } as never);
    const lines = out.split('\n');
    expect(lines.filter((l) => l === '  | bad input')).toHaveLength(5);
    expect(lines).toContain('FAILED   m[5]: exit status 3 (log: /s/logs/1/m[5].log)');
    out = '';
    log({ type: 'run-end', summary: { run: 1, status: 'failed', executed: 0, cached: 0, failed: 30, skipped: 0, seconds: 1, failures, published: [] } } as never);
    expect(out.split('\n').filter((l) => l.startsWith('  failed: '))).toHaveLength(10);
    expect(out).toContain('  … and 20 more failed jobs: shark logs p.md shows their logs\n');
  });

  it('names the steps it skipped after a failure, and why (it said only "2 skipped")', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'step-start', step: 'm', jobs: 3, cached: 0 });
    log({ type: 'job-skipped', job: 'b', step: 'b', block: 'b', reason: 'an input failed' });
    for (const n of [1, 2]) log({ type: 'job-skipped', job: `m[${n}]`, step: 'm', block: 'm', reason: 'an earlier job failed' });
    for (let n = 0; n < 12; n++) log({ type: 'job-skipped', job: `s${n}`, step: `s${n}`, block: `s${n}`, reason: 'an earlier job failed' });
    out = '';
    log({ type: 'run-end', summary: { run: 1, status: 'failed', executed: 0, cached: 0, failed: 1, skipped: 15, seconds: 1, failures: [], published: [] } } as never);
    expect(out.split('\n').filter((l) => l.startsWith('  skipped '))).toEqual([
      '  skipped (an input failed): b',
      '  skipped (an earlier job failed): m (2 jobs), s0, s1, s2, s3, s4, s5, s6 and 5 more steps',
    ]);
  });

  it('says what happens to an environment before its steps: its image is checked, and built if missing', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'env-build', env: 'stats' });
    expect(out).toBe('environment stats: checking the image (built if missing)\n');
    log({ type: 'env-ready', env: 'stats', built: true, image: '3f2a9c01b2d4', seconds: 4.21 });
    log({ type: 'env-ready', env: 'tools', built: false, image: '9c01b2d43f2a' });
    expect(out.split('\n').slice(1, 3)).toEqual(['environment stats: built (image 3f2a9c01b2d4, 4.2s)', 'environment tools: image 9c01b2d43f2a found, built before']);
    log({ type: 'env-ready', env: 'text', built: false, image: '01b2d43f2a9c', unchecked: true });
    expect(out.split('\n')[3]).toBe('environment text: image 01b2d43f2a9c as the lock file names it, unchecked (the engine is unreachable: a job that must run in it fails)');
  });

  it('says an environment another run is building is waited for, and its image used here', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'env-waiting', env: 'tools', holder: { pid: 41, host: 'vm' } });
    expect(out).toBe('waiting  environment tools: another run (pid 41 on vm) is building it: its image will be used here, or built here if that build fails\n');
  });
});

describe('the status line at a terminal', () => {
  /** The last status line drawn, without its elapsed time. */
  const lastStatus = (out: string): string => out.split('\r\x1b[2K').filter((l) => l.startsWith('[')).at(-1)!.replace(/^\[[0-9.]+s\] /, '');

  it('counts jobs whose outputs are being stored apart from running commands, and a cached step as done', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), true);
    log({ type: 'step-start', step: 'import', block: 'import', jobs: 1, cached: 1 });
    log({ type: 'step-start', step: 'big', block: 'big', jobs: 300, cached: 0 });
    for (const j of ['a', 'b', 'c', 'd']) log({ type: 'job-start', job: `big[${j}]`, step: 'big', block: 'big' });
    log({ type: 'job-storing', job: 'big[a]', step: 'big', block: 'big' });
    log({ type: 'job-storing', job: 'big[b]', step: 'big', block: 'big' });
    log({ type: 'job-done', job: 'big[a]', step: 'big', block: 'big', seconds: 0.1, stored: 0.2 });
    log({ type: 'published', path: '/data/x', to: '_shark/out/x' });
    expect(lastStatus(out)).toBe('2 running, 1 storing · big 1/300');
    // The cached step's own job-cached, sent once its row is recorded, does not count it twice.
    log({ type: 'job-cached', job: 'import', step: 'import', block: 'import' });
    log({ type: 'published', path: '/data/x', to: '_shark/out/x' });
    expect(lastStatus(out)).toBe('2 running, 1 storing · big 1/300');
  });

  it('shows a log path or a published path holding a newline or an escape as the store line does, quoted (one line, nothing obeyed)', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'published', path: '/data/x', to: '/tmp/nl\ndir\x1b[31m/_shark/x' });
    expect(out).toBe('published /data/x → "/tmp/nl\\ndir\\u001b[31m/_shark/x"\n');
  });

  it('fits a terminal 20 columns wide or less, in columns (a longer line wrapped, and each redraw left a row behind)', () => {
    const was = Object.getOwnPropertyDescriptor(process.stdout, 'columns');
    try {
      for (const width of [20, 12, 5]) {
        Object.defineProperty(process.stdout, 'columns', { value: width, configurable: true });
        let out = '';
        const log = prettyLogger((s) => void (out += s), true);
        log({ type: 'step-start', step: '种子种子种子', block: '种子种子种子', jobs: 300, cached: 0 });
        log({ type: 'job-start', job: '种子种子种子[a]', step: '种子种子种子', block: '种子种子种子' });
        log({ type: 'published', path: '/data/x', to: '_shark/out/x' });
        const drawn = out.split('\r\x1b[2K').filter((l) => l.startsWith('['));
        expect(drawn.length).toBeGreaterThan(0);
        for (const line of drawn) expect(displayWidth(line)).toBeLessThan(width);
      }
    } finally {
      if (was === undefined) delete (process.stdout as { columns?: number }).columns;
      else Object.defineProperty(process.stdout, 'columns', was);
    }
  });

  it('fsck\'s progress bar fits a narrow terminal too', () => {
    const was = Object.getOwnPropertyDescriptor(process.stderr, 'columns');
    try {
      Object.defineProperty(process.stderr, 'columns', { value: 30, configurable: true });
      let out = '';
      progressBar({ stderr: (s: string) => void (out += s) } as never, true)(3, 10, 1e6);
      expect(out.startsWith('\r\x1b[2Kfsck [')).toBe(true);
      expect(displayWidth(out.slice('\r\x1b[2K'.length))).toBe(29);
    } finally {
      if (was === undefined) delete (process.stderr as { columns?: number }).columns;
      else Object.defineProperty(process.stderr, 'columns', was);
    }
  });
});

describe('text from steps and builds in the run log', () => {
  const coloured = 'Step 2/2 : RUN false\n\x1b[91mls: /x: No such file\x1b[0m\n\x1b]0;title\x07\x1b[2Jend';
  const failed = { type: 'step-failed', step: 'e', where: 'p.md:3:1', message: coloured, reason: 'environment' } as const;

  it('has no escape codes when the output is not a terminal', () => {
    let out = '';
    prettyLogger((s) => void (out += s), false)(failed);
    expect(out).toBe('FAILED   e\np.md:3:1: error: Step 2/2 : RUN false\nls: /x: No such file\nend\n');
  });

  it('keeps colours at a terminal, and no other escape (a title, a cleared screen)', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), true);
    log(failed);
    log({ type: 'run-end', summary: { run: 1, status: 'failed', executed: 0, cached: 0, failed: 1, skipped: 0, seconds: 0, failures: [] } });
    expect(out).toContain('\x1b[91mls: /x: No such file\x1b[0m\nend\n');
    expect(out).not.toContain('\x1b]0;');
    expect(out).not.toContain('\x1b[2J');
  });

  it('says in a pipe how far a long map is every 30 s, as it has no status line there', () => {
    let out = '';
    let now = 1_000_000;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const log = prettyLogger((s) => void (out += s), false);
      log({ type: 'step-start', step: 'work', block: 'work', jobs: 300, cached: 0 });
      for (let i = 0; i < 150; i++) {
        now += 400;
        log({ type: 'job-done', job: `work[${i}]`, step: 'work', block: 'work', seconds: 0.4, stored: 0 });
      }
    } finally {
      clock.mockRestore();
    }
    expect(out.split('\n').filter((l) => l.includes('jobs done'))).toEqual(['         work: 75/300 jobs done (30s)', '         work: 150/300 jobs done (60s)']);
  });

  it('ends a line whose colours the job never reset: they coloured the summary and the prompt after it', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), true);
    log({ type: 'job-failed', job: 'j', step: 'j', block: 'j', where: 'p.md:9:1', message: 'exit status 1', reason: 'exit', exitCode: 1, log: null, tail: '\x1b[41;1;5mALARM\nplain\n' });
    expect(out).toContain('  | \x1b[41;1;5mALARM\x1b[0m\n  | plain');
  });

  it('has none in JSON events, the failed job\'s tail included', () => {
    let out = '';
    const log = jsonLogger((s) => void (out += s));
    log(failed);
    log({ type: 'job-failed', job: 'j', step: 'j', block: 'j', where: 'p.md:9:1', message: 'exit status 1', reason: 'exit', exitCode: 1, log: null, tail: coloured });
    log({ type: 'run-end', summary: { run: 1, status: 'failed', executed: 0, cached: 0, failed: 1, skipped: 0, seconds: 0, failures: [] } });
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as { message: string; tail?: string });
    expect(events[0]!.message).toBe('Step 2/2 : RUN false\nls: /x: No such file\nend');
    expect(events[1]!.tail).toBe('Step 2/2 : RUN false\nls: /x: No such file\nend');
  });
});

describe('the JSON events of a large map', () => {
  it('go out a turn of the event loop at a time, every one in order, and the run\'s end at once', async () => {
    const writes: string[] = [];
    const log = jsonLogger((s) => void writes.push(s));
    for (let i = 0; i < 1000; i++) log({ type: 'job-skipped', job: `m[${i}]`, step: 'm', block: 'm', reason: 'interrupted' });
    // Said within the turn, written once it ends: 1,000 writes cost 13 ms, a Ctrl-C of 100,000 jobs 1.3 s.
    await new Promise((r) => setImmediate(r));
    expect(writes.length).toBeLessThan(10);
    const jobs = writes.join('').trim().split('\n').map((l) => (JSON.parse(l) as { job: string }).job);
    expect(jobs).toEqual(Array.from({ length: 1000 }, (_, i) => `m[${i}]`));
    log({ type: 'job-skipped', job: 'm[last]', step: 'm', block: 'm', reason: 'interrupted' });
    log({ type: 'run-end', summary: { run: 1, status: 'interrupted', executed: 0, cached: 0, failed: 0, skipped: 1001, seconds: 0, failures: [] } });
    // The end of the run is written as it is said: what reads the events sees it before the process exits.
    expect(writes.at(-1)).toMatch(/"job":"m\[last\]".*\n.*"type":"run-end"/s);
  });
});

