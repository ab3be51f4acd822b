import { definitionReasons, explain, inputReasons, withInputs, type KeyRecord, type MissingFile } from './key.js';

/** What the rest of a previous record says, worked out once per distinct text. */
interface Definition {
  /** The record is of another version of the key: "cache format changed", whatever the inputs. */
  readonly formatChanged: boolean;
  /** `explain` as a whole when the inputs are unchanged; the parts around the inputs' reasons otherwise. */
  readonly unchangedInputs: readonly string[];
  readonly head: readonly string[];
  readonly tail: readonly string[];
}

/**
 * `explain` for the jobs of one step, given their previous records as
 * stored (JSON text). The jobs of a step differ only in their inputs, and
 * so, mostly, do their previous records: what the rest of a record says is
 * worked out once per distinct text, and per job only its inputs are read.
 * Parsing each job's whole record cost a plan of 200,000 changed jobs 8 µs
 * a job. One explainer serves one step (the jobs' own records share all but
 * their inputs). `missing`: the step's local files gone from the disk.
 */
export function stepExplainer(missing?: MissingFile): (stored: string, now: KeyRecord) => readonly string[] {
  const known = new Map<string, Definition>();
  // The previous job's record around its inputs: most jobs' records match it, compared in place.
  let last: { head: string; tail: string; d: Definition } | undefined;
  return (stored, now) => {
    const at = inputsAt(stored);
    if (at === undefined) return explain(JSON.parse(stored) as KeyRecord, now, missing);
    const [start, end] = at;
    let d: Definition | undefined;
    if (last !== undefined && start === last.head.length && stored.length - end === last.tail.length && stored.startsWith(last.head) && stored.endsWith(last.tail)) {
      d = last.d;
    } else {
      const head = stored.slice(0, start);
      const tail = stored.slice(end);
      const rest = `${head}\0${tail}`;
      d = known.get(rest);
      if (d === undefined) known.set(rest, (d = definition(JSON.parse(stored) as KeyRecord, now, missing)));
      last = { head, tail, d };
    }
    if (d.formatChanged) return d.unchangedInputs;
    // Pairs of strings are written alike by JSON.stringify and canonicalJson: the same text is the same inputs.
    const text = stored.slice(start, end);
    if (text === JSON.stringify(now.inputs)) return d.unchangedInputs;
    const inputs = inputReasons(JSON.parse(text) as KeyRecord['inputs'], now.inputs);
    return inputs.length === 0 ? d.unchangedInputs : withInputs(d.head, inputs, d.tail);
  };
}

function definition(before: KeyRecord, now: KeyRecord, missing: MissingFile | undefined): Definition {
  const parts = before.v === now.v ? definitionReasons(before, now, missing) : undefined;
  const unchangedInputs = Object.freeze(parts === undefined ? ['cache format changed'] : withInputs(parts.head, [], parts.tail));
  return { formatChanged: parts === undefined, unchangedInputs, head: parts?.head ?? [], tail: parts?.tail ?? [] };
}

/**
 * Where the value of a record's `inputs` is in its text: [start, end).
 * Every quote inside a JSON string is escaped, so the first `"inputs":[` is
 * the member's; its array holds only strings, so it ends at the first `]`
 * back at its own depth outside a string. Undefined when there is no such
 * member.
 */
export function inputsAt(text: string): [start: number, end: number] | undefined {
  const key = text.indexOf('"inputs":[');
  if (key < 0) return undefined;
  const start = key + '"inputs":'.length;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: skip to its closing quote, past escaped characters.
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 91) depth++;
    else if (c === 93 && --depth === 0) return [start, i + 1];
  }
  return undefined;
}
