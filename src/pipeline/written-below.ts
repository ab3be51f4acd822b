import { error, type Diagnostic } from '../diagnostics.js';
import type { Writers } from './writers.js';

/**
 * Rewrites, once every block is read, each "nothing writes X" of a path that
 * a step further down the document does write: the reader is above its
 * writer (a Snakefile's `rule all` first, a summary written before the
 * section that makes its data), and the message says so, naming the writer,
 * rather than suggesting an import or an input.
 */
export function nameWritersBelow(diagnostics: Diagnostic[], writers: Writers): void {
  for (const u of writers.unwritten) {
    const r = writers.resolve(u.path);
    if (r.kind === 'none') continue;
    const writer = r.writers.find((w) => w.step !== u.step && !w.step.startsWith('input:'));
    if (writer === undefined) continue;
    const k = diagnostics.findIndex((d) => d.severity === 'error' && d.at.line === u.at.line && d.at.col === u.at.col && d.message === u.message);
    if (k < 0) continue;
    const d = diagnostics[k]!;
    const what = r.kind === 'exact' ? `writes \`${u.path}\`` : r.kind === 'under' ? `writes \`${r.path}/\`` : `writes into \`${u.path}/\``;
    diagnostics[k] = error(d.file, d.at,
      `\`${u.shown}\` is written only below this step, by \`${writer.step}\` (line ${writer.at.line}): a step reads what the steps above it write, so move this block below that one`,
      [{ at: writer.at, message: `step \`${writer.step}\` ${what} here` }]);
  }
}
