import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type LineEvent, readLines } from '../jobs/ingest/read-lines.ts';
import { runNightly } from '../jobs/nightly.ts';
import { envelope, runOn, tempDir } from './helpers.ts';

/** Writes raw bytes to a fresh temp file and returns its path. */
function fileWith(name: string, content: Buffer | string): string {
  const path = join(tempDir('ocpp-read-lines-'), name);
  writeFileSync(path, content);
  return path;
}

async function collect(path: string, maxLineBytes?: number): Promise<LineEvent[]> {
  const events: LineEvent[] = [];
  for await (const event of readLines(path, maxLineBytes === undefined ? {} : { maxLineBytes })) events.push(event);
  return events;
}

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

describe('readLines', () => {
  it('strips a UTF-8 BOM at the start of the file, and only there', async () => {
    const path = fileWith('bom.ndjson', bytes([0xef, 0xbb, 0xbf], '{"a":1}\n{"b":2}\n'));
    expect(await collect(path)).toEqual([
      { kind: 'line', lineNo: 1, text: '{"a":1}' },
      { kind: 'line', lineNo: 2, text: '{"b":2}' },
    ]);
  });

  it('strips a BOM at the start of a gzip file', async () => {
    const path = fileWith('bom.ndjson.gz', gzipSync(bytes([0xef, 0xbb, 0xbf], 'x\ny\n')));
    expect(await collect(path)).toEqual([
      { kind: 'line', lineNo: 1, text: 'x' },
      { kind: 'line', lineNo: 2, text: 'y' },
    ]);
  });

  it('removes the \\r of CRLF line endings but keeps a \\r inside a line', async () => {
    const path = fileWith('crlf.ndjson', 'first\r\nsec\rond\r\nthird\n');
    expect(await collect(path)).toEqual([
      { kind: 'line', lineNo: 1, text: 'first' },
      { kind: 'line', lineNo: 2, text: 'sec\rond' },
      { kind: 'line', lineNo: 3, text: 'third' },
    ]);
  });

  it('yields a last line that has no final newline (also with a final CR)', async () => {
    expect(await collect(fileWith('tail.ndjson', 'one\ntwo'))).toEqual([
      { kind: 'line', lineNo: 1, text: 'one' },
      { kind: 'line', lineNo: 2, text: 'two' },
    ]);
    expect(await collect(fileWith('tail-cr.ndjson', 'one\r\ntwo\r'))).toEqual([
      { kind: 'line', lineNo: 1, text: 'one' },
      { kind: 'line', lineNo: 2, text: 'two' },
    ]);
  });

  it('reports empty and whitespace-only lines as blank, keeping the line numbers', async () => {
    const path = fileWith('blank.ndjson', 'a\n\n   \n\t \r\n\r\nb\n');
    expect(await collect(path)).toEqual([
      { kind: 'line', lineNo: 1, text: 'a' },
      { kind: 'blank', lineNo: 2 },
      { kind: 'blank', lineNo: 3 },
      { kind: 'blank', lineNo: 4 },
      { kind: 'blank', lineNo: 5 },
      { kind: 'line', lineNo: 6, text: 'b' },
    ]);
  });

  it('rejects an over-long line with a reason naming the limit and reads on correctly', async () => {
    const long = 'x'.repeat(100);
    const exactly = 'y'.repeat(64); // at the limit: still a line
    const path = fileWith('long.ndjson', `short\n${long}\nafter\n${exactly}\n${'z'.repeat(65)}\nlast`);
    const events = await collect(path, 64);
    expect(events.map((event) => [event.kind, event.lineNo])).toEqual([
      ['line', 1],
      ['reject', 2],
      ['line', 3],
      ['line', 4],
      ['reject', 5],
      ['line', 6],
    ]);
    const reject = events[1] as Extract<LineEvent, { kind: 'reject' }>;
    expect(reject.reason).toContain('64');
    expect(reject.reason).toMatch(/longer than 64 bytes/);
    expect(reject.text.startsWith('xxxx')).toBe(true);
    expect(events[0]).toEqual({ kind: 'line', lineNo: 1, text: 'short' });
    expect(events[2]).toEqual({ kind: 'line', lineNo: 3, text: 'after' });
    expect(events[3]).toEqual({ kind: 'line', lineNo: 4, text: exactly });
    expect(events[5]).toEqual({ kind: 'line', lineNo: 6, text: 'last' });
  });

  it('rejects an over-long line that spans many decompressed chunks, keeping only an excerpt', async () => {
    // gunzip hands out 16 KiB chunks, so a 100 000-byte line crosses several chunk boundaries.
    const long = `{"k":"${'q'.repeat(100_000 - 8)}"}`;
    expect(Buffer.byteLength(long)).toBe(100_000);
    const path = fileWith('long.ndjson.gz', gzipSync(`before\n${long}\nafter\n`));
    const events = await collect(path, 1000);
    expect(events.map((event) => [event.kind, event.lineNo])).toEqual([
      ['line', 1],
      ['reject', 2],
      ['line', 3],
    ]);
    const reject = events[1] as Extract<LineEvent, { kind: 'reject' }>;
    expect(reject.reason).toContain('1000');
    expect(long.startsWith(reject.text)).toBe(true);
    expect(Buffer.byteLength(reject.text)).toBeLessThanOrEqual(4096);
    expect(events[2]).toEqual({ kind: 'line', lineNo: 3, text: 'after' });
  });

  it('keeps a long line with multi-byte characters intact across chunk boundaries', async () => {
    const text = 'é€𝄞'.repeat(9_000); // 2 + 3 + 4 bytes each: 81 000 bytes, characters split between chunks
    const path = fileWith('multibyte.ndjson.gz', gzipSync(`${text}\nend\n`));
    expect(await collect(path)).toEqual([
      { kind: 'line', lineNo: 1, text },
      { kind: 'line', lineNo: 2, text: 'end' },
    ]);
  });

  it("rejects a line with invalid UTF-8 as 'invalid UTF-8'", async () => {
    const path = fileWith('bad-utf8.ndjson', bytes('ok\n', 'ab', [0xff, 0xfe], 'cd\r\n', 'fine\n'));
    const events = await collect(path);
    expect(events.map((event) => [event.kind, event.lineNo])).toEqual([
      ['line', 1],
      ['reject', 2],
      ['line', 3],
    ]);
    expect(events[1]).toMatchObject({ kind: 'reject', lineNo: 2, reason: 'invalid UTF-8' });
    expect((events[1] as Extract<LineEvent, { kind: 'reject' }>).text).toMatch(/^ab.*cd$/);
    expect(events[2]).toEqual({ kind: 'line', lineNo: 3, text: 'fine' });
  });

  it('reads a .ndjson.gz file', async () => {
    const path = fileWith('day.ndjson.gz', gzipSync('{"n":1}\n\n{"n":2}\r\n{"n":3}'));
    expect(await collect(path)).toEqual([
      { kind: 'line', lineNo: 1, text: '{"n":1}' },
      { kind: 'blank', lineNo: 2 },
      { kind: 'line', lineNo: 3, text: '{"n":2}' },
      { kind: 'line', lineNo: 4, text: '{"n":3}' },
    ]);
  });

  it('throws while iterating a truncated .ndjson.gz', async () => {
    const lines = Array.from({ length: 2000 }, (_, index) => `{"line":${index},"pad":"${'p'.repeat(40)}"}`);
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const path = fileWith('cut.ndjson.gz', whole.subarray(0, whole.length - 20));
    await expect(collect(path)).rejects.toThrow();
  });

  it('yields nothing for an empty file (plain or gzip)', async () => {
    expect(await collect(fileWith('empty.ndjson', ''))).toEqual([]);
    expect(await collect(fileWith('empty.ndjson.gz', gzipSync(Buffer.alloc(0))))).toEqual([]);
  });

  it('passes every raw (compressed) byte to onRawChunk', async () => {
    const content = gzipSync('a\nb\n');
    const path = fileWith('hash.ndjson.gz', content);
    const seen: Buffer[] = [];
    for await (const _ of readLines(path, { onRawChunk: (chunk) => seen.push(chunk) })) void _;
    expect(Buffer.concat(seen).equals(content)).toBe(true);
  });
});

