import { symlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';
import { normalise, PIPELINE } from './ask-fixture.js';

describe('shark impact', () => {
  let rig: Rig;
  beforeAll(() => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
  });
  afterAll(() => rig.cleanup());

  it('lists the steps downstream of a data path, in order, each with the path that carries the change', async () => {
    const ran = await rig.shark(['impact', 'p.md', '/data/numbers.txt']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expectGolden('lineage-queries/impact-numbers.txt', normalise(ran.stdout, rig));
  });

  it('answers `shark lineage FILE --impact WHAT…` as issue 13 words it, as `shark impact` does (it was an unknown option)', async () => {
    const verb = await rig.shark(['impact', 'p.md', '/data/numbers.txt']);
    const option = await rig.shark(['lineage', 'p.md', '--impact', '/data/numbers.txt']);
    expect(option.code, option.stderr).toBe(verb.code);
    expect(option.stdout).toBe(verb.stdout);
    const json = await rig.shark(['lineage', 'p.md', '--json', '--impact', 'sum']);
    expect(json.stdout).toBe((await rig.shark(['impact', 'p.md', 'sum', '--json'])).stdout);
    const neither = await rig.shark(['lineage', 'p.md']);
    expect([neither.code, neither.stderr]).toEqual([2, "shark: error: missing required argument 'path' (or --impact WHAT…)\n"]);
    // What impact does not take was dropped in silence: text, exit 0.
    const dropped = await rig.shark(['lineage', 'p.md', '--impact', 'sum', '-f', 'mermaid', '--run', '1', '--depth', '2']);
    expect([dropped.code, dropped.stdout, dropped.stderr]).toEqual([2, '', 'shark: error: --impact shows the steps downstream of WHAT in the document, as `shark impact` does: it takes no --run, --depth, -f mermaid (only --json and --config)\n']);
  });

  it('takes a block or an environment, and answers in JSON', async () => {
    const ran = await rig.shark(['impact', 'p.md', 'sum', '--json']);
    expect(ran.code).toBe(0);
    const json = JSON.parse(ran.stdout) as { changed: string[]; steps: { step: string; why: string }[] };
    expect(json.steps.map((s) => s.step)).toEqual(['sum', 'report', 'publish']);
    const host = await rig.shark(['impact', 'p.md', 'env:host', '--json']);
    expect((JSON.parse(host.stdout) as { steps: { step: string }[] }).steps.map((s) => s.step)).toEqual(['prepare', 'sum', 'report', 'other', 'publish']);
  });

  it('exits 1 when nothing reads the path, 2 when it names nothing in the pipeline', async () => {
    expect((await rig.shark(['impact', 'p.md', '/data/other.txt'])).code).toBe(1);
    const unknown = await rig.shark(['impact', 'p.md', 'nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nosuch');
  });

  it('refuses a path holding a wildcard or a `+` (taken as written, it names no file), naming the directory to give instead', async () => {
    rig.write('m.md', '```shark-run\nmkdir -p /data/items && echo 1 > /data/items/a.txt\n```\n\n```shark-run\ncat /data/items/* > /data/doubled/+\n```\n');
    for (const [what, said] of [['/data/items/*', 'wildcard `*`'], ['/data/items/a?.txt', 'wildcard `?`'], ['/data/doubled/+', '`+`'], ['/data/doubled/+.txt', '`+.txt`']] as const) {
      const ran = await rig.shark(['impact', 'm.md', what]);
      expect([ran.code, ran.stdout]).toEqual([2, '']);
      expect(ran.stderr).toContain(`shark: error: ${said} in \`${what}\``);
      expect(ran.stderr).toContain(`name the directory \`${what.slice(0, what.lastIndexOf('/') + 1)}\` instead`);
    }
    // An item's file, written as it is, is still a path.
    expect((await rig.shark(['impact', 'm.md', '/data/items/a.txt'])).code).toBe(0);
  });

  it('takes a sweep block by its bare id as all its instances, and names a step a step', async () => {
    rig.write('w.md', '---\nX: [a, b]\n---\n\n```shark-run\necho %{X} > /data/%{X}.txt\n```\n');
    const sweep = await rig.shark(['impact', 'w.md', 'run', '--json']);
    expect(sweep.stderr).toBe('');
    expect(sweep.code).toBe(0);
    const json = JSON.parse(sweep.stdout) as { changed: { kind: string; id: string }[]; steps: { step: string }[] };
    expect(json.changed).toEqual([{ kind: 'block', id: 'run' }]);
    expect(json.steps.map((s) => s.step)).toEqual(['run[X=a]', 'run[X=b]']);
    rig.write('t.md', '```shark-run {id=t}\necho 1 > /data/one.txt\necho 2 > /data/two.txt\n```\n');
    const step = await rig.shark(['impact', 't.md', 't.2']);
    expect(step.code).toBe(0);
    expect(step.stdout).toContain('if step t.2 changes');
    const stepJson = JSON.parse((await rig.shark(['impact', 't.md', 't.2', '--json'])).stdout) as { changed: { kind: string }[] };
    expect(stepJson.changed[0]!.kind).toBe('step');
  });

  it('takes a build block by its id as its environment: editing it rebuilds the image, so every step in it may run again', async () => {
    rig.write('b.md', '```shark-build:bb {id=image}\nFROM busybox:latest\n```\n\n```shark-run:bb {id=count}\necho 1 > /data/count.txt\n```\n\n```shark-run {id=report}\ncat /data/count.txt > /data/report.txt\n```\n\n```shark-run {id=other}\necho 2 > /data/other.txt\n```\n');
    const ran = await rig.shark(['impact', 'b.md', 'image']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('if block image (environment bb) changes, 2 steps may run again:');
    const json = JSON.parse((await rig.shark(['impact', 'b.md', 'image', '--json'])).stdout) as { changed: unknown[]; steps: { step: string }[] };
    expect(json.changed).toEqual([{ kind: 'environment', name: 'bb', block: 'image' }]);
    const byEnv = JSON.parse((await rig.shark(['impact', 'b.md', 'env:bb', '--json'])).stdout) as { steps: { step: string }[] };
    expect(json.steps).toEqual(byEnv.steps);
    expect(json.steps.map((s) => s.step)).toEqual(['count', 'report']);
  });

  it('does not mark as kept a {precious} block writing no /data path whose own command changes: plan runs it, as a new step', async () => {
    rig.write('n.md', '# Make\n\n```shark-run\necho 1 > /data/a.txt\n```\n\n## Notify\n\n```shark-run {precious}\necho "posting $(cat /data/a.txt)"\n```\n');
    const edited = await rig.shark(['impact', 'n.md', 'notify']);
    expect(edited.stdout).toMatch(/^if block notify changes, 1 step may run again:\n  notify  n.md:10  changed\n/);
    // What it reads changing keeps it, as plan does.
    expect((await rig.shark(['impact', 'n.md', 'make'])).stdout).toContain('notify  n.md:10  kept (precious): reads /data/a.txt (from make)');
  });

  it('says a {manual} block runs again only when named as a target, in text and --json', async () => {
    rig.write('m.md', '# Make\n\n```shark-run\necho 1 > /data/a.txt\n```\n\n## Report\n\n```shark-run {manual}\ncat /data/a.txt > /data/r.txt\n```\n\n## Next\n\n```shark-run\ncat /data/a.txt > /data/b.txt\n```\n');
    const text = await rig.shark(['impact', 'm.md', 'make']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^if block make changes, 3 steps may run again \(1 of them manual: only when named as a target\):\n  make    m\.md:4   changed\n  report  m\.md:10  reads \/data\/a\.txt \(from make\) \(manual: only when named as a target\)\n  next    m\.md:16  reads \/data\/a\.txt \(from make\)\n/);
    const json = JSON.parse((await rig.shark(['impact', 'm.md', 'make', '--json'])).stdout) as { steps: { step: string; manual?: true }[] };
    expect(json.steps.map((s) => [s.step, s.manual])).toEqual([['make', undefined], ['report', true], ['next', undefined]]);
    // What reads a {manual} block's output runs only with it, as plan says (`needs report, which is {manual}`).
    rig.write('n.md', `${rig.read('m.md')}\n## Final\n\n\`\`\`shark-run\ncat /data/r.txt > /data/final.txt\n\`\`\`\n`);
    const after = await rig.shark(['impact', 'n.md', '/data/a.txt']);
    expect(after.stdout).toContain('  final   n.md:22  reads /data/r.txt (from report) (needs report, which is {manual}: only when named as a target)\n');
    expect(after.stdout).toMatch(/^if \/data\/a\.txt changes, 3 steps may run again \(2 of them manual/);
    const needs = JSON.parse((await rig.shark(['impact', 'n.md', '/data/a.txt', '--json'])).stdout) as { steps: { step: string; manual?: true; needs?: string }[] };
    expect(needs.steps.find((s) => s.step === 'final')).toMatchObject({ manual: true, needs: 'report' });
  });

  it('marks a {precious} block as kept, not run again, and does not follow its readers', async () => {
    rig.write('k.md', '# Ranges\n\n```shark-run\nseq 1 3 > /data/x.txt\n```\n\n## AOH\n\n```shark-run {precious}\nwc -l < /data/x.txt > /data/aoh.txt\n```\n\n'
      + '## Report\n\n```shark-run\ncat /data/aoh.txt > /data/report.txt\n```\n\n## Both\n\n```shark-run\ncat /data/aoh.txt /data/x.txt > /data/both.txt\n```\n');
    const edited = await rig.shark(['impact', 'k.md', 'aoh']);
    expect(edited.stderr).toBe('');
    expect(edited.code).toBe(1);
    expect(edited.stdout).toBe('if block aoh changes, no step runs again:\n  aoh  k.md:10  kept (precious): changed\n');
    const upstream = await rig.shark(['impact', 'k.md', 'ranges', '--json']);
    expect(upstream.code).toBe(0);
    expect((JSON.parse(upstream.stdout) as { steps: unknown[] }).steps).toEqual([
      { step: 'ranges', block: 'ranges', line: 4, kind: 'run', why: 'changed' },
      { step: 'aoh', block: 'aoh', line: 10, kind: 'run', why: 'kept (precious): reads /data/x.txt (from ranges)', kept: true },
      { step: 'both', block: 'both', line: 22, kind: 'run', why: 'reads /data/x.txt (from ranges)' },
    ]);
    expect((await rig.shark(['impact', 'k.md', 'ranges'])).stdout).toMatch(/^if block ranges changes, 2 steps may run again:\n/);
  });

  it('takes a local file a step keys on ({deps}, a script its command names, what a local import copies): those steps and what reads them', async () => {
    rig.write('in/a.txt', 'a\n');
    rig.write('show.sh', 'cat "$1"\n');
    rig.write('lib.sh', 'x=1\n');
    rig.write('l.md', [
      '```shark-import', 'in/ /data/in/', '```', '', '## Up', '', '```shark-run', 'tr a-z A-Z < /data/in/*.txt > /data/up/+', '```', '',
      '## Show', '', '```shark-run {deps=lib.sh}', 'sh show.sh /data/up/a.txt > /data/shown.txt', '```', '',
      '```shark-run', 'wc -c /data/shown.txt > /data/count.txt', '```', '',
    ].join('\n'));
    const steps = async (what: string): Promise<[string, string][]> => {
      const ran = await rig.shark(['impact', 'l.md', what, '--json']);
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
      return (JSON.parse(ran.stdout) as { steps: { step: string; why: string }[] }).steps.map((s) => [s.step, s.why]);
    };
    expect(await steps('lib.sh')).toEqual([['show', 'uses local file lib.sh ({deps})'], ['show-2', 'reads /data/shown.txt (from show)']]);
    expect(await steps('./show.sh')).toEqual([['show', 'uses local file show.sh'], ['show-2', 'reads /data/shown.txt (from show)']]);
    expect((await steps('in/a.txt')).map(([s]) => s)).toEqual(['import', 'up', 'show', 'show-2']);
    const text = await rig.shark(['impact', 'l.md', 'lib.sh']);
    expect(text.stdout.split('\n')[0]).toBe('if local file lib.sh changes, 2 steps may run again:');
    const unknown = await rig.shark(['impact', 'l.md', 'nothing.sh']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('local file');
  });

  it('takes a file inside a local directory a step names (cp -r tmpl/), but not one the step only lists the document\'s directory for', async () => {
    rig.write('tmpl/a.txt', 'a\n');
    rig.write('d.md', ['```shark-run', 'cp -r tmpl/ /data/tmpl/', '```', '', '```shark-run', 'ls ./ > /data/ls.txt', '```', ''].join('\n'));
    const ran = await rig.shark(['impact', 'd.md', 'tmpl/a.txt', '--json']);
    expect(ran.stderr).toBe('');
    expect((JSON.parse(ran.stdout) as { steps: { step: string; why: string }[] }).steps.map((s) => [s.step, s.why])).toEqual([
      ['run', 'uses local file tmpl/a.txt (in the directory tmpl)'],
    ]);
  });

  it('takes a file an environment\'s COPY takes: the steps in that environment and their readers (it named no file a step uses)', async () => {
    rig.write('model/fit.py', 'print(1)\n');
    rig.write('model/.cache', 'x\n');
    rig.write('.dockerignore', 'model/.cache\n');
    rig.write('c.md', [
      '```shark-build:py', 'FROM busybox', 'COPY model/ /opt/model/', '```', '',
      '```shark-run:py', 'ls /opt/model > /data/fit.txt', '```', '',
      '```shark-run', 'wc -l < /data/fit.txt > /data/n.txt', '```', '',
    ].join('\n'));
    const ran = await rig.shark(['impact', 'c.md', 'model/fit.py', '--json']);
    expect(ran.stderr).toBe('');
    expect((JSON.parse(ran.stdout) as { steps: { step: string; why: string }[] }).steps.map((s) => [s.step, s.why])).toEqual([
      ['run', 'runs in py, whose image copies local file model/fit.py (COPY model/ at line 3)'], ['run-2', 'reads /data/fit.txt (from run)'],
    ]);
    // What .dockerignore leaves out is not in the image.
    expect((await rig.shark(['impact', 'c.md', 'model/.cache'])).code).toBe(2);
  });

  it('takes a file a local import copies as the path it lands at: only its readers, not every reader of the import (all taxa were listed)', async () => {
    rig.write('ranges/birds/sp1.txt', '1\n');
    rig.write('ranges/mammals/sp2.txt', '2\n');
    rig.write('t.md', ['---', 'TAXA: [birds, mammals]', '---', '', '```shark-import', 'ranges/ /data/ranges/', '```', '',
      '```shark-run', 'cat /data/ranges/%{TAXA}/*.txt > /data/aoh/%{TAXA}/+', '```', ''].join('\n'));
    const ran = await rig.shark(['impact', 't.md', 'ranges/birds/sp1.txt', '--json']);
    expect(ran.stderr).toBe('');
    expect((JSON.parse(ran.stdout) as { steps: { step: string }[] }).steps.map((s) => s.step)).toEqual(['import', 'run[TAXA=birds]']);
  });

  it('takes a local directory: an import\'s source (as a whole, or a directory in it) and a directory a step names', async () => {
    rig.write('ranges/birds/sp1.txt', '1\n');
    rig.write('ranges/mammals/sp2.txt', '2\n');
    rig.write('tmpl/a.txt', 'a\n');
    rig.write('t.md', ['---', 'TAXA: [birds, mammals]', '---', '', '```shark-import', 'ranges/ /data/ranges/', '```', '',
      '```shark-run', 'cat /data/ranges/%{TAXA}/*.txt > /data/aoh/%{TAXA}/+', '```', '', '```shark-run {id=copy}', 'cp -r tmpl/ /data/tmpl/', '```', ''].join('\n'));
    const steps = async (what: string): Promise<[string, string][]> => {
      const ran = await rig.shark(['impact', 't.md', what, '--json']);
      expect([ran.code, ran.stderr]).toEqual([0, '']);
      return (JSON.parse(ran.stdout) as { steps: { step: string; why: string }[] }).steps.map((s) => [s.step, s.why]);
    };
    for (const dir of ['ranges', 'ranges/']) {
      expect(await steps(dir)).toEqual([['import', 'imports local directory ranges'], ['run[TAXA=birds]', 'reads /data/ranges/birds/*.txt'],
        ['run[TAXA=mammals]', 'reads /data/ranges/mammals/*.txt']]);
    }
    expect((await steps('ranges/birds')).map(([s]) => s)).toEqual(['import', 'run[TAXA=birds]']);
    expect(await steps('tmpl')).toEqual([['copy', 'uses local directory tmpl']]);
    // The document's own directory, which a command lists (`ls ./`), is no key of it (as `plan` keys it).
    rig.write('o.md', ['```shark-run', 'ls ./ > /data/ls.txt', '```', ''].join('\n'));
    expect((await rig.shark(['impact', 'o.md', '.'])).code).toBe(2);
    const text = await rig.shark(['impact', 't.md', 'ranges/birds']);
    expect(text.stdout.split('\n')[0]).toBe('if local directory ranges/birds changes, 2 steps may run again:');
    // A directory no step keys on is still refused.
    rig.write('other/x.txt', 'x\n');
    expect((await rig.shark(['impact', 't.md', 'other'])).code).toBe(2);
  });

  it('takes the target of a link a local import follows out of its directory as read by that import', async () => {
    rig.write('drive/big.csv', 'big\n');
    rig.write('drive/shared/x.txt', 'x\n');
    rig.write('data/own.csv', 'own\n');
    symlinkSync('../drive/big.csv', rig.path('data/big.csv'));
    symlinkSync('../drive/shared', rig.path('data/shared'));
    rig.write('k.md', ['```shark-import', 'data/ /data/in/', '```', '', '```shark-run', 'cat /data/in/big.csv > /data/out.txt', '```', ''].join('\n'));
    for (const [file, link] of [['drive/big.csv', 'data/big.csv'], ['drive/shared/x.txt', 'data/shared']]) {
      const ran = await rig.shark(['impact', 'k.md', file!, '--json']);
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
      expect((JSON.parse(ran.stdout) as { steps: { step: string; why: string }[] }).steps.map((s) => [s.step, s.why])).toEqual([
        ['import', `imports local file ${file} (through the link ${link})`], ['run', 'reads /data/in/big.csv (from import)'],
      ]);
    }
    // Asked from another directory: the path as the document names it, and where it is, for a script to open.
    const elsewhere = await rig.shark(['impact', '../k.md', '../drive/big.csv', '--json'], { cwd: 'data' });
    expect((JSON.parse(elsewhere.stdout) as { changed: unknown[] }).changed).toEqual([{ kind: 'file', path: 'drive/big.csv', absolute: rig.path('drive/big.csv') }]);
  });
});
