import { describe, expect, it } from 'vitest';
import { isSharkInfo, parseTag } from '../../src/markdown/tags.js';

const HASH64 = '84f2ece89c2baae67f461ed371168716821c7ed1309e431f12ba7a491dbc8ef9';

function ok(lang: string, meta = '') {
  const r = parseTag(lang, meta);
  if (r.ok !== true) throw new Error(`expected ${lang} ${meta} to parse: ${JSON.stringify(r)}`);
  return r.tag;
}

function bad(lang: string, meta = '') {
  const r = parseTag(lang, meta);
  if (r.ok) throw new Error(`expected ${lang} ${meta} to be rejected`);
  return r;
}

describe('isSharkInfo', () => {
  it('recognises a Shark tag by its prefix only', () => {
    expect(isSharkInfo('shark-run')).toBe(true);
    expect(isSharkInfo('shark-whatever')).toBe(true);
    expect(isSharkInfo('python')).toBe(false);
    expect(isSharkInfo('sharkrun')).toBe(false);
    expect(isSharkInfo('')).toBe(false);
    expect(isSharkInfo(null)).toBe(false);
    expect(isSharkInfo(undefined)).toBe(false);
  });
});

describe('parseTag', () => {
  it('names an invisible space in the tag rather than showing it as a space', () => {
    expect(bad('shark-run\u00a0', '{id=x}')).toEqual({
      ok: false, offset: 9,
      message: 'a non-breaking space (U+00A0) after `shark-run`: a tag ends at an ordinary space (this one reads as `shark-run\\u00a0`)',
    });
    expect(bad('shark-run:env\u200b').message).toMatch(/^a zero-width space \(U\+200B\) after `shark-run:env`/);
  });

  it('reads each kind with its argument', () => {
    expect(ok('shark-build:gdal')).toEqual({ kind: 'build', arg: 'gdal', options: {} });
    expect(ok('shark-run:gdal')).toEqual({ kind: 'run', arg: 'gdal', options: {} });
    expect(ok('shark-run')).toEqual({ kind: 'run', arg: undefined, options: {} });
    expect(ok('shark-import')).toEqual({ kind: 'import', arg: undefined, options: {} });
    expect(ok('shark-publish')).toEqual({ kind: 'publish', arg: undefined, options: {} });
    expect(ok('shark-publish:results/figures')).toEqual({ kind: 'publish', arg: 'results/figures', options: {} });
  });

  it('accepts and ignores a trailing hash, as the original Shark writes it', () => {
    expect(ok(`shark-build:gdal-env:${HASH64}`).arg).toBe('gdal-env');
    expect(ok(`shark-run:gdal-env:${HASH64}`).arg).toBe('gdal-env');
    expect(ok(`shark-run:gdal:sha256:${HASH64}`).arg).toBe('gdal');
    expect(ok('shark-run::abcdef12').arg).toBeUndefined();
    expect(ok(`shark-import:${HASH64}`).kind).toBe('import');
    expect(ok(`shark-import:elevation:${HASH64}`).kind).toBe('import');
    expect(ok(`shark-publish:out:${HASH64}`).arg).toBe('out');
  });

  it('treats `shark-run:host` as the host and reserves `host` for it', () => {
    expect(ok('shark-run:host').arg).toBeUndefined();
    expect(bad('shark-build:host').message).toBe('`host` is reserved for steps that run on the host: name the environment something else');
  });

  it('rejects a malformed tag at the tag', () => {
    expect(bad('shark-run:a:b:c')).toEqual({ ok: false, offset: 0, message: 'malformed tag `shark-run:a:b:c`: expected shark-run or shark-run:ENV' });
    // After a second `:`, the original Shark's hash, which the message says it must be.
    expect(bad('shark-run:gdal:nothex').message).toBe('malformed tag `shark-run:gdal:nothex`: expected shark-run or shark-run:ENV; after a second `:` the original Shark\'s hash (`shark-run:gdal:HASH`), 6 or more hex digits, not `nothex`');
    expect(bad('shark-run::abc').message).toBe('malformed tag `shark-run::abc`: expected shark-run or shark-run:ENV; after a second `:` the original Shark\'s hash (`shark-run::HASH`), 6 or more hex digits, not `abc`');
    expect(bad('shark-build:a:b:c').message).toBe('malformed tag `shark-build:a:b:c`: expected shark-build:ENV');
    expect(bad('shark-import:a:b:c').message).toBe('malformed tag `shark-import:a:b:c`: expected shark-import or shark-import:ALIAS');
    expect(bad('shark-publish:a:b:c').message).toBe('malformed tag `shark-publish:a:b:c`: expected shark-publish or shark-publish:DIR');
  });

  it('ignores an unknown kind with a warning, as the original Shark did', () => {
    expect(parseTag('shark-runn', '')).toEqual({
      ok: 'skip',
      warning: {
        offset: 0,
        message: 'unknown Shark block `shark-runn`: ignored (did you mean `shark-run`? Shark reads shark-build, shark-run, shark-import and shark-publish; write {skip} after a tag to switch a block off)',
      },
    });
    expect(parseTag('shark-publish2', '').ok).toBe('skip');
    expect(parseTag('shark-publish2', '')).toMatchObject({ warning: { message: expect.stringContaining('did you mean `shark-publish`?') } });
    expect(parseTag('shark-', '')).toMatchObject({ ok: 'skip', warning: { message: expect.stringMatching(/^unknown Shark block `shark-`: ignored \(Shark reads/) } });
    expect(parseTag('shark-figure:x:y', '{whatever}')).toMatchObject({ ok: 'skip', warning: { message: expect.stringContaining('`shark-figure`') } });
  });

  it('switches a block off with {skip}, silently, whatever its kind', () => {
    expect(parseTag('shark-run:gdal', '{skip}')).toEqual({ ok: 'skip', warning: undefined });
    expect(parseTag('shark-build:gdal', '{id=env, skip}')).toEqual({ ok: 'skip', warning: undefined });
    expect(parseTag('shark-import', '{skip=true}')).toEqual({ ok: 'skip', warning: undefined });
    expect(parseTag('shark-publish2', '{skip}')).toEqual({ ok: 'skip', warning: undefined });
    expect(ok('shark-run', '{skip=false}').options).toEqual({ skip: 'false' });
    // A switched-off block is still a well-formed one: its tag is checked.
    expect(bad('shark-run:my env', '{skip}').message).toContain('invalid environment name');
    expect(bad('shark-run', '{skip=maybe}').message).toBe('`skip` is written {skip} or {skip=false}, not `maybe`');
  });

  it('needs a valid environment name, and points at it', () => {
    expect(bad('shark-build').message).toBe('`shark-build` needs an environment name: shark-build:ENV');
    expect(bad('shark-build:').message).toBe('`shark-build` needs an environment name: shark-build:ENV');
    expect(bad('shark-run:')).toMatchObject({ offset: 'shark-run'.length, message: '`shark-run:` names no environment: write `shark-run` for the host or `shark-run:ENV`' });
    expect(bad('shark-run:my env')).toMatchObject({ offset: 'shark-run:'.length });
    expect(bad('shark-run:-x').message).toBe("invalid environment name `-x`: use ASCII letters, digits, '.', '_' and '-'");
  });

  it('keeps publish directories inside the pipeline directory', () => {
    expect(bad('shark-publish:/var/www')).toMatchObject({ offset: 'shark-publish:'.length });
    expect(bad('shark-publish:../out').message).toBe("publish directory `../out` must be relative and stay inside the pipeline's directory");
    // Taken as written, `~/x` and `$HOME` made directories of those names beside the document.
    for (const dir of ['~/x', '$HOME', 'out/$USER']) {
      expect(bad(`shark-publish:${dir}`)).toMatchObject({ offset: 'shark-publish:'.length });
      expect(bad(`shark-publish:${dir}`).message).toMatch(/^publish directory `.*` is taken as written: Shark expands no `~` or `\$` in it/);
    }
  });

  it('reads options after the tag', () => {
    expect(ok('shark-run:gdal', '{network, timeout=30m, id=fit}').options).toEqual({ network: true, timeout: '30m', id: 'fit' });
    expect(ok('shark-run', '{network=false}').options).toEqual({ network: 'false' });
    expect(ok('shark-build:gdal', '{id=env}').options).toEqual({ id: 'env' });
    expect(ok('shark-run', '{ }').options).toEqual({});
  });

  it('points at the option that is wrong', () => {
    // Offsets count from the start of `shark-run {…}`, the tag and its meta joined by one space.
    expect(bad('shark-run', '{network, gpus=1}')).toEqual({
      ok: false,
      offset: 'shark-run {network, '.length,
      message: expect.stringMatching(/^unknown option `gpus` for shark-run \(allowed: id, network, timeout, threads, memory, pool, skip\b.*\)$/),
    });
    expect(bad('shark-build:gdal', '{network}').message).toBe('unknown option `network` for shark-build (allowed: id, skip)');
    expect(bad('shark-run', '{timeout=ten minutes}')).toMatchObject({ offset: 'shark-run {'.length });
    expect(bad('shark-run', '{timeout=ten minutes}').message).toBe('invalid timeout `ten minutes`: write seconds or a duration like 30s, 10m, 2h');
    expect(bad('shark-run', '{timeout}').message).toBe('`timeout` needs a value: {timeout=30m}');
    // A timeout of nothing would fail every job at once: an error of the document, at the option.
    for (const zero of ['0', '0s', '0.0001', '0h']) {
      expect(bad('shark-run', `{id=a, timeout=${zero}}`)).toEqual({
        ok: false, offset: 'shark-run {id=a, '.length,
        message: `timeout=${zero} would stop every job at once: give a positive duration such as 30s, 10m, 2h, or leave it out for no limit`,
      });
    }
    expect(ok('shark-run', '{timeout=0.5}').options).toEqual({ timeout: '0.5' });
    expect(bad('shark-run', '{id}').message).toBe('`id` needs a value: {id=NAME}');
    expect(bad('shark-run', '{id=a b}').message).toBe("invalid block id `a b`: use ASCII letters, digits, '.', '_' and '-'");
    // Letters of other scripts are letters to a reader, not to the id: the message says which.
    expect(bad('shark-run', '{id=数据}').message).toBe("invalid block id `数据`: use ASCII letters, digits, '.', '_' and '-'");
    expect(bad('shark-run:données').message).toBe("invalid environment name `données`: use ASCII letters, digits, '.', '_' and '-'");
    expect(bad('shark-run', '{deps="requirements.lock,b.lock"}').message).toBe('`deps` names files without quotes (a quote would be part of the name): {deps=a.lock,b.txt}, not `deps="requirements.lock`');
    expect(bad('shark-run', '{deps=a.lock,/data/a}').message).toBe('`deps` names files beside the document (relative to its directory), and /data/a is data: read it in the command, which makes it an input of the step');
    // Only allowed characters, in the wrong place: the message says which place.
    expect(bad('shark-run', '{id=.x}').message).toBe('invalid block id `.x`: it must start with a letter or digit');
    expect(bad('shark-run', '{id=-x}').message).toBe('invalid block id `-x`: it must start with a letter or digit');
    expect(bad('shark-run', '{pool=_db}').message).toBe('invalid pool name `_db`: it must start with a letter or digit');
    expect(bad('shark-run', '{thread=2}').message).toBe('unknown option `thread` for shark-run (did you mean `threads`? allowed: id, network, timeout, threads, memory, pool, skip, manual, precious, deps, slurm)');
    expect(bad('shark-run', '{slurm="--qos=long,--x"}').message).toBe('`slurm`: the quote opening `"--qos=long` is never closed: a comma ends an option, so separate sbatch options with spaces: {slurm="--qos=long --gres=gpu:1"}');
    expect(bad('shark-run', '{network=yes}').message).toBe('`network` is written {network}, {network=host} or {network=false}, not `yes`');
    expect(ok('shark-run:db', '{network=host}').options).toEqual({ network: 'host' });
    expect(bad('shark-run', '{id=a, id=b}').message).toBe('option `id` is given twice');
    expect(bad('shark-run', 'network')).toEqual({
      ok: false,
      offset: 'shark-run '.length,
      message: 'unexpected `network` after the tag: options are written `{name, key=value}`',
    });
  });

  it('reports an empty member of the option list at its column (a comma too many): it was dropped in silence', () => {
    const message = (meta: string) => `empty option in \`${meta}\`: remove the extra \`,\` or write the option that belongs there`;
    expect(bad('shark-run', '{network,}')).toEqual({ ok: false, offset: 'shark-run {network,'.length, message: message('{network,}') });
    expect(bad('shark-run', '{network, }')).toEqual({ ok: false, offset: 'shark-run {network, '.length, message: message('{network, }') });
    expect(bad('shark-run', '{network,,timeout=2}')).toEqual({ ok: false, offset: 'shark-run {network,'.length, message: message('{network,,timeout=2}') });
    expect(bad('shark-run', '{,network}')).toEqual({ ok: false, offset: 'shark-run {'.length, message: message('{,network}') });
    expect(bad('shark-run', '{deps=a.lock,}')).toMatchObject({ offset: 'shark-run {deps=a.lock,'.length });
    expect(bad('shark-publish', '{id=out,}')).toMatchObject({ offset: 'shark-publish {id=out,'.length });
    // Braces holding nothing are no member left empty.
    expect(ok('shark-run', '{}').options).toEqual({});
    expect(ok('shark-run', '{ }').options).toEqual({});
  });

  it('says options are separated by commas when they were written with spaces, pandoc-style, at the second one', () => {
    const message = (meta: string, item: string, fixed: string) => `options are separated by commas: \`${meta}\` holds \`${item}\`; write \`${fixed}\``;
    expect(bad('shark-run', '{threads=1 memory=100M}')).toEqual({ ok: false, offset: 'shark-run {threads=1 '.length,
      message: message('{threads=1 memory=100M}', 'threads=1 memory=100M', '{threads=1, memory=100M}') });
    expect(bad('shark-run', '{network  timeout=2h, id=a}')).toEqual({ ok: false, offset: 'shark-run {network  '.length,
      message: message('{network  timeout=2h, id=a}', 'network  timeout=2h', '{network, timeout=2h, id=a}') });
    // A slurm value holds sbatch options apart by spaces, and a word that is no option is not taken for one.
    expect(ok('shark-run', '{slurm="--qos=long --gres=gpu:1", threads=2}').options).toMatchObject({ threads: '2' });
    expect(bad('shark-run', '{id=a b}')).toMatchObject({ message: 'invalid block id `a b`: use ASCII letters, digits, \'.\', \'_\' and \'-\'' });
  });

  it('says so too when a quoted slurm value among them holds spaces (it said threads is a number of slots)', () => {
    const meta = '{threads=2 memory=8G slurm="--qos=long --gres=gpu:1"}';
    expect(bad('shark-run', meta)).toEqual({ ok: false, offset: 'shark-run {threads=2 '.length,
      message: `options are separated by commas: \`${meta}\` holds \`${meta.slice(1, -1)}\`; write \`{threads=2, memory=8G, slurm="--qos=long --gres=gpu:1"}\`` });
    expect(bad('shark-run', '{slurm="-p gpu" timeout=2h}')).toMatchObject({ offset: 'shark-run {slurm="-p gpu" '.length,
      message: expect.stringContaining('write `{slurm="-p gpu", timeout=2h}`') });
  });

  it('accepts durations in seconds, minutes and hours', () => {
    for (const t of ['90', '90s', '1.5m', '2h']) expect(ok('shark-run', `{timeout=${t}}`).options).toEqual({ timeout: t });
  });
});
