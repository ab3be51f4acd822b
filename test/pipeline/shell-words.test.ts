import { describe, expect, it } from 'vitest';
import { quoteFor, shellWords } from '../../src/pipeline/shell-words.js';

/** Each word as `value`, `value[in]` or `value[out]`, with `#N` for its simple command. */
function words(text: string): string[] {
  return shellWords(text).map((w) => `${w.value}${w.redirect ? `[${w.redirect}]` : ''}#${w.command}`);
}

describe('shellWords', () => {
  it('leaves out the body of a here-document whose delimiter is quoted as sh allows (spaces, a backslash)', () => {
    expect(words("cat <<'END OF NOTES' > /data/n.txt\nsee /data/x.txt\nEND OF NOTES")).toEqual(['cat#0', '/data/n.txt[out]#0']);
    expect(words('cat <<\\EOF > /data/n.txt\n/data/x.txt\nEOF')).toEqual(['cat#0', '/data/n.txt[out]#0']);
    expect(words('echo $((1 << 2)) > /data/n.txt').filter((w) => w.startsWith('/data/'))).toEqual(['/data/n.txt[out]#4']);
  });

  it('splits on blanks and removes quotes and escapes', () => {
    expect(words(`echo 'a b'"c d" e\\ f ""`)).toEqual(['echo#0', 'a bc d#0', 'e f#0', '#0']);
    expect(words(`echo "a \\"q\\" \\$x \\n"`)).toEqual(['echo#0', 'a "q" $x \\n#0']);
  });

  it('records the offset and quoting of each character', () => {
    const [, w] = shellWords(`cp '/data/a b' x`);
    expect(w!.value).toBe('/data/a b');
    expect(w!.offsets[0]).toBe(4);
    expect(w!.contexts).toEqual(Array(9).fill("'"));
    const [, v] = shellWords('ls "/data/$x"/y');
    expect(v!.value).toBe('/data/$x/y');
    expect(v!.contexts).toEqual([...Array(8).fill('"'), '', '']);
  });

  it('numbers simple commands across ; && || | & ( ) backquotes and newlines', () => {
    expect(words('a; b && c || d | e & f\ng')).toEqual(['a#0', 'b#1', 'c#2', 'd#3', 'e#4', 'f#5', 'g#6']);
    expect(words('echo $(cat /data/x)')).toEqual(['echo#0', '$#0', 'cat#1', '/data/x#1']);
    expect(words('echo `cat /data/x` > /data/y')).toEqual(['echo#0', 'cat#1', '/data/x#1', '/data/y[out]#2']);
  });

  it('marks the targets of redirections', () => {
    expect(words('cmd > /data/o >> /data/l < /data/i')).toEqual(['cmd#0', '/data/o[out]#0', '/data/l[out]#0', '/data/i[in]#0']);
    expect(words('cmd >/data/o 2>/data/e 2>>/data/e2 &>/data/all &>>/data/all2')).toEqual([
      'cmd#0', '/data/o[out]#0', '/data/e[out]#0', '/data/e2[out]#0', '/data/all[out]#0', '/data/all2[out]#0',
    ]);
    expect(words('cmd >| /data/clobber <> /data/rw 10>/data/fd')).toEqual(['cmd#0', '/data/clobber[out]#0', '/data/rw[out]#0', '/data/fd[out]#0']);
    expect(words('cmd >& /data/both')).toEqual(['cmd#0', '/data/both[out]#0']);
  });

  it('knows that duplicating a descriptor names no file', () => {
    expect(words('cmd 2>&1 > /data/o')).toEqual(['cmd#0', '/data/o[out]#0']);
    expect(words('cmd >&2 <&0 3>&-')).toEqual(['cmd#0']);
    expect(words('cmd > /data/o 2>&1')).toEqual(['cmd#0', '/data/o[out]#0']);
  });

  it('keeps digits that are an argument, not a descriptor', () => {
    expect(words('cmd a2>/data/q')).toEqual(['cmd#0', 'a2#0', '/data/q[out]#0']);
    expect(words('cmd "2">/data/q')).toEqual(['cmd#0', '2#0', '/data/q[out]#0']);
    expect(words('seq 2 > /data/n')).toEqual(['seq#0', '2#0', '/data/n[out]#0']);
  });

  it('skips here-document bodies but reads here-strings as words', () => {
    expect(words("cat <<EOF > /data/o\n/data/not-a-word\nEOF\necho b")).toEqual(['cat#0', '/data/o[out]#0', 'echo#1', 'b#1']);
    expect(words("cat <<-'END'\n\t/data/x\n\tEND")).toEqual(['cat#0']);
    expect(words('cat <<< /data/s')).toEqual(['cat#0', '/data/s#0']);
  });
});

describe('quoteFor', () => {
  it('writes text that the shell reads back as the value', () => {
    expect(quoteFor("it's", '')).toBe(`'it'\\''s'`);
    expect(quoteFor("it's", "'")).toBe(`it'\\''s`);
    expect(quoteFor('a b', '"')).toBe(`"'a b'"`);
  });
});
