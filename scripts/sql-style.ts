/**
 * The house style of sql/, as rules a machine can check. sql-formatter (DuckDB dialect, lower-case
 * keywords) was tried first and cannot express the house layout: it indents the CTE list under
 * `with`, drops the blank lines between CTEs, puts `from x` and `where a and b` on two lines each and
 * breaks every function call over 50 characters. So the rules that matter are checked here, on a
 * small tokenizer that knows strings, quoted identifiers and comments.
 */
import { tableReferences } from '../jobs/models/project.ts';

export interface Finding {
  line: number;
  rule:
    | 'tab'
    | 'trailing-whitespace'
    | 'final-newline'
    | 'keyword-case'
    | 'trailing-comma'
    | 'one-final-select'
    | 'import-ctes-first'
    | 'cte-shadows-model';
  message: string;
  /** A fix that `--fix` may apply without changing what the SQL means. */
  fixable: boolean;
}

type TokenKind = 'word' | 'param' | 'string' | 'quoted' | 'comment' | 'number' | 'space' | 'punct';

interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  line: number;
  /** Parenthesis depth the token sits at (an opening parenthesis has the outer depth). */
  depth: number;
}

/** Keywords and type names that must be lower case; identifiers are lower_snake_case anyway. */
const KEYWORDS = new Set(
  `all and any array as asc at between bigint boolean both by case cast columns create cross current date decimal default
  desc distinct double else end escape except exclude exists false filter first following for from full group having hugeint
  if ilike in inner integer intersect interval into is join json last lateral left like limit list map materialized natural
  not null nulls offset on or order outer over partition pivot preceding qualify range recursive replace right row rows
  select semi anti similar smallint struct table then time timestamp timestamptz tinyint to true try_cast ubigint unbounded
  union unnest unpivot using values varchar view when where window with within zone`.split(/\s+/),
);

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  let line = 1;
  let depth = 0;
  const patterns: [TokenKind, RegExp][] = [
    ['space', /\s+/y],
    ['comment', /--[^\n]*/y],
    ['comment', /\/\*[\s\S]*?\*\//y],
    ['string', /'(?:[^']|'')*'/y],
    ['quoted', /"(?:[^"]|"")*"/y],
    ['param', /\$[A-Za-z_][A-Za-z0-9_]*/y],
    ['word', /[A-Za-z_][A-Za-z0-9_]*/y],
    ['number', /\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?/iy],
  ];
  while (position < sql.length) {
    let kind: TokenKind = 'punct';
    let text = sql[position]!;
    for (const [candidate, pattern] of patterns) {
      pattern.lastIndex = position;
      const match = pattern.exec(sql);
      if (match) {
        kind = candidate;
        text = match[0];
        break;
      }
    }
    if (text === ')') depth -= 1;
    tokens.push({ kind, text, start: position, line, depth });
    if (text === '(') depth += 1;
    position += text.length;
    line += text.split('\n').length - 1;
  }
  return tokens;
}

const significant = (token: Token) => token.kind !== 'space' && token.kind !== 'comment';
const isWord = (token: Token | undefined, word: string) => token?.kind === 'word' && token.text.toLowerCase() === word;

function checkLines(sql: string): Finding[] {
  const findings: Finding[] = [];
  sql.split('\n').forEach((text, index) => {
    if (text.includes('\t')) findings.push({ line: index + 1, rule: 'tab', message: 'tab: indent with 4 spaces', fixable: false });
    if (/[ \t]+$/.test(text))
      findings.push({ line: index + 1, rule: 'trailing-whitespace', message: 'trailing whitespace', fixable: true });
  });
  if (!sql.endsWith('\n') || sql.endsWith('\n\n')) {
    findings.push({
      line: sql.split('\n').length,
      rule: 'final-newline',
      message: 'the file must end with exactly one newline',
      fixable: true,
    });
  }
  return findings;
}

function checkKeywordCase(tokens: Token[]): Finding[] {
  return tokens
    .filter((token) => token.kind === 'word' && token.text !== token.text.toLowerCase() && KEYWORDS.has(token.text.toLowerCase()))
    .map((token) => ({ line: token.line, rule: 'keyword-case', message: `keyword '${token.text}' must be lower case`, fixable: true }));
}

/** The last significant token of each multi-line select list that does not end with a comma. */
function selectListsWithoutTrailingComma(tokens: Token[]): Token[] {
  const missing: Token[] = [];
  tokens.forEach((token, index) => {
    if (!isWord(token, 'select')) return;
    let last: Token | undefined;
    for (const candidate of tokens.slice(index + 1)) {
      if (candidate.depth < token.depth) return;
      if (candidate.depth === token.depth && isWord(candidate, 'from')) break;
      if (candidate.depth === token.depth && (isWord(candidate, 'union') || candidate.text === ';')) return;
      if (significant(candidate)) last = candidate;
    }
    // A one-line select (`(select file_id from run_changed_files)`) is exempt: the rule is for lists.
    if (last && last.line > token.line && last.text !== ',') missing.push(last);
  });
  return missing;
}

function checkTrailingCommas(tokens: Token[]): Finding[] {
  return selectListsWithoutTrailingComma(tokens).map((token) => ({
    line: token.line,
    rule: 'trailing-comma',
    message: 'a multi-line select list ends with a comma after its last column',
    fixable: true,
  }));
}

