import type { RunRow } from '../store/metadata.js';
import { typedWord } from '../pipeline/shell-words.js';

/**
 * Where a log that run `run` does not have is found: the newest earlier run
 * that `has` it, as `; its last log: run 1 (shark logs p.md X --run 1)`
 * (`what` names it otherwise); empty when none has.
 */
export function earlierLog(runs: readonly RunRow[], run: RunRow, has: (runId: number) => boolean, command: { file: string; target: string }, what = 'its last log'): string {
  // Newest first, as `meta.runs` gives them.
  const found = runs.find((r) => r.id < run.id && has(r.id));
  return found === undefined ? '' : `; ${what}: run ${found.id} (shark logs ${typedWord(command.file)} ${typedWord(command.target)} --run ${found.id})`;
}
