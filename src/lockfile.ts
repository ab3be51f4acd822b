import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * `PIPELINE.lock.json` beside the pipeline: what moving references resolved
 * to, so that a run is repeatable until the user asks for `--update`/`--refresh`.
 */
export interface LockFile {
  version: 1;
  /** Per environment: the base images resolved to digests, and the built image's id. */
  environments: Record<string, { bases: Record<string, string>; image: string; inputs?: string }>;
  /** Per import clause (`SOURCE DEST`): its pin. */
  imports: Record<string, Record<string, string | number>>;
}

export function lockPathFor(pipelinePath: string): string {
  return pipelinePath.replace(/\.md$/i, '') + '.lock.json';
}

export function readLock(path: string): LockFile {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockFile>;
    return { version: 1, environments: data.environments ?? {}, imports: data.imports ?? {} };
  } catch {
    return { version: 1, environments: {}, imports: {} };
  }
}

/** Written whole or not at all. Keys are sorted so the file diffs well. */
export function writeLock(path: string, lock: LockFile): void {
  const sorted = (o: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  const text = JSON.stringify({ version: 1, environments: sorted(lock.environments), imports: sorted(lock.imports) }, null, 2) + '\n';
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function importLockKey(raw: string, dest: string): string {
  return `${raw} ${dest}`;
}
