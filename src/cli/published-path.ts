import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { loadPipeline } from '../pipeline/load.js';
import { publishedAt } from '../pipeline/publish-targets.js';
import { typedWord } from '../pipeline/shell-words.js';

/**
 * The message for a PATH argument that is no /data path (`lineage`,
 * `attest`, `verify`, `sign`), saying more when it is a file on disk: a
 * reviewer's first guess is the published copy (`_shark/report.txt`), so
 * the /data path the document publishes there is named, and `why`, which
 * asks of bytes on disk.
 */
export function notDataPathMessage(file: string, given: string, message: string): string {
  if (!existsSync(given)) return message;
  const data = publishedFrom(file, given);
  const why = `\`shark why ${typedWord(given)}\``;
  return data === undefined
    ? `${message} (${why} asks where the bytes of a file on disk came from)`
    : `${message}: ${file} publishes ${data} there (${why} asks where the bytes on disk came from)`;
}

/** The /data path a publish block of `file` copies to `given` (relative to the current directory), or into a directory holding it. */
function publishedFrom(file: string, given: string): string | undefined {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // A document that does not check names no publish target: the hint is only a hint.
  const { pipeline } = loadPipeline(file, source);
  const dir = dirname(resolve(file));
  const abs = resolve(given);
  for (const step of pipeline?.steps ?? []) {
    if (step.kind !== 'publish') continue;
    for (const input of step.inputs) {
      const target = resolve(dir, publishedAt(step.dir, input.path));
      if (abs === target) return input.path;
      if (abs.startsWith(target + sep)) return `${input.path.replace(/\/$/, '')}/${relative(target, abs).split(sep).join('/')}`;
    }
  }
  return undefined;
}
