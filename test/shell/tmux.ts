import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { SHARK } from '../support/rig.js';

const TMUX = process.env['SHARK_TMUX'] ?? 'tmux';

function tmuxMissing(): string | undefined {
  try {
    execFileSync(TMUX, ['-V'], { stdio: 'ignore' });
    return undefined;
  } catch (e) {
    return `tmux is not installed (${(e as Error).message.split('\n')[0]})`;
  }
}

/**
 * A suite that drives `shark shell` through a real pseudo-terminal: skipped
 * with the reason when tmux is missing, except in CI (SHARK_REQUIRE_TMUX=1),
 * where that fails the suite instead of silently testing nothing.
 */
export function describeTmux(name: string, body: () => void): void {
  const missing = tmuxMissing();
  if (missing === undefined) describe(name, body);
  else if (process.env['SHARK_REQUIRE_TMUX'] === '1') {
    describe(name, () => it('needs tmux (SHARK_REQUIRE_TMUX=1)', () => {
      throw new Error(missing);
    }));
  } else {
    describe.skip(`${name} (skipped: ${missing})`, () => it('skipped', () => undefined));
  }
}

const PROMPT = /^shark(\[[^\]]*\])?> ?/;

const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

/** `shark shell` in a tmux pane of a private server (its own socket), typed at and read back from the screen. */
export class Pane {
  private readonly socket = `shark-shell-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(private readonly cwd: string, private readonly args: readonly string[]) {}

  private tmux(...args: string[]): string {
    return execFileSync(TMUX, ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async start(): Promise<void> {
    this.launch('');
    await this.until((screen) => PROMPT.test(this.lastLine(screen) ?? ''), 'the first prompt');
  }

  /** `shark shell < FILE` at the terminal: commands from a file, the terminal's keys (Ctrl-C) still reaching it. */
  async startBatch(file: string, shown: string): Promise<void> {
    this.launch(` < ${quote(file)}`);
    await this.until((screen) => screen.includes(shown), `\`${shown}\` on the screen`);
  }

  private launch(redirect: string): void {
    const command = [process.execPath, SHARK, 'shell', ...this.args].map(quote).join(' ');
    // The shell's last words stay on the screen if it exits: a failure shows them.
    this.tmux('new-session', '-d', '-s', 'shell', '-x', '160', '-y', '50', '-c', this.cwd, `${command}${redirect}; echo "[shell exited: $?]"; sleep 600`);
  }

  /** Everything the pane showed, scrollback included. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-2000', '-t', 'shell');
  }

  private lastLine(screen: string): string | undefined {
    return screen.split('\n').filter((l) => l.trim() !== '').pop();
  }

  private prompts(screen: string): number {
    return screen.split('\n').filter((l) => PROMPT.test(l)).length;
  }

  /** Types a line and waits for the next prompt; returns what the line printed. */
  async type(line: string): Promise<string> {
    const before = this.prompts(this.screen());
    this.keys(line);
    const screen = await this.until((s) => this.prompts(s) > before && /^shark(\[[^\]]*\])?>\s*$/.test(this.lastLine(s) ?? ''), `the prompt after \`${line}\``);
    const lines = screen.split('\n');
    const at = lines.map((l) => l.replace(PROMPT, '')).lastIndexOf(line);
    return lines.slice(at + 1).filter((l) => !/^shark(\[[^\]]*\])?>\s*$/.test(l) && l.trim() !== '').join('\n');
  }

  /** Types a line (then Enter) without waiting. */
  keys(line: string): void {
    this.text(line);
    this.tmux('send-keys', '-t', 'shell', 'Enter');
  }

  /** Types text, no Enter. */
  text(text: string): void {
    this.tmux('send-keys', '-t', 'shell', '-l', text);
  }

  ctrlC(): void {
    this.tmux('send-keys', '-t', 'shell', 'C-c');
  }

  ctrlD(): void {
    this.tmux('send-keys', '-t', 'shell', 'C-d');
  }

  /** Polls the screen until `ready` holds (no fixed sleeps: the machine may be busy). */
  async until(ready: (screen: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (ready(screen)) return screen;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Closes the terminal, as closing its window does: the shell gets SIGHUP, and its terminal is gone. */
  hangUp(): void {
    this.tmux('kill-session', '-t', 'shell');
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
