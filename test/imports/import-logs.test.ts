import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { FakeServer } from './fake-server.js';

/**
 * The `log:` path a run prints under an import's failure is a file that
 * holds what was tried and why it failed, and `shark logs` shows it.
 */

let server: FakeServer;
let rig: Rig;

beforeEach(async () => {
  server = await FakeServer.start();
  rig = new Rig('shark-import-logs-');
});
afterEach(async () => {
  await server.close();
  rig.cleanup();
});

const env = { SHARK_HTTP_BACKOFF_MS: '10' };
const shark = (...args: string[]) => rig.shark(args, { env });
const page = (line: string) => `# l\n\n\`\`\`shark-import\n${line}\n\`\`\`\n`;
const logOf = (stdout: string, stderr: string): string => {
  const m = /log: (\S+\.log)/.exec(stdout + stderr);
  expect(m, stdout + stderr).not.toBeNull();
  return m![1]!;
};

describe('the log of an import', () => {
  it('holds the clause and the error of a 404, and shark logs shows it', async () => {
    rig.write('p.md', page(`${server.url}/nothere.csv /data/a.csv`));
    const ran = await shark('run', 'p.md');
    expect(ran.code).not.toBe(0);
    const log = readFileSync(logOf(ran.stdout, ran.stderr), 'utf8');
    expect(log).toContain(`import ${server.url}/nothere.csv → /data/a.csv`);
    expect(log).toContain('HTTP 404');
    const logs = await shark('logs', 'p.md');
    expect(logs.stdout).toContain('HTTP 404');
  });

  it('holds the error of a checksum mismatch', async () => {
    server.file('/a.csv', 'x\n', 'text/csv');
    rig.write('p.md', page(`${server.url}/a.csv /data/a.csv sha256:${'0'.repeat(64)}`));
    const ran = await shark('run', 'p.md');
    expect(ran.code).not.toBe(0);
    expect(readFileSync(logOf(ran.stdout, ran.stderr), 'utf8')).toMatch(/checksum|sha256/);
  });

  it('records what was fetched when the import succeeds', async () => {
    server.file('/a.csv', 'x\n', 'text/csv');
    rig.write('p.md', page(`${server.url}/a.csv /data/a.csv`));
    const ran = await shark('run', 'p.md');
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const logs = await shark('logs', 'p.md');
    expect(logs.stdout).toContain(`import ${server.url}/a.csv → /data/a.csv`);
    expect(logs.stdout).toMatch(/fetched: .*sha256=[0-9a-f]{64}/);
  });
});
