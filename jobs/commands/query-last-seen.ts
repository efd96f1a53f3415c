import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, formatSchema, parseOptions } from '../options.ts';
import { printReport } from '../query/report.ts';

const schema = z.object({ chargePoint: z.string().optional(), warehouse: z.string().min(1), format: formatSchema });

export function registerQueryLastSeen(query: Command): void {
  query
    .command('last-seen')
    .description('the last time each charge point connected (any message to or from it) and its last boot')
    .option('--charge-point <id>', 'only this charge point')
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option('--format <table|json|csv>', 'output format (default: table on a terminal, json otherwise)')
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      await printReport(options.warehouse, 'last_seen', { charge_point_id: options.chargePoint ?? null }, options.format);
    });
}
