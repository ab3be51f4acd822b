import { Writable } from 'node:stream';
import { inspect } from 'node:util';

const STARS = Buffer.from('***');

/**
 * Replaces secret values in a job's output with `***` before it reaches its
 * log. Output arrives in chunks of any size, so a value can be split between
 * two of them: what could be the beginning of a value is held back until the
 * next chunk says whether it is one. Works on bytes, so a chunk boundary
 * inside a multi-byte character changes nothing.
 */
export class SecretMask {
  private readonly values: readonly Buffer[];
  private pending: Buffer = Buffer.alloc(0);

  constructor(values: readonly string[]) {
    // Longest first: of two values starting at one place, the longer is masked whole.
    // As a URL carries it too (a query's value percent-encoded, as a redirect's Location and a server's message say it).
    const forms = values.flatMap((v) => [v, encoded(v, encodeURIComponent), encoded(v, encodeURI), encoded(v, (x) => new URLSearchParams({ x }).toString().slice(2))]);
    this.values = [...new Set(forms.filter((v) => v !== ''))].map((v) => Buffer.from(v)).sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.values.length === 0;
  }

  /** The masked output that can be decided now. */
  push(chunk: Buffer): Buffer {
    if (this.values.length === 0) return chunk;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return this.drain(false);
  }

  /** What was held back, masked: the output has ended. */
  end(): Buffer {
    return this.drain(true);
  }

  private drain(final: boolean): Buffer {
    const buf = this.pending;
    const out: Buffer[] = [];
    let from = 0;
    for (;;) {
      const match = this.firstMatch(buf, from);
      const partial = final ? undefined : this.firstPartial(buf, from);
      // A value that may yet complete, starting no later than the match, could be the longer, leftmost one: wait.
      if (match === undefined || (partial !== undefined && partial <= match.at)) {
        const keep = partial ?? buf.length;
        out.push(buf.subarray(from, keep));
        this.pending = Buffer.from(buf.subarray(keep));
        return out.length === 1 ? out[0]! : Buffer.concat(out);
      }
      out.push(buf.subarray(from, match.at), STARS);
      from = match.at + match.length;
    }
  }

  /** The leftmost whole value at or after `from` (the longest, at one place). */
  private firstMatch(buf: Buffer, from: number): { at: number; length: number } | undefined {
    let best: { at: number; length: number } | undefined;
    for (const v of this.values) {
      const at = buf.indexOf(v, from);
      if (at >= 0 && (best === undefined || at < best.at)) best = { at, length: v.length };
    }
    return best;
  }

  /** The first place from which the rest of `buf` is the beginning of a value, not all of it. */
  private firstPartial(buf: Buffer, from: number): number | undefined {
    const longest = this.values[0]!.length;
    for (let at = Math.max(from, buf.length - longest + 1); at < buf.length; at++) {
      const tail = buf.subarray(at);
      if (this.values.some((v) => v.length > tail.length && v.subarray(0, tail.length).equals(tail))) return at;
    }
    return undefined;
  }
}

/**
 * A stream that masks what is written to it and passes it on to `target`,
 * ending `target` when it ends. With no values to hide, `target` itself.
 */
export function maskedStream(target: Writable, values: readonly string[]): Writable {
  const mask = new SecretMask(values);
  if (mask.empty) return target;
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const out = mask.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (out.length === 0) return done();
      target.write(out, (e) => done(e ?? undefined));
    },
    final(done) {
      const out = mask.end();
      if (out.length > 0) target.write(out);
      target.end(() => done());
    },
  });
}

/**
 * `text` (an error's message) with secret values replaced by `***`: also as
 * JSON and Node's `inspect` escape them (Node's own errors quote a value they
 * refuse, `Received 'hun\\x00ter'`, cut after 128 characters).
 */
export function maskText(text: string, values: readonly string[]): string {
  const forms = values.flatMap((v) => {
    const inspected = inspect(v);
    return [v, JSON.stringify(v).slice(1, -1), inspected.slice(1, -1), ...(inspected.length > 128 ? [inspected.slice(1, 128)] : [])];
  });
  const mask = new SecretMask(forms);
  return mask.empty ? text : Buffer.concat([mask.push(Buffer.from(text)), mask.end()]).toString();
}

/** `value` as `encode` writes it, or '' when it cannot (a lone surrogate). */
function encoded(value: string, encode: (v: string) => string): string {
  try {
    return encode(value);
  } catch {
    return '';
  }
}
