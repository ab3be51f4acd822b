import { error, LINE_BREAK, type Diagnostic } from '../diagnostics.js';

/**
 * The largest document Shark reads. The markdown parser holds up to about
 * 4.5 KB of memory per byte of text while it reads (a document of short list
 * items or one-word paragraphs: each costs it a few KB), so this bounds what
 * a document can take to under 1 GB and a few seconds; hand-written pipelines
 * are far smaller, and a command of more than 128 KiB still fits.
 */
export const MAX_DOCUMENT_BYTES = 192 * 1024;

export type Decoded =
  | { readonly ok: true; readonly source: string }
  /** `shown` is the text to quote the offending line from. */
  | { readonly ok: false; readonly diagnostic: Diagnostic; readonly shown: string };

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { ignoreBOM: true });

/** The refusal of a document over the size limit, before reading it. */
export function tooLarge(file: string, size: number): Diagnostic {
  return error(file, { line: 1, col: 1 },
    `this document is ${size.toLocaleString('en')} bytes; Shark reads documents of at most ${MAX_DOCUMENT_BYTES.toLocaleString('en')} bytes (${MAX_DOCUMENT_BYTES / 1024} KiB): keep data in files and import them`);
}

/**
 * A document's bytes → its text. NUL bytes and invalid UTF-8 are located
 * errors rather than U+FFFD characters that would silently change commands.
 */
export function decodeDocument(file: string, bytes: Uint8Array): Decoded {
  if (bytes.length > MAX_DOCUMENT_BYTES) return { ok: false, diagnostic: tooLarge(file, bytes.length), shown: '' };
  const nul = bytes.indexOf(0);
  let source: string | undefined;
  try {
    source = fatal.decode(bytes);
  } catch {
    source = undefined;
  }
  if (source !== undefined && nul < 0) return { ok: true, source };
  const invalid = source === undefined ? firstInvalidUtf8(bytes) : -1;
  const bad = nul >= 0 && (invalid < 0 || nul < invalid) ? nul : invalid;
  // The prefix before the first bad byte is valid: its last line gives the column.
  const before = lossy.decode(bytes.subarray(0, bad)).split(LINE_BREAK);
  const at = { line: before.length, col: before[before.length - 1]!.length + 1 };
  const hex = bytes[bad]!.toString(16).padStart(2, '0');
  const message = bad === nul
    ? 'NUL byte in the document: a pipeline document is text (remove the byte or import the data from a file)'
    : `invalid UTF-8 (byte 0x${hex}): save the document as UTF-8`;
  // NUL shows as ␀ so that the quoted line stays visible on a terminal.
  return { ok: false, diagnostic: error(file, at, message), shown: lossy.decode(bytes).replace(/\0/g, '\u2400') };
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) (n = 2), c === 0xe0 ? (lo = 0xa0) : c === 0xed ? (hi = 0x9f) : 0;
    else if (c >= 0xf0 && c <= 0xf4) (n = 3), c === 0xf0 ? (lo = 0x90) : c === 0xf4 ? (hi = 0x8f) : 0;
    else return i;
    // The second byte has the narrowed range (no overlong forms, surrogates or code points past U+10FFFF).
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}
