import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screenLinks } from '../../src/lineage/export/crate-links.js';
import { Rig } from '../support/rig.js';
import { checkCrate, type Crate, type Entity } from './crate-rules.js';
import { describeWithPython } from './fixture.js';

/**
 * Symbolic links a step made, in a directory output and as outputs of their
 * own: some lead within the crate's data/, others out of it (absolute,
 * climbing with `..`, or climbing through a link that stays inside), to
 * nothing, round in a loop, or to the directory they are in (a cycle).
 * The last host step reads only links that stay inside /data: a host job
 * given one that leads out (or a directory holding one) is refused
 * (test/run/host-input-links).
 */
const PIPELINE = `# Links

\`\`\`shark-run
mkdir -p /data/bundle/ && cd /data/bundle/ && echo a > a.txt && ln -s a.txt l.txt && ln -s /etc/passwd abs.txt && ln -s ../../../../etc/passwd up.txt && ln -s . here && ln -s here/here/here/../../../../etc/passwd chain.txt && ln -s missing.txt gone.txt && ln -s self.txt self.txt
\`\`\`

\`\`\`shark-run
ln -s /etc/shadow /data/secret.txt && ln -s bundle/a.txt /data/top.txt && ln -s bundle /data/latest
\`\`\`

\`\`\`shark-run
ls -l /data/top.txt /data/latest > /data/ls.txt
\`\`\`
`;

const crateOf = (rig: Rig): Crate => JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
const entity = (c: Crate, id: string): Entity | undefined => c['@graph'].find((e) => e['@id'] === id);
const ids = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((r) => (r as { '@id': string })['@id']);
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Every path under `dir`, links not followed. */
function paths(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).flatMap((name) => {
    const p = rel === '' ? name : `${rel}/${name}`;
    const st = lstatSync(join(dir, p));
    return st.isDirectory() ? [p, ...paths(dir, p)] : [p];
  });
}

describe('shark export crate: symbolic links the steps made', () => {
  let rig: Rig;
  let stderr: string;
  beforeEach(async () => {
    rig = new Rig('shark-crate-links-');
    rig.write('p.md', PIPELINE);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stderr).toBe(0);
    const exported = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(exported.code, exported.stderr).toBe(0);
    stderr = exported.stderr;
  });
  afterEach(() => rig.cleanup());

  it('writes no link that leads out of data/, to nothing or to a directory it is in, so a tool following links never reaches a host file nor loops', () => {
    const data = realpathSync(rig.path('crate/data'));
    const links = paths(data).filter((p) => lstatSync(join(data, p)).isSymbolicLink()).sort();
    expect(links).toEqual(['bundle/l.txt', 'latest', 'top.txt']);
    expect(links.map((p) => readlinkSync(join(data, p)))).toEqual(['a.txt', 'bundle', 'bundle/a.txt']);
    for (const p of links) {
      const to = realpathSync(join(data, p));
      expect(to.startsWith(`${data}/`), p).toBe(true);
      expect(`${realpathSync(join(data, p, '..'))}/`.startsWith(`${to}/`), p).toBe(false);
    }
    const passwd = readFileSync('/etc/passwd');
    for (const p of paths(rig.path('crate'))) {
      const full = rig.path(`crate/${p}`);
      if (statSync(full).isFile()) expect(readFileSync(full).equals(passwd), p).toBe(false);
    }
  });

  it('describes each link kept as a File or Dataset in hasPart, and each left out in mentions, with its target', () => {
    const crate = crateOf(rig);
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    const bundle = entity(crate, 'data/bundle/')!;
    expect(ids(bundle['hasPart']).sort()).toEqual(['data/bundle/a.txt', 'data/bundle/l.txt']);
    const out = ['abs.txt', 'chain.txt', 'gone.txt', 'here', 'self.txt', 'up.txt'].map((n) => `#link/data/bundle/${n}`);
    expect(ids(bundle['mentions']).sort()).toEqual(out);
    expect(entity(crate, 'data/bundle/l.txt')).toMatchObject({ '@type': 'File', alternateName: '/data/bundle/l.txt', sha256: sha('a\n'), contentSize: '2' });
    expect(entity(crate, 'data/bundle/l.txt')!['description']).toMatch(/symbolic link to a\.txt/);
    expect(entity(crate, 'data/latest/')).toMatchObject({ '@type': 'Dataset', alternateName: '/data/latest', description: 'a symbolic link to bundle, within the crate' });
    expect(entity(crate, 'data/latest/')!['hasPart']).toBeUndefined();
    expect(entity(crate, 'data/top.txt')).toMatchObject({ '@type': 'File', sha256: sha('a\n') });
    for (const id of out) expect(entity(crate, id), id).toMatchObject({ '@type': 'CreativeWork', name: id.replace('#link', '') });
    expect(entity(crate, '#link/data/bundle/abs.txt')!['description']).toMatch(/symbolic link to \/etc\/passwd, .*outside the crate.*not copied/);
    expect(entity(crate, '#link/data/bundle/up.txt')!['description']).toMatch(/symbolic link to \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd, .*outside the crate/);
    expect(entity(crate, '#link/data/bundle/chain.txt')!['description']).toMatch(/outside the crate/);
    expect(entity(crate, '#link/data/bundle/gone.txt')!['description']).toMatch(/symbolic link to missing\.txt, .*nothing in the crate.*not copied/);
    expect(entity(crate, '#link/data/bundle/self.txt')!['description']).toMatch(/nothing in the crate/);
    expect(entity(crate, '#link/data/bundle/here')!['description']).toBe('a symbolic link to ., to a directory it is in (directly or through other links): not copied');
    const root = entity(crate, './')!;
    expect(ids(root['hasPart'])).not.toContain('data/secret.txt');
    expect(ids(root['mentions'])).toEqual(expect.arrayContaining([...out, '#link/data/secret.txt']));
  });

  it('treats a link that is an output of its own the same way: described, the result of its job, and a kept one read by the next', () => {
    const crate = crateOf(rig);
    const secret = entity(crate, '#link/data/secret.txt')!;
    expect(secret).toMatchObject({ '@type': 'CreativeWork', name: '/data/secret.txt' });
    expect(secret['description']).toMatch(/symbolic link to \/etc\/shadow, .*outside the crate.*not copied/);
    const actions = crate['@graph'].filter((e) => e['@type'] === 'CreateAction');
    expect(actions.filter((a) => ids(a['result']).includes('#link/data/secret.txt'))).toHaveLength(1);
    expect(actions.filter((a) => ids(a['result']).includes('data/top.txt'))).toHaveLength(1);
    expect(actions.filter((a) => ids(a['object']).includes('data/top.txt') && ids(a['object']).includes('data/latest/'))).toHaveLength(1);
  });

  it('says on stderr which links it did not copy, and where they led', () => {
    const lines = stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(7);
    expect(lines).toContain('shark: warning: /data/bundle/abs.txt is a symbolic link to /etc/passwd, outside the crate: not copied (described in ro-crate-metadata.json)');
    expect(lines).toContain('shark: warning: /data/secret.txt is a symbolic link to /etc/shadow, outside the crate: not copied (described in ro-crate-metadata.json)');
    expect(lines).toContain('shark: warning: /data/bundle/gone.txt is a symbolic link to missing.txt, to nothing in the crate: not copied (described in ro-crate-metadata.json)');
    for (const kept of ['/data/bundle/l.txt', '/data/top.txt', '/data/latest']) expect(stderr).not.toContain(`${kept} is`);
  });
});

