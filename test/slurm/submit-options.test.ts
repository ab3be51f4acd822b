import { describe, expect, it } from 'vitest';
import { sbatchArgs, stepSubmitOptions, type StepRequest } from '../../src/exec/slurm/args.js';
import { jobName } from '../../src/exec/slurm/slurm-executor.js';

const base: StepRequest = { name: 'shark:life:aoh', tasks: 1, throttle: 4, itemsPerTask: 1, threads: undefined, memoryBytes: undefined, timeoutSeconds: undefined, extra: [] };
const argv = (r: Partial<StepRequest>): string[] => {
  const args = sbatchArgs(stepSubmitOptions({ ...base, ...r }));
  if (!args.ok) throw new Error(args.message);
  return args.args;
};

/** What a block's declarations become on sbatch's command line: what `plan --executor slurm` shows and the executor submits. */
describe('a step\'s Slurm request', () => {
  it('is one plain job without declarations, never requeued', () => {
    expect(argv({})).toEqual(['--parsable', '--job-name=shark:life:aoh', '--no-requeue']);
  });

  it('is an array throttled by -j when there are several tasks', () => {
    expect(argv({ tasks: 40 })).toContain('--array=0-39%4');
  });

  it('maps {threads}, {memory} and {timeout} (the timeout for all of a task\'s items, plus a minute)', () => {
    expect(argv({ threads: 8, memoryBytes: 1.5 * 2 ** 30, timeoutSeconds: 600, itemsPerTask: 3 })).toEqual([
      '--parsable', '--job-name=shark:life:aoh', '--cpus-per-task=8', '--mem=1536M', '--time=31', '--no-requeue',
    ]);
  });

  it('asks for a whole node for {threads=all}, and puts the user\'s options last so that they win', () => {
    expect(argv({ threads: 'all', extra: ['--partition=gpu', '--no-requeue'] }).slice(-4)).toEqual(['--no-requeue', '--exclusive', '--partition=gpu', '--no-requeue']);
  });

  it('takes a short option and its value as two words, and refuses a word sbatch would take for the script', () => {
    expect(argv({ extra: ['-p', 'shark'] }).slice(-2)).toEqual(['-p', 'shark']);
    expect(sbatchArgs(stepSubmitOptions({ ...base, extra: ['--hold', 'script.sh'] }))).toEqual({ ok: false, message: expect.stringContaining('`--hold script.sh`') });
  });

  it('keeps a user\'s --dependency on the first array of a split map only: on a later one it replaced the chaining, and -j no longer bound them', () => {
    for (const words of [['--dependency=afterok:1'], ['-d', 'afterok:1'], ['-dafterok:1']]) {
      expect(argv({ tasks: 5, extra: [...words, '-p', 'shark'] }).slice(-1 - words.length - 2)).toEqual(['--no-requeue', ...words, '-p', 'shark']);
      expect(argv({ tasks: 5, after: '77', extra: [...words, '-p', 'shark'] }).slice(-4)).toEqual(['--no-requeue', '--dependency=afterany:77', '-p', 'shark']);
    }
  });

  it('names jobs by pipeline and block, without characters squeue would split on', () => {
    expect(jobName('my pipeline', 'a,b')).toBe('shark:my_pipeline:a_b');
  });
});
