import { setFlagsFromString } from 'node:v8';

/**
 * The budget V8 gives a function (bytecodes run) before it is optimized, as
 * every command starts with it: `bin/shark.js` sets it before it compiles
 * the CLI and leaves it here, so the compile cache it keeps was made under
 * the same flags it is read under (V8 refuses a cache made under others).
 * Absent when Shark was loaded otherwise (tests, `SHARK_DEBUG=1`): then the
 * budget is left as it is, since it could not be put back.
 */
const START = Symbol.for('shark.interruptBudget');

/** How much longer a function runs before it is optimized while jobs execute. */
const PATIENCE = 16;

let raised = 0;

/**
 * While a run executes jobs, V8 optimizes later: the code a job passes
 * through (staging, launching, committing) runs once per job, and at the
 * default budget the optimizing compiler spent 0.3–0.45 s of CPU on it in a
 * run of 2,000 trivial jobs, on the core the jobs need (a tenth of the
 * run's wall time on two cores). A long run still optimizes it; a plan, or a
 * fully cached run (a million items through the same few loops), is never
 * affected. Nested runs (`shark serve`) raise it once.
 */
export function patientOptimizer(): { readonly restore: () => void } {
  const start = (globalThis as Record<symbol, unknown>)[START];
  if (typeof start !== 'number') return { restore: () => undefined };
  if (raised++ === 0) setFlagsFromString(`--interrupt-budget=${start * PATIENCE}`);
  let done = false;
  return {
    restore: () => {
      if (done) return;
      done = true;
      // Put back before the process writes its compile cache at exit.
      if (--raised === 0) setFlagsFromString(`--interrupt-budget=${start}`);
    },
  };
}
