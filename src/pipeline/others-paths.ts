import type { Mention } from './mentions.js';
import type { Output } from './pipeline.js';
import { writerName, type Fail, type Resolved, type Writer, type Writers } from './writers.js';

type Written = Exclude<Resolved, { kind: 'none' }>;
type Write = (m: Mention, o: Output) => void;

/** Programs that change what they are given in place: its mode, owner or times. */
export const CHANGERS = new Set(['chmod', 'chown', 'chgrp', 'touch']);

/**
 * What a copy into another's path is (`cp a /data/y/`, `mv -t /data/y b`): a
 * new file named inside another step's directory is written beside it; a
 * directory only written into is written whole; the path itself, or a
 * directory inside another's, is refused: it is its writer's, read-only to
 * this step, so what is copied there would be lost. False once decided.
 */
export function copiedInto(m: Mention, r: Written, writers: Writers, write: Write, fail: Fail): boolean {
  const path = m.path.text;
  if (r.kind === 'contains') {
    write(m, { path, isDir: true, at: m.at, perItem: false, created: true });
  } else if (!m.path.isDir) {
    write(m, { path, isDir: false, at: m.at, perItem: false });
  } else {
    const { who, input, where, note } = owned(path, r, writers);
    const why = input ? 'inputs are read-only' : "a directory is its writer's output, read-only to the steps after it";
    const how = input ? 'Copy into a directory no input holds'
      : `Make and fill it in one command (\`mkdir -p ${path} && ${m.program!} …\`), or name the new file (\`${path}/NAME\`)`;
    fail(m.at, `\`${m.program!}\` writes into \`${path}/\`${where}: ${why}, so what \`${m.program!}\` put there would be lost. ${how}`, [note(who)]);
  }
  return false;
}

/**
 * `chmod +x /data/tool.sh` on the line after the one that wrote it: another
 * step's output is read-only to this one, and the run would fail changing
 * it, so the document is refused at the change. `touch` of a new name inside
 * another's directory makes a file of this step's own. False once decided.
 */
export function changedInPlace(m: Mention, r: Written, writers: Writers, write: Write, fail: Fail): boolean {
  const path = m.path.text;
  if (m.program === 'touch' && r.kind === 'under' && !m.path.isDir) {
    write(m, { path, isDir: false, at: m.at, perItem: false });
    return false;
  }
  const { who, input, where, note } = owned(path, r, writers);
  const shown = m.path.isDir ? `${path}/` : path;
  const program = m.inPlace === true ? `${m.program!} -i` : m.program!;
  const how = input ? 'change a copy (`cp` it into a path of the step\'s own)'
    : `change it in the command that writes it (\`… && ${program} … ${shown}\`), or change a copy`;
  fail(m.at, `\`${program}\` changes \`${shown}\`${where}: a step's inputs are read-only, and the run would fail changing it; ${how}`, [note(who)]);
  return false;
}

/** Who provides `path` (or the directory it is in, or some of what is inside it), for a message, and the note at their place. */
function owned(path: string, r: Written, writers: Writers): { who: Writer; input: boolean; where: string; note: (w: Writer) => { at: Writer['at']; message: string } } {
  const owner = r.kind === 'exact' ? path : r.path;
  const who = writers.of(owner) ?? r.writers[0]!;
  const { who: name, input: inputName } = writerName(who);
  const input = inputName !== undefined;
  const which = `which ${name} ${input ? 'provides' : 'writes'}`;
  const where = r.kind === 'exact' ? `, ${which}` : r.kind === 'under' ? `, inside \`${owner}/\`, ${which}` : `, holding \`${owner}\`, ${which}`;
  return { who, input, where, note: (w) => ({ at: w.at, message: input ? `${name} is declared here` : `${name} writes \`${owner}\` here` }) };
}
