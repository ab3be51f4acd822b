import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { Rig, SHARK, type SharkOptions } from '../support/rig.js';

export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `shark shell` reading its commands from a pipe that stays open: lines are sent while it runs, and its transcript read back. */
export class BatchShell {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly ended: Promise<Ended>;

  /** `options.wrap` runs it through another command (`setpriv …`: as another user), with `options.env` added. */
  constructor(rig: Rig, args: readonly string[], options: SharkOptions = {}) {
    const [command, ...prefix] = [...(options.wrap ?? []), process.execPath];
    this.child = spawn(command!, [...prefix, SHARK, 'shell', ...args], { cwd: rig.dir, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.ended = new Promise((done) => this.child.on('close', (code, signal) => done({ code, signal, stdout: this.stdout, stderr: this.stderr })));
  }

  send(lines: string): void {
    this.child.stdin!.write(lines);
  }

  /** Ends the commands (as the end of a file does) and waits for the shell to exit. */
  end(): Promise<Ended> {
    this.child.stdin!.end();
    return this.ended;
  }

  /** Polls the transcript until it holds `text` (no fixed sleeps: the machine may be busy). */
  async until(text: string, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (Date.now() > end || this.child.exitCode !== null) throw new Error(`no \`${text}\` in the transcript:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Workspaces a session left in the store's scratch directory. */
export function leftWorkspaces(rig: Rig): string[] {
  return rig.exists('.shark/tmp') ? readdirSync(rig.path('.shark/tmp')).filter((n) => n.startsWith('ws-')) : [];
}

/** `shark shell … < commands`: the transcript, and the exit status. */
export function shell(rig: Rig, args: readonly string[], commands: string, options: SharkOptions = {}): Promise<Ended> {
  const batch = new BatchShell(rig, args, options);
  batch.send(commands);
  return batch.end();
}
