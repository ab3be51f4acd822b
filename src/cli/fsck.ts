import { Command } from 'commander';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { damagedDatabase, databaseDamage, damagedMessage, holdsRecordedData } from '../store/damaged-database.js';
import { Leases } from '../store/leases.js';
import { openStore, storeMade } from '../store/open-store.js';
import { QuarantineBlocked } from '../store/quarantine-folder.js';
import { resultsReferencing } from '../store/referencing.js';
import { indexProblems, type IndexProblem } from './fsck-index.js';
import { rebuildIndex } from '../store/index-check.js';
import type { StoreProblem } from '../store/snapshot-store.js';
import { displayName, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_INVALID, ExitError, openFailureCode, refuseReadOnlyStore, requireReadable } from './load-or-report.js';
import { storeSpec } from './find-store.js';
import type { Io } from './main.js';
import { configOption } from './apply-config.js';
import { cutToWidth } from '../columns.js';
import { counted } from '../counted.js';
import { drawsEscapes, printable, shownName } from '../printable.js';

interface FsckFlags {
  store?: string;
  repair?: boolean;
  json?: boolean;
}

/**
 * `shark fsck [FILE]`: re-hashes every stored object and looks for every
 * object a result refers to. Problems exit 1; `--repair` quarantines the
 * bad data and drops the results made of it, so the next `run` recomputes
 * exactly those jobs from their lineage.
 */
