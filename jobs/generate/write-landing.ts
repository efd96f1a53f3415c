import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type Dialect, toLine } from './dialects.ts';
import { type SimulationOptions, simulate, type TruthTransaction } from './simulate.ts';

export interface WriteLandingOptions extends SimulationOptions {
  out: string;
  dialect: Dialect;
  gzip?: boolean;
}

export interface WriteLandingResult {
  files: string[];
  lines: number;
  truth: TruthTransaction[];
}

/**
 * Writes simulated traffic in the landing layout: one file per day,
 * <out>/date=YYYY-MM-DD/ocpp-<dialect>-YYYY-MM-DD.ndjson[.gz], each renamed into place when
 * complete so a concurrent nightly run never reads half a file.
 */
export async function writeLanding(options: WriteLandingOptions): Promise<WriteLandingResult> {
  const { days, truth } = simulate(options);
  const files: string[] = [];
  let lines = 0;
  for (const { day, messages } of days) {
    const dir = join(options.out, `date=${day}`);
    await mkdir(dir, { recursive: true });
    const file = join(dir, `ocpp-${options.dialect}-${day}.ndjson${options.gzip ? '.gz' : ''}`);
    const temporary = `${file}.tmp`;
    const text = Readable.from(
      (function* () {
        for (const message of messages) yield `${toLine(message, options.dialect)}\n`;
      })(),
    );
    if (options.gzip) await pipeline(text, createGzip(), createWriteStream(temporary));
    else await pipeline(text, createWriteStream(temporary));
    await rename(temporary, file);
    files.push(file);
    lines += messages.length;
  }
  return { files, lines, truth };
}
