import type { KeyRecord } from '../plan/key.js';

/**
 * A file outside /data that a job's key holds, with the content id it had
 * when the job ran: a local file its command names, or a `{deps}` file
 * (`deps`). They are not in its inputs, yet which version of a helper made
 * a result is theirs to say.
 */
export interface LocalFile {
  readonly path: string;
  readonly id: string;
  readonly deps?: true;
}

type Pairs = KeyRecord['files'];

/** The command's local files, then the `{deps}` files (a file that is both, once, marked `deps`). */
export function localFilesOf(files: Pairs, deps: Pairs = []): LocalFile[] {
  const named = new Set(deps.map(([p, id]) => `${p}\0${id}`));
  return [
    ...files.map(([path, id]) => (named.has(`${path}\0${id}`) ? { path, id, deps: true as const } : { path, id })),
    ...deps.filter(([p, id]) => !files.some(([q, other]) => q === p && other === id)).map(([path, id]) => ({ path, id, deps: true as const })),
  ];
}
