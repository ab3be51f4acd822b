import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { doc } from '../helpers/documents.js';

function warnings(source: string): string[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(pipeline).toBeDefined();
  return diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`);
}

const AXES = 'TAXA: [AMPHIBIA, AVES]\nCURVE: 0.25';

describe('an axis read as a shell variable', () => {
  it('warns at `$TAXA` and `${TAXA}`: an axis is in no step\'s environment, so the shell does not read a value of it', () => {
    const shown = warnings(doc([
      ['shark-run {id=a}', 'echo "$TAXA" > /data/taxa.txt'],
      ['shark-run {id=b}', 'cat /data/taxa.txt > /data/maps/${TAXA}.txt'],
    ], AXES));
    expect(shown).toEqual([
      "7:7: warning: `$TAXA` holds no value of the axis `TAXA`: an axis (a list in the frontmatter) is in no step's environment, unlike a scalar key; "
        + 'write `%{TAXA}`, which runs the block once per value',
      "11:33: warning: `${TAXA}` holds no value of the axis `TAXA`: an axis (a list in the frontmatter) is in no step's environment, unlike a scalar key; "
        + 'write `%{TAXA}`, which runs the block once per value',
    ]);
  });

  it('warns once per place, not per instance of a swept block', () => {
    expect(warnings(doc([
      ['shark-run {id=a}', 'echo "$TAXA %{TAXA}" > /data/t/%{TAXA}.txt'],
    ], AXES))).toHaveLength(1);
  });

  it('is quiet about scalars, %{TAXA}, single quotes, escapes and a variable the block sets itself', () => {
    expect(warnings(doc([
      ['shark-run {id=a}', 'echo "$CURVE %{TAXA}" > /data/c/%{TAXA}.txt'],
      ['shark-run {id=b}', "awk '{ print $TAXA }' /data/c/AVES.txt > /data/d.txt\necho \\$TAXA > /data/e.txt"],
      ['shark-run {id=c}', 'for TAXA in a b; do echo "$TAXA"; done > /data/f.txt'],
      ['shark-run {id=d}', 'TAXA=x; echo "${TAXA}" > /data/g.txt'],
    ], AXES))).toEqual([]);
  });
});
