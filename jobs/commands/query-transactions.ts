import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, formatSchema, monthSchema, outputSchema, parseOptions } from '../options.ts';
import { FORMAT_OPTION, OUTPUT_OPTION, printReport } from '../query/report.ts';

const schema = z.object({ month: monthSchema, warehouse: z.string().min(1), format: formatSchema, output: outputSchema });

export function registerQueryTransactions(query: Command): void {
  query
    .command('transactions')
    .description('final charge time (duration_s) and final dispense (energy_wh) of every completed transaction of a month')
    .requiredOption('--month <YYYY-MM>', 'month of the stop time, in the time zone the last run used')
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option(...FORMAT_OPTION)
    .option(...OUTPUT_OPTION)
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      await printReport(options.warehouse, 'monthly_transactions', { month: options.month }, options.format, options.output);
    });
}
