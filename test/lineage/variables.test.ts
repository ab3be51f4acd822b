import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { checkCrate, type Crate, type Entity } from './crate-rules.js';
import { describeWithPython } from './fixture.js';

const READER = join(import.meta.dirname, 'read-prov.py');
const QUERY = join(import.meta.dirname, 'query-crate.py');

/** A variable the document sets and `-e` overrides, one shark.yaml gives, and a secret that must show nowhere. */
const PIPELINE = `---
SCALE: 2
secrets: [TOKEN]
---
# Scaled

## One

\`\`\`shark-run
test -n "$TOKEN" && echo "scale is $SCALE, curve $CURVE" > /data/one.txt
\`\`\`

## Two

\`\`\`shark-run
cat /data/one.txt > /data/two.txt
\`\`\`
`;
const SECRET = 'hush-7f3a9c';

interface Node { job: string; variables?: Record<string, string>; inputs: { from: Node[] }[] }
const ids = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((r) => (r as { '@id': string })['@id']);

describeWithPython('the variables a result was made with, in lineage, PROV and the crate', ['prov', 'rdflib'], (python) => {
  const rig = new Rig();
  beforeAll(async () => {
    rig.write('p.md', PIPELINE);
    rig.write('shark.yaml', 'frontmatter:\n  CURVE: 0.3\n');
    const ran = await rig.shark(['run', 'p.md', '-e', 'SCALE=3'], { env: { TOKEN: SECRET } });
    expect(ran.code, ran.stderr).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('lineage shows each job\'s variables: a line in text, `variables` in JSON; never a secret', async () => {
    const text = await rig.shark(['lineage', 'p.md', '/data/two.txt']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n').filter((l) => l.trim().startsWith('with '))).toEqual(['  with CURVE=0.3 SCALE=3', '      with CURVE=0.3 SCALE=3']);
    expect(text.stdout).not.toContain(SECRET);
    expect(text.stdout).not.toContain('TOKEN=');
    const json = await rig.shark(['lineage', 'p.md', '/data/two.txt', '--json']);
    const top = JSON.parse(json.stdout) as Node;
    expect(top.variables).toEqual({ CURVE: '0.3', SCALE: '3' });
    expect(top.inputs[0]!.from[0]!.variables).toEqual({ CURVE: '0.3', SCALE: '3' });
    expect(json.stdout).not.toContain(SECRET);
  });

  it('PROV: each job uses its variables as entities with prov:value, read back by python3-prov', async () => {
    const ran = await rig.shark(['export', 'prov', 'p.md', '-o', 'prov.json']);
    expect(ran.code, ran.stderr).toBe(0);
    const found = JSON.parse(execFileSync(python, [READER, 'json', rig.path('prov.json')], { encoding: 'utf8' })) as { variables: Record<string, Record<string, string>>; ordering: string[] };
    expect(Object.keys(found.variables).sort()).toEqual(['shark-job:run/1/job/one', 'shark-job:run/1/job/two']);
    for (const v of Object.values(found.variables)) expect(v).toEqual({ CURVE: '0.3', SCALE: '3' });
    expect(found.ordering).toEqual([]);
    expect(rig.read('prov.json')).not.toContain(SECRET);
    const ld = await rig.shark(['export', 'prov', 'p.md', '-f', 'prov-jsonld', '-o', 'prov.jsonld']);
    expect(ld.code, ld.stderr).toBe(0);
    expect(rig.read('prov.jsonld')).toContain('"prov:value": "3"');
  });

  it('the crate: each job action\'s environment is PropertyValues, each realising a FormalParameter of its tool', async () => {
    const ran = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(ran.code, ran.stderr).toBe(0);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    const byId = new Map(crate['@graph'].map((e) => [e['@id'], e]));
    const job = byId.get('#run-1-job-one')!;
    const values = ids(job['environment']).map((id) => byId.get(id)!);
    expect(values.map((v) => [v['@type'], v['name'], v['value']])).toEqual([['PropertyValue', 'CURVE', '0.3'], ['PropertyValue', 'SCALE', '3']]);
    const tool = byId.get('#tool-one')!;
    for (const v of values) {
      const parameter = byId.get(ids(v['exampleOfWork'])[0]!) as Entity;
      expect(parameter).toMatchObject({ '@type': 'FormalParameter', name: v['name'], additionalType: 'Text' });
      expect(ids(tool['environment'])).toContain(parameter['@id']);
      expect(ids(byId.get('p.md')!['environment'])).toContain(parameter['@id']);
    }
    expect(ids(byId.get('#run-1')!['environment']).sort()).toEqual(values.map((v) => v['@id']).sort());
    expect(rig.read('crate/ro-crate-metadata.json')).not.toContain(SECRET);
    const answered = JSON.parse(execFileSync(python, [QUERY, rig.path('crate')], { encoding: 'utf8' })) as { undefined: string[] };
    expect(answered.undefined).toEqual([]);
  });
});

describe('a store whose results were written before lineage showed variables', () => {
  it('shows them once opened: what a lineage reads of each result is written again, once', async () => {
    const rig = new Rig();
    try {
      rig.write('p.md', '---\nSCALE: 2\n---\n```shark-run\necho "$SCALE" > /data/one.txt\n```\n');
      expect((await rig.shark(['run', 'p.md', '-e', 'SCALE=3'])).code).toBe(0);
      const db = new Database(rig.path('.shark/shark.sqlite'));
      // As an older Shark wrote it: no variables.
      db.exec(`UPDATE results SET shown = '[' || json_extract(record, '$.kind', '$.env', '$.pin', '$.network', '$.inputs')
        || ',' || json_extract(meta, '$.file', '$.line', '$.col', '$.command', '$.host', '$.version') || ',' || outputs || ']'`);
      db.pragma('user_version = 0');
      db.close();
      const node = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/one.txt', '--json'])).stdout) as Node;
      expect(node.variables).toEqual({ SCALE: '3' });
      const after = new Database(rig.path('.shark/shark.sqlite'));
      // The version of what the rows now hold (output-index.ts SHOWN_VERSION: 2 added the local files).
      expect(after.pragma('user_version', { simple: true })).toBe(2);
      after.close();
    } finally {
      rig.cleanup();
    }
  });
});
