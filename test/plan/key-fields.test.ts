import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { expandJobs, type Job, type JobContext } from '../../src/plan/jobs.js';
import { explain, inputReasons, KEY_VERSION, type KeyRecord } from '../../src/plan/key.js';
import { Rig, type PlanJson } from '../support/rig.js';

const fence = '```';
const HOST = 'host:linux/x64';

/** Every job of a document, its inputs given ids derived from their paths (no store needed). */
function jobsOf(source: string, ctx: Partial<JobContext> = {}): Job[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  if (pipeline === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return pipeline.steps.filter((s) => s.kind !== 'publish').flatMap((step) =>
    expandJobs(step, new Map(step.inputs.map((i) => [i, `sha256:${i.path.replace(/\W/g, '')}`])), () => undefined, {
      envId: step.kind === 'run' && step.env !== undefined ? 'docker:sha256:1111' : HOST,
      variables: [...pipeline.variables].sort(),
      files: [],
      workdir: pipeline.workdir,
      ...ctx,
    }));
}

const keys = (source: string): Map<string, string> => new Map(jobsOf(source).map((j) => [j.identity, j.key]));

const CONTAINER = (path: string): string => `---\npath: ${path}\n---\n\n# C\n\n${fence}shark-build:tool\nFROM alpine:3.20\n${fence}\n\n${fence}shark-run:tool\necho hi > /data/hi.txt\n${fence}\n`;

describe('key fields through expandJobs and explain', () => {
  it('env: another environment id changes the key and is named', () => {
    const doc = `# E\n\n${fence}shark-run\necho a > /data/a.txt\n${fence}\n`;
    const [a] = jobsOf(doc);
    const [b] = jobsOf(doc, { envId: 'host:linux/arm64' });
    expect(a!.key).not.toBe(b!.key);
    expect(explain(a!.record, b!.record)).toEqual(['environment changed (host:linux/x64 → host:linux/arm64)']);
    const image = (id: string): KeyRecord => ({ ...a!.record, env: `docker:sha256:${id}` });
    expect(explain(image('0123456789ab'), image('ba9876543210'))).toEqual(['environment changed (01234567… → ba987654…)']);
  });

  it('resources: threads, memory, timeout, pool and slurm options are not in the key (format.md says so); network is', () => {
    const doc = (options: string): string => `---\npools: {db: 1}\n---\n\n# R\n\n${fence}shark-run {${options}}\necho a > /data/a.txt\n${fence}\n`;
    const [plain] = jobsOf(doc('id=r'));
    for (const options of ['threads=2', 'threads=all', 'memory=8G', 'timeout=2h', 'pool=db', 'slurm="-p gpu"']) {
      expect(jobsOf(doc(`id=r, ${options}`))[0]!.key, options).toBe(plain!.key);
    }
    expect(jobsOf(doc('id=r, network'))[0]!.key).not.toBe(plain!.key);
  });

  it('pin: a source with no pin, or one the server says changed, is named as such (not an id → none)', () => {
    const [a] = jobsOf(`# E\n\n${fence}shark-run\necho a > /data/a.txt\n${fence}\n`);
    const at = (pin: KeyRecord['pin']): KeyRecord => ({ ...a!.record, pin });
    const url = 'http://example.org/a.csv';
    const locked = { source: 'url', url, sha256: 'ab'.repeat(32), md5: 'cd'.repeat(16), size: 2, modified: 'Wed, 02 Dec 2026 07:00:00 GMT' };
    expect(explain(at(locked), at({ source: 'url', url }))).toEqual(['source not pinned in the lock file']);
    expect(explain(at(locked), at({ source: 'url', url, size: 2, modified: 'Wed, 02 Dec 2026 07:01:00 GMT' })))
      .toEqual(['source changed on the server (Last-Modified Wed, 02 Dec 2026 07:00:00 GMT → Wed, 02 Dec 2026 07:01:00 GMT)']);
    expect(explain(at({ ...locked, etag: '"a"' }), at({ source: 'url', url, size: 3, etag: '"b"' })))
      .toEqual(['source changed on the server (ETag "a" → "b")']);
    expect(explain(at(locked), at({ source: 'url', url, size: 3 }))).toEqual(['source changed on the server (size 2 → 3)']);
  });

  it('workdir: the frontmatter path: of a container step is in the key and named', () => {
    const [a] = jobsOf(CONTAINER('/a'));
    const [b] = jobsOf(CONTAINER('/b'));
    expect(a!.record.workdir).toBe('/a');
    expect(a!.key).not.toBe(b!.key);
    expect(explain(a!.record, b!.record)).toEqual(['container working directory changed (/a → /b)']);
  });

  it('workdir: a host step records none, so path: does not touch host keys', () => {
    const doc = (path: string): string => `---\npath: ${path}\n---\n\n${fence}shark-run\necho a > /data/a.txt\n${fence}\n`;
    const [a] = jobsOf(doc('/a'));
    expect(a!.record.workdir).toBeNull();
    expect(a!.key).toBe(jobsOf(doc('/b'))[0]!.key);
  });

  it('outputs: a changed output list is named (through the CLI it is a new job identity)', () => {
    const [a] = jobsOf(`${fence}shark-run\necho a > /data/a.txt\n${fence}\n`);
    const b: KeyRecord = { ...a!.record, outputs: ['/data/b.txt'] };
    expect(explain(a!.record, b)).toEqual(['outputs changed']);
  });

  it('a record of an older format is reported once as a format change', () => {
    const [a] = jobsOf(`${fence}shark-run\necho a > /data/a.txt\n${fence}\n`);
    const old = { ...a!.record, v: 1 } as unknown as KeyRecord;
    expect(a!.record.v).toBe(KEY_VERSION);
    expect(explain(old, a!.record)).toEqual(['cache format changed']);
  });

  it('prose edits change no key: headings, paragraphs, surrounding text moved, sections renamed', () => {
    const before = [
      '# Title', '', 'Intro prose.', '', '## Make', '', 'Some text.', '',
      `${fence}shark-run {id=make}`, 'echo 1 > /data/one.txt', fence, '',
      '## Use', '', `${fence}shark-run {id=use}`, 'cat /data/one.txt > /data/two.txt', fence, '',
    ].join('\n');
    const after = [
      '# Another title', '', '## Making things', '', 'Text moved above the block.', '', 'A new paragraph.', '',
      `${fence}shark-run {id=make}`, 'echo 1 > /data/one.txt', fence, '', 'Text moved below it.', '',
      '## Using them (renamed)', '', '> a quote', '', `${fence}shark-run {id=use}`, 'cat /data/one.txt > /data/two.txt', fence, '', '- a list', '',
    ].join('\n');
    const a = keys(before);
    expect(a.size).toBe(2);
    expect(keys(after)).toEqual(a);
  });
});

/** One host pipeline run once, then edited: the edited job must run for the named reason. */
describe('key fields through shark plan --json', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-key-fields-');
  });
  afterEach(() => rig.cleanup());

  const doc = (opts: { front?: string; info?: string; pre?: string; cmd?: string; imports?: string } = {}): string => [
    ...(opts.front !== undefined ? ['---', opts.front, '---', ''] : []),
    '# K', '',
    ...(opts.imports !== undefined ? [`${fence}shark-import`, opts.imports, fence, ''] : []),
    `${fence}shark-run${opts.info ?? ''}`, ...(opts.pre !== undefined ? [opts.pre] : []),
    opts.cmd ?? 'echo ran >> counter; echo "$GREETING" > /data/out.txt', fence, '',
  ].join('\n');

  /** Runs `first`, writes `second` (and files), and returns the plan of the last run step. */
  async function edited(first: string, second: string, args: string[] = [], between?: () => void): Promise<PlanJson['jobs'][number]> {
    rig.write('p.md', first);
    const ran = await rig.shark(['run', 'p.md', ...args]);
    expect(ran.code, ran.stderr).toBe(0);
    rig.write('p.md', second);
    between?.();
    const plan = await rig.plan('p.md', ...args);
    return plan.jobs[plan.jobs.length - 1]!;
  }

  it('command', async () => {
    const job = await edited(doc(), doc({ cmd: 'echo ran >> counter; echo "$GREETING!" > /data/out.txt' }));
    expect([job.status, job.reasons]).toEqual(['run', ['command text changed']]);
  });

  it('cwd', async () => {
    const job = await edited(doc({ pre: 'cd /tmp' }), doc({ pre: 'cd /' }), [], () => undefined);
    expect([job.status, job.reasons]).toEqual(['run', ['working directory changed (/tmp → /)']]);
  });

  it('prelude', async () => {
    const job = await edited(doc({ pre: 'export A=1' }), doc({ pre: 'export A=2' }));
    expect([job.status, job.reasons]).toEqual(['run', ['export/set lines changed']]);
  });

  it('prelude: an assignment alone on its line, carried to the commands after it as sh does', async () => {
    const job = await edited(doc({ pre: 'GREETING=1' }), doc({ pre: 'GREETING=2' }));
    expect([job.status, job.reasons]).toEqual(['run', ['export/set lines changed']]);
    expect((await rig.plan('p.md')).jobs).toHaveLength(1);
  });

  it('variables', async () => {
    const job = await edited(doc({ front: 'GREETING: hi' }), doc({ front: 'GREETING: hello' }));
    expect([job.status, job.reasons]).toEqual(['run', ['variable GREETING changed (hi → hello)']]);
  });

  it('inputs', async () => {
    rig.write('in.txt', 'one\n');
    const withInput = doc({ front: 'inputs:\n  src: /data/in.txt', cmd: 'echo ran >> counter; cat /data/in.txt > /data/out.txt' });
    const job = await edited(withInput, withInput, ['-i', 'src=in.txt'], () => rig.write('in.txt', 'two\n'));
    expect(job.status).toBe('run');
    expect(job.reasons).toEqual([expect.stringMatching(/^input \/data\/in\.txt changed \([0-9a-f]{8}… → [0-9a-f]{8}…\)$/)]);
  });

  it('files', async () => {
    rig.write('script.sh', 'echo one\n');
    const withScript = doc({ cmd: 'echo ran >> counter; sh script.sh > /data/out.txt' });
    const job = await edited(withScript, withScript, [], () => rig.write('script.sh', 'echo two\n'));
    expect(job.status).toBe('run');
    expect(job.reasons).toEqual([expect.stringMatching(/^local file script\.sh changed \([0-9a-f]{8}… → [0-9a-f]{8}…\)$/)]);
  });

  it('files: a script the command still names, now gone, is said to be missing, not "no longer used"', async () => {
    rig.write('script.sh', 'echo one\n');
    const withScript = doc({ cmd: 'echo ran >> counter; sh script.sh > /data/out.txt' });
    const job = await edited(withScript, withScript, [], () => rmSync(rig.path('script.sh')));
    expect([job.status, job.reasons]).toEqual(['run', ['local file script.sh does not exist']]);
    rig.write('script.sh', 'echo one\n');
    const removed = await edited(withScript, doc({ cmd: 'echo ran >> counter; echo > /data/out.txt' }));
    // A command that stops naming it (its `sh` goes too: the program's reason follows).
    expect(removed.reasons.slice(0, 2)).toEqual(['command text changed', 'local file script.sh no longer used']);
  });

  it('inputs: the same bytes made executable say so, not the same hash twice', async () => {
    rig.write('in.txt', 'one\n');
    const withInput = doc({ front: 'inputs:\n  src: /data/in.txt', cmd: 'echo ran >> counter; cat /data/in.txt > /data/out.txt' });
    const job = await edited(withInput, withInput, ['-i', 'src=in.txt'], () => chmodSync(rig.path('in.txt'), 0o755));
    expect([job.status, job.reasons]).toEqual(['run', ['input /data/in.txt changed (mode: now executable)']]);
    const hex = 'ab'.repeat(32);
    expect(inputReasons([['/data/x', `sha256x:${hex}`]], [['/data/x', `sha256:${hex}`]])).toEqual(['input /data/x changed (mode: no longer executable)']);
  });

  it('outputs (a new identity, compared with the same step\'s last attempt)', async () => {
    const job = await edited(doc(), doc({ cmd: 'echo ran >> counter; echo "$GREETING" > /data/other.txt' }));
    expect([job.status, job.reasons]).toEqual(['run', ['command text changed', 'outputs changed']]);
  });

  it('network', async () => {
    const job = await edited(doc(), doc({ info: ' {network}' }));
    expect([job.status, job.reasons]).toEqual(['run', ['network enabled']]);
  });

  it('pin', async () => {
    rig.write('raw.csv', 'a,b\n');
    const withImport = doc({ imports: 'raw.csv /data/raw.csv', cmd: 'echo ran >> counter; cp /data/raw.csv /data/out.txt' });
    rig.write('p.md', withImport);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('raw.csv', 'a,b\n1,2\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs[0]!.status).toBe('run');
    // Abbreviated as every other id is (8 digits and …), so it reads as the same id its reader's input names.
    expect(plan.jobs[0]!.reasons).toEqual([expect.stringMatching(/^source sha256 changed \([0-9a-f]{8}… → [0-9a-f]{8}…\)$/)]);
    const pinned = plan.jobs[0]!.reasons[0]!.slice('source sha256 changed '.length);
    expect(plan.jobs[1]!.reasons).toEqual([`input /data/raw.csv changed ${pinned}`]);
  });

  it('pin of a local directory: its tree ids, old → new', async () => {
    rig.write('r/a.txt', 'a\n');
    rig.write('p.md', doc({ imports: 'file:r/ /data/r/', cmd: 'echo ran >> counter; cat /data/r/a.txt > /data/out.txt' }));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('r/a.txt', 'b\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs[0]!.reasons).toEqual([expect.stringMatching(/^source tree changed \([0-9a-f]{8}… → [0-9a-f]{8}…\)$/)]);
  });

  it('pin of a git commit whose lock entry was edited or removed: the lock has no entry for the clause\'s commit, not "tree → none"', async () => {
    const git = (...a: string[]): string => execFileSync('git', ['-C', rig.path('repo.git'), '-c', 'user.email=k@k', '-c', 'user.name=k', ...a], { encoding: 'utf8' }).trim();
    rig.write('repo.git/a.txt', 'a\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'one');
    const commit = git('rev-parse', 'HEAD');
    rig.write('p.md', doc({ imports: `file://${rig.path('repo.git')}@${commit} /data/r/`, cmd: 'echo ran >> counter; cat /data/r/a.txt > /data/out.txt' }));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const said = `source not pinned in the lock file (its entry is missing, or does not match the clause's commit ${commit.slice(0, 8)}…)`;
    rig.write('p.lock.json', rig.read('p.lock.json').replace(`"commit": "${commit}"`, `"commit": "${'d'.repeat(40)}"`));
    expect((await rig.plan('p.md')).jobs[0]!.reasons).toEqual([said]);
    rig.write('p.lock.json', '{"environments": {}, "imports": {}, "version": 1}\n');
    expect((await rig.plan('p.md')).jobs[0]!.reasons).toEqual([said]);
  });

  it('prose edits leave every job cached', async () => {
    const first = doc({ front: 'GREETING: hi' });
    const second = first.replace('# K', '# A renamed title\n\nA paragraph of new prose.\n\n## A section\n\nMore words.') + '\nTrailing notes.\n';
    rig.write('p.md', first);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', second);
    expect((await rig.plan('p.md')).summary).toEqual({ cached: 1, run: 0, blocked: 0 });
    expect(rig.count()).toBe(1);
  });
});
