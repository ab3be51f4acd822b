import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { doc } from '../helpers/documents.js';

/** The diagnostics of a document that loads, as `line:col: severity: message`. */
function said(source: string): string[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(pipeline).toBeDefined();
  return diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`);
}

/**
 * `FROM base` in one environment, `base` another environment of the same
 * document: the engine takes (or pulls) an image called `base`, never that
 * environment, so the build fails far from the cause (a registry error), or
 * silently starts from a registry image of that name. Said at check, at the image.
 */
describe('a FROM naming another environment of the document', () => {
  const base: [string, string] = ['shark-build:base', 'FROM shark-test/busybox:latest\nRUN touch /opt/base'];

  it('is a warning at the image, in a Dockerfile and in an OBuilder spec', () => {
    expect(said(doc([base, ['shark-build:child', 'FROM base\nRUN ls /opt/base'], ['shark-run:child', 'echo > /data/x']]))).toEqual([
      '7:6: warning: FROM base takes the image `base` as the engine has it (or pulls it from a registry), not the environment `base` of this document: environments do not build on one another (put its instructions in this block)',
    ]);
    expect(said(doc([base, ['shark-build:child', '((from base:latest)\n (run (shell "ls /opt/base")))']]))).toEqual([
      '7:8: warning: FROM base:latest takes the image `base:latest` as the engine has it (or pulls it from a registry), not the environment `base` of this document: environments do not build on one another (put its instructions in this block)',
    ]);
  });

  it('is not one for a stage of its own Dockerfile, another tag, an image of its own name, or a registry path', () => {
    expect(said(doc([base, ['shark-build:child', 'FROM shark-test/busybox AS base\nRUN true\nFROM base\nRUN true']]))).toEqual([]);
    expect(said(doc([base, ['shark-build:child', 'FROM base:3.1']]))).toEqual([]);
    expect(said(doc([['shark-build:python', 'FROM python'], ['shark-build:other', 'FROM lib/base']]))).toEqual([]);
  });
});
