import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Rig } from '../support/rig.js';
import { checkCrate, PROFILES, RULES, type Crate, type Entity } from './crate-rules.js';
import { describeWithPython, INPUTS, tinyRig } from './fixture.js';

const QUERY = join(import.meta.dirname, 'query-crate.py');

interface Node { job: string; kind: string; outputs: Record<string, string>; inputs: { path: string; from: Node[] }[] }

/** What `shark lineage --json` says: who made each file, and what each job read. */
function fromLineage(tree: Node): { madeBy: Record<string, string[]>; read: Record<string, string[]> } {
  const madeBy: Record<string, string[]> = {};
  const read: Record<string, string[]> = {};
  const walk = (n: Node): void => {
    if (n.kind !== 'group') {
      for (const p of Object.keys(n.outputs)) madeBy[p] = [n.job];
      read[n.job] = n.inputs.map((i) => i.path).sort();
    }
    for (const i of n.inputs) i.from.forEach(walk);
  };
  walk(tree);
  return { madeBy, read };
}

/** What query-crate.py reads from a crate, with the real RO-Crate 1.1 context. */
interface Answers {
  madeBy: Record<string, string[]>;
  read: Record<string, string[]>;
  sha256: Record<string, string>;
  undefined: string[];
}

const crateOf = (rig: Rig, dir: string): Crate => JSON.parse(rig.read(`${dir}/ro-crate-metadata.json`)) as Crate;
const byId = (c: Crate, id: string): Entity => c['@graph'].find((e) => e['@id'] === id)!;
const ids = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map((r) => (r as { '@id': string })['@id']);

/** One way to break each rule; a copy of the crate each time. */
const BREAK: Record<string, (c: Crate) => void> = {
  'context': (c) => void (c['@context'] = 'https://example.org/context'),
  'flat-graph': (c) => void delete (c['@graph'][3] as Partial<Entity>)['@type'],
  'descriptor': (c) => void (byId(c, 'ro-crate-metadata.json')['conformsTo'] = { '@id': 'https://w3id.org/ro/crate/1.0' }),
  'root-dataset': (c) => void (byId(c, './')['@type'] = 'CreativeWork'),
  'root-properties': (c) => void delete byId(c, './')['datePublished'],
  'data-present': (c) => void c['@graph'].push({ '@id': 'data/missing.txt', '@type': 'File' }),
  'data-linked': (c) => {
    const root = byId(c, './');
    root['hasPart'] = ids(root['hasPart']).filter((id) => id !== 'data/report.txt').map((id) => ({ '@id': id }));
  },
  'process-conforms': (c) => void (byId(c, './')['conformsTo'] = ids(byId(c, './')['conformsTo']).filter((p) => p !== PROFILES.process).map((id) => ({ '@id': id }))),
  'action-instrument': (c) => void delete c['@graph'].find((e) => e['@type'] === 'CreateAction' && String(e['@id']).includes('job'))!['instrument'],
  'workflow-conforms': (c) => void (byId(c, './')['conformsTo'] = ids(byId(c, './')['conformsTo']).filter((p) => p !== PROFILES.workflow).map((id) => ({ '@id': id }))),
  'main-workflow': (c) => void (byId(c, 'p.md')['@type'] = 'File'),
  'workflow-run': (c) => {
    for (const e of c['@graph']) if (e['@type'] === 'CreateAction' && ids(e['instrument'])[0] === 'p.md') e['instrument'] = { '@id': '#tool-report' };
  },
  'formal-parameter': (c) => void c['@graph'].push({ '@id': '#parameter-SCALE', '@type': 'FormalParameter', name: 'SCALE' }),
  'provenance-conforms': (c) => void (byId(c, './')['conformsTo'] = ids(byId(c, './')['conformsTo']).filter((p) => p !== PROFILES.provenance).map((id) => ({ '@id': id }))),
  'workflow-types': (c) => void (byId(c, 'p.md')['@type'] = ['File', 'SoftwareSourceCode', 'ComputationalWorkflow']),
  'tool-runs': (c) => void (c['@graph'] = c['@graph'].filter((e) => !(e['@type'] === 'CreateAction' && ids(e['instrument'])[0] !== 'p.md'))),
  'tools-in-workflow': (c) => void (byId(c, 'p.md')['hasPart'] = ids(byId(c, 'p.md')['hasPart']).slice(1).map((id) => ({ '@id': id }))),
  'steps-listed': (c) => void (byId(c, 'p.md')['step'] = ids(byId(c, 'p.md')['step']).slice(1).map((id) => ({ '@id': id }))),
  'step-work-example': (c) => void delete c['@graph'].find((e) => e['@type'] === 'HowToStep')!['workExample'],
  'control-action': (c) => void (c['@graph'].find((e) => e['@type'] === 'ControlAction')!['object'] = { '@id': 'data/report.txt' }),
  'organize-action': (c) => void (c['@graph'].find((e) => e['@type'] === 'OrganizeAction')!['object'] = []),
  'step-position': (c) => {
    for (const e of c['@graph']) if (e['@type'] === 'HowToStep') e['position'] = String(100 - Number(e['position']));
  },
  'file-sha256': (c) => void (byId(c, 'data/report.txt')['sha256'] = '0'.repeat(64)),
};

