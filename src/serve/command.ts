import { Command, InvalidArgumentError } from 'commander';
import type { KeyObject } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { loadPublicKey } from '../lineage/attest/keys.js';
import { PLANNING, withSessionOptions, collect } from '../cli/common-options.js';
import { displayName, EXIT_INVALID, ExitError } from '../cli/load-or-report.js';
import type { Io } from '../cli/main.js';
import { closeSession, openSession, type SessionFlags } from '../cli/session-setup.js';
import { Live } from './live.js';
import { createPageServer } from './server.js';

interface ServeFlags extends SessionFlags {
  port: number;
  host: string;
  trust?: string[];
}


function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError(`--port expects a port number from 0 to 65535, not \`${value}\``);
  return Number(value);
}

/**
 * The host names a server listening on `host` answers to: for a loopback
 * address, however it is spelled (`127.0.0.2`, `127.1`, `::ffff:127.0.0.1`,
 * a name resolving to one), the loopback names and `host` itself, so that a
 * page of another site that rebinds its name to this machine is turned away;
 * for any other address, every name (undefined).
 */
async function ownNames(host: string): Promise<Set<string> | undefined> {
  const address = await lookup(host).then((a) => a.address, () => undefined);
  if (address === undefined || !isLoopback(address)) return undefined;
  const names = new Set(['localhost', '127.0.0.1', '[::1]', (isIP(host) === 6 ? `[${host}]` : host).toLowerCase()]);
  // As a browser sends it in Host: `[::ffff:7f00:1]` for `::ffff:127.0.0.1`.
  if (isIP(host) === 6) names.add(new URL(`http://[${host}]/`).hostname);
  return names;
}

function isLoopback(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  return /^\[(?:::1|::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4})\]$/.test(new URL(`http://[${address}]/`).hostname);
}

/**
 * `shark serve FILE`: the executed document as a read-only web page on this
 * machine, updated while a run of it is in progress. Stops on Ctrl-C.
 */
export function serveCommand(io: Io): Command {
  return withSessionOptions(
    new Command('serve')
      .description('show the document as a web page: block statuses, the DAG, results with lineage and previews, live during a run (read-only)')
      .argument('<file>', 'pipeline markdown file')
      .option('--port <n>', 'the port to listen on (0: any free port)', port, 8177)
      .option('--host <address>', 'the address to listen on (anything but loopback shows your results to the network)', '127.0.0.1')
      .option('--trust <pub>', 'a public key to verify signatures with (repeatable)', collect),
    PLANNING,
  ).action(async (file: string, flags: ServeFlags) => {
    const trusted: KeyObject[] = [];
    for (const k of flags.trust ?? []) {
      const loaded = loadPublicKey(k);
      if (!loaded.ok) {
        io.stderr(`shark: error: ${loaded.message}\n`);
        throw new ExitError(EXIT_INVALID);
      }
      trusted.push(loaded.value);
    }
    // Ctrl-C or SIGTERM is how it ends: exit 0 whenever asked, while it starts (planning a large document takes
    // seconds; it was killed by the signal then, 143) as once it serves. A second one while it closes ends it at once.
    let stopServing: (() => void) | undefined;
    const onStop = (): void => {
      process.off('SIGINT', onStop);
      process.off('SIGTERM', onStop);
      if (stopServing === undefined) process.exit(0);
      stopServing();
    };
    process.on('SIGINT', onStop);
    process.on('SIGTERM', onStop);
    try {
      await serveUntilStopped(file, flags, trusted, io, (stop) => (stopServing = stop));
    } finally {
      process.off('SIGINT', onStop);
      process.off('SIGTERM', onStop);
    }
  });
}

/** Opens the document, plans it and serves it until the stop handed to `onListening` is called. */
async function serveUntilStopped(file: string, flags: ServeFlags, trusted: KeyObject[], io: Io, onListening: (stop: () => void) => void): Promise<void> {
  const { session, hostInputs } = openSession(file, flags, io.stderr, false);
  const live = new Live(session, hostInputs);
  try {
    await live.start();
    // A stop asked while it started (its planning holds the event loop) is heard here, before it listens.
    await new Promise((heard) => setImmediate(heard));
    const hosts = await ownNames(flags.host);
    const server = createPageServer({ session, live, title: displayName(session.pipelinePath), trusted, hosts });
    const bound = await new Promise<{ ok: true; port: number } | { ok: false; message: string }>((done) => {
      server.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, message: e.code === 'EADDRINUSE' ? `port ${flags.port} is in use: pick another with --port` : `cannot listen on ${flags.host}:${flags.port}: ${e.message}` }));
      server.listen(flags.port, flags.host, () => {
        const a = server.address();
        done({ ok: true, port: typeof a === 'object' && a !== null ? a.port : flags.port });
      });
    });
    if (!bound.ok) {
      io.stderr(`shark: error: ${bound.message}\n`);
      throw new ExitError(EXIT_INVALID);
    }
    const shown = isIP(flags.host) === 6 ? `[${flags.host}]` : flags.host;
    io.stdout(`shark: serving ${displayName(session.pipelinePath)} at http://${shown}:${bound.port}/ (Ctrl-C to stop)\n`);
    // Said, not only in --help: every machine that reaches this one can read the results and their logs.
    if (isIP(flags.host) !== 0 && !isLoopback(flags.host)) {
      io.stderr(`shark: warning: listening on ${flags.host}, not this machine alone: whoever can reach it on port ${bound.port} reads the results, logs and lineage of ${displayName(session.pipelinePath)} (leave --host out to keep them on 127.0.0.1)\n`);
    }
    await new Promise<void>((done) => onListening(() => {
      server.close(() => done());
      server.closeAllConnections();
    }));
  } finally {
    live.stop();
    closeSession(session);
  }
}
