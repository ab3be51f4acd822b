import { describe, expect, it } from 'vitest';
import { doc, load } from '../helpers/documents.js';

/**
 * A path cut at `$` (`/data/m/$x.txt`) names a file made at run time in its
 * directory: when the step already writes something else there, the
 * directory is its output whole, or the files made at run time are dropped
 * (run published /data/m/ without them; the hand script kept them).
 */
const outputs = (command: string): string[] => load(doc([['shark-run {id=a}', command]])).steps[0]!.outputs.map((o) => `${o.path}${o.isDir ? '/' : ''}`);

describe('a path cut at $ in a directory the step writes a file into', () => {
  it('makes the directory the output when the cut path is redirected into', () => {
    expect(outputs('echo s > /data/m/s.txt; x=a; echo 1 > /data/m/$x.txt')).toEqual(['/data/m/']);
    expect(outputs('mkdir -p /data/m/sub; for m in 1 2; do echo $m > /data/m/f$m; done')).toEqual(['/data/m/']);
  });

  it('makes the directory the output when touch or mkdir makes the cut name', () => {
    expect(outputs('echo s > /data/m/s.txt; touch /data/m/$X')).toEqual(['/data/m/']);
    expect(outputs('echo s > /data/m/s.txt; mkdir /data/m/$X')).toEqual(['/data/m/']);
  });

  it('keeps the file alone when the cut path is only removed or read', () => {
    expect(outputs('echo s > /data/m/s.txt; rm -f /data/m/$X')).toEqual(['/data/m/s.txt']);
    expect(outputs('echo s > /data/m/s.txt; cat /data/m/$X > /data/o.txt')).toEqual(['/data/m/s.txt', '/data/o.txt']);
  });
});
