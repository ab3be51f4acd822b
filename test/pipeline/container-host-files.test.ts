import { describe, expect, it } from 'vitest';
import { hostFilesInContainers } from '../../src/pipeline/container-host-files.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import { doc } from '../helpers/documents.js';

/** The warnings for a document whose directory holds `files`, as `line:col: message`. */
function said(source: string, files: readonly string[]): string[] {
  const { pipeline } = loadPipeline('p.md', source);
  expect(pipeline).toBeDefined();
  return hostFilesInContainers(pipeline!, (rel) => files.includes(rel)).map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`);
}

const plain: [string, string] = ['shark-build:bb', 'FROM shark-test/busybox:latest'];

/**
 * A container step naming a script beside the document: the container does
 * not see it, its job ends well with `can't open` in its log and an empty
 * output (a user moving a step from the host into a container). Said where
 * the file is named, unless the environment's Dockerfile copies it.
 */
describe('a file beside the document named by a container step', () => {
  it('is a warning at the file, naming the environment and the two ways out', () => {
    expect(said(doc([plain, ['shark-run:bb', 'sh scripts/s.sh > /data/out.txt']]), ['scripts/s.sh'])).toEqual([
      "6:4: warning: `scripts/s.sh` is a file beside the document, which a container does not see (it has its image's files and /data), and environment bb copies it nowhere: "
      + "COPY it in bb's shark-build block, or run the step on the host (a `shark-run` block without an environment)",
    ]);
  });

  it('is none when the Dockerfile copies it, its directory, the whole context or a pattern there', () => {
    for (const copy of ['COPY scripts/s.sh /root/scripts/s.sh', 'COPY scripts/ /root/scripts/', 'COPY . /app', 'COPY scripts/*.sh /root/scripts/', 'ADD ./scripts /s']) {
      expect(said(doc([['shark-build:bb', `FROM shark-test/busybox:latest\n${copy}`], ['shark-run:bb', 'sh scripts/s.sh > /data/out.txt']]), ['scripts/s.sh', 'scripts/x.sh'])).toEqual([]);
    }
  });

  it('is none on the host, for a file not there, or for another directory of the context', () => {
    expect(said(doc([['shark-run', 'sh scripts/s.sh > /data/out.txt']]), ['scripts/s.sh'])).toEqual([]);
    expect(said(doc([plain, ['shark-run:bb', 'sh scripts/s.sh > /data/out.txt']]), [])).toEqual([]);
    expect(said(doc([['shark-build:bb', 'FROM shark-test/busybox:latest\nCOPY lib/ /lib2/'], ['shark-run:bb', 'sh scripts/s.sh > /data/out.txt']]), ['scripts/s.sh', 'lib/a.sh'])).toHaveLength(1);
  });
});