describeWithPython('shark export crate: links read as JSON-LD with the real RO-Crate 1.1 context', ['rdflib'], (python) => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('defines every term the link entities use, and keeps the sha256 of a link kept', async () => {
    rig = new Rig('shark-crate-links-');
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'crate'])).code).toBe(0);
    const answered = JSON.parse(execFileSync(python, [join(import.meta.dirname, 'query-crate.py'), rig.path('crate')], { encoding: 'utf8' })) as { undefined: string[]; sha256: Record<string, string> };
    expect(answered.undefined).toEqual([]);
    expect(answered.sha256['/data/bundle/l.txt']).toBe(sha('a\n'));
  });
});

describe('screenLinks: links round a cycle of directories', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes out every link of a cycle through two directories, and a link that led through one', () => {
    dir = mkdtempSync(join(tmpdir(), 'shark-crate-cycle-'));
    mkdirSync(join(dir, 'data/a'), { recursive: true });
    mkdirSync(join(dir, 'data/b'));
    writeFileSync(join(dir, 'data/b/f'), 'f\n');
    symlinkSync('../b', join(dir, 'data/a/l'));
    symlinkSync('../a', join(dir, 'data/b/m'));
    symlinkSync('a/l/f', join(dir, 'data/through'));
    symlinkSync('b', join(dir, 'data/fine'));
    const ends = Object.fromEntries(screenLinks(dir).map((l) => [l.rel, l.end]));
    expect(ends).toEqual({ 'data/a/l': 'cycle', 'data/b/m': 'cycle', 'data/through': 'nothing', 'data/fine': 'directory' });
    expect(paths(join(dir, 'data')).sort()).toEqual(['a', 'b', 'b/f', 'fine']);
  });
});

describe('the warnings of links left out of a crate', () => {
  it('escape control characters in a link\'s name and target: no name can drive the terminal or forge a line', async () => {
    const rig = new Rig();
    try {
      rig.write('p.md', "```shark-run\nmkdir -p /data/w && ln -s \"$(printf '\\033[2Jx\\ny')\" /data/w/l2 && ln -s /etc/passwd \"/data/w/$(printf 'x\\033[31mRED')\" && echo ok > /data/w/f\n```\n");
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      const r = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/\u001b/);
      const warnings = r.stderr.split('\n').filter((l) => l !== '');
      expect(warnings.every((l) => l.startsWith('shark: warning: '))).toBe(true);
      expect(warnings).toContain('shark: warning: /data/w/l2 is a symbolic link to \\x1b[2Jx\\ny, to nothing in the crate: not copied (described in ro-crate-metadata.json)');
    } finally {
      rig.cleanup();
    }
  });
});
