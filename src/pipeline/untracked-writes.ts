import { warning, type Diagnostic } from '../diagnostics.js';
import type { Document } from '../markdown/document.js';
import type { Pipeline } from './pipeline.js';
import { splitCommands } from './shell-lines.js';
import { shellWords } from './shell-words.js';
import { runBlocksAsWritten } from './written-blocks.js';
import { leadsIntoData } from './data-path.js';

/**
 * Warnings where a step that writes no /data path redirects into a file
 * outside it (`cat /data/a.txt /data/b.txt > results/summary.txt`, as a
 * Snakefile's rule writes its output): Shark keeps and tracks nothing of
 * it, so the step is cached once it ran, and that file removed is never
 * made again. A step with a /data output writes beside it at its own risk.
 */
export function untrackedWrites(document: Document, pipeline: Pipeline | undefined): Diagnostic[] {
  if (pipeline === undefined) return [];
  const found: Diagnostic[] = [];
  const outputless = new Set(pipeline.steps.filter((s) => s.kind === 'run' && s.outputs.length === 0).map((s) => s.at.line));
  // After a `cd` into /data (a line of its own, or in the command), a relative name is in that directory: the step's input.
  const inData = new Set(pipeline.steps.filter((s) => s.kind === 'run' && s.cwd !== undefined && leadsIntoData(s.cwd)).map((s) => s.at.line));
  for (const block of runBlocksAsWritten(document)) {
    const commands = splitCommands(block.body).commands;
    commands.forEach((command, n) => {
      if (!outputless.has(command.at.line)) return;
      const word = shellWords(command.text).find((w) => w.redirect === 'out' && untracked(w.value));
      // One a later command of the block reads is passed between them (said for a container: fresh-containers.ts).
      if (word === undefined || commands.slice(n + 1).some((c) => shellWords(c.text).some((w) => w.value === word.value))) return;
      const offset = word.offsets[0]!;
      const relative = !word.value.startsWith('/') && (inData.has(command.at.line) || /(^|[;&|(\s])cd\s+\/+data\//.test(command.text));
      found.push(warning(document.file, { line: command.lines[offset]!, col: command.cols[offset]! }, relative ? inDataMessage(word.value) : untrackedMessage(word.value)));
    });
  }
  return found;
}

/**
 * A file a redirection writes that is not under /data, nor a device, nor a descriptor (`2>&1`), nor
 * scratch (`/tmp/`, which the original Shark's documents write and read back: fresh-containers.ts).
 */
function untracked(path: string): boolean {
  return path !== '' && path !== '/data' && !path.includes('$') && !/^\/(data|dev|tmp|var\/tmp)\//.test(path) && !/^&?-?\d*$/.test(path);
}

function untrackedMessage(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1) || 'out';
  return `\`${path}\` is written outside /data, and the step writes no /data path: Shark keeps and tracks nothing it makes, so once it ran it is cached, and \`${path}\` removed is not made again; write it under /data (\`> /data/${name}\`) and publish it with a shark-publish block`;
}

/** A name written relative to a /data directory the command went into: that directory is an input, read-only, and nothing written there is kept. */
function inDataMessage(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1) || 'out';
  return `\`${path}\` is written relative to the /data directory the command went into with \`cd\`: that directory is the step's input, read-only, and Shark keeps nothing written there; write the full path (\`> /data/${name}\`, or the directory's own)`;
}
