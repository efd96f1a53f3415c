/**
 * (c) The naive Node baseline: readline + JSON.parse on every line, and a Map from transaction to
 * its meter start, computing each completed transaction's energy. Both dialects. No storage, no
 * quarantine, no deduplication: what a quick script would do.
 *
 *   node --import tsx bench/naive-node.ts <landing file>...
 *
 * Prints {"lines", "completed", "energyWh"}.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

type Payload = Record<string, unknown>;

const pendingStarts = new Map<string, number>(); // charge point + unique id of a StartTransaction → meterStart
const openTransactions = new Map<string, number>(); // charge point + transaction id → meterStart
let lines = 0;
let completed = 0;
let energyWh = 0;

function onMessage(chargePoint: string, type: number, uniqueId: string, action: string | undefined, payload: Payload): void {
  if (type === 2 && action === 'StartTransaction') {
    pendingStarts.set(`${chargePoint}\u0000${uniqueId}`, Number(payload.meterStart ?? payload.meter_start));
  } else if (type === 3) {
    const key = `${chargePoint}\u0000${uniqueId}`;
    const meterStart = pendingStarts.get(key);
    if (meterStart === undefined) return;
    pendingStarts.delete(key);
    openTransactions.set(`${chargePoint}\u0000${payload.transactionId ?? payload.transaction_id}`, meterStart);
  } else if (type === 2 && action === 'StopTransaction') {
    const key = `${chargePoint}\u0000${payload.transactionId ?? payload.transaction_id}`;
    const meterStart = openTransactions.get(key);
    if (meterStart === undefined) return;
    openTransactions.delete(key);
    completed += 1;
    energyWh += Number(payload.meterStop ?? payload.meter_stop) - meterStart;
  }
}

for (const file of process.argv.slice(2)) {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lines += 1;
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    if (Array.isArray(record.frame)) {
      const frame = record.frame as unknown[];
      const type = Number(frame[0]);
      onMessage(
        String(record.charge_point_id),
        type,
        String(frame[1]),
        type === 2 ? String(frame[2]) : undefined,
        (type === 2 ? frame[3] : frame[2]) as Payload,
      );
    } else {
      const body = typeof record.body === 'string' ? (JSON.parse(record.body) as Payload) : (record.body as Payload);
      onMessage(
        String(record.charge_point_id),
        Number(record.message_type),
        String(record.message_id),
        record.action as string | undefined,
        body,
      );
    }
  }
}
console.log(JSON.stringify({ lines, completed, energyWh }));
