import type { Pin } from './importer.js';

/** Whether two pins say the same thing (the engine may hand back a copy of the locked pin). */
export function samePin(a: Pin | undefined, b: Pin | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Who vouches for a pin's checksums, in messages. */
export function pinOrigin(pin: Pin, locked: Pin | undefined): string {
  return samePin(pin, locked) ? 'the lock file' : 'the resolved pin';
}
