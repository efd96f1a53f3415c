import { relative, resolve, sep } from 'node:path';
import { loadSqlProject, RAW_TABLES, SQL_DIR, type SqlFile, tableReferences } from './project.ts';

/** Where a table sits in the data flow; `base` is sql/staging/base/, `raw` is written by the loader. */
export type Stage = 'raw' | 'base' | 'staging' | 'intermediate' | 'marts' | 'reports' | 'audits';

export const STAGES: Stage[] = ['raw', 'base', 'staging', 'intermediate', 'marts', 'reports', 'audits'];

/**
 * What each stage may read: never a later stage. Among the models, staging reads the loader's raw
 * tables, and so do the marts about the lines themselves (quarantine, line accounting); intermediate
 * goes through staging. Reports and audits are queries, never built as tables: they cannot read
 * each other.
 */
export const ALLOWED_READS: Record<Stage, Stage[]> = {
  raw: [],
  base: ['raw', 'base'],
  staging: ['raw', 'base'],
  intermediate: ['base', 'staging', 'intermediate'],
  marts: ['raw', 'base', 'staging', 'intermediate', 'marts'],
  reports: ['raw', 'base', 'staging', 'intermediate', 'marts'],
  audits: ['raw', 'base', 'staging', 'intermediate', 'marts'],
};

export interface LineageNode {
  /**
   * The table name, unique in the graph. A report or audit is a query, never a table, so when it
   * shares its name with a table (reports/runs.sql and the raw table runs) it is `reports/runs`.
   */
  id: string;
  name: string;
  stage: Stage;
  /** The SQL file, relative to the project root; null for raw tables. */
  path: string | null;
  /** Ids of the nodes this one reads, sorted. */
  reads: string[];
}

/** A SQL file's path as the project shows it: sql/marts/fct_transactions.sql. */
function displayPath(path: string, sqlDir: string): string {
  return relative(resolve(sqlDir, '..'), path).split(sep).join('/');
}

function stageOf(file: SqlFile, sqlDir: string): Stage {
  const folders = relative(sqlDir, file.path).split(sep);
  return file.layer === 'staging' && folders[1] === 'base' ? 'base' : file.layer;
}

const isQuery = (stage: Stage) => stage === 'reports' || stage === 'audits';

/**
 * The graph of sql/ as the SQL itself says (loadSqlProject's reads): raw tables first, then every
 * file in stage and name order.
 */
export function lineageOf(files: SqlFile[] = loadSqlProject(), sqlDir = SQL_DIR): LineageNode[] {
  const raw = [...RAW_TABLES].sort().map((name) => ({ file: null, name, stage: 'raw' as Stage }));
  const sql = files.map((file) => ({ file, name: file.name, stage: stageOf(file, sqlDir) }));
  const entries = [...raw, ...sql].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || a.name.localeCompare(b.name));
  const tables = new Set(entries.filter((entry) => !isQuery(entry.stage)).map((entry) => entry.name));
  const idOf = (entry: { name: string; stage: Stage }) => {
    const shared = tables.has(entry.name) || entries.filter((other) => other.name === entry.name).length > 1;
    return isQuery(entry.stage) && shared ? `${entry.stage}/${entry.name}` : entry.name;
  };
  // A name read resolves to the table of that name; only when no table has it, to a report or audit.
  const resolveRead = (name: string) => {
    const target = entries.find((entry) => entry.name === name && !isQuery(entry.stage)) ?? entries.find((entry) => entry.name === name);
    return target ? idOf(target) : name;
  };
  return entries.map((entry) => {
    const reads = new Set(entry.file?.reads ?? []);
    // loadSqlProject leaves out a file's reference to its own name (a model never reads itself);
    // a report or audit is never built, so such a reference is the raw table of that name.
    if (entry.file && isQuery(entry.stage) && tables.has(entry.name) && tableReferences(entry.file.sql).includes(entry.name)) {
      reads.add(entry.name);
    }
    return {
      id: idOf(entry),
      name: entry.name,
      stage: entry.stage,
      path: entry.file ? displayPath(entry.file.path, sqlDir) : null,
      reads: [...reads].map(resolveRead).sort(),
    };
  });
}

