import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { queryJsonRows, withWarehouse } from '../jobs/db.ts';
import { writeLanding } from '../jobs/generate/write-landing.ts';
import { runNightly } from '../jobs/nightly.ts';
import { envelope, nightlySetup } from './helpers.ts';

/**
 * The landing files are the raw layer: the warehouse keeps what each line was parsed into and no
 * copy of the lines. These tests hold that to its promises: a rebuild from scratch reads the
 * landing files again and gives the same outputs byte for byte; a file that has left the landing
 * keeps its facts; a warehouse of the earlier layout (every line copied into raw_lines) is parsed
 * from its copy, which then goes.
 */

const FACTS = `select * from fct_transactions order by charge_point_id, started_at, stopped_at`;
const QUARANTINE = `select file, line_no, raw_line, reason, run_id from quarantine order by file, line_no`;
const WARNINGS = `select file, line_no, reason, run_id from payload_warnings order by file, line_no, reason`;
const MANIFEST = `select path, sha256, run_id, lines_read, lines_blank, lines_rejected_by_reader from landing_files order by path`;

const setup = nightlySetup;

/** A landing with clean days, a gzip, and lines the quarantine and the warnings must keep the text of. */
async function landing(dir: string): Promise<{ odd: string[] }> {
  await writeLanding({ out: dir, dialect: 'envelope', chargePoints: 2, days: 3, start: '2024-01-30', seed: 11 });
  const odd = [
    envelope.call('CP-X', '2024-01-31T10:00:00Z', 'x1', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Bogus' }),
    '{"charge_point_id": "CP-X", "received_at": "2024-01-31T10:00:01Z", "frame": [2, "x2"',
    envelope.call('CP-X', '2024-01-31T10:00:02Z', 'x3', 'Authorize', { idTag: 'A-VERY-LONG-ID-TAG-OF-30-CHARS' }),
    envelope.call('CP-X', '2024-01-31T10:00:03Z', 'x4', 'Heartbeat', {}),
  ];
  writeFileSync(join(dir, 'odd.ndjson'), `${odd.join('\n')}\n`);
  writeFileSync(join(dir, 'odd-again.ndjson.gz'), gzipSync(`${odd.join('\n')}\n`));
  return { odd };
}

/** Every Parquet file of the reports, by path: DuckDB writes the same bytes for the same rows. */
function parquetFiles(out: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.parquet')) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(out, path)] = readFileSync(path).toString('base64');
  }
  return files;
}

/** The path of the generated landing's file for one day (YYYY-MM-DD). */
function dayFile(landing: string, day: string): string {
  const name = readdirSync(landing, { recursive: true })
    .map(String)
    .find((entry) => entry.endsWith(`${day}.ndjson`));
  if (!name) throw new Error(`no landing file for ${day}`);
  return join(landing, name);
}

/** A warehouse built from the test landing, with the facts and quarantine it first gave. */
async function built() {
  const { options, query } = setup();
  await landing(options.landing);
  await runNightly(options);
  return { options, query, facts: await query(FACTS), quarantine: await query(QUARANTINE) };
}

