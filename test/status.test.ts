import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryJsonRows, type Row, withWarehouse } from '../jobs/db.ts';
import { formatSilence } from '../jobs/export/html/format.ts';
import { statusPagePath, writeStatusPage } from '../jobs/export/status.ts';
import { type WriteLandingResult, writeLanding } from '../jobs/generate/write-landing.ts';
import { loadSqlProject, sqlFile } from '../jobs/models/project.ts';
import { runNightly } from '../jobs/nightly.ts';
import { ARTIFACTS, HAS_CHROMIUM, launchChromium, openPage, SKIP_NOTE } from './browser.ts';
import { envelope, runOn, type TestRun, tempDir } from './helpers.ts';

const DATA_DERP_EXCERPT = readFileSync(join(import.meta.dirname, 'fixtures', 'data-derp-excerpt.ndjson'), 'utf8');

function chargePointRows(page: Page): Promise<[string, string][]> {
  return page
    .locator('tr[data-charge-point][data-state]')
    .evaluateAll((rows) =>
      rows.map((row) => [row.getAttribute('data-charge-point')!, row.getAttribute('data-state')!] as [string, string]),
    );
}

function sessionRows(page: Page): Promise<[string, string, string][]> {
  return page
    .locator('tr[data-transaction]')
    .evaluateAll((rows) =>
      rows.map(
        (row) =>
          [row.getAttribute('data-charge-point')!, row.getAttribute('data-transaction')!, row.getAttribute('data-energy-wh')!] as [
            string,
            string,
            string,
          ],
      ),
    );
}

/** `query active` and `query dispense`, run as the CLI runs them: the same SQL files, read-only. */
function report(warehouse: string, name: string, params: Record<string, unknown>): Promise<Row[]> {
  return withWarehouse(warehouse, (db) => queryJsonRows(db, sqlFile(loadSqlProject(), 'reports', name).sql, params as never), {
    readOnly: true,
  });
}
const at = (iso: string) => new DuckDBTimestampTZValue(BigInt(Date.parse(iso)) * 1000n);

describe('silence in words', () => {
  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [4 * 60 + 59, '4 min'],
    [3600, '1 h'],
    [2 * 3600 + 10 * 60 + 30, '2 h 10 min'],
    [86_400 + 3 * 3600, '1 day 3 h'],
    [3 * 86_400 + 5, '3 days'],
    [1_000 * 86_400, '1,000 days'],
  ])('%i s is "%s"', (seconds, words) => {
    expect(formatSilence(seconds)).toBe(words);
  });
});

