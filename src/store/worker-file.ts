import { statSync } from 'node:fs';

/**
 * The file a worker thread of the store runs, given its compiled module
 * (`dist/src/store/NAME.js`); undefined where that does not exist (under a
 * TypeScript loader: the work is done on the calling thread). The module's
 * bundle (`dist/NAME.cjs`, made by scripts/bundle.js) when it is at least
 * as new: a thread reads one CommonJS file instead of starting the ES module
 * loader for a few modules, ~10 ms sooner at work (what a fully cached plan
 * waits for on the check of its map's objects). The module itself with
 * SHARK_DEBUG=1, as the CLI's (stack traces name its files).
 */
export function workerFile(module: URL): URL | undefined {
  const compiled = statSync(module, { throwIfNoEntry: false });
  if (compiled === undefined) return undefined;
  if (process.env['SHARK_DEBUG'] === '1') return module;
  const name = module.pathname.slice(module.pathname.lastIndexOf('/') + 1).replace(/\.js$/, '.cjs');
  const bundle = new URL(`../../${name}`, module);
  return (statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? -1) >= compiled.mtimeMs ? bundle : module;
}
