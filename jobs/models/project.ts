import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// sql/ is read at run time from the package root, beside jobs/: this file is jobs/models/project.ts
// when run through tsx and dist/jobs/models/project.js when compiled.
export const SQL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), import.meta.url.endsWith('.ts') ? '../../sql' : '../../../sql');

/** Tables written by the loader; models read them, nothing builds them. */
export const RAW_TABLES = [
  // the lines of the landing file the loader is reading: a temporary view over the file, or over
  // the lines it read itself into raw_lines until they are parsed (jobs/ingest/parse.ts)
  'landing_lines',
  'reader_rejects',
  'landing_files',
  'payload_violations',
  'runs',
  'run_changed_files',
  'tariffs',
  'customers',
  'repriced_months',
] as const;

export type Layer = 'staging' | 'intermediate' | 'marts' | 'reports' | 'audits';
const LAYER_ORDER: Layer[] = ['staging', 'intermediate', 'marts', 'reports', 'audits'];

export interface SqlFile {
  name: string;
  layer: Layer;
  path: string;
  sql: string;
  /** Models and raw tables this file reads, found in the SQL itself. */
  reads: string[];
  /**
   * From a leading `-- materialized: table|view|incremental|ingest` comment; table when absent.
   * An `ingest` model is built by the loader as it reads each landing file (jobs/ingest/parse.ts),
   * not by the model runner.
   */
  materialized: Materialization;
  /**
   * From a `-- unique_key: a, b` comment (incremental models only): the rows an incremental run
   * selects replace the rows with the same key, wherever they came from. Without it, the rows
   * of the run's files are replaced.
   */
  uniqueKey?: string[];
  /**
   * From a `-- touched_keys: model` comment (with unique_key): a model holding the keys an
   * incremental run rebuilds. Every row with such a key is deleted before the new rows go in, so a
   * key that no longer yields a row (a transaction whose start now belongs to another id) goes too.
   */
  touchedKeys?: string;
}

export type Materialization = 'table' | 'view' | 'incremental' | 'ingest';

function uniqueKeyOf(path: string, sql: string): string[] | undefined {
  const declared = /^--\s*unique_key:\s*(.+)$/m.exec(sql)?.[1];
  if (declared === undefined) return undefined;
  const columns = declared.split(',').map((column) => column.trim());
  // the key is spliced into the delete statement: only plain column names get that far
  if (columns.some((column) => !/^[a-z_][a-z0-9_]*$/.test(column))) throw new Error(`${path}: unique_key must list column names`);
  return columns;
}

function touchedKeysOf(path: string, sql: string, uniqueKey: string[] | undefined): string | undefined {
  const declared = /^--\s*touched_keys:\s*(\S+)\s*$/m.exec(sql)?.[1];
  if (declared === undefined) return undefined;
  // spliced into the delete statement like the key: a plain model name only
  if (!/^[a-z_][a-z0-9_]*$/.test(declared)) throw new Error(`${path}: touched_keys must name a model`);
  if (!uniqueKey) throw new Error(`${path}: touched_keys needs a unique_key`);
  return declared;
}

function materializationOf(path: string, sql: string): Materialization {
  const declared = /^--\s*materialized:\s*(\w+)/m.exec(sql)?.[1] ?? 'table';
  if (declared !== 'table' && declared !== 'view' && declared !== 'incremental' && declared !== 'ingest') {
    throw new Error(`${path}: unknown materialization '${declared}' (table, view, incremental or ingest)`);
  }
  return declared;
}

function listSqlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Every SQL file in sql/, with what it reads. Lineage is derived here, never kept by hand. */
export function loadSqlProject(sqlDir = SQL_DIR): SqlFile[] {
  const files = listSqlFiles(sqlDir).map((path) => {
    const layer = relative(sqlDir, path).split(/[\\/]/)[0] as Layer;
    if (!LAYER_ORDER.includes(layer)) throw new Error(`${path}: not in a known layer folder (${LAYER_ORDER.join(', ')})`);
    const name = basename(path, '.sql');
    // The file name becomes a table name in DDL, so it must be a plain identifier.
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${path}: model file names must be lower_snake_case identifiers`);
    const sql = readFileSync(path, 'utf8');
    const uniqueKey = uniqueKeyOf(path, sql);
    return {
      name,
      layer,
      path,
      sql,
      reads: [] as string[],
      materialized: materializationOf(path, sql),
      uniqueKey,
      touchedKeys: touchedKeysOf(path, sql, uniqueKey),
    };
  });
  const known = new Set<string>([...RAW_TABLES, ...files.map((file) => file.name)]);
  for (const file of files) {
    const reads = new Set<string>();
    for (const name of tableReferences(file.sql)) {
      if (known.has(name) && name !== file.name) reads.add(name);
    }
    // the runner deletes by the keys in touched_keys: that model must be built first
    if (file.touchedKeys && known.has(file.touchedKeys)) reads.add(file.touchedKeys);
    file.reads = [...reads].sort();
  }
  return files;
}

/**
 * Every name a query reads after `from` or `join`: models, raw tables and its own CTEs, lower-cased.
 * Table functions (`from range(...)`) are not names. The one parser of table references: lineage,
 * its tests and the SQL style check all use it.
 */
export function tableReferences(sql: string): string[] {
  const names = new Set<string>();
  const code = stripComments(sql);
  // `is [not] distinct from x` compares, it reads nothing
  for (const match of code.matchAll(/(?<!\bdistinct\s+)\b(?:from|join)\s+([a-z_][a-z0-9_]*)\b(?!\s*\()/gi)) {
    names.add(match[1]!.toLowerCase());
  }
  // the model runner's macro reads run_changed_files (jobs/models/run-models.ts)
  if (/\bis_run_line\s*\(/i.test(code)) names.add('run_changed_files');
  return [...names];
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '');
}

/** Models (staging → marts) in an order where every model comes after what it reads. */
export function buildOrder(files: SqlFile[]): SqlFile[] {
  const models = files.filter((file) => file.layer === 'staging' || file.layer === 'intermediate' || file.layer === 'marts');
  const byName = new Map(models.map((model) => [model.name, model]));
  const ordered: SqlFile[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (model: SqlFile, path: string[]) => {
    const seen = state.get(model.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`model cycle: ${[...path, model.name].join(' -> ')}`);
    state.set(model.name, 'visiting');
    for (const dependency of model.reads) {
      const upstream = byName.get(dependency);
      if (upstream) visit(upstream, [...path, model.name]);
    }
    state.set(model.name, 'done');
    ordered.push(model);
  };
  const sorted = [...models].sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) || a.name.localeCompare(b.name));
  for (const model of sorted) visit(model, []);
  return ordered;
}

export function sqlFile(files: SqlFile[], layer: Layer, name: string): SqlFile {
  const file = files.find((candidate) => candidate.layer === layer && candidate.name === name);
  if (!file) throw new Error(`no ${layer} SQL named ${name} in sql/`);
  return file;
}
