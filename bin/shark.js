#!/usr/bin/env node
import { statSync } from 'node:fs';

// dist/shark.js is the bundle of dist/src (scripts/bundle.js). When it is missing or older
// than the compiled sources (tsc ran, the bundle did not), the modules are loaded one by one.
const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime('../dist/shark.js') >= mtime('../dist/src/cli/main.js');
await import(bundled ? '../dist/shark.js' : '../dist/src/cli/bin.js');
