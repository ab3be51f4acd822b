import { describe, expect, it } from 'vitest';
import { commandPrograms } from '../../src/pipeline/command-words.js';

describe('commandPrograms: the programs a command invokes', () => {
  it('takes the first word of a simple command', () => {
    expect(commandPrograms('gdalwarp -t_srs EPSG:4326 /data/in.tif /data/out.tif')).toEqual(['gdalwarp']);
  });

  it('follows pipes, && , || and ;', () => {
    expect(commandPrograms('cat /data/a | sort -u | uniq -c > /data/b && gzip /data/b || logger failed; wc -l /data/a'))
      .toEqual(['cat', 'sort', 'uniq', 'gzip', 'logger', 'wc']);
  });

  it('follows subshells, groups and command substitutions', () => {
    expect(commandPrograms('(cd /data && tar -cf /data/x.tar a) ; { grep a b; }')).toEqual(['tar', 'grep']);
    expect(commandPrograms('echo "$(date +%s)" `hostname` $(awk 1 f | head -n1) > /data/t')).toEqual(['date', 'hostname', 'awk', 'head']);
    expect(commandPrograms('diff <(sort a) <(sort b)')).toEqual(['diff', 'sort']);
  });

  it('skips variable assignments before the command', () => {
    expect(commandPrograms('LC_ALL=C OMP_NUM_THREADS=4 python3 fit.py')).toEqual(['python3']);
    expect(commandPrograms('X=1')).toEqual([]);
  });

  it('skips shell builtins and keywords, and looks inside compound commands', () => {
    expect(commandPrograms('cd /data; echo hi; printf x; test -f a && [ -d b ]; export A=1; set -e; true; :')).toEqual([]);
    expect(commandPrograms('if grep -q x f; then sed -i s/a/b/ f; elif cmp a b; then :; else touch f; fi')).toEqual(['grep', 'sed', 'cmp', 'touch']);
    expect(commandPrograms('for f in /data/in/*.txt; do\n  gzip -k "$f"\ndone')).toEqual(['gzip']);
    expect(commandPrograms('while read -r l; do md5sum "$l"; done < list')).toEqual(['md5sum']);
    expect(commandPrograms('case "$x" in a|b) convert a b ;; *) ffmpeg -i x ;; esac')).toEqual(['convert', 'ffmpeg']);
    expect(commandPrograms('! grep -q x f')).toEqual(['grep']);
  });

  it('sees through env, sudo, time, nice, nohup, exec, command, timeout and xargs', () => {
    expect(commandPrograms('env -i A=1 python3 x.py')).toEqual(['env', 'python3']);
    expect(commandPrograms('sudo -u bob make all')).toEqual(['sudo', 'make']);
    expect(commandPrograms('time -p nice -n 10 Rscript a.R')).toEqual(['nice', 'Rscript']);
    expect(commandPrograms('exec command -p gdalinfo x')).toEqual(['gdalinfo']);
    expect(commandPrograms('nohup timeout -s KILL 10m ogr2ogr a b')).toEqual(['nohup', 'timeout', 'ogr2ogr']);
    expect(commandPrograms('find . -name "*.tif" -print0 | xargs -0 -n 1 -P 4 gdalinfo')).toEqual(['find', 'xargs', 'gdalinfo']);
    expect(commandPrograms('ls | xargs -I{} cp {} /data/out/')).toEqual(['ls', 'xargs', 'cp']);
  });

  it('leaves out what it cannot know: variables, relative scripts, /data paths; keeps absolute programs', () => {
    expect(commandPrograms('$TOOL a; "${CC}" b; ./run.sh; scripts/fit.py; /data/bin/x; /usr/bin/python3 -V')).toEqual(['/usr/bin/python3']);
  });

  it('keeps each program once, in order, and ignores redirection targets and here-documents', () => {
    expect(commandPrograms('sort a > b; sort c 2>&1 >> d; <in wc -l')).toEqual(['sort', 'wc']);
    expect(commandPrograms('cat <<EOF > /data/x\nnotacommand here\nEOF\npython3 -c 1')).toEqual(['cat', 'python3']);
    expect(commandPrograms("awk '{ print $1 | \"sort\" }' f")).toEqual(['awk']);
  });

  it('skips functions the command defines', () => {
    expect(commandPrograms('f() { gzip "$1"; }; f a; f b')).toEqual(['gzip']);
  });
});
