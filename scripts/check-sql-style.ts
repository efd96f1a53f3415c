/**
 * Checks (or with --fix, repairs) the house style of every file in sql/:
 *   npx tsx scripts/check-sql-style.ts [--fix]
 * Exit status 1 when a finding is left; `npm run lint` and `npm run fix` call it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { loadSqlProject, RAW_TABLES } from '../jobs/models/project.ts';
import { checkSqlStyle, fixSqlStyle } from './sql-style.ts';

const fix = process.argv.includes('--fix');
const files = loadSqlProject();
const models = new Set<string>([...RAW_TABLES, ...files.map((file) => file.name)]);
let left = 0;
for (const file of files) {
  if (fix) {
    const fixed = fixSqlStyle(file.sql);
    if (fixed !== file.sql) writeFileSync(file.path, fixed);
  }
  for (const finding of checkSqlStyle(readFileSync(file.path, 'utf8'), models)) {
    console.error(`${relative(process.cwd(), file.path)}:${finding.line}  ${finding.rule}  ${finding.message}`);
    left += 1;
  }
}
if (left > 0) {
  console.error(`${left} SQL style finding(s)${fix ? ' left that need a hand' : '; npm run fix repairs the fixable ones'}`);
  process.exitCode = 1;
} else {
  console.log(`sql: ${files.length} files follow the house style`);
}
