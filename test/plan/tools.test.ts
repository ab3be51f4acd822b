import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsProbe } from '../../src/plan/host-tools.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import { expandJobs, type Job } from '../../src/plan/jobs.js';
import { explain, KEY_VERSION } from '../../src/plan/key.js';
import { effectivePath, programTools, type ToolProbe } from '../../src/plan/tools.js';
import { toolChanges } from '../../src/plan/tool-changes.js';

const fence = '```';

/** A file system of executables: path → content hash. */
function fakeProbe(files: Record<string, string>): ToolProbe {
  return {
    which: (name, dirs) => dirs.map((d) => `${d}/${name}`).find((p) => p in files),
    hash: (path) => files[path],
  };
}

describe('effectivePath', () => {
  it('is the host PATH, overridden by a frontmatter PATH, then by export PATH= lines with $PATH expanded', () => {
    expect(effectivePath('/usr/bin:/bin', [], [])).toEqual(['/usr/bin', '/bin']);
    expect(effectivePath('/usr/bin:/bin', [['PATH', '/opt/x/bin']], [])).toEqual(['/opt/x/bin']);
    expect(effectivePath('/usr/bin:/bin', [], ['export PATH=/opt/gdal/bin:$PATH', 'export A=1', 'PATH="${PATH}:/srv/bin"']))
      .toEqual(['/opt/gdal/bin', '/usr/bin', '/bin', '/srv/bin']);
  });

  it('leaves out what cannot be known before the step runs: relative entries, ~, other variables', () => {
    expect(effectivePath('.:bin:/usr/bin::/bin', [], ['export PATH=$HOME/bin:~/x:$PATH'])).toEqual(['/usr/bin', '/bin']);
  });
});

describe('programTools', () => {
  const files = { '/usr/bin/sort': 'sha256:aa', '/opt/bin/sort': 'sha256:bb', '/bin/sh': 'sha256:cc', '/usr/bin/awk': 'sha256:dd' };

  it('resolves each name on PATH in order and hashes it; a missing one is recorded as missing', () => {
    const tools = programTools(['/bin/sh', 'sort', 'awk', 'gdalwarp', '/opt/none'], ['/usr/bin', '/opt/bin'], fakeProbe(files));
    expect(tools).toEqual([['/bin/sh', 'sha256:cc'], ['/opt/none', 'missing'], ['/usr/bin/awk', 'sha256:dd'], ['/usr/bin/sort', 'sha256:aa'], ['gdalwarp', 'missing']]);
    expect(programTools(['sort'], ['/opt/bin', '/usr/bin'], fakeProbe(files))).toEqual([['/opt/bin/sort', 'sha256:bb']]);
  });
});

describe('explain names program and dependency changes', () => {
  it('changed, now used, no longer used, found, no longer found, moved', () => {
    expect(toolChanges([['/usr/bin/gdalwarp', 'sha256:1111aaaa']], [['/usr/bin/gdalwarp', 'sha256:2222bbbb']]))
      .toEqual(['program /usr/bin/gdalwarp changed (1111aaaa… → 2222bbbb…)']);
    expect(toolChanges([], [['/usr/bin/awk', 'sha256:1']])).toEqual(['program /usr/bin/awk now used']);
    expect(toolChanges([['/usr/bin/awk', 'sha256:1']], [])).toEqual(['program /usr/bin/awk no longer used']);
    expect(toolChanges([['mytool', 'missing']], [['/tmp/x/mytool', 'sha256:1']])).toEqual(['program mytool now found (/tmp/x/mytool)']);
    expect(toolChanges([['/tmp/x/mytool', 'sha256:1']], [['mytool', 'missing']])).toEqual(['program mytool no longer found (was /tmp/x/mytool)']);
    expect(toolChanges([['/usr/bin/python3', 'sha256:1']], [['/opt/py/bin/python3', 'sha256:2']]))
      .toEqual(['program python3 now resolves to /opt/py/bin/python3 (was /usr/bin/python3)']);
    expect(toolChanges([], [['gdalwarp', 'missing']])).toEqual(['program gdalwarp now used (not found on PATH)']);
  });
});