export function fsckCommand(io: Io): Command {
  return new Command('fsck')
    .description('check the store: re-hash every object, report missing or corrupt data (exit 1); --repair drops what depends on it')
    .argument('[file]', 'a pipeline whose store to check (default: $SHARK_STORE, or .shark/ here)')
    .option('--store <store>', 'the store: a directory, or zfs:POOL/DATASET (default: $SHARK_STORE, then store: in the config file, then .shark/ beside the pipeline, or ./.shark without one)')
    .addOption(configOption())
    .option('--repair', 'quarantine bad data and drop the results that reference it, so the next run recomputes them', false)
    .option('--json', 'print the report as JSON')
    .action(async (file: string | undefined, flags: FsckFlags) => {
      if (file !== undefined) requireReadable(file, io.stderr);
      const base = file === undefined ? process.cwd() : dirname(resolve(file));
      const spec = storeSpec(flags.store);
      const where = spec ?? join(base, '.shark');
      if (!storeMade(spec, base)) {
        // Its database moved aside (damaged, as the way out says): the data is there, with nothing that names it.
        const without = !where.startsWith('zfs:') && holdsRecordedData(where);
        io.stderr(without
          ? `shark: error: ${displayName(where)} holds stored data but no database (shark.sqlite): nothing records what the data is, so there is nothing to check; the next run records the store afresh (and runs every job again; what it published before is no longer known as its: a publish refuses a file there that the new run would change, so move those away too)\n`
          : `shark: error: no store at ${displayName(where)}\n`);
        throw new ExitError(EXIT_INVALID);
      }
      const opened = openStore(spec, base);
      if (!opened.ok) {
        if (opened.damaged === true && flags.json === true) io.stdout(damagedJson(where, opened.message));
        io.stderr(`shark: error: ${opened.message}\n`);
        // Damage is what fsck looks for: found opening the store, it is found all the same.
        throw new ExitError(opened.damaged === true ? EXIT_FAILED : openFailureCode(opened));
      }
      const { store, meta } = opened.value;
      if (flags.repair === true && meta.db.readonly) {
        store.close();
        meta.close();
        refuseReadOnlyStore(meta, store.location, 'fsck --repair', io.stderr);
      }
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      // SIGTERM as Ctrl-C (a service manager's stop): 130, said, not a silent 143.
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const interrupted = (what: string): ExitError => {
        io.stderr(`shark: interrupted: ${what}\n`);
        return new ExitError(EXIT_INTERRUPTED);
      };
      const leases = new Leases(meta);
      try {
        // Nothing a damaged database says is to be trusted: what its results name, nor that it holds no others.
        const damage = databaseDamage(meta.db);
        if (damage !== undefined) {
          if (flags.json === true) io.stdout(damagedJson(store.location, damagedMessage(damage)));
          io.stderr(`shark: error: ${damagedMessage(damage)}\n`);
          throw new ExitError(EXIT_FAILED);
        }
        const started = Date.now();
        let checked = { objects: 0, bytes: 0 };
        const bar = progressBar(io, flags.json !== true && drawsEscapes(process.stderr));
        let refreshed = 0;
        let problems = await store.verify((done, total, bytes) => {
          checked = { objects: done, bytes };
          bar(done, total, bytes);
        }, controller.signal, () => refreshed++);
        bar(-1, 0, 0);
        if (controller.signal.aborted) throw interrupted('the check did not finish; nothing was repaired');
        // Rows of the index `plan` finds cached outputs through that say other than their results: edited or damaged.
        const index = indexProblems(meta);
        const seconds = (Date.now() - started) / 1000;
        // An object of another mode has sound bytes: nothing made of it is dropped. What a job made from a damaged one
        // since the last clean check is (its key names the sound bytes' id).
        const since = meta.lastCleanCheck();
        const affectedBy = (found: readonly StoreProblem[]): string[] =>
          resultsReferencing(meta, (id) => store.entries(id), new Set(found.filter((p) => p.problem !== 'mode').map((p) => p.id)),
            { ids: new Set(found.filter((p) => p.problem === 'corrupt').map((p) => p.id)), since });
        if (!problems.some((p) => p.problem !== 'mode')) meta.noteCleanCheck(started);
        let affected = affectedBy(problems);
        let repaired = false;
        let stuck: StoreProblem[] = [];
        if (flags.repair === true && problems.length + index.found.length > 0) {
          // Not while a run could be reading what is moved aside.
          const holder = leases.tryAcquire('gc');
          if (holder !== undefined || meta.liveRuns().length > 0) {
            io.stderr('shark: error: a run or gc is using the store: nothing repaired; run fsck --repair again when it ends\n');
            throw new ExitError(EXIT_FAILED);
          }
          // Bytes a mode of 000 hid are judged once it is given back: only bad ones are quarantined.
          // An object found corrupt already (its mode changed so that it could be written) is said once.
          const judged = await store.restoreModes?.(problems.filter((p) => p.problem === 'mode'), controller.signal) ?? [];
          // A mode that could not be given back (another user's) stays a problem, said as such: it was counted as repaired.
          stuck = judged.filter((j) => j.problem === 'mode');
          problems = [...problems.map((p) => stuck.find((s) => s.id === p.id && p.problem === 'mode') ?? p),
            ...judged.filter((j) => j.problem !== 'mode' && !problems.some((p) => p.id === j.id && p.problem === j.problem))];
          if (controller.signal.aborted) throw interrupted('modes given back so far stay; nothing was moved aside (run fsck --repair again)');
          affected = affectedBy(problems);
          // Written again from the results (nothing is dropped: they say what they made).
          rebuildIndex(meta.db, index.found);
          await store.quarantine(problems.filter((p) => p.problem === 'corrupt').map((p) => p.id));
          meta.dropResults(affected);
          // What is left was sound when this check read it.
          if (stuck.length === 0) meta.noteCleanCheck(started);
          repaired = true;
        }
        const all = [...problems, ...index.problems];
        const report = { store: store.location, objects: checked.objects, bytes: checked.bytes, seconds, problems: all, results: affected.length, repaired, refreshed };
        io.stdout(flags.json === true ? JSON.stringify(report, null, 2) + '\n' : render(report, stuck));
        if (all.length > 0 && (!repaired || stuck.length > 0)) throw new ExitError(EXIT_FAILED);
      } catch (e) {
        if (e instanceof QuarantineBlocked) {
          io.stderr(`shark: error: ${e.message}\n`);
          throw new ExitError(EXIT_INVALID);
        }
        // Damage its check of the file cannot see (a value that parses, of another shape) is found as it is read.
        if (!damagedDatabase(e)) throw e;
        io.stderr(`shark: error: ${damagedMessage((e as Error).message)}\n`);
        throw new ExitError(EXIT_FAILED);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        leases.releaseAll();
        store.close();
        meta.close();
      }
    });
}

