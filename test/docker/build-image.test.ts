import { describe, expect, it } from 'vitest';
import { buildImage } from '../../src/exec/docker/build-image.js';
import type { BuildRequest, DockerClient } from '../../src/exec/docker/client.js';
import { loadPipeline } from '../../src/pipeline/load.js';

/** A client whose build fails with `message` after printing `lines`: what buildImage makes of an engine's refusal. */
function failing(message: string, lines: readonly string[]): DockerClient {
  return {
    imageId: async () => undefined,
    build: async (request: BuildRequest) => {
      for (const line of lines) request.onLine(line);
      return { ok: false, message };
    },
  } as unknown as DockerClient;
}

async function errorOf(markdown: string, message: string, lines: readonly string[] = []): Promise<string> {
  const { pipeline } = loadPipeline('p.md', markdown);
  const env = pipeline!.environments.get('tools')!;
  const built = await buildImage({
    client: failing(message, lines), name: 'tools', env, inputs: { hash: 'sha256:0', entries: [], missing: [], outside: [] },
    locked: {}, update: false, signal: new AbortController().signal,
  });
  return built.ok ? '' : built.error;
}

describe('a build the engine refuses', () => {
  const dockerfile = '# p\n\n```shark-build:tools\nFROM busybox\n\nONBUILD FROM x\n```\n';

  it('names the document line of a Dockerfile parse error, and prints no empty build log section', async () => {
    expect(await errorOf(dockerfile, '(HTTP code 400) unexpected - dockerfile parse error line 3: FROM isn\'t allowed as an ONBUILD trigger '))
      .toBe('building environment tools failed: the engine could not parse the Dockerfile at line 6: FROM isn\'t allowed as an ONBUILD trigger');
  });

  it('names the OBuilder spec when the line is one Shark wrote', async () => {
    const obuilder = '```shark-build:tools\n((from busybox)\n (run (shell "true")))\n```\n';
    expect(await errorOf(obuilder, 'dockerfile parse error line 2: oops'))
      .toBe('building environment tools failed: the engine could not parse the Dockerfile at line 2 of the Dockerfile Shark made of this OBuilder spec: oops');
  });

  it('keeps the last lines of a build log that has some, and names the line of the step it stopped at (it named the block only)', async () => {
    expect(await errorOf(dockerfile, 'The command returned a non-zero code: 3', ['Step 1/2 : FROM busybox', 'oops']))
      .toBe('building environment tools failed at line 4 (step 1): The command returned a non-zero code: 3\n--- last lines of the build log:\nStep 1/2 : FROM busybox\noops');
    expect(await errorOf(dockerfile, 'failed', ['Step 1/2 : FROM busybox', ' ---> 1234', 'Step 2/2 : ONBUILD FROM x']))
      .toMatch(/^building environment tools failed at line 6 \(step 2\): failed/);
  });
});
