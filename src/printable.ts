import { isUtf8 } from 'node:buffer';
import { relative } from 'node:path';

/**
 * Characters a terminal obeys rather than shows: C0 controls, DEL and the C1
 * controls (U+009B is a CSI in UTF-8 xterm, as ESC [ is), and the
 * bidirectional marks that reorder what follows them (`a\u202etxt.exe` reads
 * `aexe.txt`). A name holding one would break or disguise the line it is
 * shown on; git's `core.quotePath` quotes the same.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');
/** Those `JSON.stringify` leaves as they are. */
const UNQUOTED = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Whether text holds a character `printable` escapes: one no name may hold where it is printed as it is. */
export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}

/** Text shown on one line, its control characters escaped (`\n`, `\t`, `\x0d`, `\x9b`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(CONTROLS, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : escaped(c)));
}

/**
 * Text of one or more lines (a message) with every control character but the
 * line break and the tab escaped: a message may span lines, but no name in it
 * can move the cursor, recolour or reorder what the terminal shows.
 */
export function printableLines(text: string): string {
  return text.replace(CONTROLS, (c) => (c === '\n' || c === '\t' ? c : escaped(c)));
}

/**
 * Those of a job's log (`shark logs`) but NUL: a terminal ignores it, and a
 * sparse log of hundreds of megabytes of them, escaped one by one, took
 * minutes to show and four times its size.
 */
const LOG_CONTROLS = /[\u0001-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A file name or path as shown to a user: as it is, or JSON-quoted when it
 * holds a control character, so a newline in a name can never start a line
 * of its own and the quotes tell an escape from the name's own backslash.
 */
export function shownName(name: string): string {
  return CONTROL.test(name) ? JSON.stringify(name).replace(UNQUOTED, (c) => `\\u${hex(c, 4)}`) : name;
}

/**
 * A file name's bytes as text: what is UTF-8 reads as it is (its controls
 * escaped, as by `printable`), each other byte as `\xNN`, so a Latin-1
 * `caf\xe9.csv` is shown as what it is rather than as `caf\ufffd.csv`.
 */
export function printableBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const n = utf8Length(bytes, i);
    out += n === 0 ? `\\x${bytes[i]!.toString(16).padStart(2, '0')}` : printable(Buffer.from(bytes.subarray(i, i + n)).toString('utf8'));
    i += Math.max(n, 1);
  }
  return out;
}

/** The length of the UTF-8 sequence starting at `i`, or 0 when none does. */
function utf8Length(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  const n = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  return n > 0 && i + n <= bytes.length && isUtf8(bytes.subarray(i, i + n)) ? n : 0;
}

function escaped(c: string): string {
  return c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
}

function hex(c: string, digits: number): string {
  return c.charCodeAt(0).toString(16).padStart(digits, '0');
}

/**
 * Terminal escape sequences: CSI (`ESC[91m`, `ESC[2J`), OSC (`ESC]0;title BEL`)
 * and the two-character ones. Docker's classic builder colours what a RUN
 * writes to stderr, and programs colour their output at a terminal.
 */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?/g;
/** Select Graphic Rendition: colours and bold, harmless at a terminal. */
const SGR = /^\x1b\[[0-9;:]*m$/;

/**
 * Text from steps and builds (a failed build's last lines, a job's log
 * tail) as shown to the user: without escape sequences, which in a pipe or a
 * JSON event are only noise; at a terminal (`colours`) its colours are kept,
 * and nothing else that could move the cursor, clear the screen or retitle
 * the window.
 */
export function withoutEscapes(text: string, colours = false): string {
  if (!text.includes('\x1b')) return text;
  return text.replace(ESCAPES, (seq) => (colours && SGR.test(seq) ? seq : ''));
}

/**
 * Text of steps, builds or servers as `run` shows it in a failure: without
 * escape sequences (at a terminal, `colours` keeps its colours) and with
 * every other control character escaped, as `printableLines` does (a
 * `log`'s NULs kept).
 */
export function shownText(text: string, colours = false, log = false): string {
  const kept = withoutEscapes(text, colours);
  const escape = log ? (part: string): string => part.replace(LOG_CONTROLS, escaped) : printableLines;
  if (!colours || !kept.includes('\x1b')) return escape(kept);
  return kept.split(/(\x1b\[[0-9;:]*m)/).map((part, i) => (i % 2 === 1 ? part : escape(part))).join('');
}

/**
 * A path as a user names it from the current directory (relative below it,
 * else absolute), escaped: a name holding a newline forged lines in messages
 * and commands in `plan --script`.
 */
export function shownFromHere(path: string): string {
  return shownName(fromHere(path));
}

/** A path as a user names it from the current directory, not escaped: a value in JSON, which escapes it itself. */
export function fromHere(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

/**
 * Whether a stream is a terminal that obeys escape sequences (the status line's
 * `ESC[2K`, a step's colours): not one whose TERM is `dumb` (Emacs's shell), which shows them.
 */
export function drawsEscapes(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && process.env['TERM'] !== 'dumb';
}
