import type { RunStep } from '../pipeline/pipeline.js';
import { quoteFor, type QuoteContext } from '../pipeline/shell-words.js';
import { withExtension } from './jobs.js';

/**
 * The shell text a job runs: the command as written, with each map item
 * spliced in quoted for the place it goes (so no file name is ever executed
 * or split), `dataRoot` put before every /data path, and the block's
 * `export`/`set` lines first. `+` and `+.EXT` (written or joined) become
 * `named(plusName, ext)`. The cache key never sees this text.
 */
export function renderScript(
  step: RunStep,
  items: ReadonlyMap<string, string>,
  plusName: string | undefined,
  dataRoot: string,
  splice: (value: string, ctx: QuoteContext) => string = quoteFor,
  named: (plusName: string, ext: string | undefined) => string = withExtension,
): string {
  const edits: { at: number; end: number; text: string }[] = [];
  for (const m of step.mentions) {
    if (dataRoot !== '') edits.push({ at: m.offset, end: m.offset, text: dataRoot });
    if (m.wildcard !== undefined) {
      const name = items.get(`${m.path.text}/${m.wildcard.pattern}`);
      if (name !== undefined) edits.push({ at: m.wildcard.start, end: m.wildcard.end, text: splice(name, m.wildcard.ctx) });
    }
    if (m.plus !== undefined && plusName !== undefined) {
      edits.push({ at: m.plus.offset, end: m.plus.end, text: splice(named(plusName, m.plus.ext), m.plus.ctx) });
    }
  }
  edits.sort((a, b) => b.at - a.at || b.end - a.end);
  let text = step.command;
  for (const e of edits) text = text.slice(0, e.at) + e.text + text.slice(e.end);
  return step.exports.length > 0 ? `${step.exports.join('\n')}\n${text}` : text;
}
