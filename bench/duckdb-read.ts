/**
 * (b) DuckDB's own rate: read_ndjson over the landing files into a table of a fresh database
 * file, threads = cores, everything else at DuckDB's defaults (schema auto-detected).
 *
 *   node --import tsx bench/duckdb-read.ts <database file> <landing file>...
 *
 * Prints {"lines": n} so the caller can check every line was read.
 */
import { availableParallelism } from 'node:os';
import { DuckDBInstance, listValue } from '@duckdb/node-api';

const [database, ...files] = process.argv.slice(2);
if (!database || files.length === 0) throw new Error('usage: duckdb-read.ts <database file> <landing file>...');
const instance = await DuckDBInstance.create(database, { threads: String(availableParallelism()) });
const db = await instance.connect();
await db.run(`create table lines as select * from read_ndjson($files)`, { files: listValue(files) });
const reader = await db.runAndReadAll(`select count(*) as lines from lines`);
console.log(JSON.stringify({ lines: Number(reader.getRows()[0]![0]) }));
db.closeSync();
instance.closeSync();
