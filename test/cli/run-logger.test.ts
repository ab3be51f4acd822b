import { describe, expect, it } from 'vitest';
import { prettyLogger } from '../../src/cli/run-logger.js';

describe('the run log a person reads', () => {
  it('says a job another run is computing is waited for, and run here if that run fails (failures are never reused)', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'job-waiting', job: 'fit', step: 'fit', holder: { pid: 41, host: 'vm' } });
    log({ type: 'job-waiting', job: 'fit', step: 'fit', holder: { pid: 41, host: 'vm' } });
    expect(out).toBe('waiting  fit: another run (pid 41 on vm) is computing it: its result will be reused, or the job run here if it fails\n');
  });

  it('says what happens to an environment before its steps: its image is checked, and built if missing', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'env-build', env: 'stats' });
    expect(out).toBe('environment stats: checking the image (built if missing)\n');
  });

  it('says an environment another run is building is waited for, and its image used here', () => {
    let out = '';
    const log = prettyLogger((s) => void (out += s), false);
    log({ type: 'env-waiting', env: 'tools', holder: { pid: 41, host: 'vm' } });
    expect(out).toBe('waiting  environment tools: another run (pid 41 on vm) is building it: its image will be used here, or built here if that build fails\n');
  });
});
