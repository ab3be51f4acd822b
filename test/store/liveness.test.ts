import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { holderAlive, ownStart, STALE_MS } from '../../src/store/liveness.js';

const here = hostname();
const now = Date.now();

describe('whether the holder of a run or a lease lives', () => {
  it('on this host: the process with its pid and the start time it recorded, not another given the pid since', async () => {
    expect(ownStart()).toMatch(/^\d+$/);
    expect(holderAlive({ pid: process.pid, host: here, beat: 0, pid_start: ownStart() })).toBe(true);
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => other.once('spawn', r));
      // The pid alive, but started at another time: a process that was given a dead holder's pid.
      expect(holderAlive({ pid: other.pid!, host: here, beat: now, pid_start: ownStart() })).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
    expect(holderAlive({ pid: spawnSync('true').pid!, host: here, beat: now, pid_start: null })).toBe(false);
  });

  it('rows written without a start time: a live pid counts while its heartbeat is fresh', () => {
    expect(holderAlive({ pid: 1, host: here, beat: now })).toBe(true);
    expect(holderAlive({ pid: 1, host: here, beat: now - STALE_MS - 1 })).toBe(false);
    // Runs recorded before heartbeats were: the process table alone.
    expect(holderAlive({ pid: 1, host: here, beat: null })).toBe(true);
  });

  it('on another host: its heartbeat alone', () => {
    expect(holderAlive({ pid: 1, host: `${here}-elsewhere`, beat: now, pid_start: 'x' })).toBe(true);
    expect(holderAlive({ pid: process.pid, host: `${here}-elsewhere`, beat: now - STALE_MS - 1, pid_start: ownStart() })).toBe(false);
  });
});
