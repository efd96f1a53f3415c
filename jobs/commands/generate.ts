import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from '../options.ts';

const schema = z.object({
  out: z.string().min(1),
  chargePoints: z.coerce.number().int().min(1).max(100_000),
  days: z.coerce.number().int().min(1).max(3660),
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD'),
  seed: z.coerce.number().int(),
  dialect: z.enum(['envelope', 'flat']),
  heartbeatInterval: z.coerce.number().int().min(10),
  gzip: z.boolean(),
});

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write realistic, deterministic OCPP 1.6 traffic to a landing directory (one file per day)')
    .requiredOption('--out <dir>', 'landing directory to write')
    .option('--charge-points <n>', 'number of charge points', '10')
    .option('--days <d>', 'number of days', '7')
    .option('--start <YYYY-MM-DD>', 'first day (UTC)', '2024-01-01')
    .option('--seed <s>', 'random seed: the same seed gives the same traffic', '1')
    .option('--dialect <envelope|flat>', 'log dialect to write', 'envelope')
    .option('--heartbeat-interval <seconds>', 'heartbeat interval the central system hands out', '300')
    .option('--gzip', 'write .ndjson.gz files', false)
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      const { writeLanding } = await import('../generate/write-landing.ts');
      const result = await writeLanding({ ...options, heartbeatIntervalS: options.heartbeatInterval });
      const completed = result.truth.filter((transaction) => transaction.stoppedAtUs !== null).length;
      console.log(`wrote ${result.lines} lines in ${result.files.length} files under ${options.out}`);
      console.log(`${result.truth.length} transactions (${completed} completed, ${result.truth.length - completed} still open)`);
    });
}
