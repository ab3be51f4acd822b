import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARK = join(ROOT, 'bin/shark.js');

export interface SharkOptions {
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  /** A command that runs node for the test (`setpriv …`: shark as another user). */
  readonly wrap?: readonly string[];
  /** Where it runs, relative to the rig's directory (the rig's directory by default). */
  readonly cwd?: string;
}

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A temporary project: write a pipeline and files, run the real `shark`
 * binary in it, and count how often commands ran through counter files.
 */
export class Rig {
  readonly dir: string;

  constructor(prefix = 'shark-test-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }

  write(rel: string, content: string): string {
    const full = this.path(rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return full;
  }

  read(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  exists(rel: string): boolean {
    return existsSync(this.path(rel));
  }

  /** Lines in a counter file that commands append to: how many times they ran. */
  count(rel = 'counter'): number {
    return this.exists(rel) ? this.read(rel).split('\n').filter((l) => l !== '').length : 0;
  }

  lines(rel = 'counter'): string[] {
    return this.exists(rel) ? this.read(rel).split('\n').filter((l) => l !== '') : [];
  }

  shark(args: readonly string[], options: SharkOptions = {}): Promise<Ran> {
    return this.start(args, options).ended;
  }

  /** `shark` running in the background, to signal while it runs; killed after `timeoutMs`. */
  start(args: readonly string[], options: SharkOptions = {}): { process: ChildProcess; ended: Promise<Ran> } {
    const [command, ...prefix] = [...(options.wrap ?? []), process.execPath];
    const child = spawn(command!, [...prefix, SHARK, ...args], {
      cwd: options.cwd === undefined ? this.dir : join(this.dir, options.cwd),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const ended = new Promise<Ran>((done) => child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    }));
    return { process: child, ended };
  }

  /** `shark plan FILE --json`, parsed. */
  async plan(file: string, ...args: string[]): Promise<PlanJson> {
    const ran = await this.shark(['plan', file, '--json', ...args]);
    if (ran.code !== 0) throw new Error(`plan failed (${ran.code}): ${ran.stderr}`);
    return JSON.parse(ran.stdout) as PlanJson;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface PlanJson {
  jobs: { block: string; step: string; job: string; line: number; item?: string; status: 'cached' | 'run' | 'blocked'; reasons: string[] }[];
  summary: { cached: number; run: number; blocked: number };
  notes: string[];
}

/** Steps (or jobs) that the plan would run. */
export function toRun(plan: PlanJson): string[] {
  return plan.jobs.filter((j) => j.status !== 'cached').map((j) => j.job);
}
