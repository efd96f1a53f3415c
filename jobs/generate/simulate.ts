import { createRandom, type Random } from './random.ts';
import { type ClockStyle, DAY_US, formatTimestamp, HOUR_US, MINUTE_US, type Micros, parseDay, quantize, SECOND_US } from './timestamps.ts';

export interface SimulationOptions {
  chargePoints: number;
  days: number;
  start: string;
  seed: number;
  heartbeatIntervalS?: number;
}

/** One OCPP-J message as the central system logged it, independent of the log dialect. */
export interface SimMessage {
  chargePointId: string;
  loggedAt: Micros;
  messageTypeId: 2 | 3;
  uniqueId: string;
  action: string;
  payload: Record<string, unknown>;
  /** Emission order, to keep the sort stable when two messages share a log time. */
  seq: number;
}

/** What the generator knows it emitted: the ground truth the marts are tested against. */
export interface TruthTransaction {
  chargePointId: string;
  transactionId: number;
  connectorId: number;
  idTag: string;
  startedAtUs: Micros;
  stoppedAtUs: Micros | null;
  meterStartWh: number;
  meterStopWh: number | null;
  lastRegisterWh: number | null;
  lastRegisterSampledAtUs: Micros | null;
  stopReason: string | null;
}

export interface SimulationDay {
  day: string;
  messages: SimMessage[];
}

const STOP_REASONS = ['EVDisconnected', 'Local', 'Remote'] as const;
const VENDORS = [
  { vendor: 'Voltaro', model: 'VX-22', powerW: 11_000, registerUnit: 'Wh' },
  { vendor: 'Kilowatt Works', model: 'KW-7', powerW: 7_400, registerUnit: 'kWh' },
  { vendor: 'Ampere & Co', model: 'AC-3', powerW: 3_700, registerUnit: 'Wh' },
] as const;
const CLOCK_STYLES: ClockStyle[] = [
  { fractionDigits: 6, offsetMinutes: 0 },
  { fractionDigits: 3, offsetMinutes: 0 },
  { fractionDigits: 0, offsetMinutes: 0 },
  { fractionDigits: 6, offsetMinutes: 120 },
];
const LOG_STYLE: ClockStyle = { fractionDigits: 6, offsetMinutes: 0 };

interface ChargePointState {
  id: string;
  clock: ClockStyle;
  hardware: (typeof VENDORS)[number];
  firmware: string;
  connectorMeterWh: number[];
  connectorFreeAt: Micros[];
  nextTransactionId: number;
  nextHeartbeatAt: Micros;
  heartbeatUniqueId: string;
  /** Messages already decided but logged on a later day. */
  pending: SimMessage[];
  /** Shorter than the full measurand set for this model: some firmware omits measurand/unit. */
  omitsDefaults: boolean;
}

/**
 * Simulates an OCPP 1.6 network day by day: boots (and the odd reboot, after which transaction
 * ids restart), heartbeats, status changes, and charging sessions with MeterValues every minute.
 * Only one day of messages is held in memory at a time.
 */
export function simulate(options: SimulationOptions): { days: Generator<SimulationDay>; truth: TruthTransaction[] } {
  const truth: TruthTransaction[] = [];
  return { days: simulateDays(options, truth), truth };
}

