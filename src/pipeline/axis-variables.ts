import { warning, type Diagnostic } from '../diagnostics.js';
import type { Document } from '../markdown/document.js';
import { splitCommands } from './shell-lines.js';
import { shellWords } from './shell-words.js';
import { runBlocksAsWritten } from './written-blocks.js';

/** `$NAME` or `${NAME}` as the shell expands it (not `${NAME:-x}`, which says what to do when it is unset). */
const EXPANSION = /\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g;

/**
 * Warnings at `$TAXA` where `TAXA` is an axis: a scalar key is a variable in
 * every step's environment, but an axis is not (only blocks mentioning
 * `%{TAXA}` know a value), so the shell does not read a value of it, and the block runs
 * once where its author meant one run per value. Quiet where the block sets
 * the name itself (`for TAXA in …`, `TAXA=…`, `read TAXA`). One warning per
 * place in the document, not per instance of a sweep.
 */
export function axisVariables(document: Document): Diagnostic[] {
  const axes = document.frontmatter?.axes;
  if (axes === undefined || axes.size === 0) return [];
  const found: Diagnostic[] = [];
  for (const block of runBlocksAsWritten(document)) {
    const body = block.body.map((l) => l.text).join('\n');
    for (const command of splitCommands(block.body).commands) {
      for (const word of shellWords(command.text)) {
        for (const m of word.value.matchAll(EXPANSION)) {
          const name = m[1] ?? m[2]!;
          const offset = word.offsets[m.index]!;
          // In single quotes (`awk '{ print $TAXA }'`) or escaped (`\$TAXA`) it is text, not an expansion.
          if (!axes.has(name) || word.contexts[m.index] === "'" || command.text[offset - 1] === '\\' || setsItself(body, name)) continue;
          found.push(warning(document.file, { line: command.lines[offset]!, col: command.cols[offset]! },
            `\`${m[0]}\` holds no value of the axis \`${name}\`: an axis (a list in the frontmatter) is in no step's environment, unlike a scalar key; `
            + `write \`%{${name}}\`, which runs the block once per value`));
        }
      }
    }
  }
  return found;
}

/** Whether the block gives `name` a value of its own: an assignment, a `for` loop, `read`, `local`, `export`. */
function setsItself(body: string, name: string): boolean {
  const assigned = new RegExp(`(?:^|[\\s;&|(])${name}=`, 'm');
  const bound = new RegExp(`\\b(?:for|read|local|export|getopts)\\b[^;&|\\n]*?(?:^|\\s)${name}\\b`, 'm');
  return assigned.test(body) || bound.test(body);
}
