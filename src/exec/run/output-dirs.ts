import { dirname } from 'node:path';
import type { Output } from '../../pipeline/pipeline.js';
import { safeDirs } from '../../store/safe-path.js';

/**
 * Makes, under a workspace's `root`, the directories an output at `path`
 * goes into, none through a link (`safeDirs`): its parent; itself when the
 * step writes into it under names made as it runs (`created`), or when it is
 * a directory every job of a map writes its files into (`inMap`); and the
 * directories of its declared files (each item's of `+/`). A job's
 * (`run-job.ts`) and a command's at `shark shell`'s prompt alike.
 */
export function makeOutputDirs(root: string, path: string, output: Pick<Output, 'created' | 'isDir' | 'perItem' | 'files'>, inMap: boolean): void {
  safeDirs(root, dirname(path));
  if (output.created === true || (inMap && output.isDir && !output.perItem)) safeDirs(root, path);
  for (const file of output.files ?? []) safeDirs(root, dirname(`${path}/${file}`));
}
