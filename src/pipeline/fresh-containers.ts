import { warning, type Diagnostic } from '../diagnostics.js';
import type { Document } from '../markdown/document.js';
import { splitCommands } from './shell-lines.js';
import { shellWords } from './shell-words.js';
import { runBlocksAsWritten } from './written-blocks.js';

/**
 * Warnings where a command of a container block names a file outside /data that an earlier
 * command of the block wrote by redirection (`echo 1 > /var/x.txt`, then `cat /var/x.txt`).
 * The original Shark ran a block's commands on one filesystem, and its documents do this (its
 * template example); here each command has a fresh container, and the run would fail with the
 * command's own `No such file or directory`. On the host the file is the machine's: it stays.
 */
export function filesLostBetweenCommands(document: Document): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const block of runBlocksAsWritten(document)) {
    if (block.arg === undefined) continue;
    /** Each path written outside /data, with the line of the command that wrote it. */
    const written = new Map<string, number>();
    for (const command of splitCommands(block.body).commands) {
      const words = shellWords(command.text);
      for (const word of words) {
        const line = written.get(word.value);
        if (line === undefined || word.redirect === 'out') continue;
        const offset = word.offsets[0]!;
        found.push(warning(document.file, { line: command.lines[offset]!, col: command.cols[offset]! }, lostMessage(word.value, line)));
        written.delete(word.value);
      }
      for (const word of words) {
        if (word.redirect === 'out' && outsideData(word.value) && !written.has(word.value)) written.set(word.value, command.at.line);
      }
    }
  }
  return found;
}

/** An absolute path a container keeps only for the command that wrote it: not /data's, not a device. */
function outsideData(path: string): boolean {
  return path.startsWith('/') && path !== '/data' && !path.startsWith('/data/') && !path.startsWith('/dev/') && !path.includes('$');
}

function lostMessage(path: string, line: number): string {
  return `\`${path}\` is written outside /data by the command on line ${line}: each command of a block runs in a fresh container, so it is not there for this one (the original Shark ran a block's commands on one filesystem); write it under /data, or join the commands with \`&&\``;
}