function jobsOf(source: string, tools: [string, string][], deps: [string, string][] = []): Job[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  if (pipeline === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return pipeline.steps.filter((s) => s.kind === 'run').flatMap((step) =>
    expandJobs(step, new Map(), () => undefined, {
      envId: step.kind === 'run' && step.env !== undefined ? 'docker:sha256:1111' : 'host:linux/x64',
      variables: [], files: [], workdir: pipeline.workdir, tools, deps,
    }));
}

describe('tools and deps in the key', () => {
  const host = `${fence}shark-run {deps=requirements.lock}\nsort a > /data/a.txt\n${fence}\n`;
  const container = `${fence}shark-build:tool\nFROM alpine:3.20\n${fence}\n\n${fence}shark-run:tool {deps=requirements.lock}\nsort a > /data/a.txt\n${fence}\n`;
  const v1: [string, string][] = [['/bin/sh', 'sha256:cc'], ['/usr/bin/sort', 'sha256:aa']];
  const v2: [string, string][] = [['/bin/sh', 'sha256:cc'], ['/usr/bin/sort', 'sha256:ab']];

  it('a host step records its programs: another version of one changes the key and is named', () => {
    const [a] = jobsOf(host, v1);
    const [b] = jobsOf(host, v2);
    expect(a!.record.v).toBe(KEY_VERSION);
    expect(a!.record.tools).toEqual(v1);
    expect(a!.key).not.toBe(b!.key);
    expect(explain(a!.record, b!.record)).toEqual(['program /usr/bin/sort changed (aa… → ab…)']);
  });

  it('a container step records no programs (its image covers them): the host PATH does not touch its key', () => {
    const [a] = jobsOf(container, v1);
    const [b] = jobsOf(container, v2);
    expect(a!.record.tools).toEqual([]);
    expect(a!.key).toBe(b!.key);
  });

  it('deps are in the key of host and container steps, and named when they change', () => {
    for (const doc of [host, container]) {
      const [a] = jobsOf(doc, v1, [['requirements.lock', 'sha256:1111']]);
      const [b] = jobsOf(doc, v1, [['requirements.lock', 'sha256:2222']]);
      expect(a!.key).not.toBe(b!.key);
      expect(explain(a!.record, b!.record)).toEqual(['dependency requirements.lock changed (1111… → 2222…)']);
    }
  });

  it('{deps=a,b} lists several files; deps without a value is an error at the option', () => {
    const { pipeline } = loadPipeline('p.md', `${fence}shark-run {deps=a.lock,b/c.txt, network}\nsort a > /data/a.txt\n${fence}\n`);
    const step = pipeline!.steps[0]!;
    expect(step.block.options['deps']).toBe('a.lock,b/c.txt');
    expect(step.block.options['network']).toBe(true);
    const bad = loadPipeline('p.md', `${fence}shark-run {deps}\nsort a > /data/a.txt\n${fence}\n`);
    expect(bad.diagnostics.map((d) => [d.at, d.message])).toEqual([[{ line: 1, col: 15 }, expect.stringContaining('`deps` needs files')]]);
    // An empty list names no file: as the option with no value.
    for (const empty of ['{deps=}', '{deps= }']) {
      const none = loadPipeline('p.md', `${fence}shark-run ${empty}\nsort a > /data/a.txt\n${fence}\n`);
      expect(none.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('`deps` needs files')]);
    }
  });
});

describe('fsProbe: the file system, memoised for the process', () => {
  it('finds executables only, and hashes each file once while its stat is unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-probe-'));
    try {
      const tool = join(dir, 'tool');
      writeFileSync(tool, '#!/bin/sh\necho 1\n');
      writeFileSync(join(dir, 'plain'), 'not executable');
      chmodSync(tool, 0o755);
      let reads = 0;
      const probe = fsProbe(() => (reads++, `h${reads}`));
      expect(probe.which('tool', [join(dir, 'none'), dir])).toBe(tool);
      expect(probe.which('plain', [dir])).toBeUndefined();
      expect(probe.hash(tool)).toBe('sha256:h1');
      expect(probe.hash(tool)).toBe('sha256:h1');
      expect(fsProbe(() => 'other').hash(tool)).toBe('sha256:h1');
      expect(reads).toBe(1);
      writeFileSync(tool, '#!/bin/sh\necho 22\n');
      expect(probe.hash(tool)).toBe('sha256:h2');
      rmSync(tool);
      expect(probe.which('tool', [dir])).toBeUndefined();
      expect(probe.hash(tool)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