function* simulateDays(options: SimulationOptions, truth: TruthTransaction[]): Generator<SimulationDay> {
  const random = createRandom(options.seed);
  const heartbeatUs = (options.heartbeatIntervalS ?? 300) * SECOND_US;
  const windowStart = parseDay(options.start);
  const windowEnd = windowStart + options.days * DAY_US;
  const idTags = Array.from({ length: Math.max(4, Math.ceil(options.chargePoints * 1.5)) }, () => random.hex(14).toUpperCase());
  let seq = 0;
  const uid = () => uuidLike(random);

  const chargePoints: ChargePointState[] = Array.from({ length: options.chargePoints }, (_, index) => {
    const connectors = index % 3 === 2 ? 1 : 2;
    return {
      id: `CP-${String(index + 1).padStart(4, '0')}`,
      clock: CLOCK_STYLES[index % CLOCK_STYLES.length]!,
      hardware: VENDORS[index % VENDORS.length]!,
      firmware: `${1 + (index % 3)}.${index % 7}.0`,
      connectorMeterWh: Array.from({ length: connectors }, () => random.int(0, 5_000_000)),
      connectorFreeAt: Array.from({ length: connectors }, () => windowStart),
      nextTransactionId: 1,
      nextHeartbeatAt: 0,
      heartbeatUniqueId: uid(),
      pending: [],
      omitsDefaults: index % 2 === 1,
    };
  });

  const byId = new Map(chargePoints.map((cp) => [cp.id, cp]));

  for (let dayStart = windowStart; dayStart < windowEnd; dayStart += DAY_US) {
    const dayEnd = dayStart + DAY_US;
    const messages: SimMessage[] = [];
    const emit = (message: Omit<SimMessage, 'seq'>) => {
      if (message.loggedAt >= windowEnd) return false;
      const full = { ...message, seq: seq++ };
      if (message.loggedAt < dayEnd) messages.push(full);
      else byId.get(message.chargePointId)!.pending.push(full);
      return true;
    };

    for (const cp of chargePoints) {
      const carried = cp.pending.filter((message) => message.loggedAt < dayEnd);
      cp.pending = cp.pending.filter((message) => message.loggedAt >= dayEnd);
      messages.push(...carried);

      const allFree = cp.connectorFreeAt.every((freeAt) => freeAt <= dayStart + 5 * MINUTE_US);
      const firstDay = dayStart === windowStart;
      if (firstDay || (allFree && random.chance(0.04))) {
        const bootAt = dayStart + random.int(1, 300) * SECOND_US + random.int(0, 999_999);
        bootChargePoint(cp, bootAt, heartbeatUs, emit, uid, random);
        cp.connectorFreeAt = cp.connectorFreeAt.map(() => bootAt + MINUTE_US);
      }

      while (cp.nextHeartbeatAt < dayEnd) {
        const at = cp.nextHeartbeatAt;
        emit(call(cp, at, cp.heartbeatUniqueId, 'Heartbeat', {}));
        emit(
          reply(cp, at + random.int(20, 400) * 1000, cp.heartbeatUniqueId, 'Heartbeat', {
            currentTime: formatTimestamp(at, LOG_STYLE),
          }),
        );
        cp.nextHeartbeatAt += heartbeatUs;
      }

      cp.connectorFreeAt.forEach((_, connectorIndex) => {
        const starts = Array.from({ length: random.pick([0, 1, 1, 2, 2, 3]) }, () => dayStart + sessionStartOffset(random)).sort(
          (a, b) => a - b,
        );
        for (const candidate of starts) {
          const startAt = Math.max(candidate, cp.connectorFreeAt[connectorIndex]! + random.int(2, 30) * MINUTE_US);
          if (startAt >= dayEnd) break;
          // Mostly short sessions; now and then an overnight one that runs into the next day.
          const durationS = random.chance(0.08) ? random.int(8 * 3600, 14 * 3600) : random.int(10 * 60, 5 * 3600);
          const stopAt = startAt + durationS * SECOND_US + random.int(0, 999_999);
          chargeSession(cp, connectorIndex + 1, startAt, stopAt, random.pick(idTags), emit, uid, random, truth);
          cp.connectorFreeAt[connectorIndex] = stopAt;
        }
      });
    }

    messages.sort((a, b) => a.loggedAt - b.loggedAt || a.seq - b.seq);
    yield { day: new Date(dayStart / 1000).toISOString().slice(0, 10), messages };
  }
}

