import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, formatSchema, outputSchema, parseOptions } from '../options.ts';
import { FORMAT_OPTION, OUTPUT_OPTION, printReport } from '../query/report.ts';

const schema = z.object({
  at: z
    .string()
    .refine((text) => /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)), 'not an ISO-8601 date-time')
    .optional(),
  offlineAfter: z.coerce.number().int().positive().optional(),
  warehouse: z.string().min(1),
  format: formatSchema,
  output: outputSchema,
});

export function registerQueryActive(query: Command): void {
  query
    .command('active')
    .description('charge points active at a time: seen within the offline threshold, with their open transaction')
    .option('--at <ISO-8601>', 'the time to ask about (default: now)')
    .option('--offline-after <seconds>', 'silence after which a charge point is offline (default: 2 x its heartbeat interval)')
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option(...FORMAT_OPTION)
    .option(...OUTPUT_OPTION)
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      const atMs = options.at ? Date.parse(options.at) : Date.now();
      await printReport(
        options.warehouse,
        'active_charge_points',
        {
          as_of: new DuckDBTimestampTZValue(BigInt(atMs) * 1000n),
          offline_after_s: options.offlineAfter ?? null,
        },
        options.format,
        options.output,
      );
    });
}
