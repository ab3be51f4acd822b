import { describe, expect, it } from 'vitest';
import { sbatchArgs } from '../../src/exec/slurm/args.js';
import { SlurmClient, type CommandOutput, type Runner } from '../../src/exec/slurm/client.js';
import { controllerUp, parseExitCode, parseSacct, parseScontrolJobs, parseSqueue, parseSubmitted, statusOf, usableNodeStates } from '../../src/exec/slurm/parse.js';

/** Output captured from Slurm 22.05 (Debian 12), trimmed to the fields that matter. */
const SCONTROL_DONE =
  'JobId=1 JobName=t1 UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=COMPLETED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 TimeLimit=UNLIMITED WorkDir=/tmp StdOut=/tmp/t1.out Power= ';
const SCONTROL_TASK_PENDING =
  'JobId=2 ArrayJobId=2 ArrayTaskId=2 JobName=with space|bar UserId=root(0) GroupId=root(0) JobState=PENDING Reason=Resources Dependency=(null) ExitCode=0:0 WorkDir=/tmp';
const SCONTROL_TASK_FAILED = 'JobId=9 ArrayJobId=7 ArrayTaskId=2 JobName=m UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=7:0 WorkDir=/tmp';
const SCONTROL_META = 'JobId=7 ArrayJobId=7 ArrayTaskId=3-19%2 ArrayTaskThrottle=2 JobName=m UserId=root(0) JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0';

describe('Slurm output parsers', () => {
  it('maps every Slurm state to a status, unknown ones to failed', () => {
    const cases: [string, string][] = [
      ['PENDING', 'pending'], ['REQUEUED', 'pending'], ['RUNNING', 'running'], ['COMPLETING', 'running'], ['CONFIGURING', 'running'],
      ['SUSPENDED', 'running'], ['COMPLETED', 'completed'], ['FAILED', 'failed'], ['BOOT_FAIL', 'failed'], ['TIMEOUT', 'timeout'],
      ['DEADLINE', 'timeout'], ['CANCELLED', 'cancelled'], ['CANCELLED by 0', 'cancelled'], ['PREEMPTED', 'preempted'],
      ['NODE_FAIL', 'node-fail'], ['OUT_OF_MEMORY', 'out-of-memory'], ['COMPLETED+', 'completed'], ['SOMETHING_NEW', 'failed'],
    ];
    for (const [state, status] of cases) expect([state, statusOf(state)]).toEqual([state, status]);
  });

  it('reads the job id sbatch --parsable prints, with or without a cluster', () => {
    expect(parseSubmitted('123\n')).toBe('123');
    expect(parseSubmitted('456;cluster1\n')).toBe('456');
    expect(parseSubmitted('sbatch: warning: something\n789\n')).toBe('789');
    expect(parseSubmitted('Submitted batch job 1\n')).toBeUndefined();
    expect(parseSubmitted('')).toBeUndefined();
  });

  it('reads exit codes and signals', () => {
    expect(parseExitCode('0:0')).toEqual({ exitCode: 0, signal: undefined });
    expect(parseExitCode('3:0')).toEqual({ exitCode: 3, signal: undefined });
    expect(parseExitCode('0:15')).toEqual({ exitCode: 0, signal: 15 });
    expect(parseExitCode('')).toBeUndefined();
  });

  it('reads squeue lines, array tasks and names holding the separator', () => {
    const jobs = parseSqueue('1_0|CANCELLED|None|arr\n2_2|PENDING|Resources|with space|bar\n3|RUNNING|None|sig\n1_[4-9%2]|PENDING|JobArrayTaskLimit|arr\n\n');
    expect(jobs).toEqual([
      { id: '1_0', jobId: '1', arrayTask: 0, name: 'arr', status: 'cancelled', slurmState: 'CANCELLED', exitCode: undefined, signal: undefined, reason: undefined },
      { id: '2_2', jobId: '2', arrayTask: 2, name: 'with space|bar', status: 'pending', slurmState: 'PENDING', exitCode: undefined, signal: undefined, reason: 'Resources' },
      { id: '3', jobId: '3', arrayTask: undefined, name: 'sig', status: 'running', slurmState: 'RUNNING', exitCode: undefined, signal: undefined, reason: undefined },
    ]);
  });

  it('reads scontrol -o records: exit codes once ended, names with spaces, no record for tasks not yet split off', () => {
    const jobs = parseScontrolJobs([SCONTROL_DONE, SCONTROL_TASK_PENDING, SCONTROL_TASK_FAILED, SCONTROL_META].join('\n'));
    expect(jobs).toEqual([
      { id: '1', jobId: '1', arrayTask: undefined, name: 't1', status: 'completed', slurmState: 'COMPLETED', exitCode: 0, signal: undefined, reason: undefined },
      { id: '2_2', jobId: '2', arrayTask: 2, name: 'with space|bar', status: 'pending', slurmState: 'PENDING', exitCode: undefined, signal: undefined, reason: 'Resources' },
      { id: '7_2', jobId: '7', arrayTask: 2, name: 'm', status: 'failed', slurmState: 'FAILED', exitCode: 7, signal: undefined, reason: 'NonZeroExitCode' },
    ]);
    expect(parseScontrolJobs('slurm_load_jobs error: Invalid job id specified\n')).toEqual([]);
  });

  it('reads sacct -P lines, skipping array ranges and steps', () => {
    const jobs = parseSacct('10|COMPLETED|0:0|a\n11_3|CANCELLED by 0|0:15|b|c\n12|OUT_OF_MEMORY|0:125|d\n13_[0-4]|PENDING|0:0|e\n10.batch|COMPLETED|0:0|batch\n14|RUNNING|0:0|f\n');
    expect(jobs.map((j) => [j.id, j.name, j.status, j.slurmState, j.exitCode, j.signal])).toEqual([
      ['10', 'a', 'completed', 'COMPLETED', 0, undefined],
      ['11_3', 'b|c', 'cancelled', 'CANCELLED', 0, 15],
      ['12', 'd', 'out-of-memory', 'OUT_OF_MEMORY', 0, 125],
      ['14', 'f', 'running', 'RUNNING', undefined, undefined],
    ]);
  });

  it('reads scontrol ping and sinfo node states', () => {
    expect(controllerUp('Slurmctld(primary) at vm is UP\n')).toBe(true);
    expect(controllerUp('Slurmctld(primary) at vm is DOWN\n')).toBe(false);
    expect(usableNodeStates('idle\n')).toEqual({ usable: 1, states: ['idle'] });
    expect(usableNodeStates('down*\ndrained\n')).toEqual({ usable: 0, states: ['down*', 'drained'] });
    expect(usableNodeStates('mixed\nidle~\n').usable).toBe(1);
  });
});

