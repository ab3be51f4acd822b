/**
 * Where the Docker engine is expected, as the Docker CLI and dockerode decide
 * it: DOCKER_HOST, else the default local socket. Pure, so messages and the
 * drift probe can name the socket without loading dockerode.
 */
export type Endpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly shown: string; readonly fromEnv: boolean }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls: boolean; readonly shown: string; readonly fromEnv: true }
  | { readonly kind: 'other'; readonly shown: string; readonly fromEnv: true };

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint {
  const raw = env.DOCKER_HOST?.trim();
  if (raw === undefined || raw === '') return { kind: 'unix', socketPath: DEFAULT_SOCKET, shown: `unix://${DEFAULT_SOCKET}`, fromEnv: false };
  if (raw.startsWith('unix://')) return { kind: 'unix', socketPath: raw.slice('unix://'.length), shown: raw, fromEnv: true };
  const tcp = /^(?:tcp|https?):\/\/\[?([^\]/]+?)\]?(?::(\d+))?\/?$/.exec(raw);
  if (tcp !== null) {
    const tls = (env.DOCKER_TLS_VERIFY ?? '') !== '' && env.DOCKER_TLS_VERIFY !== '0';
    return { kind: 'tcp', host: tcp[1]!, port: Number(tcp[2] ?? (tls ? 2376 : 2375)), tls, shown: raw, fromEnv: true };
  }
  return { kind: 'other', shown: raw, fromEnv: true };
}

/** The message `shark run` stops with when the engine cannot be reached: where it looked, and what to do. */
export function unreachableMessage(endpoint: Endpoint, cause: string): string {
  const where = endpoint.fromEnv
    ? `${endpoint.shown} (from DOCKER_HOST)`
    : `${endpoint.shown} (the default; DOCKER_HOST is not set)`;
  const hint = /EACCES|permission denied/i.test(cause)
    ? 'You may not use that socket: add yourself to the `docker` group (then log in again) or run as a user who can, and check with `docker info`.'
    : endpoint.fromEnv
      ? 'Start the Docker engine there, or unset/fix DOCKER_HOST; check with `docker info`.'
      : 'Start the Docker engine (e.g. `sudo systemctl start docker`, or `sudo dockerd &`), or set DOCKER_HOST to a running engine; check with `docker info`.';
  return `cannot reach the Docker engine at ${where}: ${cause}\n${hint}`;
}
