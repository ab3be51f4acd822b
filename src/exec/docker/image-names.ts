import { expandWord } from '../../pipeline/dockerfile-args.js';
import { sha256 } from '../../store/hash.js';

/**
 * `shark-env/NAME:INPUTS`: a tag keeps the image from being pruned as dangling; the id is what counts. NAME is
 * the environment's, lowercased, with what the engine refuses in a reference (`invalid reference format`) made
 * `-`: a separator other than `.`, `_`, `__` or dashes (`x..y`, `a-_b`), one at either end (`tools-`), any other character.
 * A name changed so ends in a hash of itself: `GDAL` and `gdal` (or `x..y` and `x-y`) are two environments, and
 * the tag must not find one's image for the other (tagged-image.ts); a name the engine takes is kept as it is.
 */
export function imageTag(env: string, inputsHash: string): string {
  const repo = env.toLowerCase().replace(/[^a-z0-9._-]/g, '-')
    .replace(/[._-]+/g, (sep) => (/^(\.|_|__|-+)$/.test(sep) ? sep : '-'))
    .replace(/^[._-]+|[._-]+$/g, '') || 'env';
  const distinct = repo === env ? repo : `${repo}-${sha256(env).slice(0, 8)}`;
  return `shark-env/${distinct}:${inputsHash.replace(/^sha256:/, '').slice(0, 16)}`;
}

/**
 * Rewrites `FROM ref` and `COPY --from=ref` to `sha256:…` for pinned bases; stage names and `AS`
 * clauses are kept. A FROM naming an ARG (`FROM $IMG`) is pinned by what the ARG's default makes of it.
 */
export function pinBases(dockerfile: string, pins: ReadonlyMap<string, string>, args: Readonly<Record<string, string>> = {}): string {
  if (pins.size === 0) return dockerfile;
  const defaults = new Map(Object.entries(args));
  return dockerfile.replace(/^(\s*FROM\s+(?:--\S+\s+)*)(\S+)/gim, (whole, lead: string, ref: string) => {
    const expanded = expandWord(ref, defaults);
    const id = expanded.ok ? pins.get(expanded.value) : undefined;
    return id === undefined ? whole : lead + id;
  }).replace(/^(\s*COPY\s+(?:--\S+\s+)*?--from=)(\S+)/gim, (whole, lead: string, ref: string) => {
    // Pins hold only images: build-spec.ts leaves stage names out of the bases.
    const id = pins.get(ref);
    return id === undefined ? whole : lead + id;
  });
}

/** A base image whose tag now names another image than the lock's. */
export interface Drift {
  readonly env: string;
  readonly ref: string;
  readonly from: string;
  readonly to: string;
}

export function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Whether an image's labels say it was built for this environment and these inputs (an image without them says nothing). */
export function builtFor(labels: Readonly<Record<string, string>>, name: string, inputs: string): boolean {
  return (labels['shark.env'] === undefined || labels['shark.env'] === name) && (labels['shark.inputs'] === undefined || labels['shark.inputs'] === inputs);
}
