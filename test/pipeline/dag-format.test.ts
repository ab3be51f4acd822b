import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dagJson, formatDag, mermaidText, type DagFormat } from '../../src/pipeline/dag-format.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import { ROOT, expectGolden } from '../helpers/golden.js';

const fence = '```';

function load(source: string): Pipeline {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(diagnostics.map((d) => d.message)).toEqual([]);
  return pipeline!;
}

/** Paths with every character that means something to mermaid, DOT, HTML or the shell's quoting. */
const WEIRD = [`/data/a"b`, '/data/x#y;z', '/data/<b>&c', '/data/style:a#1;', '/data/`tick`', '/data/é ü', '/data/(p){r}|s!', '/data/end', '/data/a\\b', '/data/%25'];
const quoted = (p: string): string => `'${p.replace(/'/g, `'\\''`)}'`;
const weird = load(`# Weird "names" & <things>

${fence}shark-run {id=we.ird_1}
touch ${WEIRD.map(quoted).join(' ')}
${fence}

${fence}shark-run
cat ${WEIRD.map(quoted).join(' ')} > /data/all
${fence}
`);

describe('mermaidText', () => {
  it('writes anything beyond plain path characters as a mermaid character code', () => {
    expect(mermaidText('/data/a_b-c.d/*+~,=@ x')).toBe('/data/a_b-c.d/*+~,=@ x');
    expect(mermaidText('a"b#c;d<e>f&g:h`i')).toBe('a#34;b#35;c#59;d#60;e#62;f#38;g#58;h#96;i');
    expect(mermaidText('é😀')).toBe('#233;#128512;');
  });
});

describe('mermaid', () => {
  it('quotes every label and escapes every special character in it', () => {
    const text = formatDag(weird, 'mermaid');
    const lines = text.split('\n');
    expect(lines[0]).toBe('flowchart LR');
    for (const line of lines.slice(1)) {
      // A node: id, an opening shape, one quoted label with only safe characters and codes, the closing shape.
      // An edge: two ids.
      expect(line).toMatch(/^ {2}(n\d+(\[\(|\[\/|\[\\|\{\{|\[)"([A-Za-z0-9 /._*+~,=@-]|#\d+;|<br\/>|<\/?small>)*"(\)\]|\/\]|\\\]|\}\}|\])|n\d+ --> n\d+)$/);
    }
    expect(text).toContain('[("/data/a#34;b")]');
    expect(text).toContain('[("/data/style#58;a#35;1#59;")]');
    expect(text).toContain('["we.ird_1<br/><small>run on host</small>"]');
  });

  it('draws each kind of block with its own shape, and files as cylinders', () => {
    const p = load(`${fence}shark-build:env\nFROM x\n${fence}\n${fence}shark-import\nhttps://x.org/a /data/a\n${fence}\n${fence}shark-run:env\ncat /data/a > /data/b\n${fence}\n${fence}shark-publish\n/data/b\n${fence}\n`);
    expect(formatDag(p, 'mermaid')).toBe(`flowchart LR
  n0{{"build<br/><small>build env</small>"}}
  n1[/"import<br/><small>import</small>"/]
  n2["run<br/><small>run on env</small>"]
  n3[\\"publish<br/><small>publish to _shark/</small>"\\]
  n4[("/data/a")]
  n5[("/data/b")]
  n1 --> n4
  n4 --> n2
  n2 --> n5
  n0 --> n2
  n5 --> n3`);
  });
});

describe('dot', () => {
  it('quotes every label as a DOT string', () => {
    const text = formatDag(weird, 'dot');
    expect(text).toContain(String.raw`n2 [shape=note, label="/data/a\"b"];`);
    expect(text).toContain(String.raw`n10 [shape=note, label="/data/a\\b"];`);
    for (const line of text.split('\n').slice(3, -1)) {
      expect(line).toMatch(/^ {2}(n\d+ \[.*label="([^"\\]|\\.)*"\];|n\d+ -> n\d+;)$/);
    }
  });
});

describe('text', () => {
  it('quotes a path holding a space, so a list of paths reads as the paths it holds', () => {
    const lines = formatDag(weird, 'text').split('\n');
    expect(lines).toContain(`  reads:   ${WEIRD.map((p) => (p.includes(' ') ? JSON.stringify(p) : p)).join(' ')}`);
    expect(lines.join('\n')).toContain('"/data/é ü"');
  });
});

describe('json', () => {
  it('keeps the machine contract: blocks with id, kind, env, line, section, inputs, outputs, after', () => {
    const p = load(`# Get\n\n${fence}shark-import\nhttps://x.org/a /data/in/\n${fence}\n\n# Map\n\n${fence}shark-run {network}\nrun /data/in/* /data/out/+\n${fence}\n`);
    const json = JSON.parse(formatDag(p, 'json')) as { blocks: Record<string, unknown>[] };
    expect(json).toEqual(dagJson(p));
    expect(json.blocks.map((b) => Object.keys(b))).toEqual([
      ['id', 'kind', 'env', 'line', 'section', 'axes', 'inputs', 'outputs', 'after', 'steps'],
      ['id', 'kind', 'env', 'line', 'section', 'axes', 'inputs', 'outputs', 'after', 'steps'],
    ]);
    expect(json.blocks[1]).toEqual({
      id: 'map', kind: 'run', env: 'host', line: 9, section: 'Map', axes: {},
      inputs: ['/data/in/*'], outputs: ['/data/out/'], after: ['get'],
      steps: [{ id: 'map', line: 10, command: 'run /data/in/* /data/out/+', inputs: ['/data/in/*'], outputs: ['/data/out/+'], after: ['get'] }],
    });
  });
});

describe('a sweep', () => {
  const sweep = load(readFileSync(join(ROOT, 'fixtures', 'format', 'sweep.md'), 'utf8'));
  const extension: Record<DagFormat, string> = { text: 'txt', json: 'json', dot: 'dot', mermaid: 'mmd' };

  it.each(['text', 'json', 'dot', 'mermaid'] as const)('shows each instance under its id, as %s', (format) => {
    // As `shark dag` prints it.
    expectGolden(`dag/sweep.${extension[format]}`, formatDag(sweep, format) + '\n');
  });

  it('lists each instance in JSON with the values of its axes', () => {
    const blocks = dagJson(sweep) as { blocks: { id: string; axes: Record<string, string> }[] };
    expect(blocks.blocks.map((b) => [b.id, b.axes])).toEqual([
      ['ranges[TAXA=AMPHIBIA]', { TAXA: 'AMPHIBIA' }],
      ['ranges[TAXA=AVES]', { TAXA: 'AVES' }],
      ['delta-p[TAXA=AMPHIBIA,SCENARIO=restore]', { TAXA: 'AMPHIBIA', SCENARIO: 'restore' }],
      ['delta-p[TAXA=AMPHIBIA,SCENARIO=arable]', { TAXA: 'AMPHIBIA', SCENARIO: 'arable' }],
      ['delta-p[TAXA=AVES,SCENARIO=restore]', { TAXA: 'AVES', SCENARIO: 'restore' }],
      ['delta-p[TAXA=AVES,SCENARIO=arable]', { TAXA: 'AVES', SCENARIO: 'arable' }],
      ['sum[SCENARIO=restore]', { SCENARIO: 'restore' }],
      ['sum[SCENARIO=arable]', { SCENARIO: 'arable' }],
      ['publish', {}],
    ]);
  });
});
