import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

let rig: Rig | undefined;
afterEach(() => rig?.cleanup());

/** A legal name near the file system's 255-byte limit: too long to take a suffix such as `.shark-tmp-PID`. */
const LONG = `${'a'.repeat(244)}.txt`;

it('export crate copies a file whose name is near the 255-byte limit (its temporary copy is named short)', async () => {
  rig = new Rig();
  rig.write(`in/${LONG}`, 'x');
  rig.write('p.md', '---\ninputs:\n  items: /data/in/\n---\n\n```shark-run\ncp /data/in/*.txt /data/out/+\n```\n');
  expect((await rig.shark(['run', 'p.md', '-i', 'items=in'])).code).toBe(0);
  const made = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
  expect(made.stderr).toBe('');
  expect(made.code).toBe(0);
  expect(readFileSync(rig.path(`crate/data/out/${LONG}`), 'utf8')).toBe('x');
  expect(readFileSync(rig.path(`crate/data/in/${LONG}`), 'utf8')).toBe('x');
});
