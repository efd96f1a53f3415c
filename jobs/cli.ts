import { Command, CommanderError } from 'commander';
import { registerExport } from './commands/export.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerLineage } from './commands/lineage.ts';
import { registerQuarantine } from './commands/quarantine.ts';
import { registerQueryActive } from './commands/query-active.ts';
import { registerQueryDispense } from './commands/query-dispense.ts';
import { registerQueryLastSeen } from './commands/query-last-seen.ts';
import { registerQueryTransactions } from './commands/query-transactions.ts';
import { registerRun } from './commands/run.ts';
import { registerRuns } from './commands/runs.ts';
import { CliError, EXIT } from './errors.ts';
import { UsageError } from './options.ts';

const program = new Command('ocpp-report')
  .description('Nightly analytics and reports for OCPP 1.6 charging networks')
  .exitOverride()
  .showHelpAfterError();

registerRun(program);
registerGenerate(program);
registerExport(program);
registerRuns(program);
registerQuarantine(program);
registerLineage(program);
const query = program.command('query').description('answer the operator questions from the warehouse');
registerQueryActive(query);
registerQueryDispense(query);
registerQueryLastSeen(query);
registerQueryTransactions(query);

// The single error handler: every failure ends as one line on stderr and a documented exit status.
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof UsageError) {
    console.error(`ocpp-report: ${error.message}`);
    process.exitCode = EXIT.usage;
  } else if (error instanceof CliError) {
    console.error(`ocpp-report: ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    console.error(`ocpp-report: ${(error as Error).message.split('\n')[0]}`);
    process.exitCode = EXIT.dataFailure;
  }
}