describe('loading a mixed landing directory through the nightly job', () => {
  const T = '2024-02-05T10:00:00.000000Z';
  const at = (seconds: number) => new Date(Date.parse(T) + seconds * 1000).toISOString();

  it('loads good files, rejects a truncated gzip as a whole and quarantines bad lines with reasons', async () => {
    const landing = join(tempDir('ocpp-landing-'), 'landing');
    mkdirSync(join(landing, 'date=2024-02-05'), { recursive: true });

    // a: valid gzip, 3 lines
    const goodGz = join(landing, 'date=2024-02-05', 'a-good.ndjson.gz');
    const goodContent = gzipSync(
      `${[
        envelope.call('CP-1', at(0), 'boot-1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }),
        envelope.result('CP-1', at(0.2), 'boot-1', { status: 'Accepted', currentTime: at(0), interval: 300 }),
        envelope.call('CP-1', at(300), 'hb-1', 'Heartbeat', {}),
      ].join('\n')}\n`,
    );
    writeFileSync(goodGz, goodContent);

    // b: truncated gzip of 3000 valid lines; many decode before the error, none may be kept
    const cutGz = join(landing, 'date=2024-02-05', 'b-cut.ndjson.gz');
    const cutLines = Array.from({ length: 3000 }, (_, index) => envelope.call('CP-2', at(index), `hb-${index}`, 'Heartbeat', {}));
    const cutWhole = gzipSync(`${cutLines.join('\n')}\n`);
    writeFileSync(cutGz, cutWhole.subarray(0, cutWhole.length - 20));

    // c: plain file, 7 lines: 2 good, 2 blank, 3 bad
    const plain = join(landing, 'date=2024-02-05', 'c-plain.ndjson');
    const plainContent = bytes(
      `${envelope.call('CP-1', at(600), 'hb-2', 'Heartbeat', {})}\r\n`, // 1 loaded (CRLF)
      '\n', // 2 blank
      'this is not json\n', // 3 not JSON
      '{"charge_point_id":"CP-1',
      [0xff, 0xfe],
      '"}\n', // 4 invalid UTF-8
      '  \t \n', // 5 blank
      `${envelope.result('CP-1', at(600.1), 'hb-2', { currentTime: at(600) })}\n`, // 6 loaded
      '[1,2,3]', // 7 not an object; no final newline
    );
    writeFileSync(plain, plainContent);

    const run = await runOn({}, { landing });

    expect(run.summary.files).toEqual({ loaded: 2, appended: 0, skipped: 0, changed: 0, rejected: 1, missing: 0 });
    expect(run.summary.rejectedFiles).toHaveLength(1);
    expect(run.summary.rejectedFiles[0]!.path).toBe(cutGz);
    expect(run.summary.rejectedFiles[0]!.error).toContain(cutGz);
    // 3 (a) + 7 (c) read; 3 + 2 loaded; 3 quarantined; 2 blank; nothing counted for b
    expect(run.summary.lines).toEqual({ read: 10, loaded: 5, quarantined: 3, blank: 2 });
    expect(run.summary.months).toEqual([]);

    const files = await run.query(`select path, status, error, sha256, file_id from landing_files order by path`);
    expect(files.map((file) => [file.path, file.status])).toEqual([
      [goodGz, 'loaded'],
      [cutGz, 'rejected'],
      [plain, 'loaded'],
    ]);
    expect(String(files[1]!.error)).toContain(cutGz);
    // The content hash is of the file's bytes as stored (compressed for .gz).
    expect(files[0]!.sha256).toBe(createHash('sha256').update(readFileSync(goodGz)).digest('hex'));
    expect(files[2]!.sha256).toBe(createHash('sha256').update(plainContent).digest('hex'));

    const cutId = files[1]!.file_id;
    const [cutRaw] = await run.query(`select count(*)::integer as n from base_ocpp__lines where file_id = $id`, { id: Number(cutId) });
    expect(cutRaw!.n).toBe(0);
    const [cutRejects] = await run.query(`select count(*)::integer as n from reader_rejects where file_id = $id`, { id: Number(cutId) });
    expect(cutRejects!.n).toBe(0);
    const rawPerFile = await run.query(
      `select f.path, count(r.line_no)::integer as n, coalesce(list(r.line_no order by r.line_no) filter (where r.line_no is not null), [])::varchar as line_nos
       from landing_files f left join base_ocpp__lines r using (file_id) group by f.path order by f.path`,
    );
    expect(rawPerFile.map((row) => [row.path, row.n, row.line_nos])).toEqual([
      [goodGz, 3, '[1, 2, 3]'],
      [cutGz, 0, '[]'],
      [plain, 4, '[1, 3, 6, 7]'], // the invalid UTF-8 line is a reader reject, not a raw line
    ]);
    const [crlfLine] = await run.query(
      `select unique_id, line_bytes::integer as line_bytes from base_ocpp__lines r join landing_files f using (file_id) where f.path = $p and line_no = 1`,
      {
        p: plain,
      },
    );
    // read without its CR: the line's length is that of the JSON alone
    expect(crlfLine).toEqual({ unique_id: 'hb-2', line_bytes: envelope.call('CP-1', at(600), 'hb-2', 'Heartbeat', {}).length });

    const quarantine = await run.query(`select file, line_no::integer as line_no, reason from quarantine order by file, line_no`);
    expect(quarantine).toEqual([
      { file: plain, line_no: 3, reason: 'not JSON' },
      { file: plain, line_no: 4, reason: 'invalid UTF-8' },
      { file: plain, line_no: 7, reason: 'not a JSON object (got array)' },
    ]);

    const accounting = await run.query(
      `select path, status, lines_read::integer as lines_read, lines_loaded::integer as lines_loaded,
              lines_quarantined::integer as lines_quarantined, lines_blank::integer as lines_blank
       from fct_landing_file_lines order by path`,
    );
    expect(accounting).toEqual([
      { path: goodGz, status: 'loaded', lines_read: 3, lines_loaded: 3, lines_quarantined: 0, lines_blank: 0 },
      { path: cutGz, status: 'rejected', lines_read: 0, lines_loaded: 0, lines_quarantined: 0, lines_blank: 0 },
      { path: plain, status: 'loaded', lines_read: 7, lines_loaded: 2, lines_quarantined: 3, lines_blank: 2 },
    ]);
    for (const row of accounting.filter((file) => file.status === 'loaded')) {
      expect(row.lines_read).toBe(Number(row.lines_loaded) + Number(row.lines_quarantined) + Number(row.lines_blank));
    }

    const [runRow] = await run.query(`select status, files_rejected, lines_read, lines_blank from runs`);
    expect(runRow).toMatchObject({ status: 'succeeded', files_rejected: 1 });
    expect(Number(runRow!.lines_read)).toBe(10);
    expect(Number(runRow!.lines_blank)).toBe(2);
  });

  it('a loaded .gz later replaced by a truncated one is reported as changed and kept; --reload rejects it; repaired it is unchanged', async () => {
    const lines = Array.from({ length: 500 }, (_, index) => envelope.call('CP-9', at(index), `hb-${index}`, 'Heartbeat', {}));
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const first = await runOn({});
    const path = join(first.landing, 'day.ndjson.gz');
    writeFileSync(path, whole);
    const options = { landing: first.landing, warehouse: first.warehouse, out: first.out, months: [], timezone: 'UTC' };
    const rowsLeft = async () => Number((await first.query(`select count(*)::integer as n from base_ocpp__lines`))[0]!.n);

    const loaded = await runNightly(options);
    expect(loaded.files).toEqual({ loaded: 1, appended: 0, skipped: 0, changed: 0, rejected: 0, missing: 0 });
    expect(loaded.lines).toEqual({ read: 500, loaded: 500, quarantined: 0, blank: 0 });

    // Already-loaded bytes changed: the documented rule keeps the loaded rows and says so.
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    utimesSync(path, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    const changed = await runNightly(options);
    expect(changed.files).toEqual({ loaded: 0, appended: 0, skipped: 0, changed: 1, rejected: 0, missing: 0 });
    expect(changed.rejectedFiles.map((file) => file.path)).toEqual([path]);
    expect(changed.rejectedFiles[0]!.error).toContain('--reload');
    expect(await rowsLeft()).toBe(500);

    // Asked to reload it, the unreadable version is rejected as a whole; the loaded rows stay.
    const rejected = await runNightly({ ...options, reload: [path] });
    expect(rejected.files).toEqual({ loaded: 0, appended: 0, skipped: 0, changed: 0, rejected: 1, missing: 0 });
    expect(rejected.lines).toEqual({ read: 0, loaded: 0, quarantined: 0, blank: 0 });
    expect(await rowsLeft()).toBe(500);
    const [file] = await first.query(`select status, error from landing_files`);
    expect(file!.status).toBe('loaded');
    expect(String(file!.error)).toContain('cannot read');

    // Repaired to the bytes that were loaded, it is recognised as unchanged and not read again.
    writeFileSync(path, whole);
    utimesSync(path, new Date('2030-01-02T00:00:00Z'), new Date('2030-01-02T00:00:00Z'));
    const repaired = await runNightly(options);
    expect(repaired.files).toEqual({ loaded: 0, appended: 0, skipped: 1, changed: 0, rejected: 0, missing: 0 });
    expect(await rowsLeft()).toBe(500);
  });
});
