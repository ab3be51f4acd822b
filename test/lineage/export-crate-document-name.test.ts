import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { checkCrate, type Crate } from './crate-rules.js';
import { describeWithPython } from './fixture.js';

const QUERY = join(import.meta.dirname, 'query-crate.py');

/**
 * A pipeline document whose name holds a space and a non-ASCII letter
 * (`my pipe ü.md`): in the crate it is the file `my pipe ü.md`, and its
 * `@id` is that path as a URI reference (`my%20pipe%20%C3%BC.md`), as the
 * data files' are, so that a JSON-LD reader keeps the workflow and what
 * links to it (an IRI holding a space is dropped).
 */
const PIPELINE = '# T\n\n```shark-run\necho 1 > /data/a.txt\n```\n\n```shark-run\ncat /data/a.txt > /data/b.txt\n```\n';
const NAME = 'my pipe ü.md';
const ID = 'my%20pipe%20%C3%BC.md';

let rig: Rig;
beforeAll(async () => {
  rig = new Rig('shark-crate-docname-');
  rig.write(NAME, PIPELINE);
  expect((await rig.shark(['run', NAME])).code).toBe(0);
  expect((await rig.shark(['export', 'crate', NAME, '-o', 'crate'])).code).toBe(0);
});
afterAll(() => rig.cleanup());

describe('shark export crate of a document whose name needs escaping', () => {
  it('names the document by a URI reference, and keeps its name and file as they are', () => {
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    const doc = crate['@graph'].find((e) => e['@id'] === ID);
    expect(doc?.['name']).toBe(NAME);
    expect(crate['@graph'].some((e) => e['@id'] === NAME)).toBe(false);
    const root = crate['@graph'].find((e) => e['@id'] === './')!;
    expect(root['mainEntity']).toEqual({ '@id': ID });
    expect(existsSync(rig.path(`crate/${NAME}`))).toBe(true);
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
  });
});

describeWithPython('shark export crate of a document whose name needs escaping, read with python3-rdflib', ['rdflib'], (python) => {
  it('a JSON-LD reader still finds which job made each file', () => {
    const answers = JSON.parse(execFileSync(python, [QUERY, rig.path('crate')], { encoding: 'utf8' })) as { madeBy: Record<string, string[]> };
    expect(answers.madeBy).toEqual({ '/data/a.txt': ['t'], '/data/b.txt': ['t-2'] });
  });
});
