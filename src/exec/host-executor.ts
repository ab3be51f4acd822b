import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExecOutcome, ExecRequest, Executor } from './executor.js';

const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;
const KILL_GRACE_MS = 3000;

/**
 * Runs a job with `/bin/sh -c` on this machine, in its own process group so
 * that cancelling kills everything it started. /data paths in the command
 * point into the job's workspace. The only module that spawns processes for
 * the host.
 */
export class HostExecutor implements Executor {
  async run(req: ExecRequest): Promise<ExecOutcome> {
    if (req.signal.aborted) return { status: 'cancelled' };
    // The workspace path is spliced into shell text unquoted: give it a name the shell cannot misread.
    let root = req.workspace.root;
    let alias: string | undefined;
    if (!SAFE_PATH.test(root)) {
      alias = join(mkdtempSync(join(tmpdir(), 'shark-')), 'ws');
      symlinkSync(root, alias);
      root = alias;
    }
    const cwd = req.cwd === undefined ? req.pipelineDir
      : req.cwd.startsWith('/data/') || req.cwd === '/data' ? root + req.cwd
      : isAbsolute(req.cwd) ? req.cwd : resolve(req.pipelineDir, req.cwd);
    const log = openSync(req.logPath, 'a');
    try {
      if (!existsSync(cwd)) return { status: 'failed', exitCode: null, message: `working directory ${cwd} does not exist` };
      return await new Promise<ExecOutcome>((done) => {
        const child = spawn('/bin/sh', ['-c', req.script(root)], {
          cwd,
          env: { ...process.env, ...req.env },
          stdio: ['ignore', log, log],
          detached: true,
        });
        let ending: 'cancelled' | 'timeout' | undefined;
        const stop = (why: 'cancelled' | 'timeout'): void => {
          if (ending !== undefined || child.pid === undefined) return;
          ending = why;
          killGroup(child.pid, 'SIGTERM');
          setTimeout(() => killGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS).unref();
        };
        const onAbort = (): void => stop('cancelled');
        req.signal.addEventListener('abort', onAbort, { once: true });
        const timer = req.timeout === undefined ? undefined : setTimeout(() => stop('timeout'), req.timeout * 1000);
        child.on('error', (e) => {
          req.signal.removeEventListener('abort', onAbort);
          if (timer) clearTimeout(timer);
          done({ status: 'failed', exitCode: null, message: `cannot start /bin/sh: ${e.message}` });
        });
        child.on('close', (code, signal) => {
          req.signal.removeEventListener('abort', onAbort);
          if (timer) clearTimeout(timer);
          if (ending === 'cancelled') done({ status: 'cancelled' });
          else if (ending === 'timeout') done({ status: 'timeout', message: `timed out after ${req.timeout}s` });
          else if (code === 0) done({ status: 'ok' });
          else done({ status: 'failed', exitCode: code, message: signal ? `killed by ${signal}` : `exit status ${code}` });
        });
      });
    } finally {
      closeSync(log);
      if (alias !== undefined) rmSync(join(alias, '..'), { recursive: true, force: true });
    }
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
