import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SHARK, fmt, inTurns, ratio, scratch, table, timeOnce, write } from './tools.js';

const node = process.execPath;
const FILES = 1500;

/**
 * A local directory of 1,500 files imported, then imported again after one
 * file changed, beside `cp -r` of the same directory: the first import
 * copies every file into the store once; the second walks the directory,
 * the stat cache knowing all but the changed file, which alone is read
 * and copied.
 */
export function benchReimport(): string[] {
  const dir = scratch('reimport');
  for (let i = 0; i < FILES; i++) write(join(dir, 'src', `f${i}.csv`), `row ${i}\n`);
  write(join(dir, 'p.md'), '# Import\n\n```shark-import\nsrc /data/src\n```\n\n## Count\n\n```shark-run\nls /data/src | wc -l > /data/n.txt\n```\n');
  const run = [SHARK, 'run', 'p.md'];
  let edits = 0;
  const first = (): number => {
    spawnSync('rm', ['-rf', join(dir, '.shark')]);
    spawnSync('sync');
    return timeOnce(node, run, dir);
  };
  const again = (): number => {
    write(join(dir, 'src', 'f7.csv'), `edited ${++edits}\n`);
    spawnSync('sync');
    return timeOnce(node, run, dir);
  };
  const copy = (): number => {
    spawnSync('rm', ['-rf', join(dir, 'copy')]);
    spawnSync('sync');
    return timeOnce('cp', ['-r', 'src', 'copy'], dir);
  };
  const [a, b, cp] = inTurns([first, again, copy]) as [number, number, number];
  spawnSync('rm', ['-rf', dir]);
  return table(`local import of ${FILES.toLocaleString('en')} files (shark run of the import and a step reading it):`, [
    ['first time, fresh store', fmt(a), `${ratio(a, cp)} cp -r (reported)`],
    ['again, one file changed', fmt(b), `${ratio(b, cp)} cp -r; ${ratio(b, a)} the first time (reported)`],
    ['cp -r', fmt(cp), ''],
  ]);
}
