import { EditMap } from 'micromark-util-edit-map';

/** An event of the parser's: only moved here, never looked into. */
type Event = unknown;
type Change = [at: number, remove: number, add: Event[]];

/**
 * micromark applies an edit (a setext heading found, a list or quote closed)
 * by copying the whole list of events of the tokenizer: once for each such
 * edit, so a document of many of them took time quadratic in its length (a
 * 100 KB document of headings underlined with `---` took minutes).
 *
 * This applies the same edits, with the same result, and copies only the
 * events from the first edit on (they are near the end), which makes
 * parsing linear. It replaces `EditMap.prototype.consume` once, for every
 * parser in the process. Equivalence with the original is tested on random
 * edits (test/markdown/linear-edits.test.ts).
 */
export function makeEditsLinear(): void {
  const proto = EditMap.prototype as unknown as { consume: (events: Event[]) => void; linear?: true };
  if (proto.linear === true) return;
  proto.linear = true;
  proto.consume = function consume(this: { map: Change[]; index: Map<number, Change> }, events: Event[]): void {
    const map = this.map;
    if (map.length === 0) return;
    map.sort((a, b) => a[0] - b[0]);
    const from = map[0]![0];
    const tail = events.slice(from);
    events.length = from;
    let next = from;
    for (const [at, remove, add] of map) {
      // After an edit whose removal reaches past the next one's place, nothing is copied before that one (as in the original).
      for (let i = next; i < at; i++) events.push(tail[i - from]!);
      for (const event of add) events.push(event);
      next = at + remove;
    }
    for (let i = next; i < from + tail.length; i++) events.push(tail[i - from]!);
    map.length = 0;
    this.index.clear();
  };
}
