import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A step that runs a script beside the document, which reads a `{deps}` file: neither is /data. */
const PIPELINE = `## Make

\`\`\`shark-run
echo 21 > /data/in.txt
\`\`\`

## Double

\`\`\`shark-run {deps=lib.awk}
sh run.sh /data/in.txt > /data/x.txt
\`\`\`
`;

const SCRIPT = '#!/bin/sh\nexec awk -f lib.awk "$@"\n';
const TWICE = '{ print $1 * 2 }\n';
const THRICE = '{ print $1 * 3 }\n';
const idOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

type LocalFile = { path: string; id: string; deps?: boolean };
type Node = { job: string; files?: LocalFile[]; inputs: { from: Node[] }[] };
type Prov = { entity: Record<string, Record<string, unknown>>; used: Record<string, Record<string, string>> };

describe('lineage, why and the exports name the local files in a job\'s key', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-local-files-');
    rig.write('p.md', PIPELINE);
    rig.write('run.sh', SCRIPT);
    rig.write('lib.awk', TWICE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('lib.awk', THRICE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('lists each with its content id under the job, the {deps} ones marked, as the run that made the result had them', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/x.txt']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`  uses run.sh  ${idOf(SCRIPT)}\n`);
    expect(ran.stdout).toContain(`  uses lib.awk  ${idOf(THRICE)}  ({deps})\n`);
    // The job that wrote /data/in.txt names no local file.
    expect(ran.stdout.match(/uses /g)).toHaveLength(2);
    const first = await rig.shark(['lineage', 'p.md', '/data/x.txt', '--run', '1']);
    expect(first.stdout).toContain(`  uses lib.awk  ${idOf(TWICE)}  ({deps})\n`);
  });

  it('gives them as `files` of the node in --json', async () => {
    const node = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/x.txt', '--json'])).stdout) as Node;
    expect(node.files).toEqual([{ path: 'run.sh', id: idOf(SCRIPT) }, { path: 'lib.awk', id: idOf(THRICE), deps: true }]);
    expect(node.inputs[0]!.from[0]!.files).toBeUndefined();
  });

  it('reads them from a store whose rows an older Shark wrote (without them in `shown`)', async () => {
    const copy = new Rig('shark-local-files-old-');
    try {
      copy.write('p.md', PIPELINE);
      copy.write('run.sh', SCRIPT);
      copy.write('lib.awk', TWICE);
      expect((await copy.shark(['run', 'p.md'])).code).toBe(0);
      const db = new Database(copy.path('.shark/shark.sqlite'));
      // What SHOWN version 1 wrote: the first array ends with the variables.
      db.exec("UPDATE results SET shown = json_remove(shown, '$[0][7]', '$[0][6]')");
      db.pragma('user_version = 1');
      db.close();
      const node = JSON.parse((await copy.shark(['lineage', 'p.md', '/data/x.txt', '--json'])).stdout) as Node;
      expect(node.files).toEqual([{ path: 'run.sh', id: idOf(SCRIPT) }, { path: 'lib.awk', id: idOf(TWICE), deps: true }]);
      const after = new Database(copy.path('.shark/shark.sqlite'));
      expect(after.pragma('user_version', { simple: true })).toBe(2);
      after.close();
    } finally {
      copy.cleanup();
    }
  });

  it('shows them in why\'s lineage of the job', async () => {
    const produced = await rig.shark(['export', 'crate', 'p.md', '-o', 'why-crate']);
    expect(produced.code, produced.stderr).toBe(0);
    const why = await rig.shark(['why', 'why-crate/data/x.txt']);
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toContain(`uses lib.awk  ${idOf(THRICE)}  ({deps})`);
  });

  it('makes each an entity the job used in export prov, with its sha256', async () => {
    const ran = await rig.shark(['export', 'prov', 'p.md']);
    expect(ran.code, ran.stderr).toBe(0);
    const prov = JSON.parse(ran.stdout) as Prov;
    const lib = Object.entries(prov.entity).find(([, e]) => e['shark:path'] === 'lib.awk');
    expect(lib?.[1]).toMatchObject({ 'shark:sha256': idOf(THRICE).slice('sha256:'.length), 'shark:content': idOf(THRICE) });
    const script = Object.entries(prov.entity).find(([, e]) => e['shark:path'] === 'run.sh');
    expect(script).toBeDefined();
    const used = Object.values(prov.used).map((u) => u['prov:entity']);
    expect(used).toContain(lib![0]);
    expect(used).toContain(script![0]);
  });

  it('lists them among the objects of the job\'s action in export crate', async () => {
    const ran = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(ran.code, ran.stderr).toBe(0);
    const graph = (JSON.parse(rig.read('crate/ro-crate-metadata.json')) as { '@graph': Record<string, unknown>[] })['@graph'];
    const lib = graph.find((e) => e['name'] === 'lib.awk');
    expect(lib).toMatchObject({ sha256: idOf(THRICE).slice('sha256:'.length) });
    const action = graph.find((e) => e['@type'] === 'CreateAction' && e['identifier'] === 'double');
    expect(action?.['object']).toContainEqual({ '@id': lib!['@id'] });
  });
});
