import type { Command } from 'commander';
import { z } from 'zod';
import { runNightly } from '../nightly.ts';
import { DEFAULTS, monthSchema, parseOptions, timezoneSchema } from '../options.ts';

const schema = z.object({
  landing: z.string().min(1),
  warehouse: z.string().min(1),
  out: z.string().min(1),
  month: z.array(monthSchema),
  timezone: timezoneSchema,
  maxLineBytes: z.coerce.number().int().positive(),
});

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('the nightly job: load new landing files, build the models, run the audits, export each month')
    .option('--landing <dir>', 'landing directory, searched recursively for *.ndjson and *.ndjson.gz', DEFAULTS.landing)
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option('--out <dir>', 'where the reports go', DEFAULTS.out)
    .option('--month <YYYY-MM>', 'export only this month (repeatable); default: every month present', collect, [])
    .option('--timezone <IANA>', 'time zone that months and workbook times are computed in', DEFAULTS.timezone)
    .option('--max-line-bytes <n>', 'longer lines are quarantined', String(1024 * 1024))
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      const summary = await runNightly({ ...options, months: options.month });
      const { files, lines } = summary;
      console.log(`run ${summary.runId} succeeded`);
      console.log(`files: ${files.loaded} loaded, ${files.skipped} unchanged (skipped), ${files.rejected} rejected`);
      for (const rejected of summary.rejectedFiles) console.log(`  rejected: ${rejected.error}`);
      console.log(
        `lines: ${lines.read} read = ${lines.loaded} loaded + ${lines.quarantined} quarantined + ${lines.blank} blank`,
      );
      console.log(`months: ${summary.months.length > 0 ? summary.months.join(', ') : 'none'}`);
      console.log(`reports written to ${options.out}/:`);
      for (const output of summary.outputs) console.log(`  ${output}`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
