import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTree } from '../imports/helpers.js';
import { ROOT, Rig } from '../support/rig.js';

/**
 * `shark plan --script` is "the same pipeline by hand": run with /data moved
 * into a scratch directory, it makes what `shark run` makes.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-hand-as-run-')));
afterEach(() => rig.cleanup());

/** The script with /data moved into the rig, written beside the document and run there. */
function runScript(script: string, env: Record<string, string> = {}): void {
  const data = rig.path('data');
  rig.write('hand.sh', script.replaceAll('/data/', `${data}/`).replaceAll("'/data'", `'${data}'`));
  execFileSync('sh', ['hand.sh'], { cwd: rig.dir, env: { PATH: process.env['PATH']!, ...env }, stdio: 'pipe' });
}

async function script(...args: string[]): Promise<string> {
  const r = await rig.shark(['plan', ...args, '--script']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** Every result of `shark run` and of the hand script, published to `_all` by a block the test adds. */
async function bothWays(doc: string, outputs: readonly string[], args: readonly string[] = []): Promise<void> {
  for (const dir of ['_all', '_run']) rmSync(rig.path(dir), { recursive: true, force: true });
  rig.write('p.md', `${doc}\n\`\`\`shark-publish:_all\n${outputs.join('\n')}\n\`\`\`\n`);
  const run = await rig.shark(['run', 'p.md', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  renameSync(rig.path('_all'), rig.path('_run'));
  runScript(await script('p.md', ...args));
  expect(readTree(rig.path('_all'))).toEqual(readTree(rig.path('_run')));
}

describe('the hand script does what run does', () => {
  it('pipelines/life.md: a sweep of maps, joins and sums into new directories', async () => {
    cpSync(join(ROOT, 'pipelines/life'), rig.path('life'), { recursive: true });
    await bothWays(readFileSync(join(ROOT, 'pipelines/life.md'), 'utf8'), ['/data/aoh/', '/data/deltap/', '/data/deltap_sum/', '/data/total/']);
    expect(Object.keys(readTree(rig.path('_all'))).length).toBeGreaterThan(10);
  });

  it('runs each command as sh -c does, without -e or -u: a failing first command or an unset variable stops nothing (the script stopped in silence)', async () => {
    rig.write('in/a.txt', 'foo\n');
    rig.write('in/b.txt', 'bar\n');
    await bothWays([
      '```shark-import', 'in/ /data/in/', '```', '',
      '```shark-run', 'false; echo ok > /data/ok.txt', 'echo "[$UNSET_VAR_X]" > /data/u.txt', '```', '',
      '```shark-run', 'for f in b a; do grep -c foo /data/in/$f.txt; done > /data/counts.txt', '```', '',
      '```shark-run', 'false; cat /data/in/* > /data/per/+', '```', '',
    ].join('\n'), ['/data/ok.txt', '/data/u.txt', '/data/counts.txt', '/data/per/']);
    expect(rig.read('_all/counts.txt')).toBe('0\n1\n');
  });

  it('publishes with the modes run gives, whatever the step\'s umask (0600 was published as it was)', async () => {
    await bothWays(['```shark-run', 'umask 077', 'mkdir -p /data/m/ && echo x > /data/m/f.txt && printf "#!/bin/sh\\n" > /data/m/run.sh && chmod u+x /data/m/run.sh', '```', ''].join('\n'), ['/data/m/']);
    const mode = (p: string): string => (statSync(rig.path(p)).mode & 0o777).toString(8);
    expect([mode('_run/m/f.txt'), mode('_run/m/run.sh')]).toEqual(['644', '755']);
    expect([mode('_all/m/f.txt'), mode('_all/m/run.sh'), mode('_all/m')]).toEqual(['644', '755', '755']);
  });

  it('maps `*/` over directories only, as sh matches it (a file there was an item, and its job failed)', async () => {
    rig.write('in/d1/q.txt', 'q\n');
    rig.write('in/d2/r.txt', 'r\n');
    rig.write('in/f.txt', 'f\n');
    await bothWays(['```shark-import', 'in/ /data/in/', '```', '', '```shark-run', 'ls /data/in/*/ > /data/lsdir/+.lst', '```', ''].join('\n'), ['/data/lsdir/']);
    expect(Object.keys(readTree(rig.path('_all'))).sort()).toEqual(['lsdir/d1.lst', 'lsdir/d2.lst']);
  });

  it('makes the directories a step writes into, for plain steps and nested map items', async () => {
    rig.write('in/AVES/robin.json', 'r\n');
    rig.write('in/v1.2/noext', 'n\n');
    await bothWays([
      '```shark-import',
      'in/ /data/in/',
      '```',
      '',
      '```shark-run',
      'echo a > /data/x/y/a.txt',
      '```',
      '',
      '```shark-run',
      'cat /data/in/*/* > /data/aoh/+.txt',
      '```',
      '',
    ].join('\n'), ['/data/x/y/a.txt', '/data/aoh/']);
    expect(readTree(rig.path('_all'))).toEqual({ 'x/y/a.txt': 'a\n', 'aoh/AVES/robin.txt': 'r\n', 'aoh/v1.2/noext.txt': 'n\n' });
  });

  it('makes the directory of a path cut at `$`, which the DAG says the step writes', async () => {
    const doc = [
      '```shark-run',
      'for s in a b; do echo $s > /data/out/$s.txt; done',
      '```',
      '',
      '```shark-run',
      'cat /data/out/a.txt > /data/copy.txt',
      '```',
      '',
    ].join('\n');
    await bothWays(doc, ['/data/out/', '/data/copy.txt']);
    expect(readTree(rig.path('_all'))).toEqual({ 'out/a.txt': 'a\n', 'out/b.txt': 'b\n', 'copy.txt': 'a\n' });
  });

  it('makes each item\'s directory for `+/`, and a later map reads into them', async () => {
    rig.write('in/a', 'chr1 x\nchr2 y\n');
    rig.write('in/b', 'chr1 z\n');
    const doc = [
      '---',
      'MINQ: [10, 20]',
      '---',
      '',
      '```shark-import',
      'in/ /data/aligned/',
      '```',
      '',
      '```shark-run',
      `awk -v out=/data/split/+/ '{ print > (out $1 ".txt") }' /data/aligned/*`,
      '```',
      '',
      '```shark-run',
      `awk -v q=%{MINQ} '{ print q, $0 }' /data/split/*/*.txt > /data/call/%{MINQ}/+`,
      '```',
      '',
    ].join('\n');
    await bothWays(doc, ['/data/split/', '/data/call/']);
    expect(readTree(rig.path('_all'))).toMatchObject({
      'split/a/chr1.txt': 'chr1 x\n', 'split/a/chr2.txt': 'chr2 y\n', 'split/b/chr1.txt': 'chr1 z\n',
      'call/10/a/chr1.txt': '10 chr1 x\n', 'call/20/b/chr1.txt': '20 chr1 z\n',
    });
  });

  it('writes files into each item\'s directory named `+/FILE`, and joins read them there', async () => {
    rig.write('in/a', '3\n');
    rig.write('in/b', '2\n');
    const doc = [
      '```shark-import',
      'in/ /data/n/',
      '```',
      '',
      '```shark-run',
      'seq $(cat /data/n/*) > /data/seq/+/all.txt; wc -l < /data/seq/+/all.txt > /data/seq/+/count',
      '```',
      '',
      '```shark-run',
      'cat /data/n/* /data/seq/+/count > /data/both/+',
      '```',
      '',
    ].join('\n');
    await bothWays(doc, ['/data/seq/', '/data/both/']);
    expect(readTree(rig.path('_all'))).toMatchObject({
      'seq/a/all.txt': '1\n2\n3\n', 'seq/a/count': '3\n', 'seq/b/all.txt': '1\n2\n', 'both/a': '3\n3\n', 'both/b': '2\n2\n',
    });
  });

  it('exports the frontmatter variables, -e values and SHARK_THREADS', async () => {
    const doc = [
      '---',
      'GREETING: hello',
      'OTHER: "it\'s $HOME"',
      '---',
      '',
      '```shark-run',
      'echo "$GREETING $OTHER" > /data/g.txt',
      '```',
      '',
      '```shark-run {threads=2}',
      'echo "$SHARK_THREADS" > /data/t2.txt',
      '```',
      '',
      '```shark-run',
      'echo "$SHARK_THREADS" > /data/t1.txt',
      '```',
      '',
    ].join('\n');
    await bothWays(doc, ['/data/g.txt', '/data/t2.txt', '/data/t1.txt'], ['-j', '4']);
    expect(readTree(rig.path('_all'))).toEqual({ 'g.txt': 'hello it\'s $HOME\n', 't2.txt': '2\n', 't1.txt': '1\n' });
    await bothWays(doc, ['/data/g.txt'], ['-e', 'GREETING=bye']);
    expect(rig.read('_all/g.txt')).toBe('bye it\'s $HOME\n');
  });

  it('runs a map step whose command is a here-document', async () => {
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
    await bothWays([
      '```shark-import', 'in/ /data/in/', '```', '',
      '```shark-run', 'cat - /data/in/*.txt > /data/out/+ <<END', 'head', 'END', '```', '',
    ].join('\n'), ['/data/out/']);
    expect(readTree(rig.path('_all'))).toEqual({ 'out/a.txt': 'head\na\n', 'out/b.txt': 'head\nb\n' });
  });

  it('run again over the /data of an earlier run, it drops what a removed item, input file or unbound input left', async () => {
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
    rig.write('extra.txt', 'x\n');
    const doc = [
      '---', 'inputs:', '  extra: {path: /data/extra.txt, optional: true}', '---', '',
      '```shark-import', 'in/ /data/in/', '```', '',
      '```shark-run', 'cat /data/in/*.txt > /data/out/+', '```', '',
      '```shark-run', 'ls /data/in > /data/list/names.txt; if [ -e /data/extra.txt ]; then cp /data/extra.txt /data/list/; fi', '```', '',
    ].join('\n');
    await bothWays(doc, ['/data/in/', '/data/out/', '/data/list/'], ['-i', 'extra=extra.txt']);
    rmSync(rig.path('in/b.txt'));
    await bothWays(doc, ['/data/in/', '/data/out/', '/data/list/']);
    expect(readTree(rig.path('_all'))).toEqual({ 'in/a.txt': 'a\n', 'out/a.txt': 'a\n', 'list/names.txt': 'a.txt\n' });
  });

  it('run again, a file a step appends to holds one run\'s lines, not each run\'s (the years of format.md)', async () => {
    const doc = ['```shark-run', 'for year in 2020 2021; do', '  echo "$year" >> /data/years.txt', 'done', '```', ''].join('\n');
    await bothWays(doc, ['/data/years.txt']);
    await bothWays(doc, ['/data/years.txt']);
    expect(readTree(rig.path('_all'))).toEqual({ 'years.txt': '2020\n2021\n' });
  });

  it('keeps what another step wrote into the directory a map writes, run again', async () => {
    rig.write('in/a.txt', 'a\n');
    const doc = [
      '```shark-import', 'in/ /data/in/', '```', '',
      '```shark-run', 'echo notes > /data/out/README', '```', '',
      '```shark-run', 'cat /data/in/*.txt > /data/out/+', '```', '',
    ].join('\n');
    await bothWays(doc, ['/data/out/']);
    await bothWays(doc, ['/data/out/']);
    expect(readTree(rig.path('_all'))).toEqual({ 'out/README': 'notes\n', 'out/a.txt': 'a\n' });
  });

  it('keeps what another import or input put inside a directory an import or a bound input copies', async () => {
    rig.write('sp/a.json', 'a\n');
    rig.write('extra.json', 'x\n');
    rig.write('pb/456.geojson', '456\n');
    rig.write('one.geojson', '123\n');
    const doc = [
      '---', 'inputs:', '  boundary: /data/tmf/pb/123.geojson', '  projects: /data/tmf/pb/', '---', '',
      '```shark-import', './extra.json /data/species/extra.json', '```', '',
      '```shark-import', './sp/ /data/species/', '```', '',
      '```shark-run', 'ls /data/species/ > /data/l1.txt; ls /data/tmf/pb/ > /data/l2.txt', '```', '',
    ].join('\n');
    const args = ['-i', 'projects=pb', '-i', 'boundary=one.geojson'];
    await bothWays(doc, ['/data/l1.txt', '/data/l2.txt'], args);
    expect([rig.read('_all/l1.txt'), rig.read('_all/l2.txt')]).toEqual(['a.json\nextra.json\n', '123.geojson\n456.geojson\n']);
  });

  it('leaves out {manual} blocks as run does, unless a target names them', async () => {
    rig.write('p.md', [
      '```shark-run',
      'echo a > /data/a.txt',
      '```',
      '',
      '```shark-run {id=slow, manual}',
      'cat /data/a.txt > /data/slow.txt',
      '```',
      '',
    ].join('\n'));
    const plain = await script('p.md');
    expect(plain).not.toContain('/data/slow.txt >');
    expect(plain).toContain('# left out: slow ({manual}: `shark plan p.md slow --script` includes it)');
    runScript(plain);
    expect(rig.exists('data/slow.txt')).toBe(false);
    runScript(await script('p.md', 'slow'));
    expect(rig.read('data/slow.txt')).toBe('a\n');
  });
});

describe('where the hand script runs', () => {
  it('from the current directory or piped into sh, it imports and publishes beside the pipeline, as run does', async () => {
    rig.write('proj/in/a.txt', 'a\n');
    rig.write('proj/p.md', [
      '```shark-import',
      'in/ /data/in/',
      '```',
      '',
      '```shark-run',
      'cat /data/in/a.txt > /data/out.txt',
      '```',
      '',
      '```shark-publish:_all',
      '/data/out.txt',
      '```',
      '',
    ].join('\n'));
    const plain = await script('proj/p.md');
    // Saved in the current directory (not the pipeline's), as cli.md shows it.
    runScript(plain);
    expect(rig.read('proj/_all/out.txt')).toBe('a\n');
    rmSync(rig.path('proj/_all'), { recursive: true });
    rmSync(rig.path('data'), { recursive: true });
    const data = rig.path('data');
    execFileSync('sh', [], { cwd: rig.path('proj/in'), input: plain.replaceAll('/data/', `${data}/`).replaceAll("'/data'", `'${data}'`), stdio: 'pipe' });
    expect(rig.read('proj/_all/out.txt')).toBe('a\n');
  });

  it('imports a git repository at a commit, a branch or its HEAD, without its .git, as run does', async () => {
    const git = (...a: string[]): string => execFileSync('git', ['-c', 'user.email=k@k', '-c', 'user.name=k', ...a], { cwd: rig.dir, encoding: 'utf8' }).trim();
    rig.write('work/x.txt', 'x\n');
    rig.write('work/sub/y.txt', 'y\n');
    git('-C', 'work', 'init', '-q', '-b', 'main');
    git('-C', 'work', 'add', '.');
    git('-C', 'work', 'commit', '-qm', 'one');
    const sha = git('-C', 'work', 'rev-parse', 'HEAD');
    // `git clone --branch SHA` refused a commit (exit 128), and the clone kept its .git.
    const url = `file://${rig.path('work/.git')}`;
    await bothWays(['```shark-import', `${url}@${sha} /data/at/`, `${url}@main /data/branch/`, `${url} /data/head/`, '```', '',
      '```shark-run', 'cd /data/at/ && find . | sort > /data/files.txt', '```', ''].join('\n'), ['/data/at/', '/data/branch/', '/data/head/', '/data/files.txt']);
    expect(rig.read('_all/files.txt')).toBe('.\n./sub\n./sub/y.txt\n./x.txt\n');
  });

  it('replaces a published directory whole, as run does, and publishes under $SHARK_PUBLISH_ROOT when it is set', async () => {
    rig.write('in/a.txt', '1\n');
    rig.write('in/b.txt', '2\n');
    rig.write('p.md', ['```shark-import', 'in/ /data/in/', '```', '', '```shark-run', 'cp /data/in/*.txt /data/out/+', '```', '', '```shark-publish', '/data/out/', '```', ''].join('\n'));
    runScript(await script('p.md'));
    expect(readTree(rig.path('_shark/out'))).toEqual({ 'a.txt': '1\n', 'b.txt': '2\n' });
    rmSync(rig.path('in/b.txt'));
    rmSync(rig.path('data'), { recursive: true });
    const again = await script('p.md');
    runScript(again, { SHARK_PUBLISH_ROOT: rig.path('scratch') });
    expect(readTree(rig.path('scratch/_shark/out'))).toEqual({ 'a.txt': '1\n' });
    expect(readTree(rig.path('_shark/out'))).toEqual({ 'a.txt': '1\n', 'b.txt': '2\n' });
    rmSync(rig.path('data'), { recursive: true });
    runScript(again);
    expect(readTree(rig.path('_shark/out'))).toEqual({ 'a.txt': '1\n' });
  });
});

describe('secrets in the hand script', () => {
  it('are never written into it: the user sets them, and is told so', async () => {
    rig.write('p.md', [
      '---',
      'secrets: [API_TOKEN]',
      '---',
      '',
      '```shark-run',
      'echo "token $API_TOKEN" > /data/t.txt',
      '```',
      '',
    ].join('\n'));
    const r = await rig.shark(['plan', 'p.md', '--script'], { env: { API_TOKEN: 'hunter2-secret' } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('hunter2-secret');
    expect(r.stdout).toContain('# Secrets: set API_TOKEN in your environment before running this script; its value is not written here.');
    expect(() => runScript(r.stdout)).toThrow(/API_TOKEN/);
    runScript(r.stdout, { API_TOKEN: 'abc' });
    expect(rig.read('data/t.txt')).toBe('token abc\n');
  });
});
