import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Db } from '../db.ts';
import { loadSqlProject, sqlFile } from '../models/project.ts';
import { writeAtomically } from './atomic.ts';
import { statusPage } from './html/status-page.ts';

/**
 * The network's live status page, <out>/html/status.html: every charge point online or offline by
 * the rule of `query active`, and every open session with its last known dispense as `query
 * dispense` gives it, as of one moment. Written by every run (nightly and micro-batch alike), so an
 * open tab that refreshes itself follows the network. Self-contained: one call writes the page.
 */

export interface StatusPageOptions {
  /** The reports directory (the page goes to <out>/html/status.html). */
  out: string;
  /** The moment the page describes (default: now). */
  asOf?: Date;
  /** IANA time zone the page's times are shown in. */
  timezone: string;
  /** The run that wrote the page, shown in its header. */
  runId?: number;
}

export interface ConnectorState {
  connectorId: number | null;
  status: string | null;
  errorCode: string | null;
  changedAtUs: bigint | null;
}

export interface ChargePointState {
  chargePointId: string;
  online: boolean;
  lastSeenAtUs: bigint;
  silentS: bigint;
  lastBootAtUs: bigint | null;
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  connectors: ConnectorState[];
  /** The open transaction `query active` reports for it, if online and charging. */
  openTransactionId: bigint | null;
}

export interface OpenSession {
  chargePointId: string;
  transactionId: bigint;
  connectorId: number | null;
  idTag: string | null;
  startedAtUs: bigint | null;
  runningS: bigint | null;
  /** The register reading exactly as the query returns it (an integer or an exact decimal), as text. */
  energyRegisterWh: string | null;
  sampledAtUs: bigint | null;
  source: string;
}

export interface StatusData {
  asOfUs: bigint;
  timezone: string;
  runId?: number;
  newestLoggedAtUs: bigint | null;
  newestAgeS: bigint | null;
  staleAfterS: bigint;
  chargePoints: ChargePointState[];
  openSessions: OpenSession[];
}

export function statusPagePath(outDir: string): string {
  return join(outDir, 'html', 'status.html');
}

const micros = (value: DuckDBValue): bigint | null =>
  value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue ? value.micros : null;
const text = (value: DuckDBValue): string | null => (value === null || value === undefined ? null : String(value));
const big = (value: DuckDBValue): bigint | null => (value === null || value === undefined ? null : BigInt(value as bigint | number));

/**
 * A number exactly as DuckDB holds it, never through a double: BIGINT digits, or a DECIMAL's digits
 * without the zeros its scale pads with (146659.800 is shown as reported, 146659.8; 2950.000 as 2950).
 */
export function exactNumber(value: DuckDBValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  const text = value instanceof DuckDBDecimalValue ? value.toString() : String(value);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

async function rows(db: Db, name: string, params: Record<string, DuckDBValue>): Promise<Record<string, DuckDBValue>[]> {
  const reader = await db.runAndReadAll(sqlFile(loadSqlProject(), 'reports', name).sql, params);
  return reader.getRowObjects() as Record<string, DuckDBValue>[];
}

function connectors(value: DuckDBValue): ConnectorState[] {
  if (!(value instanceof DuckDBListValue)) return [];
  return value.items
    .filter((item): item is DuckDBStructValue => item instanceof DuckDBStructValue)
    .map(({ entries }) => ({
      connectorId: entries.connector_id === null ? null : Number(entries.connector_id),
      status: text(entries.status!),
      errorCode: text(entries.error_code!),
      changedAtUs: micros(entries.changed_at!),
    }));
}

/** Everything the page shows, from sql/reports/status_*.sql and active_charge_points.sql, as of one moment. */
export async function readStatusData(db: Db, options: { asOf: Date; timezone: string; runId?: number }): Promise<StatusData> {
  const asOfUs = BigInt(options.asOf.getTime()) * 1000n;
  const asOf = new DuckDBTimestampTZValue(asOfUs);
  // Online is what `query active` says, the very same query: the page can never disagree with it.
  const active = new Map(
    (await rows(db, 'active_charge_points', { as_of: asOf, offline_after_s: null })).map((row) => [String(row.charge_point_id), row]),
  );
  const chargePoints = (await rows(db, 'status_charge_points', { as_of: asOf })).map((row) => {
    const id = String(row.charge_point_id);
    const activeRow = active.get(id);
    return {
      chargePointId: id,
      online: activeRow !== undefined,
      lastSeenAtUs: micros(row.last_seen_at!)!,
      silentS: big(row.silent_s!)!,
      lastBootAtUs: micros(row.last_boot_at!),
      vendor: text(row.vendor!),
      model: text(row.model!),
      firmwareVersion: text(row.firmware_version!),
      connectors: connectors(row.connectors!),
      openTransactionId: activeRow ? big(activeRow.open_transaction_id!) : null,
    };
  });
  // Silent ones first: offline before online, then the longest silence, then by id.
  chargePoints.sort((a, b) =>
    a.online !== b.online
      ? Number(a.online) - Number(b.online)
      : a.lastSeenAtUs !== b.lastSeenAtUs
        ? a.lastSeenAtUs < b.lastSeenAtUs
          ? -1
          : 1
        : a.chargePointId < b.chargePointId
          ? -1
          : a.chargePointId > b.chargePointId
            ? 1
            : 0,
  );
  const openSessions = (await rows(db, 'status_open_sessions', { as_of: asOf })).map((row) => ({
    chargePointId: String(row.charge_point_id),
    transactionId: big(row.transaction_id!)!,
    connectorId: row.connector_id === null ? null : Number(row.connector_id),
    idTag: text(row.id_tag!),
    startedAtUs: micros(row.started_at!),
    runningS: big(row.running_s!),
    energyRegisterWh: exactNumber(row.energy_register_wh!),
    sampledAtUs: micros(row.sampled_at!),
    source: String(row.source),
  }));
  const [feed] = await rows(db, 'status_feed', { as_of: asOf });
  return {
    asOfUs,
    timezone: options.timezone,
    runId: options.runId,
    newestLoggedAtUs: micros(feed!.newest_logged_at!),
    newestAgeS: big(feed!.newest_age_s!),
    staleAfterS: big(feed!.stale_after_s!)!,
    chargePoints,
    openSessions,
  };
}

/** Writes <out>/html/status.html as of `asOf` (default now), atomically; returns its path. */
export async function writeStatusPage(db: Db, options: StatusPageOptions): Promise<string> {
  const data = await readStatusData(db, { asOf: options.asOf ?? new Date(), timezone: options.timezone, runId: options.runId });
  const target = statusPagePath(options.out);
  await mkdir(join(options.out, 'html'), { recursive: true });
  await writeAtomically(target, (temporary) => writeFile(temporary, statusPage(data), 'utf8'));
  return target;
}
