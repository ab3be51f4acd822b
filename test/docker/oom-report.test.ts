import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerHandle, DockerClient } from '../../src/exec/docker/client.js';
import { DockerExecutor } from '../../src/exec/docker/docker-executor.js';
import { request, scratch } from './rig.js';

/** An engine whose container exits with `code` and whose out-of-memory flag turns true `oomAfterMs` after the exit. */
function engine(code: number, oomAfterMs: number | undefined): DockerClient {
  let exited = 0;
  const container: ContainerHandle = {
    id: 'c1',
    attach: async (_out: Writable) => ({ ended: Promise.resolve() }),
    start: async () => undefined,
    wait: async () => ((exited = Date.now()), code),
    oomKilled: async () => oomAfterMs !== undefined && Date.now() - exited >= oomAfterMs,
    kill: async () => undefined,
    remove: async () => undefined,
  };
  return { rootless: true, createContainer: async () => container } as unknown as DockerClient;
}

describe('a job killed over its {memory}', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());
  const run = (client: DockerClient) =>
    new DockerExecutor(async () => ({ ok: true, client, image: 'sha256:x' })).run({ ...request(tmp.dir, { script: 'true' }), memory: 8 * 2 ** 20 });

  it('is said to have gone over it when the engine reports the kill only after the exit (a loaded machine)', async () => {
    expect(await run(engine(137, 400))).toMatchObject({ status: 'failed', reason: 'signal', message: 'went over its memory limit (memory=8M): killed by the kernel' });
  });

  it('names the limit as the likely cause when the engine never reports it', async () => {
    expect(await run(engine(137, undefined))).toMatchObject({ message: 'killed by signal 9, most likely by the kernel for going over its memory limit (memory=8M)' });
  });

  it('is a plain exit status when the job ended by itself', async () => {
    expect(await run(engine(3, undefined))).toMatchObject({ reason: 'exit', message: 'exit status 3' });
  });
});
