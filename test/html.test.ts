import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryJsonRows, type Row, withWarehouse } from '../jobs/db.ts';
import { chargePointBars, MAX_CHARGE_POINTS_CHARTED, onlineSeries, onlineSpec } from '../jobs/export/html/charts.ts';
import type { MonthData } from '../jobs/export/html/data.ts';
import { exportHtmlReport } from '../jobs/export/html.ts';
import type { TruthTransaction } from '../jobs/generate/simulate.ts';
import { type WriteLandingResult, writeLanding } from '../jobs/generate/write-landing.ts';
import { loadSqlProject, sqlFile } from '../jobs/models/project.ts';
import { setModelVariables } from '../jobs/models/run-models.ts';
import { type NightlySummary, runNightly } from '../jobs/nightly.ts';
import { ARTIFACTS, HAS_CHROMIUM, launchChromium, openPage, SKIP_NOTE } from './browser.ts';
import { envelope, runOn, type TestRun, tempDir } from './helpers.ts';

if (!HAS_CHROMIUM) console.warn(`test/html.test.ts: skipping the browser tests:${SKIP_NOTE}`);
const CHARTS = ['chart-energy-per-day', 'chart-charge-points', 'chart-duration', 'chart-energy', 'chart-utilisation', 'chart-online'];

/** A headline figure's number, without its unit. */
function figure(page: Page, key: string): Promise<string> {
  return page.locator(`[data-figure="${key}"]`).evaluate((element) => element.firstChild?.textContent ?? '');
}

function tableRows(page: Page, table: string): Promise<string[][]> {
  return page
    .locator(`table#${table} tbody tr`)
    .evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
}

