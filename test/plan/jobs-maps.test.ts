import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Step } from '../../src/pipeline/pipeline.js';
import { DataState } from '../../src/plan/data-state.js';
import { composeOutputs, expandJobs, matchesLevel, withExtension } from '../../src/plan/jobs.js';
import type { SnapshotId, TreeEntry } from '../../src/store/snapshot-store.js';

/** An in-memory tree store: `tree:HASH` ids for directories, anything else a file. */
function trees() {
  const byId = new Map<string, readonly TreeEntry[]>();
  const compose = (entries: readonly TreeEntry[]): SnapshotId => {
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : 1));
    const id = `tree:${createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 12)}`;
    byId.set(id, sorted);
    return id;
  };
  const dir = (spec: Record<string, unknown>): SnapshotId =>
    compose(Object.entries(spec).map(([name, v]) => ({ name, id: typeof v === 'string' ? v : dir(v as Record<string, unknown>) })));
  const list = (id: SnapshotId, prefix = ''): string[] =>
    (byId.get(id) ?? []).flatMap((e) => (byId.has(e.id) ? list(e.id, `${prefix}${e.name}/`) : [`${prefix}${e.name}=${e.id}`]));
  return { entries: (id: SnapshotId) => byId.get(id), compose, dir, list };
}

function stepOf(body: string, frontmatter: string): Step {
  const { pipeline, diagnostics } = loadPipeline('p.md', `---\n${frontmatter}\n---\n\n\`\`\`shark-run {id=s}\n${body}\n\`\`\`\n`);
  expect(diagnostics.map((d) => d.message)).toEqual([]);
  return pipeline!.steps[0]!;
}

const ctx = { envId: 'host', variables: [], files: [] };

describe('expandJobs', () => {
  it('makes one job per file two levels down, +.EXT outputs and joined inputs in the key', () => {
    const t = trees();
    const step = stepOf('paste /data/species/*/*.geojson /data/masks/+.tif > /data/out/+.txt', 'inputs:\n  species: /data/species/\n  masks: /data/masks/');
    const species = t.dir({ AVES: { 'robin.geojson': 'f1', 'wren.geojson': 'f2', notes: { 'x.geojson': 'f9' } }, 'README.geojson': 'f3' });
    const masks = t.dir({ AVES: { 'robin.tif': 'm1' } });
    const ids = new Map(step.inputs.map((i) => [i, i.path === '/data/species' ? species : masks]));
    const jobs = expandJobs(step, ids, t.entries, ctx);
    expect(jobs.map((j) => [j.id, j.outputs.map((o) => o.path), j.inputs.map((i) => `${i.path}=${i.id}`), j.problem?.message])).toEqual([
      ['s[AVES/robin.geojson]', ['/data/out/AVES/robin.txt'], ['/data/species/AVES/robin.geojson=f1', '/data/masks/AVES/robin.tif=m1'], undefined],
      ['s[AVES/wren.geojson]', ['/data/out/AVES/wren.txt'], ['/data/species/AVES/wren.geojson=f2', '/data/masks/AVES/wren.tif=missing'],
        'the joined item AVES/wren.tif is not in /data/masks/ (for item AVES/wren.geojson)'],
    ]);
    expect(jobs[0]!.record.outputs).toEqual(['/data/out/+.txt']);
    expect(jobs[0]!.key).not.toBe(jobs[1]!.key);
  });

  it('replaces the last extension of the item only', () => {
    expect([withExtension('AVES/robin.geojson', '.tif'), withExtension('a.b/README', '.tif'), withExtension('.hidden', '.x'), withExtension('a.tar.gz', undefined)])
      .toEqual(['AVES/robin.tif', 'a.b/README.tif', '.hidden.x', 'a.tar.gz']);
  });
});

describe('matchesLevel', () => {
  it('matches a hidden name only by a pattern starting with a dot, as sh does: not by `*`, `?` or `[.]`', () => {
    const patterns = ['*', '*foo', '?foo', '[.]foo', '[.]*', '.foo', '.*', '.f?o', '[!a]foo'];
    expect(patterns.filter((p) => matchesLevel(p, '.foo'))).toEqual(['.foo', '.*', '.f?o']);
    expect(patterns.filter((p) => matchesLevel(p, 'xfoo'))).toEqual(['*', '*foo', '?foo', '[!a]foo']);
  });

  it('finds no hidden item in a map over `[.]*`', () => {
    const t = trees();
    const step = stepOf('cat /data/in/[.]* > /data/out/+', 'inputs:\n  in: /data/in/');
    const jobs = expandJobs(step, new Map([[step.inputs[0]!, t.dir({ '.keep': 'f1', '.a': 'f2', 'b': 'f3' })]]), t.entries, ctx);
    expect(jobs.map((j) => j.id)).toEqual([]);
  });
});

