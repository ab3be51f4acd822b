import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { PlanJson, Rig } from '../support/rig.js';

const JOBCOMP = '/var/log/slurm/jobcomp.log';

/** The controller's completion records (jobcomp/filetxt) of jobs whose working directory is under `dir`. */
export function jobcompLines(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync(JOBCOMP, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.includes(` WorkDir=${dir}/`));
}

/** Every job's outputs by job id, from `plan --json` once all is cached: content ids, so equal means byte-identical. */
export async function outputsOf(rig: Rig, file: string): Promise<Record<string, unknown>> {
  const plan = await rig.plan(file) as PlanJson & { jobs: { outputs?: Record<string, string> }[] };
  return Object.fromEntries(plan.jobs.map((j) => [j.job, { status: j.status, outputs: j.outputs }]));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A run started in the background (Rig.start), which runningUnder watches. */
export interface Started { process: ChildProcess; ended: Promise<{ code: number | null; stdout: string; stderr: string }> }

/**
 * Waits until Slurm runs a job of `run` whose working directory is under
 * `dir`; returns its id. Fails at once, with what the run printed, if the run
 * ends first; a timeout kills the run and shows what it printed too.
 */
export async function runningUnder(run: Started, dir: string, timeoutMs = 60_000, name?: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let ended: { code: number | null; stdout: string; stderr: string } | undefined;
  void run.ended.then((r) => (ended = r));
  for (;;) {
    const lines = execFileSync('squeue', ['-h', '-r', '-o', '%i|%T|%Z|%j'], { encoding: 'utf8' }).split('\n');
    // `name`: only that job, not one an earlier test left ending in the same directory.
    const running = lines.map((l) => l.split('|')).find(([, state, workdir, job]) =>
      state === 'RUNNING' && (workdir ?? '').startsWith(`${dir}/`) && (name === undefined || job === name));
    if (running !== undefined) return running[0]!;
    if (ended !== undefined) throw new Error(`the run ended (${ended.code}) before a job of ${dir} ran:\n${ended.stdout}${ended.stderr}`);
    if (Date.now() > deadline) {
      run.process.kill('SIGKILL');
      const printed = await run.ended;
      throw new Error(`no job of ${dir} running after ${timeoutMs} ms:\n${lines.join('\n')}\nthe run printed:\n${printed.stdout}${printed.stderr}`);
    }
    await sleep(200);
  }
}

/** The names of the jobs squeue lists (pending, running or completing). */
export function squeueNames(): string[] {
  return execFileSync('squeue', ['-h', '-o', '%j'], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
}

/**
 * A directory holding a slow `tool` (sbatch, scancel…): each call but
 * `--version` appends a line to `calls` in the rig, waits `seconds`, then
 * runs the real one. Put first in PATH, it holds the run inside that call.
 */
export function slowTool(rig: Rig, tool: string, seconds: number): { PATH: string; calls: string } {
  const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
  const calls = `${tool}-calls`;
  rig.write(`slow-bin/${tool}`, `#!/bin/sh\ncase "$1" in --version) exec ${real} "$@";; esac\necho "$*" >> ${rig.path(calls)}\nsleep ${seconds}\nexec ${real} "$@"\n`);
  chmodSync(rig.path(`slow-bin/${tool}`), 0o755);
  return { PATH: `${rig.path('slow-bin')}:${process.env['PATH']}`, calls };
}

/** Waits until `ok` holds, checking every 100 ms. */
export async function until(ok: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} not met after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Cancels this user's jobs named `name` (what a failed test left queued). */
export function scancelNamed(name: string): void {
  execFileSync('scancel', ['--name', name]);
}
