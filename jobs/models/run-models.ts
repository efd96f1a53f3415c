import type { Db } from '../db.ts';
import { queryJsonRows } from '../db.ts';
import { buildOrder, loadSqlProject, type SqlFile } from './project.ts';

export interface ModelRunOptions {
  reportTimezone: string;
}

export interface AuditFailure {
  audit: string;
  rows: number;
  sample: Record<string, unknown>[];
}

/**
 * Settings the models read through getvariable(): bound, never spliced into SQL text. Stored in
 * the warehouse too, so queries later see the time zone the marts were built with.
 */
export async function setModelVariables(db: Db, options: ModelRunOptions): Promise<void> {
  await db.run(`set variable report_timezone = $tz`, { tz: options.reportTimezone });
}

/** Rebuilds every model, upstream first. Each becomes a table named after its file. */
export async function runModels(
  db: Db,
  options: ModelRunOptions,
  /** Steps that run right after the named model is built (e.g. payload validation after parsing). */
  afterModel: Record<string, () => Promise<unknown>> = {},
  files: SqlFile[] = loadSqlProject(),
): Promise<string[]> {
  await setModelVariables(db, options);
  const built: string[] = [];
  for (const model of buildOrder(files)) {
    try {
      await db.run(`create or replace table ${model.name} as\n${model.sql}`);
    } catch (error) {
      throw new Error(`model ${model.layer}/${model.name} failed: ${(error as Error).message}`);
    }
    built.push(model.name);
    await afterModel[model.name]?.();
  }
  return built;
}

/** Runs every audit; an audit passes when it returns no rows. */
export async function runAudits(db: Db, files: SqlFile[] = loadSqlProject()): Promise<AuditFailure[]> {
  const failures: AuditFailure[] = [];
  for (const audit of files.filter((file) => file.layer === 'audits')) {
    const rows = await queryJsonRows(db, `select * from (\n${audit.sql}\n) limit 1000`);
    if (rows.length > 0) failures.push({ audit: audit.name, rows: rows.length, sample: rows.slice(0, 5) });
  }
  return failures;
}