// Independent of the code under test: the browser's own number formatting of the truth.
const kwh = (wh: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(wh / 1000);
const hours = (s: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(s / 3600);
const count = (n: number) => new Intl.NumberFormat('en-US').format(n);
const monthOfUs = (us: number) => new Date(Math.floor(us / 1000)).toISOString().slice(0, 7);
const durationS = (t: TruthTransaction) => Math.trunc((t.stoppedAtUs! - t.startedAtUs) / 1_000_000);
const energyWh = (t: TruthTransaction) => t.meterStopWh! - t.meterStartWh;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** Runs one of sql/reports/ against a finished warehouse, as the exporter does. */
function reportRows(warehouse: string, name: string, month: string, timezone: string): Promise<Row[]> {
  return withWarehouse(
    warehouse,
    async (db) => {
      await setModelVariables(db, { reportTimezone: timezone });
      return queryJsonRows(db, sqlFile(loadSqlProject(), 'reports', name).sql, { month });
    },
    { readOnly: true },
  );
}

describe.skipIf(!HAS_CHROMIUM)(`monthly HTML reports of generated traffic, in Chromium${SKIP_NOTE}`, () => {
  const MONTHS = ['2024-01', '2024-02'];
  let dir: string;
  let out: string;
  let warehouse: string;
  let generated: WriteLandingResult;
  let summary: NightlySummary;
  let browser: Browser;
  const completed = (month: string) => generated.truth.filter((t) => t.stoppedAtUs !== null && monthOfUs(t.stoppedAtUs) === month);
  const mart = (sql: string, month: string) =>
    withWarehouse(warehouse, (db) => queryJsonRows(db, sql, { month }), { readOnly: true }).then((rows) => rows[0]!);

  beforeAll(async () => {
    dir = tempDir('ocpp-html-');
    out = join(dir, 'reports');
    warehouse = join(dir, 'warehouse.duckdb');
    // 35 days from 20 January: stops fall in both months, and the run ends with sessions still open.
    generated = await writeLanding({
      out: join(dir, 'landing'),
      chargePoints: 3,
      days: 35,
      start: '2024-01-20',
      seed: 5,
      dialect: 'envelope',
    });
    summary = await runNightly({ landing: join(dir, 'landing'), warehouse, out, months: [], timezone: 'UTC' });
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('writes one page per month and an index linking them', async () => {
    expect(summary.months).toEqual(MONTHS);
    for (const month of MONTHS) expect(summary.outputs).toContain(join(out, 'html', `ocpp-report-${month}.html`));
    const { page, requests, errors, url } = await openPage(browser, join(out, 'html', 'index.html'));
    const links = await page
      .locator('main li a')
      .evaluateAll((anchors) => anchors.map((anchor) => [anchor.getAttribute('href'), anchor.textContent]));
    expect(links).toEqual([
      ['ocpp-report-2024-02.html', 'February 2024'],
      ['ocpp-report-2024-01.html', 'January 2024'],
    ]);
    for (const [href] of links) expect(existsSync(join(out, 'html', href!))).toBe(true);
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each(MONTHS)('%s opens from disk with no request but itself and no console error, every chart drawn', async (month) => {
    const { page, requests, errors, url } = await openPage(browser, join(out, 'html', `ocpp-report-${month}.html`));
    await page.screenshot({ path: join(ARTIFACTS, `html-report-${month}.png`), fullPage: true });
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    expect(await page.title()).toBe(`Charging report: ${month === '2024-01' ? 'January' : 'February'} 2024`);
    for (const id of CHARTS) {
      const chart = page.locator(`svg#${id}`);
      expect(await chart.count(), id).toBe(1);
      // Marks are the data-bound paths inside Vega's role-mark groups (axes and legends are not).
      const marks = await chart
        .locator('[class~="role-mark"] path')
        .evaluateAll((paths) => paths.filter((path) => (path.getAttribute('d') ?? '').length > 0).length);
      expect(marks, `${id} marks`).toBeGreaterThan(0);
      const box = await chart.boundingBox();
      expect(box!.width, `${id} width`).toBeGreaterThan(200);
      expect(await chart.getAttribute('role')).toBe('img');
      const labelledBy = (await chart.getAttribute('aria-labelledby'))!.split(' ');
      for (const labelId of labelledBy)
        expect((await page.locator(`[id="${labelId}"]`).textContent())!.length, labelId).toBeGreaterThan(10);
    }
    // Accessible structure: one h1, a caption on every table.
    expect(await page.locator('h1').count()).toBe(1);
    const tables = await page.locator('table').count();
    expect(await page.locator('table > caption').count()).toBe(tables);
    await page.close();
  });

  it.each(MONTHS)('%s headline figures equal the generator ground truth and the mart', async (month) => {
    const truth = completed(month);
    const truthWh = sum(truth.map(energyWh));
    const truthS = sum(truth.map(durationS));
    const truthOpen = generated.truth.filter((t) => t.stoppedAtUs === null && monthOfUs(t.startedAtUs) === month).length;
    const fromMart = await mart(
      `select
           count(*) filter (where transaction_status = 'completed' and month = $month)::integer as sessions,
           coalesce(sum(energy_wh) filter (where transaction_status = 'completed' and month = $month), 0)::bigint::varchar as wh,
           coalesce(sum(duration_s) filter (where transaction_status = 'completed' and month = $month), 0)::bigint::varchar as s,
           count(distinct charge_point_id) filter (where transaction_status = 'completed' and month = $month)::integer as points,
           count(*) filter (where transaction_status = 'open' and strftime(started_at, '%Y-%m') = $month)::integer as open,
           count(*) filter (where transaction_status = 'stop_without_start' and month = $month)::integer as orphan_stops,
       from fct_transactions`,
      month,
    );
    expect(truth.length).toBeGreaterThan(20);
    expect(fromMart.sessions).toBe(truth.length);
    expect(Number(fromMart.wh)).toBe(truthWh);
    expect(Number(fromMart.s)).toBe(truthS);

    const { page } = await openPage(browser, join(out, 'html', `ocpp-report-${month}.html`));
    expect(await figure(page, 'completed_sessions')).toBe(count(truth.length));
    expect(await figure(page, 'energy_kwh')).toBe(kwh(truthWh));
    expect(await figure(page, 'charging_hours')).toBe(hours(truthS));
    expect(await figure(page, 'active_charge_points')).toBe(count(new Set(truth.map((t) => t.chargePointId)).size));
    expect(await figure(page, 'open_sessions')).toBe(count(fromMart.open as number));
    expect(fromMart.open).toBe(truthOpen);
    // The generator makes no orphan stops; with a flags column the page counts flagged rows instead.
    if (await page.locator('[data-figure="stops_without_start"]').count()) {
      expect(await figure(page, 'stops_without_start')).toBe(count(fromMart.orphan_stops as number));
    } else {
      const flagged = await mart(
        `select count(*)::integer as n from fct_transactions
         where len(flags) > 0 and ((transaction_status = 'open' and strftime(started_at, '%Y-%m') = $month)
               or (transaction_status <> 'open' and month = $month))`,
        month,
      );
      expect(await figure(page, 'flagged_sessions')).toBe(count(flagged.n as number));
    }

    // Per charge point: the same figures, charge point by charge point, and a total row.
    const perPoint = [...new Set(generated.truth.map((t) => t.chargePointId))].sort().map((id) => {
      const own = truth.filter((t) => t.chargePointId === id);
      return [id, count(own.length), kwh(sum(own.map(energyWh))), hours(sum(own.map(durationS)))];
    });
    expect(await tableRows(page, 'charge-points-table')).toEqual(perPoint);
    const total = await page
      .locator('table#charge-points-table tfoot tr')
      .evaluate((row) => [...row.children].map((cell) => cell.textContent));
    expect(total).toEqual(['Total', count(truth.length), kwh(truthWh), hours(truthS)]);

    // Energy per day (hidden behind "Show the numbers"): one row per day of the month, adding up.
    const days = await tableRows(page, 'energy-per-day-table');
    expect(days.length).toBe(month === '2024-01' ? 31 : 29);
    const perDayWh = new Map<string, number>();
    for (const t of truth) {
      const day = new Date(Math.floor(t.stoppedAtUs! / 1000)).toISOString().slice(0, 10);
      perDayWh.set(day, (perDayWh.get(day) ?? 0) + energyWh(t));
    }
    for (const [day, , energy] of days) expect(energy, day).toBe(kwh(perDayWh.get(day!) ?? 0));

    // Exceptions: the sessions left open when the traffic ends.
    const exceptions = await tableRows(page, 'exceptions-table');
    const openRows = exceptions.filter((row) => row[8] === 'open');
    expect(openRows.length).toBe(truthOpen);
    await page.close();
  });

  it('the utilisation cells add up to the month charging time, and the step chart data to the known charge points', async () => {
    for (const month of MONTHS) {
      const cells = await reportRows(warehouse, 'html_utilisation_heatmap', month, 'UTC');
      expect(cells.length).toBe(7 * 24);
      const truthHours = sum(completed(month).map((t) => t.stoppedAtUs! - t.startedAtUs)) / 3_600_000_000;
      expect(sum(cells.map((cell) => cell.charging_hours as number))).toBeCloseTo(truthHours, 6);
      const steps = await reportRows(warehouse, 'html_online_charge_points', month, 'UTC');
      expect(steps.every((step) => step.known_charge_points === 3)).toBe(true);
      expect(Math.max(...steps.map((step) => step.online_charge_points as number))).toBe(3);
    }
  });

  it('averages the heat map per weekday over the days with data, so a weekday occurring five times looks no busier', async () => {
    const [extent] = await withWarehouse(
      warehouse,
      (db) =>
        queryJsonRows(db, 'select epoch_ms(min(logged_at)) as first_ms, epoch_ms(max(logged_at)) as last_ms from base_ocpp__messages'),
      { readOnly: true },
    );
    for (const month of MONTHS) {
      // the month's UTC days from the first line's day to the newest line's day, counted per ISO weekday
      const monthStart = Date.parse(`${month}-01T00:00:00Z`);
      const monthEnd = Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1);
      const dayMs = 86_400_000;
      const first = Math.max(monthStart, Math.floor(Number(extent!.first_ms) / dayMs) * dayMs);
      const last = Math.min(monthEnd - dayMs, Math.floor(Number(extent!.last_ms) / dayMs) * dayMs);
      const days = new Map<number, number>();
      for (let day = first; day <= last; day += dayMs) {
        const iso = ((new Date(day).getUTCDay() + 6) % 7) + 1;
        days.set(iso, (days.get(iso) ?? 0) + 1);
      }
      const cells = await reportRows(warehouse, 'html_utilisation_heatmap', month, 'UTC');
      for (const cell of cells) {
        const expected = days.get(cell.iso_weekday as number) ?? 0;
        expect(cell.weekday_days, `${month} weekday ${cell.iso_weekday}`).toBe(expected);
        expect(cell.avg_charging_hours_per_day as number).toBeCloseTo(expected === 0 ? 0 : (cell.charging_hours as number) / expected, 9);
      }
      // cells times their days add up to the month's charging time, as the caption says
      const truthHours = sum(completed(month).map((t) => t.stoppedAtUs! - t.startedAtUs)) / 3_600_000_000;
      expect(sum(cells.map((cell) => (cell.avg_charging_hours_per_day as number) * (cell.weekday_days as number)))).toBeCloseTo(
        truthHours,
        6,
      );
    }
  });

  it('draws charge points online as one unstacked step line, never above the known count, and no data before the first line', async () => {
    const data = (await withWarehouse(
      warehouse,
      async (db) => {
        await setModelVariables(db, { reportTimezone: 'UTC' });
        const { readMonthData } = await import('../jobs/export/html/data.ts');
        return readMonthData(db, { month: '2024-01', timezone: 'UTC', runId: 1 });
      },
      { readOnly: true },
    )) as MonthData;
    // the generated traffic starts on 20 January: the series starts there, not on the 1st
    expect(data.coverage!.fromLocal.slice(0, 10)).toBe('2024-01-20');
    const series = onlineSeries(data);
    expect(new Date(series[0]!.at).toISOString().slice(0, 10)).toBe('2024-01-20');
    expect(Math.max(...series.map((point) => point.online))).toBeLessThanOrEqual(3);
    // one point per instant: duplicates would be drawn as vertical spikes
    expect(new Set(series.map((point) => point.at)).size).toBe(series.length - (series.at(-1)!.at === series.at(-2)!.at ? 1 : 0));
    const spec = onlineSpec(data) as { layer: { mark: { type: string }; encoding?: { y?: { stack?: unknown } } }[] };
    for (const layer of spec.layer.filter((l) => l.mark.type === 'area' || l.mark.type === 'line'))
      expect(layer.encoding!.y!.stack).toBeNull();
    expect(spec.layer.some((l) => l.mark.type === 'rect')).toBe(true);

    const { page } = await openPage(browser, join(out, 'html', 'ocpp-report-2024-01.html'));
    const chart = page.locator('svg#chart-online');
    expect(await chart.locator('text', { hasText: 'no data' }).count()).toBe(1);
    // the plot is no taller than its axis: nothing drawn above the top of the y scale
    const marks = await chart
      .locator('[class~="role-mark"] path')
      .evaluateAll((paths) => paths.map((path) => (path as unknown as { getBBox(): { y: number } }).getBBox().y));
    expect(Math.min(...marks)).toBeGreaterThanOrEqual(0);
    await page.close();
  });

  it('shows sessions running past the month end neutrally, not as an alarm', async () => {
    const { page } = await openPage(browser, join(out, 'html', 'ocpp-report-2024-02.html'));
    const card = page.locator('[data-figure="open_sessions"]').locator('xpath=..');
    expect(await card.getAttribute('class')).toBeNull();
    expect(await card.locator('dt').textContent()).toMatch(/still running/i);
    await page.close();
  });

  it('prints ids whole and keeps the Exceptions heading with its table', async () => {
    const { page } = await openPage(browser, join(out, 'html', 'ocpp-report-2024-02.html'));
    await page.emulateMedia({ media: 'print' });
    const style = (selector: string, property: string) =>
      page
        .locator(selector)
        .first()
        .evaluate(
          (element, name) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { getPropertyValue(n: string): string } })
              .getComputedStyle(element)
              .getPropertyValue(name),
          property,
        );
    expect(await style('table#exceptions-table tbody .id', 'white-space')).toBe('nowrap');
    expect(await style('h2#exceptions', 'break-after')).toBe('avoid');
    expect(await style('h2#exceptions + .note', 'break-after')).toBe('avoid');
    expect(await style('table#exceptions-table', 'break-inside')).not.toBe('avoid');
    expect(await style('table#exceptions-table tr', 'break-inside')).toBe('avoid');
    const pdf = join(ARTIFACTS, 'html-report-2024-02.pdf');
    await page.pdf({ path: pdf, format: 'A4' });
    await page.close();
    let pages: string[];
    try {
      pages = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
    } catch {
      return; // poppler-utils not installed: the computed print styles above still hold
    }
    // no charge point id split over two lines, e.g. "CP-" at a line end
    expect(pages.join('\n')).not.toMatch(/CP-\s*\n/);
    const headingPage = pages.findIndex((text) => /^\s*Exceptions\s*$/m.test(text));
    const firstRowPage = pages.findIndex((text) => /\bopen\s*$/m.test(text));
    expect(headingPage).toBeGreaterThanOrEqual(0);
    expect(firstRowPage).toBe(headingPage);
  });

  it('charts the top charge points by energy and names the rest in the caption', () => {
    const points = Array.from({ length: 45 }, (_, index) => ({
      chargePointId: `CP-${String(index).padStart(4, '0')}`,
      sessions: BigInt(index + 1),
      energyWh: BigInt((index + 1) * 1000),
      durationS: 0n,
    }));
    const bars = chargePointBars({ chargePoints: points } as MonthData);
    expect(bars.length).toBe(MAX_CHARGE_POINTS_CHARTED);
    expect(bars[0]!.label).toBe('CP-0044');
    expect(bars.at(-1)!.label).toBe('CP-0025');
  });

  it('renders byte-identical pages from the same warehouse', async () => {
    const again = join(dir, 'again');
    await withWarehouse(
      warehouse,
      async (db) => {
        await setModelVariables(db, { reportTimezone: 'UTC' });
        for (const month of MONTHS) await exportHtmlReport(db, again, { month, timezone: 'UTC', runId: summary.runId });
      },
      { readOnly: true },
    );
    for (const month of MONTHS) {
      const name = `ocpp-report-${month}.html`;
      expect(readFileSync(join(again, 'html', name), 'utf8')).toBe(readFileSync(join(out, 'html', name), 'utf8'));
    }
  });
});

describe.skipIf(!HAS_CHROMIUM)(`a worked month in Europe/Berlin, with hostile texts, in Chromium${SKIP_NOTE}`, () => {
  const { call, result } = envelope;
  const HOSTILE_CP = '<script>window.__pwned = 1</script>';
  const HOSTILE_TAG = '"><img src=x onerror="window.__pwned=2">';
  let run: TestRun;
  let browser: Browser;

  beforeAll(async () => {
    run = await runOn(
      {
        'date=2024-03-05/a.ndjson': [
          // Tuesday 5 March, 09:30–11:15 UTC = 10:30–12:15 in Berlin (UTC+1): 1.75 h, 12.345 kWh.
          call('CP-B', '2024-03-05T09:30:01Z', 's1', 'StartTransaction', {
            connectorId: 1,
            idTag: 'TAG1',
            meterStart: 1_000,
            timestamp: '2024-03-05T09:30:00Z',
          }),
          result('CP-B', '2024-03-05T09:30:01Z', 's1', { transactionId: 1, idTagInfo: { status: 'Accepted' } }),
          call('CP-B', '2024-03-05T11:15:01Z', 'p1', 'StopTransaction', {
            transactionId: 1,
            meterStop: 13_345,
            timestamp: '2024-03-05T11:15:00Z',
          }),
          result('CP-B', '2024-03-05T11:15:01Z', 'p1', {}),
          // A hostile charge point id on a completed session and a hostile idTag on an open one.
          call(HOSTILE_CP, '2024-03-06T08:00:00Z', 's2', 'StartTransaction', {
            connectorId: 1,
            idTag: 'TAG2',
            meterStart: 0,
            timestamp: '2024-03-06T08:00:00Z',
          }),
          result(HOSTILE_CP, '2024-03-06T08:00:00Z', 's2', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
          call(HOSTILE_CP, '2024-03-06T09:00:00Z', 'p2', 'StopTransaction', {
            transactionId: 7,
            meterStop: 5_000,
            timestamp: '2024-03-06T09:00:00Z',
          }),
          call('CP-B', '2024-03-07T08:00:00Z', 's3', 'StartTransaction', {
            connectorId: 1,
            idTag: HOSTILE_TAG,
            meterStart: 20_000,
            timestamp: '2024-03-07T08:00:00Z',
          }),
          result('CP-B', '2024-03-07T08:00:00Z', 's3', { transactionId: 2, idTagInfo: { status: 'Accepted' } }),
        ],
        'date=2024-03-10/a.ndjson': [
          // CP-A: heartbeat interval 60 s, so offline 120 s after its last message.
          call('CP-A', '2024-03-10T10:00:00Z', 'b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }),
          result('CP-A', '2024-03-10T10:00:00Z', 'b1', { status: 'Accepted', currentTime: '2024-03-10T10:00:00Z', interval: 60 }),
          call('CP-A', '2024-03-10T10:01:00Z', 'h1', 'Heartbeat', {}),
          call('CP-A', '2024-03-10T10:10:00Z', 'h2', 'Heartbeat', {}),
          // CP-B has no BootNotification: 600 s.
          call('CP-B', '2024-03-10T10:02:00Z', 'h3', 'Heartbeat', {}),
        ],
      },
      { timezone: 'Europe/Berlin' },
    );
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('counts charge points online by the offline rule, in local time', async () => {
    const steps = await reportRows(run.warehouse, 'html_online_charge_points', '2024-03', 'Europe/Berlin');
    const hostile = 1; // the hostile charge point: online 08:00–08:10 and 09:00–09:10 UTC on the 6th
    expect(steps.map((step) => [step.changed_local, step.online_charge_points])).toEqual([
      ['2024-03-01T00:00:00', 0],
      ['2024-03-05T10:30:01', 1],
      ['2024-03-05T10:40:01', 0],
      ['2024-03-05T12:15:01', 1],
      ['2024-03-05T12:25:01', 0],
      ['2024-03-06T09:00:00', hostile],
      ['2024-03-06T09:10:00', 0],
      ['2024-03-06T10:00:00', hostile],
      ['2024-03-06T10:10:00', 0],
      ['2024-03-07T09:00:00', 1],
      ['2024-03-07T09:10:00', 0],
      ['2024-03-10T11:00:00', 1],
      ['2024-03-10T11:02:00', 2],
      ['2024-03-10T11:03:00', 1],
      ['2024-03-10T11:10:00', 2],
      ['2024-03-10T11:12:00', 0],
      ['2024-04-01T00:00:00', 0],
    ]);
    expect(new Set(steps.map((step) => step.known_charge_points))).toEqual(new Set([3]));
  });

  it('puts charging hours in the local weekday and hour cells', async () => {
    const cells = await reportRows(run.warehouse, 'html_utilisation_heatmap', '2024-03', 'Europe/Berlin');
    const used = cells
      .filter((cell) => (cell.charging_hours as number) > 0)
      .map((cell) => [cell.iso_weekday, cell.hour_of_day, cell.charging_hours]);
    expect(used).toEqual([
      [2, 10, 0.5],
      [2, 11, 1],
      [2, 12, 0.25],
      [3, 9, 1], // the hostile charge point, Wednesday 09:00–10:00 Berlin
    ]);
  });

  it('shows hostile texts as text: nothing runs, nothing is fetched', async () => {
    const { page, requests, errors, url } = await openPage(browser, join(run.out, 'html', 'ocpp-report-2024-03.html'));
    await page.screenshot({ path: join(ARTIFACTS, 'html-report-hostile-2024-03.png'), fullPage: true });
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);

    expect(await figure(page, 'completed_sessions')).toBe('2');
    expect(await figure(page, 'energy_kwh')).toBe('17.345');
    expect(await figure(page, 'charging_hours')).toBe('2.75');
    expect(await figure(page, 'open_sessions')).toBe('1');
    const perPoint = await tableRows(page, 'charge-points-table');
    expect(perPoint).toEqual(
      [
        [HOSTILE_CP, '1', '5.000', '1.00'],
        ['CP-A', '0', '0.000', '0.00'],
        ['CP-B', '1', '12.345', '1.75'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    const exceptions = await tableRows(page, 'exceptions-table');
    expect(exceptions.map((row) => [row[0], row[3], row[4], row[8]])).toEqual([['CP-B', HOSTILE_TAG, '2024-03-07 09:00:00', 'open']]);
    await page.close();
  });

  it('writes no HTML with html: false', async () => {
    const dir = tempDir('ocpp-no-html-');
    const out = join(dir, 'reports');
    const summary = await runNightly({
      landing: run.landing,
      warehouse: join(dir, 'w.duckdb'),
      out,
      months: [],
      timezone: 'UTC',
      html: false,
    });
    expect(summary.months).toEqual(['2024-03']);
    expect(existsSync(join(out, 'html'))).toBe(false);
  });
});

// America/Havana's clocks go back from 01:00 to 00:00 on 1 November 2026: midnight comes twice,
// at 04:00 and at 05:00 UTC, and the month begins at the first.
describe('month bounds where midnight comes twice', () => {
  let run: TestRun;
  const { call } = envelope;

  beforeAll(async () => {
    run = await runOn(
      {
        'date=2026-11-01/a.ndjson': [
          // 00:30 local, the first time round (04:30 UTC): November's, not October's
          call('CP-FOLD', '2026-11-01T04:30:00Z', 'h1', 'Heartbeat', {}),
        ],
      },
      { timezone: 'America/Havana', html: false },
    );
  });

  it('counts a charge point seen in the first hour of the month in that month only', async () => {
    const seen = async (month: string) =>
      (await reportRows(run.warehouse, 'html_charge_point_totals', month, 'America/Havana')).map((row) => row.charge_point_id);
    expect(await seen('2026-11')).toEqual(['CP-FOLD']);
    expect(await seen('2026-10')).toEqual([]);
  });

  it('charts the charge point online in that hour, from the first instant of the month', async () => {
    const steps = await reportRows(run.warehouse, 'html_online_charge_points', '2026-11', 'America/Havana');
    // no boot: offline 600 s after its heartbeat; the month ends at 00:00 on 1 December
    expect(steps.map((step) => [step.changed_local, step.online_charge_points])).toEqual([
      ['2026-11-01T00:00:00', 0],
      ['2026-11-01T00:30:00', 1],
      ['2026-11-01T00:40:00', 0],
      ['2026-12-01T00:00:00', 0],
    ]);
  });

  it('starts the data of the month at that hour', async () => {
    expect(await reportRows(run.warehouse, 'html_data_coverage', '2026-11', 'America/Havana')).toEqual([
      { data_from_local: '2026-11-01T00:30:00', data_until_local: '2026-11-01T00:30:00' },
    ]);
    expect(await reportRows(run.warehouse, 'html_data_coverage', '2026-10', 'America/Havana')).toEqual([]);
  });
});