describe('sbatch arguments', () => {
  it('maps requests to options, in order, extra options last', () => {
    expect(sbatchArgs({ name: 'life:aoh', array: { size: 200, throttle: 8 }, cpusPerTask: 4, memoryMb: 2048, timeLimitSeconds: 61, output: '/s/%A_%a.log', error: '/s/%A_%a.err', workdir: '/s', extra: ['--partition=gpu', '--qos', '--qos=long'] }))
      .toEqual({ ok: true, args: ['--parsable', '--job-name=life:aoh', '--array=0-199%8', '--cpus-per-task=4', '--mem=2048M', '--time=2', '--output=/s/%A_%a.log', '--error=/s/%A_%a.err', '--chdir=/s', '--partition=gpu', '--qos', '--qos=long'] });
    expect(sbatchArgs({ name: 'one', array: { size: 1 } })).toEqual({ ok: true, args: ['--parsable', '--job-name=one', '--array=0-0'] });
  });

  it('refuses what sbatch would misread', () => {
    for (const bad of [
      { name: '' },
      { name: 'a\nb' },
      { name: 'x', array: { size: 0 } },
      { name: 'x', array: { size: 3, throttle: 1.5 } },
      { name: 'x', cpusPerTask: 0 },
      { name: 'x', memoryMb: -1 },
      { name: 'x', timeLimitSeconds: 0 },
      { name: 'x', output: 'a\nb' },
      { name: 'x', extra: ['script.sh'] },
    ]) {
      expect(sbatchArgs(bad)).toMatchObject({ ok: false });
    }
  });
});

/** A runner that answers from a table and records what was asked. */
function fake(answers: Record<string, Partial<CommandOutput>>): { runner: Runner; calls: string[] } {
  const calls: string[] = [];
  const runner: Runner = async (command, args) => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    const key = Object.keys(answers).find((k) => line.startsWith(k));
    const a = key === undefined ? { code: 1, stderr: `unexpected: ${line}` } : answers[key]!;
    return { code: 0, stdout: '', stderr: '', ...a };
  };
  return { runner, calls };
}

