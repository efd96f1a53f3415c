import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, formatSchema, outputSchema, parseOptions } from '../options.ts';
import { FORMAT_OPTION, OUTPUT_OPTION, printReport } from '../query/report.ts';

const schema = z.object({ chargePoint: z.string().optional(), warehouse: z.string().min(1), format: formatSchema, output: outputSchema });

export function registerQueryLastSeen(query: Command): void {
  query
    .command('last-seen')
    .description('the last time each charge point connected (any message to or from it) and its last boot')
    .option('--charge-point <id>', 'only this charge point')
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option(...FORMAT_OPTION)
    .option(...OUTPUT_OPTION)
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      await printReport(options.warehouse, 'last_seen', { charge_point_id: options.chargePoint ?? null }, options.format, options.output);
    });
}
