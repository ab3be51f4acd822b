import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Ends a run's jobs when the run dies, however it dies (SIGKILL included).
 * A tiny shell, in a process group of its own, reads the process groups of
 * the run's launchers from a pipe; when the run's end of the pipe closes
 * (the kernel closes it on any death), it kills those groups and, if the run
 * used containers, has them killed too. Started on first use: a fully
 * cached run pays nothing.
 */
const SCRIPT = [
  'd=0; g=""',
  'while IFS= read -r l; do case "$l" in docker) d=1;; *) g="$g $l";; esac; done',
  'for p in $g; do kill -s KILL -- "-$p" 2>/dev/null; done',
  '[ "$d" = 1 ] && [ -f "$2" ] && exec "$1" "$2" "$3"',
  'exit 0',
].join('\n');

let guard: ChildProcess | undefined;
let dockerWatched = false;

function send(line: string): void {
  if (guard === undefined) {
    const reaper = fileURLToPath(new URL('./docker/reap-main.js', import.meta.url));
    guard = spawn('/bin/sh', ['-c', SCRIPT, 'shark-watchdog', process.execPath, reaper, String(process.pid)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    guard.on('error', () => undefined);
    guard.stdin!.on('error', () => undefined);
    // It must never keep Shark running.
    guard.unref();
    (guard.stdin as unknown as { unref?: () => void }).unref?.();
  }
  guard.stdin!.write(`${line}\n`);
}

/** Kill this process group if the run dies. */
export function guardProcessGroup(pgid: number): void {
  send(String(pgid));
}

/** Kill this run's job containers if the run dies. */
export function guardContainers(): void {
  if (dockerWatched) return;
  dockerWatched = true;
  if (existsSync(fileURLToPath(new URL('./docker/reap-main.js', import.meta.url)))) send('docker');
}
