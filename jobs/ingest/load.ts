import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { BIGINT, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import type { Db } from '../db.ts';
import { forEachOnConnections, queryRows, transaction } from '../db.ts';
import type { LoadProgress } from '../log.ts';
import { discoverLandingFiles } from './discover.ts';
import {
  BULK_MAX_LINE_BYTES,
  dropStagedLandingFile,
  ensureParsedTable,
  PARALLEL_PARSE_MIN_BYTES,
  parseLines,
  prepareParseConnection,
  recordParseSql,
  stageLandingFile,
} from './parse.ts';
import {
  DEFAULT_MAX_LINE_BYTES,
  LINE_CHECKSUM_MODULUS,
  type PlainScan,
  type ReadProgress,
  readLines,
  scanPlainFile,
  sha256Hex,
} from './read-lines.ts';

/**
 * What happened to a landing file in a run:
 * - loaded: read in full (new, previously rejected, or replaced with --reload);
 * - appended: it grew since the last run and only its new lines were read;
 * - skipped: unchanged since it was loaded (not read at all);
 * - changed: bytes that were already loaded are different now; left as loaded until `--reload`;
 * - rejected: unreadable (e.g. a corrupt gzip); nothing of this version is loaded;
 * - missing: loaded by an earlier run and gone from the landing now. The warehouse keeps no copy
 *   of the lines, only what they were parsed into: those rows and the facts made of them stay.
 */
export type FileOutcome = 'loaded' | 'appended' | 'skipped' | 'changed' | 'rejected' | 'missing';

export interface FileLoadResult {
  path: string;
  outcome: FileOutcome;
  /** Set when lines were read: the file and the number of its first line read by this run. */
  fileId?: number;
  firstLineNo?: number;
  linesRead: number;
  linesStored: number;
  linesBlank: number;
  linesRejectedByReader: number;
  /** Set when the file's earlier loaded lines were thrown away and it was read again (`--reload`). */
  replaced?: boolean;
  /** How the lines were read: in bulk by DuckDB (a plain file without special cases) or by readLines. */
  reader?: 'bulk' | 'lines';
  /** Read in bulk through a staged table, its parse on every thread (a big file). */
  staged?: boolean;
  /**
   * Unchanged, and read again to be parsed anew (`--full-refresh`, a changed parse): its rows were
   * replaced by the same lines' new parse; it stays the run's it was loaded by, and counts no line.
   */
  reparsed?: boolean;
  error?: string;
}

export interface LoadOptions {
  runId: number;
  maxLineBytes?: number;
  /**
   * A file modified less than this many seconds ago may still be being written: its complete
   * lines are loaded, but an unterminated last line waits for a later run.
   */
  settleSeconds?: number;
  /** Files whose rows are replaced even though already-loaded bytes changed. */
  reload?: string[];
  /** Decide what would happen, change nothing. */
  dryRun?: boolean;
  /**
   * Read every unchanged landing file again (`--full-refresh`): the warehouse keeps no copy of
   * the lines, so a rebuild from scratch starts from the landing files. Files that are gone or
   * changed keep the rows they were parsed into.
   */
  rereadAll?: boolean;
  now?: number;
  /** From this size on a file is staged before its parse (PARALLEL_PARSE_MIN_BYTES); for tests. */
  stageFromBytes?: number;
  /** Called as files finish, for a progress bar. */
  onProgress?: (progress: LoadProgress) => void;
}

interface KnownFile {
  fileId: number;
  sizeBytes: number;
  mtimeMs: number;
  sha256: string | null;
  status: string;
  bytesLoaded: number;
  endsUnterminated: boolean;
  linesRead: number;
  linesBlank: number;
  linesRejectedByReader: number;
}

type Plan =
  | { action: 'skip' }
  | { action: 'changed'; reason: string }
  | { action: 'full' }
  | { action: 'append'; from: KnownFile; prefixHash: ReturnType<typeof sha256Hex> };

/**
 * Files loaded at once, each on its own connection: a file's read and parse keep one DuckDB thread
 * busy (its scan is single-threaded to keep line order), so two files use two cores. Not more:
 * each parse holds its own buffers and rows under the run's memory_limit (four at once ran out of
 * it at 256 MB), and a third connection on two cores gained little (5.1-5.4 s against 5.6 s for six
 * 32 MB files).
 */
const LOAD_CONNECTIONS = Math.max(1, Math.min(2, availableParallelism()));

/**
 * Runs the loads with the settings that suit them, and restores the warehouse's after:
 * - DuckDB's threads cut to what the loading connections leave of the cores. Each connection's
 *   parse runs on its own calling thread (the numbered scan keeps it on one), so with two
 *   connections on two cores DuckDB's own workers only contend with them: ten 32 MB files took
 *   6.4-8.5 s with one thread against 9.9-11.2 s with two (15 CPU-s against 20).
 * - No insertion order kept: a parsed row carries its line number, and a big file's parallel parse
 *   kept in order took 22 s (43 CPU-s) for 0.97 GB under the memory limit, against 14 s (27 CPU-s).
 *   A numbered scan stays in file order either way (the loader proves it for each file).
 */
async function withLoadSettings<T>(db: Db, connections: number, work: () => Promise<T>): Promise<T> {
  const [setting] = await queryRows(
    db,
    `select current_setting('threads') as threads, current_setting('preserve_insertion_order') as preserve_insertion_order`,
  );
  const threads = Number(setting!.threads);
  const preserveInsertionOrder = Boolean(setting!.preserve_insertion_order);
  await db.run(`set threads = $threads`, { threads: Math.max(1, Math.min(threads, threads - connections + 1)) });
  await db.run(`set preserve_insertion_order = false`);
  try {
    return await work();
  } finally {
    await db.run(`set threads = $threads`, { threads });
    await db.run(`set preserve_insertion_order = $preserve`, { preserve: preserveInsertionOrder });
  }
}

/**
 * A DuckDB error that says nothing about the file: the run fails (an infrastructure fault) instead
 * of rejecting a file whose bytes are fine.
 */
function isInfrastructureFault(error: unknown): boolean {
  return /Out of Memory Error|No space left on device|Could not write/i.test(String((error as Error)?.message ?? error));
}

/**
 * Loads what is new in the landing directory: each file's new lines are parsed as they are read
 * (jobs/ingest/parse.ts). Each file is one transaction: all of it or none.
 */
export async function loadLanding(db: Db, landingDir: string, options: LoadOptions): Promise<FileLoadResult[]> {
  const paths = await discoverLandingFiles(landingDir);
  let rereadAll = options.rereadAll ?? false;
  if (!options.dryRun) {
    await prepareParseConnection(db);
    // a warehouse of an earlier version kept every line in raw_lines: those are parsed from there
    await parseBufferedLines(db);
    // a changed parse is applied to every line: the files are read again
    if ((await ensureParsedTable(db)).stale) rereadAll = true;
  }
  // the manifest is read once: each load changes only its own file's row
  const manifest = await knownFiles(db);
  const fileIds = allocateFileIds(manifest, paths);
  const results: FileLoadResult[] = new Array(paths.length);
  const sizes = options.onProgress ? await Promise.all(paths.map(async (path) => (await stat(path)).size)) : [];
  const progress: LoadProgress = {
    filesDone: 0,
    filesTotal: paths.length,
    linesRead: 0,
    bytesDone: 0,
    bytesTotal: sizes.reduce((sum, size) => sum + size, 0),
    bytesRead: 0,
    startedAt: Date.now(),
  };
  const connections = Math.min(LOAD_CONNECTIONS, paths.length);
  await withLoadSettings(db, connections, () =>
    forEachOnConnections(
      db,
      connections,
      paths,
      async (connection, path, index) => {
        results[index] = await loadFile(connection, path, fileIds.get(path)!, manifest.get(path) ?? null, { ...options, rereadAll });
        if (options.onProgress) {
          progress.filesDone += 1;
          progress.linesRead += results[index].linesRead;
          progress.bytesDone += sizes[index]!;
          if (results[index].fileId !== undefined) progress.bytesRead += sizes[index]!;
          options.onProgress(progress);
        }
      },
      prepareParseConnection,
    ),
  );
  // a file that could not be parsed anew (changed, rejected, gone) keeps the rows of the old parse
  if (rereadAll && !options.dryRun) await recordParseSql(db);
  const present = new Set(paths);
  for (const [path, known] of manifest) {
    if (known.status === 'loaded' && !present.has(path)) results.push({ path, outcome: 'missing', ...nothing });
  }
  return results;
}

/**
 * Lines left in raw_lines, parsed into base_ocpp__lines. The loader parses what it reads in the
 * same transaction, so only a warehouse written by an earlier version (which kept every line
 * there) has any: its lines are parsed once more, from there, and the copy is dropped.
 */
async function parseBufferedLines(db: Db): Promise<void> {
  const files = await queryRows(db, `select file_id, min(line_no) as from_line_no from raw_lines group by file_id order by file_id`);
  if (files.length === 0) return;
  await ensureParsedTable(db);
  for (const file of files) {
    const fileId = Number(file.file_id);
    const fromLineNo = Number(file.from_line_no);
    await transaction(db, async () => {
      await db.run(`delete from base_ocpp__lines where file_id = $fileId and line_no >= $fromLineNo`, { fileId, fromLineNo });
      await parseLines(db, { kind: 'buffer', fileId, fromLineNo });
      await db.run(`delete from raw_lines where file_id = $fileId`, { fileId });
    });
  }
  await recordParseSql(db);
}

/**
 * The id of every file: its own if the manifest knows it, else the next free one in path order,
 * so ids do not depend on which of the concurrent loads gets there first.
 */
function allocateFileIds(manifest: Map<string, KnownFile>, paths: string[]): Map<string, number> {
  const ids = new Map([...manifest].map(([path, known]) => [path, known.fileId]));
  let nextId = [...manifest.values()].reduce((max, known) => Math.max(max, known.fileId), 0) + 1;
  for (const path of paths) if (!ids.has(path)) ids.set(path, nextId++);
  return ids;
}

const nothing = { linesRead: 0, linesStored: 0, linesBlank: 0, linesRejectedByReader: 0 };

async function loadFile(db: Db, path: string, fileId: number, known: KnownFile | null, options: LoadOptions): Promise<FileLoadResult> {
  const info = await stat(path);
  const fresh = (options.now ?? Date.now()) - info.mtimeMs < (options.settleSeconds ?? 0) * 1000;
  const reload = (options.reload ?? []).some((candidate) => resolve(candidate) === path);
  let plan = await planFile(path, info.size, info.mtimeMs, known, reload);
  if (options.rereadAll && known) {
    // unchanged: parsed anew from the same bytes, so the same lines get the same numbers
    if (plan.action === 'skip') {
      return options.dryRun ? { path, outcome: 'skipped', reparsed: true, ...nothing } : reparseFile(db, path, info.size, known, options);
    }
    // grown: its loaded lines must be parsed anew too, so it is read whole
    if (plan.action === 'append') plan = { action: 'full' };
  }
  if (plan.action === 'skip') {
    // Touched but identical: remember the new mtime so the next run need not hash it again.
    if (known && known.mtimeMs !== info.mtimeMs && !options.dryRun) {
      await db.run(`update landing_files set mtime_ms = $mtime, error = null where file_id = $fileId`, {
        mtime: info.mtimeMs,
        fileId: known.fileId,
      });
    }
    return { path, outcome: 'skipped', ...nothing };
  }
  if (plan.action === 'changed') {
    const error = `${path} changed since it was loaded (${plan.reason}); its loaded rows are kept — rerun with --reload ${path} to replace them`;
    if (!options.dryRun && known) {
      await db.run(`update landing_files set error = $error where file_id = $fileId`, { error, fileId: known.fileId });
    }
    return { path, outcome: 'changed', ...nothing, error };
  }
  const outcome = plan.action === 'append' ? 'appended' : 'loaded';
  if (options.dryRun) return { path, outcome, ...nothing };

  const holdUnterminatedTail = fresh && !path.endsWith('.gz');
  const attempt = ({ bulk, prescan }: ReadMode) =>
    transaction(db, async () => {
      const previous = plan.action === 'append' ? plan.from : undefined;
      if (!previous) await forgetFile(db, fileId);
      const progress: ReadProgress = { endOffset: 0, endsUnterminated: false, heldBytes: 0 };
      const { counts, reader, hash, staged } = await readAndParse(db, path, fileId, {
        bulk,
        prescan,
        previous,
        prefixHash: plan.action === 'append' ? plan.prefixHash : undefined,
        maxLineBytes: options.maxLineBytes,
        holdUnterminatedTail,
        progress,
      });
      // The stored hash covers exactly the bytes loaded; a held tail is not part of it.
      const sha256 = progress.heldBytes > 0 ? await hashPrefix(path, progress.endOffset) : hash.digest();
      await db.run(`delete from landing_files where file_id = $fileId`, { fileId });
      await db.run(
        `insert into landing_files (file_id, path, size_bytes, mtime_ms, sha256, status, error,
           lines_read, lines_blank, lines_rejected_by_reader, run_id, payloads_checked, bytes_loaded, ends_unterminated,
           pending_since_run)
         values ($fileId, $path, $size, $mtime, $sha256, 'loaded', null,
           $read, $blank, $rejected, $runId, false, $bytesLoaded, $endsUnterminated, $runId)`,
        {
          fileId,
          path,
          size: info.size,
          mtime: info.mtimeMs,
          sha256,
          read: (previous?.linesRead ?? 0) + counts.linesRead,
          blank: (previous?.linesBlank ?? 0) + counts.linesBlank,
          rejected: (previous?.linesRejectedByReader ?? 0) + counts.linesRejectedByReader,
          runId: options.runId,
          bytesLoaded: progress.endOffset,
          endsUnterminated: progress.endsUnterminated,
        },
      );
      const replaced = plan.action === 'full' && known?.status === 'loaded';
      return {
        path,
        outcome,
        fileId,
        firstLineNo: (previous?.linesRead ?? 0) + 1,
        ...counts,
        reader,
        replaced,
        ...(staged ? { staged } : {}),
      } as FileLoadResult;
    });
  try {
    return await withLineReaderFallback(
      db,
      {
        path,
        fileId,
        sizeBytes: info.size,
        whole: plan.action === 'full',
        maxLineBytes: options.maxLineBytes,
        holdUnterminatedTail,
        stageFromBytes: options.stageFromBytes,
      },
      attempt,
    );
  } catch (error) {
    if (isInfrastructureFault(error)) throw error;
    const message = `cannot read ${path}: ${(error as Error).message}`;
    // The new version is rejected as a whole and named in the run summary. If an earlier version
    // was loaded, its rows stay (the rolled-back transaction kept them): nothing already reported
    // is lost, and its stored size and mtime make the next run retry the file.
    if (known?.status === 'loaded') {
      await db.run(`update landing_files set error = $error where file_id = $fileId`, { fileId, error: message });
    } else {
      await transaction(db, async () => {
        await forgetFile(db, fileId);
        await db.run(
          `insert into landing_files (file_id, path, size_bytes, mtime_ms, sha256, status, error,
             lines_read, lines_blank, lines_rejected_by_reader, run_id)
           values ($fileId, $path, $size, -1, null, 'rejected', $error, 0, 0, 0, $runId)`,
          { fileId, path, size: info.size, error: message, runId: options.runId },
        );
      });
    }
    return { path, outcome: 'rejected', ...nothing, error: message };
  }
}

/**
 * Reads a file's lines from where `previous` stopped (from its start without one) and parses them:
 * in bulk by DuckDB when `bulk` allows it and the file needs none of readLines' special cases,
 * else through readLines. The hash returned covers the bytes read, after prefixHash for a grown
 * file; staged says the bulk read went through the lines stageBigFile staged.
 */
async function readAndParse(
  db: Db,
  path: string,
  fileId: number,
  options: ReadMode & {
    previous?: KnownFile;
    prefixHash?: ReturnType<typeof sha256Hex>;
    maxLineBytes?: number;
    holdUnterminatedTail: boolean;
    progress: ReadProgress;
  },
): Promise<{ counts: LineCounts; reader: 'bulk' | 'lines'; hash: ReturnType<typeof sha256Hex>; staged: boolean }> {
  const { previous, maxLineBytes, holdUnterminatedTail, progress } = options;
  if (options.bulk && !previous) {
    const hash = options.prescan?.hash ?? sha256Hex();
    const counts = await bulkLoadPlainFile(db, path, fileId, {
      maxLineBytes,
      holdUnterminatedTail,
      onRawChunk: hash.update,
      progress,
      prescan: options.prescan,
    });
    if (counts) return { counts, reader: 'bulk', hash, staged: options.prescan?.staged ?? false };
  }
  // The bulk pass (if any) hashed bytes already: the reader's pass hashes from scratch.
  const hash = options.prefixHash ?? sha256Hex();
  const counts = await appendFileLines(db, path, fileId, {
    maxLineBytes,
    startOffset: previous?.bytesLoaded ?? 0,
    firstLineNo: (previous?.linesRead ?? 0) + 1,
    holdUnterminatedTail,
    onRawChunk: hash.update,
    progress,
  });
  return { counts, reader: 'lines', hash, staged: false };
}

/** How a file's transaction reads it: bulk (DuckDB's reader) or not, and what stageBigFile did. */
interface ReadMode {
  bulk: boolean;
  prescan?: Prescan;
}

/** A big file's pass in JS, made before its transaction, and whether its lines were staged. */
interface Prescan {
  scan: PlainScan;
  hash: ReturnType<typeof sha256Hex>;
  staged: boolean;
}

/**
 * Runs a file's transaction with DuckDB's bulk reader, and once more with readLines when the bulk
 * attempt failed for a reason other than the infrastructure: DuckDB aborts a transaction on an
 * error, so the line reader cannot simply take over inside it. A file only the bulk reader cannot
 * read (a gzip DuckDB's reader refuses) is then read as before; one neither can read is rejected.
 * A big file read whole is staged first, before the transaction, and its staged lines dropped after.
 */
async function withLineReaderFallback<T>(
  db: Db,
  file: BigFileCandidate & { whole: boolean },
  attempt: (mode: ReadMode) => Promise<T>,
): Promise<T> {
  const prescan = file.whole ? await stageBigFile(db, file) : undefined;
  try {
    return await attempt({ bulk: true, prescan });
  } catch (error) {
    if (isInfrastructureFault(error)) throw error;
    return attempt({ bulk: false });
  } finally {
    if (prescan?.staged) await dropStagedLandingFile(db);
  }
}

interface BigFileCandidate {
  path: string;
  fileId: number;
  sizeBytes: number;
  maxLineBytes?: number;
  holdUnterminatedTail: boolean;
  /** From this size on (bytes on disk and decoded) a file is staged; PARALLEL_PARSE_MIN_BYTES unless a test says otherwise. */
  stageFromBytes?: number;
}

/**
 * Reads a big file's numbered lines into a temporary table before its transaction begins, so that
 * its parse runs on every thread (PARALLEL_PARSE_MIN_BYTES). The file's pass in JS runs at the
 * same time: DuckDB's numbered read keeps one of its threads busy, the pass Node's own (on one
 * 0.97 GB file, 1.3-1.7 s of pass beside 3.8-5.5 s of staging). The bulk attempt then uses that
 * pass. When the pass finds that the bulk reader will not take the file (a CR line end, a held
 * tail), or fails, the staging still under way is interrupted and what it made dropped. Nothing
 * for a small file, or when DuckDB has one thread (files loading side by side): staging would
 * only copy the lines. Not staged when DuckDB's reader fails on it, whatever the reason: the bulk
 * attempt then reads it, or fails, as it would have anyway. What the parse stores is still
 * checked against the pass in JS.
 */
async function stageBigFile(db: Db, file: BigFileCandidate): Promise<Prescan | undefined> {
  const threshold = file.stageFromBytes ?? PARALLEL_PARSE_MIN_BYTES;
  if (file.sizeBytes < threshold || !isBulkReadable(file.path, file.maxLineBytes)) return undefined;
  const [setting] = await queryRows(db, `select current_setting('threads') as threads`);
  if (Number(setting!.threads) < 2) return undefined;
  const hash = sha256Hex();
  let stagingEnded = false;
  const staging = stageLandingFile(db, file.fileId, file.path)
    .then(
      () => true,
      () => false,
    )
    .finally(() => {
      stagingEnded = true;
    });
  // Staged lines nobody will read: the staging (the only statement on the connection while the
  // pass runs) is interrupted rather than waited for; an interrupt after it ended does nothing.
  const abandonStaging = async () => {
    if (!stagingEnded) db.interrupt();
    await staging;
  };
  let scan: PlainScan;
  try {
    scan = await scanPlainFile(file.path, { maxLineBytes: file.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, onRawChunk: hash.update });
  } catch (error) {
    // the connection is DuckDB's until its read ends; the pass's error is the one to report
    await abandonStaging();
    await dropStagedLandingFile(db).catch(() => undefined);
    throw error;
  }
  const bulk = bulkReaderTakes(scan, file.holdUnterminatedTail) && scan.decodedBytes >= threshold;
  if (bulk && (await staging)) return { scan, hash, staged: true };
  await abandonStaging();
  await dropStagedLandingFile(db);
  return { scan, hash, staged: false };
}

/**
 * Whether DuckDB's reader takes a file its pass in JS has scanned: lines without readLines' special
 * cases, and no unterminated last line that must wait for the writer to finish it.
 */
function bulkReaderTakes(scan: PlainScan, holdUnterminatedTail: boolean): boolean {
  return scan.plain && !(scan.endsUnterminated && holdUnterminatedTail);
}

/** Whether DuckDB's reader may take the file at all: a line limit it can hold, a path it does not glob. */
function isBulkReadable(path: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): boolean {
  // DuckDB's readers take * ? [ ] { } in a path as a glob: such a file goes through readLines
  return maxLineBytes <= BULK_MAX_LINE_BYTES && !/[*?[\]{}]/.test(path);
}

/**
 * Parses an unchanged, loaded file anew (`--full-refresh`, a changed parse): its rows are
 * replaced by the new parse of the same lines, in one transaction, and its manifest row (run,
 * counts, payload verdicts) stays as it is. Bytes that differ from those loaded (the same size and
 * mtime, other content), or counts that differ (another --max-line-bytes), keep the old rows:
 * the file is reported as changed.
 */
async function reparseFile(db: Db, path: string, sizeBytes: number, known: KnownFile, options: LoadOptions): Promise<FileLoadResult> {
  const fileId = known.fileId;
  const attempt = ({ bulk, prescan }: ReadMode) =>
    transaction(db, async () => {
      await db.run(`delete from base_ocpp__lines where file_id = $fileId`, { fileId });
      await db.run(`delete from reader_rejects where file_id = $fileId`, { fileId });
      const progress: ReadProgress = { endOffset: 0, endsUnterminated: false, heldBytes: 0 };
      const { counts, hash, staged } = await readAndParse(db, path, fileId, {
        bulk,
        prescan,
        maxLineBytes: options.maxLineBytes,
        holdUnterminatedTail: false,
        progress,
      });
      const same =
        hash.digest() === known.sha256 &&
        counts.linesRead === known.linesRead &&
        counts.linesBlank === known.linesBlank &&
        counts.linesRejectedByReader === known.linesRejectedByReader;
      if (!same) throw new Error('its bytes or line counts differ from those loaded');
      return { path, outcome: 'skipped', reparsed: true, ...nothing, ...(staged ? { staged } : {}) } as FileLoadResult;
    });
  try {
    return await withLineReaderFallback(
      db,
      {
        path,
        fileId,
        sizeBytes,
        whole: true,
        maxLineBytes: options.maxLineBytes,
        holdUnterminatedTail: false,
        stageFromBytes: options.stageFromBytes,
      },
      attempt,
    );
  } catch (error) {
    if (isInfrastructureFault(error)) throw error;
    const message = `${path} could not be parsed anew (${(error as Error).message}); its loaded rows are kept — rerun with --reload ${path} to replace them`;
    await db.run(`update landing_files set error = $error where file_id = $fileId`, { error: message, fileId });
    return { path, outcome: 'changed', ...nothing, error: message };
  }
}

/**
 * Decides from the manifest what a file needs. An unchanged file is never read; a grown plain
 * file is read from where the last run stopped once its loaded bytes are proven unchanged.
 */
async function planFile(path: string, size: number, mtimeMs: number, known: KnownFile | null, reload: boolean): Promise<Plan> {
  if (!known || known.status !== 'loaded' || reload) return { action: 'full' };
  if (size === known.sizeBytes && mtimeMs === known.mtimeMs && size === known.bytesLoaded) return { action: 'skip' };
  if (path.endsWith('.gz')) {
    // A compressed file cannot be resumed: it must be byte-identical (touched only) or it changed.
    if (size === known.sizeBytes && (await hashPrefix(path, size)) === known.sha256) return { action: 'skip' };
    return { action: 'changed', reason: 'a compressed file is only ever loaded whole' };
  }
  if (size < known.bytesLoaded) return { action: 'changed', reason: 'it is shorter than what was loaded' };
  const prefixHash = sha256Hex();
  await streamBytes(path, 0, known.bytesLoaded, prefixHash.update);
  // digest() ends a hash, so the prefix is compared through a copy and the original keeps going.
  if (prefixHash.peek() !== known.sha256) return { action: 'changed', reason: 'bytes that were already loaded differ' };
  if (size === known.bytesLoaded) return { action: 'skip' };
  if (known.endsUnterminated) return { action: 'changed', reason: 'its last line, loaded without a newline, grew' };
  return { action: 'append', from: known, prefixHash };
}

async function knownFiles(db: Db): Promise<Map<string, KnownFile>> {
  const rows = await queryRows(
    db,
    `select path, file_id, size_bytes, mtime_ms, sha256, status, bytes_loaded, ends_unterminated,
            lines_read, lines_blank, lines_rejected_by_reader
     from landing_files`,
  );
  return new Map(
    rows.map((row) => [
      String(row.path),
      {
        fileId: Number(row.file_id),
        sizeBytes: Number(row.size_bytes),
        mtimeMs: Number(row.mtime_ms),
        sha256: (row.sha256 as string | null) ?? null,
        status: String(row.status),
        // manifests from before appends were tracked loaded whole files
        bytesLoaded: row.bytes_loaded === null ? Number(row.size_bytes) : Number(row.bytes_loaded),
        endsUnterminated: Boolean(row.ends_unterminated),
        linesRead: Number(row.lines_read),
        linesBlank: Number(row.lines_blank),
        linesRejectedByReader: Number(row.lines_rejected_by_reader),
      },
    ]),
  );
}

function streamBytes(path: string, start: number, end: number, onChunk: (chunk: Buffer) => void): Promise<void> {
  if (end <= start) return Promise.resolve();
  return new Promise((resolveStream, reject) => {
    createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 })
      .on('data', (chunk) => onChunk(chunk as Buffer))
      .on('error', reject)
      .on('end', () => resolveStream());
  });
}

