import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Rig } from '../support/rig.js';
import { describeWithPython, INPUTS, tinyRig } from './fixture.js';

const READER = join(import.meta.dirname, 'read-prov.py');

type Found = Record<string, number> & {
  activityTimes: Record<string, { start: string | null; end: string | null }>;
  sha256: Record<string, string>;
  generatedBy: Record<string, string>;
  collections: Record<string, string[]>;
  sources: Record<string, Record<string, string>>;
  /** `[shark:path, the entity's IRI]` of each piece of data, as the reader expanded it. */
  dataIris: [string, string][];
};

/** A piece of data's IRI names its path below /data once: `…/data/upper.txt@…`, not `…/data/data/upper.txt@…`. */
function expectDataIris(found: Found): void {
  expect(found.dataIris.length).toBeGreaterThan(0);
  for (const [path, iri] of found.dataIris) {
    expect(path).toMatch(/^\/data\//);
    expect(iri.startsWith(`https://shark.invalid/data/${path.slice('/data/'.length)}@`), `${path}: ${iri}`).toBe(true);
  }
}

/**
 * What the tiny pipeline's run must give: 4 jobs and the run itself as
 * activities; 8 pieces of data (3 read from the host, 4 outputs, the
 * directory the map wrote), 3 commands as plans, 1 environment and the
 * document as entities; Shark acting for the user.
 */
const COUNTS = {
  activities: 5, entities: 13, agents: 2, used: 9, wasGeneratedBy: 4, wasDerivedFrom: 5,
  wasAssociatedWith: 5, actedOnBehalfOf: 1, hadMember: 2,
};

describeWithPython('shark export prov, read back by python3-prov and python3-rdflib', ['prov', 'rdflib'], (python) => {
  let rig: Rig;
  const read = (mode: string, file: string): Found => JSON.parse(execFileSync(python, [READER, mode, rig.path(file)], { encoding: 'utf8' })) as Found;
  beforeEach(() => void (rig = tinyRig()));
  afterEach(() => rig.cleanup());

  it('writes PROV-JSON whose activities, entities and relations match the run', async () => {
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    const ran = await rig.shark(['export', 'prov', 'p.md', '-o', 'prov.json']);
    expect(ran.code, ran.stderr).toBe(0);
    const found = read('json', 'prov.json');
    expect(Object.fromEntries(Object.keys(COUNTS).map((k) => [k, found[k]]))).toEqual(COUNTS);
    for (const [id, t] of Object.entries(found.activityTimes)) {
      expect(t.start, id).not.toBeNull();
      expect(t.end, id).not.toBeNull();
    }
    const sha = (text: string): string => (execFileSync('sha256sum', { input: text, encoding: 'utf8' }).split(' ')[0] ?? '');
    expect(found.sha256['/data/upper.txt']).toBe(sha('HELLO WORLD\n'));
    expect(found.sha256['/data/report.txt']).toBe(sha(rig.read('_shark/report.txt')));
    expectDataIris(found);
    // The same document to stdout without -o.
    const stdout = await rig.shark(['export', 'prov', 'p.md']);
    expect(JSON.parse(stdout.stdout)).toEqual(JSON.parse(rig.read('prov.json')));
  });

  it('writes the same as PROV-O JSON-LD, its context inline', async () => {
    await rig.shark(['run', 'p.md', ...INPUTS]);
    expect((await rig.shark(['export', 'prov', 'p.md', '--format', 'prov-jsonld', '-o', 'prov.jsonld'])).code).toBe(0);
    const doc = JSON.parse(rig.read('prov.jsonld')) as { '@context': unknown };
    expect(typeof doc['@context']).toBe('object');
    expect(JSON.stringify(doc['@context'])).not.toMatch(/"https?:[^"]*context/);
    const found = read('jsonld', 'prov.jsonld');
    expect(Object.fromEntries(Object.keys(COUNTS).map((k) => [k, found[k]]))).toEqual(COUNTS);
    expectDataIris(found);
  });

  it('a cached job adds no activity: it is the activity of the run that computed it', async () => {
    await rig.shark(['run', 'p.md', ...INPUTS]);
    await rig.shark(['export', 'prov', 'p.md', '-o', 'run1.json']);
    rig.write('raw.txt', 'changed\n');
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    await rig.shark(['export', 'prov', 'p.md', '-o', 'run2.json']);
    const first = read('json', 'run1.json');
    const second = read('json', 'run2.json');
    expect(second.activities).toBe(COUNTS.activities);
    const measure = (f: Found): [string, unknown][] => Object.entries(f.activityTimes).filter(([id]) => id.includes('measure')).sort();
    expect(measure(second)).toHaveLength(2);
    expect(measure(second)).toEqual(measure(first));
    const again = await rig.shark(['export', 'prov', 'p.md', '--run', '1', '-o', 'again.json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(readFileSync(rig.path('again.json'), 'utf8'))).toEqual(JSON.parse(rig.read('run1.json')));
  });

  it('a directory is a prov:Collection with every entry of it as a member, a subdirectory a collection in turn', async () => {
    rig.write('d.md', '# D\n\n```shark-run\nmkdir -p /data/bundle/ && cd /data/bundle/ && echo a > a.txt && printf "#!/bin/sh\\n" > run.sh'
      + ' && chmod +x run.sh && ln -s a.txt l.txt && : > empty.txt && mkdir -p sub/deeper && echo s > sub/deeper/s.txt\n```\n\n'
      + '```shark-run\nls -R /data/bundle/ > /data/listing.txt\n```\n\n```shark-run\ncat /data/bundle/a.txt > /data/copy.txt\n```\n');
    expect((await rig.shark(['run', 'd.md'])).code).toBe(0);
    expect((await rig.shark(['export', 'prov', 'd.md', '-o', 'd.json'])).code).toBe(0);
    const found = read('json', 'd.json');
    const b = (names: string[]): string[] => names.map((n) => `/data/bundle/${n}`);
    expect(found.collections).toEqual({
      '/data/bundle': b(['a.txt', 'empty.txt', 'l.txt', 'run.sh', 'sub']),
      '/data/bundle/sub': b(['sub/deeper']),
      '/data/bundle/sub/deeper': b(['sub/deeper/s.txt']),
    });
    expect(found.sha256['/data/bundle/run.sh']).toBe(execFileSync('sha256sum', { input: '#!/bin/sh\n', encoding: 'utf8' }).split(' ')[0]);
  });

  it('says what each import was pinned to: an entity of its source the import used, with each field of the pin (they were left out)', async () => {
    rig.write('src/a.txt', 'a\n');
    rig.write('i.md', '# I\n\n```shark-import\nsrc/ /data/src/\n```\n\n```shark-run\ncat /data/src/a.txt > /data/copy.txt\n```\n');
    expect((await rig.shark(['run', 'i.md'])).code).toBe(0);
    expect((await rig.shark(['export', 'prov', 'i.md', '-o', 'i.json'])).code).toBe(0);
    const sources = Object.values(read('json', 'i.json').sources);
    const lineage = JSON.parse((await rig.shark(['lineage', 'i.md', '/data/src/', '--json'])).stdout) as { source: Record<string, string> };
    expect(sources).toEqual([{ 'shark:source': 'src/', 'shark:pin-kind': 'directory', 'shark:pin-path': 'src/', 'shark:pin-tree': lineage.source['tree'] }]);
    expect((await rig.shark(['export', 'crate', 'i.md', '-o', 'crate'])).code).toBe(0);
    const graph = (JSON.parse(rig.read('crate/ro-crate-metadata.json')) as { '@graph': { '@id': string; identifier?: unknown; object?: { '@id': string }[] }[] })['@graph'];
    const source = graph.find((e) => e['@id'].startsWith('#source-'));
    expect(source?.identifier).toEqual(['kind:directory', 'path:src/', lineage.source['tree']]);
    expect(graph.some((e) => e.object?.some((o) => o['@id'] === source?.['@id']))).toBe(true);
  });

  it('refuses a run that does not exist and an unknown format (exit 2), and a pipeline never run (exit 1)', async () => {
    await rig.shark(['run', 'p.md', ...INPUTS]);
    const missing = await rig.shark(['export', 'prov', 'p.md', '--run', '7']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('run 7');
    expect((await rig.shark(['export', 'prov', 'p.md', '--format', 'xml'])).code).toBe(2);
    const never = tinyRig();
    try {
      const ran = await never.shark(['export', 'prov', 'p.md']);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain('not been run');
    } finally {
      never.cleanup();
    }
  });
});
