import { afterAll, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/exec/docker/client.js';
import { DockerExecutor } from '../../src/exec/docker/docker-executor.js';
import { request, scratch } from './rig.js';

/** An engine that refuses to make the job's container, saying `message` as dockerode passes it on. */
function refusing(message: string): DockerClient {
  return { rootless: true, createContainer: async () => Promise.reject(new Error(message)) } as unknown as DockerClient;
}

/**
 * What the engine refuses a job's container for, when the cause is the
 * environment or where the step runs rather than Shark: said in those terms,
 * reason `environment`, not an `internal` failure quoting the HTTP error.
 */
describe('a container the engine will not make', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());
  const run = (message: string, cwd?: string) =>
    new DockerExecutor(async () => ({ ok: true, client: refusing(message), image: 'sha256:78045bbb3ca91c49bb7c9f9e8ecd84240e5a439ad0b0e91d6a7ced786da9124f', environment: 'environment e (p.md:1:1)' }))
      .run(request(tmp.dir, { script: 'true', label: 'job', ...(cwd === undefined ? {} : { cwd }) }));

  it('because its image was removed while the run went on (docker rmi) says so, and that a run builds it again', async () => {
    const image = 'sha256:78045bbb3ca91c49bb7c9f9e8ecd84240e5a439ad0b0e91d6a7ced786da9124f';
    expect(await run(`(HTTP code 404) no such image - no such image: ${image}: No such image: ${image} `)).toEqual({
      status: 'failed', reason: 'environment', exitCode: null,
      message: 'environment e (p.md:1:1): its image 78045bbb3ca9 is no longer on the engine (removed during the run: docker rmi, a prune): `shark run` builds it again',
    });
  });

  it('because its working directory is a file in the image names the directory', async () => {
    expect(await run('(HTTP code 500) server error - Cannot mkdir: /bin/busybox is not a directory ', '/bin/busybox')).toMatchObject({
      reason: 'environment', message: 'environment e (p.md:1:1): cannot make the working directory /bin/busybox in the image: /bin/busybox is not a directory',
    });
  });

  it('because its working directory cannot be made names the directory', async () => {
    const said = '(HTTP code 400) unexpected - failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: mkdir /proc/x: no such file or directory: unknown ';
    expect(await run(said, '/proc/x')).toMatchObject({
      reason: 'environment', message: 'environment e (p.md:1:1): cannot make the working directory /proc/x in the image: mkdir /proc/x: no such file or directory',
    });
  });

  it('for another cause is still an internal failure with the engine\'s words', async () => {
    expect(await run('(HTTP code 500) server error - something else')).toMatchObject({ reason: 'internal', message: 'container for job failed to run: (HTTP code 500) server error - something else' });
  });
});
