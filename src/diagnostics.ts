import { displayWidth } from './columns.js';
import { printable, printableLines } from './printable.js';

/** A position in the pipeline document: 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface Related {
  readonly at: Position;
  readonly message: string;
}

/**
 * An expected failure with its place in the markdown. The core returns these
 * as values; only the CLI prints them.
 */
export interface Diagnostic {
  readonly file: string;
  readonly at: Position;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly related?: readonly Related[];
  /** A warning that `shark run` reports as an error: the document can be drawn and planned, not run. */
  readonly refusesRun?: true;
  /** The line to show instead of the source's: the same line with a secret's value hidden. */
  readonly shown?: string;
}

export type Result<T, E = Diagnostic[]> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function error(file: string, at: Position, message: string, related?: Related[]): Diagnostic {
  return related === undefined
    ? { file, at, severity: 'error', message }
    : { file, at, severity: 'error', message, related };
}

export function warning(file: string, at: Position, message: string, options: { refusesRun?: true } = {}): Diagnostic {
  return { file, at, severity: 'warning', message, ...options };
}

/** Line breaks as the markdown and YAML parsers read them: a lone CR ends a line too. */
export const LINE_BREAK = /\r\n|\r|\n/;

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

/**
 * `file:line:col: error: message`, then the source line with a caret under
 * the column, then one line per related place.
 */
export function formatDiagnostic(d: Diagnostic, source: string | undefined): string {
  // A message may quote the document's text (a bad value, a tag): its controls are escaped as the excerpt's are.
  const lines = [`${d.file}:${d.at.line}:${d.at.col}: ${d.severity}: ${printableLines(d.message)}`];
  const text = d.shown ?? source?.split(LINE_BREAK)[d.at.line - 1];
  if (text !== undefined && d.at.line > 0) {
    const gutter = String(d.at.line).padStart(5);
    // A byte order mark is not counted in columns (nor shown), so the marker stays under its character.
    const shown = excerpt(d.at.line === 1 ? text.replace(/^\uFEFF/, '') : text, d.at.col);
    lines.push(`${gutter} | ${shown.text}`);
    lines.push(`${' '.repeat(gutter.length)} | ${' '.repeat(shown.caret)}^`);
  }
  for (const r of d.related ?? []) {
    lines.push(`${d.file}:${r.at.line}:${r.at.col}: note: ${printableLines(r.message)}`);
  }
  return lines.join('\n');
}

/**
 * Diagnostics as every command prints them: each with its line, then
 * `N errors in FILE` for each file holding errors, as `check` ends, so that
 * a problem only plan or run finds reads as one check would have found.
 */
export function formatReport(diagnostics: readonly Diagnostic[], sourceOf: (d: Diagnostic) => string | undefined): string {
  const errors = new Map<string, number>();
  for (const d of diagnostics) if (d.severity === 'error') errors.set(d.file, (errors.get(d.file) ?? 0) + 1);
  const counts = [...errors].map(([file, n]) => `${n} error${n === 1 ? '' : 's'} in ${file}`);
  return [...diagnostics.map((d) => formatDiagnostic(d, sourceOf(d))), ...counts].map((line) => `${line}\n`).join('');
}

/** The most of a line an excerpt shows: a minified or generated line can be megabytes long. */
const EXCERPT_WIDTH = 120;

/**
 * A line as an excerpt shows it, and how far in the caret goes for `col`:
 * the line cut to a window around the column (`…` where it was cut), tabs
 * as spaces and control characters escaped, since the document's text must
 * not retitle, recolour or reorder the terminal it is shown on.
 */
function excerpt(line: string, col: number): { text: string; caret: number } {
  const at = Math.max(0, col - 1);
  let start = Math.max(0, Math.min(at - EXCERPT_WIDTH / 2, line.length - EXCERPT_WIDTH));
  let end = Math.min(line.length, start + EXCERPT_WIDTH);
  // A cut between the halves of a surrogate pair would show a lone half.
  if (/[\udc00-\udfff]/.test(line[start] ?? '')) start++;
  if (/[\udc00-\udfff]/.test(line[end] ?? '')) end--;
  const shown = (part: string): string => printable(part.replace(/\t/g, ' '));
  const before = `${start > 0 ? '…' : ''}${shown(line.slice(start, Math.min(at, end)))}`;
  const after = `${shown(line.slice(Math.min(at, end), end))}${end < line.length ? '…' : ''}`;
  // The caret is drawn under what the terminal drew: an ideograph takes two columns, a combining accent none.
  return { text: before + after, caret: displayWidth(before) + Math.max(0, at - end) };
}

export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.at.line - b.at.line || a.at.col - b.at.col;
}

/**
 * Every problem once, in document order. The instances of a swept block are
 * checked one by one, and each finds what is wrong with the text they share:
 * a problem said again, word for word at the same place, tells nothing more.
 */
export function inDocumentOrder(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics
    .filter((d) => {
      const key = JSON.stringify([d.file, d.at.line, d.at.col, d.severity, d.message, d.related ?? [], d.shown ?? null]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(byPosition);
}
