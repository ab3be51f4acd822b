import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Endpoint } from './endpoint.js';

const PROBE_TIMEOUT_MS = 1500;

/*
 * Runs in a worker: one `GET /images/REF/json` per reference (and
 * `/images/REF/history` for those whose ancestry is asked), straight over
 * the socket. Deliberately not dockerode: loading it costs more than the
 * whole probe, and `plan` only needs each tag's current image id.
 */
const WORKER = `
const { workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, flag, refs, histories, connect, timeout } = workerData;
const found = { ids: {}, labels: {}, ancestors: {} };
let left = refs.length + histories.length;
const finish = () => {
  port.postMessage(found);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
const ask = (path, use) => {
  const req = http.get({ ...connect, path, timeout }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => { body += c; });
    res.on('end', () => {
      try { use(res.statusCode, body); } catch {}
      if (--left === 0) finish();
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => { if (--left === 0) finish(); });
};
if (left === 0) finish();
for (const ref of refs) {
  ask('/images/' + encodeURIComponent(ref) + '/json', (status, body) => {
    if (status === 404) found.ids[ref] = null;
    if (status !== 200) return;
    const image = JSON.parse(body);
    found.ids[ref] = image.Id;
    found.labels[ref] = (image.Config && image.Config.Labels) || {};
  });
}
for (const ref of histories) {
  ask('/images/' + encodeURIComponent(ref) + '/history', (status, body) => {
    if (status === 200) found.ancestors[ref] = JSON.parse(body).map((h) => h.Id);
  });
}
`;

/** What the engine said of each reference asked about; one it could not be asked about is absent. */
export interface Probed {
  /** The image id, or null for a reference the engine says it does not have. */
  readonly ids: ReadonlyMap<string, string | null>;
  readonly labels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** For the references whose history was asked: the ids of the image and of every local image it was built on. */
  readonly ancestors: ReadonlyMap<string, readonly string[]>;
}

/**
 * The image ids that `refs` resolve to on the engine right now, obtained
 * synchronously (the plan asks for notes synchronously). Undefined when the
 * engine cannot be asked (unreachable, TLS or ssh endpoints): drift is then
 * not reported, never guessed. A reference the engine says it does not have
 * maps to null; one it could not be asked about is absent from the map.
 */
export function probeImageIds(endpoint: Endpoint, refs: readonly string[]): ReadonlyMap<string, string | null> | undefined {
  return probeImages(endpoint, refs)?.ids;
}

/** `probeImageIds`, with each image's labels, and the history of those in `histories`. */
export function probeImages(endpoint: Endpoint, refs: readonly string[], histories: readonly string[] = []): Probed | undefined {
  const connect = endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath }
    : endpoint.kind === 'tcp' && !endpoint.tls ? { host: endpoint.host, port: endpoint.port }
    : undefined;
  if (connect === undefined) return undefined;
  if (refs.length === 0 && histories.length === 0) return { ids: new Map(), labels: new Map(), ancestors: new Map() };
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { port: port2, flag, refs: [...refs], histories: [...histories], connect, timeout: PROBE_TIMEOUT_MS },
    transferList: [port2],
  });
  try {
    if (Atomics.wait(flag, 0, 0, PROBE_TIMEOUT_MS + 1000) === 'timed-out') return undefined;
    type Message = { ids: Record<string, string | null>; labels: Record<string, Record<string, string>>; ancestors: Record<string, string[]> };
    const message = receiveMessageOnPort(port1)?.message as Message | undefined;
    if (message === undefined) return undefined;
    return { ids: new Map(Object.entries(message.ids)), labels: new Map(Object.entries(message.labels)), ancestors: new Map(Object.entries(message.ancestors)) };
  } finally {
    void worker.terminate();
    port1.close();
  }
}
