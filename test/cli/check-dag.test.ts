import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, expectGolden } from '../helpers/golden.js';

/** Runs the built CLI from the repository root, as a user would. */
function shark(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin', 'shark.js'), ...args], { cwd: ROOT, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

const noStackTrace = (text: string): void => {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toContain('internal error');
};

const FORMAT = 'fixtures/format';
const GOOD = readdirSync(join(ROOT, FORMAT)).filter((f) => f.endsWith('.md')).sort();
const BAD = readdirSync(join(ROOT, FORMAT, 'bad')).filter((f) => f.endsWith('.md')).sort();

/** The one error each bad document gets, as the first line of `shark check`. */
const EXPECTED: Record<string, string> = {
  'bad-checksum.md': '4:55: error: md5 checksum must have 32 hex digits, not 16',
  'bad-dockerfile.md': '5:1: error: unknown Dockerfile instruction `RUM`',
  'bad-obuilder.md': '4:1: error: unbalanced `(`: missing `)`',
  'bad-timeout.md': '3:15: error: invalid timeout `ten minutes`: write seconds or a duration like 30s, 10m, 2h',
  'deep-nesting.md': '7:101: error: nesting deeper than 100 levels of lists or quotes: Shark does not read documents nested this deeply',
  'build-without-name.md': '3:4: error: `shark-build` needs an environment name: shark-build:ENV',
  'dest-outside-data.md': '4:35: error: import destination `/tmp/countries.csv` is not a /data/... path',
  'duplicate-env.md': '7:16: error: environment `gdal` is defined twice',
  'duplicate-id.md': '7:24: error: block id `prepare` is used twice (first at fixtures/format/bad/duplicate-id.md:3)',
  'dynamic-path.md': '4:50: error: `/data/$species.txt`: name a fixed directory under /data before any `$`, such as /data/maps/$NAME, so that Shark knows which step writes it',
  'empty-option.md': '3:23: error: empty option in `{network,}`: remove the extra `,` or write the option that belongs there',
  'empty.md': '1:1: error: no Shark blocks in this document: tag code blocks as shark-run, shark-build, shark-import or shark-publish',
  'escapes-data.md': '4:4: error: path `/data/../etc/passwd` escapes /data',
  'extract-to-file.md': '4:31: error: an extracted archive is imported into a directory: write the destination as `/data/tiles/`',
  'github-without-ref.md': '4:1: error: pin a ref: `github:quantifyearth/aoh-calculator@REF` (a branch, tag or commit)',
  'import-escapes-data.md': '4:28: error: import destination path `/data/../etc/passwd` escapes /data',
  'input-not-data.md': '3:12: error: input `species`: `/home/me/species.csv` is not a /data/... path',
  'invalid-utf8.md': '3:13: error: invalid UTF-8 (byte 0xe9): save the document as UTF-8',
  'invalid-yaml.md': '4:12: error: the list opened by `[` is never closed: end it with `]`',
  'malformed-tag.md': '3:4: error: malformed tag `shark-run:a:b:c`: expected shark-run or shark-run:ENV',
  'map-without-writer.md': '4:17: error: maps over `/data/tiles/`, which no earlier step writes or imports and no frontmatter input names: to map over a directory of your own, declare it (`inputs:` with `tiles: /data/tiles/`) and bind it with `-i tiles=DIR`',
  'nul-byte.md': '4:8: error: NUL byte in the document: a pipeline document is text (remove the byte or import the data from a file)',
  'plus-without-map.md': "8:55: error: `+` names each map job's output after its item, but this command has no wildcard input such as /data/dir/*",
  'publish-dir-absolute.md': "7:18: error: publish directory `/var/www` must be relative and stay inside the pipeline's directory",
  'publish-space.md': '8:13: error: `/data/out/my results/a.txt`: a published path cannot hold a space (a publish block separates its paths by spaces and reads no quotes, so this is `/data/out/my` and `results/a.txt`): publish the directory `/data/out/` that holds it, or have the step write a name without a space',
  'publish-unwritten.md': '9:1: error: publishes `/data/goodbye.txt`, which no step writes or imports',
  'read-without-writer.md': '17:8: error: reads `/data/regions.csv`, which no earlier step writes or imports and no frontmatter input names',
  'relative-dest.md': '4:35: error: import destination `data/countries.csv` must be an absolute /data/... path',
  'two-writers.md': '8:17: error: `/data/result.txt` is written by two steps: `two-steps-write-one-file` and `two-steps-write-one-file-2` (each path has one writer)',
  'unclosed-heredoc.md': '4:24: error: here-document is never closed: no `EOF` line before the end of the block',
  'unclosed-if.md': '4:1: error: `if` is never closed: no `fi` before the end of the block',
  'unclosed-bracket.md': '8:22: error: unclosed `[` in the wildcard `[ab*.tif`: close the set with `]`, as in `[ab]*`',
  'unknown-option.md': '3:24: error: unknown option `gpus` for shark-run (allowed: id, network, timeout, threads, memory, pool, skip, manual, precious, deps, slurm)',
  'unknown-scheme.md': '5:1: error: unknown import scheme `ftp:`: use https://, zenodo:, doi:, github:, a .git URL, file: or a local path',
  'variable-without-value.md': '3:7: error: the variable `YEAR` has no value: a variable is a plain string, number or boolean (`YEAR: ""` for an empty string)',
  'unterminated-fence.md': '7:1: error: unterminated code fence: nothing closes the ``` opened here',
  'unterminated-quote.md': '4:6: error: unterminated double quote',
  'plus-twice.md': '8:61: error: `+` may be only once in `/data/doubled/+/+.tif`',
  'write-frontmatter-input.md': '9:18: error: `/data/species.csv` is frontmatter input `species`; step `overwriting-an-input` cannot also write it (each path has one writer)',
  'nothing-writes.md': '8:4: error: nothing writes /data/tiles/: `ls` only reads it; write it in an earlier step, import it, or name it as a frontmatter input',
};

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('the CLI is not built: run `npx tsc -p tsconfig.json` (npm test does) before these tests');
  }
});

