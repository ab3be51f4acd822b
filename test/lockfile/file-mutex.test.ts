import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withExclusiveLock } from '../../src/file-mutex.js';

/**
 * What no shark made in the place of a lock's guard file (a link that leads
 * nowhere, a directory): said at once. A run waiting for it spun at full
 * speed for ever, deaf to SIGTERM, since nothing ever removes it.
 */
describe('a lock whose file cannot be read as one', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a link that leads nowhere', (p: string) => symlinkSync('/nonexistent/guard', p), 'a symbolic link'],
    ['a directory', (p: string) => mkdirSync(p), 'a directory'],
  ])('%s is said at once, the body never run', (_, make, what) => {
    dir = mkdtempSync(join(tmpdir(), 'shark-mutex-'));
    const lock = join(dir, 'p.lock.json.lock');
    make(lock);
    const started = Date.now();
    let ran = false;
    const got = withExclusiveLock(lock, () => (ran = true));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(ran).toBe(false);
    expect(got).toEqual({ ok: false, message: `${lock} is in the way and cannot be read as a lock (${what}): remove it if no shark is running` });
  });

  it('is taken and given back when free', () => {
    dir = mkdtempSync(join(tmpdir(), 'shark-mutex-'));
    expect(withExclusiveLock(join(dir, 'x.lock'), () => 7)).toEqual({ ok: true, value: 7 });
    expect(withExclusiveLock(join(dir, 'x.lock'), () => 8)).toEqual({ ok: true, value: 8 });
  });
});
