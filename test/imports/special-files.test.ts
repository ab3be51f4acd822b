import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileImporter } from '../../src/imports/file-importer.js';
import { hashFileSync } from '../../src/store/hash.js';
import { Rig } from '../support/rig.js';
import { clause, context } from './helpers.js';

/**
 * A FIFO, a socket or a device among the host files Shark hashes or copies
 * (a local import, a frontmatter input) is refused by its type, never
 * opened: opening a FIFO to read it waits for a writer forever. A hang
 * fails these tests by their timeouts instead of blocking the suite.
 */

const LIMIT = { timeoutMs: 20_000 };
const IMPORT = '# Fifo\n\n```shark-import\nsrc /data/x/\n```\n\n```shark-run\nls /data/x > /data/ls.txt\n```\n';
const INPUT = '---\ninputs: {items: /data/in/}\n---\n\n```shark-run\nls /data/in > /data/ls.txt\n```\n';

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-special-files-')));
afterEach(() => rig.cleanup());

const mkfifo = (rel: string): void => void execFileSync('mkfifo', [rig.path(rel)]);

describe('a local import holding a FIFO', () => {
  it('is refused at the import line by plan and run (exit 2, before a run is recorded), naming the FIFO', { timeout: 60_000 }, async () => {
    rig.write('src/a', 'a\n');
    mkfifo('src/ff');
    rig.write('p.md', IMPORT);
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md'], LIMIT);
      expect(ran.code, ran.stdout + ran.stderr).toBe(2);
      expect(ran.stderr).toBe(`p.md:4:1: error: cannot import src: ${rig.path('src/ff')} is a named pipe (FIFO); only files, directories and symbolic links can be imported\n    4 | src /data/x/\n      | ^\n1 error in p.md\n`);
    }
    expect(rig.exists('.shark/logs/1')).toBe(false);
  });

  it.each([
    ['imported itself', 'ff'],
    ['reached through a link as the source', 'link'],
  ])('%s is refused the same way', { timeout: 60_000 }, async (_, source) => {
    mkfifo('ff');
    symlinkSync('ff', rig.path('link'));
    rig.write('p.md', IMPORT.replace('src /data/x/', `${source} /data/x/`));
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md'], LIMIT);
      expect(ran.code, ran.stdout + ran.stderr).toBe(2);
      expect(ran.stderr).toContain(`p.md:4:1: error: cannot import ${source}: ${rig.path('ff')} is a named pipe (FIFO); only files, directories and symbolic links can be imported`);
    }
    expect(rig.exists('.shark/logs/1')).toBe(false);
  });

  it('so is a name that is not UTF-8, or a link whose target is not, at the import line (exit 2, no run recorded)', { timeout: 60_000 }, async () => {
    rig.write('src/a', 'a\n');
    const odd = Buffer.concat([Buffer.from(rig.path('src/caf')), Buffer.from([0xe9])]);
    writeFileSync(odd, 'x\n');
    rig.write('p.md', IMPORT);
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md'], LIMIT);
      expect(ran.code, ran.stdout + ran.stderr).toBe(2);
      expect(ran.stderr.split('\n')[0]).toBe(`p.md:4:1: error: cannot import src: ${rig.path('src/caf')}\\xe9 has a name that is not UTF-8: Shark keeps file names and link targets as text (UTF-8)`);
    }
    expect(rig.exists('.shark/logs/1')).toBe(false);
    // A link to a file that is there, by a target that is not UTF-8: not one that "leads to nothing".
    unlinkSync(odd);
    const target = Buffer.concat([Buffer.from(rig.path('caf')), Buffer.from([0xe9])]);
    writeFileSync(target, 'y\n');
    symlinkSync(target, rig.path('src/link'));
    const linked = await rig.shark(['plan', 'p.md'], LIMIT);
    expect(linked.code).toBe(2);
    expect(linked.stderr.split('\n')[0]).toBe(`p.md:4:1: error: cannot import src: ${rig.path("src/link")} is a link to ${rig.path('caf')}\\xe9, which is not UTF-8: Shark keeps file names and link targets as text (UTF-8)`);
  });

  it('is not copied by a fetch: the copy refuses it rather than opening it', async () => {
    rig.write('src/a', 'a\n');
    mkfifo('src/ff');
    const r = await new FileImporter().fetch(clause('src /data/x/'), {}, rig.path('out'), context({ dir: rig.dir }));
    expect(r).toEqual({ ok: false, message: `cannot import src: ${rig.path('src/ff')} is a named pipe (FIFO); only files, directories and symbolic links can be imported` });
  });
});

describe('a frontmatter input holding a FIFO or a socket', () => {
  it('is invalid input in plan, run and shell (exit 2), as one that does not exist', { timeout: 60_000 }, async () => {
    rig.write('in/a', 'a\n');
    mkfifo('in/ff');
    rig.write('p.md', INPUT);
    for (const command of ['plan', 'run', 'shell']) {
      const r = await rig.shark([command, 'p.md', '-i', 'items=in'], LIMIT);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('p.md:2:17: error: input `items` is bound to in, which holds in/ff, a named pipe (FIFO): only files, directories and symbolic links can be inputs');
    }
    expect(rig.count()).toBe(0);
  });

  it('bound directly is refused before anything is read', { timeout: 60_000 }, async () => {
    mkfifo('ff');
    rig.write('p.md', INPUT);
    const r = await rig.shark(['run', 'p.md', '-i', 'items=ff'], LIMIT);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('p.md:2:17: error: input `items` is bound to ff, a named pipe (FIFO): only files, directories and symbolic links can be inputs');
  });

  it('a socket is named as one', { timeout: 60_000 }, async () => {
    mkdirSync(rig.path('in'));
    const server: Server = createServer();
    await new Promise<void>((done) => server.listen(rig.path('in/sock'), done));
    try {
      rig.write('p.md', INPUT);
      const r = await rig.shark(['plan', 'p.md', '-i', 'items=in'], LIMIT);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('which holds in/sock, a socket: only files');
    } finally {
      server.close();
    }
  });

  it('among more files than one thread stats (a worker does) is still refused', { timeout: 120_000 }, async () => {
    mkdirSync(rig.path('in'));
    for (let i = 0; i < 17_000; i++) writeFileSync(join(rig.path('in'), `f${i}`), '');
    mkfifo('in/ff');
    rig.write('p.md', INPUT);
    const r = await rig.shark(['plan', 'p.md', '-i', 'items=in'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('which holds in/ff, a named pipe (FIFO)');
  });
});

describe('hashing a host file', () => {
  it('refuses a FIFO without waiting for a writer', () => {
    mkfifo('ff');
    // A writer that gives up after 3 s: were the FIFO opened, the hash would wait for it, not hang the suite.
    const writer = spawn('sh', ['-c', 'sleep 3 > ff'], { cwd: rig.dir, stdio: 'ignore' });
    try {
      expect(() => hashFileSync(rig.path('ff'))).toThrow(`${rig.path('ff')} is a named pipe (FIFO)`);
    } finally {
      writer.kill();
    }
  });
});
