import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { imageTag } from '../../src/exec/docker/image-names.js';
import { blockInCrate, checkCrate, type Crate, type Entity } from '../lineage/crate-rules.js';
import { findPython } from '../lineage/fixture.js';
import { BASE, describeDocker, dockerCli, lockOf, removeBuiltImages, scratch, shark } from './rig.js';

const PIPELINE = `# Image

## Tools

\`\`\`shark-build:box
FROM ${BASE}
RUN echo built > /opt-marker
\`\`\`

## Inside

\`\`\`shark-run:box
cat /opt-marker > /data/marker.txt
\`\`\`

## Outside

\`\`\`shark-run
cat /data/marker.txt > /data/copy.txt
\`\`\`
`;

const QUERY = join(import.meta.dirname, '..', 'lineage', 'query-crate.py');

const ids = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((r) => (r as { '@id': string })['@id']);

describeDocker('shark export crate of a run in a container environment', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => void (tmp = scratch('shark-crate-image-')));
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  it('lists the build block as a tool whose action made the image, and each job in it with that image as containerImage', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), PIPELINE);
    const ran = await shark(['run', 'p.md'], tmp.dir);
    expect(ran.code, ran.stderr).toBe(0);
    expect((await shark(['export', 'crate', 'p.md', '-o', 'crate'], tmp.dir)).code).toBe(0);
    const crate = JSON.parse(readFileSync(join(tmp.dir, 'crate', 'ro-crate-metadata.json'), 'utf8')) as Crate;
    expect(checkCrate(crate, join(tmp.dir, 'crate'))).toEqual([]);
    const byId = new Map(crate['@graph'].map((e) => [e['@id'], e]));

    const env = lockOf(join(tmp.dir, 'p.md')).environments['box']!;
    const imageId = dockerCli('image', 'inspect', '--format', '{{.Id}}', imageTag('box', env.inputs!));
    const tools = blockInCrate(crate, 'tools');
    expect(tools.tool?.['@type']).toBe('SoftwareApplication');
    expect(String(tools.tool?.['description'])).toContain('RUN echo built > /opt-marker');
    expect(tools.actions).toHaveLength(1);
    const images = ids(tools.actions[0]!['result']).map((id) => byId.get(id)!);
    expect(images.map((i) => [i['@type'], i['sha256']])).toEqual([[['ContainerImage', 'SoftwareApplication'], imageId.replace('sha256:', '')]]);
    const image = images[0]!['@id'];

    const jobOf = (block: string): Entity => blockInCrate(crate, block).actions[0]!;
    expect(ids(jobOf('inside')['containerImage'])).toEqual([image]);
    expect(jobOf('outside')['containerImage']).toBeUndefined();
    expect(Number(blockInCrate(crate, 'inside').step?.['position'])).toBeGreaterThan(Number(tools.step?.['position']));
    // Read as JSON-LD with the real RO-Crate 1.1 context (when python3-rdflib is there), no term is dropped.
    const python = findPython(['rdflib']);
    if (python !== undefined) {
      const read = JSON.parse(execFileSync(python, [QUERY, join(tmp.dir, 'crate')], { encoding: 'utf8' })) as { undefined: string[] };
      expect(read.undefined).toEqual([]);
    }
  });

  it('of an older run whose build block changed since: no description of the build from today\'s text, and a warning', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), PIPELINE);
    expect((await shark(['run', 'p.md'], tmp.dir)).code).toBe(0);
    writeFileSync(join(tmp.dir, 'p.md'), PIPELINE.replace('echo built', 'echo rebuilt'));
    expect((await shark(['run', 'p.md'], tmp.dir)).code).toBe(0);
    const old = await shark(['export', 'crate', 'p.md', '--run', '1', '-o', 'crate1'], tmp.dir);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toContain('shark: warning: p.md changed since run 1');
    const crate = JSON.parse(readFileSync(join(tmp.dir, 'crate1', 'ro-crate-metadata.json'), 'utf8')) as Crate;
    expect(checkCrate(crate, join(tmp.dir, 'crate1'))).toEqual([]);
    const tools = blockInCrate(crate, 'tools');
    expect(tools.tool?.['description']).toBeUndefined();
    expect(JSON.stringify(crate)).not.toContain('rebuilt');
    const latest = await shark(['export', 'crate', 'p.md', '-o', 'crate2'], tmp.dir);
    expect(latest.stderr).toBe('');
    const now = JSON.parse(readFileSync(join(tmp.dir, 'crate2', 'ro-crate-metadata.json'), 'utf8')) as Crate;
    expect(String(blockInCrate(now, 'tools').tool?.['description'])).toContain('RUN echo rebuilt > /opt-marker');
  });
});
