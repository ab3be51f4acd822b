import { expect, it } from 'vitest';
import { describeDocker, dockerCli, unique } from './rig.js';
import { altOf, ensureTestImage } from './test-image.js';

// A newcomer has Docker but not the local base image: the rig makes it, or says why it cannot.
describeDocker('the Docker tests\' base image', (client) => {
  it('is built when missing, with its :alt beside it', async () => {
    const ref = `shark-test/${unique('newcomer')}:latest`;
    try {
      expect(await ensureTestImage(client, ref)).toEqual({ ok: true });
      expect(await client.imageId(ref)).toMatch(/^sha256:/);
      expect(await client.imageId(altOf(ref))).not.toBe(await client.imageId(ref));
    } finally {
      for (const r of [ref, altOf(ref)]) dockerCli('rmi', '--no-prune', r);
    }
  });

  it('says in one line why it cannot be built', async () => {
    const ref = `shark-test/${unique('newcomer')}:latest`;
    const result = await ensureTestImage(client, ref, { ...process.env, BUSYBOX: '/nonexistent/busybox' });
    expect(result).toEqual({ ok: false, reason: `test image ${ref} is missing and scripts/services/make-base-image.sh could not build it: make-base-image: /nonexistent/busybox not found (apt-get install busybox-static)` });
    expect(await client.imageId(ref)).toBeUndefined();
  });
});
