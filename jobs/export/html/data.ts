import type { Db } from '../../db.ts';
import { queryRows, type Row } from '../../db.ts';
import { loadSqlProject, type SqlFile, sqlFile } from '../../models/project.ts';

export interface MonthSummary {
  completedSessions: bigint;
  energyWh: bigint;
  durationS: bigint;
  activeChargePoints: bigint;
  openSessions: bigint;
  stopsWithoutStart: bigint;
  /** Null when fct_transactions has no flags column: the page then shows stops without a start instead. */
  flaggedSessions: bigint | null;
}

export interface DayEnergy {
  day: string;
  sessions: bigint;
  energyWh: bigint;
}

export interface ChargePointTotals {
  chargePointId: string;
  sessions: bigint;
  energyWh: bigint;
  durationS: bigint;
}

export interface SessionSize {
  chargePointId: string;
  durationS: bigint;
  energyWh: bigint;
}

export interface HeatCell {
  isoWeekday: number;
  hourOfDay: number;
  chargingHours: number;
  /** How many times this weekday occurs in the month (4 or 5). */
  weekdayDays: number;
  /** chargingHours / weekdayDays: what the heat map shows, comparable across weekdays. */
  avgChargingHoursPerDay: number;
}

/** The stretch of the month the warehouse has lines for, local wall-clock text; null if none. */
export interface DataCoverage {
  fromLocal: string;
  untilLocal: string;
}

export interface OnlineStep {
  changedLocal: string;
  online: number;
  known: number;
}

export interface ExceptionRow {
  chargePointId: string;
  transactionId: bigint | null;
  connectorId: number | null;
  idTag: string | null;
  startedLocal: string | null;
  stoppedLocal: string | null;
  meterStartWh: bigint | null;
  meterStopWh: bigint | null;
  stopReason: string | null;
  status: string;
}

export interface FlaggedRow {
  chargePointId: string;
  transactionId: bigint | null;
  idTag: string | null;
  startedLocal: string | null;
  stoppedLocal: string | null;
  energyWh: bigint | null;
  status: string;
  flags: string;
}

export interface MonthData {
  month: string;
  timezone: string;
  runId: number;
  summary: MonthSummary;
  days: DayEnergy[];
  chargePoints: ChargePointTotals[];
  sessions: SessionSize[];
  heatmap: HeatCell[];
  online: OnlineStep[];
  coverage: DataCoverage | null;
  exceptions: ExceptionRow[];
  /** Null when fct_transactions has no flags column. */
  flagged: FlaggedRow[] | null;
}

const big = (value: unknown): bigint => BigInt(value as bigint | number);
const bigOrNull = (value: unknown): bigint | null => (value === null ? null : big(value));
const textOrNull = (value: unknown): string | null => (value === null ? null : String(value));

async function report(db: Db, files: SqlFile[], name: string, month: string): Promise<Row[]> {
  return queryRows(db, sqlFile(files, 'reports', name).sql, { month });
}

/** Another model may add a `flags VARCHAR[]` column to fct_transactions; the page uses it when present. */
async function hasFlagsColumn(db: Db): Promise<boolean> {
  const rows = await queryRows(
    db,
    `select count(*) as n from duckdb_columns()
     where schema_name = current_schema() and table_name = 'fct_transactions' and column_name = 'flags'`,
  );
  return Number(rows[0]!.n) > 0;
}

/** Everything the month's page shows, read from sql/reports/html_*.sql. */
export async function readMonthData(db: Db, context: { month: string; timezone: string; runId: number }): Promise<MonthData> {
  const files = loadSqlProject();
  const { month } = context;
  const [summary] = await report(db, files, 'html_month_summary', month);
  const flagged = (await hasFlagsColumn(db)) ? await report(db, files, 'html_flagged_sessions', month) : null;
  return {
    ...context,
    summary: {
      completedSessions: big(summary!.completed_sessions),
      energyWh: big(summary!.energy_wh),
      durationS: big(summary!.duration_s),
      activeChargePoints: big(summary!.active_charge_points),
      openSessions: big(summary!.open_sessions),
      stopsWithoutStart: big(summary!.stops_without_start),
      flaggedSessions: flagged ? BigInt(flagged.length) : null,
    },
    days: (await report(db, files, 'html_energy_per_day', month)).map((row) => ({
      day: String(row.day),
      sessions: big(row.sessions),
      energyWh: big(row.energy_wh),
    })),
    chargePoints: (await report(db, files, 'html_charge_point_totals', month)).map((row) => ({
      chargePointId: String(row.charge_point_id),
      sessions: big(row.sessions),
      energyWh: big(row.energy_wh),
      durationS: big(row.duration_s),
    })),
    sessions: (await report(db, files, 'html_session_sizes', month)).map((row) => ({
      chargePointId: String(row.charge_point_id),
      durationS: big(row.duration_s),
      energyWh: big(row.energy_wh),
    })),
    heatmap: (await report(db, files, 'html_utilisation_heatmap', month)).map((row) => ({
      isoWeekday: Number(row.iso_weekday),
      hourOfDay: Number(row.hour_of_day),
      chargingHours: Number(row.charging_hours),
      weekdayDays: Number(row.weekday_days),
      avgChargingHoursPerDay: Number(row.avg_charging_hours_per_day),
    })),
    online: (await report(db, files, 'html_online_charge_points', month)).map((row) => ({
      changedLocal: String(row.changed_local),
      online: Number(row.online_charge_points),
      known: Number(row.known_charge_points),
    })),
    coverage:
      (await report(db, files, 'html_data_coverage', month)).map((row) => ({
        fromLocal: String(row.data_from_local),
        untilLocal: String(row.data_until_local),
      }))[0] ?? null,
    exceptions: (await report(db, files, 'html_exceptions', month)).map((row) => ({
      chargePointId: String(row.charge_point_id),
      transactionId: bigOrNull(row.transaction_id),
      connectorId: row.connector_id === null ? null : Number(row.connector_id),
      idTag: textOrNull(row.id_tag),
      startedLocal: textOrNull(row.started_local),
      stoppedLocal: textOrNull(row.stopped_local),
      meterStartWh: bigOrNull(row.meter_start_wh),
      meterStopWh: bigOrNull(row.meter_stop_wh),
      stopReason: textOrNull(row.stop_reason),
      status: String(row.transaction_status),
    })),
    flagged:
      flagged?.map((row) => ({
        chargePointId: String(row.charge_point_id),
        transactionId: bigOrNull(row.transaction_id),
        idTag: textOrNull(row.id_tag),
        startedLocal: textOrNull(row.started_local),
        stoppedLocal: textOrNull(row.stopped_local),
        energyWh: bigOrNull(row.energy_wh),
        status: String(row.transaction_status),
        flags: String(row.flags),
      })) ?? null,
  };
}
