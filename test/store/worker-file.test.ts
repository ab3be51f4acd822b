import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workerFile } from '../../src/store/worker-file.js';

describe('a worker thread runs its bundle only when the bundle is as new as its compiled module', () => {
  let dist: string;
  let module: URL;
  const bundle = (): string => join(dist, 'hash-worker.cjs');
  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'shark-workerfile-'));
    mkdirSync(join(dist, 'src', 'store'), { recursive: true });
    writeFileSync(join(dist, 'src', 'store', 'hash-worker.js'), '// compiled\n');
    module = pathToFileURL(join(dist, 'src', 'store', 'hash-worker.js'));
  });
  afterEach(() => {
    delete process.env['SHARK_DEBUG'];
    rmSync(dist, { recursive: true, force: true });
  });

  it('runs the bundle beside the CLI when it was made after the module', () => {
    writeFileSync(bundle(), '// bundled\n');
    utimesSync(module, 1_700_000_000, 1_700_000_000);
    expect(workerFile(module)?.href).toBe(pathToFileURL(bundle()).href);
  });

  it('runs the module when the bundle is older (tsc ran, the bundler did not) or missing', () => {
    expect(workerFile(module)?.href).toBe(module.href);
    writeFileSync(bundle(), '// bundled\n');
    utimesSync(bundle(), 1_700_000_000, 1_700_000_000);
    expect(workerFile(module)?.href).toBe(module.href);
  });

  it('runs the module with SHARK_DEBUG=1, for stack traces that name it', () => {
    writeFileSync(bundle(), '// bundled\n');
    utimesSync(module, 1_700_000_000, 1_700_000_000);
    process.env['SHARK_DEBUG'] = '1';
    expect(workerFile(module)?.href).toBe(module.href);
  });

  it('starts no thread where the compiled module is absent (the work is done on the calling thread)', () => {
    rmSync(join(dist, 'src'), { recursive: true });
    writeFileSync(bundle(), '// bundled\n');
    expect(workerFile(module)).toBeUndefined();
  });
});