describe('the landing files are the raw layer', () => {
  it('keeps no copy of the lines, and --full-refresh reads the files again into the same outputs byte for byte', async () => {
    const { options, query } = setup();
    const { odd } = await landing(options.landing);
    const first = await runNightly(options);
    expect(first.lines.quarantined).toBe(4);
    expect(await query(`select count(*)::integer as n from raw_lines`)).toEqual([{ n: 0 }]);
    // the text is kept where a reader may need it (a rejected line; a CALL the schema check reads,
    // which may be flagged), not for the MeterValues, StatusNotification and Heartbeat of the bulk
    const [kept] = await query(
      `select count(*) filter (where raw_line is not null)::integer as kept, count(*)::integer as lines,
              count(*) filter (where raw_line is not null and action in ('MeterValues', 'StatusNotification', 'Heartbeat')
                  and charge_point_id <> 'CP-X')::integer as kept_common
       from base_ocpp__lines`,
    );
    expect(kept!.kept_common).toBe(0);
    expect(kept!.kept as number).toBeLessThan((kept!.lines as number) * 0.05);
    const quarantine = await query(QUARANTINE);
    expect(quarantine.map((row) => row.raw_line)).toEqual([odd[0], odd[1], odd[0], odd[1]]);
    const warnings = await query(WARNINGS);
    expect(warnings).toHaveLength(2);
    const facts = await query(FACTS);
    const manifest = await query(MANIFEST);
    const parquet = parquetFiles(options.out);
    expect(Object.keys(parquet).length).toBeGreaterThan(5);

    const planned = await runNightly({ ...options, fullRefresh: true, dryRun: true });
    expect(planned.plannedFiles?.map((file) => file.action)).toEqual(Array(first.files.loaded).fill('reparsed'));
    const refreshed = await runNightly({ ...options, fullRefresh: true });
    // every file is read again and parsed anew, but nothing new was read: each line stays the
    // line of the run that first read it
    expect(refreshed.files).toMatchObject({ loaded: 0, skipped: first.files.loaded, missing: 0 });
    expect(refreshed.lines).toEqual({ read: 0, loaded: 0, quarantined: 0, blank: 0 });
    expect(await query(MANIFEST)).toEqual(manifest);
    expect(await query(FACTS)).toEqual(facts);
    expect(await query(QUARANTINE)).toEqual(quarantine);
    expect(await query(WARNINGS)).toEqual(warnings);
    expect(parquetFiles(options.out)).toEqual(parquet);
  });

  it('a file gone from the landing keeps its facts, through --full-refresh too, and the run says so', async () => {
    const { options, query, facts, quarantine } = await built();
    const path = dayFile(options.landing, '2024-01-31');
    rmSync(path);
    const next = await runNightly(options);
    expect(next.files.missing).toBe(1);
    const refreshed = await runNightly({ ...options, fullRefresh: true });
    expect(refreshed.files.missing).toBe(1);
    expect(await query(FACTS)).toEqual(facts);
    expect(await query(QUARANTINE)).toEqual(quarantine);
    expect(await query(`select files_missing from runs order by run_id`)).toEqual([
      { files_missing: 0 },
      { files_missing: 1 },
      { files_missing: 1 },
    ]);
  });

  it('a changed parse is applied to every line: the files are read again, and nothing counts as new', async () => {
    const { options, query, facts, quarantine } = await built();
    await withWarehouse(options.warehouse, async (db) => {
      // as if the lines had been parsed by other SQL, which did not fill line_bytes
      await db.run(`update base_ocpp__lines set line_bytes = null`);
      await db.run(`update model_state set sql_sha256 = 'an earlier parse' where model = 'base_ocpp__lines'`);
    });
    const next = await runNightly(options);
    expect(next.lines).toEqual({ read: 0, loaded: 0, quarantined: 0, blank: 0 });
    expect(await query(`select count(*)::integer as n from base_ocpp__lines where line_bytes is null`)).toEqual([{ n: 0 }]);
    expect(await query(FACTS)).toEqual(facts);
    expect(await query(QUARANTINE)).toEqual(quarantine);
  });

  it('a parsed table lost (a crash mid-migration, dropped by hand) is rebuilt from the landing files', async () => {
    const { options, query, facts, quarantine } = await built();
    await withWarehouse(options.warehouse, (db) => db.run(`drop table base_ocpp__lines`));
    await runNightly(options);
    expect(await query(FACTS)).toEqual(facts);
    expect(await query(QUARANTINE)).toEqual(quarantine);
  });

  it('an upgrade keeps the meter samples of a file gone from the landing: the earlier parse kept its payloads, and they are unpacked', async () => {
    const { options, query, facts } = await built();
    const SAMPLES = `select file_id, line_no, connector_id, transaction_id, sampled_at, value_text, measurand, phase, unit
                     from base_ocpp__meter_value_samples order by all`;
    const samples = await query(SAMPLES);
    const REPEATS = `select count(*)::integer as n from base_ocpp__duplicate_lines`;
    const [repeats] = await query(REPEATS);
    const path = dayFile(options.landing, '2024-01-31');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const meterValues = lines
      .map((line, index) => ({ lineNo: index + 1, message: JSON.parse(line) }))
      .filter(({ message }) => message.action === 'MeterValues');
    expect(meterValues.length).toBeGreaterThan(10);
    await withWarehouse(options.warehouse, async (db) => {
      // what the earlier parse left: every payload as text, no typed readings, another parse SQL
      const [file] = await queryJsonRows(db, `select file_id from landing_files where path = $path`, { path });
      for (const { lineNo, message } of meterValues) {
        await db.run(`update base_ocpp__lines set payload = $payload::json where file_id = $fileId and line_no = $lineNo`, {
          payload: JSON.stringify(message.frame[3]),
          fileId: Number(file!.file_id),
          lineNo,
        });
      }
      await db.run(`alter table base_ocpp__lines drop column meter_values`);
      await db.run(`delete from model_state where model = 'base_ocpp__lines'`);
    });
    rmSync(path);
    // one of its MeterValues lines redelivered, byte for byte, in a new file: a repeat of the kept
    // row (which has its payload text) by a row the new parse keeps no payload text of
    const redelivered = meterValues[3]!;
    writeFileSync(join(options.landing, 'redelivered.ndjson'), `${lines[redelivered.lineNo - 1]}\n`);
    const upgraded = await runNightly(options);
    expect(upgraded.files.missing).toBe(1);
    expect(
      await query(
        SAMPLES.replace(
          'order by all',
          "where file_id in (select file_id from landing_files where path not like '%redelivered%') order by all",
        ),
      ),
    ).toEqual(samples);
    expect(await query(REPEATS)).toEqual([{ n: (repeats!.n as number) + 1 }]);
    expect(await query(FACTS)).toEqual(facts);
  });

  it('a warehouse of the earlier layout is parsed from the lines it copied, which then go', async () => {
    const { options, query, facts, quarantine } = await built();
    // the earlier layout: every line in raw_lines, parsed by other SQL; here one file's lines, and
    // that file gone from the landing, so the copy is the only place its lines are
    const path = dayFile(options.landing, '2024-01-30');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    await withWarehouse(options.warehouse, async (db) => {
      const [file] = await queryJsonRows(db, `select file_id from landing_files where path = $path`, { path });
      const appender = await db.createAppender('raw_lines');
      lines.forEach((line, index) => {
        appender.appendBigInt(BigInt(file!.file_id as string));
        appender.appendBigInt(BigInt(index + 1));
        appender.appendVarchar(line);
        appender.endRow();
      });
      appender.closeSync();
      await db.run(`update base_ocpp__lines set line_bytes = null where file_id = $id`, { id: Number(file!.file_id) });
      await db.run(`delete from model_state where model = 'base_ocpp__lines'`);
    });
    rmSync(path);
    const upgraded = await runNightly({ ...options, fullRefresh: true });
    expect(upgraded.files.missing).toBe(1);
    expect(await query(`select count(*)::integer as n from raw_lines`)).toEqual([{ n: 0 }]);
    // parsed again, from the copy: the column the earlier parse did not write is filled
    expect(await query(`select count(*)::integer as n from base_ocpp__lines where line_bytes is null`)).toEqual([{ n: 0 }]);
    expect(await query(FACTS)).toEqual(facts);
    expect(await query(QUARANTINE)).toEqual(quarantine);
  });
});
