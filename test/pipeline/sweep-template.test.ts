import { describe, expect, it } from 'vitest';
import { fileSafe, templateDocuments } from '../../src/pipeline/sweep-template.js';

const fence = '```';

function template(source: string, overrides: Record<string, string> = {}) {
  const { documents, diagnostics } = templateDocuments('p.md', source, 'p', new Map(Object.entries(overrides)));
  expect(diagnostics).toEqual([]);
  return documents;
}

describe('templateDocuments', () => {
  it('writes one document per combination: axis values substituted, axis keys gone, the rest as written', () => {
    const source = `---
# kept
TAXA:
  - AMPHIBIA
  - AVES
year: 2024 # kept too
SCENARIO: [restore]
---

# Per %{TAXA}

- In a list:

  ${fence}shark-run
  echo %{TAXA} %{year} "%.2f" > /data/x-%{SCENARIO}-%{TAXA}
  ${fence}

${fence}shark-build:e
FROM x
RUN echo '%{TAXA}'
${fence}
`;
    const docs = template(source);
    expect(docs.map((d) => d.name)).toEqual(['p.TAXA=AMPHIBIA,SCENARIO=restore.md', 'p.TAXA=AVES,SCENARIO=restore.md']);
    expect(docs[1]!.axes).toEqual([['TAXA', 'AVES'], ['SCENARIO', 'restore']]);
    expect(docs[1]!.text).toBe(`---
# kept
year: 2024 # kept too
---

# Per %{TAXA}

- In a list:

  ${fence}shark-run
  echo AVES %{year} "%.2f" > /data/x-restore-AVES
  ${fence}

${fence}shark-build:e
FROM x
RUN echo '%{TAXA}'
${fence}
`);
  });

  it('drops a frontmatter left empty, and writes a flow mapping anew', () => {
    const run = `${fence}shark-run\necho %{A} > /data/a%{A}\n${fence}\n`;
    expect(template(`---\nA: [1, 2]\n---\n${run}`)[0]!.text).toBe(`${fence}shark-run\necho 1 > /data/a1\n${fence}\n`);
    expect(template(`---\n{A: [1, 2], B: x}\n---\n${run}`)[1]!.text).toBe(`---\n{ B: x }\n---\n${fence}shark-run\necho 2 > /data/a2\n${fence}\n`);
  });

  it('keeps only the values -e names', () => {
    const docs = template(`---\nA: [1, 2, 3]\n---\n${fence}shark-run\necho > /data/a%{A}\n${fence}\n`, { A: '3,1' });
    expect(docs.map((d) => d.name)).toEqual(['p.A=1.md', 'p.A=3.md']);
  });

  it('writes a document without axes as it is', () => {
    const source = `---\nB: x\n---\n${fence}shark-run\necho %{B} > /data/b\n${fence}\n`;
    expect(template(source)).toEqual([{ name: 'p.md', axes: [], text: source }]);
  });

  it('keeps CRLF line ends', () => {
    const docs = template(`---\r\nA: [1]\r\n---\r\n${fence}shark-run\r\necho %{A} > /data/a\r\n${fence}\r\n`);
    expect(docs[0]!.text).toBe(`${fence}shark-run\r\necho 1 > /data/a\r\n${fence}\r\n`);
  });
});

describe('fileSafe', () => {
  it('keeps plain characters and writes the others as %XX of their UTF-8 bytes', () => {
    expect(fileSafe('AVES_1.0-x+y@z')).toBe('AVES_1.0-x+y@z');
    expect(fileSafe('a b:c,d=e%')).toBe('a%20b%3Ac%2Cd%3De%25');
    expect(fileSafe('é')).toBe('%C3%A9');
  });
});
