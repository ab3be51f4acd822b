#!/usr/bin/env node
// Builds Shark's native stat module (native/stat.c, binding.gyp) into build/Release/shark_stat.node: run by
// `npm ci` and `npm install` (the package's install script), and by hand after native/stat.c changes. It needs
// what better-sqlite3 needs to build (make, a C compiler, Node's headers: npm's nodedir). Without it Shark
// still works: it stats files through Node instead (src/store/native-stat.ts), slower on large directories.
// So a failed build warns and exits 0; SHARK_REQUIRE_NATIVE=1 makes it fail instead (CI).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// npm gives its own node-gyp to the scripts it runs; by hand, the one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [command, args] = gyp !== undefined && gyp !== '' ? [process.execPath, [gyp, 'rebuild', '--loglevel=warn']] : ['node-gyp', ['rebuild', '--loglevel=warn']];
const built = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
if (built.status === 0) process.exit(0);
const why = built.error !== undefined ? built.error.message : `node-gyp exited with ${built.status ?? built.signal}`;
console.error(`shark: the native stat module was not built (${why}); Shark stats files through Node instead, slower on directories of many files`);
process.exit(process.env.SHARK_REQUIRE_NATIVE === '1' ? 1 : 0);