/** Start times cluster in the morning, at lunch and in the evening, as on public chargers. */
const HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 9, 7, 5, 5, 6, 5, 4, 4, 5, 8, 10, 9, 7, 5, 3, 2];
const HOUR_WEIGHT_TOTAL = HOUR_WEIGHTS.reduce((sum, weight) => sum + weight, 0);

function sessionStartOffset(random: Random): Micros {
  let pick = random.next() * HOUR_WEIGHT_TOTAL;
  let hour = 0;
  while (hour < 23 && pick >= HOUR_WEIGHTS[hour]!) pick -= HOUR_WEIGHTS[hour++]!;
  return hour * HOUR_US + random.int(0, 3599) * SECOND_US + random.int(0, 999_999);
}

type Emit = (message: Omit<SimMessage, 'seq'>) => boolean;

function call(cp: ChargePointState, loggedAt: Micros, uniqueId: string, action: string, payload: Record<string, unknown>) {
  return { chargePointId: cp.id, loggedAt, messageTypeId: 2 as const, uniqueId, action, payload };
}

function reply(cp: ChargePointState, loggedAt: Micros, uniqueId: string, action: string, payload: Record<string, unknown>) {
  return { chargePointId: cp.id, loggedAt, messageTypeId: 3 as const, uniqueId, action, payload };
}

function bootChargePoint(cp: ChargePointState, bootAt: Micros, heartbeatUs: number, emit: Emit, uid: () => string, random: Random) {
  const bootId = uid();
  emit(
    call(cp, bootAt, bootId, 'BootNotification', {
      chargePointVendor: cp.hardware.vendor,
      chargePointModel: cp.hardware.model,
      chargePointSerialNumber: `SN-${cp.id}`,
      firmwareVersion: cp.firmware,
    }),
  );
  emit(
    reply(cp, bootAt + random.int(20, 400) * 1000, bootId, 'BootNotification', {
      status: 'Accepted',
      currentTime: formatTimestamp(bootAt, LOG_STYLE),
      interval: heartbeatUs / SECOND_US,
    }),
  );
  cp.connectorFreeAt.forEach((_, index) => {
    const at = bootAt + (index + 1) * SECOND_US;
    statusNotification(cp, at, index + 1, 'Available', emit, uid, random);
  });
  // After a reboot the central system hands out transaction ids from 1 again.
  cp.nextTransactionId = 1;
  cp.nextHeartbeatAt = bootAt + heartbeatUs;
}

function statusNotification(
  cp: ChargePointState,
  at: Micros,
  connectorId: number,
  status: string,
  emit: Emit,
  uid: () => string,
  random: Random,
) {
  const id = uid();
  emit(
    call(cp, at, id, 'StatusNotification', {
      connectorId,
      errorCode: 'NoError',
      status,
      timestamp: formatTimestamp(quantize(at, cp.clock), cp.clock),
    }),
  );
  emit(reply(cp, at + random.int(20, 400) * 1000, id, 'StatusNotification', {}));
}

