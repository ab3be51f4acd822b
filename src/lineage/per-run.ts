/**
 * Values by run, then by a path, key or job name: a lineage reads mostly
 * one run, and a lookup in two maps makes no string (a string of run and
 * key made per lookup cost the lineage of a 10,001-job reduce ~60 ms).
 */
export class PerRun<T> {
  private readonly runs = new Map<number, Map<string, T>>();

  get(run: number, what: string): T | undefined {
    return this.runs.get(run)?.get(what);
  }

  has(run: number, what: string): boolean {
    return this.runs.get(run)?.has(what) ?? false;
  }

  set(run: number, what: string, value: T): void {
    let values = this.runs.get(run);
    if (values === undefined) this.runs.set(run, (values = new Map()));
    values.set(what, value);
  }
}
