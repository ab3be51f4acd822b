import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A small fixed pipeline for the exports and attestations: a host file and a
 * host directory in, one plain step, a map over the directory (one job per
 * file, writing into one directory), a reduce over both, and a publish.
 */
export const PIPELINE = `---
inputs:
  raw: /data/raw.txt
  ranges: /data/ranges/
---
# Tiny

## Prepare

\`\`\`shark-run
tr a-z A-Z < /data/raw.txt > /data/upper.txt
\`\`\`

## Measure

\`\`\`shark-run
wc -c < /data/ranges/* > /data/sizes/+
\`\`\`

## Report

\`\`\`shark-run
cd /data/sizes/ && cat * /data/upper.txt > /data/report.txt
\`\`\`

## Publish

\`\`\`shark-publish
/data/report.txt
\`\`\`
`;

export const INPUTS = ['-i', 'raw=raw.txt', '-i', 'ranges=ranges'];

/** A rig with the pipeline and its inputs written (not run yet). */
export function tinyRig(): Rig {
  const rig = new Rig('shark-lineage-');
  rig.write('p.md', PIPELINE);
  rig.write('raw.txt', 'hello world\n');
  rig.write('ranges/a.txt', 'range a\n');
  rig.write('ranges/b.txt', 'the range called b\n');
  return rig;
}

/** The file of a stored object (content-addressed store) by its id. */
export function objectPath(rig: Rig, id: string): string {
  const hex = id.slice(id.indexOf(':') + 1);
  return rig.path(`.shark/objects/${hex.slice(0, 2)}/${hex.slice(2)}`);
}

const CANDIDATES = ['/usr/bin/python3', 'python3'];

/**
 * The Python that has the Debian readers (`python3-prov`, `python3-rdflib`):
 * the system one, not a virtualenv's. Undefined when none has them.
 */
export function findPython(modules: readonly string[]): string | undefined {
  for (const py of CANDIDATES) {
    try {
      execFileSync(py, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
      return py;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

/**
 * A suite that needs the independent Python readers: skipped with a reason
 * when they are missing, except under SHARK_REQUIRE_PYTHON_PROV=1 (CI), where
 * their absence is a failure.
 */
export function describeWithPython(name: string, modules: readonly string[], body: (python: string) => void): void {
  const python = findPython(modules);
  if (python !== undefined) {
    describe(name, () => body(python));
  } else if (process.env['SHARK_REQUIRE_PYTHON_PROV'] === '1') {
    describe(name, () => {
      it(`needs python3 with ${modules.join(', ')} (SHARK_REQUIRE_PYTHON_PROV=1)`, () => {
        throw new Error(`no python3 can import ${modules.join(', ')}: apt-get install python3-prov python3-rdflib`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: no python3 with ${modules.join(', ')})`, () => {
      it('skipped', () => undefined);
    });
  }
}

/** `tinyRig` run once with `--sign shark.key` (a key pair `shark.key`/`shark.pub` made first): what `verify` tests tamper with. */
export async function signedTinyRig(): Promise<Rig> {
  const rig = tinyRig();
  expect((await rig.shark(['keygen', '-o', 'shark'])).code).toBe(0);
  const ran = await rig.shark(['run', 'p.md', ...INPUTS, '--sign', 'shark.key']);
  expect(ran.code, ran.stderr).toBe(0);
  return rig;
}

/** Runs SQL `statement` on the rig's store database, as someone editing it by hand would. */
export function editStoreDatabase(rig: Rig, statement: string): void {
  const db = new Database(rig.path('.shark/shark.sqlite'));
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
}