// Each test spawns a process of its own: they run side by side.
describe.concurrent('shark check', () => {
  it.each(GOOD)('accepts fixtures/format/%s', async (name) => {
    const r = await shark('check', `${FORMAT}/${name}`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^${FORMAT}/${name.replace('.', '\\.')}: ok — \\d+ blocks?, \\d+ steps?, \\d+ environments?\\n$`));
    expect(r.status).toBe(0);
  });

  it('summarises what it found', async () => {
    expect((await shark('check', `${FORMAT}/ecology.md`)).stdout).toBe(`${FORMAT}/ecology.md: ok — 10 blocks, 13 steps, 1 environment\n`);
  });

  it('has one expected error for every bad fixture, and a fixture for every expected error', async () => {
    expect(BAD).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(BAD)('rejects fixtures/format/bad/%s with one error at its place, and exit status 2', async (name) => {
    const file = `${FORMAT}/bad/${name}`;
    const r = await shark('check', file);
    expect(r.stderr.split('\n')[0]).toBe(`${file}:${EXPECTED[name]}`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.match(/: error: /g)).toHaveLength(1);
    expect(r.stderr.endsWith(`\n1 error in ${file}\n`)).toBe(true);
    noStackTrace(r.stderr);
    expectGolden(`diagnostics/${name.replace(/\.md$/, '.txt')}`, r.stderr);
  });

  it('reports a file that does not exist', async () => {
    const r = await shark('check', `${FORMAT}/no-such-file.md`);
    expect([r.status, r.stdout, r.stderr]).toEqual([2, '', `${FORMAT}/no-such-file.md: error: cannot read pipeline: no such file\n`]);
  });

  it('reports a directory given as the file', async () => {
    const r = await shark('check', FORMAT);
    expect([r.status, r.stdout, r.stderr]).toEqual([2, '', `${FORMAT}: error: cannot read pipeline: is a directory, not a markdown file\n`]);
  });

  it('says why a name that is not UTF-8 names no file: Node gave U+FFFD in place of its bytes', async () => {
    const r = await shark('check', `${FORMAT}/caf\ufffd.md`);
    expect([r.status, r.stderr]).toEqual([2, `${FORMAT}/caf\ufffd.md: error: cannot read pipeline: no such file (a name that is not UTF-8 cannot be given on the command line: Node reads its bytes as U+FFFD; rename the file, or give it through a link of a UTF-8 name)\n`]);
  });

  it('reports a file named as a directory (a trailing /) in words, not as Node\'s ENOTDIR', async () => {
    const file = `${FORMAT}/${readdirSync(FORMAT).find((f) => f.endsWith('.md'))!}/`;
    const r = await shark('check', file);
    expect([r.status, r.stdout, r.stderr]).toEqual([2, '', `${file.slice(0, -1)}: error: cannot read pipeline: not a directory: a part of the path is a file (a trailing \`/\`?)\n`]);
  });

  it('shows an absolute path as given when it is outside the working directory', async () => {
    const r = await shark('check', '/nonexistent/pipeline.md');
    expect([r.status, r.stderr]).toEqual([2, '/nonexistent/pipeline.md: error: cannot read pipeline: no such file\n']);
  });
});