async function hashPrefix(path: string, bytes: number): Promise<string> {
  const hash = sha256Hex();
  await streamBytes(path, 0, bytes, hash.update);
  return hash.digest();
}

/** Removes everything the warehouse holds of a file, before it is loaded again or rejected. */
async function forgetFile(db: Db, fileId: number): Promise<void> {
  for (const table of ['base_ocpp__lines', 'raw_lines', 'reader_rejects', 'payload_violations', 'landing_files']) {
    await db.run(`delete from ${table} where file_id = $fileId`, { fileId });
  }
}

type ReadOptions = NonNullable<Parameters<typeof readLines>[1]>;
type LineCounts = { linesRead: number; linesStored: number; linesBlank: number; linesRejectedByReader: number };

/** Rows per chunk handed to the appender: DuckDB's vector size, so a chunk is one vector per column. */
const APPEND_BATCH_ROWS = 2048;

/**
 * Reads and parses a whole file (plain or gzip) in bulk when its lines need none of readLines' special
 * cases (almost every file): a first pass in JS hashes it and checks every line (bytes only, no
 * line becomes a string), then DuckDB reads the file itself and parses each line straight into
 * base_ocpp__lines, and the parsed rows are checked against the first pass (count, bytes, an
 * order-sensitive checksum of line numbers and lengths). Returns null, having stored nothing, when
 * the file needs readLines: then the caller reads it that way, hashing it afresh.
 */
