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

export function emptyLock(): LockFile {
  return { version: 1, environments: {}, imports: {} };
}