describeWithPython('shark export crate: a Provenance Run Crate, queried with python3-rdflib', ['rdflib'], (python) => {
  let rig: Rig;
  beforeEach(() => void (rig = tinyRig()));
  afterEach(() => rig.cleanup());

  const sparql = (dir: string): Answers => JSON.parse(execFileSync(python, [QUERY, rig.path(dir)], { encoding: 'utf8' })) as Answers;
  const lineage = async (path: string): Promise<Node> => JSON.parse((await rig.shark(['lineage', 'p.md', path, '--json'])).stdout) as Node;

  it('keeps every MUST rule of RO-Crate 1.1 and the Process, Workflow and Provenance Run Crate profiles', async () => {
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    const ran = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(ran.code, ran.stderr).toBe(0);
    const crate = crateOf(rig, 'crate');
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    expect(rig.read('crate/p.md')).toBe(rig.read('p.md'));
    expect(rig.read('crate/data/report.txt')).toBe(rig.read('_shark/report.txt'));
    expect(ids(byId(crate, './')['conformsTo'])).toEqual(expect.arrayContaining(Object.values(PROFILES)));
    const engine = crate['@graph'].find((e) => e['@type'] === 'OrganizeAction')!;
    expect(byId(crate, ids(engine['instrument'])[0]!)['name']).toBe('Shark');
  });

  it('catches each broken rule', async () => {
    await rig.shark(['run', 'p.md', ...INPUTS]);
    await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    const text = readFileSync(rig.path('crate/ro-crate-metadata.json'), 'utf8');
    expect(Object.keys(BREAK).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const rule of RULES) {
      const broken = JSON.parse(text) as Crate;
      BREAK[rule.id]!(broken);
      expect(checkCrate(broken, rig.path('crate')).map((p) => p.rule), rule.id).toContain(rule.id);
    }
  });

  it('answers "which job made file X" and "which files did job Y read" as shark lineage does, cached jobs included', async () => {
    await rig.shark(['run', 'p.md', ...INPUTS]);
    rig.write('raw.txt', 'a second input\n');
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'crate'])).code).toBe(0);
    expect(checkCrate(crateOf(rig, 'crate'), rig.path('crate'))).toEqual([]);
    const expected = fromLineage(await lineage('/data/report.txt'));
    const answered = sparql('crate');
    expect(answered.madeBy).toEqual(expected.madeBy);
    expect(answered.read).toEqual(expected.read);
    expect(Object.keys(expected.read)).toHaveLength(4);
  });

  it('read as JSON-LD with the real RO-Crate 1.1 context, defines every term it uses, so each File keeps its sha256', async () => {
    await rig.shark(['run', 'p.md', ...INPUTS]);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'crate'])).code).toBe(0);
    const answered = sparql('crate');
    expect(answered.undefined).toEqual([]);
    const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
    expect(answered.sha256['/data/report.txt']).toBe(sha(rig.read('_shark/report.txt')));
    const files = crateOf(rig, 'crate')['@graph'].filter((e) => e['@type'] === 'File' && String(e['@id']).startsWith('data/'));
    expect(Object.keys(answered.sha256).sort()).toEqual(files.map((f) => String(f['alternateName'])).sort());
  });

  it('gives the url of an import whose source is a file: URL, not of a relative file: path, and still reads as RDF', async () => {
    rig.write('src.csv', 'x,1\n');
    const url = `file://${rig.path('src.csv').split('/').map(encodeURIComponent).join('/')}`;
    rig.write('i.md', `# I\n\n\`\`\`shark-import\n${url} /data/abs.csv\nfile:src.csv /data/rel.csv\n\`\`\`\n\n\`\`\`shark-run\ncat /data/abs.csv /data/rel.csv > /data/both.csv\n\`\`\`\n`);
    expect((await rig.shark(['run', 'i.md'])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'i.md', '-o', 'crate'])).code).toBe(0);
    const sources = crateOf(rig, 'crate')['@graph'].filter((e) => String(e['@id']).startsWith('#source-'));
    expect(sources.map((e) => [e['name'], e['url'] ?? null]).sort()).toEqual([[url, url], ['file:src.csv', null]]);
    expect(sparql('crate').undefined).toEqual([]);
  });

  it('refuses to write into a directory that is not empty (exit 2) and needs -o', async () => {
    await rig.shark(['run', 'p.md', ...INPUTS]);
    rig.write('full/x', 'x');
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'full'])).code).toBe(2);
    expect((await rig.shark(['export', 'crate', 'p.md'])).code).toBe(2);
    // A link to an empty directory: refused for being a link (it said it was no directory).
    mkdirSync(rig.path('empty'));
    symlinkSync('empty', rig.path('via'));
    const linked = await rig.shark(['export', 'crate', 'p.md', '-o', 'via']);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain('via is a symbolic link: the crate is not written through one');
  });
});
