import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../src/markdown/parse.js';
import { MAX_NESTING } from '../../src/markdown/nesting.js';
import { MAX_DOCUMENT_BYTES, decodeDocument, firstInvalidUtf8 } from '../../src/markdown/source-text.js';

const fence = '```';
const where = (source: string): string[] =>
  parseMarkdown('p.md', source).diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`);
const TOO_DEEP = `nesting deeper than ${MAX_NESTING} levels of lists or quotes: Shark does not read documents nested this deeply`;

/** Documents 3000 levels deep, in the shapes a parser nests: markers on one line, indentation, quotes. */
const DEEP: Record<string, string> = {
  'list markers on one line': '- '.repeat(3000) + 'x\n',
  'ordered markers on one line': '1. '.repeat(3000) + 'x\n',
  'indented nested lists': Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i)}- item ${i}`).join('\n') + '\n',
  'quotes without spaces': '>'.repeat(3000) + ' x\n',
  'quotes with spaces': '> '.repeat(3000) + 'x\n',
  'quotes and lists mixed': '> - '.repeat(1500) + 'x\n',
  'one more level per line': Array.from({ length: 3000 }, (_, i) => '>'.repeat(i + 1) + ' x').join('\n') + '\n',
};

describe('nesting depth', () => {
  it.each(Object.keys(DEEP))('refuses %s at once, at the marker past the limit', (shape) => {
    const source = `# Deep\n\n${fence}shark-run\necho hi > /data/x\n${fence}\n\n${DEEP[shape]!}`;
    const t = performance.now();
    const found = where(source);
    expect(performance.now() - t).toBeLessThan(500);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^\\d+:\\d+: ${TOO_DEEP}$`));
    const [line, col] = found[0]!.split(':').map(Number) as [number, number];
    // The column is the marker that crossed the limit, on a line that has it.
    expect('#->*+1234567890'.includes(source.split('\n')[line - 1]![col - 1]!)).toBe(true);
  });

  it('points at the 101st marker', () => {
    expect(where('- '.repeat(MAX_NESTING + 1) + 'x\n')).toEqual([`1:${2 * MAX_NESTING + 1}: ${TOO_DEEP}`]);
    expect(where('>'.repeat(MAX_NESTING + 5) + '\n')).toEqual([`1:${MAX_NESTING + 1}: ${TOO_DEEP}`]);
  });

  it('reads nesting up to the limit, and blocks inside it', () => {
    const list = '- '.repeat(MAX_NESTING - 1) + 'x\n';
    expect(where(`${list}\n${fence}shark-run\necho hi > /data/x\n${fence}\n`)).toEqual([]);
    const indented = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}- item`).join('\n');
    expect(where(`${indented}\n\n${fence}shark-run\necho hi > /data/x\n${fence}\n`)).toEqual([]);
  });

  it('counts lines as the parser does: a lone CR ends one', () => {
    const deep = Array.from({ length: MAX_NESTING + 1 }, (_, i) => '>'.repeat(i + 1) + ' x').join('\r');
    expect(where(`# Deep\r\r${deep}\r`)).toEqual([`${MAX_NESTING + 3}:${MAX_NESTING + 1}: ${TOO_DEEP}`]);
  });

  it('does not count indentation that nests nothing, such as a code body', () => {
    const body = `${fence}shark-run\necho ${' '.repeat(400)}hi > /data/x\n${' '.repeat(400)}true\n${fence}\n`;
    expect(where(body)).toEqual([]);
  });
});

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('decoding the document', () => {
  it('passes valid UTF-8 through unchanged, a byte-order mark included', () => {
    expect(decodeDocument('p.md', bytes('\ufeff# Été 😀\n'))).toEqual({ ok: true, source: '\ufeff# Été 😀\n' });
  });

  it('locates a NUL byte at its line and column', () => {
    const r = decodeDocument('p.md', bytes('# Title\n\nsome é text', [0], ' more\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostic).toMatchObject({ at: { line: 3, col: 12 }, message: 'NUL byte in the document: a pipeline document is text (remove the byte or import the data from a file)' });
    expect(r.shown.split('\n')[2]).toBe('some é text\u2400 more');
  });

  it('locates the first byte of invalid UTF-8', () => {
    const r = decodeDocument('p.md', bytes('# Title\r\nab😀c', [0xc3, 0x28], '\n', [0xff]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostic).toMatchObject({ at: { line: 2, col: 6 }, message: 'invalid UTF-8 (byte 0xc3): save the document as UTF-8' });
  });

  it('reports whichever comes first of a NUL and invalid UTF-8', () => {
    const r = decodeDocument('p.md', bytes('x\n', [0xff], '\n', [0]));
    expect(!r.ok && r.diagnostic.at).toEqual({ line: 2, col: 1 });
  });

  it('finds overlong forms, surrogates, code points past U+10FFFF and truncated sequences', () => {
    expect(firstInvalidUtf8(bytes('ok é 😀 \u{10ffff}'))).toBe(-1);
    expect(firstInvalidUtf8(bytes('a', [0xc0, 0xaf]))).toBe(1);
    expect(firstInvalidUtf8(bytes('ab', [0xe0, 0x80, 0xaf]))).toBe(2);
    expect(firstInvalidUtf8(bytes('a', [0xed, 0xa0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(bytes([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(bytes('abc', [0xe2, 0x82]))).toBe(3);
    expect(firstInvalidUtf8(bytes([0x80]))).toBe(0);
  });

  it('refuses a document over the size limit, naming the size and the limit', () => {
    const r = decodeDocument('p.md', new Uint8Array(MAX_DOCUMENT_BYTES + 1));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostic.at).toEqual({ line: 1, col: 1 });
      expect(r.diagnostic.message).toBe('this document is 196,609 bytes; Shark reads documents of at most 196,608 bytes (192 KiB): keep data in files and import them');
    }
  });
});
