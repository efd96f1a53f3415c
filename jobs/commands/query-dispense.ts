import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULTS, FORMAT_OPTION, formatSchema, OUTPUT_OPTION, outputSchema, parseOptions } from '../options.ts';

const schema = z.object({
  chargePoint: z.string().min(1),
  transaction: z.string().regex(/^-?\d{1,18}$/, 'a transaction id is an integer'),
  warehouse: z.string().min(1),
  format: formatSchema,
  output: outputSchema,
});

export function registerQueryDispense(query: Command): void {
  query
    .command('dispense')
    .description("last known dispense (Energy.Active.Import.Register, Wh) of a charge point's transaction")
    .requiredOption('--charge-point <id>', 'charge point id')
    .requiredOption('--transaction <id>', 'transaction id (the most recent transaction with this id is used)')
    .option('--warehouse <file>', 'DuckDB warehouse file', DEFAULTS.warehouse)
    .option(...FORMAT_OPTION)
    .option(...OUTPUT_OPTION)
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      await (await import('../query/report.ts')).printReport(
        options.warehouse,
        'transaction_dispense',
        { charge_point_id: options.chargePoint, transaction_id: BigInt(options.transaction) },
        options.format,
        options.output,
      );
    });
}
