import type { Environment } from '../../pipeline/pipeline.js';
import type { BuildInputs } from './build-inputs.js';
import type { DockerClient } from './client.js';
import { contextTar, DOCKERFILE_NAME } from './context-tar.js';
import { imageTag, pinBases } from './image-names.js';

const LOG_TAIL_LINES = 25;

export interface ImageBuild {
  readonly client: DockerClient;
  readonly name: string;
  readonly env: Environment;
  readonly inputs: BuildInputs;
  /** The lock's base ids for this environment: without `update`, a rebuild starts from those the engine still has. */
  readonly locked: Readonly<Record<string, string>>;
  readonly update: boolean;
  readonly contextDir: string;
  readonly signal: AbortSignal;
}

export type Built = { readonly ok: true; readonly image: string; readonly bases: Record<string, string> } | { readonly ok: false; readonly error: string };

/**
 * Builds an environment's image, tagged `shark-env/NAME:INPUTS` and
 * labelled with its inputs (what `tagged-image.ts` finds again). Returns the
 * image and the base ids to lock, or why it failed with the build log's
 * last lines.
 */
export async function buildImage(b: ImageBuild): Promise<Built> {
  const { client, name, env, inputs, signal } = b;
  const pins = new Map<string, string>();
  if (!b.update) {
    for (const [ref, id] of Object.entries(b.locked)) {
      if ((await client.imageId(id)) === id) pins.set(ref, id);
    }
  }
  const tail: string[] = [];
  const built = await client.build({
    context: contextTar(pinBases(env.spec.dockerfile, pins, env.spec.args), inputs.entries),
    dockerfile: DOCKERFILE_NAME,
    tag: imageTag(name, inputs.hash),
    labels: { 'shark.env': name, 'shark.inputs': inputs.hash },
    network: env.spec.network ? 'default' : 'none',
    signal,
    onLine: (line) => {
      if (line.trim() === '') return;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
    },
  });
  if (!built.ok) {
    if (signal.aborted) return { ok: false, error: `building environment ${name} was cancelled` };
    const missing = inputs.missing.length > 0 ? `\nnot in ${b.contextDir}: ${inputs.missing.join(', ')}` : '';
    return { ok: false, error: `building environment ${name} failed: ${built.message}${missing}\n--- last lines of the build log:\n${tail.join('\n')}` };
  }
  const bases: Record<string, string> = {};
  for (const ref of env.spec.bases) {
    // Stage names (`FROM build`) and `scratch` resolve to nothing and are not locked.
    const id = pins.get(ref) ?? (await client.imageId(ref));
    if (id !== undefined) bases[ref] = id;
  }
  return { ok: true, image: built.imageId, bases };
}