async function bulkLoadPlainFile(
  db: Db,
  path: string,
  fileId: number,
  options: ReadOptions & { prescan?: Prescan },
): Promise<LineCounts | null> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!isBulkReadable(path, maxLineBytes)) return null;
  const scan = options.prescan?.scan ?? (await scanPlainFile(path, { maxLineBytes, onRawChunk: options.onRawChunk }));
  if (!bulkReaderTakes(scan, options.holdUnterminatedTail ?? false)) return null;
  if (scan.lines > 0) {
    await parseLines(db, { kind: 'file', fileId, path, staged: options.prescan?.staged ?? false });
    const [parsed] = await queryRows(
      db,
      `select
           count(*) as lines,
           coalesce(sum(line_bytes), 0) as bytes,
           coalesce(sum(((line_no % $modulus) * (line_bytes % $modulus)) % $modulus) % $modulus, 0) as checksum,
       from base_ocpp__lines
       where file_id = $fileId`,
      { fileId, modulus: LINE_CHECKSUM_MODULUS },
    );
    if (Number(parsed!.lines) !== scan.lines || Number(parsed!.bytes) !== scan.bytes || Number(parsed!.checksum) !== scan.checksum) {
      await db.run(`delete from base_ocpp__lines where file_id = $fileId`, { fileId });
      return null;
    }
  }
  if (options.progress) {
    options.progress.endOffset = scan.decodedBytes;
    options.progress.endsUnterminated = scan.endsUnterminated;
    options.progress.heldBytes = 0;
  }
  return { linesRead: scan.lines, linesStored: scan.lines, linesBlank: 0, linesRejectedByReader: 0 };
}