/** `stuck`: the mode problems `--repair` could not fix (another user's), said apart from what it repaired. */
function render(r: { store: string; objects: number; bytes: number; seconds: number; problems: readonly (StoreProblem | IndexProblem)[]; results: number; repaired: boolean; refreshed: number }, stuck: readonly StoreProblem[]): string {
  const mb = r.bytes / 1e6;
  // The store's path is the user's: a control character in it, or in an object's path, is shown, not obeyed.
  const lines = [`${shownName(r.store)}: checked ${counted(r.objects, 'object')}, ${mb.toFixed(1)} MB in ${r.seconds.toFixed(1)}s (${(mb / Math.max(r.seconds, 1e-3)).toFixed(0)} MB/s)`];
  const one = r.refreshed === 1;
  if (r.refreshed > 0) lines.push(`${r.refreshed} object${one ? '' : 's'} changed only in ${one ? 'its' : 'their'} stat since stored (a touch or a copy), ${one ? 'its' : 'their'} bytes sound: recorded again`);
  for (const p of r.problems) lines.push(`${p.problem.padEnd(8)} ${p.id}  ${printable(p.detail)}`);
  if (r.problems.length === 0) lines.push('ok: no missing or corrupt data');
  else if (r.repaired) {
    const done = r.problems.filter((p) => !stuck.some((s) => s === p));
    if (done.length > 0) lines.push(repairedLine(done, r.results));
    if (stuck.length > 0) lines.push(`not repaired: ${counted(stuck.length, 'mode')} could not be given back (another user's: chmod as their owner, or run fsck --repair as them)`);
  }
  else lines.push(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}, ${r.results} result${r.results === 1 ? '' : 's'} affected: run \`shark fsck --repair\``);
  return lines.join('\n') + '\n';
}

/** What `--repair` did: modes given back, bad data quarantined and the results made of it dropped. */
function repairedLine(all: readonly (StoreProblem | IndexProblem)[], results: number): string {
  const problems = all.filter((p): p is StoreProblem => p.problem !== 'index');
  const index = all.length - problems.length;
  const modes = problems.filter((p) => p.problem === 'mode');
  // A folder's problem names its path, an object's its id.
  // A link in place of a folder is removed, not given a mode (cas-verify.ts).
  const links = modes.filter((p) => isAbsolute(p.id) && p.detail.startsWith('a symbolic link')).length;
  const folders = modes.filter((p) => isAbsolute(p.id)).length - links;
  const objects = modes.length - folders - links;
  const parts: string[] = [];
  if (objects > 0) parts.push(`${counted(objects, 'object')} given ${objects === 1 ? 'its' : 'their'} stored mode back`);
  if (folders > 0) parts.push(`${counted(folders, 'folder')} of the store given ${folders === 1 ? 'its' : 'their'} mode back`);
  if (links > 0) parts.push(`${counted(links, 'symbolic link')} in place of a folder of the store removed (not what ${links === 1 ? 'it leads' : 'they lead'} to)`);
  // Only corrupt data is moved aside: a missing object leaves nothing to quarantine.
  const corrupt = problems.some((p) => p.problem === 'corrupt');
  if (modes.length < problems.length) parts.push(`${corrupt ? 'bad data quarantined, ' : ''}${counted(results, 'result')} dropped; the next run recomputes them`);
  if (index > 0) parts.push(`${counted(index, 'row')} of the index of outputs written again from ${index === 1 ? 'its result' : 'their results'} (nothing dropped: the results record their outputs)`);
  return `repaired: ${parts.join('; ')}`;
}

/** A one-line bar on stderr at a terminal, cut to its width as run's status line is; `done < 0` clears it. */
export function progressBar(io: Io, tty: boolean): (done: number, total: number, bytes: number) => void {
  let last = 0;
  return (done, total, bytes) => {
    if (!tty) return;
    if (done < 0) return void io.stderr('\r\x1b[2K');
    const now = Date.now();
    if (now - last < 100 && done !== total) return;
    last = now;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const line = `fsck [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} objects, ${(bytes / 1e6).toFixed(1)} MB`;
    const columns = process.stderr.columns ?? 0;
    io.stderr(`\r\x1b[2K${columns > 0 ? cutToWidth(line, columns - 1) : line}`);
  };
}

/**
 * The `--json` report of a store whose database is damaged: nothing else is
 * checked, and a script reading the report is told, as the problem
 * `database` of the store's `shark.sqlite`, rather than given nothing to parse.
 */
function damagedJson(location: string, message: string): string {
  const id = location.startsWith('zfs:') ? location : join(location, 'shark.sqlite');
  const report = { store: location, objects: 0, bytes: 0, seconds: 0, problems: [{ id, problem: 'database', detail: message }], results: 0, repaired: false, refreshed: 0 };
  return JSON.stringify(report, null, 2) + '\n';
}