describe('SlurmClient without a cluster', () => {
  it('asks scontrol for the exit codes of jobs squeue lists as ended, and sacct for the rest', async () => {
    const { runner, calls } = fake({
      'squeue -h -r -t all -j 7,8,9': { stdout: '7_0|COMPLETED|None|m\n7_1|RUNNING|None|m\n' },
      'scontrol -o show job 7': { stdout: 'JobId=7 ArrayJobId=7 ArrayTaskId=0 JobName=m UserId=root(0) JobState=COMPLETED Reason=None ExitCode=0:0\n' },
      'scontrol -o show job 8': { code: 1, stderr: 'slurm_load_jobs error: Invalid job id specified\n' },
      'scontrol -o show job 9': { code: 1, stderr: 'slurm_load_jobs error: Invalid job id specified\n' },
      'sacct -n -P -X -j 8,9': { stdout: '8|TIMEOUT|0:0|t\n' },
    });
    const r = await new SlurmClient(runner).state(['7', '8', '9']);
    expect(r.ok && r.value.jobs.map((j) => [j.id, j.status, j.exitCode])).toEqual([['7_0', 'completed', 0], ['7_1', 'running', undefined], ['8', 'timeout', 0]]);
    expect(r.ok && r.value.unknown).toEqual(['9']);
    expect(calls.filter((c) => c.startsWith('scontrol'))).toHaveLength(3);
  });

  it('says why Slurm is unavailable', async () => {
    expect(await new SlurmClient(fake({ 'scontrol ping': { code: null, error: 'scontrol not found (is Slurm installed and in PATH?)' } }).runner).available()).toMatch(/not found/);
    expect(await new SlurmClient(fake({ 'scontrol ping': { code: 1, stdout: 'Slurmctld(primary) at vm is DOWN\n' } }).runner).available()).toMatch(/does not answer.*DOWN/);
    const down = fake({ 'scontrol ping': { stdout: 'Slurmctld(primary) at vm is UP\n' }, 'sbatch --version': {}, 'squeue --version': {}, 'scancel --version': {}, 'sinfo': { stdout: 'drained\n' } });
    // A drained cluster is usable: jobs wait in its queue. It is said apart, for a warning.
    expect(await new SlurmClient(down.runner).available()).toBeUndefined();
    expect(await new SlurmClient(down.runner).noNodeTakesJobs()).toBe('drained');
    const none = fake({ 'scontrol ping': { stdout: 'Slurmctld(primary) at vm is UP\n' }, 'sbatch --version': {}, 'squeue --version': {}, 'scancel --version': {}, 'sinfo': { stdout: '' } });
    expect(await new SlurmClient(none.runner).available()).toBe('the cluster has no nodes (sinfo lists none)');
    // With what the tool said, not its status alone.
    const broken = fake({ 'scontrol ping': { stdout: 'Slurmctld(primary) at vm is UP\n' }, 'sbatch --version': {}, 'squeue --version': { code: 1, stderr: 'squeue: error: munge: socket not found\n' } });
    expect(await new SlurmClient(broken.runner).available()).toBe('squeue --version exited 1: squeue: error: munge: socket not found');
  });

  it('finds jobs by a name holding a comma by filtering, not by squeue’s list of names', async () => {
    const { runner, calls } = fake({
      squeue: { stdout: '5|RUNNING|None|a,b\n6|RUNNING|None|a\n7_1|PENDING|Priority|a,b\n' },
      sacct: { code: 1, stderr: 'Slurm accounting storage is disabled\n' },
    });
    const r = await new SlurmClient(runner).findByName('a,b');
    expect(r.ok && r.value.map((j) => j.id)).toEqual(['5', '7_1']);
    expect(calls.every((c) => !c.includes('--name'))).toBe(true);
    await new SlurmClient(runner).findByName('plain');
    expect(calls.at(-2)).toContain('--name plain');
  });

  it('reports a rejected submission with sbatch’s message', async () => {
    const { runner } = fake({ sbatch: { code: 1, stderr: 'sbatch: error: invalid partition specified: gpu\n' } });
    expect(await new SlurmClient(runner).submit('#!/bin/sh\n', { name: 'x', extra: ['--partition=gpu'] })).toEqual({ ok: false, message: 'sbatch exited 1: sbatch: error: invalid partition specified: gpu' });
  });
});
