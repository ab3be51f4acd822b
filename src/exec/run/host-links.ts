import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { resolveInside } from '../../imports/contained.js';
import { HOST_ENV_ID } from '../environments.js';

/** Whether a job of this environment runs on the host: one being built (`missing`) is a container's. */
export function runsOnHost(env: { readonly id: string } | { readonly missing: string }): boolean {
  return 'id' in env && env.id === HOST_ENV_ID;
}

/**
 * Why a host job may not be given its inputs as placed in its workspace, or
 * undefined: a symbolic link among them (one a step made; a local import
 * or a bound input follows those leading out of its directory:
 * `local-links.ts`) that leads out of /data. In a container such a
 * link resolves inside the container; on the host it would lead the job's own
 * command to the host's files (`/etc/passwd`, `../../../home`), data turned
 * into a path. Followed as the kernel would, through the inputs' own links.
 */
export function linkOutOfData(wsRoot: string, inputs: readonly { readonly path: string; readonly id: string }[]): string | undefined {
  for (const input of inputs) {
    // A file's bytes hold no link; a directory (or link) placed at one path is the same whichever job is given it.
    if (!input.id.startsWith('tree:') && !input.id.startsWith('link:')) continue;
    const at = `${input.path}\0${input.id}`;
    if (!checked.has(at)) checked.set(at, walk(`${wsRoot}/data`, input.path.replace(/^\/data\/?/, '').replace(/\/$/, '')));
    const outside = checked.get(at);
    if (outside !== undefined) return outside;
  }
  return undefined;
}

/** By input path NUL content id: what `walk` found (a 1,000,000-item map given one reference directory walks it once). */
const checked = new Map<string, string | undefined>();

function walk(data: string, top: string): string | undefined {
  const pending = [top];
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    const st = lstatSync(`${data}/${rel}`, { throwIfNoEntry: false });
    if (st?.isDirectory() === true) {
      for (const name of readdirSync(`${data}/${rel}`)) pending.push(rel === '' ? name : `${rel}/${name}`);
    } else if (st?.isSymbolicLink() === true && resolveInside(data, rel) === undefined) {
      return `its input /data/${rel} is a symbolic link to \`${readlinkSync(`${data}/${rel}`)}\`, outside /data: a job on the host would read the host's file through it, so it is not given one (run the step in a container, or make the link lead inside /data)`;
    }
  }
  return undefined;
}
