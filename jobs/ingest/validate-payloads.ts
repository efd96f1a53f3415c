import { availableParallelism } from 'node:os';
import type { Db } from '../db.ts';
import { queryRows, transaction } from '../db.ts';
import { startPayloadCheckers } from './payload-checkers.ts';
import { checkCallPayload, type PayloadViolation, strictJsonProblem } from './payload-schema.ts';

/** The lines not yet checked (a SQL fragment shared by the queries below, no input in it). */
const UNCHECKED_LINES = `
     from base_ocpp__lines
     where file_id in (select file_id from landing_files where status = 'loaded' and not payloads_checked)
         and rejection_reason is null`;

/**
 * The CALLs of those lines whose payload the parse could not already prove conforming
 * (payload_conforms: jobs/ingest/payload-shapes.ts): only these need the schema check.
 */
const UNCHECKED_CALLS = `${UNCHECKED_LINES}
         and message_type_id = 2
         and not coalesce(payload_conforms, false)`;

type FoundViolation = { fileId: bigint; lineNo: bigint; violation: PayloadViolation };

/**
 * Validates the CALL payloads of every file not yet checked, once: results are kept in
 * payload_violations, so a nightly run only pays for new lines. Replies are not checked here:
 * in OCPP-J a reply's schema depends on its CALL, which pairing finds later.
 */
export async function validateNewPayloads(db: Db): Promise<{ checked: number; conforming: number; errors: number; warnings: number }> {
  const violations: FoundViolation[] = [];
  const [proven] = await queryRows(db, `select count(*) as calls ${UNCHECKED_LINES} and message_type_id = 2 and payload_conforms`);
  const conforming = Number(proven!.calls);
  const checked = conforming + (await checkEmptyPayloads(db, violations)) + (await checkOtherPayloads(db, violations));
  await checkNonFiniteNumbers(db, violations);
  // Workers answer in any order: the table gets the violations in line order, as a single thread would.
  violations.sort((a, b) => compareBigInt(a.fileId, b.fileId) || compareBigInt(a.lineNo, b.lineNo));
  // One transaction: a run killed here leaves neither violations nor the checked mark, never one without the other.
  await transaction(db, async () => {
    if (violations.length > 0) {
      const appender = await db.createAppender('payload_violations');
      try {
        for (const { fileId, lineNo, violation } of violations) {
          appender.appendBigInt(fileId);
          appender.appendBigInt(lineNo);
          appender.appendVarchar(violation.severity);
          appender.appendVarchar(violation.reason);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    }
    await db.run(`update landing_files set payloads_checked = true where status = 'loaded' and not payloads_checked`);
  });
  return {
    checked,
    conforming,
    errors: violations.filter((entry) => entry.violation.severity === 'error').length,
    warnings: violations.filter((entry) => entry.violation.severity === 'warning').length,
  };
}

/**
 * An empty payload (`{}`, a third of a night's CALLs: every Heartbeat) gets the same verdict
 * for every line with the same action and dialect, so it is checked once per pair; only a pair
 * whose verdict is a violation has its lines read.
 */
async function checkEmptyPayloads(db: Db, violations: FoundViolation[]): Promise<number> {
  const pairs = await queryRows(
    db,
    `select action, dialect, count(*) as lines ${UNCHECKED_CALLS} and payload::varchar = '{}' group by action, dialect`,
  );
  let checked = 0;
  for (const { action, dialect, lines } of pairs) {
    checked += Number(lines);
    const found = checkCallPayload(String(action), String(dialect), {});
    if (found.length === 0) continue;
    const rows = await queryRows(
      db,
      `select file_id, line_no ${UNCHECKED_CALLS} and payload::varchar = '{}' and action = $action and dialect = $dialect`,
      { action: String(action), dialect: String(dialect) },
    );
    for (const row of rows) {
      for (const violation of found) violations.push({ fileId: row.file_id as bigint, lineNo: row.line_no as bigint, violation });
    }
  }
  return checked;
}

/**
 * DuckDB's JSON reader takes NaN and Infinity, which JSON has no number for: a reply or an
 * envelope field holding one would be read as a value no other reader agrees on. The lines that
 * could hold one (the text appears in them: a handful) are parsed strictly, each on its own.
 */
async function checkNonFiniteNumbers(db: Db, violations: FoundViolation[]): Promise<void> {
  const rows = await queryRows(
    db,
    // the parse keeps the text of every line that holds the words
    `select file_id, line_no, dialect, raw_line ${UNCHECKED_LINES}
         and (contains(raw_line, 'NaN') or contains(raw_line, 'Infinity'))`,
  );
  for (const row of rows) {
    const text = String(row.raw_line);
    try {
      const line = JSON.parse(text) as { body?: unknown };
      // the flat dialect's body is JSON inside a string
      if (row.dialect === 'flat' && typeof line.body === 'string') JSON.parse(line.body);
    } catch (error) {
      const reason = `line holds ${strictJsonProblem(error, text)}`;
      // a CALL's payload check may have found the same already
      if (
        violations.some(
          (found) => found.fileId === row.file_id && found.lineNo === row.line_no && found.violation.reason.startsWith('payload holds'),
        )
      ) {
        continue;
      }
      violations.push({ fileId: row.file_id as bigint, lineNo: row.line_no as bigint, violation: { severity: 'error', reason } });
    }
  }
}

/** Below this many payloads a night is checked on this thread: starting workers would cost more than it saves. */
const WORKER_THRESHOLD = 20_000;
/** Batches queued per worker: enough to keep it busy, few enough to keep memory flat. */
const BATCHES_PER_WORKER = 2;

/**
 * Every other payload, parsed and checked one by one on worker threads (one per core: parsing
 * and ajv are pure CPU work while the database waits). The payloads stream in chunks, so memory
 * stays flat whatever the night's size, and DuckDB fetches the next chunk meanwhile.
 */
async function checkOtherPayloads(db: Db, violations: FoundViolation[]): Promise<number> {
  const [counted] = await queryRows(db, `select count(*) as calls ${UNCHECKED_CALLS} and payload::varchar <> '{}'`);
  if (Number(counted!.calls) === 0) return 0;
  const workers = Number(counted!.calls) >= WORKER_THRESHOLD ? availableParallelism() : 0;
  const checkers = startPayloadCheckers(workers);
  const inFlight: Promise<void>[] = [];
  let checked = 0;
  const result = await db.stream(
    `select file_id, line_no, '[' || to_json(action) || ',' || to_json(dialect) || ',' || payload || ']' as packed_call
     ${UNCHECKED_CALLS} and payload::varchar <> '{}'`,
  );
  let next = result.fetchChunk();
  try {
    for (;;) {
      const chunk = await next;
      if (!chunk || chunk.rowCount === 0) break;
      next = result.fetchChunk();
      const [fileIds, lineNos, packedCalls] = [0, 1, 2].map((column) => chunk.getColumnValues(column));
      checked += chunk.rowCount;
      const checking = checkers.check(packedCalls as string[]).then((found) => {
        for (const [row, severity, reason] of found) {
          violations.push({ fileId: fileIds![row] as bigint, lineNo: lineNos![row] as bigint, violation: { severity, reason } });
        }
      });
      inFlight.push(checking);
      if (inFlight.length >= Math.max(1, workers) * BATCHES_PER_WORKER) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } catch (error) {
    // Let the fetch and the checks in flight settle before the error leaves.
    await next.catch(() => null);
    await Promise.allSettled(inFlight);
    throw error;
  } finally {
    await checkers.close();
  }
  return checked;
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
