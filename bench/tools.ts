import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lstatAt } from '../src/store/native-stat.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARK = join(ROOT, 'bin/shark.js');

const scratches: string[] = [];

/** A new directory under the system's temporary one, removed when the bench ends (`removeScratch`). */
export function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `shark-bench-${prefix}-`));
  scratches.push(dir);
  return dir;
}

/**
 * Removes the scratch directories, once everything is timed: a bench of all sections leaves ~200,000
 * files, and files freed within the last minutes make new ones slower to create on some file systems
 * (bench/host.ts, the fresh store).
 */
export function removeScratch(): void {
  for (const dir of scratches.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Wall-clock seconds of one command; throws with its output when it fails (unless allowed). */
export function timeOnce(cmd: string, args: readonly string[], cwd: string, okCodes: readonly number[] = [0]): number {
  const t0 = process.hrtime.bigint();
  // What the command prints is not kept: a plan of a million jobs as JSON is more than any buffer here allows.
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!okCodes.includes(r.status ?? -1)) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}${r.error !== undefined ? `, ${r.error.message}` : ''}): ${r.stderr.toString().slice(-2000)}`);
  }
  return seconds;
}

/**
 * Median of `runs` timings, after one warm-up, started once the disk has
 * written what the set-up left dirty (`sync`): the files a tool just made
 * would otherwise be written back while the next tool is timed.
 */
export function median(cmd: string, args: readonly string[], cwd: string, runs = 5, okCodes: readonly number[] = [0]): number {
  spawnSync('sync');
  timeOnce(cmd, args, cwd, okCodes);
  const times = Array.from({ length: runs }, () => timeOnce(cmd, args, cwd, okCodes)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Medians of several measures taken in turns (`runs` rounds, each measure
 * once a round, after a warm-up of each), for figures given as ratios of
 * one another: a slow minute of the machine falls on all of them alike, not
 * on whichever was timed then.
 */
export function inTurns(measures: readonly (() => number)[], runs = 5): number[] {
  for (const measure of measures) measure();
  const times = measures.map((): number[] => []);
  for (let r = 0; r < runs; r++) measures.forEach((measure, k) => times[k]!.push(measure()));
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

/**
 * `inTurns` of commands, each started once the disk has written what the
 * one before wrote (`snakemake -n` writes its own metadata).
 */
export function alternating(commands: readonly (readonly [cmd: string, args: readonly string[]])[], cwd: string, runs = 5): number[] {
  return inTurns(commands.map(([cmd, args]) => (): number => {
    spawnSync('sync');
    return timeOnce(cmd, args, cwd);
  }), runs);
}

/** Peak resident memory of a command in MB, from GNU time. */
export function peakMemoryMb(cmd: string, args: readonly string[], cwd: string): number | undefined {
  if (!has('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  const kb = Number(r.stderr.toString().trim().split('\n').at(-1));
  return Number.isFinite(kb) ? kb / 1024 : undefined;
}

/**
 * NODE_EXTRA_CA_CERTS, when set, is read and parsed by Node 20 as every
 * process starts, before any of Shark runs (~70 ms a start on the 2-core
 * VM, where it is set for the npm proxy): a tax on every Node program that
 * is no part of Shark and that make and snakemake do not pay. The bench
 * measures Shark as on a machine without it (it is taken out of this
 * process's environment, which every command measured inherits) and says
 * so, with what it costs here, so that the figures can be read either way.
 */
export function withoutStartTax(): string[] {
  const certs = process.env['NODE_EXTRA_CA_CERTS'];
  if (certs === undefined) return [];
  const start = (): number => timeOnce(process.execPath, ['-e', '0'], process.cwd());
  const [taxed] = inTurns([start], 9);
  delete process.env['NODE_EXTRA_CA_CERTS'];
  const [clean] = inTurns([start], 9);
  return [
    `NODE_EXTRA_CA_CERTS=${certs} is set: Node parses those certificates as it starts (node -e 0: ${fmt(taxed!)} with it, ${fmt(clean!)} without).`,
    'Every command below runs without it: add the difference to each Shark figure for a machine where it is set.',
  ];
}

/** Whether Shark stats files through its native module here (`npm ci` builds it), which the large figures depend on. */
export function nativeStatNote(): string {
  return lstatAt !== undefined
    ? 'Native stat module: built (build/Release/shark_stat.node); SHARK_NATIVE_STAT=off measures without it.'
    : `Native stat module: ${process.env['SHARK_NATIVE_STAT'] === 'off' ? 'off (SHARK_NATIVE_STAT=off)' : 'not built (npm run build:native)'}: files are stat'ed through Node, slower on large directories.`;
}

export const fmt = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

/** One figure: a table of what was measured, with the target beside each row. */
export function table(title: string, rows: readonly (readonly [string, string, string])[]): string[] {
  const w0 = Math.max(...rows.map((r) => r[0].length), 8);
  const w1 = Math.max(...rows.map((r) => r[1].length), 8);
  return [title, ...rows.map(([what, measured, target]) => `  ${what.padEnd(w0)}  ${measured.padEnd(w1)}  ${target}`)];
}
