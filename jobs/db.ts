import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

export type Db = DuckDBConnection;
export type Params = Record<string, DuckDBValue> | DuckDBValue[];
export type Row = Record<string, unknown>;

export interface WarehouseOptions {
  readOnly?: boolean;
  /** DuckDB memory_limit, e.g. '1GB'; keeps a big night inside the machine. */
  memoryLimit?: string;
}

/**
 * The nightly job's DuckDB memory_limit. The process also holds Node's heap and DuckDB memory
 * outside its buffer pool, so this leaves room for both under a 1 GiB peak RSS at any input size.
 */
export const NIGHTLY_MEMORY_LIMIT = '256MB';

/**
 * The one place a DuckDB connection is opened and closed. Every session runs in UTC so that
 * timestamps never depend on the machine's or the process's time zone.
 */
export async function withWarehouse<T>(path: string, work: (db: Db) => Promise<T>, options: WarehouseOptions = {}): Promise<T> {
  if (path !== ':memory:' && !options.readOnly) await mkdir(dirname(path), { recursive: true });
  const config: Record<string, string> = {};
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  if (options.memoryLimit) {
    config.memory_limit = options.memoryLimit;
    // What does not fit spills beside the warehouse (DuckDB's default, stated so it stays so).
    if (path !== ':memory:') config.temp_directory = `${path}.tmp`;
  }
  const instance = await DuckDBInstance.create(path, config);
  const db = await instance.connect();
  instances.set(db, instance);
  try {
    await db.run(`set TimeZone = 'UTC'`);
    return await work(db);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

const instances = new WeakMap<Db, DuckDBInstance>();

/**
 * Another connection to the warehouse `db` belongs to, with its own transactions: work that
 * runs beside the caller's (e.g. loading two files at once). The caller closes it.
 */
export async function siblingConnection(db: Db): Promise<Db> {
  const instance = instances.get(db);
  if (!instance) throw new Error('siblingConnection needs a connection opened by withWarehouse');
  const sibling = await instance.connect();
  await sibling.run(`set TimeZone = 'UTC'`);
  return sibling;
}

/**
 * Runs `work` once for every item, on `db` and up to `connections - 1` sibling connections at
 * once (each first set up by `prepare`), items taken in order as connections come free. After a
 * failure no new item starts; every connection finishes the item it has before the siblings
 * close, and the first failure is thrown.
 */
export async function forEachOnConnections<T>(
  db: Db,
  connections: number,
  items: readonly T[],
  work: (connection: Db, item: T, index: number) => Promise<void>,
  prepare?: (sibling: Db) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (connection: Db) => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await work(connection, items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const siblings: Db[] = [];
  try {
    for (let count = 1; count < Math.min(connections, items.length); count += 1) {
      const sibling = await siblingConnection(db);
      siblings.push(sibling);
      await prepare?.(sibling);
    }
    const outcomes = await Promise.allSettled([worker(db), ...siblings.map(worker)]);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    for (const sibling of siblings) sibling.closeSync();
  }
}

/** Runs a query and returns plain JS rows (BIGINT as bigint, timestamps as DuckDB values). */
export async function queryRows(db: Db, sql: string, params?: Params): Promise<Row[]> {
  const reader = await db.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as Row[];
}

/** Runs a query and returns JSON-safe rows (BIGINT as string or number, timestamps as ISO-like text). */
export async function queryJsonRows(db: Db, sql: string, params?: Params): Promise<Row[]> {
  const reader = await db.runAndReadAll(sql, params);
  return reader.getRowObjectsJson() as Row[];
}

export async function transaction<T>(db: Db, work: () => Promise<T>): Promise<T> {
  await db.run('begin transaction');
  try {
    const result = await work();
    await db.run('commit');
    return result;
  } catch (error) {
    await db.run('rollback');
    throw error;
  }
}
