#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/bin.js) into one file, dist/shark.cjs, which
// bin/shark.js loads: Node resolves, reads and compiles ~400 small modules in 0.45 s,
// one file in 0.1 s. Run after `tsc` (npm run build, npm test and npm ci do both).
// The bundle is a CommonJS script rather than a module so that V8 can keep it compiled
// between runs (bin/shark.js and its code cache); ES modules cannot be cached on Node 20.
// Native and optional packages stay outside. A module that finds a file beside itself
// through `import.meta.url` (workers, the Slurm task, the reaper, package.json) still
// finds it: each such use is rewritten to the URL of the module's compiled file.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const ownUrls = {
  name: 'own-urls',
  setup(b) {
    b.onLoad({ filter: /[/\\]dist[/\\]src[/\\].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = './' + relative(dist, args.path).split('\\').join('/');
      const own = `new URL(${JSON.stringify(rel)}, __sharkBundle).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

/** One entry module bundled into dist/NAME.cjs: packages with addons or optional ones stay outside. */
async function bundle(entry, name) {
  const result = await build({
    entryPoints: [join(dist, entry)],
    outfile: join(dist, `${name}.cjs`),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // better-sqlite3 stays outside, its JavaScript and its addon from one install (bundled, the JavaScript of the
    // build would meet whatever addon a later install resolved).
    external: ['better-sqlite3', 'dockerode', 'puppeteer-core'],
    // Modules are strict; so is their bundle. A module's URL is found from the bundle's (every bundle is in dist/).
    banner: { js: "'use strict';\nconst __sharkBundle = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [ownUrls],
    logLevel: 'warning',
    // Without comments and indentation the bundle is a third smaller: read, checked against its code cache and
    // compiled lazily in less time (--version 100 -> 94 ms). Names are kept: only whitespace goes.
    minifyWhitespace: true,
    write: false,
  });
  // A script compiled from V8's code cache cannot import() on Node 20 (the callback is lost): packages are required.
  const [out] = result.outputFiles;
  const dynamic = /(?<![\w$.])import\(\s*["'`]/.exec(out.text);
  if (dynamic !== null) throw new Error(`bundle: a dynamic import() is left in ${name}.cjs at ${dynamic.index}: use createRequire instead`);
  // esbuild escapes strings beyond ASCII but not regular expressions: one such character makes the whole source two-byte
  // text in V8, read and checked against its code cache in more time (--version ~8 ms more).
  const wide = /[^\x00-\x7f]/.exec(out.text);
  if (wide !== null) throw new Error(`bundle: ${name}.cjs holds a character beyond ASCII at ${wide.index} (${JSON.stringify(out.text.slice(wide.index - 40, wide.index + 10))}): escape it in the source`);
  await writeFile(out.path, out.contents);
}

// The store's worker threads too (src/store/worker-file.ts): a thread starts its work ~10 ms sooner from one file.
// Written before the CLI's bundle, which bin/shark.js compares with the compiled modules.
for (const worker of ['tree-check-worker', 'stat-worker', 'hash-worker', 'checkpoint-worker']) await bundle(`src/store/${worker}.js`, worker);
await bundle('src/cli/bin.js', 'shark');
