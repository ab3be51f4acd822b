import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { checkCrate, type Crate } from './crate-rules.js';
import { INPUTS, tinyRig } from './fixture.js';

const pipeline = (word: string): string =>
  `# g\n\n\`\`\`shark-run\necho ${word} > /data/a.txt\n\`\`\`\n\n\`\`\`shark-run\nmkdir /data/d && cat /data/a.txt /data/a.txt > /data/d/b.txt\n\`\`\`\n`;

/** The object file holding `content` in the rig's store. */
function objectWith(rig: Rig, content: string): string {
  const root = rig.path('.shark/objects');
  for (const prefix of readdirSync(root)) {
    for (const name of readdirSync(join(root, prefix))) {
      if (readFileSync(join(root, prefix, name), 'utf8') === content) return join(root, prefix, name);
    }
  }
  throw new Error('no such object');
}

describe('shark export crate: a run whose data is not in the store', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig();
    rig.write('g.md', pipeline('1'));
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('says which /data path gc freed, exits 1, and writes nothing', async () => {
    rig.write('g.md', pipeline('2'));
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
    expect((await rig.shark(['gc', 'g.md', '--delete'])).code).toBe(0);
    const ran = await rig.shark(['export', 'crate', 'g.md', '--run', '1', '-o', 'crate']);
    expect(ran.stderr).toMatch(/^shark: error: cannot write the crate: the data of \/data\/a\.txt in run 1 was freed by `shark gc`/);
    expect(ran.stderr).not.toMatch(/shark-tmp|\.crate-|--repair/);
    expect(ran.code).toBe(1);
    expect(rig.exists('crate')).toBe(false);
    expect((await rig.shark(['export', 'crate', 'g.md', '--run', '2', '-o', 'crate'])).code).toBe(0);
  });

  it('names the /data path of a damaged object inside a directory, exits 1, and advises fsck', async () => {
    const object = objectWith(rig, '1\n1\n');
    chmodSync(object, 0o644);
    writeFileSync(object, '1\n2\n');
    utimesSync(object, new Date(), new Date());
    const ran = await rig.shark(['export', 'crate', 'g.md', '-o', 'crate']);
    expect(ran.stderr).toMatch(/the stored data of \/data\/d\/b\.txt in run 1 is missing or damaged \(sha256:[0-9a-f]+\): run `shark fsck`/);
    expect(ran.stderr).not.toMatch(/shark-tmp|\.crate-/);
    expect(ran.code).toBe(1);
  });
  it('writes nothing when a copied file does not hash to its content id (damage that kept the time), exits 1, and advises fsck', async () => {
    for (const [content, path] of [['1\n1\n', '/data/d/b.txt'], ['1\n', '/data/a.txt']] as const) {
      const object = objectWith(rig, content);
      const st = statSync(object);
      chmodSync(object, 0o644);
      writeFileSync(object, content.replace(/1\n$/, '2\n'));
      chmodSync(object, 0o444);
      // Its time put back to the microsecond, as `touch -r` would (a `Date` keeps only milliseconds; half a microsecond more, which utimes drops).
      utimesSync(object, st.atime, (st.mtimeMs + 0.0005) / 1000);
      // Into directories still to be made: they go again with the crate.
      const ran = await rig.shark(['export', 'crate', 'g.md', '-o', 'new/crate']);
      const id = `sha256:${createHash('sha256').update(content).digest('hex')}`;
      expect(ran.stderr).toBe(`shark: error: cannot write the crate: the stored data of ${path} in run 1 is damaged (${id}): run \`shark fsck\`\n`);
      expect(ran.code).toBe(1);
      expect(readdirSync(rig.dir).filter((n) => n.includes('crate') || n === 'new')).toEqual([]);
      chmodSync(object, 0o644);
      writeFileSync(object, content);
      chmodSync(object, 0o444);
      utimesSync(object, st.atime, (st.mtimeMs + 0.0005) / 1000);
    }
    expect((await rig.shark(['export', 'crate', 'g.md', '-o', 'crate'])).code).toBe(0);
  });
});

