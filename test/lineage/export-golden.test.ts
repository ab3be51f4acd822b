import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';

/** A small fixed pipeline: a file, a map over a directory it makes, and a reduce; a variable every job has. */
const PIPELINE = `---
SCALE: 2
---
# Golden

\`\`\`shark-run {id=make}
mkdir -p /data/parts && echo a > /data/parts/a.txt && echo b > /data/parts/b.txt
\`\`\`

\`\`\`shark-run {id=upper}
tr a-z A-Z < /data/parts/* > /data/upper/+
\`\`\`

\`\`\`shark-run {id=join}
cat /data/upper/a.txt /data/upper/b.txt > /data/all.txt
\`\`\`
`;

/** What differs between machines and moments: times, host, user, versions of Shark, the rig's directory. */
function normalise(text: string, dir: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replaceAll(dir, '<dir>')
    .replace(new RegExp(`"${hostname()}"`, 'g'), '"<host>"')
    .replace(new RegExp(`(user/|"name": "|"prov:label": "|"rdfs:label": ")${userInfo().username}(?=["/])`, 'g'), '$1<user>');
}

describe('the exports of a small fixed pipeline', () => {
  const rig = new Rig();
  beforeAll(async () => {
    rig.write('p.md', PIPELINE);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stderr).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('PROV-JSON', async () => {
    const out = await rig.shark(['export', 'prov', 'p.md']);
    expect(out.code, out.stderr).toBe(0);
    expectGolden('lineage-exports/prov.json', normalise(out.stdout, rig.dir));
  });

  it('PROV-O JSON-LD', async () => {
    const out = await rig.shark(['export', 'prov', 'p.md', '--format', 'prov-jsonld']);
    expect(out.code, out.stderr).toBe(0);
    expectGolden('lineage-exports/prov.jsonld', normalise(out.stdout, rig.dir));
  });

  it('Provenance Run Crate metadata', async () => {
    const out = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(out.code, out.stderr).toBe(0);
    expectGolden('lineage-exports/ro-crate-metadata.json', normalise(readFileSync(rig.path('crate/ro-crate-metadata.json'), 'utf8'), rig.dir));
  });
});
