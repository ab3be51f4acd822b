import { describe, expect, it } from 'vitest';
import { parseImportLine } from '../../src/pipeline/import-clause.js';

function clause(line: string) {
  const r = parseImportLine(line);
  if (!r.ok) throw new Error(`expected \`${line}\` to parse: ${r.message}`);
  return r.clause;
}

function problem(line: string): string {
  const r = parseImportLine(line);
  if (r.ok) throw new Error(`expected \`${line}\` to be rejected`);
  return `${r.offset}: ${r.message}`;
}

const MD5 = '0123456789abcdef0123456789abcdef';
const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('parseImportLine', () => {
  it('reads web URLs', () => {
    expect(clause('https://example.org/a.csv /data/a.csv')).toEqual({
      source: { scheme: 'url', url: 'https://example.org/a.csv' },
      raw: 'https://example.org/a.csv', dest: '/data/a.csv', destIsDir: false, checksum: undefined, extract: false,
    });
    expect(clause('http://example.org/a.csv?x=1#y /data/a.csv').source).toEqual({ scheme: 'url', url: 'http://example.org/a.csv?x=1#y' });
  });

  it('refuses a web URL no download could use, at check, where it says what is wrong', () => {
    expect(problem('http://localhost:99999/a.csv /data/a.csv')).toBe('17: port 99999 in `http://localhost:99999/a.csv` is not a port (1 to 65535)');
    expect(problem('http://localhost:0/a.csv /data/a.csv')).toBe('17: port 0 in `http://localhost:0/a.csv` is not a port (1 to 65535)');
    expect(problem('https://exa mple.org/a.csv /data/a.csv')).toBe('12: import destination `mple.org/a.csv` must be an absolute /data/... path');
    expect(problem('https://ex%ample.org/a.csv /data/a.csv')).toBe('0: `https://ex%ample.org/a.csv` is not a URL that can be downloaded (Invalid URL)');
    expect(problem('https:///a.csv /data/a.csv')).toBe('0: `https:///a.csv` is not a URL that can be downloaded: write http://HOST/PATH or https://HOST/PATH');
    expect(problem('http:/example.org/a.csv /data/a.csv')).toBe('0: `http:/example.org/a.csv` is not a URL that can be downloaded: write http://HOST/PATH or https://HOST/PATH');
    expect(problem('HTTPS://example.org/a.csv /data/a.csv')).toBe('0: `HTTPS://example.org/a.csv` is not a URL that can be downloaded: write http://HOST/PATH or https://HOST/PATH');
    // A secret's name stands for its value, which is not known at check.
    expect(clause('https://%{USER}:%{PASS}@example.org:8443/a.csv?token=%{T} /data/a.csv').source).toEqual({ scheme: 'url', url: 'https://%{USER}:%{PASS}@example.org:8443/a.csv?token=%{T}' });
    expect(clause('http://[::1]:8080/a.csv /data/a.csv').source).toEqual({ scheme: 'url', url: 'http://[::1]:8080/a.csv' });
  });

  it('reads git URLs ending in .git, with an optional ref', () => {
    expect(clause('https://gitlab.com/x/tools.git /data/tools/').source).toEqual({ scheme: 'git', url: 'https://gitlab.com/x/tools.git', ref: undefined });
    expect(clause('https://gitlab.com/x/tools.git@v2.1 /data/tools/').source).toEqual({ scheme: 'git', url: 'https://gitlab.com/x/tools.git', ref: 'v2.1' });
    expect(clause('git@github.com:x/models.git#main /data/models/').source).toEqual({ scheme: 'git', url: 'git@github.com:x/models.git', ref: 'main' });
    expect(clause('ssh://git@host/x/y.git /data/y').source).toEqual({ scheme: 'git', url: 'ssh://git@host/x/y.git', ref: undefined });
    // A repository is a directory whatever the destination says.
    expect(clause('ssh://git@host/x/y.git /data/y').destIsDir).toBe(true);
    expect(clause('https://github.com/quantifyearth/yirgacheffe.git /data/y/').source).toEqual({
      scheme: 'github', owner: 'quantifyearth', repo: 'yirgacheffe', ref: 'HEAD', path: undefined,
    });
  });

  it('reads the Zenodo forms', () => {
    expect(clause('zenodo:4058819/habitat.zip /data/habitat.zip').source).toEqual({ scheme: 'zenodo', record: '4058819', file: 'habitat.zip' });
    expect(clause('zenodo:4058819/dir/in/record.tif /data/r.tif').source).toEqual({ scheme: 'zenodo', record: '4058819', file: 'dir/in/record.tif' });
    expect(clause('zenodo:4058819 /data/record/')).toMatchObject({ source: { scheme: 'zenodo', record: '4058819', file: undefined }, destIsDir: true });
    expect(clause('https://zenodo.org/records/5719984/files/dem%20100m.tif?download=1 /data/dem.tif').source).toEqual({ scheme: 'zenodo', record: '5719984', file: 'dem 100m.tif' });
    expect(clause('https://zenodo.org/record/5719984/files/dem.tif /data/dem.tif').source).toEqual({ scheme: 'zenodo', record: '5719984', file: 'dem.tif' });
    expect(clause('https://zenodo.org/records/1/files/bad%ZZescape.tif /data/x.tif').source).toEqual({ scheme: 'zenodo', record: '1', file: 'bad%ZZescape.tif' });
    expect(clause('doi:10.5281/zenodo.6904020 /data/doi/').source).toEqual({ scheme: 'zenodo', record: '6904020', file: undefined });
    expect(clause('https://doi.org/10.5281/zenodo.6904020 /data/doi/').source).toEqual({ scheme: 'zenodo', record: '6904020', file: undefined });
  });

  it('reads pinned GitHub sources', () => {
    expect(clause('github:quantifyearth/aoh-calculator@v1.0.0 /data/aoh/')).toMatchObject({
      source: { scheme: 'github', owner: 'quantifyearth', repo: 'aoh-calculator', ref: 'v1.0.0', path: undefined },
      destIsDir: true,
    });
    // With a PATH the destination decides whether it is a file or a directory.
    expect(clause('github:quantifyearth/LIFE@a1b2c3d/requirements.txt /data/req.txt')).toMatchObject({
      source: { scheme: 'github', owner: 'quantifyearth', repo: 'LIFE', ref: 'a1b2c3d', path: 'requirements.txt' },
      destIsDir: false,
    });
    expect(clause('github:quantifyearth/LIFE@main/prepare_species /data/prep/').destIsDir).toBe(true);
    expect(clause(`github:o/r@v1/file.csv /data/f.csv sha256:${SHA}`).checksum).toEqual({ algorithm: 'sha256', hex: SHA });
  });

  it('reads local files', () => {
    expect(clause('file:inputs/species.csv /data/s.csv').source).toEqual({ scheme: 'file', path: 'inputs/species.csv' });
    expect(clause('file:///srv/elevation.tif /data/e.tif').source).toEqual({ scheme: 'file', path: '/srv/elevation.tif' });
    expect(clause('file://localhost/srv/elevation.tif /data/e.tif').source).toEqual({ scheme: 'file', path: '/srv/elevation.tif' });
    expect(clause('file://LocalHost/srv/e%20f.tif /data/e.tif').source).toEqual({ scheme: 'file', path: '/srv/e f.tif' });
    expect(clause('inputs/regions.geojson /data/r.geojson').source).toEqual({ scheme: 'file', path: 'inputs/regions.geojson' });
    expect(clause('./archive.tar.gz /data/archive/ extract').source).toEqual({ scheme: 'file', path: './archive.tar.gz' });
  });

  it('percent-decodes file: URIs, so a path may hold spaces', () => {
    expect(clause('file:my%20inputs/a%20b.csv /data/ab.csv')).toMatchObject({ source: { scheme: 'file', path: 'my inputs/a b.csv' }, raw: 'file:my%20inputs/a%20b.csv' });
    expect(clause('file:///srv/My%20Documents/e.tif /data/e.tif').source).toEqual({ scheme: 'file', path: '/srv/My Documents/e.tif' });
    expect(clause('file:100%25.csv /data/x.csv').source).toEqual({ scheme: 'file', path: '100%.csv' });
    // A malformed escape is kept as written; a plain path is never decoded.
    expect(clause('file:100%.csv /data/x.csv').source).toEqual({ scheme: 'file', path: '100%.csv' });
    expect(clause('in/a%20b.csv /data/x.csv').source).toEqual({ scheme: 'file', path: 'in/a%20b.csv' });
  });

  it('says how to write a path holding a space, written quoted, escaped or bare', () => {
    const how = (uri: string): string => `0: import lines are split at spaces: write a path holding spaces as a file: URI, each space as %20 (\`${uri}\`)`;
    expect(problem('"my inputs/a b.csv" /data/ab.csv')).toBe(how('file:my%20inputs/a%20b.csv'));
    expect(problem("'my inputs/a b.csv' /data/ab.csv")).toBe(how('file:my%20inputs/a%20b.csv'));
    expect(problem('my\\ inputs/a\\ b.csv /data/ab.csv')).toBe(how('file:my%20inputs/a%20b.csv'));
    expect(problem('my inputs/a b.csv /data/ab.csv')).toBe(how('file:my%20inputs/a%20b.csv'));
    expect(problem('"100% a.csv" /data/a.csv')).toBe(how('file:100%25%20a.csv'));
    expect(problem('"a.csv" /data/a.csv')).toBe('0: import lines are not quoted: write `a.csv` (a path holding spaces as a file: URI, each space as %20)');
  });

  it('reads checksums, extract and trailing comments', () => {
    expect(clause(`https://x.org/a.tif /data/a.tif md5:${MD5.toUpperCase()}`).checksum).toEqual({ algorithm: 'md5', hex: MD5 });
    expect(clause(`https://x.org/a.zip /data/a/ sha256:${SHA} extract`)).toMatchObject({ checksum: { algorithm: 'sha256', hex: SHA }, extract: true, destIsDir: true });
    expect(clause(`https://x.org/a.zip /data/a/ extract md5:${MD5}`)).toMatchObject({ checksum: { algorithm: 'md5' }, extract: true });
    expect(clause('https://x.org/a.csv /data/a.csv   # the countries')).toMatchObject({ dest: '/data/a.csv', extract: false });
  });

  it('points at the part of the line that is wrong', () => {
    expect(problem('github:acme/survey@v1/../.. /data/t/')).toBe('22: the path `../..` in a GitHub source may not hold `..`: name a path inside the repository');
    expect(problem('github:acme/survey@v1/a/../../x /data/t/')).toBe('24: the path `a/../../x` in a GitHub source may not hold `..`: name a path inside the repository');
    expect(clause('github:acme/survey@v1/a..b/..c /data/t/').source).toMatchObject({ path: 'a..b/..c' });
    expect(problem('ftp://example.org/a.tif /data/a.tif')).toBe('0: unknown import scheme `ftp:`: use https://, zenodo:, doi:, github:, a .git URL, file: or a local path');
    expect(problem('s3://bucket/key /data/a')).toBe('0: unknown import scheme `s3:`: use https://, zenodo:, doi:, github:, a .git URL, file: or a local path');
    expect(problem('https://x.org/a.csv')).toBe('0: an import line needs a source and a destination: SOURCE /data/DEST');
    expect(problem('https://x.org/a.csv data/a.csv')).toBe('20: import destination `data/a.csv` must be an absolute /data/... path');
    expect(problem('https://x.org/a.csv /tmp/a.csv')).toBe('20: import destination `/tmp/a.csv` is not a /data/... path');
    expect(problem('https://x.org/a.csv /data/../etc/passwd')).toBe('20: import destination path `/data/../etc/passwd` escapes /data');
    expect(problem('https://x.org/a.csv /data/a.csv md5:0123')).toBe('32: md5 checksum must have 32 hex digits, not 4');
    expect(problem(`https://x.org/a.csv /data/a.csv md5:${MD5} sha256:${SHA}`)).toBe(`${32 + 37}: give one checksum per import line`);
    expect(problem('https://x.org/a.csv /data/a.csv gzip')).toBe('32: unexpected `gzip`: after the destination come an optional md5:… or sha256:… checksum and `extract`');
    expect(problem('https://x.org/a.zip /data/a extract')).toBe('20: an extracted archive is imported into a directory: write the destination as `/data/a/`');
    expect(problem('zenodo:123 /data/record')).toBe('11: a whole Zenodo record is imported into a directory: write the destination as `/data/record/`');
    expect(problem(`zenodo:123 /data/record/ md5:${MD5}`)).toBe('25: a checksum pins one file; this source is a directory (it is identified by its record or commit)');
    expect(problem(`https://g.com/x.git /data/x/ extract md5:${MD5}`)).toBe('37: a checksum pins one file; this source is a directory (it is identified by its record or commit)');
    expect(problem('zenodo:abc/x.tif /data/x.tif')).toBe('0: Zenodo record id must be a number, not `abc`');
    expect(problem('doi:10.1000/xyz /data/x/')).toBe('0: only Zenodo DOIs (doi:10.5281/zenodo.RECORD) can be imported, not `doi:10.1000/xyz`');
    expect(problem('github:quantifyearth/LIFE /data/life/')).toBe('0: pin a ref: `github:quantifyearth/LIFE@REF` (a branch, tag or commit)');
    expect(problem('github:LIFE /data/life/')).toBe('0: malformed GitHub source `github:LIFE`: expected github:OWNER/REPO@REF[/PATH]');
    expect(problem('file: /data/x')).toBe('0: empty file: path');
    expect(problem('file:// /data/x')).toBe('0: empty file: path');
    expect(problem('file://localhost /data/x')).toBe('0: empty file: path');
    // Another machine's file is no local path: `//otherhost/x` was read as `/otherhost/x`.
    const remote = (host: string, path: string): string => `7: \`file://${host}${path}\` names a file on the host \`${host}\`: only this machine's files are imported: write \`file:///PATH\`, or \`file:PATH\` relative to the document`;
    expect(problem('file://otherhost/x /data/x')).toBe(remote('otherhost', '/x'));
    expect(problem('file://server.lan /data/x/')).toBe(remote('server.lan', ''));
    // Decoded, a NUL is said at its `%` (the import looked for a file named with it, and said it did not exist).
    expect(problem('file:my%00x /data/x')).toBe('7: `%00` in `file:my%00x` is a NUL byte, which no file name holds');
  });

  it('refuses a DEST with a name longer than a file name can be, at that name: the import failed in the store, as ENAMETOOLONG', () => {
    const long = 'é'.repeat(128);
    expect(problem(`https://e.org/a.csv /data/d/${long}/x.csv`)).toBe(`28: import destination name \`${long}\` is longer than a file name can be (256 bytes, at most 255)`);
    expect(clause(`https://e.org/a.csv /data/d/${'a'.repeat(255)}`).dest).toBe(`/data/d/${'a'.repeat(255)}`);
  });
});
