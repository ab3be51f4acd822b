import type { Entry, StepEntry } from './history.js';

/** A step to write into the document: a recorded one, or the one being decided. */
export type DocStep = Pick<StepEntry, 'env' | 'line' | 'isImport' | 'notes'>;

type Piece = { kind: 'comment'; text: string } | { kind: 'step'; step: DocStep };

/**
 * The markdown of a session: the document it started from (FILE, whole),
 * then its comments as prose and headings and its steps in the order they
 * ran, consecutive steps of one environment in one block, and a publish block.
 * The cache key of a step depends on none of this layout (block ids,
 * neighbours, positions), only on each command line and on what earlier steps
 * write, which is why the block text a step was committed under (`candidate`)
 * and the saved document agree.
 */
export function renderDocument(base: string, pieces: readonly Piece[], publish: readonly string[], fileName?: string): string {
  const out: string[] = [];
  if (base !== '') out.push(base.replace(/\n*$/, '\n'));
  out.push(base === '' ? '<!-- Written by `shark shell`. -->\n' : `<!-- Continued by \`shark shell\`${fileName === undefined ? '' : ` from ${fileName}`}. -->\n`);
  let open: { tag: string; lines: string[] } | undefined;
  const close = (): void => {
    if (open === undefined) return;
    out.push(`\`\`\`${open.tag}\n${open.lines.join('\n')}\n\`\`\`\n`);
    open = undefined;
  };
  for (const p of pieces) {
    if (p.kind === 'comment') {
      close();
      out.push(`${p.text}\n`);
      continue;
    }
    const tag = p.step.isImport ? 'shark-import' : p.step.env === undefined ? 'shark-run' : `shark-run:${p.step.env}`;
    if (open?.tag !== tag) {
      close();
      open = { tag, lines: [] };
    }
    for (const note of p.step.notes) open.lines.push(`# ${note}`);
    open.lines.push(p.step.line);
  }
  close();
  if (publish.length > 0) out.push(`\`\`\`shark-publish\n${publish.join('\n')}\n\`\`\`\n`);
  return out.join('\n');
}

/**
 * The line of the saved document for a comment typed at the prompt: a
 * `# heading` or `## heading` stays a heading; any other `#comment` becomes a
 * paragraph, escaped so that it is only that (see `asParagraph`).
 */
export function commentText(typed: string): string {
  const t = typed.trim();
  if (/^#{1,6} \S/.test(t)) return t;
  return asParagraph(t.replace(/^#+\s*/, ''));
}

/**
 * One line that markdown reads as paragraph text and nothing else. Only the
 * start of a line can open a block (a fence, an HTML comment, a heading, a
 * list, a quote, a rule, a link definition): its first character is
 * backslash-escaped when it could, so that a comment never hides, adds or
 * renames a block of the saved document. Within the line, markup is inline.
 */
function asParagraph(text: string): string {
  const ordered = /^(\d{1,9})([.)])/.exec(text);
  if (ordered !== null) return `${ordered[1]}\\${ordered[2]}${text.slice(ordered[0].length)}`;
  return /^[#`~<>\-+*_=|[]/.test(text) ? `\\${text}` : text;
}

/** The pieces of the saved document: every comment, and the steps that contribute, in the order they came. */
export function piecesOf(history: readonly Entry[], keep: ReadonlySet<number>, extra?: DocStep): Piece[] {
  const pieces: Piece[] = [];
  for (const e of history) {
    if (e.kind === 'comment') pieces.push({ kind: 'comment', text: e.text });
    else if (e.kind === 'step' && keep.has(e.n)) pieces.push({ kind: 'step', step: e });
  }
  if (extra !== undefined) pieces.push({ kind: 'step', step: extra });
  return pieces;
}

/** How a step reads in `:history` and `:dag`. */
export function stepLabel(s: Pick<StepEntry, 'n' | 'env'>): string {
  return `step ${s.n}${s.env === undefined ? '' : ` [${s.env}]`}`;
}
