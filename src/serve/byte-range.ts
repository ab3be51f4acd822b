/** The bytes a `Range` header asks of a file of `size` bytes, first and last included. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * One range of bytes (RFC 9110 §14): `bytes=FIRST-LAST`, `bytes=FIRST-`
 * or the last N bytes, `bytes=-N`; a LAST past the end is the end.
 * Undefined for no header, another unit, several ranges or a header that
 * does not parse: the whole file is then sent (200), as the RFC allows.
 * `unsatisfiable` when it starts at or past the end (416), or asks for
 * the last 0 bytes.
 */
export function byteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const last = Number(m[2]);
    return last === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - last), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1) };
}
