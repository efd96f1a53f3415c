import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { columnDoc, REVIEW_REASONS } from '../jobs/catalog/columns.ts';
import { withWarehouse } from '../jobs/db.ts';
import { exportWorkbook } from '../jobs/export/excel.ts';
import { cellText } from '../jobs/export/workbook/layout.ts';
import { streamSheetRows } from '../jobs/export/workbook/stream-rows.ts';
import { verifyWorkbookTotals } from '../jobs/export/workbook/verify.ts';
import { loadSqlProject, SQL_DIR, sqlFile } from '../jobs/models/project.ts';
import { setModelVariables } from '../jobs/models/run-models.ts';
import { envelope, runOn, type TestRun } from './helpers.ts';

/**
 * A hand-worked month in Europe/Berlin (UTC+1 all March until the 31st, 01:00 UTC). Every
 * expected figure below is worked out by hand from these sessions, not by the code under test.
 */
interface Session {
  cp: string;
  tx: number;
  connector: number;
  idTag: string;
  start: string | null;
  stop: string | null;
  meterStart: number | null;
  meterStop: number | null;
}

const HOSTILE = ['=HYPERLINK("http://x","y")', '+cmd', '-1+2', '@SUM(A1)', '\tTAB', '\rCR'];

const SESSIONS: Session[] = [
  {
    cp: '007',
    tx: 1,
    connector: 1,
    idTag: '000123',
    start: '2024-03-05T08:00:00Z',
    stop: '2024-03-05T09:30:15.600Z',
    meterStart: 1000,
    meterStop: 13345,
  },
  {
    cp: '007',
    tx: 2,
    connector: 2,
    idTag: HOSTILE[0]!,
    start: '2024-03-06T10:00:00Z',
    stop: '2024-03-06T10:45:00Z',
    meterStart: 20000,
    meterStop: 27500,
  },
  // stops 23:30 UTC on 29 February = 00:30 on 1 March in Berlin: billed in March
  {
    cp: 'CP-B',
    tx: 1,
    connector: 1,
    idTag: HOSTILE[1]!,
    start: '2024-02-29T22:00:00Z',
    stop: '2024-02-29T23:30:00Z',
    meterStart: 5000,
    meterStop: 5999,
  },
  {
    cp: 'CP-B',
    tx: 2,
    connector: 1,
    idTag: HOSTILE[2]!,
    start: '2024-03-10T12:00:00Z',
    stop: '2024-03-10T12:10:00Z',
    meterStart: 6000,
    meterStop: 6001,
  },
  // meter stop below meter start: the mart flags negative_energy
  {
    cp: 'CP-B',
    tx: 3,
    connector: 2,
    idTag: HOSTILE[3]!,
    start: '2024-03-11T07:00:00Z',
    stop: '2024-03-11T07:30:00Z',
    meterStart: 100000,
    meterStop: 99000,
  },
  {
    cp: 'CP-C',
    tx: 1,
    connector: 1,
    idTag: HOSTILE[4]!,
    start: '2024-03-12T18:00:00Z',
    stop: '2024-03-12T19:00:00Z',
    meterStart: 0,
    meterStop: 2000,
  },
  {
    cp: 'CP-C',
    tx: 2,
    connector: 1,
    idTag: HOSTILE[5]!,
    start: '2024-03-13T18:00:00Z',
    stop: '2024-03-13T18:01:00Z',
    meterStart: 2000,
    meterStop: 2050,
  },
  // stops 22:30 UTC on 31 March = 00:30 on 1 April in Berlin (CEST): billed in April
  {
    cp: 'CP-C',
    tx: 3,
    connector: 1,
    idTag: '000123',
    start: '2024-03-31T21:00:00Z',
    stop: '2024-03-31T22:30:00Z',
    meterStart: 2050,
    meterStop: 4050,
  },
  // never stopped: open, not billed
  { cp: 'CP-C', tx: 4, connector: 2, idTag: 'OPEN-1', start: '2024-03-20T10:00:00Z', stop: null, meterStart: 4050, meterStop: null },
  // its start is not in the data: not billed
  { cp: 'CP-D', tx: 99, connector: 1, idTag: 'GHOST', start: null, stop: '2024-03-15T10:00:00Z', meterStart: null, meterStop: 500 },
];

