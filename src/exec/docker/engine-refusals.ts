import { posix } from 'node:path';

/** What the engine says when it starts a container whose image's USER (or its group) the image has no entry for. */
const NO_SUCH_USER = /unable to find (user|group) ([^:\s]+): no matching entries in (passwd|group) file/;
/** … and when the image has no shell to run the step with (`FROM scratch`, a distroless base). */
const NO_SHELL = /exec: "\/bin\/sh": (stat \/bin\/sh: )?no such file or directory|"\/bin\/sh": executable file not found/;
/** … when the image is gone (`docker rmi`, a prune, after the run built or found it). */
const NO_IMAGE = /no such image/i;
/** … when the working directory cannot be made in the image: a file on its way (dockerd) … */
const NOT_A_DIRECTORY = /Cannot mkdir: (\S+) is not a directory/;
/** … or a place the runtime cannot make it (runc: `/proc/x`). */
const CANNOT_MKDIR = /error during container init: (mkdir (\S+): [^:]+)/;

/**
 * An image that cannot run a step builds fine (`USER` is not checked by the
 * build; nothing asks for a shell; the working directory is `path:` or the
 * block's `cd`), then every job of the environment fails to start; or the
 * image was removed while the run went on: the environment's fault, said in
 * its terms rather than as the engine's HTTP error. Undefined for another
 * cause: Shark's own, reported as the engine said it.
 */
export function refusedByImage(message: string, environment: string, image: string, workdir: string): string | undefined {
  if (NO_SHELL.test(message)) return `${environment}: the image has no /bin/sh, which runs each step: build it FROM a base with a shell, or COPY a static one (busybox) to /bin/sh`;
  const user = NO_SUCH_USER.exec(message);
  if (user !== null) {
    const [, kind, name, file] = user;
    const what = kind === 'user' ? `its USER ${name}` : `the group ${name} of its USER`;
    return `${environment}: ${what} does not exist in the image (no such entry in its /etc/${file})`;
  }
  if (NO_IMAGE.test(message)) {
    return `${environment}: its image ${image.replace(/^sha256:/, '').slice(0, 12)} is no longer on the engine (removed during the run: docker rmi, a prune): \`shark run\` builds it again`;
  }
  return workdirRefused(message, environment, workdir);
}

function workdirRefused(message: string, environment: string, workdir: string): string | undefined {
  const file = NOT_A_DIRECTORY.exec(message);
  const runtime = CANNOT_MKDIR.exec(message);
  const at = file?.[1] ?? runtime?.[2];
  // Only the working directory or a directory on its way: a mount's target is no business of the image's.
  if (at === undefined || !onTheWay(at, workdir)) return undefined;
  const why = file !== null ? `${at} is not a directory` : runtime?.[1];
  return `${environment}: cannot make the working directory ${workdir} in the image: ${why}`;
}

function onTheWay(dir: string, workdir: string): boolean {
  const rel = posix.relative(dir, workdir);
  return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
}
