import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, FORMAT_OPTION, formatSchema, OUTPUT_OPTION, outputSchema, parseOptions } from '../options.ts';

const schema = z.object({
  warehouse: z.string().min(1),
  limit: z.coerce.number().int().positive(),
  format: formatSchema,
  output: outputSchema,
});

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the nightly runs, newest first: status, files and lines loaded, quarantined, months exported')
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option('--limit <n>', 'how many runs', '20')
    .option(...FORMAT_OPTION)
    .option(...OUTPUT_OPTION)
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      await (await import('../query/report.ts')).printReport(
        options.warehouse,
        'runs',
        { limit: BigInt(options.limit) },
        options.format,
        options.output,
      );
    });
}