/** The March Transactions rows in sheet order (charge point, stop, id), worked out by hand. */
const MARCH = [
  {
    cp: '007',
    tx: 1,
    connector: 1,
    idTag: '000123',
    started: [2024, 3, 5, 9, 0, 0],
    stopped: [2024, 3, 5, 10, 30, 15],
    seconds: 5415,
    meterStart: 1000,
    meterStop: 13345,
    wh: 12345,
  },
  {
    cp: '007',
    tx: 2,
    connector: 2,
    idTag: HOSTILE[0]!,
    started: [2024, 3, 6, 11, 0, 0],
    stopped: [2024, 3, 6, 11, 45, 0],
    seconds: 2700,
    meterStart: 20000,
    meterStop: 27500,
    wh: 7500,
  },
  {
    cp: 'CP-B',
    tx: 1,
    connector: 1,
    idTag: HOSTILE[1]!,
    started: [2024, 2, 29, 23, 0, 0],
    stopped: [2024, 3, 1, 0, 30, 0],
    seconds: 5400,
    meterStart: 5000,
    meterStop: 5999,
    wh: 999,
  },
  {
    cp: 'CP-B',
    tx: 2,
    connector: 1,
    idTag: HOSTILE[2]!,
    started: [2024, 3, 10, 13, 0, 0],
    stopped: [2024, 3, 10, 13, 10, 0],
    seconds: 600,
    meterStart: 6000,
    meterStop: 6001,
    wh: 1,
  },
  {
    cp: 'CP-B',
    tx: 3,
    connector: 2,
    idTag: HOSTILE[3]!,
    started: [2024, 3, 11, 8, 0, 0],
    stopped: [2024, 3, 11, 8, 30, 0],
    seconds: 1800,
    meterStart: 100000,
    meterStop: 99000,
    wh: -1000,
  },
  {
    cp: 'CP-C',
    tx: 1,
    connector: 1,
    idTag: HOSTILE[4]!,
    started: [2024, 3, 12, 19, 0, 0],
    stopped: [2024, 3, 12, 20, 0, 0],
    seconds: 3600,
    meterStart: 0,
    meterStop: 2000,
    wh: 2000,
  },
  {
    cp: 'CP-C',
    tx: 2,
    connector: 1,
    idTag: HOSTILE[5]!,
    started: [2024, 3, 13, 19, 0, 0],
    stopped: [2024, 3, 13, 19, 1, 0],
    seconds: 60,
    meterStart: 2000,
    meterStop: 2050,
    wh: 50,
  },
];
const MARCH_WH = 21_895;
const MARCH_SECONDS = 19_575;

const TZ = 'Europe/Berlin';
const SHEETS = ['Summary', 'Transactions', 'By customer', 'By charge point', 'Exceptions', 'About'];
const TRANSACTION_HEADERS = [
  'Charge point',
  'Transaction',
  'Connector',
  'Customer (idTag)',
  `Started (${TZ})`,
  `Stopped (${TZ})`,
  'Charge time',
  'Charge time (s)',
  'Meter start (Wh)',
  'Meter stop (Wh)',
  'Energy (Wh)',
  'Energy (kWh)',
  'Stop reason',
  'Last register (Wh)',
  `Last register sampled (${TZ})`,
  'Status',
  'Review flags',
];
const TRANSACTION_FORMATS: Record<string, string> = {
  'Charge point': '@',
  Transaction: '0',
  Connector: '0',
  'Customer (idTag)': '@',
  [`Started (${TZ})`]: 'yyyy-mm-dd hh:mm:ss',
  [`Stopped (${TZ})`]: 'yyyy-mm-dd hh:mm:ss',
  'Charge time': '[h]:mm:ss',
  'Charge time (s)': '#,##0',
  'Meter start (Wh)': '#,##0',
  'Meter stop (Wh)': '#,##0',
  'Energy (Wh)': '#,##0',
  'Energy (kWh)': '#,##0.000',
  'Last register (Wh)': '#,##0.0##',
};
const TOTAL_LABEL = 'Total (visible rows)';

const wallClock = ([y, mo, d, h, mi, s]: number[]) => new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
const plusSecond = (iso: string) => new Date(Date.parse(iso) + 1000).toISOString();

