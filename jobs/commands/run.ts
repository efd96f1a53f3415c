import type { Command } from 'commander';
import { z } from 'zod';
import { createLogger } from '../log.ts';
import { DEFAULTS, monthSchema, parseOptions, timezoneSchema } from '../options.ts';

/** How --dry-run names what would happen to a file. */
const DRY_RUN_WORDS: Record<string, string> = {
  changed: 'changed, would keep',
  appended: 'would append',
  reparsed: 'would parse anew',
};

const schema = z.object({
  landing: z.string().min(1),
  warehouse: z.string().min(1),
  out: z.string().min(1),
  month: z.array(monthSchema),
  timezone: timezoneSchema,
  maxLineBytes: z.coerce.number().int().positive(),
  html: z.boolean(),
  csv: z.boolean(),
  quiet: z.boolean(),
  settleSeconds: z.coerce.number().min(0),
  reload: z.array(z.string().min(1)),
  fullRefresh: z.boolean(),
  dryRun: z.boolean(),
  tariffs: z.string().min(1).optional(),
  customers: z.string().min(1).optional(),
  asOf: z
    .string()
    .refine((text) => /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)), 'not an ISO-8601 date-time')
    .optional(),
  live: z.boolean(),
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
    .option('--no-html', 'skip the self-contained HTML reports and the status page (<out>/html/)')
    .option('--csv', 'also write the Transactions sheet of each workbook as <out>/excel/ocpp-report-M.transactions.csv', false)
    .option('--quiet', 'no progress events on stderr (JSON lines when stderr is not a terminal)', false)
    .option('--settle-seconds <s>', 'a file changed less than this long ago may still be written: its unterminated last line waits', '60')
    .option('--reload <file>', 'replace the rows of a landing file whose already-loaded bytes changed (repeatable)', collect, [])
    .option('--full-refresh', 'rebuild every model from all loaded lines and export every month', false)
    .option('--dry-run', 'print what would be loaded, change nothing', false)
    .option(
      '--tariffs <file>',
      'CSV tariff_id,valid_from,charge_point,currency,price_per_kwh,price_per_hour,price_per_session,vat_percent: replaces the tariffs in force (they stay in force for later runs)',
    )
    .option(
      '--customers <file>',
      'CSV id_tag,customer_id,customer_name: replaces the customers in force (they stay in force for later runs)',
    )
    .option('--as-of <ISO-8601>', 'the moment the status page (<out>/html/status.html) describes (default: now)')
    .option(
      '--live',
      'the micro-batch (every few minutes): load new lines and update only what the operator queries read; month reports wait for the nightly run',
      false,
    )
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      const { runNightly } = await import('../nightly.ts');
      const summary = await runNightly({
        ...options,
        asOf: options.asOf ? new Date(options.asOf) : undefined,
        months: options.month,
        logger: createLogger({ quiet: options.quiet }),
      });
      const { files, lines } = summary;
      console.log(options.dryRun ? 'dry run: nothing was changed' : `run ${summary.runId} succeeded`);
      console.log(
        `files: ${files.loaded} loaded, ${files.appended} appended, ${files.skipped} unchanged, ` +
          `${files.changed} changed (kept as loaded), ${files.rejected} rejected` +
          (files.missing > 0 ? `, ${files.missing} gone from the landing (their facts kept)` : ''),
      );
      for (const rejected of summary.rejectedFiles) console.log(`  ${rejected.error}`);
      if (options.dryRun) {
        for (const planned of (summary.plannedFiles ?? []).filter((entry) => entry.action !== 'missing'))
          console.log(`  ${DRY_RUN_WORDS[planned.action] ?? 'would load'}: ${planned.path}`);
        return;
      }
      console.log(`lines: ${lines.read} read = ${lines.loaded} loaded + ${lines.quarantined} quarantined + ${lines.blank} blank`);
      console.log(`months: ${summary.months.length > 0 ? summary.months.join(', ') : 'none'}`);
      console.log(`reports written to ${options.out}/:`);
      for (const output of summary.outputs) console.log(`  ${output}`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
