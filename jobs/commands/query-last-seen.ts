import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, FORMAT_OPTION, formatSchema, OUTPUT_OPTION, outputSchema, parseOptions } from '../options.ts';

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
      await (await import('../query/report.ts')).printReport(
        options.warehouse,
        'last_seen',
        { charge_point_id: options.chargePoint ?? null },
        options.format,
        options.output,
      );
    });
}
