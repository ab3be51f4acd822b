import { readdirSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { Rig } from '../support/rig.js';

/** No axes: template writes the document as `c.md`, the input's own name. */
const DOC = '\ufeff---\nV: 1\n---\n```shark-run\necho a > /data/a.txt\n```\n';

describe('shark template never writes over its input', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-template-output-');
    rig.write('c.md', DOC);
    symlinkSync('.', rig.path('sub'));
  });
  afterEach(() => rig.cleanup());

  for (const dir of ['.', 'sub', 'sub/sub/']) {
    it(`refuses --output-dir ${dir}, which holds the input`, async () => {
      const r = await rig.shark(['template', 'c.md', '--output-dir', dir]);
      expect(r.stderr).toBe('shark: error: c.md would be written over: choose another --output-dir\n');
      expect(r.code).toBe(2);
      expect(rig.read('c.md')).toBe(DOC);
    });
  }

  it.each([
    ['', 'shark: error: --output-dir is empty: name a directory (it is made if missing)'],
    [' ', 'shark: error: --output-dir is blank: name a directory (it is made if missing)'],
    ['c.md', 'shark: error: --output-dir c.md is not a directory'],
    ['c.md/sub', 'shark: error: cannot make --output-dir c.md/sub: c.md is not a directory'],
  ])('refuses --output-dir %j in one plain line, exit 2, writing nothing', async (dir, message) => {
    const before = readdirSync(rig.dir).sort();
    const r = await rig.shark(['template', 'c.md', '--output-dir', dir]);
    expect(r.stderr).toBe(`${message}\n`);
    expect(r.code).toBe(2);
    expect(readdirSync(rig.dir).sort()).toEqual(before);
    expect(rig.read('c.md')).toBe(DOC);
  });

  it('writes none of the documents when the place of one is a directory (the first was left behind, exit 2)', async () => {
    rig.write('p.md', '---\nTAXA: [A, B]\n---\n```shark-run\necho %{TAXA} > /data/%{TAXA}.txt\n```\n');
    rig.write('out/p.TAXA=B.md/keep', '');
    const r = await rig.shark(['template', 'p.md', '--output-dir', 'out']);
    expect(r.stderr).toBe('shark: error: cannot write out/p.TAXA=B.md: it is a directory; nothing was written\n');
    expect(r.code).toBe(2);
    expect(readdirSync(rig.path('out'))).toEqual(['p.TAXA=B.md']);
  });

  it('refuses an --output-dir that is a loop of links in one line, exit 2 (an internal error, exit 70)', async () => {
    rig.write('p.md', '---\nTAXA: [A, B]\n---\n```shark-run\necho %{TAXA} > /data/%{TAXA}.txt\n```\n');
    symlinkSync('loopb', rig.path('loopa'));
    symlinkSync('loopa', rig.path('loopb'));
    const r = await rig.shark(['template', 'p.md', '--output-dir', 'loopa']);
    expect([r.code, r.stderr]).toEqual([2, 'shark: error: cannot use --output-dir loopa: too many levels of symbolic links\n']);
  });

  it('names the documents it wrote with an escape sequence in their directory shown escaped: it reached the terminal', async () => {
    const r = await rig.shark(['template', 'c.md', '--output-dir', 'out\x1b[31mX']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('"out\\u001b[31mX/c.md"\n');
    expect(readdirSync(rig.path('out\x1b[31mX'))).toEqual(['c.md']);
  });

  it('writes into another directory, even one reached through a link', async () => {
    symlinkSync('real', rig.path('link'));
    rig.write('real/keep', '');
    const r = await rig.shark(['template', 'c.md', '--output-dir', 'link']);
    expect(r.code).toBe(0);
    expect(rig.read('real/c.md')).toContain('echo a > /data/a.txt');
    expect(rig.read('c.md')).toBe(DOC);
  });
});

/** template's -e keeps some values of an axis; a variable's value given there was silently dropped. */
describe('shark template -e NAME=… of no axis', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-template-env-');
    rig.write('p.md', '---\nTAXA: [AVES, MAMMALIA]\nX: a\n---\n\n```shark-run\necho "%{TAXA} $X" > /data/one/%{TAXA}.txt\n```\n');
  });
  afterEach(() => rig.cleanup());

  it.each([['X=zzz', 'X'], ['NOPE=1', 'NOPE']])('refuses -e %s (exit 2, the value not shown), writing nothing', async (given, name) => {
    const r = await rig.shark(['template', 'p.md', '--output-dir', 'tpl', '-e', 'TAXA=AVES', '-e', given]);
    expect(r.stderr).toBe(`shark: error: -e ${name}=…: \`${name}\` is no axis of p.md (its axes: TAXA): template's -e keeps some values of an axis; the documents keep a variable as written, for -e when they are planned or run\n`);
    expect(r.code).toBe(2);
    expect(rig.exists('tpl')).toBe(false);
  });

  it('still takes -e AXIS=V', async () => {
    const r = await rig.shark(['template', 'p.md', '--output-dir', 'tpl', '-e', 'TAXA=AVES']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(rig.path('tpl'))).toEqual(['p.TAXA=AVES.md']);
  });
});

