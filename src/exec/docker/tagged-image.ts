import type { DockerClient, ImageAncestry } from './client.js';
import type { Endpoint } from './endpoint.js';
import { imageTag } from './image-names.js';
import { probeImages } from './image-probe.js';

/** An image to use again, and the base ids to lock with it. */
export interface Reusable {
  readonly image: string;
  readonly bases: Record<string, string>;
}

/** The references whose ids `taggedImage` needs: each base, and each locked id of one. */
export function refsToAsk(bases: readonly string[], locked: Readonly<Record<string, string>>): string[] {
  return [...new Set([...bases, ...bases.flatMap((ref) => (locked[ref] === undefined ? [] : [locked[ref]!]))])];
}

/**
 * An image Shark built earlier from the same environment inputs, still
 * tagged `shark-env/NAME:INPUTS`: the block was edited and the edit
 * reverted, or this is another copy of the document (`run -o out.md`, a
 * checkout) whose lock names no image. `run` uses it instead of building and
 * `plan` promises its jobs cached, both deciding here from what the engine
 * says, so that the plan is what the run does.
 *
 * It counts only when labelled with this environment's name (another's,
 * even one differing only in case, is not its image: environments.md) and
 * exactly these inputs, and built on the
 * very bases a rebuild would start from: each locked base the engine still
 * has (`buildImage` pins them), else what the reference names now. The
 * classic builder keeps the base's id in the image's history; an image whose
 * history lacks one (a base tag moved since, a multi-stage build's earlier
 * stage) is not used, and the environment is built as before.
 */
export function taggedImage(
  tagged: ImageAncestry | undefined,
  name: string,
  inputsHash: string,
  bases: readonly string[],
  locked: Readonly<Record<string, string>>,
  idOf: (ref: string) => string | undefined,
): Reusable | undefined {
  if (tagged === undefined || tagged.labels['shark.env'] !== name || tagged.labels['shark.inputs'] !== inputsHash) return undefined;
  const from: Record<string, string> = {};
  for (const ref of bases) {
    const pin = locked[ref];
    const id = pin !== undefined && idOf(pin) === pin ? pin : idOf(ref);
    if (id === undefined || !tagged.ancestors.includes(id)) return undefined;
    from[ref] = id;
  }
  return { image: tagged.id, bases: from };
}

/** `taggedImage` for `run`: the engine asked through the client. */
export async function askTagged(client: DockerClient, name: string, inputsHash: string, bases: readonly string[], locked: Readonly<Record<string, string>>): Promise<Reusable | undefined> {
  const tagged = await client.imageAncestry(imageTag(name, inputsHash));
  if (tagged === undefined) return undefined;
  const ids = new Map<string, string | undefined>();
  for (const ref of refsToAsk(bases, locked)) ids.set(ref, await client.imageId(ref));
  return taggedImage(tagged, name, inputsHash, bases, locked, (ref) => ids.get(ref));
}

/** `taggedImage` for `plan`: the engine probed synchronously; undefined when it cannot be asked. */
export function probeTagged(endpoint: Endpoint, name: string, inputsHash: string, bases: readonly string[], locked: Readonly<Record<string, string>>): Reusable | undefined {
  const tag = imageTag(name, inputsHash);
  const probed = probeImages(endpoint, [tag, ...refsToAsk(bases, locked)], [tag]);
  const id = probed?.ids.get(tag);
  if (probed === undefined || typeof id !== 'string') return undefined;
  const tagged = { id, labels: probed.labels.get(tag) ?? {}, ancestors: probed.ancestors.get(tag) ?? [] };
  return taggedImage(tagged, name, inputsHash, bases, locked, (ref) => probed.ids.get(ref) ?? undefined);
}
