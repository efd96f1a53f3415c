import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, FORMAT_OPTION, formatSchema, OUTPUT_OPTION, outputSchema, parseOptions } from '../options.ts';

const schema = z.object({
  run: z.coerce.number().int().positive().optional(),
  warnings: z.boolean(),
  warehouse: z.string().min(1),
  format: formatSchema,
  output: outputSchema,
});

export function registerQuarantine(program: Command): void {
  program
    .command('quarantine')
    .description('list quarantined lines with file, line number and reason (and schema warnings with --warnings)')
    .option('--run <id>', 'only lines loaded by this run')
    .option('--warnings', 'also list schema warnings on lines that were kept', false)
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option(...FORMAT_OPTION)
    .option(...OUTPUT_OPTION)
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      await (await import('../query/report.ts')).printReport(
        options.warehouse,
        'quarantined_lines',
        { run_id: options.run === undefined ? null : BigInt(options.run), include_warnings: options.warnings },
        options.format,
        options.output,
      );
    });
}
