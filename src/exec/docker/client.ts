import type { Readable, Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type Dockerode from 'dockerode';
import { dockerEndpoint, unreachableMessage, type Endpoint } from './endpoint.js';

/**
 * The only module that talks to dockerode, and it loads dockerode lazily:
 * `shark plan` and `shark check` never pay for it and work without Docker.
 * Everything else sees this narrow client, so the executor and the builder
 * can be read without knowing the Engine API.
 */
export interface DockerClient {
  readonly endpoint: Endpoint;
  /** Whether the engine maps container root to the calling user (rootless Docker). */
  readonly rootless: boolean;
  /** The content id (`sha256:…`) a reference resolves to locally, or undefined. */
  imageId(ref: string): Promise<string | undefined>;
  /** The working directory the image sets (its WORKDIR), or undefined when it sets none. */
  imageWorkdir(ref: string): Promise<string | undefined>;
  /** What the engine knows of a reference: its id, labels, and the ids of the local images it was built on (its history). */
  imageAncestry(ref: string): Promise<ImageAncestry | undefined>;
  build(request: BuildRequest): Promise<BuildResult>;
  createContainer(spec: ContainerSpec): Promise<ContainerHandle>;
  /** Ids of containers (running or not) carrying this label (`key=value` or `key`). */
  containersWithLabel(label: string): Promise<string[]>;
  /** Containers (running or not) carrying every one of these labels, with all their labels. */
  labelledContainers(labels: readonly string[]): Promise<{ readonly id: string; readonly labels: Readonly<Record<string, string>> }[]>;
  /** Kills and removes a container; false when it was already gone. */
  removeContainer(id: string): Promise<boolean>;
}

export interface ImageAncestry {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The image's own id first, then each image below it that is still local (`<missing>` for the others). */
  readonly ancestors: readonly string[];
}

export interface BuildRequest {
  readonly context: Readable;
  readonly dockerfile: string;
  readonly tag: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly network: 'default' | 'none';
  readonly signal: AbortSignal;
  /** Each line of build output as it arrives. */
  readonly onLine: (line: string) => void;
}

export type BuildResult = { readonly ok: true; readonly imageId: string } | { readonly ok: false; readonly message: string };

export interface ContainerSpec {
  readonly image: string;
  readonly cmd: readonly string[];
  readonly workdir: string;
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly mounts: readonly { readonly source: string; readonly target: string; readonly readOnly: boolean }[];
  /** false: no network; true: the engine's isolated bridge; 'host': the host's own network stack. */
  readonly network: boolean | 'host';
  /** The capabilities the container keeps; all others are dropped. */
  readonly capabilities: readonly string[];
  /** The most processes and threads the container may have at once. */
  readonly pidsLimit: number;
  /** CPUs the container may use (`{threads}`; at most the engine's), or undefined for no limit. */
  readonly cpus?: number;
  /** Bytes of memory (swap included) the container may use (`{memory}`), or undefined for no limit. */
  readonly memory?: number;
  /** Who runs its command, in place of the image's USER (`0`: root, to hand a job's files back). */
  readonly user?: string;
}

export interface ContainerHandle {
  readonly id: string;
  /** Sends stdout and stderr to `out`; resolves once the output stream has ended (after the container exits). */
  attach(out: Writable): Promise<{ readonly ended: Promise<void> }>;
  start(): Promise<void>;
  /** The exit status once the container stops. */
  wait(): Promise<number>;
  /** Whether the kernel killed it for going over its memory limit (after it stopped). */
  oomKilled(): Promise<boolean>;
  kill(): Promise<void>;
  /** Removes the container and its anonymous volumes; quiet when it is already gone. */
  remove(): Promise<void>;
}

export type Connection = { readonly ok: true; readonly client: DockerClient } | { readonly ok: false; readonly message: string };

const PING_TIMEOUT_MS = 5000;

/** Loads dockerode and checks that the engine answers; the failure names the socket it tried and what to do. */
export async function connectDocker(env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  const endpoint = dockerEndpoint(env);
  // Required, not imported: the bundle is a script V8 caches compiled, and a cached script cannot import() on Node 20.
  const Docker = createRequire(import.meta.url)('dockerode') as typeof Dockerode;
  let docker: Dockerode;
  try {
    // Pass the socket explicitly so that the one we name in messages is the one we used;
    // for TCP, TLS and ssh endpoints dockerode reads DOCKER_HOST, DOCKER_CERT_PATH, ... itself.
    docker = endpoint.kind === 'unix' ? new Docker({ socketPath: endpoint.socketPath }) : new Docker();
    // dockerode accepts an abort signal here, though its types do not say so.
    await (docker as unknown as { ping(o: { abortSignal: AbortSignal }): Promise<unknown> }).ping({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) });
  } catch (e) {
    return { ok: false, message: unreachableMessage(endpoint, describe(e)) };
  }
  let rootless = false;
  let cpus: number | undefined;
  try {
    const info = (await docker.info()) as { SecurityOptions?: string[]; NCPU?: number };
    rootless = (info.SecurityOptions ?? []).some((o) => o.includes('name=rootless'));
    cpus = info.NCPU;
  } catch {
    // Older engines: assume a rootful daemon.
  }
  return { ok: true, client: new DockerodeClient(docker, endpoint, rootless, cpus) };
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string; name?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${PING_TIMEOUT_MS / 1000}s`;
  return err.message ?? String(e);
}

function statusOf(e: unknown): number | undefined {
  return (e as { statusCode?: number }).statusCode;
}

class DockerodeClient implements DockerClient {
  constructor(
    private readonly docker: Dockerode,
    readonly endpoint: Endpoint,
    readonly rootless: boolean,
    /** The engine's CPUs: it refuses a CPU limit above them. */
    private readonly cpus: number | undefined,
  ) {}

  async imageId(ref: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(ref).inspect()).Id;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async imageWorkdir(ref: string): Promise<string | undefined> {
    const workdir = (await this.docker.getImage(ref).inspect()).Config?.WorkingDir;
    return workdir === undefined || workdir === '' ? undefined : workdir;
  }

  async imageAncestry(ref: string): Promise<ImageAncestry | undefined> {
    try {
      const image = this.docker.getImage(ref);
      const inspected = await image.inspect();
      const history = (await image.history()) as { Id: string }[];
      return { id: inspected.Id, labels: inspected.Config?.Labels ?? {}, ancestors: history.map((h) => h.Id) };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(request.context, {
        dockerfile: request.dockerfile,
        t: request.tag,
        labels: request.labels,
        networkmode: request.network,
        rm: true,
        forcerm: true,
        // The classic builder: it needs no BuildKit session and is available on every engine.
        version: '1',
        abortSignal: request.signal,
      } as Dockerode.ImageBuildOptions);
    } catch (e) {
      return { ok: false, message: describe(e) };
    }
    return new Promise<BuildResult>((done) => {
      let imageId: string | undefined;
      let failure: string | undefined;
      let pending = '';
      const onEvent = (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }): void => {
        if (event.aux?.ID !== undefined) imageId = event.aux.ID;
        if (event.error !== undefined) failure = event.errorDetail?.message ?? event.error;
        const text = event.stream ?? (event.status !== undefined ? `${event.status}\n` : event.error !== undefined ? `${event.error}\n` : '');
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const l of lines) request.onLine(l);
      };
      this.docker.modem.followProgress(stream, (err: Error | null) => {
        if (pending !== '') request.onLine(pending);
        if (err !== null) done({ ok: false, message: describe(err) });
        else if (failure !== undefined) done({ ok: false, message: failure });
        else if (imageId === undefined) done({ ok: false, message: 'the engine reported no image id' });
        else done({ ok: true, imageId });
      }, onEvent);
    });
  }

  async createContainer(spec: ContainerSpec): Promise<ContainerHandle> {
    const container = await this.docker.createContainer({
      Image: spec.image,
      // The command is run as it is (`/bin/sh -c SCRIPT`, the hand-back's chown), never through the image's ENTRYPOINT: `[""]` resets it.
      Entrypoint: [''],
      Cmd: [...spec.cmd],
      ...(spec.user !== undefined ? { User: spec.user } : {}),
      WorkingDir: spec.workdir,
      Env: [...spec.env],
      Labels: { ...spec.labels },
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      HostConfig: {
        NetworkMode: spec.network === 'host' ? 'host' : spec.network ? 'default' : 'none',
        Mounts: spec.mounts.map((m) => ({ Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
        CapDrop: ['ALL'],
        CapAdd: [...spec.capabilities],
        SecurityOpt: ['no-new-privileges'],
        PidsLimit: spec.pidsLimit,
        ...(spec.cpus !== undefined ? { NanoCpus: Math.round(Math.min(spec.cpus, this.cpus ?? spec.cpus) * 1e9) } : {}),
        // MemorySwap equal to Memory: the limit is the limit, not twice it with swap.
        ...(spec.memory !== undefined ? { Memory: spec.memory, MemorySwap: spec.memory } : {}),
      },
    });
    const modem = this.docker.modem;
    return {
      id: container.id,
      attach: async (out) => {
        const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadWriteStream;
        modem.demuxStream(stream, out, out);
        const ended = new Promise<void>((resolve) => {
          stream.once('end', resolve);
          stream.once('close', resolve);
          stream.once('error', () => resolve());
        });
        return { ended };
      },
      start: async () => void (await container.start()),
      wait: async () => ((await container.wait()) as { StatusCode: number }).StatusCode,
      oomKilled: async () => (await container.inspect()).State?.OOMKilled === true,
      kill: async () => {
        try {
          await container.kill();
        } catch (e) {
          // 409: not running any more; 404: already gone.
          if (statusOf(e) !== 409 && statusOf(e) !== 404) throw e;
        }
      },
      remove: async () => {
        try {
          await container.remove({ force: true, v: true });
        } catch (e) {
          // 404: gone; 409: removal already in progress.
          if (statusOf(e) !== 404 && statusOf(e) !== 409) throw e;
        }
      },
    };
  }

  async containersWithLabel(label: string): Promise<string[]> {
    return (await this.labelledContainers([label])).map((c) => c.id);
  }

  async labelledContainers(labels: readonly string[]): Promise<{ id: string; labels: Record<string, string> }[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [...labels] } });
    return list.map((c) => ({ id: c.Id, labels: c.Labels ?? {} }));
  }

  async removeContainer(id: string): Promise<boolean> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
      return true;
    } catch (e) {
      // 404: gone; 409: another remover got there first.
      if (statusOf(e) === 404 || statusOf(e) === 409) return false;
      throw e;
    }
  }
}
