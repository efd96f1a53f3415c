import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions, UsageError } from '../options.ts';

const schema = z.object({ format: z.enum(['text', 'json', 'dot']), model: z.string().min(1).optional() });

export function registerLineage(program: Command): void {
  program
    .command('lineage')
    .description('which model reads which: the dependency graph of sql/, derived from the SQL itself')
    .option('--format <format>', 'text, json or dot (Graphviz: ... --format dot | dot -Tsvg > lineage.svg)', 'text')
    .option(
      '--model <name>',
      'only this model or report (e.g. workbook_transactions, reports/runs) and everything it reads, down to the raw tables',
    )
    .action(async (raw) => {
      const options = parseOptions(schema, raw);
      const { formatLineage, lineageOf, upstreamOf } = await import('../models/lineage.ts');
      const nodes = lineageOf();
      if (!options.model) {
        process.stdout.write(formatLineage(nodes, options.format));
        return;
      }
      const node = nodes.find((candidate) => candidate.id === options.model) ?? nodes.find((candidate) => candidate.name === options.model);
      if (!node) throw new UsageError(`--model: no model, report or raw table named ${options.model} in sql/`);
      process.stdout.write(formatLineage(upstreamOf(nodes, node.id), options.format));
    });
}
