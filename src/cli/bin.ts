import { main } from './main.js';
import { finish, installProcessGuards, outputExit } from './process-guards.js';

// What `bin/shark.js` runs: bundled into dist/shark.cjs by scripts/bundle.js, so that
// start-up reads one file instead of some 400 modules (0.1 s instead of 0.45 s). No
// top-level await: the bundle is a CommonJS script, which V8 can cache compiled.
installProcessGuards();
void main(process.argv).then((code) => finish(process.argv[2], outputExit() ?? code));
