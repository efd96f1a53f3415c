import { z } from 'zod';

/** Option schemas shared by several commands, so every command validates them the same way. */
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM, e.g. 2024-01');

export const timezoneSchema = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. UTC, Europe/Berlin)');

export const formatSchema = z.enum(['table', 'json', 'csv', 'arrow', 'parquet']).optional();

/** Where a query's result goes instead of stdout (required for --format parquet). */
export const outputSchema = z.string().min(1).optional();

/** The query commands' output options, for commander. */
export const FORMAT_OPTION = [
  '--format <table|json|csv|arrow|parquet>',
  'output format (default: table on a terminal, json otherwise); arrow: an Arrow IPC stream; parquet: a file (needs --output)',
] as const;
export const OUTPUT_OPTION = ['--output <file>', 'write the result to this file instead of stdout'] as const;

export const DEFAULTS = {
  landing: 'data/raw',
  warehouse: 'data/warehouse.duckdb',
  out: 'reports',
  timezone: 'UTC',
} as const;

/** Parses commander's options with a zod schema; a bad option is a usage error (exit 2). */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : '';
    throw new UsageError(`${where}${issue.message}`);
  }
  return result.data;
}

export class UsageError extends Error {}