describe.skipIf(!HAS_CHROMIUM)(`the status page of generated traffic, in Chromium${SKIP_NOTE}`, () => {
  let dir: string;
  let warehouse: string;
  let out: string;
  let generated: WriteLandingResult;
  let browser: Browser;
  let newestIso: string;

  beforeAll(async () => {
    dir = tempDir('ocpp-status-');
    warehouse = join(dir, 'warehouse.duckdb');
    out = join(dir, 'reports');
    generated = await writeLanding({
      out: join(dir, 'landing'),
      chargePoints: 6,
      days: 2,
      start: '2024-05-30',
      seed: 11,
      dialect: 'envelope',
    });
    await runNightly({
      landing: join(dir, 'landing'),
      warehouse,
      out,
      months: [],
      timezone: 'Europe/Berlin',
      asOf: new Date('2024-06-01T00:00:00Z'),
    });
    const rows = await withWarehouse(
      warehouse,
      (db) => queryJsonRows(db, 'select epoch_ms(max(logged_at)) as ms from base_ocpp__messages'),
      {
        readOnly: true,
      },
    );
    newestIso = new Date(Number(rows[0]!.ms)).toISOString();
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('is written by every run and linked from the index', async () => {
    expect(existsSync(statusPagePath(out))).toBe(true);
    const index = readFileSync(join(out, 'html', 'index.html'), 'utf8');
    expect(index).toContain('href="status.html"');
  });

  for (const [label, offsetS] of [
    ['right after the newest line', 60],
    ['in the middle of the data', -20 * 3600],
  ] as const) {
    it(`agrees with query active and query dispense, ${label}`, async () => {
      const asOfIso = new Date(Date.parse(newestIso) + offsetS * 1000).toISOString();
      const pageOut = join(dir, `at-${offsetS}`);
      await withWarehouse(warehouse, (db) => writeStatusPage(db, { out: pageOut, asOf: new Date(asOfIso), timezone: 'UTC' }), {
        readOnly: true,
      });
      const { page, requests, errors, url } = await openPage(browser, statusPagePath(pageOut), 1280);
      await page.screenshot({ path: join(ARTIFACTS, `status-${offsetS}.png`), fullPage: true });
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('60');

      const active = await report(warehouse, 'active_charge_points', { as_of: at(asOfIso), offline_after_s: null });
      const onlineIds = new Set(active.map((row) => String(row.charge_point_id)));
      const rows = await chargePointRows(page);
      // every charge point the generator made was heard from by then
      const generatedIds = [...new Set(generated.truth.map((t) => t.chargePointId))].sort();
      expect(rows.map(([id]) => id).sort()).toEqual(generatedIds);
      for (const [id, state] of rows) expect(state, id).toBe(onlineIds.has(id) ? 'online' : 'offline');
      // silent ones first: every offline row comes before every online row
      const states = rows.map(([, state]) => state);
      expect(states).toEqual([...states].sort((a, b) => (a === b ? 0 : a === 'offline' ? -1 : 1)));
      expect(await page.locator('[data-figure="online"]').textContent()).toBe(String(onlineIds.size));

      // open sessions: started by then, not stopped by then (generator truth), with query dispense's figure
      const asOfUs = Date.parse(asOfIso) * 1000;
      const sessions = await sessionRows(page);
      const truthOpen = generated.truth.filter(
        (t) => t.startedAtUs <= asOfUs - 5_000_000 && (t.stoppedAtUs === null || t.stoppedAtUs > asOfUs + 5_000_000),
      );
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.length).toBe(truthOpen.length);
      if (offsetS > 0) {
        for (const [chargePoint, transaction, energyWh] of sessions) {
          const [dispense] = await report(warehouse, 'transaction_dispense', {
            charge_point_id: chargePoint,
            transaction_id: BigInt(transaction),
          });
          // the same figure (compared as numbers: a DECIMAL register prints its scale in JSON)
          expect(Number(energyWh), `${chargePoint}/${transaction}`).toBe(Number(dispense!.energy_register_wh));
          const truth = truthOpen.find((t) => t.chargePointId === chargePoint && String(t.transactionId) === transaction)!;
          expect(Number(energyWh)).toBe(truth.lastRegisterWh ?? truth.meterStartWh);
        }
      }
      await page.close();
    });
  }

  it('warns that the feed is stale when nothing arrived for longer than any offline threshold', async () => {
    const pageOut = join(dir, 'stale');
    const asOf = new Date(Date.parse(newestIso) + 3 * 86_400_000 + 1_000);
    await withWarehouse(warehouse, (db) => writeStatusPage(db, { out: pageOut, asOf, timezone: 'UTC' }), { readOnly: true });
    const { page } = await openPage(browser, statusPagePath(pageOut), 390);
    await page.screenshot({ path: join(ARTIFACTS, 'status-stale-phone.png'), fullPage: false });
    expect(await page.locator('[data-feed="stale"]').textContent()).toContain('nothing received for 3 days');
    const rows = await chargePointRows(page);
    expect(rows.every(([, state]) => state === 'offline')).toBe(true);
    // readable on a phone: nothing wider than the screen
    expect(await page.locator('html').evaluate((root) => root.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
  });
});

describe.skipIf(!HAS_CHROMIUM)(`the status page with hostile ids, in Chromium${SKIP_NOTE}`, () => {
  const { call, result } = envelope;
  const HOSTILE = '"><script>window.__pwned=1</script>';
  let run: TestRun;
  let browser: Browser;

  beforeAll(async () => {
    run = await runOn(
      {
        'a.ndjson': [
          call(HOSTILE, '2024-03-10T10:00:00Z', 'b1', 'BootNotification', { chargePointVendor: '<b>V</b>', chargePointModel: 'M' }),
          result(HOSTILE, '2024-03-10T10:00:00Z', 'b1', { status: 'Accepted', currentTime: '2024-03-10T10:00:00Z', interval: 60 }),
          call(HOSTILE, '2024-03-10T10:01:00Z', 's1', 'StartTransaction', {
            connectorId: 1,
            idTag: '<img src=x onerror=alert(1)>',
            meterStart: 1_000,
            timestamp: '2024-03-10T10:01:00Z',
          }),
          result(HOSTILE, '2024-03-10T10:01:00Z', 's1', { transactionId: 9, idTagInfo: { status: 'Accepted' } }),
          call(HOSTILE, '2024-03-10T10:05:00Z', 'm1', 'MeterValues', {
            connectorId: 1,
            transactionId: 9,
            meterValue: [{ timestamp: '2024-03-10T10:05:00Z', sampledValue: [{ value: '1234.5678', unit: 'kWh' }] }],
          }),
          call('CP-quiet', '2024-03-10T09:00:00Z', 'h1', 'Heartbeat', {}),
        ],
      },
      { asOf: new Date('2024-03-10T10:06:00Z') },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows hostile texts as text, the quiet charge point first and the register as reported', async () => {
    const { page, requests, errors, url } = await openPage(browser, statusPagePath(run.out), 1280);
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img, script, b').count()).toBe(0);
    // CP-quiet: silent 66 min with the default 600 s threshold; the hostile one: 1 min, threshold 120 s
    expect(await chargePointRows(page)).toEqual([
      ['CP-quiet', 'offline'],
      [HOSTILE, 'online'],
    ]);
    expect(await page.locator('tr[data-charge-point="CP-quiet"] td').nth(1).textContent()).toBe('1 h 6 min');
    // 1234.5678 kWh = 1234567.8 Wh exactly, the register of the session's one sample
    expect(await sessionRows(page)).toEqual([[HOSTILE, '9', '1234567.8']]);
    expect(await page.locator('[data-figure="charging"]').textContent()).toBe('1');
    await page.close();
  });
});

describe.skipIf(!HAS_CHROMIUM)(`the status page of the data-derp excerpt, in Chromium${SKIP_NOTE}`, () => {
  const A = '01a0f039-7685-4a7f-9ef6-8d262a7898fb';
  const B = '9a3f6e21-5b7d-4c1e-8f2a-3d4b5c6e7f80';
  const AS_OF = '2023-01-06T20:05:00Z';
  let run: TestRun;
  let browser: Browser;

  beforeAll(async () => {
    run = await runOn({ 'date=2023-01-01/excerpt.ndjson': DATA_DERP_EXCERPT }, { asOf: new Date(AS_OF) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('matches the hand-worked states and dispense, and query active and query dispense', async () => {
    const { page, requests, errors, url } = await openPage(browser, statusPagePath(run.out), 1280);
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    // B started transaction 3 at 20:00:01 (heartbeat interval 300 s: online until 20:10:02);
    // A was last heard on 1 January
    expect(await chargePointRows(page)).toEqual([
      [A, 'offline'],
      [B, 'online'],
    ]);
    const active = await report(run.warehouse, 'active_charge_points', { as_of: at(AS_OF), offline_after_s: null });
    expect(active.map((row) => row.charge_point_id)).toEqual([B]);
    // transaction 3 has no MeterValues yet: its meterStart, 2950 Wh, stands in
    const sessions = await sessionRows(page);
    expect(sessions.map(([id, transaction, energy]) => [id, transaction, Number(energy)])).toEqual([[B, '3', 2950]]);
    const [dispense] = await report(run.warehouse, 'transaction_dispense', { charge_point_id: B, transaction_id: 3n });
    expect(Number(dispense!.energy_register_wh)).toBe(2950);
    expect(dispense!.source).toBe('StartTransaction.meterStart');
    expect(await page.locator('tr[data-transaction="3"] td').last().textContent()).toBe('StartTransaction.meterStart');
    await page.close();
  });
});
