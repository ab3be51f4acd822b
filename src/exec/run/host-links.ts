import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { resolveInside } from '../../imports/contained.js';

/**
 * Why a host job may not be given its inputs as placed in its workspace, or
 * undefined: a symbolic link among them (one a step made, or kept from an
 * imported or bound directory) that leads out of /data. In a container such a
 * link resolves inside the container; on the host it would lead the job's own
 * command to the host's files (`/etc/passwd`, `../../../home`), data turned
 * into a path. Followed as the kernel would, through the inputs' own links.
 */
export function linkOutOfData(wsRoot: string, inputs: readonly string[]): string | undefined {
  const data = `${wsRoot}/data`;
  const pending = inputs.map((p) => p.replace(/^\/data\/?/, '').replace(/\/$/, ''));
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
