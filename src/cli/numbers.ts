import { InvalidArgumentError } from 'commander';
import { isPositiveCount } from '../counted.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';

/** A commander parser for a whole number ≥ 0 (a run number, a depth): anything else is a usage error, exit 2. */
export function naturalNumber(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} expects a whole number, not \`${value}\``);
    // Beyond 2^53 digits are rounded away: `--run 99999999999999999999` would ask for run 100000000000000000000.
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${flag} expects a whole number no larger than ${Number.MAX_SAFE_INTEGER}, not \`${value}\``);
    return n;
  };
}

/**
 * A count option's value (`-j`, `--items-per-task`), whole and ≥ 1; exit 2
 * otherwise. Checked in the action, not by a commander parser: the value may
 * also come from shark.yaml or the option's default, which commander does not parse.
 */
export function positiveCount(flag: string, value: string | undefined, fallback: number, stderr: (s: string) => void): number {
  if (value === undefined) return fallback;
  // Digits only: `Number` also takes `0x10`, `1e1` and `0b11`.
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !isPositiveCount(n)) {
    stderr(`shark: error: ${flag} expects a positive whole number, not \`${value}\`\n`);
    throw new ExitError(EXIT_INVALID);
  }
  return n;
}
