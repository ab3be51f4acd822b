import { nameOf } from '../imports/url.js';
import { parentOf } from '../pipeline/data-path.js';
import type { Checksum, ImportClause } from '../pipeline/import-clause.js';
import type { ImportStep } from '../pipeline/pipeline.js';
import { singleQuoted as sq } from '../pipeline/shell-words.js';
import { SECRET_REFERENCE } from '../imports/secret-url.js';

/**
 * The shell lines of one import, doing what `shark run` does with it: a
 * download into a directory lands under its own name, a checksum column is
 * verified before the file is used, and `extract` unpacks into DEST.
 */
export function importScript(step: ImportStep, shared: boolean, pinnedName?: string): string[] {
  const { clause } = step;
  // What a directory's import made in an earlier run of the script goes first: the import replaces it whole
  // (unless another step or input puts something there too: `shared`).
  const clear = !shared && clause.dest !== '/data' && (clause.extract || ['zenodo', 'github', 'git'].includes(clause.source.scheme))
    && !(clause.source.scheme === 'zenodo' && clause.source.file !== undefined && !clause.extract) ? [`rm -rf ${sq(clause.dest)}`] : [];
  return [...clear, ...importLines(clause, !shared, pinnedName)];
}

function importLines(clause: ImportClause, clear: boolean, pinnedName: string | undefined): string[] {
  const { source, dest, destIsDir } = clause;
  switch (source.scheme) {
    case 'url':
      // Into DEST/, the name a run pinned (the server's, from Content-Disposition), which readers of it name.
      return download(source.url, (destIsDir ? pinnedName : undefined) ?? nameOf(source.url), clause);
    case 'zenodo':
      return source.file === undefined
        ? [mkdir(dest), `# every file of https://zenodo.org/records/${source.record} into ${dest}/`]
        : download(`https://zenodo.org/records/${source.record}/files/${source.file}?download=1`, source.file, clause);
    case 'github': {
      const tarball = sq(`https://codeload.github.com/${source.owner}/${source.repo}/tar.gz/${source.ref}`);
      if (source.path === undefined) return [mkdir(dest), `curl -fL ${tarball} | tar -xz -C ${sq(dest)} --strip-components=1`];
      // Only PATH of the repository, a directory or a file, as run takes it.
      const inside = `"$repo"/${sq(source.path)}`;
      return ['repo=$(mktemp -d)', `curl -fL ${tarball} | tar -xz -C "$repo" --strip-components=1`,
        `if [ -d ${inside} ]; then ${mkdir(dest)} && cp -RP ${inside}/. ${sq(dest)}; else ${mkdir(parentOf(dest))} && cp -P ${inside} ${sq(dest)}; fi`, 'rm -rf "$repo"'];
    }
    case 'git':
      // A commit, a tag or a branch alike (`git clone --branch` refuses a commit), its .git removed as run removes it.
      return [mkdir(dest), `git -C ${sq(dest)} init -q`, `git -C ${sq(dest)} fetch -q --depth 1 -- ${sq(source.url)} ${sq(source.ref ?? 'HEAD')}`,
        `git -C ${sq(dest)} -c advice.detachedHead=false checkout -q FETCH_HEAD`, `rm -rf ${sq(`${dest}/.git`)}`];
    case 'file': {
      const path = notAnOption(source.path);
      return [...verify(sq(path), clause.checksum), mkdir(destIsDir ? dest : parentOf(dest)), clause.extract ? unpack(sq(path), path, dest) : localCopy(path, dest, sq(dest), true, clear)];
    }
  }
}

