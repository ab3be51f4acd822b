import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';
import { shell } from './batch.js';

describe('shark shell reading commands from standard input', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-shell-stdin-');
  });
  afterEach(() => rig.cleanup());

  it('prints a transcript and saves on exit with --save; steps left as dead ends are not saved', async () => {
    rig.write('inputs/names.txt', 'b\na\n');
    const ran = await shell(rig, ['--save', 'names.md'], [
      ':import inputs/names.txt /data/names.txt',
      'sort /data/names.txt > /data/sorted.txt',
      'echo tmp > /data/tmp.txt',
      'rm /data/tmp.txt',
      'head -1 /data/sorted.txt > /data/first.txt',
      '',
    ].join('\n'));
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('shark> :import inputs/names.txt /data/names.txt\n[step 1: wrote /data/names.txt]\n');
    expect(ran.stdout).toContain('shark> rm /data/tmp.txt\n[step 4: deleted /data/tmp.txt]\n');
    expect(ran.stdout).toContain('saved names.md: 3 steps\n');
    const doc = rig.read('names.md');
    expect(doc).not.toContain('tmp.txt');
    expect(doc).toContain('```shark-import\ninputs/names.txt /data/names.txt\n```');
    expect(doc).toContain('```shark-run\nsort /data/names.txt > /data/sorted.txt\nhead -1 /data/sorted.txt > /data/first.txt\n```');
    expect(doc).toContain('```shark-publish\n/data/first.txt\n```');
    expect(await rig.plan('names.md')).toMatchObject({ summary: { cached: 3, run: 0, blocked: 0 } });
  });

  it("takes a line starting with the shell's `:` command (a colon, then a space or nothing) as a shell line, not a shell command", async () => {
    const ran = await shell(rig, [], [': > /data/empty.txt', ':', ':nosuch', ''].join('\n'));
    expect(ran.stdout).toContain('shark> : > /data/empty.txt\n[step 1: wrote /data/empty.txt]\n');
    expect(ran.stdout).toContain('shark> :\n[inspection: /data unchanged]\n');
    expect(ran.stdout).toContain('shark: unknown command :nosuch (type :help)');
  });

  it('refuses an argument to a command that takes none (`:undo 1` undoes nothing), and a second one to :env', async () => {
    const ran = await shell(rig, [], ['echo a > /data/a.txt', ':undo 1', ':history all', ':dag x', ':help me', ':env host py', ':quit now', 'ls /data', ''].join('\n'));
    expect(ran.stdout).toContain('shark> :undo 1\nusage: :undo (it takes no argument: it reverts the last step)\n');
    expect(ran.stdout).toContain('shark> :history all\nusage: :history (it takes no argument)\n');
    expect(ran.stdout).toContain('shark> :dag x\nusage: :dag (it takes no argument)\n');
    expect(ran.stdout).toContain('shark> :help me\nusage: :help (it takes no argument)\n');
    expect(ran.stdout).toContain('shark> :env host py\nusage: :env [NAME] (one environment)\n');
    expect(ran.stdout).toContain('shark> :quit now\nusage: :quit (it takes no argument)\n');
    expect(ran.stdout).toContain('shark> ls /data\na.txt\n[inspection: /data unchanged]\n');
  });

  it('ends output without a final newline before the bracketed line', async () => {
    const ran = await shell(rig, [], ['printf abc', 'printf partial; exit 3', ''].join('\n'));
    expect(ran.stdout).toContain('shark> printf abc\nabc\n[inspection: /data unchanged]\n');
    expect(ran.stdout).toContain('shark> printf partial; exit 3\npartial\n[failed: exit status 3; its writes were discarded]\n');
  });

  it('refuses to keep a change in place, which a pipeline cannot say, and leaves /data as it was', async () => {
    const ran = await shell(rig, [], ['echo one > /data/log.txt', 'echo two >> /data/log.txt', 'cat /data/log.txt', ''].join('\n'));
    expect(ran.stdout).toContain('[failed: not kept: it changes /data/log.txt in place (written by step 1): a pipeline writes each path once, so write a new file instead; its writes were discarded]');
    expect(ran.stdout).toContain('shark> cat /data/log.txt\none\n[inspection: /data unchanged]');
  });

  it('runs /data alone only to look: a command naming it that changes /data is not kept, as a document refuses it; a path out of /data never runs', async () => {
    rig.write('in.txt', 'v1\n');
    const ran = await shell(rig, ['--save', 'out.md'], [
      ':import in.txt /data/in.txt', 'ls /data', 'ls /data > /data/list.txt', 'echo hi > /data/../escape.txt', 'cat /data/in.txt > /data/copy.txt', '',
    ].join('\n'));
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('shark> ls /data\nin.txt\n[inspection: /data unchanged]\n');
    expect(ran.stdout).toContain('shark> ls /data > /data/list.txt\n[failed: not kept: `/data` names /data itself: name a file or directory under it; its writes were discarded]\n');
    expect(ran.stdout).toContain('shark> echo hi > /data/../escape.txt\n[failed: path `/data/../escape.txt` escapes /data]\n');
    expect(rig.read('out.md')).not.toContain('list.txt');
    const again = await rig.shark(['run', 'out.md', '--force', 'run']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('writes #comments as prose: a fence, an HTML comment or a heading typed as a comment opens nothing in the saved document', async () => {
    const ran = await shell(rig, ['--save', 'out.md'], [
      'echo a > /data/a.txt',
      '#```shark-run',
      `#touch ${rig.path('injected.txt')}`,
      '#```',
      '#~~~',
      '#<!--',
      '#  # not a heading',
      '#---',
      '#1. not a list',
      'echo b > /data/b.txt',
      '',
    ].join('\n'));
    expect(ran.code).toBe(0);
    expect(ran.stdout).not.toContain('failed');
    expect(ran.stdout).toContain('saved out.md: 2 steps\n');
    expect(rig.read('out.md')).toContain('\n\\```\n\n\\~~~\n\n\\<!--\n\n\\# not a heading\n\n\\---\n\n1\\. not a list\n');
    expect(rig.read('out.md')).toContain('```shark-run\necho b > /data/b.txt\n```');
    const checked = await rig.shark(['check', 'out.md']);
    // The two steps' blocks, split by the comments, and the publish block.
    expect(checked.stdout).toBe('out.md: ok — 3 blocks, 3 steps, 0 environments\n');
    expect(await rig.plan('out.md')).toMatchObject({ summary: { cached: 2, run: 0, blocked: 0 } });
    expect((await rig.shark(['run', 'out.md', '-j', '1'])).code).toBe(0);
    expect(rig.exists('injected.txt')).toBe(false);
  });

  it(':import takes a whole import line: a checksum and extract too', async () => {
    rig.write('inputs/rain.csv', 'north,12\n');
    rig.write('bundle/a.txt', 'a\n');
    execFileSync('tar', ['-czf', 'bundle.tar.gz', '-C', 'bundle', 'a.txt'], { cwd: rig.dir });
    const md5 = createHash('md5').update('north,12\n').digest('hex');
    const ran = await shell(rig, ['--save', 'imports.md'], [
      `:import inputs/rain.csv /data/rain.csv md5:${md5}`,
      ':import bundle.tar.gz /data/bundle/ extract',
      `:import inputs/rain.csv /data/bad.csv md5:${'0'.repeat(32)}`,
      ':import inputs/rain.csv /data/x.csv sha256:12',
      '',
    ].join('\n'));
    expect(ran.stdout).toContain('[step 1: wrote /data/rain.csv]');
    expect(ran.stdout).toContain('[step 2: wrote /data/bundle]');
    expect(ran.stdout).toMatch(/:import inputs\/rain.csv \/data\/bad.csv md5:0+\n\[failed: .*checksum/);
    expect(ran.stdout).toContain(':import inputs/rain.csv /data/x.csv sha256:12\n[failed: sha256 checksum must have 64 hex digits, not 2]');
    expect(rig.read('imports.md')).toContain(`\`\`\`shark-import\ninputs/rain.csv /data/rain.csv md5:${md5}\nbundle.tar.gz /data/bundle/ extract\n\`\`\``);
    expect(await rig.plan('imports.md')).toMatchObject({ summary: { cached: 2, run: 0, blocked: 0 } });
  });

  it('a :save that cannot be written is one line, and the shell goes on', async () => {
    const ran = await shell(rig, [], ['echo q > /data/q.txt', ':save nodir/q.md', ':save .', ':save q.md', ''].join('\n'));
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toContain('shark> :save nodir/q.md\nshark: cannot save nodir/q.md: no such directory nodir\nshark> ');
    expect(ran.stdout).toContain('shark> :save .\nshark: cannot save .: it is a directory\nshark> ');
    expect(ran.stdout).toContain('saved q.md: 1 step\n');
  });

  it('saves no document a session without a step could not make valid: says so, :save and --save alike', async () => {
    const ran = await shell(rig, ['--save', 'empty.md'], ':save e2.md\n');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('shark: nothing to save to e2.md: no command of this session has changed /data yet');
    expect(ran.stdout).toContain('nothing saved to empty.md: the session made no step\n');
    expect(rig.exists('empty.md') || rig.exists('e2.md')).toBe(false);
  });

  it('leaves out of the publish block a path with a space, which the block would split, and says so: the document checks', async () => {
    const ran = await shell(rig, [], ['echo x > "/data/a b.txt"', 'echo y > /data/c.txt', ':save out.md', ''].join('\n'));
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('saved out.md: 2 steps\nshark: warning: /data/a b.txt is not in the shark-publish block: a publish block splits paths on spaces\n');
    expect(rig.read('out.md')).toContain('```shark-publish\n/data/c.txt\n```');
    const checked = await rig.shark(['check', 'out.md']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(await rig.plan('out.md')).toMatchObject({ summary: { cached: 2, run: 0, blocked: 0 } });
  });

  it('saves nothing of a session on FILE that made no step: FILE alone is no new document, and FILE is not rewritten', async () => {
    const pipeline = '```shark-run\necho hi > /data/hi.txt\n```\n';
    rig.write('p.md', pipeline);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const ran = await shell(rig, ['p.md', '--save', 'new2.md'], 'ls /data\n:save new.md\n:save! p.md\n');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('shark> :save new.md\nshark: nothing to save to new.md: no command of this session has changed /data yet');
    expect(ran.stdout).toContain('shark> :save! p.md\nshark: nothing to save to p.md: no command of this session has changed /data yet');
    expect(ran.stdout).toContain('nothing saved to new2.md: the session made no step\n');
    expect(rig.exists('new.md') || rig.exists('new2.md')).toBe(false);
    expect(rig.read('p.md')).toBe(pipeline);
  });

  it('--save to a directory that does not exist is refused at start-up (exit 2)', async () => {
    const ran = await shell(rig, ['--save', 'nodir/x.md'], 'echo q > /data/q.txt\n');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('shark: error: --save nodir/x.md: no such directory nodir\n');
  });

  it.each([
    ['empty', '', 'shark: error: --save is empty: name the markdown file to write the pipeline to\n'],
    ['a loop of links', 'loop', 'shark: error: --save loop: too many levels of symbolic links\n'],
    ['a name of 300 characters', 'a'.repeat(300), `shark: error: --save ${'a'.repeat(300)}: file name too long\n`],
  ])('--save %s is refused at start-up (exit 2), not when the session\'s document is lost at its end', async (_, path, said) => {
    symlinkSync('loop', rig.path('loop'));
    const ran = await shell(rig, ['--save', path], 'echo q > /data/q.txt\n');
    expect(ran.stderr).toBe(said);
    expect(ran.code).toBe(2);
  });

  it('-i without FILE is refused at start-up (exit 2): there is no frontmatter input to bind, as -i of one FILE lacks is refused', async () => {
    for (const input of ['src=in.csv', 'in.csv']) {
      const ran = await shell(rig, ['-i', input], 'echo q > /data/q.txt\n');
      expect([ran.code, ran.stdout]).toEqual([2, '']);
      expect(ran.stderr).toBe(`shark: error: -i ${input}: without FILE there is no frontmatter input to bind (shark shell FILE -i NAME=PATH)\n`);
    }
  });

  it('a reader that closes stdout early (shell < cmds | head -1) ends it quietly with 141, saying nothing', async () => {
    const child = spawn(process.execPath, [SHARK, 'shell', '--save', 'x.md'], { cwd: rig.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.end('echo a > /data/a.txt\nsleep 1\necho b > /data/b.txt\nls /data\n');
    const code = await new Promise((done) => child.on('close', done));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
    expect(rig.exists('x.md')).toBe(false);
  });

  it('--save that fails at exit says so and exits 1', async () => {
    // The directory is there at start-up and gone at exit.
    rig.write('later/keep', '');
    const ran = await shell(rig, ['--save', 'later/x.md'], `echo q > /data/q.txt\nrm -r ${rig.path('later')}\n`);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toBe('shark: error: cannot save later/x.md: no such directory later; the session\'s document was not written\n');
  });

  it(':save over an existing file the session did not save (FILE above all) is refused; :save! overwrites it', async () => {
    const pipeline = '```shark-run\necho hi > /data/hi.txt\n```\n';
    rig.write('p.md', pipeline);
    rig.write('notes.md', 'mine\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const ran = await shell(rig, ['p.md'], [
      'echo q > /data/q.txt', ':save p.md', ':save notes.md', ':save out.md', ':save out.md', ':save! notes.md', '',
    ].join('\n'));
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('shark> :save p.md\nshark: p.md exists (the pipeline this shell started from): `:save! p.md` overwrites it, or save under another name\n');
    expect(ran.stdout).toContain('shark> :save notes.md\nshark: notes.md exists: `:save! notes.md` overwrites it, or save under another name\n');
    // A file this session saved is its own: saving it again needs no `!`.
    expect(ran.stdout.match(/saved out\.md: 1 step\n/g)).toHaveLength(2);
    expect(ran.stdout).toContain('shark> :save! notes.md\nsaved notes.md: 1 step\n');
    expect(rig.read('p.md')).toBe(pipeline);
    expect(rig.read('notes.md')).toContain('echo q > /data/q.txt');
  });

  it('a FILE whose results are not computed yet is one line and exit 2', async () => {
    rig.write('p.md', '```shark-run\necho hi > /data/hi.txt\n```\n');
    const ran = await shell(rig, ['p.md'], '');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('shark: error: p.md: step run (line 2) is not cached: run the document first (`shark run p.md`)\n');
  });

  it('FILE run with a shark.yaml beside it, which the shell does not read: the error says so, not to run the document', async () => {
    rig.write('p.md', '---\nX: a\n---\n\n## One\n\n```shark-run\necho "$X" > /data/one.txt\n```\n');
    rig.write('shark.yaml', 'frontmatter:\n  X: b\nenv:\n  Y: c\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const ran = await shell(rig, ['p.md'], 'cat /data/one.txt\n');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      'shark: error: p.md: step one (line 8) is not cached with the values p.md gives: shark shell reads no config file, '
      + 'and shark.yaml beside p.md gives others (frontmatter X, env Y), which `shark run p.md` uses (give them in p.md to open its results here)\n',
    );
  });

  it('an environment FILE does not define is one line naming those it does, exit 2, before any is built (it failed building another)', async () => {
    // An environment no step uses, which cannot be built: the shell built every one first, and said only that.
    rig.write('p.md', '## One\n\n```shark-build:py\nFROM scratch\nRUN false\n```\n\n```shark-run\necho 1 > /data/one.txt\n```\n');
    rig.write('q.md', '## One\n\n```shark-run\necho 1 > /data/one.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'q.md'])).code).toBe(0);
    const file = await shell(rig, ['p.md', '--env', 'gdal'], '');
    expect(file.code).toBe(2);
    expect(file.stderr).toBe('shark: error: --env gdal: environment `gdal` has no shark-build block in p.md (defined: host, py)\n');
    const none = await shell(rig, ['q.md', '--env', 'gdal'], '');
    expect(none.stderr).toBe('shark: error: --env gdal: environment `gdal` has no shark-build block in q.md (defined: host)\n');
    const alone = await shell(rig, ['--env', 'gdal'], '');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(
      'shark: error: --env gdal: environment `gdal` has no shark-build block: without FILE, commands run on the host only (defined: host); '
      + 'start the shell with a document whose shark-build blocks define environments\n',
    );
  });
});
