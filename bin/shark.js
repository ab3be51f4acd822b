#!/usr/bin/env node
'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { createRequire } = Module;
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');
const { setFlagsFromString } = require('node:v8');

// dist/shark.cjs is the bundle of dist/src (scripts/bundle.js). When it is missing or older
// than the compiled sources (tsc ran, the bundle did not), the modules are loaded one by one;
// so they are with SHARK_DEBUG=1, for stack traces that name each module's file and line.
const here = __dirname;
const stat = (path) => statSync(path, { throwIfNoEntry: false });
const bundle = process.env.SHARK_DEBUG === '1' ? undefined : stat(join(here, '../dist/shark.cjs'));
if (bundle === undefined || bundle.mtimeMs < (stat(join(here, '../dist/src/cli/main.js'))?.mtimeMs ?? -1)) {
  // ES modules: imported (this file is CommonJS, which Node starts without its module loader: ~5 ms).
  import('../dist/src/cli/bin.js').catch((e) => {
    process.stderr.write(`shark: cannot load ${join(here, '../dist/src')} (run npm run build): ${process.env.SHARK_DEBUG === '1' ? e.stack : e.message}\n`);
    process.exitCode = 70;
  });
} else {
  if (process.argv[2] === 'plan' || process.argv[2] === 'run') startTreeCheck(join(here, '../dist/tree-check-worker.cjs'));
  runBundle(join(here, '../dist/shark.cjs'), bundle);
}

/**
 * Starts the thread that checks a map's stored objects (src/store/tree-check.ts) now, while
 * this one compiles the CLI: it is ready ~100 ms sooner, when a fully cached plan asks for it.
 * Left under a global symbol with its file; the CLI takes it if it is the file it would run.
 */
function startTreeCheck(file) {
  try {
    const { Worker } = require('node:worker_threads');
    const worker = new Worker(file);
    worker.unref();
    // One that cannot start fails its check, which is then made on the main thread.
    worker.on('error', () => {});
    globalThis[Symbol.for('shark.treeCheckWorker')] = { worker, file };
  } catch {
    // Only time is lost.
  }
}

/**
 * Runs the bundle with V8's code cache: what a command compiled is kept, one
 * file per command (`plan` compiles other functions than `run`), under
 * $XDG_CACHE_HOME/shark (or SHARK_CODE_CACHE; `off` keeps nothing), named
 * by Node's version and the bundle's size and time, so a rebuilt bundle or
 * another Node never reads a stale one (V8 itself only checks the length).
 * A cache that is missing, unreadable or refused costs the compile, as
 * without one; it is written whole (renamed into place) once a command that
 * did its work ends. The caches of the last four builds are kept.
 */
function runBundle(file, st) {
  const source = Module.wrap(readFileSync(file, 'utf8'));
  let where;
  try {
    where = cacheFile(st);
  } catch {
    where = undefined; // no home directory: no cache
  }
  let cachedData;
  try {
    if (where !== undefined) cachedData = readFileSync(where);
  } catch {
    cachedData = undefined;
  }
  pinOptimizerBudget();
  const script = new Script(source, { filename: file, cachedData });
  if (where !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    // Only after a command that did its work (0 or 1): not after a mistyped command or a bad document.
    process.once('exit', (code) => {
      if (code === 0 || code === 1) keep(where, script);
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}

/**
 * V8's budget before it optimizes a function, set to Node 20's default and
 * left for the CLI under a global symbol: a run raises it while jobs execute
 * (src/exec/optimizer-budget.ts) and must put back exactly this value before
 * the cache is written, since V8 refuses a cache made under other flags.
 */
function pinOptimizerBudget() {
  const budget = 67584;
  try {
    setFlagsFromString(`--interrupt-budget=${budget}`);
    globalThis[Symbol.for('shark.interruptBudget')] = budget;
  } catch {
    // A Node without the flag: the budget is left as it is.
  }
}

function cacheFile(st) {
  const setting = process.env.SHARK_CODE_CACHE;
  if (setting === 'off' || setting === '0') return undefined;
  // Not a home that does not exist (`nobody`'s is /nonexistent): Shark would make it.
  // A relative XDG_CACHE_HOME is invalid (the XDG spec): ignored, not a cache folder made in the current directory.
  const xdg = process.env.XDG_CACHE_HOME?.startsWith('/') ? process.env.XDG_CACHE_HOME : undefined;
  if (!setting && !xdg && stat(homedir()) === undefined) return undefined;
  const base = setting || join(xdg || join(homedir(), '.cache'), 'shark');
  const command = /^[a-z][a-z-]{0,30}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const version = `node${process.versions.node}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}`;
  return join(base, 'code-cache', version, `${command}.bin`);
}

/** Writes the cache whole; a new build's directory replaces the oldest beyond the last few. */
function keep(where, script) {
  try {
    const dir = dirname(where);
    const fresh = stat(dir) === undefined;
    makeDirs(dir);
    const part = `${where}.${process.pid}.part`;
    writeFileSync(part, script.createCachedData(), { mode: 0o600 });
    renameSync(part, where);
    if (fresh) prune(dirname(dir), 4);
  } catch {
    // Only start-up time is lost.
  }
}

/**
 * `mkdir -p` one level at a time (as src/store/make-dirs.ts): Node's `recursive` retries
 * forever, at full CPU, where mkdir fails with ENOENT under a parent that exists (under /proc).
 */
function makeDirs(dir) {
  if (stat(dir) !== undefined) return;
  if (dirname(dir) !== dir) makeDirs(dirname(dir));
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    // Another command made it meanwhile.
    if (e.code !== 'EEXIST') throw e;
  }
}

function prune(root, left) {
  const dirs = readdirSync(root).map((name) => ({ path: join(root, name), at: statSync(join(root, name)).mtimeMs }));
  for (const d of dirs.sort((a, b) => b.at - a.at).slice(left)) rmSync(d.path, { recursive: true, force: true });
}
