import { isOutputs } from '../store/stored-shapes.js';
import type { Session } from '../plan/session.js';
import { listAt } from '../multimap.js';
import { parseStored } from '../store/damaged-database.js';
import { printable, printableLines, shownName, withoutEscapes } from '../printable.js';
import { textChunks } from '../text-chunks.js';

const MAX_OUTPUT_LINES = 40;
/** How much of a log's beginning is kept for its first lines: a line longer than this is shown cut. */
const MAX_HEAD_CHARS = 1024 * 1024;

/**
 * The pipeline document as executed: the same markdown, each Shark block
 * followed by the ids of its results and its captured output, and by the
 * values `given` outside the document (`NAME=VALUE`) it ran with, and the
 * `{precious}` jobs it `kept` (job → what changed since their result). The blocks
 * themselves are unchanged, so the document stays hand-executable, and the
 * added blocks are not Shark blocks.
 */
export function executedDocument(session: Session, runId: number, given: readonly string[] = [], kept: ReadonlyMap<string, string> = new Map()): string {
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
      const outputs = result ? Object.entries(parseStored<Record<string, string>>(result.outputs, "a result's outputs", isOutputs)) : [];
      // A `{precious}` job kept: its result is another definition's (its key is that one's), not this text's.
      const why = kept.get(j.job);
      const status = why === undefined ? j.status : `kept (precious${why === '' ? '' : `: ${why}`}), not made by this text`;
      text.push(comment(`${j.job}: ${status}, key ${j.key.slice(0, 16)}${outputs.map(([p, id]) => `, ${shownName(p)} = ${id}`).join('')}`));
    }
    // A command's output, as it printed it; an import's log is Shark's account of the fetch, which the notes above say.
    const output = block.kind === 'import' ? [] : mine.map((j) => readLog(j.log));
    const count = output.reduce((n, o) => n + o.count, 0);
    if (count > 0) {
      const first = output.flatMap((o) => o.head).slice(0, MAX_OUTPUT_LINES);
      text.push('', '```text', ...first, ...(count > MAX_OUTPUT_LINES ? [`… ${count - MAX_OUTPUT_LINES} more lines`] : []), '```');
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

/**
 * A job's captured output as the document shows it: its first lines (up to
 * `MAX_OUTPUT_LINES`), and how many it has in all. The log is read in pieces
 * and only its beginning kept: a log of gigabytes, read whole, was too long a
 * string, and its output was left out without a word.
 */
export function readLog(path: string | null): { head: string[]; count: number } {
  if (path === null) return { head: [], count: 0 };
  let head = '';
  let breaks = 0;
  // The line breaks before the last character that is not white space, as `trimEnd` leaves the text (-1: none yet).
  let toContent = -1;
  let any = false;
  try {
    for (const chunk of textChunks(path)) {
      if (breaks < MAX_OUTPUT_LINES && head.length < MAX_HEAD_CHARS) head += chunk;
      const text = withoutEscapes(chunk);
      any ||= text !== '';
      const last = text.search(/\S\s*$/);
      if (last >= 0) toContent = breaks + newlines(text, last);
      breaks += newlines(text, text.length);
    }
  } catch {
    return { head: [], count: 0 };
  }
  const count = toContent >= 0 ? toContent + 1 : any ? 1 : 0;
  // Text for a reader: no escape sequences (`cat out.md` cleared the screen), no fence closing the block early,
  // and no other control character: markdown ends a line at a lone CR too (which left a quote's prefix
  // behind and let the rest open a block), and a NUL made the document one Shark refuses to read.
  const lines = withoutEscapes(head).replace(/`{3,}/g, (m) => m.replace(/`/g, "'")).split(/\r?\n/).slice(0, Math.min(MAX_OUTPUT_LINES, count));
  if (count > 0 && lines.length === count) lines[count - 1] = lines[count - 1]!.trimEnd();
  return { head: lines.map(printableLines), count };
}

/** How many line breaks `text` has before `end`. */
function newlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
