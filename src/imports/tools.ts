import { spawn } from 'node:child_process';
import { settings } from './http.js';

/** A failure's `said` is the tool's own last lines (maybe none), when it ran and exited with an error. */
export type ToolResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly message: string; readonly said?: string };

/**
 * Runs `git`, `tar` or `unzip` for an import, without a shell. The only
 * module under imports/ that starts processes.
 */
export function runTool(cmd: string, args: readonly string[], o: { signal: AbortSignal; cwd?: string }): Promise<ToolResult> {
  return new Promise((done) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      signal: o.signal,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Never wait for a password on a terminal nobody watches.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...gitIdleTimeout() },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') done({ ok: false, message: `\`${cmd}\` is not installed (it is needed for this import)` });
      else if (o.signal.aborted) done({ ok: false, message: `${cmd} was cancelled` });
      else done({ ok: false, message: `cannot run ${cmd}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      if (code === 0) return done({ ok: true, stdout: Buffer.concat(out).toString('utf8') });
      const text = Buffer.concat(err).toString('utf8').trim().split('\n').filter((l) => l !== '');
      const last = text.slice(-3).join(' / ');
      const message = `${cmd} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`})${last === '' ? '' : `: ${last}`}`;
      done(code === null ? { ok: false, message } : { ok: false, message, said: last });
    });
  });
}

/**
 * Git over HTTP(S) gives up on a server gone quiet after the idle timeout downloads have
 * (`SHARK_HTTP_TIMEOUT_MS`): without it, `git ls-remote` of a server that accepts and never
 * answers kept `plan` waiting for ever. A limit set in the environment (`GIT_HTTP_LOW_SPEED_*`) is kept.
 */
function gitIdleTimeout(): Record<string, string> {
  if (process.env.GIT_HTTP_LOW_SPEED_TIME !== undefined || process.env.GIT_HTTP_LOW_SPEED_LIMIT !== undefined) return {};
  const seconds = Math.max(1, Math.ceil(settings({ signal: new AbortController().signal }).timeoutMs / 1000));
  return { GIT_HTTP_LOW_SPEED_LIMIT: '1', GIT_HTTP_LOW_SPEED_TIME: String(seconds) };
}
