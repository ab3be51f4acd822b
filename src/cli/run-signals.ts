import { isatty } from 'node:tty';
import { EXIT_INTERRUPTED } from './load-or-report.js';
import { closedOutput } from './process-guards.js';
import { drawsEscapes } from '../printable.js';

/**
 * How a run hears what asks it to stop, until the returned function is
 * called. Ctrl-C (SIGINT) and SIGTERM call `stop` (the run cancels its jobs
 * and records what finished); a second one quits at once.
 *
 * SIGHUP, the terminal gone: where the run's output goes to it, it stops as
 * on SIGTERM, saying nothing (all it would print is lost). Where neither stdout nor stderr
 * is a terminal (`nohup shark run …`, `shark run … > run.log 2>&1 &`), the
 * user has arranged for it to outlive the session: it goes on, saying so.
 * Node resets an ignored SIGHUP to its default as it starts, so without
 * this, `nohup` left a run of days to die at the logout.
 */
export function hearStopSignals(stderr: (s: string) => void, stop: () => void): (settled?: number) => void {
  const detached = !isatty(1) && !isatty(2);
  let heard = 0;
  let closed = closedOutput();
  const onSignal = (signal: NodeJS.Signals): void => {
    // The output ending since (a terminal that hung up, EPIPE) is said as SIGTERM (process-guards.ts): no second stop.
    const ended = !closed && closedOutput();
    closed = closedOutput();
    if (ended && heard > 0) return;
    heard++;
    if (heard > 1) process.exit(EXIT_INTERRUPTED);
    // Not to a terminal that hung up: the write would fail (EIO), and its failure stop the run a second time, at once.
    // At a terminal the status line is on the row Ctrl-C was echoed on: cleared, not left above the message.
    const row = drawsEscapes(process.stdout) && drawsEscapes(process.stderr) ? '\r\x1b[2K' : '\n';
    if (!closedOutput() && signal !== 'SIGHUP') stderr(`${row}shark: ${stoppingMessage(signal)}\n`);
    stop();
  };
  let hungUp = false;
  const onHangUp = (): void => {
    if (!detached) return onSignal('SIGHUP');
    if (!hungUp) stderr('shark: hung up (SIGHUP): the run goes on, its output being no terminal (Ctrl-C or SIGTERM stops it)\n');
    hungUp = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangUp);
  return (settled?: number) => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHangUp);
    // Stopped, the run ended: a second signal before the process does still quits 130, not killed by it (143).
    const code = heard > 0 ? EXIT_INTERRUPTED : settled;
    // Ended and said so (`ok: …`), closing the store: a signal in those milliseconds ends the process as the run ended
    // (it exited 130 after saying ok, 11 times in 12).
    if (code !== undefined) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(code));
  };
}

/**
 * What the first stopping signal prints: the way to quit at once named for
 * the signal received, since a SIGTERM comes from a program (`kill`, a
 * service manager), not a terminal where Ctrl-C could be pressed.
 */
function stoppingMessage(signal: NodeJS.Signals): string {
  return signal === 'SIGINT'
    ? 'stopping: cancelling running jobs (Ctrl-C again to quit at once)'
    : `stopping on ${signal}: cancelling running jobs (send it again, or Ctrl-C, to quit at once)`;
}