describe('shark export crate: the run as a CreateAction of the workflow', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());
  const runAction = (): { object: { '@id': string }[]; result: { '@id': string }[] } => {
    const graph = (JSON.parse(rig.read('crate/ro-crate-metadata.json')) as { '@graph': { '@id': string }[] })['@graph'];
    return graph.find((e) => e['@id'] === '#run-1') as unknown as { object: { '@id': string }[]; result: { '@id': string }[] };
  };
  const idsOf = (refs: { '@id': string }[]): string[] => refs.map((r) => r['@id']).sort();

  it('lists no job output as a host input, and no unpublished file as a result', async () => {
    rig = new Rig();
    rig.write('r.md', '# R\n\n```shark-run\nmkdir -p /data/src && echo 1 > /data/src/a.txt && echo 2 > /data/src/b.txt\n```\n\n'
      + '```shark-run\ncat /data/src/*.txt > /data/m/+\n```\n\n```shark-run\ncat /data/m/ >/dev/null 2>&1; cd /data/m && cat * > /data/total.txt\n```\n');
    expect((await rig.shark(['run', 'r.md'])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'r.md', '-o', 'crate'])).code).toBe(0);
    expect(idsOf(runAction().object)).toEqual([]);
    expect(idsOf(runAction().result)).toEqual([]);
  });

  it('lists published directories as Datasets in result: one a job wrote whole, one a map filled, and a file inside one', async () => {
    rig = new Rig();
    rig.write('r.md', '# R\n\n```shark-run\nmkdir -p /data/src && echo 1 > /data/src/a.txt && echo 2 > /data/src/b.txt\n```\n\n'
      + '```shark-run\ncat /data/src/*.txt > /data/m/+\n```\n\n```shark-run\nmkdir /data/whole && echo w > /data/whole/w.txt\n```\n\n'
      + '```shark-publish\n/data/m/\n/data/whole/\n/data/src/a.txt\n```\n');
    expect((await rig.shark(['run', 'r.md'])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'r.md', '-o', 'crate'])).code).toBe(0);
    expect(idsOf(runAction().result)).toEqual(['data/m/', 'data/src/a.txt', 'data/whole/']);
    const graph = (JSON.parse(rig.read('crate/ro-crate-metadata.json')) as { '@graph': { '@id': string; '@type': string }[] })['@graph'];
    const typeOf = (id: string): string | undefined => graph.find((e) => e['@id'] === id)?.['@type'];
    expect(['data/m/', 'data/src/a.txt', 'data/whole/'].map(typeOf)).toEqual(['Dataset', 'File', 'Dataset']);
  });

  it('makes the crate directory as mkdir does under the umask, and leaves an existing empty one as it was', async () => {
    rig = tinyRig();
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    const umask027 = { wrap: ['sh', '-c', 'umask 027; exec "$0" "$@"'] };
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'new/crate'], umask027)).code).toBe(0);
    const mode = (rel: string): string => (statSync(rig.path(rel)).mode & 0o7777).toString(8);
    expect([mode('new'), mode('new/crate'), mode('new/crate/data')]).toEqual(['750', '750', '750']);
    mkdirSync(rig.path('shared'));
    chmodSync(rig.path('shared'), 0o2775);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'shared'], umask027)).code).toBe(0);
    expect(mode('shared')).toBe('2775');
    expect(readdirSync(rig.path('shared')).sort()).toEqual(['data', 'p.md', 'ro-crate-metadata.json']);
    expect(readdirSync(rig.dir).filter((n) => n.startsWith('.'))).toEqual(['.shark']);
  });

  it('lists the bound inputs as object and the published files as result', async () => {
    rig = tinyRig();
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'crate'])).code).toBe(0);
    expect(idsOf(runAction().object)).toEqual(['data/ranges/a.txt', 'data/ranges/b.txt', 'data/raw.txt']);
    expect(idsOf(runAction().result)).toEqual(['data/report.txt']);
  });
});

describe('shark export crate: an input a kept job read in an older version', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('gives the version the job read an entity of its own, with its bytes, as lineage says it read them', async () => {
    rig = new Rig();
    rig.write('in/a.txt', '1\n');
    rig.write('p.md', "```shark-import\nin/ /data/in/\n```\n\n## Slow\n\n```shark-run {precious}\nawk '{ print $1 * 100 }' /data/in/*.txt > /data/slow/+\n```\n");
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/a.txt', '5\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const out = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(out.code, out.stderr).toBe(0);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    const byId = new Map(crate['@graph'].map((e) => [e['@id'], e]));
    const read = ((byId.get('#run-1-job-slow%5Ba.txt%5D')!['object']) as { '@id': string }[]).map((r) => byId.get(r['@id'])!);
    const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
    expect(read.map((f) => [f['alternateName'], f['sha256'], rig.read(`crate/${decodeURIComponent(f['@id'])}`)]))
      .toEqual([['/data/in/a.txt', sha('1\n'), '1\n']]);
    // The directory the run imported is still the one it holds now: the older version is beside it, not part of it.
    expect([byId.get('data/in/a.txt')!['sha256'], rig.read('crate/data/in/a.txt')]).toEqual([sha('5\n'), '5\n']);
    expect(byId.get('data/in/')!['hasPart']).toEqual([{ '@id': 'data/in/a.txt' }]);
    expect((byId.get('./')!['hasPart'] as { '@id': string }[]).map((p) => p['@id'])).toContain(read[0]!['@id']);
  });
});