describe('shark template of a sweep whose instances read each other', () => {
  it('warns of a local import or script beside the template that is not beside the written documents (their plan failed later)', async () => {
    const rig = new Rig('shark-template-local-');
    onTestFinished(() => rig.cleanup());
    rig.write('ranges/x.txt', '1\n');
    rig.write('fit.sh', 'cat "$1"\n');
    rig.write('t.md', '---\nT: [a]\n---\n```shark-import\nranges/ /data/ranges/\n```\n```shark-run\nsh fit.sh /data/ranges/x.txt > /data/o/%{T}.txt\n```\n');
    const r = await rig.shark(['template', 't.md', '--output-dir', 'out']);
    expect(r.code).toBe(0);
    // Each path lost, not only the first.
    const why = 'where the document is (paths are not rewritten: copy or link it there, or write the documents beside the template)';
    expect(r.stderr).toBe(`shark: warning: out/t.T=a.md: local import ranges/ is in ${rig.dir} but not in out, ${why}\n` +
      `shark: warning: out/t.T=a.md: step run: fit.sh is in ${rig.dir} but not in out, ${why}\n`);
    rig.write('u.md', '---\nT: [a]\n---\n```shark-run\nsh fit.sh > /data/o/%{T}.txt\n```\n');
    expect((await rig.shark(['template', 'u.md', '--output-dir', 'out2'])).stderr).toContain('step run: fit.sh is in');
    // A {deps} file too, once a block (its plan said `{deps=…}: lib.sh does not exist` later).
    rig.write('lib.sh', 'x=1\n');
    rig.write('d.md', '---\nT: [a]\n---\n```shark-run {deps=lib.sh}\necho %{T} > /data/o/%{T}.txt\necho b > /data/b.txt\n```\n');
    expect((await rig.shark(['template', 'd.md', '--output-dir', 'out4'])).stderr)
      .toBe(`shark: warning: out4/d.T=a.md: block run: {deps=…} file lib.sh is in ${rig.dir} but not in out4, ${why}\n`);
    // A build's COPY source too (its plan refused it: `COPY source … does not exist`).
    rig.write('tools/summ.sh', 'echo s\n');
    rig.write('c.md', '---\nT: [a]\n---\n```shark-build:env\nFROM shark-test/busybox:latest\nCOPY tools/summ.sh /usr/local/bin/\n```\n```shark-run:env\necho %{T} > /data/o/%{T}.txt\n```\n');
    expect((await rig.shark(['template', 'c.md', '--output-dir', 'out5'])).stderr)
      .toBe(`shark: warning: out5/c.T=a.md: environment env: COPY source tools/summ.sh is in ${rig.dir} but not in out5, ${why}\n`);
    // Also of a written document that does not check.
    rig.write('v.md', '---\nT: [a, b]\n---\n```shark-run\nsh fit.sh > /data/o/%{T}.txt\n```\n\n```shark-run {id=both}\ncat /data/o/a.txt /data/o/b.txt > /data/both.txt\n```\n');
    const v = await rig.shark(['template', 'v.md', '--output-dir', 'out3']);
    expect(v.stderr).toMatch(/does not check/);
    expect(v.stderr).toContain(`shark: warning: out3/v.T=a.md: step run: fit.sh is in ${rig.dir} but not in out3, ${why}\n`);
  });

  it('warns of each written document that does not check on its own, naming its first error', async () => {
    const rig = new Rig('shark-template-check-');
    try {
      rig.write('s.md', '---\nS: [a, b]\n---\n```shark-run\necho %{S} > /data/aoh/%{S}/x.txt\n```\n\n```shark-run {id=both}\ncat /data/aoh/a/x.txt /data/aoh/b/x.txt > /data/both.txt\n```\n');
      const r = await rig.shark(['template', 's.md', '--output-dir', 'out']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('out/s.S=a.md\nout/s.S=b.md\n');
      expect(r.stderr).toMatch(/^shark: warning: out\/s\.S=a\.md does not check \(1 error; out\/s\.S=a\.md:\d+:\d+: nothing writes \/data\/aoh\/b\/x\.txt.*\): `shark check out\/s\.S=a\.md` shows it\nshark: warning: out\/s\.S=b\.md does not check/);
    } finally {
      rig.cleanup();
    }
  });
});
