import type { Position } from '../diagnostics.js';
import type { SharkBlock } from '../markdown/document.js';
import { MEMORY, slurmWords } from '../markdown/option-values.js';

/** What one job of a run block declares it takes: `{threads=N|all}`, `{memory=8G}`, `{pool=NAME}`. */
export interface Resources {
  /** Slots of the `-j` budget; `all` takes every one. 1 when undeclared. */
  readonly threads: number | 'all';
  /** Whether `{threads}` was written (containers are CPU-limited only then). */
  readonly threadsDeclared: boolean;
  /** Bytes, or undefined when undeclared. */
  readonly memory: number | undefined;
  readonly pool: string | undefined;
  /** `{slurm="--qos=long --gres=gpu:1"}`: sbatch options for this block's jobs under `--executor slurm`. */
  readonly slurm: readonly string[];
  /** Where each declared option is written, for diagnostics. */
  readonly at: { readonly threads?: Position; readonly memory?: Position; readonly pool?: Position };
}

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Bytes, or undefined when `text` is no size: `8G`, `512M`, `1.5T`, `64K` or bytes (binary units; `8GB`, `8GiB` too). */
export function parseMemory(text: string): number | undefined {
  const m = MEMORY.exec(text.trim());
  if (m === null) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
  return Number.isFinite(bytes) ? bytes : undefined;
}

/** A size as people write it: `8G`, `1.5G`, `300M`. */
export function formatMemory(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K'] as const) {
    const n = bytes / UNITS[unit]!;
    if (n >= 1) return `${Number.isInteger(n) ? n : n.toFixed(1)}${unit}`;
  }
  return `${bytes}`;
}

/** Docker refuses a container memory limit below 6 MiB. */
export const MIN_MEMORY = 6 * 2 ** 20;

/** Past 2^53 bytes a size is no exact number, and Docker's limit is a whole int64: refused at the option, not by the engine at each job. */
const MAX_MEMORY = 2 ** 53;

/** A run's memory (`--memory`, `memory:` in shark.yaml) in bytes: a size between what a job and what any machine may have, else undefined. */
export function runMemory(text: string): number | undefined {
  const bytes = parseMemory(text);
  return bytes === undefined || bytes < MIN_MEMORY || bytes > MAX_MEMORY ? undefined : bytes;
}

/** What `runMemory` takes, for its errors. */
export const RUN_MEMORY = `a size such as 64G or 512M, from ${formatMemory(MIN_MEMORY)} to ${formatMemory(MAX_MEMORY)}`;

/** Where `{…, key=…}` is written in the block's info string. */
export function optionAt(block: SharkBlock, key: string): Position {
  const m = new RegExp(`[{,]\\s*(${key})\\b`).exec(block.info);
  return m === null ? block.infoAt : { line: block.infoAt.line, col: block.infoAt.col + m.index + m[0].length - key.length };
}

/**
 * A run block's resources. The tag parser has checked each option's form;
 * `fail` reports what only the value's meaning can tell.
 */
export function blockResources(block: SharkBlock, fail: (at: Position, message: string) => void): Resources {
  const o = block.options;
  const at: { threads?: Position; memory?: Position; pool?: Position } = {};
  let threads: number | 'all' = 1;
  const t = o['threads'];
  if (typeof t === 'string') {
    at.threads = optionAt(block, 'threads');
    threads = t === 'all' ? 'all' : Number(t);
  }
  let memory: number | undefined;
  const m = o['memory'];
  if (typeof m === 'string') {
    at.memory = optionAt(block, 'memory');
    memory = parseMemory(m);
    if (memory !== undefined && memory < MIN_MEMORY) {
      fail(at.memory, `memory=${m} is too little for a job: declare at least 6M (Docker's smallest limit)`);
    } else if (memory !== undefined && memory > MAX_MEMORY) {
      fail(at.memory, `memory=${m} is more than any job can be given: declare at most ${formatMemory(MAX_MEMORY)}`);
    }
  }
  let pool: string | undefined;
  const p = o['pool'];
  if (typeof p === 'string') {
    at.pool = optionAt(block, 'pool');
    pool = p;
  }
  const slurm = typeof o['slurm'] === 'string' ? slurmWords(o['slurm']) : [];
  return { threads, threadsDeclared: typeof t === 'string', memory, pool, slurm, at };
}

/** A run block that declares nothing. */
export const DEFAULT_RESOURCES: Resources = { threads: 1, threadsDeclared: false, memory: undefined, pool: undefined, slurm: [], at: {} };
