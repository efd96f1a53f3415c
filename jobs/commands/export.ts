import type { Command } from 'commander';
import { z } from 'zod';
import { DATASETS } from '../catalog/columns.ts';
import { DEFAULTS, monthSchema, parseOptions, timezoneSchema } from '../options.ts';

const DATASET_NAMES = DATASETS.map((dataset) => dataset.name);

const schema = z.object({
  month: z.array(monthSchema),
  dataset: z.array(z.enum(DATASET_NAMES as [string, ...string[]])),
  warehouse: z.string().min(1),
  out: z.string().min(1),
  timezone: timezoneSchema,
  tariffs: z.string().min(1).optional(),
  customers: z.string().min(1).optional(),
});

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write the analyst Parquet datasets again from the warehouse, without loading anything (no landing files needed)')
    .option('--month <YYYY-MM>', 'export this month (repeatable); default: every month present', collect, [])
    .option('--dataset <name>', `only this dataset (repeatable): ${DATASET_NAMES.join(', ')}`, collect, [])
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option('--out <dir>', 'where the reports go (datasets under <out>/parquet/)', DEFAULTS.out)
    .option('--timezone <IANA>', 'time zone the warehouse was built with (that of the last run)', DEFAULTS.timezone)
    .option(
      '--tariffs <file>',
      'put this tariffs CSV in force first and reprice the warehouse (as run --tariffs); the next run rewrites the workbooks it changes',
    )
    .option('--customers <file>', 'put this customers CSV in force first (as run --customers)')
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      const { reexportDatasets } = await import('../export/reexport.ts');
      const summary = await reexportDatasets({ ...options, months: options.month, datasets: options.dataset });
      console.log(`exported run ${summary.runId}, months: ${summary.months.length > 0 ? summary.months.join(', ') : 'none'}`);
      for (const output of summary.outputs) console.log(`  ${output}`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
