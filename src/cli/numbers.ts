import { InvalidArgumentError } from 'commander';

/** A commander parser for a whole number ≥ 0 (a run number, a depth): anything else is a usage error, exit 2. */
export function naturalNumber(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} expects a whole number, not \`${value}\``);
    return Number(value);
  };
}