/** A relative path beginning with `-` as `./-x.csv`: `cp`, `cd` and `sha256sum` would read `-x.csv` as options. */
function notAnOption(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/**
 * A URL as one shell word, a secret it names (`%{TOKEN}`) read from the
 * environment (`"$TOKEN"`, which the script's header asks for) rather than
 * written into the script.
 */
function quotedUrl(url: string): string {
  // Split by the reference, the name captured: every odd part is a secret's name.
  return url.split(SECRET_REFERENCE).map((part, i) => (i % 2 === 1 ? `"\${${part}}"` : part === '' ? '' : sq(part))).join('');
}

/**
 * A downloaded file, verified before it is used. An archive goes to a
 * temporary file that is unpacked into DEST and removed; any other file to
 * `TARGET.part`, renamed into place once verified, so a mismatch leaves
 * nothing at TARGET.
 */
function download(url: string, name: string, clause: ImportClause): string[] {
  const { dest, destIsDir, checksum } = clause;
  if (clause.extract) {
    return [mkdir(dest), 'archive=$(mktemp)', `curl -fL -o "$archive" ${quotedUrl(url)}`, ...verify('"$archive"', checksum), unpack('"$archive"', name, dest), 'rm -f "$archive"'];
  }
  const target = destIsDir ? `${dest}/${name}` : dest;
  return [mkdir(destIsDir ? dest : parentOf(dest)), `curl -fL -o ${sq(`${target}.part`)} ${quotedUrl(url)}`, ...verify(sq(`${target}.part`), checksum), `mv ${sq(`${target}.part`)} ${sq(target)}`];
}

/** Fails the script (it runs under `set -e`) unless FILE, a shell word, has the checksum. */
function verify(file: string, checksum: Checksum | undefined): string[] {
  return checksum === undefined ? [] : [`printf '%s  %s\\n' ${checksum.hex} ${file} | ${checksum.algorithm}sum -c -`];
}

/**
 * Unpacks ARCHIVE (a shell word) into DEST; NAME, the archive's own name,
 * tells a zip from a tarball, which GNU tar tells apart (gz, bz2, xz) itself.
 */
function unpack(archive: string, name: string, dest: string): string {
  return /\.zip$/i.test(name) ? `unzip -q -o -d ${sq(dest)} ${archive}` : `tar -xf ${archive} -C ${sq(dest)}`;
}

function mkdir(dir: string): string {
  return `mkdir -p ${sq(dir)}`;
}

/**
 * A local file, or a directory's contents, copied to DEST; a publish copies
 * out the same way. `cp -R DIR DEST` would copy DIR itself into DEST once
 * DEST exists (DEST/DIR/…), so a directory is copied as `DIR/.`; whether it
 * is one is known only where the script runs. `follow`: as a local import
 * or a bound input takes your own data (local-links.ts), a link leading out
 * of the directory is copied as what it leads to and one staying inside it
 * stays a link (`sub/up -> ..` among them, which `cp -RL` would refuse as a
 * cycle). Not for what steps wrote: their links stay links.
 */
export function localCopy(path: string, dest: string, destWord = sq(dest), follow = false, replace = true): string {
  const dir = path.replace(/\/+$/, '') || '/';
  const contents = sq(`${dir === '/' ? '' : dir}/.`);
  const copy = follow
    ? `cp -RP ${contents} ${destWord} && (to=$(cd ${destWord} && pwd -P) && cd ${sq(dir)} && find . -type l -exec sh -c '${FOLLOW_OUT}' sh "$(pwd -P)" "$to" {} +)`
    : `cp -RP ${contents} ${destWord}`;
  // A directory replaces what an earlier run left at DEST, as a run's copy does: a file gone from it is gone there.
  const clear = dest === '/data' || !replace ? '' : `rm -rf ${destWord} && `;
  // What a step wrote is copied as stored: a link, to a file or a directory, stays a link.
  return follow
    ? `if [ -d ${sq(dir)} ]; then ${clear}mkdir -p ${destWord} && ${copy}; else cp ${sq(path)} ${destWord}; fi`
    : `if [ -d ${sq(dir)} ] && [ ! -L ${sq(dir)} ]; then ${clear}mkdir -p ${destWord} && ${copy}; else cp -P ${sq(dir)} ${destWord}; fi`;
}

/** Run in the copied directory over its links (`$1` its real path, `$2` the copy's): each that resolves out of it is replaced by what it leads to. */
const FOLLOW_OUT = 'root=$1 to=$2; shift 2; for l; do t=$(readlink -f "$l"); case $t in "$root"|"$root"/*) ;; *) rm -f "$to/$l" && cp -RL "$l" "$to/$l" || exit 1;; esac; done';
