import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DockerClient } from '../../src/exec/docker/client.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAKE_BASE_IMAGE = join(ROOT, 'scripts', 'services', 'make-base-image.sh');

/** The `:alt` image made beside `ref`: the tests move tags between the two. */
export function altOf(ref: string): string {
  return ref.replace(/:[^:/]*$/, '') + ':alt';
}

/**
 * Makes sure the engine has the Docker tests' base image and its `:alt`,
 * building both with scripts/services/make-base-image.sh when one is missing
 * (a newcomer's machine has Docker but not this local image). The failure
 * says in one line why they could not be had.
 */
export async function ensureTestImage(client: DockerClient, ref: string, env: NodeJS.ProcessEnv = process.env): Promise<{ ok: true } | { ok: false; reason: string }> {
  const present = async (): Promise<boolean> => (await client.imageId(ref)) !== undefined && (await client.imageId(altOf(ref))) !== undefined;
  if (await present()) return { ok: true };
  const built = await new Promise<string | undefined>((done) => {
    execFile('bash', [MAKE_BASE_IMAGE], { env: { ...env, SHARK_TEST_IMAGE: ref }, encoding: 'utf8' }, (err, _out, stderr) => {
      const said = stderr.trim().split('\n').filter((l) => l !== '').pop();
      done(err === null ? undefined : (said ?? err.message));
    });
  });
  if (built === undefined && (await present())) return { ok: true };
  const script = 'scripts/services/make-base-image.sh';
  return { ok: false, reason: `test image ${ref} is missing and ${script} could not build it: ${built ?? 'it reported success, yet the image is not there'}` };
}