/**
 * Streams a file through readLines (a gzip, a grown file, a file with special cases), holding its
 * lines in raw_lines in chunks of rows (one appender call per chunk, not per value) until they
 * are parsed, which empties raw_lines again.
 */
async function appendFileLines(db: Db, path: string, fileId: number, readOptions: ReadOptions): Promise<LineCounts> {
  const lines = await db.createAppender('raw_lines');
  const rejects = await db.createAppender('reader_rejects');
  const counts = { linesRead: 0, linesStored: 0, linesBlank: 0, linesRejectedByReader: 0 };
  let lineNos: bigint[] = [];
  let texts: string[] = [];
  const appendBatch = () => {
    if (texts.length === 0) return;
    const chunk = DuckDBDataChunk.create([BIGINT, BIGINT, VARCHAR], texts.length);
    chunk.setColumnValues(0, new Array<bigint>(texts.length).fill(BigInt(fileId)));
    chunk.setColumnValues(1, lineNos);
    chunk.setColumnValues(2, texts);
    lines.appendDataChunk(chunk);
    lineNos = [];
    texts = [];
  };
  try {
    for await (const event of readLines(path, readOptions)) {
      counts.linesRead += 1;
      if (event.kind === 'blank') {
        counts.linesBlank += 1;
      } else if (event.kind === 'line') {
        counts.linesStored += 1;
        lineNos.push(BigInt(event.lineNo));
        texts.push(event.text);
        if (texts.length === APPEND_BATCH_ROWS) appendBatch();
      } else {
        counts.linesRejectedByReader += 1;
        rejects.appendBigInt(BigInt(fileId));
        rejects.appendBigInt(BigInt(event.lineNo));
        rejects.appendVarchar(event.text);
        rejects.appendVarchar(event.reason);
        rejects.endRow();
      }
    }
    appendBatch();
    lines.flushSync();
    rejects.flushSync();
  } finally {
    lines.closeSync();
    rejects.closeSync();
  }
  if (counts.linesStored > 0) {
    await parseLines(db, { kind: 'buffer', fileId, fromLineNo: readOptions.firstLineNo ?? 1 });
    await db.run(`delete from raw_lines where file_id = $fileId`, { fileId });
  }
  return counts;
}
