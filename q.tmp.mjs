import { DuckDBInstance } from '@duckdb/node-api';
const db = await (await DuckDBInstance.create(process.argv[2], {access_mode:'READ_ONLY'})).connect();
const r = await db.runAndReadAll(process.argv[3]); console.table(r.getRowObjectsJson()); console.log(r.columnTypes().map(String).join(', '));
