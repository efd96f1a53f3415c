import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { queryJsonRows, transaction, withWarehouse } from '../jobs/db.ts';
import { writeLanding } from '../jobs/generate/write-landing.ts';
import { loadLanding } from '../jobs/ingest/load.ts';
import { dropStagedLandingFile, ensureParsedTable, parseLines, prepareParseConnection, stageLandingFile } from '../jobs/ingest/parse.ts';
import { readLines } from '../jobs/ingest/read-lines.ts';
import { ensureRawLayer } from '../jobs/ingest/schema.ts';
import { envelope, runOn, tempDir, writeLandingFiles } from './helpers.ts';

/** What readLines (the reference for every line rule) makes of a file: stored lines and the counts. */
async function referenceRead(path: string) {
  const lines: { line_no: number; line_bytes: number }[] = [];
  let read = 0;
  let blank = 0;
  for await (const event of readLines(path)) {
    read += 1;
    if (event.kind === 'line') lines.push({ line_no: event.lineNo, line_bytes: Buffer.byteLength(event.text) });
    if (event.kind === 'blank') blank += 1;
  }
  return { lines, read, blank };
}

/** Loads a landing directory into a fresh warehouse and returns the lines each file was parsed into. */
async function loadInto(landing: string) {
  const warehouse = join(tempDir(), 'warehouse.duckdb');
  return withWarehouse(warehouse, async (db) => {
    await ensureRawLayer(db);
    const results = await loadLanding(db, landing, { runId: 1 });
    const stored = new Map<number, { line_no: number; line_bytes: number }[]>();
    for (const result of results) {
      const rows = await queryJsonRows(
        db,
        `select line_no::integer as line_no, line_bytes::integer as line_bytes from base_ocpp__lines where file_id = $fileId order by line_no`,
        {
          fileId: result.fileId!,
        },
      );
      stored.set(result.fileId!, rows as { line_no: number; line_bytes: number }[]);
    }
    // the lines read through readLines waited in raw_lines only until they were parsed
    const [buffered] = await queryJsonRows(db, `select count(*)::integer as n from raw_lines`);
    expect(buffered).toEqual({ n: 0 });
    const manifest = await queryJsonRows(
      db,
      `select path, lines_read::integer as lines_read, lines_blank::integer as lines_blank, bytes_loaded::integer as bytes_loaded, ends_unterminated
       from landing_files order by path`,
    );
    return { results, stored, manifest };
  });
}

