import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARK, fmt, has, scratch, table, write } from './tools.js';

/** How long a stopped run takes to end: the user pressed Ctrl-C and waits for the prompt. */
const TARGET_S = 2;

/**
 * Ctrl-C of a run over 100,000 items, beside `make -j2` over as many
 * targets: the seconds from SIGINT to exit, sent while the run takes its
 * inputs in (a fresh store copies them all), as it decides its map, and
 * once its jobs run. A run heard it only once every input was stored (15 s
 * here), then took each skipped job's lease and gave it back (0.12 ms a
 * job); one that was deciding its map heard it once the map was decided.
 */
export async function benchStop(): Promise<string[]> {
  const n = 100_000;
  const dir = scratch('stop');
  mkdirSync(join(dir, 'items'));
  for (let i = 0; i < n; i++) writeFileSync(join(dir, 'items', `${i}.txt`), `${i}\n`);
  write(join(dir, 'p.md'), `---\ninputs:\n  items: /data/items/\n---\n# Map\n\n\`\`\`shark-run\ntrue /data/items/* && : > /data/out/+\n\`\`\`\n`);
  write(join(dir, 'Makefile'), `JOBS := $(shell seq ${n})\nall: $(JOBS)\n$(JOBS):\n\t@true items/$@.txt\n.PHONY: all $(JOBS)\n`);
  const run = [process.execPath, SHARK, 'run', 'p.md', '-i', 'items=items', '-j', '2', '--json'];
  const rows: [string, string, string][] = [];
  // A fresh store: signalled a second in, as it copies the items.
  const ingesting = await stopAfter(run, dir, (out) => out.includes('"run-start"'), 1000);
  rows.push(['shark run, taking its inputs in', fmt(ingesting), `target < ${TARGET_S} s`]);
  // The items stored now: signalled once a few jobs ran, the rest of the map to skip.
  const running = await stopAfter(run, dir, (out) => out.split('"job-done"').length > 50, 0);
  rows.push(['shark run, jobs running', fmt(running), `target < ${TARGET_S} s`]);
  // The map's decision (its jobs' keys, their results looked up): between run-start and the map's step-start, found
  // by a run stopped once its step started, then signalled three quarters of the way through it.
  const gap = await phase(run, dir);
  const deciding = await stopAfter(run, dir, (out) => out.includes('"run-start"'), gap * 0.75);
  rows.push([`shark run, deciding its map (${fmt(gap / 1000)} from run-start)`, fmt(deciding), `target < ${TARGET_S} s`]);
  if (has('make')) rows.push(['make -j2, jobs running', fmt(await stopAfter(['make', '-j2', '-s'], dir, () => true, 500)), '']);
  return table(`Ctrl-C of a run over ${n.toLocaleString('en')} items, -j 2: from SIGINT to exit`, rows);
}

/** The milliseconds from a run's `run-start` to its first `step-start` (the run then stopped). */
function phase(command: readonly string[], cwd: string): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let started: number | undefined;
    let gap = 0;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (started === undefined && out.includes('"run-start"')) started = performance.now();
      if (started !== undefined && gap === 0 && out.includes('"step-start"')) (gap = performance.now() - started), child.kill('SIGINT');
    });
    child.on('exit', () => done(gap));
  });
}

/** Starts `command`, and once `ready` says so of its output and `delay` ms more, sends SIGINT: the seconds until it exits. */
function stopAfter(command: readonly string[], cwd: string, ready: (out: string) => boolean, delay: number): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let sent: number | undefined;
    let armed = false;
    const arm = (): void => {
      if (armed) return;
      armed = true;
      setTimeout(() => ((sent = performance.now()), child.kill('SIGINT')), delay);
    };
    child.stdout!.on('data', (d: Buffer) => {
      if (armed) return;
      out += d.toString();
      if (ready(out)) arm();
    });
    if (ready('')) arm();
    child.on('exit', () => (sent === undefined ? fail(new Error(`${command.join(' ')} ended before it was stopped`)) : done((performance.now() - sent) / 1000)));
  });
}