function chargeSession(
  cp: ChargePointState,
  connectorId: number,
  startAt: Micros,
  stopAt: Micros,
  idTag: string,
  emit: Emit,
  uid: () => string,
  random: Random,
  truth: TruthTransaction[],
) {
  const powerW = cp.hardware.powerW * (0.7 + random.next() * 0.3);
  const meterStartWh = cp.connectorMeterWh[connectorId - 1]!;
  const meterAt = (t: Micros) => meterStartWh + Math.floor((powerW * (t - startAt)) / HOUR_US);
  const startedAt = quantize(startAt, cp.clock);
  const stoppedAt = quantize(stopAt, cp.clock);
  const transactionId = cp.nextTransactionId++;

  statusNotification(cp, startAt - 20 * SECOND_US, connectorId, 'Preparing', emit, uid, random);
  const startId = uid();
  // Real charge points log StartTransaction about a second after its own timestamp.
  const startLoggedAt = startAt + SECOND_US + random.int(0, 200_000);
  emit(
    call(cp, startLoggedAt, startId, 'StartTransaction', {
      connectorId,
      idTag,
      meterStart: meterStartWh,
      timestamp: formatTimestamp(startedAt, cp.clock),
    }),
  );
  emit(
    reply(cp, startLoggedAt + random.int(20, 400) * 1000, startId, 'StartTransaction', {
      transactionId,
      idTagInfo: { status: 'Accepted' },
    }),
  );
  statusNotification(cp, startLoggedAt + 2 * SECOND_US, connectorId, 'Charging', emit, uid, random);

  const record: TruthTransaction = {
    chargePointId: cp.id,
    transactionId,
    connectorId,
    idTag,
    startedAtUs: startedAt,
    stoppedAtUs: null,
    meterStartWh,
    meterStopWh: null,
    lastRegisterWh: null,
    lastRegisterSampledAtUs: null,
    stopReason: null,
  };
  truth.push(record);

  for (let t = startAt + MINUTE_US; t < stopAt; t += MINUTE_US) {
    const registerWh = meterAt(t);
    const sampledAt = quantize(t, cp.clock);
    const id = uid();
    // Now and then the last reading is queued and delivered only after the StopTransaction.
    const lateDelivery = t + MINUTE_US >= stopAt && random.chance(0.15);
    const sentAt = t + (lateDelivery ? random.int(90, 300) * SECOND_US : random.int(20, 900) * 1000);
    const emitted = emit(
      call(cp, sentAt, id, 'MeterValues', {
        connectorId,
        transactionId,
        meterValue: [{ timestamp: formatTimestamp(sampledAt, cp.clock), sampledValue: sampledValues(cp, registerWh, powerW) }],
      }),
    );
    if (!emitted && !lateDelivery) return;
    if (!emitted) continue;
    emit(reply(cp, sentAt + random.int(100, 600) * 1000, id, 'MeterValues', {}));
    record.lastRegisterWh = registerWh;
    record.lastRegisterSampledAtUs = sampledAt;
  }

  const meterStopWh = meterAt(stopAt);
  const stopReason = random.pick(STOP_REASONS);
  const stopId = uid();
  const stopLoggedAt = stopAt + random.int(20, 900) * 1000;
  const stopped = emit(
    call(cp, stopLoggedAt, stopId, 'StopTransaction', {
      transactionId,
      idTag,
      meterStop: meterStopWh,
      timestamp: formatTimestamp(stoppedAt, cp.clock),
      reason: stopReason,
    }),
  );
  cp.connectorMeterWh[connectorId - 1] = meterStopWh;
  if (!stopped) return;
  record.stoppedAtUs = stoppedAt;
  record.meterStopWh = meterStopWh;
  record.stopReason = stopReason;
  emit(reply(cp, stopLoggedAt + random.int(20, 400) * 1000, stopId, 'StopTransaction', { idTagInfo: { status: 'Accepted' } }));
  statusNotification(cp, stopLoggedAt + SECOND_US, connectorId, 'Finishing', emit, uid, random);
  statusNotification(cp, stopLoggedAt + 30 * SECOND_US, connectorId, 'Available', emit, uid, random);
}

/** The register total plus per-phase and power values that must not be mistaken for it. */
function sampledValues(cp: ChargePointState, registerWh: number, powerW: number) {
  const register =
    cp.hardware.registerUnit === 'kWh'
      ? { value: (registerWh / 1000).toFixed(3), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'kWh' }
      : cp.omitsDefaults
        ? { value: String(registerWh), context: 'Sample.Periodic' }
        : { value: String(registerWh), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' };
  return [
    register,
    {
      value: String(Math.floor(registerWh / 3)),
      context: 'Sample.Periodic',
      measurand: 'Energy.Active.Import.Register',
      phase: 'L1',
      unit: 'Wh',
    },
    { value: powerW.toFixed(1), context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W' },
    { value: (powerW / 230 / 3).toFixed(2), context: 'Sample.Periodic', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
  ];
}

function uuidLike(random: Random): string {
  const hex = random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
