import type { Command } from 'commander';
import { z } from 'zod';
import { TRANSACTION_COLUMNS } from '../catalog/columns.ts';
import { columnsHelp, pickColumns } from '../catalog/help.ts';
import { DEFAULTS, FORMAT_OPTION, formatSchema, monthSchema, OUTPUT_OPTION, outputSchema, parseOptions } from '../options.ts';

const schema = z.object({ month: monthSchema, warehouse: z.string().min(1), format: formatSchema, output: outputSchema });

/** What sql/reports/monthly_transactions.sql returns; test/catalog.test.ts holds the two together. */
export const QUERY_TRANSACTIONS_COLUMNS = [
  'charge_point_id',
  'transaction_id',
  'connector_id',
  'id_tag',
  'started_at',
  'stopped_at',
  'duration_s',
  'meter_start_wh',
  'meter_stop_wh',
  'energy_wh',
  'energy_kwh',
  'stop_reason',
  'last_register_wh',
  'month',
] as const;

export function registerQueryTransactions(query: Command): void {
  query
    .command('transactions')
    .description('final charge time (duration_s) and final dispense (energy_wh) of every completed transaction of a month')
    .requiredOption('--month <YYYY-MM>', 'month of the stop time, in the time zone the last run used')
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option(...FORMAT_OPTION)
    .option(...OUTPUT_OPTION)
    .addHelpText('after', columnsHelp(pickColumns(TRANSACTION_COLUMNS, QUERY_TRANSACTIONS_COLUMNS)))
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      await (await import('../query/report.ts')).printReport(
        options.warehouse,
        'monthly_transactions',
        { month: options.month },
        options.format,
        options.output,
      );
    });
}
