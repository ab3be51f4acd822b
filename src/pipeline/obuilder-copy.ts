import { posix } from 'node:path';

/**
 * OBuilder's `(copy (src SRC...) (dst DST) (exclude NAME...))` as Dockerfile COPY lines.
 *
 * The two disagree on directories: Docker's `COPY dir ./` copies the directory's
 * *contents*, OBuilder's copies the directory *itself* (`./dir/…`). OBuilder's rules:
 * when DST ends in `/`, each SRC goes into it under its own name (`dst/basename`);
 * otherwise the single SRC is copied *as* DST. Writing `COPY src dst/basename` gives
 * that for files and directories alike, without looking at the disk. OBuilder copies
 * as the current `(user …)`, hence `--chown`; it names sources literally (no globs)
 * and refuses `..`.
 */
export type CopyResult =
  | { ok: true; lines: string[]; sources: string[]; exclude: string[] }
  | { ok: false; message: string };

/**
 * A COPY source that leaves the pipeline's directory (the build context), as
 * the message that refuses it when the document is checked: Docker would
 * refuse it only once the build runs. OBuilder refuses any `..`; Docker
 * resolves one first (`data/../b` is `b`, and `/x` is `x` in the directory).
 */
export function upwardSource(what: string, src: string, form: 'dockerfile' | 'obuilder'): string | undefined {
  const up = form === 'obuilder' ? src.split('/').includes('..') : posix.normalize(src).split('/')[0] === '..';
  return up ? `${what} sources stay inside the pipeline's directory: \`${src}\` goes up with \`..\`` : undefined;
}

export function translateCopy(srcs: readonly string[], dst: string, exclude: readonly string[], chown: string | undefined): CopyResult {
  for (const src of srcs) {
    if (/[*?[]/.test(src)) return { ok: false, message: `(copy …) names files and directories literally, as OBuilder does: \`${src}\` is not a pattern` };
    const up = upwardSource('(copy …)', src, 'obuilder');
    if (up !== undefined) return { ok: false, message: up };
  }
  const flag = chown === undefined ? '' : `--chown=${chown} `;
  const copy = (src: string, target: string): string => `COPY ${flag}${JSON.stringify([src, target])}`;
  if (!dst.endsWith('/')) {
    if (srcs.length !== 1) return { ok: false, message: '(copy …) of several sources needs a destination ending in `/` (OBuilder copies each into it)' };
    return { ok: true, lines: [copy(srcs[0]!, dst)], sources: [...srcs], exclude: [...exclude] };
  }
  const lines = srcs.map((src) => {
    // `.` (the whole source directory) has no name of its own: its contents go into DST.
    const name = posix.basename(posix.normalize(`/${src}`));
    return copy(src, name === '' ? dst : `${dst}${name}`);
  });
  return { ok: true, lines, sources: [...srcs], exclude: [...exclude] };
}
