import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { connectDocker, type DockerClient } from '../../src/exec/docker/client.js';
import type { ExecRequest } from '../../src/exec/executor.js';
import { imageTag } from '../../src/exec/docker/image-names.js';
import { readLock, type LockFile } from '../../src/lockfile.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import { altOf, ensureTestImage } from './test-image.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real binary (from dist/: `npm test` builds it first). */
export const SHARK = join(ROOT, 'bin', 'shark.js');

export const BASE = process.env.SHARK_TEST_IMAGE ?? 'shark-test/busybox:latest';
export const ALT = altOf(BASE);

const connection = await connectDocker();

/** The engine, when reachable; undefined otherwise. */
export const docker: DockerClient | undefined = connection.ok ? connection.client : undefined;

/** Whether the base image is there (built now if it was missing), else why not. */
const image = docker === undefined ? undefined : await ensureTestImage(docker, BASE);

/**
 * A suite that needs a real Docker engine and the base image: skipped with
 * the reason when either is missing, except in CI (SHARK_REQUIRE_DOCKER=1),
 * where that fails the suite instead of silently testing nothing.
 */
export function describeDocker(name: string, body: (client: DockerClient) => void): void {
  const missing = !connection.ok ? `Docker unreachable: ${connection.message.split('\n')[0]}` : image?.ok === false ? image.reason : undefined;
  if (docker !== undefined && missing === undefined) {
    describe(name, () => body(docker));
  } else if (process.env.SHARK_REQUIRE_DOCKER === '1') {
    describe(name, () => {
      it('needs a reachable Docker engine and the test image (SHARK_REQUIRE_DOCKER=1)', () => {
        throw new Error(missing);
      });
    });
  } else {
    sayOnce(`Docker tests skipped: ${missing}`);
    describe.skip(`${name} (skipped: ${missing})`, () => {
      it('skipped', () => undefined);
    });
  }
}

/** Prints `line` once per test run, not once per test file (each file loads this module afresh, in a worker of one runner). */
function sayOnce(line: string): void {
  try {
    writeFileSync(join(tmpdir(), `shark-docker-skip-${process.ppid}`), line, { flag: 'wx' });
  } catch {
    return;
  }
  process.stderr.write(`${line}\n`);
}

/** The docker CLI, for what the tests set up or check behind Shark's back (tags, leftovers). */
export function dockerCli(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export function scratch(prefix = 'shark-docker-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
}

/** Writes `PIPELINE.md` into `dir` and loads it; throws on diagnostics (a broken test, not a finding). */
export function pipelineIn(dir: string, markdown: string, name = 'pipeline.md'): { path: string; pipeline: Pipeline } {
  const path = join(dir, name);
  writeFileSync(path, markdown);
  const { pipeline, diagnostics } = loadPipeline(path, markdown);
  if (pipeline === undefined) throw new Error(diagnostics.map((d) => `${d.at.line}:${d.at.col} ${d.message}`).join('\n'));
  return { path, pipeline };
}

/** An ExecRequest for a job in a fresh workspace under `dir`; `inputs` are written there first. */
export function request(dir: string, o: {
  script: string;
  label?: string;
  inputs?: Record<string, string>;
  outputs?: string[];
  network?: boolean;
  timeout?: number;
  cwd?: string;
  env?: Record<string, string>;
  signal?: AbortSignal;
}): ExecRequest & { logPath: string; workspace: { root: string } } {
  const root = mkdtempSync(join(dir, 'ws-'));
  mkdirSync(join(root, 'data'));
  for (const [path, body] of Object.entries(o.inputs ?? {})) {
    mkdirSync(dirname(root + path), { recursive: true });
    writeFileSync(root + path, body, { mode: 0o444 });
  }
  return {
    label: o.label ?? unique('job'),
    script: (dataRoot) => o.script.replaceAll('/data', `${dataRoot}/data`),
    workspace: { root },
    inputs: Object.keys(o.inputs ?? {}).map((path) => ({ path })),
    outputs: (o.outputs ?? []).map((path) => ({ path })),
    cwd: o.cwd,
    pipelineDir: dir,
    containerWorkdir: '/root',
    env: o.env ?? {},
    network: o.network ?? false,
    timeout: o.timeout,
    logPath: join(root, 'job.log'),
    signal: o.signal ?? new AbortController().signal,
  };
}

/**
 * Untags the images a test built from its own unique base tag (found through
 * its lock file), so repeated runs do not pile them up. Only tags: an image
 * another test shares by id stays.
 */
export function removeBuiltImages(lockPath: string): void {
  const read = readLock(lockPath);
  if (!read.ok) return;
  for (const [name, entry] of Object.entries(read.lock.environments)) {
    if (entry.inputs === undefined) continue;
    try {
      dockerCli('rmi', imageTag(name, entry.inputs));
    } catch {
      // Already gone, or still used by a container of a test running beside this one.
    }
  }
}

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real binary in `cwd` and collects what it said. */
export function shark(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SHARK, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `shark run --json`, and the blocks whose jobs actually started. */
export async function run(file: string, cwd: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ started: string[]; result: Ran }> {
  const result = await shark(['run', file, '--json', ...extra], cwd, env);
  const events = result.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; block?: string });
  return { started: events.filter((e) => e.type === 'job-start').map((e) => e.block!).sort(), result };
}

/** The lock file beside `pipelinePath`, which the test expects to be well-formed. */
export function lockOf(pipelinePath: string): LockFile {
  const read = readLock(pipelinePath.replace(/\.md$/, '.lock.json'));
  if (!read.ok) throw new Error(`malformed lock file: ${read.diagnostic.message}`);
  return read.lock;
}