describe.concurrent('shark dag', () => {
  it.each(GOOD)('prints the DAG of fixtures/format/%s as text', async (name) => {
    const r = await shark('dag', `${FORMAT}/${name}`);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expectGolden(`dag/${name.replace(/\.md$/, '.txt')}`, r.stdout);
  });

  it.each(['json', 'dot', 'mermaid'])('prints the ecology DAG as %s', async (format) => {
    const r = await shark('dag', `${FORMAT}/ecology.md`, '--format', format);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expectGolden(`dag/ecology.${format === 'mermaid' ? 'mmd' : format}`, r.stdout);
  });

  it.each(['json', 'dot', 'mermaid'])('prints the map/reduce DAG as %s', async (format) => {
    const r = await shark('dag', `${FORMAT}/wildcards.md`, '-f', format);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expectGolden(`dag/wildcards.${format === 'mermaid' ? 'mmd' : format}`, r.stdout);
  });

  it('takes --json for --format json, and prints the block contract', async () => {
    const r = await shark('dag', `${FORMAT}/ecology.md`, '--json');
    expect(r.stdout).toBe((await shark('dag', `${FORMAT}/ecology.md`, '--format', 'json')).stdout);
    const json = JSON.parse(r.stdout) as { blocks: { id: string; kind: string; env: string | null; line: number; section: string; inputs: string[]; outputs: string[]; after: string[] }[] };
    const aoh = json.blocks.find((b) => b.id === 'area-of-habitat')!;
    expect(aoh).toMatchObject({ kind: 'run', env: 'life', line: 88, section: 'Area of habitat', outputs: ['/data/aoh/'] });
    expect(aoh.inputs).toContain('/data/species/*.geojson');
    expect(aoh.after).toEqual(['tools', 'download-the-base-layers', 'habitat-layers', 'elevation', 'pixel-area', 'species']);
  });

  it('rejects a bad document with the same diagnostics as check', async () => {
    const file = `${FORMAT}/bad/two-writers.md`;
    const r = await shark('dag', file, '--format', 'mermaid');
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe((await shark('check', file)).stderr);
  });

  // The text format printed a heading as written: an escape sequence in it cleared the terminal.
  it('shows a heading or a path holding a control character escaped in the text format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-dag-'));
    try {
      writeFileSync(join(dir, 'p.md'), '# A \x1b[2J head\n\n```shark-run\necho x > "/data/a\x1bXb.txt"\n```\n');
      const r = await shark('dag', join(dir, 'p.md'));
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toContain('§ A \\x1b[2J head)');
      expect(r.stdout).toContain('writes:  "/data/a\\u001bXb.txt"');
      expect(r.stdout).not.toContain('\x1b');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown format without a stack trace', async () => {
    const r = await shark('dag', `${FORMAT}/ecology.md`, '--format', 'svg');
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain("error: option '-f, --format <format>' argument 'svg' is invalid. Allowed choices are text, json, dot, mermaid.");
    noStackTrace(r.stderr);
  });

  it('reports a missing file argument without a stack trace', async () => {
    const r = await shark('dag');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: missing required argument 'file'");
    noStackTrace(r.stderr);
  });
});
