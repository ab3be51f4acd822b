import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { MAX_DOCUMENT_BYTES } from '../../src/markdown/source-text.js';
import { Rig, SHARK } from '../support/rig.js';

const fence = '```';
const PIPELINE = `# Hello\n\n${fence}shark-run\necho hello > /data/hello.txt\n${fence}\n\n${fence}shark-run\ncat /data/hello.txt > /data/copy.txt\n${fence}\n`;

/** Runs the real binary with its stdout closed by the reader before anything is written, as `| head` does. */
function sharkWithClosedStdout(rig: Rig, args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SHARK, ...args], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => done({ code, signal, stderr }));
  });
}

/** Runs the real binary with a reader that takes nothing for `pauseMs`, then all: a pipe that fills before the command ends. */
function sharkReadLate(rig: Rig, args: string[], pauseMs: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SHARK, ...args], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.pause();
    setTimeout(() => child.stdout.on('data', (d: Buffer) => chunks.push(d)).resume(), pauseMs);
    child.on('close', (code) => done({ code, stdout: Buffer.concat(chunks).toString() }));
  });
}

describe('bad input at the command line', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('refuses a document over the size limit without parsing it, naming the size and the limit', async () => {
    rig.write('big.md', `${PIPELINE}\n${'Some prose.\n'.repeat(20_000)}`);
    const size = PIPELINE.length + 1 + 'Some prose.\n'.length * 20_000;
    expect(size).toBeGreaterThan(MAX_DOCUMENT_BYTES);
    const r = await rig.shark(['check', 'big.md']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`big.md:1:1: error: this document is ${size.toLocaleString('en')} bytes; Shark reads documents of at most 196,608 bytes (192 KiB): keep data in files and import them\n1 error in big.md\n`);
  });

  it('refuses a file bound to an input the document uses as a directory, at the input\'s entry, before a store is made', async () => {
    rig.write('i.md', `---\ninputs:\n  d: /data/d/\n  m: /data/m\n---\n${fence}shark-run\nls /data/d/ > /data/l.txt\n${fence}\n\n${fence}shark-run\ncat /data/m/* > /data/n/+\n${fence}\n`);
    rig.write('r.csv', 'x\n');
    rig.write('dir/a', 'a\n');
    for (const command of ['plan', 'run']) {
      const r = await rig.shark([command, 'i.md', '-i', 'd=r.csv', '-i', 'm=r.csv']);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toContain('i.md:3:6: error: input `d` (/data/d/) is a directory, but is bound to r.csv, a file: bind a directory');
      expect(r.stderr, command).toContain('i.md:4:6: error: input `m` (/data/m) is a directory (a map reads /data/m/*), but is bound to r.csv, a file: bind a directory');
    }
    expect(rig.exists('.shark')).toBe(false);
    expect((await rig.shark(['run', 'i.md', '-i', 'd=dir', '-i', 'm=dir'])).code).toBe(0);
  });

  it('ends quietly with 141, as git does, when the reader closes stdout early', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    for (const args of [['lineage', 'p.md', '/data/copy.txt'], ['dag', 'p.md'], ['logs', 'p.md'], ['plan', 'p.md']]) {
      const r = await sharkWithClosedStdout(rig, args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 141, stderr: '' });
    }
  });

  it('writes all of a large output to a reader that is slow to take it before ending', async () => {
    // Commands that only read end at once (process-guards.ts finish): never before their output has gone.
    rig.write('map.md', `---\ninputs:\n  items: /data/items/\n---\n${fence}shark-run\ncp /data/items/* /data/out/+\n${fence}\n`);
    for (let i = 0; i < 3000; i++) rig.write(`items/${i}.txt`, `${i}\n`);
    const r = await sharkReadLate(rig, ['plan', 'map.md', '-i', 'items=items', '--json'], 500);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { jobs: unknown[]; summary: { run: number } };
    expect([plan.jobs.length, plan.summary.run, r.stdout.length]).toEqual([3000, 3000, expect.any(Number)]);
    expect(r.stdout.length).toBeGreaterThan(1 << 17);
  });

  it('stops a run quietly when its stdout is closed, cancelling rather than abandoning its jobs', async () => {
    rig.write('slow.md', `${fence}shark-run\nsleep 30; echo late > /data/late.txt\n${fence}\n`);
    for (const args of [['run', 'slow.md'], ['run', 'slow.md', '-j', '2', '--json']]) {
      const t = Date.now();
      const r = await sharkWithClosedStdout(rig, args);
      // No `Ctrl-C again` message: nobody pressed Ctrl-C.
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 141, stderr: '' });
      expect(Date.now() - t).toBeLessThan(20_000);
    }
  }, 45_000);

  it.each([
    ['plan', '/proc/nope'],
    ['run', '/proc/nope/deeper'],
    ['plan', '/sys/nope'],
  ])('refuses a store that cannot be created (%s --store %s) in one line, exit 2, without hanging', async (command, store) => {
    const r = await rig.shark([command, 'p.md', '--store', store], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^shark: error: cannot open the store at ${store}: [^\\n]+\\n$`));
  }, 20_000);

  it('makes no store for a command that reads what runs recorded (logs, lineage, runs): says the pipeline has not run, exit 1', async () => {
    for (const args of [['logs', 'p.md'], ['lineage', 'p.md', '/data/x.txt'], ['runs', 'p.md'], ['logs', 'p.md', '--store', 'elsewhere']]) {
      const r = await rig.shark(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^shark: this pipeline has not been run yet: there is no store at (\.shark|elsewhere)\n$/);
    }
    expect(rig.exists('.shark')).toBe(false);
    expect(rig.exists('elsewhere')).toBe(false);
  });

  it('creates a store whose missing directories are several levels deep', async () => {
    const r = await rig.shark(['plan', 'p.md', '--store', 'a/b/store']);
    expect(r.code, r.stderr).toBe(0);
    expect(rig.exists('a/b/store/shark.sqlite')).toBe(true);
  });

  it('refuses /data alone in a command, at its column, from check and run: on the host it would be the machine\'s own /data', async () => {
    rig.write('list.md', `# A\n\n${fence}shark-run\nmkdir -p /data/in/ && echo 1 > /data/in/a.txt\n${fence}\n\n${fence}shark-run\nfind /data -name '*.txt' | sort > /data/list.txt\n${fence}\n`);
    for (const command of ['check', 'run']) {
      const r = await rig.shark([command, 'list.md']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("list.md:8:6: error: `/data` names /data itself: name a file or directory under it\n    8 | find /data -name '*.txt'");
    }
  });

  it('refuses a variable holding a NUL byte from check, at the value, rather than failing every job', async () => {
    rig.write('nul.md', `---\nV: "a\\0b"\n---\n\n# Demo\n\n${fence}shark-run\necho "$V" > /data/x.txt\n${fence}\n`);
    for (const command of ['check', 'run']) {
      const r = await rig.shark([command, 'nul.md']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('nul.md:2:4: error: the value of the variable `V` holds a NUL byte (\\0), which no process environment can carry\n');
    }
  });

  it('exits 1 from `logs` when no job matches, as for any query that finds nothing', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const r = await rig.shark(['logs', 'p.md', 'no-such-block']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^shark: no job of run \d+ matches `no-such-block` \(blocks: hello, hello-2\)\n$/);
  });

  it('says a run that ran no job (only {manual} blocks) ran none, from `logs` without a block: exit 1', async () => {
    rig.write('manual.md', '# L\n\n```shark-run {manual}\necho a > /data/a\n```\n');
    expect((await rig.shark(['run', 'manual.md'])).code).toBe(0);
    const r = await rig.shark(['logs', 'manual.md']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^shark: run \d+ ran no job\n$/);
  });
});

