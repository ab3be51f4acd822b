import { runHelper } from '../helper-processes.js';
import { settings } from './http.js';

/** A failure's `said` is the tool's own last lines (maybe none), when it ran and exited with an error. */
export type ToolResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly message: string; readonly said?: string };

/**
 * Runs `git`, `tar` or `unzip` for an import, without a shell, in a session
 * of its own (a helper: helper-processes.ts): stopped (`signal`), it is
 * killed with what it started — the `ssh` or `git-remote-https` of a
 * `git ls-remote` lived on after a stopped `plan`. The only module under
 * imports/ that starts processes.
 */
export async function runTool(cmd: string, args: readonly string[], o: { signal: AbortSignal; cwd?: string }): Promise<ToolResult> {
  // Never wait for a password on a terminal nobody watches.
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...gitIdleTimeout() };
  const r = await runHelper(cmd, args, { env, cwd: o.cwd, signal: o.signal });
  if (r.error !== undefined) {
    return { ok: false, message: r.error.code === 'ENOENT' ? `\`${cmd}\` is not installed (it is needed for this import)` : `cannot run ${cmd}: ${r.error.message}` };
  }
  if (r.stopped === 'aborted') return { ok: false, message: `${cmd} was cancelled` };
  if (r.code === 0) return { ok: true, stdout: r.stdout };
  const last = r.stderr.trim().split('\n').filter((l) => l !== '').slice(-3).join(' / ');
  const message = `${cmd} ${args[0] ?? ''} failed (${r.killedBy ?? `exit ${r.code}`})${last === '' ? '' : `: ${last}`}`;
  return r.code === null ? { ok: false, message } : { ok: false, message, said: last };
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