function landingLines(): string[] {
  const lines: { at: string; line: string }[] = [];
  for (const s of SESSIONS) {
    const id = `${s.cp}-${s.tx}`;
    if (s.start) {
      lines.push({
        at: plusSecond(s.start),
        line: envelope.call(s.cp, plusSecond(s.start), `${id}-start`, 'StartTransaction', {
          connectorId: s.connector,
          idTag: s.idTag,
          meterStart: s.meterStart,
          timestamp: s.start,
        }),
      });
      lines.push({
        at: plusSecond(plusSecond(s.start)),
        line: envelope.result(s.cp, plusSecond(plusSecond(s.start)), `${id}-start`, {
          transactionId: s.tx,
          idTagInfo: { status: 'Accepted' },
        }),
      });
    }
    if (s.stop) {
      lines.push({
        at: plusSecond(s.stop),
        line: envelope.call(s.cp, plusSecond(s.stop), `${id}-stop`, 'StopTransaction', {
          transactionId: s.tx,
          idTag: s.idTag,
          meterStop: s.meterStop,
          timestamp: s.stop,
          reason: 'Local',
        }),
      });
      lines.push({ at: plusSecond(plusSecond(s.stop)), line: envelope.result(s.cp, plusSecond(plusSecond(s.stop)), `${id}-stop`, {}) });
    }
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at)).map((entry) => entry.line);
}

async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

function headers(sheet: ExcelJS.Worksheet): unknown[] {
  return (sheet.getRow(1).values as unknown[]).slice(1);
}

/** Rows between the header and the blank row above the totals. */
function dataRows(sheet: ExcelJS.Worksheet): ExcelJS.Row[] {
  const rows: ExcelJS.Row[] = [];
  for (let number = 2; number <= sheet.rowCount && sheet.getRow(number).hasValues; number += 1) rows.push(sheet.getRow(number));
  return rows;
}

function totalsRow(sheet: ExcelJS.Worksheet): ExcelJS.Row {
  const row = sheet.getRow(sheet.rowCount);
  expect(row.getCell(1).value).toBe(TOTAL_LABEL);
  return row;
}

function byHeader(sheet: ExcelJS.Worksheet, row: ExcelJS.Row, header: string): ExcelJS.Cell {
  const index = headers(sheet).indexOf(header);
  if (index < 0) throw new Error(`${sheet.name} has no column ${header}`);
  return row.getCell(index + 1);
}

function summary(workbook: ExcelJS.Workbook): Map<string, ExcelJS.Cell> {
  const figures = new Map<string, ExcelJS.Cell>();
  workbook.getWorksheet('Summary')!.eachRow((row) => {
    if (typeof row.getCell(1).value === 'string') figures.set(row.getCell(1).value as string, row.getCell(2));
  });
  return figures;
}

/** Every part of an xlsx (a zip) and its uncompressed content. */
async function zipParts(path: string): Promise<Map<string, string>> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const parts = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', async (entry: yauzl.Entry) => {
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      parts.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return parts;
}

function onPath(program: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (existsSync(join(dir, program))) return join(dir, program);
  return null;
}

