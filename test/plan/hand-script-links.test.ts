import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, Rig, SHARK } from '../support/rig.js';

/**
 * The hand script run as docs/cli.md tells (its `sed` recipe, /data moved
 * beside the document), in a directory whose path the shell and sed would
 * misread, and compared with `shark run` link by link.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-hand-links-')));
afterEach(() => rig.cleanup());

/** Where the document lies: a space, `&`, `|` and `#` in its path. */
const PROJECT = 'my runs/a&b|c#d';

/** The documented command that writes the script with /data moved beside the document, FILE as `p.md`. */
function recipe(): string {
  const doc = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');
  const found = /`([^`]*shark plan FILE --script \| sed [^`]*)`/.exec(doc);
  expect(found, 'docs/cli.md shows the sed recipe').not.toBeNull();
  return found![1]!.replace('FILE', 'p.md');
}

/** A tree as entries: a file's bytes, a link's target (`-> t`), a directory's `/`. */
function entries(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out[rel + name] = `-> ${readlinkSync(full)}`;
      else if (st.isDirectory()) (out[`${rel + name}/`] = '/', walk(full, `${rel + name}/`));
      else out[rel + name] = readFileSync(full, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

/** `shark run` publishes into `_run`, then the documented recipe's script into `_shark`, both in `project`. */
async function bothWays(doc: string, project = PROJECT): Promise<void> {
  const at = (p: string): string => rig.path(join(project, p));
  rig.write(join(project, 'p.md'), doc);
  const run = await rig.shark(['run', 'p.md'], { cwd: project });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  renameSync(at('_shark'), at('_run'));
  rig.write('bin/shark', `#!/bin/sh\nexec '${process.execPath}' '${SHARK}' "$@"\n`);
  chmodSync(rig.path('bin/shark'), 0o755);
  const env = { PATH: `${rig.path('bin')}:${process.env['PATH']!}` };
  try {
    execFileSync('sh', ['-c', recipe()], { cwd: at(''), env, stdio: 'pipe' });
    execFileSync('sh', ['hand.sh'], { cwd: at(''), env, stdio: 'pipe' });
  } finally {
    // The recipe's temporary directory, which holds only its link to ./data.
    const script = existsSync(at('hand.sh')) ? readFileSync(at('hand.sh'), 'utf8') : '';
    for (const d of new Set(script.match(/\/tmp\/shark\.[A-Za-z0-9]+(?=\/data)/g) ?? [])) rmSync(d, { recursive: true, force: true });
  }
  expect(entries(at('_shark'))).toEqual(entries(at('_run')));
}

describe('the hand script, run as documented', () => {
  it('runs in a directory whose path holds a space, &, | and # (sed read them, and the shell split the commands)', async () => {
    await bothWays([
      '```shark-run', 'echo hi > /data/a.txt', 'mkdir -p /data/in && echo x > /data/in/x.txt && echo y > /data/in/y.txt', '```', '',
      '```shark-run', 'tr a-z A-Z < /data/in/* > /data/out/+', '```', '',
      '```shark-publish', '/data/a.txt', '/data/out/', '```', '',
    ].join('\n'));
  });

  it('publishes the links a step made as links, a link into /data relative (they were copied as files)', async () => {
    await bothWays([
      '```shark-run', 'echo hi > /data/plain.txt', 'ln -s /data/plain.txt /data/abs.txt', 'ln -s plain.txt /data/rel.txt', '```', '',
      '```shark-run', 'mkdir -p /data/out/sub && echo a > /data/out/a.txt && ln -s ../a.txt /data/out/sub/b.txt && ln -s /data/out/a.txt /data/out/sub/c.txt && ln -s /data/out /data/out/sub/top && ln -s /nowhere/x /data/out/far', '```', '',
      '```shark-publish', '/data/plain.txt', '/data/rel.txt', '/data/abs.txt', '/data/out/', '```', '',
    ].join('\n'));
    expect(entries(rig.path(join(PROJECT, '_shark')))).toMatchObject({ 'abs.txt': '-> plain.txt', 'out/sub/c.txt': '-> ../a.txt', 'out/sub/top': '-> ..', 'out/far': '-> /nowhere/x' });
  });
});
