import { readFileSync } from 'node:fs';
import type { Session } from '../plan/session.js';
import { listAt } from '../multimap.js';
import { parseStored } from '../store/damaged-database.js';
import { printable, printableLines, shownName, withoutEscapes } from '../printable.js';

const MAX_OUTPUT_LINES = 40;

/**
 * The pipeline document as executed: the same markdown, each Shark block
 * followed by the ids of its results and its captured output, and by the
 * values `given` outside the document (`NAME=VALUE`) it ran with. The blocks
 * themselves are unchanged, so the document stays hand-executable, and the
 * added blocks are not Shark blocks.
 */
export function executedDocument(session: Session, runId: number, given: readonly string[] = []): string {
  const { pipeline, meta } = session;
  const source = pipeline.document.source;
  // Lines keep a CRLF document's `\r`; the lines added end as the document's first one does.
  const lines = source.split('\n');
  const cr = /^[^\n]*\r\n/.test(source) ? '\r' : '';
  const jobs = meta.runJobs(runId);
  // Read once, grouped once: a sweep has thousands of blocks, a map thousands of jobs.
  const results = meta.resultsMany([...new Set(jobs.map((j) => j.key))]);
  const byBlock = new Map<string, typeof jobs>();
  for (const j of jobs) listAt(byBlock, j.block).push(j);
  const inserts = new Map<number, string[]>();
  for (const block of pipeline.blocks) {
    if (block.steps.length === 0) continue;
    const mine = byBlock.get(block.id) ?? [];
    if (mine.length === 0) continue;
    const close = block.block.closeLine;
    // The values given outside the document (`-e`, shark.yaml): the frontmatter kept above says others.
    const text: string[] = ['', comment(`shark: ${block.id}, run ${runId}${given.length > 0 ? `, given ${given.join(', ')}` : ''}`)];
    for (const j of mine) {
      const result = results.get(j.key);
      const outputs = result ? Object.entries(parseStored<Record<string, string>>(result.outputs, "a result's outputs")) : [];
      text.push(comment(`${j.job}: ${j.status}, key ${j.key.slice(0, 16)}${outputs.map(([p, id]) => `, ${shownName(p)} = ${id}`).join('')}`));
    }
    // A command's output, as it printed it; an import's log is Shark's account of the fetch, which the notes above say.
    const output = block.kind === 'import' ? [] : mine.flatMap((j) => readLog(j.log));
    if (output.length > 0) {
      const shown = output.length > MAX_OUTPUT_LINES ? [...output.slice(0, MAX_OUTPUT_LINES), `… ${output.length - MAX_OUTPUT_LINES} more lines`] : output;
      text.push('', '```text', ...shown, '```');
    }
    // The instances of a sweep share their block's text: their notes follow it one after another.
    const prefix = containerPrefix(lines[close - 1] ?? '');
    listAt(inserts, close).push(...text.map((l) => (l === '' ? prefix.trimEnd() : prefix + l) + cr));
  }
  // An executed document run again: the notes an earlier run put after each block give way to this run's.
  const earlier = new Set(pipeline.blocks.filter((b) => b.steps.length > 0).flatMap((b) => earlierNotes(lines, b.block.closeLine)));
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (!earlier.has(i)) out.push(line);
    const extra = inserts.get(i + 1);
    if (extra !== undefined) out.push(...extra);
  });
  return out.join('\n');
}

/**
 * The indexes of the lines an earlier run's notes take after the block that
 * closes on line `close` (1-based): sets of a blank line, `<!-- shark: BLOCK,
 * run N -->`, its comment lines, and the captured output's ```text block.
 */
function earlierNotes(lines: readonly string[], close: number): number[] {
  const bare = (i: number): string => (lines[i] ?? '').replace(/\r$/, '').replace(/^[ \t>]*/, '');
  const found: number[] = [];
  let i = close;
  while (bare(i) === '' && i < lines.length && /^<!-- shark: .*, run \d+(?:, given .*)? -->$/.test(bare(i + 1))) {
    let j = i + 1;
    while (/^<!-- .* -->$/.test(bare(j))) j++;
    if (bare(j) === '' && bare(j + 1) === '```text') {
      let end = j + 2;
      while (end < lines.length && bare(end) !== '```') end++;
      j = end + 1;
    }
    for (let k = i; k < j; k++) found.push(k);
    i = j;
  }
  return found;
}

/**
 * A note as an HTML comment that nothing in it can end early: a file name
 * holding a newline and `-->` would otherwise close the comment and put a
 * runnable block of its own into the document. Control characters are
 * escaped and every `--` is written `-\x2d`, so the note stays one line
 * and only its own ` -->` closes it.
 */
function comment(note: string): string {
  return `<!-- ${printable(note).replaceAll('--', '-\\x2d')} -->`;
}

/**
 * What stands before a closing fence: the `>` of the quotes and the
 * indentation of the list items the block is in. The notes written with it
 * stay in the block's containers, after the block: without it, a quote that
 * goes on would be broken, and one that ends would end before them.
 */
function containerPrefix(closingFence: string): string {
  return /^[ \t>]*?(?=`{3,}|~{3,})/.exec(closingFence)?.[0] ?? '';
}

function readLog(path: string | null): string[] {
  if (path === null) return [];
  try {
    // Text for a reader: no escape sequences (`cat out.md` cleared the screen), no fence closing the block early,
    // and no other control character: markdown ends a line at a lone CR too (which left a quote's prefix
    // behind and let the rest open a block), and a NUL made the document one Shark refuses to read.
    const text = withoutEscapes(readFileSync(path, 'utf8')).replace(/`{3,}/g, (m) => m.replace(/`/g, "'"));
    return text === '' ? [] : text.trimEnd().split(/\r?\n/).map(printableLines);
  } catch {
    return [];
  }
}
