import type Database from 'better-sqlite3';

/** A run job's variables, from its key record (a result replaced or dropped since is in the history, with the same). */
const OF_JOBS = (where: string): string => `SELECT v FROM (
  SELECT json_extract(r.record, '$.variables') AS v, json_extract(r.record, '$.kind') AS kind FROM run_rows j JOIN results r ON r.key = j.key WHERE ${where}
  UNION ALL SELECT json_extract(h.record, '$.variables'), json_extract(h.record, '$.kind') FROM run_rows j JOIN result_history h ON h.key = j.key WHERE ${where}
) WHERE kind = 'run' LIMIT 1`;

/**
 * The variables each run gave its jobs (`stepVariables`: the document's,
 * with `-e NAME=V` over them), as JSON pairs sorted by name: what tells a
 * run with the document's values from one with others. A run records them
 * as it starts. One recorded before runs did is told by a job's key record,
 * which has them: a job it ran first, as a `{precious}` job it kept has the
 * variables of the run that made the result; null for a run with no run
 * job (imports only). Each run is asked once.
 */
export class RunVariables {
  private readonly stmts;
  private readonly known = new Map<number, string | null>();

  constructor(db: Database.Database) {
    this.stmts = {
      recorded: db.prepare<[number], { variables: string | null }>('SELECT variables FROM runs WHERE id = ?'),
      ran: db.prepare<{ run: number }, { v: string | null }>(OF_JOBS("j.run_id = @run AND j.status = 'ok'")),
      any: db.prepare<{ run: number }, { v: string | null }>(OF_JOBS('j.run_id = @run')),
    };
  }

  of(run: number): string | null {
    let v = this.known.get(run);
    if (v === undefined) {
      const recorded = this.stmts.recorded.get(run)?.variables ?? null;
      const found = recorded ?? this.stmts.ran.get({ run })?.v ?? this.stmts.any.get({ run })?.v ?? null;
      // As JSON.stringify writes them, which is how a run records them and how they are compared.
      v = found === null ? null : JSON.stringify(JSON.parse(found));
      this.known.set(run, v);
    }
    return v;
  }
}
