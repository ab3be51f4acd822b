import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { filesHolding } from '../support/files-holding.js';

const PIPELINE = [
  '---',
  'secrets: [DB_PASSWORD]',
  'region: europe',
  '---',
  '# Secrets',
  '',
  '```shark-run',
  'echo "connecting to $region with $DB_PASSWORD"; printf %s "${#DB_PASSWORD}" > /data/len.txt; echo ran >> counter',
  '```',
  '',
  '```shark-publish',
  '/data/len.txt',
  '```',
  '',
].join('\n');


describe('secrets', () => {
  let rig: Rig;
  let value: string;
  beforeEach(() => {
    rig = new Rig('shark-secrets-');
    value = `s3cr3t-${Math.random().toString(36).slice(2, 10)}`;
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('reach the step, and no file Shark writes nor anything it prints holds the value', async () => {
    const ran = await rig.shark(['run', 'p.md', '-o', 'out.md'], { env: { DB_PASSWORD: value } });
    expect(ran.code, ran.stderr).toBe(0);
    expect(rig.read('_shark/len.txt')).toBe(String(value.length));
    const logs = await rig.shark(['logs', 'p.md']);
    expect(logs.stdout).toContain('connecting to europe with ***');
    const lineage = await rig.shark(['lineage', 'p.md', '/data/len.txt', '--json']);
    expect(lineage.code).toBe(0);
    expect(rig.read('out.md')).toContain('with ***');
    for (const said of [ran.stdout, ran.stderr, logs.stdout, logs.stderr, lineage.stdout, rig.read('out.md')]) expect(said).not.toContain(value);
    expect(rig.exists('.shark')).toBe(true);
    expect(filesHolding(rig.dir, value)).toEqual([]);
  });

  it('are masked in a long output, whatever chunks it comes back in, and in the tail of a failure', async () => {
    rig.write('p.md', PIPELINE.replace('echo "connecting', 'for i in $(seq 1 3000); do echo "line $i $DB_PASSWORD"; done; echo "connecting'));
    expect((await rig.shark(['run', 'p.md'], { env: { DB_PASSWORD: value } })).code).toBe(0);
    const logs = await rig.shark(['logs', 'p.md']);
    expect(logs.stdout).toContain('line 2999 ***\n');
    expect(logs.stdout.match(/\*\*\*/g)?.length).toBe(3001);
    expect(filesHolding(rig.dir, value)).toEqual([]);

    rig.write('p.md', PIPELINE.replace('echo ran >> counter', 'echo "failing with $DB_PASSWORD" >&2; exit 3'));
    const failed = await rig.shark(['run', 'p.md', '--json'], { env: { DB_PASSWORD: value } });
    expect(failed.code).toBe(1);
    const event = failed.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; tail?: string })
      .find((e) => e.type === 'job-failed');
    expect(event?.tail).toContain('failing with ***');
    expect(failed.stdout + failed.stderr).not.toContain(value);
    expect(filesHolding(rig.dir, value)).toEqual([]);
  });

  it('changing a value re-runs nothing', async () => {
    expect((await rig.shark(['run', 'p.md'], { env: { DB_PASSWORD: value } })).code).toBe(0);
    const plan = await rig.shark(['plan', 'p.md', '--json'], { env: { DB_PASSWORD: `${value}-rotated` } });
    expect((JSON.parse(plan.stdout) as { summary: unknown }).summary).toMatchObject({ cached: 1, run: 0, blocked: 0 });
    expect((await rig.shark(['run', 'p.md'], { env: { DB_PASSWORD: `${value}-rotated` } })).code).toBe(0);
    expect(rig.count()).toBe(1);
  });

  it('a missing one stops run before anything runs (exit 2, at the frontmatter entry); plan warns', async () => {
    const env = { DB_PASSWORD: '' };
    const ran = await rig.shark(['run', 'p.md'], { env: { ...env } });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain([
      'p.md:2:11: error: secret `DB_PASSWORD` is not set: export it, or give it in a file with --secrets FILE',
      '    2 | secrets: [DB_PASSWORD]',
      '      |           ^',
    ].join('\n'));
    expect(rig.count()).toBe(0);
    expect(rig.exists('.shark')).toBe(false);
    const plan = await rig.shark(['plan', 'p.md'], { env });
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain('p.md:2:11: warning: secret `DB_PASSWORD` is not set');
  });

  it('--secrets FILE gives values (KEY=VALUE lines, # comments); the file wins over the environment', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'shark-secrets-file-'));
    try {
      const file = join(outside, 'secrets.env');
      writeFileSync(file, `# credentials for the run\n\nDB_PASSWORD=${value}-from-file\nUNUSED=x=y\n`);
      const ran = await rig.shark(['run', 'p.md', '--secrets', file], { env: { DB_PASSWORD: 'from-env' } });
      expect(ran.code, ran.stderr).toBe(0);
      expect(rig.read('_shark/len.txt')).toBe(String(`${value}-from-file`.length));
      expect((await rig.shark(['logs', 'p.md'])).stdout).toContain('with ***');
      expect(filesHolding(rig.dir, value)).toEqual([]);

      writeFileSync(file, 'DB_PASSWORD=ok\nnot a line\n');
      const bad = await rig.shark(['run', 'p.md', '--secrets', file]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/secrets\.env:2:1: error: expected NAME=VALUE/);
      const missing = await rig.shark(['run', 'p.md', '--secrets', join(outside, 'nope.env')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read the secrets file');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a value holding a NUL byte is refused where the secrets file says it, by plan and run, never shown', async () => {
    rig.write('sec.env', `# token\nDB_PASSWORD=hun\0${value}\n`);
    for (const command of ['plan', 'run']) {
      const r = await rig.shark([command, 'p.md', '--secrets', 'sec.env', '--json']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('sec.env:2:13: error: the value of the secret `DB_PASSWORD` holds a NUL byte (\\0), which no process environment can carry');
      expect(r.stdout + r.stderr).not.toContain(value);
    }
    expect(rig.count()).toBe(0);
  });

  it('a name given twice, or a value whose opening quote is never closed, is refused where the file says it, never shown', async () => {
    const cases: [string, string][] = [
      [`DB_PASSWORD=old\n# rotated\nexport DB_PASSWORD=${value}\n`, 'sec.env:3:8: error: `DB_PASSWORD` is given twice (first at line 1)'],
      [`DB_PASSWORD="${value}\n`, 'sec.env:1:13: error: the quote `"` opening this value is never closed: the value is the rest of the line, so end it with `"`'],
      [`DB_PASSWORD='${value}" \n`, "sec.env:1:13: error: the quote `'` opening this value is never closed: the value is the rest of the line, so end it with `'`"],
      [`DB_PASSWORD="${value}"  \n`, `sec.env:1:${14 + value.length + 1}: error: text after the closing quote \`"\`: the value is the rest of the line, quotes and all, unless one pair of quotes is around all of it`],
    ];
    for (const [text, expected] of cases) {
      rig.write('sec.env', text);
      for (const command of ['plan', 'run']) {
        const r = await rig.shark([command, 'p.md', '--secrets', 'sec.env']);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr.split('\n')[0], text).toBe(expected);
        expect(r.stdout + r.stderr).not.toContain(value);
      }
    }
    // A quote inside a value, or one pair around it holding another, is taken as written.
    rig.write('sec.env', `DB_PASSWORD="a"b"\n`);
    expect((await rig.shark(['run', 'p.md', '--secrets', 'sec.env'])).code).toBe(0);
    expect(rig.read('_shark/len.txt')).toBe('3');
    expect(rig.count()).toBe(1);
  });

  it('a secret cannot also be a variable: its value would enter the cache key', async () => {
    const ran = await rig.shark(['run', 'p.md', '-e', `DB_PASSWORD=${value}`]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('DB_PASSWORD is a secret');
    rig.write('p.md', PIPELINE.replace('region: europe', 'DB_PASSWORD: oops'));
    const doc = await rig.shark(['check', 'p.md']);
    expect(doc.code).toBe(2);
    expect(doc.stderr).toContain('`DB_PASSWORD` is a secret and a variable');
  });
});
