import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { containerSpec } from '../../src/exec/docker/docker-executor.js';
import { request, scratch } from './rig.js';

// Pure: what containerSpec asks Docker to bind, with no engine involved.
let tmp: ReturnType<typeof scratch>;
let outside: string;
beforeEach(() => {
  tmp = scratch('shark-mounts-');
  outside = join(tmp.dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'secret');
});
afterEach(() => tmp.cleanup());

/** A request whose inputs are placed in its workspace by `place` (links, as a step or an import may have made them). */
function withInputs(paths: string[], place: (data: string) => void): ReturnType<typeof request> {
  const req = request(tmp.dir, { script: 'true' });
  place(join(req.workspace.root, 'data'));
  return { ...req, inputs: paths.map((path) => ({ path })) };
}

const sources = (req: ReturnType<typeof request>): Record<string, string> =>
  Object.fromEntries(containerSpec(req, 'sha256:x', undefined).mounts.map((m) => [m.target, m.source]));

it('binds real input files and directories read-only, from inside the workspace', () => {
  const req = withInputs(['/data/a.txt', '/data/dir'], (data) => {
    writeFileSync(join(data, 'a.txt'), 'a');
    mkdirSync(join(data, 'dir'));
  });
  const data = realpathSync(join(req.workspace.root, 'data'));
  expect(containerSpec(req, 'sha256:x', undefined).mounts).toEqual([
    { source: data, target: '/data', readOnly: false },
    { source: `${data}/a.txt`, target: '/data/a.txt', readOnly: true },
    { source: `${data}/dir`, target: '/data/dir', readOnly: true },
  ]);
});

it('never binds an input that is a link, wherever it points: /data already holds the link itself', () => {
  const req = withInputs(['/data/file-link', '/data/dir-link', '/data/sock-link', '/data/inside-link', '/data/dangling'], (data) => {
    symlinkSync(join(outside, 'secret.txt'), join(data, 'file-link'));
    symlinkSync(outside, join(data, 'dir-link'));
    symlinkSync('/var/run/docker.sock', join(data, 'sock-link'));
    writeFileSync(join(data, 'real.txt'), 'r');
    symlinkSync('real.txt', join(data, 'inside-link'));
    symlinkSync('/nowhere', join(data, 'dangling'));
  });
  expect(Object.keys(sources(req))).toEqual(['/data']);
});

it('never binds an input reached through a linked directory', () => {
  const req = withInputs(['/data/via/secret.txt', '/data/items/a'], (data) => {
    symlinkSync(outside, join(data, 'via'));
    mkdirSync(join(data, 'items'));
    symlinkSync(join(outside, 'secret.txt'), join(data, 'items', 'a'));
  });
  expect(Object.keys(sources(req))).toEqual(['/data']);
});

it('binds no path that climbs out of /data or is not there', () => {
  const req = withInputs(['/data/../outside/secret.txt', '/data/missing.txt', '/etc/passwd'], () => undefined);
  expect(Object.keys(sources(req))).toEqual(['/data']);
});

it('binds the workspace by its real path when it is reached through a link', () => {
  const req = withInputs(['/data/a.txt'], (data) => writeFileSync(join(data, 'a.txt'), 'a'));
  const alias = join(tmp.dir, 'alias');
  symlinkSync(req.workspace.root, alias);
  const real = realpathSync(req.workspace.root);
  expect(sources({ ...req, workspace: { root: alias } })).toEqual({ '/data': `${real}/data`, '/data/a.txt': `${real}/data/a.txt` });
});

it('refuses a workspace whose /data is itself a link', () => {
  const req = request(tmp.dir, { script: 'true' });
  const root = join(tmp.dir, 'fake-ws');
  mkdirSync(root);
  symlinkSync(outside, join(root, 'data'));
  expect(() => containerSpec({ ...req, workspace: { root } }, 'sha256:x', undefined)).toThrow(/link/);
});
