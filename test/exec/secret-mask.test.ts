import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { SecretMask, maskText, maskedStream } from '../../src/exec/secret-mask.js';

/** Feeds `text` to a mask in the given chunk sizes and returns what it let through. */
function feed(mask: SecretMask, text: string, sizes: readonly number[]): string {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  let at = 0;
  for (let n = 0; at < bytes.length; n++) {
    const size = sizes[n % sizes.length]!;
    out.push(mask.push(bytes.subarray(at, at + size)));
    at += size;
  }
  out.push(mask.end());
  return Buffer.concat(out).toString();
}

describe('secret mask', () => {
  it('replaces every occurrence of a value with ***', () => {
    const mask = new SecretMask(['hunter2']);
    expect(feed(mask, 'pw=hunter2 and hunter2hunter2\n', [1000])).toBe('pw=*** and ******\n');
  });

  it('replaces a value percent-encoded as a URL carries it (a redirect\'s Location, a server\'s message said it so)', () => {
    const value = 's3cr3t<ü> x';
    expect(maskText('HTTP 404 from http://h/moved?q=s3cr3t%3C%C3%BC%3E%20x', [value])).toBe('HTTP 404 from http://h/moved?q=***');
    expect(maskText('q=s3cr3t%3C%C3%BC%3E+x and s3cr3t<ü> x', [value])).toBe('q=*** and ***');
  });

  it('masks a value split across chunks, at every split point and chunk size', () => {
    const text = 'before s3cr3t-value middle s3cr3t-value after';
    for (let size = 1; size <= text.length; size++) {
      expect(feed(new SecretMask(['s3cr3t-value']), text, [size])).toBe('before *** middle *** after');
    }
    expect(feed(new SecretMask(['s3cr3t-value']), text, [7, 1, 3, 11])).toBe('before *** middle *** after');
  });

  it('holds back only a tail that could begin a value, and lets the rest through at once', () => {
    const mask = new SecretMask(['abcdef']);
    expect(mask.push(Buffer.from('0123456789')).toString()).toBe('0123456789');
    expect(mask.push(Buffer.from('xyzabc')).toString()).toBe('xyz');
    expect(mask.push(Buffer.from('def!ab')).toString()).toBe('***!');
    expect(mask.push(Buffer.from('x')).toString()).toBe('abx');
    expect(mask.push(Buffer.from('abcde')).toString()).toBe('');
    expect(mask.end().toString()).toBe('abcde');
  });

  it('masks the longer of two values starting at one place, and values that overlap other text', () => {
    expect(feed(new SecretMask(['pass', 'password1']), 'x password1 pass y', [2])).toBe('x *** *** y');
    expect(feed(new SecretMask(['aab']), 'aaab', [1])).toBe('a***');
  });

  it('works on bytes: multi-byte characters split between chunks', () => {
    expect(feed(new SecretMask(['grüße']), 'a grüße b', [1])).toBe('a *** b');
  });

  it('passes text through untouched with no values (empty values are ignored)', () => {
    expect(feed(new SecretMask(['']), 'nothing to hide', [3])).toBe('nothing to hide');
  });

  it('as a stream: forwards masked chunks, flushes the tail and ends the target', async () => {
    const target = new PassThrough();
    const got: Buffer[] = [];
    target.on('data', (c: Buffer) => got.push(c));
    const ended = new Promise((r) => target.on('end', r));
    const stream = maskedStream(target, ['topsecret']);
    stream.write('the value is top');
    stream.write('sec');
    stream.write('ret!\n');
    await new Promise<void>((r) => stream.end(r));
    await ended;
    expect(Buffer.concat(got).toString()).toBe('the value is ***!\n');
  });

  it('masks an error message, values as Node escapes them included', () => {
    let message = '';
    try {
      spawn('true', [], { env: { TOKEN: 'hun\0ter2' } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('ter2');
    const masked = maskText(`cannot run job: ${message}`, ['hun\0ter2', 'plain"quote']);
    expect(masked).toContain('cannot run job: ');
    expect(masked).not.toMatch(/hun|ter2/);
    expect(maskText('said "plain\\"quote" and plain"quote', ['plain"quote'])).toBe('said "***" and ***');
  });
});
