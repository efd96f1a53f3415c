import { stat } from 'node:fs/promises';
import type { Db } from '../db.ts';
import { queryRows, transaction } from '../db.ts';
import { discoverLandingFiles } from './discover.ts';
import { readLines, sha256Hex } from './read-lines.ts';

export interface FileLoadResult {
  path: string;
  outcome: 'loaded' | 'skipped' | 'rejected';
  linesRead: number;
  linesStored: number;
  linesBlank: number;
  linesRejectedByReader: number;
  error?: string;
}

export interface LoadOptions {
  runId: number;
  maxLineBytes?: number;
}

/**
 * Loads every landing file that is new or changed since it was last loaded. A changed file
 * replaces its own earlier rows; each file is one transaction, so a failure mid-file (a corrupt
 * gzip, a crash) leaves none of it half-loaded.
 */
export async function loadLanding(db: Db, landingDir: string, options: LoadOptions): Promise<FileLoadResult[]> {
  const paths = await discoverLandingFiles(landingDir);
  const results: FileLoadResult[] = [];
  for (const path of paths) results.push(await loadFile(db, path, options));
  return results;
}

async function loadFile(db: Db, path: string, options: LoadOptions): Promise<FileLoadResult> {
  const info = await stat(path);
  const [known] = await queryRows(
    db,
    `select file_id, size_bytes, mtime_ms, status from landing_files where path = $path`,
    { path },
  );
  const empty = { path, linesRead: 0, linesStored: 0, linesBlank: 0, linesRejectedByReader: 0 };
  if (known && Number(known.size_bytes) === info.size && Number(known.mtime_ms) === info.mtimeMs) {
    return { ...empty, outcome: 'skipped' };
  }
  const fileId = known ? Number(known.file_id) : await nextFileId(db);
  try {
    return await transaction(db, async () => {
      await forgetFile(db, fileId);
      const counts = await appendFileLines(db, path, fileId, options.maxLineBytes);
      await db.run(
        `insert into landing_files (file_id, path, size_bytes, mtime_ms, sha256, status, error,
           lines_read, lines_blank, lines_rejected_by_reader, run_id)
         values ($fileId, $path, $size, $mtime, $sha256, 'loaded', null, $read, $blank, $rejected, $runId)`,
        {
          fileId,
          path,
          size: info.size,
          mtime: info.mtimeMs,
          sha256: counts.sha256,
          read: counts.linesRead,
          blank: counts.linesBlank,
          rejected: counts.linesRejectedByReader,
          runId: options.runId,
        },
      );
      return { path, outcome: 'loaded' as const, ...counts };
    });
  } catch (error) {
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
    return { ...empty, outcome: 'rejected', error: message };
  }
}

/** Removes everything the warehouse holds of a file, before it is loaded again or rejected. */
async function forgetFile(db: Db, fileId: number): Promise<void> {
  for (const table of ['raw_lines', 'reader_rejects', 'payload_violations', 'landing_files']) {
    await db.run(`delete from ${table} where file_id = $fileId`, { fileId });
  }
}

async function nextFileId(db: Db): Promise<number> {
  const [row] = await queryRows(db, `select coalesce(max(file_id), 0) + 1 as id from landing_files`);
  return Number(row?.id ?? 1);
}

async function appendFileLines(db: Db, path: string, fileId: number, maxLineBytes?: number) {
  const hash = sha256Hex();
  const lines = await db.createAppender('raw_lines');
  const rejects = await db.createAppender('reader_rejects');
  const counts = { linesRead: 0, linesStored: 0, linesBlank: 0, linesRejectedByReader: 0 };
  try {
    for await (const event of readLines(path, { maxLineBytes, onRawChunk: hash.update })) {
      counts.linesRead += 1;
      if (event.kind === 'blank') {
        counts.linesBlank += 1;
      } else if (event.kind === 'line') {
        counts.linesStored += 1;
        lines.appendBigInt(BigInt(fileId));
        lines.appendBigInt(BigInt(event.lineNo));
        lines.appendVarchar(event.text);
        lines.endRow();
      } else {
        counts.linesRejectedByReader += 1;
        rejects.appendBigInt(BigInt(fileId));
        rejects.appendBigInt(BigInt(event.lineNo));
        rejects.appendVarchar(event.text);
        rejects.appendVarchar(event.reason);
        rejects.endRow();
      }
    }
    lines.flushSync();
    rejects.flushSync();
  } finally {
    lines.closeSync();
    rejects.closeSync();
  }
  return { ...counts, sha256: hash.digest() };
}