describe('the monthly workbook of a hand-worked month', () => {
  let run: TestRun;
  let workbook: ExcelJS.Workbook;
  const path = () => join(run.out, 'excel', 'ocpp-report-2024-03.xlsx');

  beforeAll(async () => {
    run = await runOn({ 'date=2024-03/cp.ndjson': landingLines() }, { timezone: TZ, csv: true, html: false });
    workbook = await readWorkbook(path());
  });

  it('exports the months the sessions stop in, in Berlin time', () => {
    expect(run.summary.months).toEqual(['2024-03', '2024-04']);
    expect(readdirSync(join(run.out, 'excel')).sort()).toEqual([
      'ocpp-report-2024-03.transactions.csv',
      'ocpp-report-2024-03.xlsx',
      'ocpp-report-2024-04.transactions.csv',
      'ocpp-report-2024-04.xlsx',
    ]);
  });

  it('has the sheets in order, each with a name Excel accepts', () => {
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(SHEETS);
    for (const name of SHEETS) {
      expect(name.length).toBeLessThanOrEqual(31);
      expect(name).not.toMatch(/[:\\/?*[\]]|^'|'$/);
    }
  });

  it('sets title, creator and created from the run', async () => {
    const [runRow] = await run.query(`select epoch_ms(started_at)::varchar as ms from runs where run_id = 1`);
    expect(workbook.title).toBe('OCPP charging report 2024-03');
    expect(workbook.creator).toBe('ocpp-report');
    // docProps/core.xml keeps whole seconds
    expect(workbook.created.getTime()).toBe(Math.floor(Number(runRow!.ms) / 1000) * 1000);
  });

  it('Summary shows the hand-worked figures with their formats', async () => {
    const figures = summary(workbook);
    const value = (label: string) => {
      const cell = figures.get(label);
      if (!cell) throw new Error(`no summary figure ${label}`);
      return cell;
    };
    expect(value('Month (by stop time)').value).toBe('2024-03');
    expect(value('Report time zone').value).toBe(TZ);
    expect(value(`Period start (${TZ})`).value).toEqual(new Date(Date.UTC(2024, 2, 1)));
    expect(value(`Period end, exclusive (${TZ})`).value).toEqual(new Date(Date.UTC(2024, 3, 1)));
    expect(value('Completed transactions').value).toBe(7);
    expect(value('Energy delivered (kWh)').value).toBe(MARCH_WH / 1000);
    expect(value('Energy delivered (kWh)').numFmt).toBe('#,##0.000');
    expect(value('Energy delivered (Wh)').value).toBe(MARCH_WH);
    expect(value('Energy delivered (Wh)').numFmt).toBe('#,##0');
    expect(value('Charging time (hours)').value).toBe(MARCH_SECONDS / 3600);
    expect(value('Customers (idTags)').value).toBe(7);
    expect(value('Charge points').value).toBe(3);
    expect(value('Open transactions (not billed)').value).toBe(1);
    expect(value('Stops without a start (not billed)').value).toBe(1);
    // CP-B 3 (negative energy) and CP-D 99 (the mart also flags a stop without a start)
    expect(value('Flagged transactions to review').value).toBe(2);
    expect(value('Run id').value).toBe(1);
    const [runRow] = await run.query(
      `select strftime(started_at at time zone 'Europe/Berlin', '%Y-%m-%dT%H:%M:%SZ') as local from runs where run_id = 1`,
    );
    expect(value(`Generated at (${TZ})`).value).toEqual(new Date(String(runRow!.local)));
    // one landing file of 2 lines per start and per stop
    const lines = SESSIONS.reduce((n, s) => n + (s.start ? 2 : 0) + (s.stop ? 2 : 0), 0);
    expect(value('Source files').value).toBe(1);
    expect(value('Source lines read').value).toBe(lines);
    expect(value('Source lines loaded').value).toBe(lines);
    expect(value('Source lines quarantined').value).toBe(0);
  });

  it('Transactions: headers with units and zone, formats, frozen header, autofilter, widths that fit', () => {
    const sheet = workbook.getWorksheet('Transactions')!;
    expect(headers(sheet)).toEqual(TRANSACTION_HEADERS);
    sheet.getRow(1).eachCell((cell) => expect(cell.font?.bold).toBe(true));
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe(`A1:Q${MARCH.length + 1}`);
    for (const row of dataRows(sheet)) {
      for (const [header, format] of Object.entries(TRANSACTION_FORMATS)) expect(byHeader(sheet, row, header).numFmt, header).toBe(format);
    }
    TRANSACTION_HEADERS.forEach((header, index) => {
      const column = sheet.getColumn(index + 1);
      expect(column.width, header).toBeGreaterThanOrEqual(header.length);
      const texts = dataRows(sheet)
        .map((row) => row.getCell(index + 1).value)
        .filter((value) => typeof value === 'string');
      const longest = Math.max(0, ...texts.map((text) => text.length));
      expect(column.width, header).toBeGreaterThanOrEqual(Math.min(longest, 100));
    });
  });

  it('Transactions: one typed row per billed session, times in Berlin to the second, ids as text', () => {
    const sheet = workbook.getWorksheet('Transactions')!;
    const rows = dataRows(sheet);
    expect(rows).toHaveLength(MARCH.length);
    rows.forEach((row, index) => {
      const t = MARCH[index]!;
      const cell = (header: string) => byHeader(sheet, row, header);
      expect(cell('Charge point').type).toBe(ExcelJS.ValueType.String);
      expect(cell('Charge point').value).toBe(t.cp);
      expect(cell('Customer (idTag)').type).toBe(ExcelJS.ValueType.String);
      // XML reads a CR in text as LF (the cell is still text; the CSV keeps the CR)
      expect(cell('Customer (idTag)').value).toBe(t.idTag.replace(/\r/g, '\n'));
      expect(cell('Transaction').value).toBe(t.tx);
      expect(cell('Connector').value).toBe(t.connector);
      expect(cell(`Started (${TZ})`).type).toBe(ExcelJS.ValueType.Date);
      expect(cell(`Started (${TZ})`).value).toEqual(wallClock(t.started));
      expect(cell(`Stopped (${TZ})`).value).toEqual(wallClock(t.stopped));
      // an [h]:mm:ss duration is a fraction of a day; exceljs reads it back as a date from 1899-12-30
      expect(((cell('Charge time').value as Date).getTime() - Date.UTC(1899, 11, 30)) / 1000).toBe(t.seconds);
      expect(cell('Charge time (s)').value).toBe(t.seconds);
      expect(cell('Meter start (Wh)').value).toBe(t.meterStart);
      expect(cell('Meter stop (Wh)').value).toBe(t.meterStop);
      expect(cell('Energy (Wh)').type).toBe(ExcelJS.ValueType.Number);
      expect(cell('Energy (Wh)').value).toBe(t.wh);
      expect(cell('Energy (kWh)').value).toBe(t.wh / 1000);
      expect(cell('Stop reason').value).toBe('Local');
      expect(cell('Last register (Wh)').value).toBeNull();
      expect(cell('Status').value).toBe('completed');
      expect(cell('Review flags').value).toEqual(t.wh < 0 ? expect.stringMatching(/^Negative energy/) : null);
    });
  });

  it('Transactions: a SUBTOTAL(109) totals row below a blank row, with the hand-worked results cached', () => {
    const sheet = workbook.getWorksheet('Transactions')!;
    const last = MARCH.length + 1;
    expect(sheet.getRow(last + 1).hasValues).toBe(false);
    const totals = totalsRow(sheet);
    expect(totals.number).toBe(last + 2);
    const expected: Record<string, [string, number]> = {
      'Charge time': ['G', MARCH_SECONDS / 86_400],
      'Charge time (s)': ['H', MARCH_SECONDS],
      'Energy (Wh)': ['K', MARCH_WH],
      'Energy (kWh)': ['L', MARCH_WH / 1000],
    };
    for (const [header, [letter, result]] of Object.entries(expected)) {
      const cell = byHeader(sheet, totals, header);
      expect(cell.type, header).toBe(ExcelJS.ValueType.Formula);
      expect(cell.formula).toBe(`SUBTOTAL(109,${letter}2:${letter}${last})`);
      // exceljs reads a result under a duration format back as a date from 1899-12-30
      const cached = cell.result instanceof Date ? (cell.result.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000 : (cell.result as number);
      expect(cached).toBeCloseTo(result, 9);
      if (header === 'Energy (Wh)' || header === 'Charge time (s)') expect(cell.result).toBe(result);
      expect(cell.font?.bold).toBe(true);
    }
    // meter readings are not amounts: no total under them
    expect(byHeader(sheet, totals, 'Meter start (Wh)').value).toBeNull();
  });

  it('text from the logs stays text: never a formula, leading zeros kept', () => {
    const sheet = workbook.getWorksheet('Transactions')!;
    const tags = dataRows(sheet).map((row) => byHeader(sheet, row, 'Customer (idTag)'));
    for (const hostile of HOSTILE) {
      const cell = tags.find((tag) => tag.value === hostile.replace(/\r/g, '\n'));
      expect(cell, JSON.stringify(hostile)).toBeDefined();
      expect(cell!.type).toBe(ExcelJS.ValueType.String);
    }
    expect(tags[0]!.value).toBe('000123');
    expect(byHeader(sheet, dataRows(sheet)[0]!, 'Charge point').value).toBe('007');
    for (const worksheet of workbook.worksheets) {
      worksheet.eachRow((row) => {
        row.eachCell((cell) => {
          if (cell.type === ExcelJS.ValueType.Formula) {
            expect(cell.formula, `${worksheet.name}!${cell.address}`).toMatch(/^SUBTOTAL\(109,[A-Z]+\d+:[A-Z]+\d+\)$/);
            expect(row.getCell(1).value).toBe(TOTAL_LABEL);
          }
        });
      });
    }
  });

  it('By customer: sessions, energy and time per idTag, with totals', () => {
    const sheet = workbook.getWorksheet('By customer')!;
    expect(headers(sheet)).toEqual(['Customer (idTag)', 'Sessions', 'Energy (kWh)', 'Energy (Wh)', 'Charge time', 'Charge time (h)']);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:F8');
    const rows = dataRows(sheet).map((row) => [row.getCell(1).value, row.getCell(2).value, row.getCell(4).value, row.getCell(6).value]);
    const expected = MARCH.map((t) => [t.idTag.replace(/\r/g, '\n'), 1, t.wh, t.seconds / 3600]);
    expect(rows.sort()).toEqual(expected.sort());
    expect(dataRows(sheet)[0]!.getCell(3).numFmt).toBe('#,##0.000');
    expect(dataRows(sheet)[0]!.getCell(5).numFmt).toBe('[h]:mm:ss');
    const totals = totalsRow(sheet);
    expect(totals.getCell(2).formula).toBe('SUBTOTAL(109,B2:B8)');
    expect(totals.getCell(2).result).toBe(7);
    expect(totals.getCell(4).formula).toBe('SUBTOTAL(109,D2:D8)');
    expect(totals.getCell(4).result).toBe(MARCH_WH);
    expect(totals.getCell(6).result as number).toBeCloseTo(MARCH_SECONDS / 3600, 9);
  });

  it('By charge point: per charge point and connector, with totals', () => {
    const sheet = workbook.getWorksheet('By charge point')!;
    expect(headers(sheet)).toEqual([
      'Charge point',
      'Connector',
      'Sessions',
      'Energy (kWh)',
      'Energy (Wh)',
      'Charge time',
      'Charge time (h)',
    ]);
    expect(sheet.autoFilter).toBe('A1:G6');
    const rows = dataRows(sheet).map((row) => [row.getCell(1).value, row.getCell(2).value, row.getCell(3).value, row.getCell(5).value]);
    expect(rows).toEqual([
      ['007', 1, 1, 12345],
      ['007', 2, 1, 7500],
      ['CP-B', 1, 2, 1000],
      ['CP-B', 2, 1, -1000],
      ['CP-C', 1, 2, 2050],
    ]);
    const totals = totalsRow(sheet);
    expect(totals.getCell(3).result).toBe(7);
    expect(totals.getCell(5).result).toBe(MARCH_WH);
  });

  it('Exceptions: the open session, the stop without a start and the flagged session, explained in words', () => {
    const sheet = workbook.getWorksheet('Exceptions')!;
    expect(headers(sheet)[0]).toBe('Status');
    expect(headers(sheet).at(-1)).toBe('Reason');
    expect(sheet.autoFilter).toBe('A1:N4');
    const rows = dataRows(sheet).map((row) => ({
      status: byHeader(sheet, row, 'Status').value,
      cp: byHeader(sheet, row, 'Charge point').value,
      tx: byHeader(sheet, row, 'Transaction').value,
      reason: String(byHeader(sheet, row, 'Reason').value),
    }));
    expect(rows.map(({ status, cp, tx }) => [status, cp, tx])).toEqual([
      ['completed', 'CP-B', 3],
      ['open', 'CP-C', 4],
      ['stop_without_start', 'CP-D', 99],
    ]);
    expect(rows[0]!.reason).toMatch(/^Negative energy/);
    expect(rows[1]!.reason).toMatch(/^Open: .*not billed/i);
    expect(rows[2]!.reason).toMatch(/^Stop without a start/);
    // the reason says it once even though the status and a flag both name it
    expect(rows[2]!.reason.match(/Stop without a start/g)).toHaveLength(1);
    const open = dataRows(sheet)[1]!;
    expect(byHeader(sheet, open, `Started (${TZ})`).value).toEqual(wallClock([2024, 3, 20, 11, 0, 0]));
    expect(byHeader(sheet, open, `Stopped (${TZ})`).value).toBeNull();
  });

  it('About defines every column of every sheet and every Summary figure, from the catalog', () => {
    const sheet = workbook.getWorksheet('About')!;
    expect(headers(sheet)).toEqual(['Sheet', 'Column or figure', 'Shown as', 'Parquet column', 'Definition']);
    expect(sheet.autoFilter).toBe(`A1:E${sheet.rowCount}`);
    const defined = new Map<string, string>();
    for (const row of dataRows(sheet)) defined.set(`${row.getCell(1).value}|${row.getCell(2).value}`, String(row.getCell(5).value));
    for (const name of SHEETS.slice(1, 5)) {
      for (const header of headers(workbook.getWorksheet(name)!))
        expect(defined.get(`${name}|${header}`), `${name}|${header}`).toBeTruthy();
    }
    for (const label of summary(workbook).keys()) {
      if (label !== 'Figure' && !label.startsWith('OCPP') && !label.startsWith('Sessions'))
        expect(defined.get(`Summary|${label}`), label).toBeTruthy();
    }
    expect(defined.get('Transactions|Energy (Wh)')).toBe(columnDoc('transactions', 'energy_wh').description);
    expect(defined.get('All sheets|How the month is attributed')).toMatch(/month it stops/);
  });

  it('--csv writes the Transactions sheet beside the workbook, text neutralised like query --format csv', () => {
    const text = readFileSync(join(run.out, 'excel', 'ocpp-report-2024-03.transactions.csv'), 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const records = parseCsv(text.slice(1));
    expect(records[0]).toEqual(TRANSACTION_HEADERS);
    expect(records).toHaveLength(MARCH.length + 1);
    const column = (header: string) => records.slice(1).map((record) => record[TRANSACTION_HEADERS.indexOf(header)]);
    expect(column('Customer (idTag)')).toEqual(['000123', ...HOSTILE.map((tag) => `'${tag}`)]);
    expect(column('Charge point')).toEqual(MARCH.map((t) => t.cp));
    expect(column('Energy (Wh)')).toEqual(MARCH.map((t) => String(t.wh)));
    expect(column('Energy (kWh)')).toEqual(MARCH.map((t) => (t.wh / 1000).toFixed(3)));
    expect(column(`Stopped (${TZ})`)[0]).toBe('2024-03-05 10:30:15');
    expect(column('Charge time')[0]).toBe('1:30:15');
  });

  it('the audit reconciles the workbook with the warehouse and the Parquet month to the Wh', async () => {
    const parquetPath = join(run.out, 'parquet', 'transactions', 'month=2024-03', 'transactions.parquet');
    const result = await withWarehouse(run.warehouse, (db) => verifyWorkbookTotals(db, path(), '2024-03', { parquetPath }), {
      readOnly: true,
    });
    expect(result).toEqual({ month: '2024-03', energyWh: MARCH_WH, transactions: 7 });
  });

  it('the audit fails, naming the month, when one cell is off by a watt-hour', async () => {
    const tampered = new ExcelJS.Workbook();
    await tampered.xlsx.readFile(path());
    const sheet = tampered.getWorksheet('Transactions')!;
    const cell = byHeader(sheet, sheet.getRow(2), 'Energy (Wh)');
    cell.value = (cell.value as number) + 1;
    const copy = join(run.dir, 'tampered.xlsx');
    await tampered.xlsx.writeFile(copy);
    await expect(withWarehouse(run.warehouse, (db) => verifyWorkbookTotals(db, copy, '2024-03'), { readOnly: true })).rejects.toThrow(
      /workbook 2024-03 does not reconcile.*Transactions sheet cells 21896 Wh/,
    );
  });

  it('a month without transactions still gets a complete workbook with zero totals', async () => {
    const out = join(run.dir, 'empty');
    const path = await withWarehouse(
      run.warehouse,
      async (db) => {
        await setModelVariables(db, { reportTimezone: TZ });
        const written = await exportWorkbook(db, out, { month: '2024-05', timezone: TZ, runId: 1 });
        await expect(verifyWorkbookTotals(db, written, '2024-05')).resolves.toMatchObject({ energyWh: 0, transactions: 0 });
        return written;
      },
      { readOnly: true },
    );
    const empty = await readWorkbook(path);
    const sheet = empty.getWorksheet('Transactions')!;
    expect(headers(sheet)).toEqual(TRANSACTION_HEADERS);
    expect(sheet.autoFilter).toBe('A1:Q1');
    expect(dataRows(sheet)).toHaveLength(0);
    // a SUBTOTAL over no rows would take in the header and itself: a plain 0 instead
    expect(byHeader(sheet, totalsRow(sheet), 'Energy (Wh)').value).toBe(0);
    expect(summary(empty).get('Completed transactions')!.value).toBe(0);
    // the open session started in March is still open at the end of the data
    expect(summary(empty).get('Open transactions (not billed)')!.value).toBe(1);
  });

  it('the same warehouse and run give the same workbook content, part for part', async () => {
    const again = await withWarehouse(
      run.warehouse,
      async (db) => {
        await setModelVariables(db, { reportTimezone: TZ });
        return exportWorkbook(db, join(run.dir, 'again'), { month: '2024-03', timezone: TZ, runId: 1 });
      },
      { readOnly: true },
    );
    const [first, second] = [await zipParts(path()), await zipParts(again)];
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [part, content] of first) expect(second.get(part), part).toBe(content);
  });

  it('reading a big month in ranges of charge points gives the same rows in the same order', async () => {
    const sql = sqlFile(loadSqlProject(), 'reports', 'workbook_transactions').sql;
    const read = (batchRows: number) =>
      withWarehouse(
        run.warehouse,
        async (db) => {
          await setModelVariables(db, { reportTimezone: TZ });
          const keys: string[] = [];
          for await (const { columns, rows } of streamSheetRows(db, sql, { month: '2024-03' }, 'charge_point_id', batchRows)) {
            for (const row of rows) keys.push(`${row[columns.indexOf('charge_point_id')]}/${row[columns.indexOf('transaction_id')]}`);
          }
          return keys;
        },
        { readOnly: true },
      );
    const whole = MARCH.map((t) => `${t.cp}/${t.tx}`);
    expect(await read(1_000)).toEqual(whole);
    // one range per charge point (007: 2 rows, CP-B: 3, CP-C: 2), and a charge point bigger than a range
    expect(await read(2)).toEqual(whole);
    expect(await read(1)).toEqual(whole);
  });

  const soffice = onPath('soffice');
  (soffice ? it : it.skip)(
    `LibreOffice recalculates the same totals${soffice ? '' : ' (skipped: soffice not on PATH; apt-get install -y libreoffice-calc enables it)'}`,
    async () => {
      // Blank every cached total first, so the figures that come back can only be LibreOffice's own.
      const dir = join(run.dir, 'libreoffice');
      mkdirSync(join(dir, 'in'), { recursive: true });
      const blanked = new ExcelJS.Workbook();
      await blanked.xlsx.readFile(path());
      const ours = new Map<string, number>();
      for (const sheet of blanked.worksheets) {
        sheet.eachRow((row) =>
          row.eachCell((cell) => {
            if (cell.type !== ExcelJS.ValueType.Formula) return;
            ours.set(`${sheet.name}!${cell.address}`, cell.result as number);
            cell.value = { formula: cell.formula, result: -1 };
          }),
        );
      }
      expect(ours.size).toBe(4 + 5 + 5);
      await blanked.xlsx.writeFile(join(dir, 'in', 'blanked.xlsx'));
      // a private profile that always recalculates on load, and keeps parallel runs apart
      const profile = join(dir, 'profile');
      mkdirSync(join(profile, 'user'), { recursive: true });
      writeFileSync(
        join(profile, 'user', 'registrymodifications.xcu'),
        `<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
          `<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item></oor:items>`,
      );
      execFileSync(
        soffice!,
        [
          `-env:UserInstallation=file://${profile}`,
          '--headless',
          '--convert-to',
          'xlsx',
          '--outdir',
          join(dir, 'out'),
          join(dir, 'in', 'blanked.xlsx'),
        ],
        { stdio: 'pipe', timeout: 120_000 },
      );
      const recalculated = await readWorkbook(join(dir, 'out', 'blanked.xlsx'));
      for (const [address, result] of ours) {
        const [name, cell] = address.split('!') as [string, string];
        const theirs = recalculated.getWorksheet(name)!.getCell(cell);
        expect(theirs.type, address).toBe(ExcelJS.ValueType.Formula);
        expect(theirs.result as number, address).toBeCloseTo(result, 9);
      }
      expect(recalculated.getWorksheet('Transactions')!.getCell('K10').result).toBe(MARCH_WH);
      copyFileSync(join(dir, 'out', 'blanked.xlsx'), join(dir, 'recalculated.xlsx'));
    },
    120_000,
  );
});

describe('flags in words', () => {
  it('every flag fct_transactions can set has words for finance', () => {
    const mart = readFileSync(join(SQL_DIR, 'marts', 'fct_transactions.sql'), 'utf8');
    const flagList = mart.slice(mart.indexOf('list_filter('), mart.indexOf(') as flags'));
    const codes = [...flagList.matchAll(/then '([a-z0-9_]+)'/g)].map((match) => match[1]!);
    expect(codes.length).toBeGreaterThanOrEqual(6);
    for (const code of codes) expect(REVIEW_REASONS[code], code).toBeTruthy();
  });
});

describe('cell text', () => {
  it('keeps text as logged and cuts only beyond what an Excel cell holds', () => {
    expect(cellText('=1+1')).toBe('=1+1');
    const long = 'x'.repeat(40_000);
    expect(cellText(long)).toHaveLength(32_767);
    expect(cellText('y'.repeat(32_767))).toHaveLength(32_767);
  });
});

/** A small RFC 4180 reader, independent of the writer. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += char;
  }
  return records;
}