describe('composeOutputs', () => {
  it('nests `+` outputs by item path and reports two items writing one file', () => {
    const t = trees();
    const step = stepOf('cat /data/species/*/* > /data/out/+.txt', 'inputs:\n  species: /data/species/');
    const species = t.dir({ AVES: { 'robin.geojson': 'f1', 'robin.gpkg': 'f2' }, FISH: { 'cod.geojson': 'f3' } });
    const jobs = expandJobs(step, new Map([[step.inputs[0]!, species]]), t.entries, ctx);
    const results = jobs.map((job, n) => ({ job, outputs: { [job.outputs[0]!.path]: `o${n}` } }));
    const clash = composeOutputs(step, results, t.entries, t.compose);
    expect(clash).toEqual({ ok: false, message: 'two jobs write /data/out/AVES/robin.txt: items AVES/robin.geojson and AVES/robin.gpkg' });
    const fine = composeOutputs(step, [results[0]!, results[2]!], t.entries, t.compose);
    expect(fine.ok && t.list(fine.ids.get('/data/out')!)).toEqual(['AVES/robin.txt=o0', 'FISH/cod.txt=o2']);
  });

  it('keeps of a directory written next to given files only what the step added', () => {
    const t = trees();
    const { pipeline } = loadPipeline('p.md', '```shark-run {id=a}\necho > /data/eco/eco.geojson\n```\n\n```shark-run {id=b}\nrasterize /data/eco/eco.geojson /data/eco\n```\n');
    const step = pipeline!.steps[1]!;
    const [job] = expandJobs(step, new Map([[step.inputs[0]!, 'g1']]), t.entries, ctx);
    const composed = composeOutputs(step, [{ job: job!, outputs: { '/data/eco': t.dir({ 'eco.geojson': 'g1', '1.tif': 'r1' }) } }], t.entries, t.compose);
    expect(composed.ok && t.list(composed.ids.get('/data/eco')!)).toEqual(['1.tif=r1']);
  });
});

describe('DataState', () => {
  it('reads a directory several steps wrote into as their union, and a name from two of them as an error naming both', () => {
    const t = trees();
    const state = new DataState(t.entries, t.compose);
    state.setKnown('/data/t', t.dir({ 'a.tif': 'a1', sub: { 'x': 'x1' } }), 'get');
    state.setKnown('/data/t/new.txt', 'n1', 'add');
    state.setKnown('/data/t/sub/y', 'y1', 'more');
    const all = state.lookup('/data/t');
    expect(all.kind === 'known' && t.list(all.id)).toEqual(['a.tif=a1', 'new.txt=n1', 'sub/x=x1', 'sub/y=y1']);
    expect(state.lookup('/data/t/a.tif')).toEqual({ kind: 'known', id: 'a1' });
    expect(state.lookup('/data/t/new.txt')).toEqual({ kind: 'known', id: 'n1' });
    // Naming the writer: a step later in its block may have been meant to write the path, and could not.
    expect(state.lookup('/data/t/zzz')).toEqual({ kind: 'missing', message: '/data/t/zzz does not exist in /data/t/, written by step `get`' });
    expect(state.lookup('/data/t/sub/q/r')).toEqual({ kind: 'missing', message: '/data/t/sub/q/r does not exist in /data/t/sub/, written by step `get` (its /data/t/)' });
    state.setKnown('/data/in', t.dir({ 'a': 'i1' }));
    expect(state.lookup('/data/in/b')).toEqual({ kind: 'missing', message: '/data/in/b does not exist in /data/in/, a frontmatter input' });
    state.setPending('/data/t/late.txt', 'late');
    expect(state.lookup('/data/t/a.tif')).toEqual({ kind: 'known', id: 'a1' });
    expect(state.lookup('/data/t')).toEqual({ kind: 'pending', step: 'late' });
    state.setKnown('/data/t/late.txt', 'l1', 'late');
    state.setKnown('/data/t/a.tif', 'a2', 'clash');
    expect(state.lookup('/data/t')).toEqual({ kind: 'missing', message: '/data/t/a.tif is written by two steps: `get` and `clash`', conflict: true });
  });
});
