import { warning, type Diagnostic } from '../diagnostics.js';
import type { Document } from '../markdown/document.js';
import { splitCommands } from './shell-lines.js';
import { runBlocksAsWritten } from './written-blocks.js';
import { shellWords } from './shell-words.js';

/**
 * The original Shark rewrote `/data/x` into where it kept results when it
 * wrote a document out: `/shark/HASH/x` in commands (its mount of another
 * block's results) and `/obuilder-zfs/…/rootfs/data/x` in publish blocks.
 * Such a path names nothing in a run of Shark; porters of those documents
 * need the /data path back, which the path itself tells.
 */
export function originalResultPath(raw: string): { kind: 'mount' | 'store'; data: string | undefined } | undefined {
  const mount = /^\/shark\/[0-9a-f]{16,}\/(.+)$/.exec(raw);
  if (mount !== null) return { kind: 'mount', data: `/data/${mount[1]}` };
  if (!raw.startsWith('/obuilder-zfs/')) return undefined;
  const inStore = raw.indexOf('/rootfs/data/');
  return { kind: 'store', data: inStore < 0 ? undefined : raw.slice(inStore + '/rootfs'.length) };
}

/** What to say of a path `originalResultPath` recognises. */
export function originalPathMessage(raw: string, found: NonNullable<ReturnType<typeof originalResultPath>>): string {
  const what = found.kind === 'mount' ? "mounted another block's results" : 'kept a result';
  const here = found.kind === 'mount' ? 'no step sees it here' : 'it is no path of this document';
  const instead = found.data === undefined ? 'name the /data path the step that made it writes' : `name the /data path, \`${found.data}\``;
  return `\`${raw}\` is where the original Shark ${what}, in the documents it wrote: ${here}; ${instead}`;
}

/**
 * Warnings at the original Shark's result paths in run commands. A command may
 * name paths outside /data of its own, so these are warnings; one per block as
 * written, not per instance of a sweep.
 */
export function originalPathsInCommands(document: Document): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const block of runBlocksAsWritten(document)) {
    for (const command of splitCommands(block.body).commands) {
      for (const word of shellWords(command.text)) {
        // A word that is a path, or holds one after `=` (`--in=/shark/…`), as for /data paths.
        const eq = word.value.indexOf('=/');
        const start = word.value.startsWith('/') ? 0 : eq >= 0 ? eq + 1 : -1;
        if (start < 0) continue;
        const raw = word.value.slice(start);
        const original = originalResultPath(raw);
        if (original === undefined) continue;
        const offset = word.offsets[start]!;
        found.push(warning(document.file, { line: command.lines[offset]!, col: command.cols[offset]! }, originalPathMessage(raw, original)));
      }
    }
  }
  return found;
}
