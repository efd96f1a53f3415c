import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, formatSchema, parseOptions } from '../options.ts';
import { printReport } from '../query/report.ts';

const schema = z.object({ warehouse: z.string().min(1), limit: z.coerce.number().int().positive(), format: formatSchema });

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the nightly runs, newest first: status, files and lines loaded, quarantined, months exported')
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option('--limit <n>', 'how many runs', '20')
    .option('--format <table|json|csv>', 'output format (default: table on a terminal, json otherwise)')
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      await printReport(options.warehouse, 'runs', { limit: BigInt(options.limit) }, options.format);
    });
}
