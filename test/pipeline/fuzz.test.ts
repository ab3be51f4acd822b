import { describe, expect, it } from 'vitest';
import { DAG_FORMATS, formatDag } from '../../src/pipeline/dag-format.js';
import { loadPipeline } from '../../src/pipeline/load.js';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const MARKDOWN = ['```', '~~~', '````', 'shark-run', 'shark-run:', 'shark-build:e', 'shark-import', 'shark-publish', 'shark-publish:out', ':', ':abcdef12', '{', '}', 'id=', 'network', 'timeout=5', '\n', '\n', '\n', '\r\n', ' ', '    ', '\t', '- ', '1. ', '> ', '# H', '---', 'inputs:', '  a: /data/a', 'path:', '[', ']', '"', "'", '`', '\\', '\u0000', 'é', '😀'];
const SHELL = ['$ ', '\\\n', '#', "'", '"', '`', '/data/', '/data/a', '/data/b/', '/data/b/*', '/data/c/+', '/data/../x', '*', '+', '<', '>', '>>', '2>&1', '<<EOF', '\nEOF\n', 'if ', 'then ', 'fi', 'for ', 'do ', 'done', 'case ', 'esac', '; ', '|', '&&', '(', ')', '{ ', '}', '${X}', '$(', 'cd ', 'export ', '=', 'x', ' ', '\n', '\n'];
const IMPORT = ['https://x.org/a.zip', 'zenodo:1', 'zenodo:x/y', 'doi:10.5281/zenodo.1', 'github:a/b@c/d', 'github:a', 'x.git', 'file:', 'ftp://x', ' ', ' /data/d', ' /data/d/', ' /tmp', ' md5:0123456789abcdef0123456789abcdef', ' sha256:00', ' extract', '#', '\n'];
const BUILD = ['FROM x', 'RUN y', 'COPY a b', 'COPY ["a"', '(', ')', '((from x)', '(run (shell "a"))', '"', ';', '\n', ' '];
const TAGS = ['shark-run', 'shark-run:e', 'shark-build:e', 'shark-import', 'shark-publish', 'shark-publish:out', 'shark-run {network}', 'shark-run:e:abcdef12', 'shark-run {timeout=1h, id=x}'];

function check(source: string): void {
  let result;
  try {
    result = loadPipeline('f.md', source);
  } catch (e) {
    throw new Error(`loadPipeline threw on ${JSON.stringify(source)}: ${(e as Error).stack}`);
  }
  const { pipeline, diagnostics } = result;
  const lines = source.split(/\r\n|\r|\n/);
  if (pipeline === undefined && !diagnostics.some((d) => d.severity === 'error')) {
    throw new Error(`no pipeline and no error for ${JSON.stringify(source)}`);
  }
  for (const d of diagnostics) {
    const text = lines[d.at.line - 1];
    if (text === undefined || d.at.col < 1 || d.at.col > text.length + 1) {
      throw new Error(`diagnostic outside the document at ${d.at.line}:${d.at.col} (${d.message}) for ${JSON.stringify(source)}`);
    }
  }
  if (pipeline !== undefined) for (const format of DAG_FORMATS) formatDag(pipeline, format);
}

describe('loadPipeline on garbled input', () => {
  it('never throws, and reports an error with a place inside the document whenever it fails', () => {
    const next = random(1);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    for (let n = 0; n < 2000; n++) {
      let source = '';
      const length = Math.floor(next() * 60);
      for (let i = 0; i < length; i++) source += pick(next() < 0.5 ? MARKDOWN : SHELL);
      check(source);
    }
  });

  it('never throws on well-fenced documents with garbled bodies', () => {
    const next = random(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    let valid = 0;
    for (let n = 0; n < 2000; n++) {
      let source = next() < 0.3 ? '---\ninputs:\n  a: /data/a\n---\n' : '';
      for (let b = Math.floor(next() * 5); b >= 0; b--) {
        if (next() < 0.5) source += `## ${pick(['Setup', 'Run it', 'é!', ''])}\n\n`;
        const tag = pick(TAGS);
        const parts = tag.startsWith('shark-import') ? IMPORT : tag.startsWith('shark-build') ? BUILD : SHELL;
        let body = '';
        for (let i = Math.floor(next() * 15); i > 0; i--) body += pick(parts);
        const marker = pick(['```', '~~~', '````']);
        source += `${marker}${tag}\n${body}\n${next() < 0.95 ? marker : '```'}\n\n`;
      }
      check(source);
      if (loadPipeline('f.md', source).pipeline !== undefined) valid++;
    }
    // The generator must reach the inference, not only the parse errors.
    expect(valid).toBeGreaterThan(50);
  });

  it('survives deep nesting and long inputs', () => {
    // Deeply nested quotes are in the markdown tests; nested lists are slow to parse (quadratic in micromark).
    check('- '.repeat(500) + 'x\n');
    check('```shark-build:e\n' + '('.repeat(20000) + '\n```\n');
    check('```shark-run\n' + 'if x; then\n'.repeat(2000) + '```\n');
    check('```shark-run\n' + 'echo /data/a \\\n'.repeat(2000) + '\n```\n');
  });
});
