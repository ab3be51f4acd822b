import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ROOT, SHARK, type Rig } from '../support/rig.js';
import type { PageState } from '../../src/serve/views.js';

/** A running `shark serve`: its URL (parsed from what it printed) and a way to stop it. */
export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `shark serve FILE --port 0 ARGS` in the rig and waits for the URL it prints. */
export function serve(rig: Rig, file: string, ...args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [SHARK, 'serve', file, '--port', '0', ...args], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`shark serve printed no URL in 30 s:\n${out}`)), 30_000);
    const look = (): void => {
      const m = /serving .* at (http:\/\/\S+\/)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', look);
      done({
        url: m[1]!.replace(/\/$/, ''),
        child,
        output: () => out,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`shark serve exited (${code}) before serving:\n${out}`));
    });
  });
}

/** The example pipeline (host steps only) and its data, copied into the rig. */
export function copyExample(rig: Rig): string {
  cpSync(join(ROOT, 'pipelines/example.md'), rig.path('example.md'));
  cpSync(join(ROOT, 'pipelines/example-data'), rig.path('example-data'), { recursive: true });
  return 'example.md';
}

/** A GET with the path sent exactly as given (fetch would resolve `..` before sending it). */
export function rawGet(url: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

export const CHROMIUM = process.env['SHARK_CHROMIUM'] ?? '/usr/bin/chromium';

/** Where the browser tests leave their screenshots: `test-output/serve/` in the repository (gitignored). */
export function screenshotDir(): string {
  const dir = process.env['SHARK_TEST_OUTPUT'] !== undefined ? join(process.env['SHARK_TEST_OUTPUT'], 'serve') : join(ROOT, 'test-output', 'serve');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A suite that needs a real headless browser (Debian's chromium, driven by
 * puppeteer-core): skipped with the reason when it is missing, except in CI
 * (SHARK_REQUIRE_BROWSER=1), where that fails instead of testing nothing.
 */
export function describeBrowser(name: string, body: () => void): void {
  const missing = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (install Debian's chromium, or set SHARK_CHROMIUM)`;
  if (missing === undefined) describe(name, body);
  else if (process.env['SHARK_REQUIRE_BROWSER'] === '1') {
    describe(name, () => {
      it('needs a headless chromium (SHARK_REQUIRE_BROWSER=1)', () => {
        throw new Error(missing);
      });
    });
  } else {
    process.stderr.write(`browser tests skipped: ${missing}\n`);
    describe.skip(`${name} (skipped: ${missing})`, () => {
      it('skipped', () => undefined);
    });
  }
}

/** The state `/events` sends first: what the page shows now. */
export async function pageState(url: string): Promise<PageState> {
  const stop = new AbortController();
  const res = await fetch(url + '/events', { signal: stop.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  stop.abort();
  return JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as PageState;
}