/** The node and everything it reads, transitively: where a figure comes from, down to the raw lines. */
export function upstreamOf(nodes: LineageNode[], id: string): LineageNode[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const keep = new Set<string>();
  const visit = (current: string) => {
    if (keep.has(current)) return;
    keep.add(current);
    for (const upstream of byId.get(current)?.reads ?? []) visit(upstream);
  };
  visit(id);
  return nodes.filter((node) => keep.has(node.id));
}

/** Reads that break ALLOWED_READS, one sentence each; empty when the layering holds. */
export function layerViolations(nodes: LineageNode[]): string[] {
  const stageById = new Map(nodes.map((node) => [node.id, node.stage]));
  const violations: string[] = [];
  for (const node of nodes) {
    for (const upstream of node.reads) {
      const stage = stageById.get(upstream);
      // which files this run changed is run control, not data: any incremental model may ask
      if (upstream === 'run_changed_files') continue;
      if (stage && !ALLOWED_READS[node.stage].includes(stage)) {
        violations.push(
          `${node.path} (${node.stage}) reads ${upstream} (${stage}); ${node.stage} may read ${ALLOWED_READS[node.stage].join(', ') || 'nothing'}`,
        );
      }
    }
  }
  return violations;
}

function cteNames(sql: string): Set<string> {
  const code = sql.replace(/--[^\n]*/g, '');
  return new Set(
    [...code.matchAll(/\b([a-z_][a-z0-9_]*)\s+as\s+(?:not\s+)?(?:materialized\s+)?\(/gi)].map((match) => match[1]!.toLowerCase()),
  );
}

/** Names a file reads that are neither a model, a raw table nor one of its own CTEs: typos and leftovers. */
export function unknownReads(files: SqlFile[] = loadSqlProject(), sqlDir = SQL_DIR): string[] {
  const known = new Set<string>([...RAW_TABLES, ...files.map((file) => file.name)]);
  const unknown: string[] = [];
  for (const file of files) {
    const ctes = cteNames(file.sql);
    for (const name of tableReferences(file.sql)) {
      if (!known.has(name) && !ctes.has(name)) unknown.push(`${displayPath(file.path, sqlDir)} reads unknown table ${name}`);
    }
  }
  return unknown;
}

export type LineageFormat = 'text' | 'json' | 'dot';

export function formatLineage(nodes: LineageNode[], format: LineageFormat): string {
  if (format === 'json') {
    const edges = nodes.flatMap((node) => node.reads.map((upstream) => ({ from: upstream, to: node.id })));
    return `${JSON.stringify({ nodes, edges }, null, 2)}\n`;
  }
  if (format === 'dot') return toDot(nodes);
  const width = Math.max(...nodes.map((node) => node.id.length));
  const stageWidth = Math.max(...STAGES.map((stage) => stage.length));
  return nodes
    .map((node) => {
      const reads = node.reads.length > 0 ? ` <- ${node.reads.join(', ')}` : '';
      return `${node.stage.padEnd(stageWidth)}  ${node.id.padEnd(width)}${reads}`.trimEnd();
    })
    .map((line) => `${line}\n`)
    .join('');
}

/** Graphviz: `npx ocpp-report lineage --format dot | dot -Tsvg > lineage.svg`, one box per stage. */
function toDot(nodes: LineageNode[]): string {
  const lines = ['digraph lineage {', '  rankdir=LR;', '  node [shape=box, fontname="sans-serif", fontsize=10];'];
  for (const stage of STAGES) {
    const members = nodes.filter((node) => node.stage === stage);
    if (members.length === 0) continue;
    lines.push(`  subgraph cluster_${stage} {`, `    label="${stage}";`);
    for (const node of members) lines.push(`    "${node.id}";`);
    lines.push('  }');
  }
  for (const node of nodes) for (const upstream of node.reads) lines.push(`  "${upstream}" -> "${node.id}";`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
