import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, FORMAT_OPTION, formatSchema, OUTPUT_OPTION, outputSchema, parseOptions } from '../options.ts';

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
      const { DuckDBTimestampTZValue } = await import('@duckdb/node-api');
      const atMs = options.at ? Date.parse(options.at) : Date.now();
      const [{ defaultFormat, formatTable }, { printReport, queryReport }, { isoMicros, plainValue }] = await Promise.all([
        import('../query/format.ts'),
        import('../query/report.ts'),
        import('../query/table.ts'),
      ]);
      const params = {
        as_of: new DuckDBTimestampTZValue(BigInt(atMs) * 1000n),
        offline_after_s: options.offlineAfter ?? null,
      };
      // A person at a terminal gets a sentence instead of an empty table; programs still get [].
      if (!options.output && (options.format ?? defaultFormat()) === 'table') {
        const active = await queryReport(options.warehouse, 'active_charge_points', params);
        if (active.rows.length === 0) {
          const feed = await queryReport(options.warehouse, 'status_feed', { as_of: params.as_of });
          const newest = plainValue(feed.rows[0]?.[0] ?? null);
          console.log(
            `No charge point is active at ${isoMicros(BigInt(atMs) * 1000n)}: none was heard from within its offline threshold. ` +
              (newest === null ? 'The warehouse holds no line logged before then.' : `The newest line was logged at ${newest}.`),
          );
          return;
        }
        process.stdout.write(formatTable(active, 'table'));
        return;
      }
      await printReport(options.warehouse, 'active_charge_points', params, options.format, options.output);
    });
}
