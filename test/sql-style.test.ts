import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSqlProject, RAW_TABLES } from '../jobs/models/project.ts';
import { checkSqlStyle, fixSqlStyle } from '../scripts/sql-style.ts';

const MODELS = new Set(['fct_transactions', 'raw_lines']);

const HOUSE_STYLE = `-- Energy per charge point.
with

fct_transactions as (
    select
        charge_point_id,
        energy_wh,
    from fct_transactions
    where transaction_status = 'completed'
),

totals as (
    select
        charge_point_id,
        sum(energy_wh) as energy_wh,
        count(*) filter (where energy_wh > 0) as sessions,
        extract(year from max(charge_point_id::date)) as year,
    from fct_transactions
    group by charge_point_id
)

select
    charge_point_id,
    energy_wh,
    (select count(*) from totals) as charge_points,
from totals
order by charge_point_id
`;

describe('the SQL house-style check', () => {
  it('accepts a file in the house style', () => {
    expect(checkSqlStyle(HOUSE_STYLE, MODELS)).toEqual([]);
  });

  it('accepts every file in sql/', () => {
    const files = loadSqlProject();
    const models = new Set<string>([...RAW_TABLES, ...files.map((file) => file.name)]);
    for (const file of files) expect(checkSqlStyle(readFileSync(file.path, 'utf8'), models), file.path).toEqual([]);
  });

  it('finds each broken rule on the line it is broken', () => {
    const broken = [
      '-- SELECT in a comment and in a string is fine', // 1
      'WITH', // 2
      '',
      'fct_transactions as (',
      '    select',
      '        charge_point_id,',
      '        energy_wh', // 7: no trailing comma
      '    FROM fct_transactions  ', // 8
      '),',
      '',
      'totals as (', // 11: reads a model beside a CTE
      '\tselect', // 12
      "        'SELECT' as literal,",
      '    from fct_transactions',
      '    join raw_lines on true',
      '),',
      '',
      'raw_lines as (', // 18: an import after a logical CTE
      '    select',
      '        line_no,',
      '    from raw_lines',
      '),',
      '',
      'fct_transactions_2 as (',
      '    select',
      '        line_no,',
      '    from raw_lines',
      ')',
      '',
      'select * from totals',
      'union all',
      'select * from totals;', // 32
      '',
    ].join('\n');
    const findings = checkSqlStyle(broken, MODELS).map((finding) => `${finding.line} ${finding.rule}`);
    expect(findings).toEqual([
      '2 keyword-case',
      '7 trailing-comma',
      '8 trailing-whitespace',
      '8 keyword-case',
      '11 import-ctes-first',
      '12 tab',
      '18 import-ctes-first',
      '32 one-final-select',
      '32 one-final-select',
    ]);
  });

  it('finds a logical CTE named like a model, which lineage would take for a read of it', () => {
    const sql = ['with', '', 'raw_lines as (', '    select', '        1 as n,', ')', '', 'select', '    n,', 'from raw_lines', ''].join(
      '\n',
    );
    expect(checkSqlStyle(sql, MODELS).map((finding) => finding.rule)).toEqual(['cte-shadows-model']);
  });

  it('fixes keyword case, trailing commas, trailing whitespace and the final newline, and nothing else', () => {
    const sql = "SELECT\n    a,\n    'FROM b' AS c  \nFROM fct_transactions\nWHERE a IS NOT NULL\n\n\n";
    expect(fixSqlStyle(sql)).toBe("select\n    a,\n    'FROM b' as c,\nfrom fct_transactions\nwhere a is not null\n");
    expect(fixSqlStyle('select distinct\n    month\nfrom t\n')).toBe('select distinct\n    month,\nfrom t\n');
    expect(fixSqlStyle(HOUSE_STYLE)).toBe(HOUSE_STYLE);
  });
});
