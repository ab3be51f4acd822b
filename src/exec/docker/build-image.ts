import { instructions } from '../../pipeline/dockerfile-instructions.js';
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
  readonly signal: AbortSignal;
}

/** `log`: what the engine said while building, whole: the run keeps it as the build's log. */
export type Built = ({ readonly ok: true; readonly image: string; readonly bases: Record<string, string> } | { readonly ok: false; readonly error: string }) & { readonly log: string };

/**
 * Builds an environment's image, tagged `shark-env/NAME:INPUTS` and
 * labelled with its inputs (what `tagged-image.ts` finds again). Returns the
 * image and the base ids to lock, or why it failed with the build log's
 * last lines; either way with the whole log.
 */
export async function buildImage(b: ImageBuild): Promise<Built> {
  const { client, name, env, inputs, signal } = b;
  const pins = new Map<string, string>();
  if (!b.update) {
    for (const [ref, id] of Object.entries(b.locked)) {
      if ((await client.imageId(id)) === id) pins.set(ref, id);
    }
  }
  const lines: string[] = [];
  const built = await client.build({
    context: contextTar(pinBases(env.spec.dockerfile, pins, env.spec.args), inputs.entries),
    dockerfile: DOCKERFILE_NAME,
    tag: imageTag(name, inputs.hash),
    labels: { 'shark.env': name, 'shark.inputs': inputs.hash },
    network: env.spec.network ? 'default' : 'none',
    signal,
    onLine: (line) => {
      if (line.trim() !== '') lines.push(line);
    },
  });
  const log = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  if (!built.ok) {
    if (signal.aborted) return { ok: false, error: `building environment ${name} was cancelled`, log };
    // The engine refuses a Dockerfile it cannot parse before logging anything: no log section then.
    const tail = lines.length === 0 ? '' : `\n--- last lines of the build log:\n${lines.slice(-LOG_TAIL_LINES).join('\n')}`;
    return { ok: false, error: `building environment ${name} failed${failedStep(lines, env)}: ${engineMessage(built.message, env)}${tail}`, log };
  }
  const bases: Record<string, string> = {};
  for (const ref of env.spec.bases) {
    // Stage names (`FROM build`) and `scratch` resolve to nothing and are not locked.
    const id = pins.get(ref) ?? (await client.imageId(ref));
    if (id !== undefined) bases[ref] = id;
  }
  return { ok: true, image: built.imageId, bases, log };
}

/**
 * The engine's message, its `dockerfile parse error line N` (a line of the
 * Dockerfile Shark sent) said as the document's line: check refuses what
 * Shark can tell, so this is what only the engine knows. A Dockerfile block
 * is sent line for line (pinning a base rewrites a line, never adds one); an
 * OBuilder spec's lines are Shark's own, so only the block is named.
 */
export function engineMessage(message: string, env: Environment): string {
  const parse = /^(?:\(HTTP code \d+\) \S+ - )?dockerfile parse error line (\d+): ([\s\S]*)$/.exec(message.trim());
  if (parse === null) return message;
  const written = env.spec.format === 'dockerfile' ? env.block.body[Number(parse[1]) - 1] : undefined;
  const where = written !== undefined ? `line ${written.line}` : `line ${parse[1]} of the Dockerfile Shark made of this OBuilder spec`;
  return `the engine could not parse the Dockerfile at ${where}: ${parse[2]}`;
}

/**
 * Where the build stopped, as the document's line: the builder logs `Step
 * N/M : …` before each instruction, and a Dockerfile block's instructions are
 * its own, one for one. Empty when the log names no step, or for an OBuilder
 * spec (its Dockerfile is Shark's).
 */
function failedStep(lines: readonly string[], env: Environment): string {
  const last = [...lines].reverse().map((l) => /^Step (\d+)\/\d+ : /.exec(l)).find((m) => m !== null);
  if (last === undefined || env.spec.format !== 'dockerfile') return '';
  const at = instructions(env.block.body)[Number(last[1]) - 1]?.at;
  return at === undefined ? '' : ` at line ${at.line} (step ${last[1]})`;
}