describe('bulk loading of plain files', () => {
  it('stores exactly the lines readLines yields, numbered the same, for clean files and for every special case', async () => {
    const dir = tempDir();
    const landing = join(dir, 'landing');
    await writeLanding({ out: landing, dialect: 'envelope', chargePoints: 2, days: 2, start: '2024-03-01', seed: 3 });
    const call = envelope.call('CP-9', '2024-03-01T10:00:00Z', 'u1', 'Heartbeat', {});
    writeLandingFiles(landing, {
      'extra/no-final-newline.ndjson': `${call}\n${call} `,
      'extra/crlf.ndjson': `${call}\r\n${call}\r\n`,
      'extra/blank.ndjson': `${call}\n\n  \n${call}\n`,
      'extra/leading-space.ndjson': ` ${call}\n${call}\n`,
      'extra/soh.ndjson': `${call}\n{"a":"\u0001"}\n`,
    });
    writeFileSync(join(landing, 'extra', 'bom.ndjson'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${call}\n`)]));
    writeFileSync(join(landing, 'extra', 'clean.ndjson.gz'), gzipSync(`${call}\n${call}\n${call}\n`));
    writeFileSync(join(landing, 'extra', 'crlf.ndjson.gz'), gzipSync(`${call}\r\n${call}\r\n`));
    // DuckDB would take the name as a glob and find no file
    writeFileSync(join(landing, 'extra', 'glob[1].ndjson'), `${call}\n${call}\n`);
    // zero padding after the gzip member: Node's gunzip reads it, DuckDB's reader refuses it, and
    // the file's transaction is tried again with readLines
    writeFileSync(join(landing, 'extra', 'padded.ndjson.gz'), Buffer.concat([gzipSync(`${call}\n${call}\n`), Buffer.alloc(512)]));
    const { results, stored, manifest } = await loadInto(landing);
    expect(results.length).toBe(12);
    for (const result of results) {
      const reference = await referenceRead(result.path);
      expect(stored.get(result.fileId!)).toEqual(reference.lines);
      expect([result.linesRead, result.linesBlank]).toEqual([reference.read, reference.blank]);
    }
    const readerOf = Object.fromEntries(results.map((result) => [result.path.split('/').pop(), result.reader]));
    // clean files go in bulk, even with a last line that has no newline; the special cases through readLines
    expect(readerOf).toMatchObject({
      'ocpp-envelope-2024-03-01.ndjson': 'bulk',
      'ocpp-envelope-2024-03-02.ndjson': 'bulk',
      'no-final-newline.ndjson': 'bulk',
      'crlf.ndjson': 'lines',
      'blank.ndjson': 'lines',
      'leading-space.ndjson': 'lines',
      'soh.ndjson': 'lines',
      'bom.ndjson': 'lines',
      // DuckDB reads a gzip itself as well
      'clean.ndjson.gz': 'bulk',
      'crlf.ndjson.gz': 'lines',
      'glob[1].ndjson': 'lines',
      'padded.ndjson.gz': 'lines',
    });
    const tail = manifest.find((row) => String(row.path).endsWith('no-final-newline.ndjson'))!;
    expect(tail).toMatchObject({ lines_read: 2, lines_blank: 0, bytes_loaded: 2 * call.length + 2, ends_unterminated: true });
  });

  it('parses a big file through a staged table (every thread) into the same rows as in one pass', async () => {
    const landing = join(tempDir(), 'landing');
    await writeLanding({ out: landing, dialect: 'flat', chargePoints: 2, days: 1, start: '2024-03-01', seed: 4 });
    const [path] = readdirSync(landing, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    const rows = await withWarehouse(':memory:', async (db) => {
      await prepareParseConnection(db);
      await ensureParsedTable(db);
      await parseLines(db, { kind: 'file', fileId: 1, path: path! });
      // as the loader does it: staged before the file's transaction, parsed in it, dropped after
      await stageLandingFile(db, 2, path!);
      await transaction(db, () => parseLines(db, { kind: 'file', fileId: 2, path: path!, staged: true }));
      await dropStagedLandingFile(db);
      const columns = `line_no, dialect, charge_point_id, logged_at, message_type_id, unique_id, action, payload::varchar,
        rejection_reason, payload_conforms, line_bytes, raw_line`;
      const differ = `(select ${columns} from base_ocpp__lines where file_id = 1 except all select ${columns} from base_ocpp__lines where file_id = 2)
        union all (select ${columns} from base_ocpp__lines where file_id = 2 except all select ${columns} from base_ocpp__lines where file_id = 1)`;
      return queryJsonRows(
        db,
        `select (select count(*) from base_ocpp__lines where file_id = 1)::integer as one_pass,
                (select count(*) from base_ocpp__lines where file_id = 2)::integer as staged,
                (select count(*) from (${differ}))::integer as differing,
                (select count(*) from duckdb_tables() where table_name = 'staged_landing_lines')::integer as left_behind`,
      );
    });
    expect(rows[0]!.one_pass as number).toBeGreaterThan(1000);
    expect(rows).toEqual([{ one_pass: rows[0]!.one_pass, staged: rows[0]!.one_pass, differing: 0, left_behind: 0 }]);
  });

  it('stages a big file before its transaction, keeps the staged lines only when the bulk reader takes it, and parses it into the same rows', async () => {
    const dir = tempDir();
    const plain = join(dir, 'plain');
    const crlf = join(dir, 'crlf');
    const cut = join(dir, 'cut');
    await writeLanding({ out: plain, dialect: 'envelope', chargePoints: 2, days: 1, start: '2024-03-01', seed: 5 });
    const call = envelope.call('CP-9', '2024-03-01T10:00:00Z', 'u1', 'Heartbeat', {});
    writeLandingFiles(crlf, { 'crlf.ndjson': `${call}\r\n${call}\r\n` });
    // a truncated gzip: the pass in JS fails while DuckDB may still be staging its lines
    const whole = gzipSync(`${Array(3000).fill(call).join('\n')}\n`);
    mkdirSync(cut);
    writeFileSync(join(cut, 'cut.ndjson.gz'), whole.subarray(0, whole.length - 20));
    const columns = `file_id, line_no, dialect, charge_point_id, logged_at, message_type_id, unique_id, action, payload::varchar,
      payload_md5, rejection_reason, payload_conforms, line_bytes, raw_line, meter_values::varchar`;
    // every file alone (one connection keeps DuckDB's threads), staged from 1 byte or never
    const load = (landing: string, stageFromBytes: number, rereadAll = false) =>
      withWarehouse(join(dir, `${landing.split('/').pop()}-${stageFromBytes}.duckdb`), async (db) => {
        await db.run(`set threads = 2`);
        await ensureRawLayer(db);
        const first = await loadLanding(db, landing, { runId: 1, stageFromBytes });
        const again = rereadAll ? await loadLanding(db, landing, { runId: 2, stageFromBytes, rereadAll: true }) : [];
        const rows = await queryJsonRows(db, `select ${columns} from base_ocpp__lines order by file_id, line_no`);
        const [after] = await queryJsonRows(
          db,
          `select current_setting('threads')::integer as threads, current_setting('preserve_insertion_order') as preserve_insertion_order,
                  (select count(*) from duckdb_tables() where table_name = 'staged_landing_lines')::integer as left_behind`,
        );
        return { first, again, rows, after };
      });
    const staged = await load(plain, 1, true);
    const unstaged = await load(plain, Number.MAX_SAFE_INTEGER);
    expect(staged.first.map((result) => [result.reader, result.staged])).toEqual([['bulk', true]]);
    // --full-refresh parses the unchanged file anew, staged too
    expect(staged.again.map((result) => [result.reparsed, result.staged])).toEqual([[true, true]]);
    expect(unstaged.first.map((result) => [result.reader, result.staged])).toEqual([['bulk', undefined]]);
    expect(staged.rows.length).toBeGreaterThan(1000);
    expect(staged.rows).toEqual(unstaged.rows);
    // a file with special cases is not staged: readLines reads it, into the rows it always made
    const special = await load(crlf, 1);
    const reference = await load(crlf, Number.MAX_SAFE_INTEGER);
    expect(special.first.map((result) => [result.reader, result.staged])).toEqual([['lines', undefined]]);
    expect(special.rows).toEqual(reference.rows);
    // a file the pass cannot read is rejected whole, staged or not
    const rejected = await load(cut, 1);
    expect(rejected.first.map((result) => [result.outcome, result.staged])).toEqual([['rejected', undefined]]);
    expect(rejected.rows).toEqual([]);
    // the warehouse's settings are back, and no staged lines are left
    for (const run of [staged, unstaged, special, rejected])
      expect(run.after).toEqual({ threads: 2, preserve_insertion_order: true, left_behind: 0 });
  });

  it('numbers new files in path order whichever load finishes first, and keeps known files their id', async () => {
    const dir = tempDir();
    const landing = join(dir, 'landing');
    const line = envelope.call('CP-1', '2024-03-01T10:00:00Z', 'u', 'Heartbeat', {});
    writeLandingFiles(landing, { 'b.ndjson': Array(5000).fill(line), 'c.ndjson': [line] });
    const warehouse = join(dir, 'warehouse.duckdb');
    const ids = await withWarehouse(warehouse, async (db) => {
      await ensureRawLayer(db);
      await loadLanding(db, landing, { runId: 1 });
      writeLandingFiles(landing, { 'a.ndjson': [line], 'd.ndjson': [line] });
      await loadLanding(db, landing, { runId: 2 });
      return queryJsonRows(
        db,
        `select regexp_extract(path, '(\\w)\\.ndjson$', 1) as name, file_id::integer as id from landing_files order by path`,
      );
    });
    expect(ids).toEqual([
      { name: 'a', id: 3 },
      { name: 'b', id: 1 },
      { name: 'c', id: 2 },
      { name: 'd', id: 4 },
    ]);
  });
});

describe('payload validation of empty payloads', () => {
  it('checks {} once per action and still names every line that fails', async () => {
    const at = (second: number) => `2024-03-01T10:00:${String(second).padStart(2, '0')}Z`;
    const run = await runOn({
      'a.ndjson': [
        envelope.call('CP-1', at(1), 'h1', 'Heartbeat', {}),
        envelope.call('CP-1', at(2), 'a1', 'Authorize', {}),
        envelope.call('CP-1', at(3), 'h2', 'Heartbeat', {}),
        envelope.call('CP-1', at(4), 'a2', 'Authorize', {}),
        envelope.call('CP-1', at(5), 'a3', 'Authorize', { idTag: 'OK' }),
      ],
    });
    // AuthorizeRequest requires idTag; HeartbeatRequest is an empty object
    expect(await run.query(`select line_no::integer as line_no, reason from quarantine order by line_no`)).toEqual([
      {
        line_no: 2,
        reason: "payload fails the OCPP 1.6 schema: Authorize payload / must have required property 'idTag' (OCPP 1.6 schema)",
      },
      {
        line_no: 4,
        reason: "payload fails the OCPP 1.6 schema: Authorize payload / must have required property 'idTag' (OCPP 1.6 schema)",
      },
    ]);
    expect(run.summary.lines).toEqual({ read: 5, loaded: 3, quarantined: 2, blank: 0 });
  });
});

describe('payload validation on worker threads', () => {
  it('finds the same violations in a night big enough for workers as one line at a time', async () => {
    const lines: string[] = [];
    for (let index = 0; index < 24_000; index += 1) {
      const at = new Date(Date.UTC(2024, 2, 1) + index * 1000).toISOString();
      // every 5000th status is not an OCPP status, every 7000th idTag is longer than 20 characters
      const status = index % 5000 === 4999 ? 'Sleeping' : 'Available';
      lines.push(
        index % 7000 === 6999
          ? envelope.call('CP-1', at, `a${index}`, 'Authorize', { idTag: 'X'.repeat(21) })
          : envelope.call('CP-1', at, `s${index}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status }),
      );
    }
    const run = await runOn({ 'a.ndjson': lines });
    expect(await run.query(`select line_no::integer as line_no, reason from quarantine order by line_no`)).toEqual(
      [5000, 10000, 15000, 20000].map((lineNo) => ({
        line_no: lineNo,
        reason:
          'payload fails the OCPP 1.6 schema: StatusNotification payload /status must be equal to one of the allowed values (OCPP 1.6 schema)',
      })),
    );
    expect(await run.query(`select line_no::integer as line_no, reason from payload_warnings order by line_no`)).toEqual(
      [7000, 14000, 21000].map((lineNo) => ({
        line_no: lineNo,
        reason: 'Authorize payload /idTag must NOT have more than 20 characters (OCPP 1.6 schema)',
      })),
    );
    expect(run.summary.lines).toEqual({ read: 24_000, loaded: 23_996, quarantined: 4, blank: 0 });
  }, 60_000);
});