function checkOneFinalSelect(tokens: Token[]): Finding[] {
  const findings: Finding[] = [];
  const topLevel = tokens.filter((token) => token.depth === 0 && significant(token));
  const selects = topLevel.filter((token) => isWord(token, 'select'));
  if (selects.length !== 1) {
    findings.push({
      line: selects[1]?.line ?? 1,
      rule: 'one-final-select',
      message: `one final select per file (found ${selects.length} at the top level): move unions into a CTE`,
      fixable: false,
    });
  }
  const semicolon = topLevel.find((token) => token.text === ';');
  if (semicolon)
    findings.push({
      line: semicolon.line,
      rule: 'one-final-select',
      message: 'one statement per file, without a semicolon',
      fixable: false,
    });
  return findings;
}

interface Cte {
  name: string;
  line: number;
  body: string;
}

/** The CTEs of a top-level `with`, in order, with the SQL text of each body. */
function ctesOf(sql: string, tokens: Token[]): Cte[] {
  const topLevel = tokens.filter((token) => token.depth === 0 && significant(token));
  if (!isWord(topLevel[0], 'with')) return [];
  const ctes: Cte[] = [];
  let index = 1;
  while (index + 2 < topLevel.length) {
    const [name, as, open] = [topLevel[index]!, topLevel[index + 1]!, topLevel[index + 2]!];
    if (name.kind !== 'word' || !isWord(as, 'as') || open.text !== '(') break;
    const close = tokens.find((token) => token.start > open.start && token.depth === 0 && token.text === ')');
    if (!close) break;
    ctes.push({ name: name.text.toLowerCase(), line: name.line, body: sql.slice(open.start + 1, close.start) });
    index = topLevel.indexOf(close) + 1;
    if (topLevel[index]?.text !== ',') break;
    index += 1;
  }
  return ctes;
}

/**
 * Import CTEs first: a CTE that reads a model or raw table reads nothing else and comes before every
 * CTE that reads another CTE, so what a model depends on is listed at its top (dbt style).
 */
function checkImportCtesFirst(sql: string, tokens: Token[], models: ReadonlySet<string>): Finding[] {
  const ctes = ctesOf(sql, tokens);
  if (ctes.length === 0) return [];
  const findings: Finding[] = [];
  const defined = new Set<string>();
  let logicalSeen: string | undefined;
  for (const cte of ctes) {
    const references = tableReferences(cte.body);
    const fromCtes = references.filter((name) => defined.has(name));
    const fromModels = references.filter((name) => models.has(name) && !defined.has(name));
    // Lineage reads table names; a logical CTE named like a model would show as a read of it.
    if (models.has(cte.name) && !references.includes(cte.name)) {
      findings.push({
        line: cte.line,
        rule: 'cte-shadows-model',
        message: `CTE ${cte.name} has the name of a model or raw table it does not import: rename it`,
        fixable: false,
      });
    }
    if (fromModels.length > 0 && fromCtes.length > 0) {
      findings.push({
        line: cte.line,
        rule: 'import-ctes-first',
        message: `CTE ${cte.name} reads ${fromModels.join(', ')} directly: give it an import CTE at the top`,
        fixable: false,
      });
    } else if (fromModels.length > 0 && logicalSeen) {
      findings.push({
        line: cte.line,
        rule: 'import-ctes-first',
        message: `import CTE ${cte.name} comes after ${logicalSeen}: import CTEs first`,
        fixable: false,
      });
    }
    if (fromCtes.length > 0 && !logicalSeen) logicalSeen = cte.name;
    defined.add(cte.name);
  }
  const lastClose = tokens.findLast((token) => token.depth === 0 && token.text === ')');
  const finalSelect = lastClose ? sql.slice(lastClose.start + 1) : sql;
  const direct = tableReferences(finalSelect).filter((name) => models.has(name) && !defined.has(name));
  if (direct.length > 0) {
    const line = sql.slice(0, lastClose?.start ?? 0).split('\n').length;
    findings.push({
      line,
      rule: 'import-ctes-first',
      message: `the final select reads ${direct.join(', ')} directly: import it in a CTE`,
      fixable: false,
    });
  }
  return findings;
}

/** Every house-style finding for one SQL file. `models`: the names of all models and raw tables. */
export function checkSqlStyle(sql: string, models: ReadonlySet<string>): Finding[] {
  const tokens = tokenize(sql);
  return [
    ...checkLines(sql),
    ...checkKeywordCase(tokens),
    ...checkTrailingCommas(tokens),
    ...checkOneFinalSelect(tokens),
    ...checkImportCtesFirst(sql, tokens, models),
  ].sort((a, b) => a.line - b.line);
}

/** Applies the fixable rules: keyword case, trailing commas, trailing whitespace, final newline. */
export function fixSqlStyle(sql: string): string {
  const tokens = tokenize(sql);
  const commaAfter = new Set(selectListsWithoutTrailingComma(tokens).map((token) => token.start));
  const text = tokens
    .map((token) => {
      const lowered = token.kind === 'word' && KEYWORDS.has(token.text.toLowerCase()) ? token.text.toLowerCase() : token.text;
      return commaAfter.has(token.start) ? `${lowered},` : lowered;
    })
    .join('');
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n*$/, '')}\n`;
}
