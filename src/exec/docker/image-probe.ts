import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Endpoint } from './endpoint.js';

const PROBE_TIMEOUT_MS = 1500;

/*
 * Runs in a worker: one `GET /images/REF/json` per reference, straight over
 * the socket. Deliberately not dockerode: loading it costs more than the
 * whole probe, and `plan` only needs each tag's current image id.
 */
const WORKER = `
const { workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, flag, refs, connect, timeout } = workerData;
const found = {};
let left = refs.length;
const finish = () => {
  port.postMessage(found);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
if (left === 0) finish();
for (const ref of refs) {
  const req = http.get({ ...connect, path: '/images/' + encodeURIComponent(ref) + '/json', timeout }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => { body += c; });
    res.on('end', () => {
      try { if (res.statusCode === 200) found[ref] = JSON.parse(body).Id; else if (res.statusCode === 404) found[ref] = null; } catch {}
      if (--left === 0) finish();
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => { if (--left === 0) finish(); });
}
`;

/**
 * The image ids that `refs` resolve to on the engine right now, obtained
 * synchronously (the plan asks for notes synchronously). Undefined when the
 * engine cannot be asked (unreachable, TLS or ssh endpoints): drift is then
 * not reported, never guessed. A reference the engine says it does not have
 * maps to null; one it could not be asked about is absent from the map.
 */
export function probeImageIds(endpoint: Endpoint, refs: readonly string[]): ReadonlyMap<string, string | null> | undefined {
  const connect = endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath }
    : endpoint.kind === 'tcp' && !endpoint.tls ? { host: endpoint.host, port: endpoint.port }
    : undefined;
  if (connect === undefined) return undefined;
  if (refs.length === 0) return new Map();
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { port: port2, flag, refs: [...refs], connect, timeout: PROBE_TIMEOUT_MS },
    transferList: [port2],
  });
  try {
    if (Atomics.wait(flag, 0, 0, PROBE_TIMEOUT_MS + 1000) === 'timed-out') return undefined;
    const message = receiveMessageOnPort(port1)?.message as Record<string, string | null> | undefined;
    if (message === undefined) return undefined;
    return new Map(Object.entries(message));
  } finally {
    void worker.terminate();
    port1.close();
  }
}