describe('an internal error', () => {
  const debug = process.env['SHARK_DEBUG'];
  afterEach(() => {
    if (debug === undefined) delete process.env['SHARK_DEBUG'];
    else process.env['SHARK_DEBUG'] = debug;
  });
  const failing = (): { err: string[]; io: { stdout: (s: string) => void; stderr: (s: string) => void } } => {
    const err: string[] = [];
    return { err, io: { stdout: () => { throw new Error('disk on fire\nsecond line'); }, stderr: (s) => void err.push(s) } };
  };

  it('is one line and a hint, exit 70, without a stack trace', async () => {
    delete process.env['SHARK_DEBUG'];
    const { err, io } = failing();
    expect(await main(['node', 'shark', 'check', 'fixtures/format/ecology.md'], io)).toBe(70);
    expect(err.join('')).toBe('shark: internal error: disk on fire\nThis is a bug in Shark: please report it with the command you ran (rerun with SHARK_DEBUG=1 for the stack trace).\n');
  });

  it('shows the stack trace with SHARK_DEBUG=1', async () => {
    process.env['SHARK_DEBUG'] = '1';
    const { err, io } = failing();
    expect(await main(['node', 'shark', 'check', 'fixtures/format/ecology.md'], io)).toBe(70);
    const text = err.join('');
    expect(text.startsWith('shark: internal error: disk on fire\nError: disk on fire\nsecond line\n    at ')).toBe(true);
    expect(text.endsWith('This is a bug in Shark: please report it with the command you ran.\n')).toBe(true);
  });
});
