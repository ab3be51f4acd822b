import { execFileSync } from 'node:child_process';
import { chmodSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildInputs } from '../../src/exec/docker/build-inputs.js';
import { contextTar, DOCKERFILE_NAME } from '../../src/exec/docker/context-tar.js';
import type { BuildSpec } from '../../src/pipeline/build-spec.js';
import { scratch, writeTree } from './rig.js';

// Build inputs and the context tar need no engine: these run everywhere.

let tmp: ReturnType<typeof scratch>;
beforeEach(() => {
  tmp = scratch('shark-context-');
});
afterEach(() => tmp.cleanup());

const spec = (dockerfile: string, contextFiles: string[]): BuildSpec => ({ format: 'dockerfile', dockerfile, bases: ['x'], contextFiles, network: true });
const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file-with-a-long-name.txt`;

it('leaves out what .dockerignore names, as the engine reads it (a key under lib/ was put into the image)', () => {
  writeTree(tmp.dir, {
    'lib/a.txt': 'a', 'lib/secret.key': 's', 'lib/keep.key': 'k', 'top.key': 't', 'build/x.o': 'x', 'build/keep/y': 'y',
    '.dockerignore': '# root only, then everywhere, then an exception\n*.key\n**/secret.key\nbuild\n!build/keep\n',
  });
  const inputs = buildInputs(spec('FROM x\n', ['lib', 'build', 'top.key']), tmp.dir);
  expect(inputs.entries.map((e) => `${e.kind} ${e.rel}`)).toEqual(['dir build/keep', 'file build/keep/y', 'dir lib', 'file lib/a.txt', 'file lib/keep.key']);
  // Named as a source, what it leaves out is not there, as the engine says.
  expect(inputs.missing).toEqual(['top.key']);
  writeTree(tmp.dir, { 'lib/secret.key': 'changed' });
  expect(buildInputs(spec('FROM x\n', ['lib', 'build', 'top.key']), tmp.dir).hash).toBe(inputs.hash);
});

it('takes exactly the COPY sources (files, directories, globs), and hashes their content', () => {
  writeTree(tmp.dir, { 'a.py': 'a', 'b.py': 'b', 'c.txt': 'c', 'lib/x.sh': 'x', 'lib/deep/y.sh': 'y', 'other.txt': 'o' });
  const inputs = buildInputs(spec('FROM x\n', ['*.py', 'lib', './c.txt', 'missing.txt']), tmp.dir);
  expect(inputs.entries.map((e) => `${e.kind} ${e.rel}`)).toEqual(['file a.py', 'file b.py', 'file c.txt', 'dir lib', 'dir lib/deep', 'file lib/deep/y.sh', 'file lib/x.sh']);
  expect(inputs.missing).toEqual(['missing.txt']);

  const again = buildInputs(spec('FROM x\n', ['*.py', 'lib', './c.txt', 'missing.txt']), tmp.dir);
  expect(again.hash).toBe(inputs.hash);
  writeTree(tmp.dir, { 'other.txt': 'not copied: no effect' });
  expect(buildInputs(spec('FROM x\n', ['*.py', 'lib', './c.txt', 'missing.txt']), tmp.dir).hash).toBe(inputs.hash);
  writeTree(tmp.dir, { 'lib/deep/y.sh': 'changed' });
  expect(buildInputs(spec('FROM x\n', ['*.py', 'lib', './c.txt', 'missing.txt']), tmp.dir).hash).not.toBe(inputs.hash);
  expect(buildInputs(spec('FROM x\nRUN true\n', ['*.py', 'lib', './c.txt', 'missing.txt']), tmp.dir).hash).not.toBe(inputs.hash);
  chmodSync(join(tmp.dir, 'a.py'), 0o755);
  const executable = buildInputs(spec('FROM x\n', ['*.py']), tmp.dir);
  chmodSync(join(tmp.dir, 'a.py'), 0o644);
  expect(buildInputs(spec('FROM x\n', ['*.py']), tmp.dir).hash).not.toBe(executable.hash);
});

it('writes a tar that tar reads back: the Dockerfile, long names, symlinks and modes', async () => {
  writeTree(tmp.dir, { [long]: 'long\n', 'run.sh': '#!/bin/sh\n' });
  chmodSync(join(tmp.dir, 'run.sh'), 0o755);
  symlinkSync('run.sh', join(tmp.dir, 'link'));
  writeTree(tmp.dir, { 'dir/inner': 'i' });
  symlinkSync('../run.sh', join(tmp.dir, 'dir', 'up'));
  const inputs = buildInputs(spec('FROM x\n', [long, 'run.sh', 'dir', 'link']), tmp.dir);
  const tar = await buffer(contextTar('FROM x\n', inputs.entries));
  expect(tar.length % 512).toBe(0);
  const listing = execFileSync('tar', ['-tvf', '-'], { input: tar, encoding: 'utf8' }).trim().split('\n');
  const names = listing.map((l) => l.split(/\s+/).slice(5).join(' ')).sort();
  expect(names).toEqual(['.dockerignore', DOCKERFILE_NAME, 'dir/', 'dir/inner', 'dir/up -> ../run.sh', long, 'link', 'run.sh'].sort());
  expect(listing.find((l) => l.endsWith(' run.sh'))).toMatch(/^-rwxr-xr-x/);
  // A symlink named by COPY itself is followed, as Docker does.
  expect(listing.find((l) => l.endsWith(' link'))).toMatch(/^-rwxr-xr-x/);
  const out = execFileSync('tar', ['-xOf', '-', long], { input: tar, encoding: 'utf8' });
  expect(out).toBe('long\n');
});

it('leaves out the names an OBuilder (exclude …) gives, at any depth below its source, and only there', () => {
  writeTree(tmp.dir, { 'tool/run.sh': 'r', 'tool/_build/x.o': 'o', 'tool/sub/_build/y.o': 'o', 'tool/.git/HEAD': 'h', 'other/_build/z.o': 'z' });
  const obuilder = (exclude: Record<string, string[]> | undefined): BuildSpec => ({
    format: 'obuilder', dockerfile: 'FROM x\n', bases: ['x'], contextFiles: ['tool', 'other'], network: false, ...(exclude ? { exclude } : {}),
  });
  const all = buildInputs(obuilder(undefined), tmp.dir);
  const some = buildInputs(obuilder({ tool: ['_build', '.git'] }), tmp.dir);
  expect(some.entries.map((e) => e.rel)).toEqual(['other', 'other/_build', 'other/_build/z.o', 'tool', 'tool/run.sh', 'tool/sub']);
  expect(some.hash).not.toBe(all.hash);
  // Changing an excluded file rebuilds nothing.
  writeTree(tmp.dir, { 'tool/_build/x.o': 'changed' });
  expect(buildInputs(obuilder({ tool: ['_build', '.git'] }), tmp.dir).hash).toBe(some.hash);
});

it('sends no file that a COPY source reaches through a link out of the pipeline\'s directory, and says which', () => {
  writeTree(tmp.dir, { 'outside/secret.txt': 'SECRET\n', 'proj/real.txt': 'real\n' });
  const proj = join(tmp.dir, 'proj');
  symlinkSync(join(tmp.dir, 'outside', 'secret.txt'), join(proj, 'lnk.txt'));
  symlinkSync('../outside', join(proj, 'up'));
  symlinkSync('real.txt', join(proj, 'inside.txt'));
  const inputs = buildInputs(spec('FROM x\n', ['lnk.txt', 'up/secret.txt', 'up', 'up/*.txt', 'inside.txt']), proj);
  expect(inputs.entries.map((e) => `${e.kind} ${e.rel}`)).toEqual(['file inside.txt']);
  expect(inputs.outside).toEqual([
    { source: 'lnk.txt', target: join(tmp.dir, 'outside', 'secret.txt') },
    { source: 'up/secret.txt', target: join(tmp.dir, 'outside', 'secret.txt') },
    { source: 'up', target: join(tmp.dir, 'outside') },
    { source: 'up/secret.txt', target: join(tmp.dir, 'outside', 'secret.txt') },
  ]);
  expect(inputs.missing).toEqual([]);
});

it('keys on the instructions, not on comments, blank lines or an instruction\'s indentation (editing a comment rebuilt the image)', () => {
  writeTree(tmp.dir, { 'a.py': 'a' });
  const before = buildInputs(spec('FROM x\nRUN make \\\n  all\nCOPY a.py /app/\n', ['a.py']), tmp.dir).hash;
  const commented = '# The model\'s environment\nFROM x\n\n# build it\nRUN make \\\n  # each target\n  all\n   COPY a.py /app/\n';
  expect(buildInputs(spec(commented, ['a.py']), tmp.dir).hash).toBe(before);
  // What the builder reads still counts: a word inside an instruction, a line's order.
  expect(buildInputs(spec('FROM x\nRUN make \\\n  al\nCOPY a.py /app/\n', ['a.py']), tmp.dir).hash).not.toBe(before);
  expect(buildInputs(spec('FROM x\nCOPY a.py /app/\nRUN make \\\n  all\n', ['a.py']), tmp.dir).hash).not.toBe(before);
  expect(buildInputs(spec('FROM x\nRUN echo "# not a comment" \\\n  all\nCOPY a.py /app/\n', ['a.py']), tmp.dir).hash).not.toBe(before);
  // A continuation line's indentation is part of the instruction: the builder joins it as it is (a stale image was reused).
  expect(buildInputs(spec('FROM x\nRUN make \\\n      all\nCOPY a.py /app/\n', ['a.py']), tmp.dir).hash).not.toBe(before);
  // A parser directive at the top changes how the builder reads the rest.
  expect(buildInputs(spec('# escape=`\nFROM x\nRUN make \\\n  all\nCOPY a.py /app/\n', ['a.py']), tmp.dir).hash).not.toBe(before);
});
