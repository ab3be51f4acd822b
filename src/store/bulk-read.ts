import type Database from 'better-sqlite3';

/** Values per `IN (…)` statement: well under SQLite's limit of bound parameters. */
const CHUNK = 500;
export interface ScanLimits {
  /** Rows per page of a scan: bounds what a scan holds at once. */
  readonly page: number;
  /** Below this many wanted rows, lookups cost too little for counting the table to pay. */
  readonly scanMin: number;
  /** Values looked up first, to learn how many rows a value has. */
  readonly probe: number;
}

const LIMITS: ScanLimits = { page: 16_384, scanMin: 4096, probe: CHUNK };

/**
 * Reads of many rows at once. By value, a few hundred values per `IN (…)`
 * statement: about 5 µs a row, a B-tree descent each. When most of a table
 * is wanted (a fully cached plan of a map reads nearly every result and
 * object of its store), the whole table in key order, a page at a time, and
 * the rows not wanted dropped: about half of that.
 */
export class BulkReads {
  /** Statements by their text (only a chunk's last, shorter one differs). */
  private readonly prepared = new Map<string, Database.Statement<unknown[]>>();

  constructor(private readonly db: Database.Database, private readonly limits: ScanLimits = LIMITS) {}

  /**
   * The rows of `select IN (…)` over many values. `raw`: rows as arrays,
   * integers as bigint. `before`: the values of the `?`s `select` has
   * before its `IN`, the same for every part.
   */
  *selectIn<Row>(select: string, values: readonly string[], raw = false, before: readonly unknown[] = []): Generator<Row> {
    for (let i = 0; i < values.length; i += CHUNK) {
      const part = values.slice(i, i + CHUNK);
      yield* this.statement(`${select} IN (${'?,'.repeat(part.length - 1)}?)`, raw).all(...before, ...part) as Row[];
    }
  }

  /**
   * The rows of `table` whose first column is one of `wanted`, as arrays
   * (integers as bigint), in no particular order. The first few hundred
   * values are looked up, which says how many rows a value has; the rest
   * are too, unless their rows would be most of the table: then the table
   * is scanned in the order of `key` (its primary key, or `rowid`), whose
   * columns a row may carry after `columns`. `exact: false`: a scan's rows
   * are all given (once), wanted or not (at most as many again: a set of a
   * million wanted keys cost more than the caller's own lookups skip).
   */
  *rowsWhere<Row extends unknown[]>(table: string, columns: readonly string[], key: readonly string[], wanted: readonly string[], exact = true): Generator<Row> {
    const select = `SELECT ${columns.join(', ')} FROM ${table} WHERE ${columns[0]}`;
    const first = wanted.slice(0, this.limits.probe);
    const rows = [...this.selectIn<Row>(select, first, true)];
    yield* rows;
    const rest = wanted.slice(first.length);
    const perValue = Math.max(1, rows.length / Math.max(1, first.length));
    if (rest.length < this.limits.scanMin || !this.mostOf(table, Math.ceil(rest.length * perValue))) {
      yield* this.selectIn<Row>(select, rest, true);
      return;
    }
    if (!exact) {
      // Not the probed values' rows again: they were given above.
      const probed = new Set<unknown>(first);
      for (const row of this.scan<Row>(table, columns, key)) if (!probed.has(row[0])) yield row;
      return;
    }
    // Made on the first row: a table scanned for a million keys may have none (nothing run yet).
    let want: Set<unknown> | undefined;
    for (const row of this.scan<Row>(table, columns, key)) if ((want ??= new Set(rest)).has(row[0])) yield row;
  }

  /** A statement prepared once per text (and shape: `raw`, as `selectIn`'s). */
  statement(sql: string, raw = false): Database.Statement<unknown[]> {
    const name = raw ? `raw:${sql}` : sql;
    let stmt = this.prepared.get(name);
    if (stmt === undefined) this.prepared.set(name, (stmt = raw ? this.db.prepare(sql).raw(true).safeIntegers(true) : this.db.prepare(sql)));
    return stmt;
  }

  /** Whether `n` rows are at least half of the table: counted no further than twice `n`. */
  private mostOf(table: string, n: number): boolean {
    const [count] = this.statement(`SELECT count(*) FROM (SELECT 1 FROM ${table} LIMIT ?)`, true).get(2 * n) as [bigint];
    return count < BigInt(2 * n);
  }

  /**
   * Every row, a page at a time in the order of `key` (the table's key): each
   * page starts after the last. A key column not among `columns` is read
   * after them (one that is, is read once: a string less per row).
   */
  private *scan<Row extends unknown[]>(table: string, columns: readonly string[], key: readonly string[]): Generator<Row> {
    const { page } = this.limits;
    const read = [...columns, ...key.filter((k) => !columns.includes(k))];
    const at = key.map((k) => read.indexOf(k));
    const order = key.join(', ');
    const select = `SELECT ${read.join(', ')} FROM ${table}`;
    let rows = this.statement(`${select} ORDER BY ${order} LIMIT ${page}`, true).all() as Row[];
    const next = this.statement(`${select} WHERE (${order}) > (${key.map(() => '?').join(', ')}) ORDER BY ${order} LIMIT ${page}`, true);
    while (rows.length > 0) {
      yield* rows;
      if (rows.length < page) return;
      const last = rows.at(-1)!;
      rows = next.all(...at.map((i) => last[i])) as Row[];
    }
  }
}
