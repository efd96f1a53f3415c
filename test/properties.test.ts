import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { toLine } from '../jobs/generate/dialects.ts';
import { simulate } from '../jobs/generate/simulate.ts';
import { runOn } from './helpers.ts';

const FACTS = `select * exclude (start_file_id, start_line_no, stop_file_id, stop_line_no)
               from fct_transactions order by charge_point_id, started_at, stopped_at`;

/** A small but complete day of traffic in both dialects (mixed lines, like a real landing zone). */
function sampleLines(): string[] {
  const { days } = simulate({ chargePoints: 2, days: 2, start: '2024-05-31', seed: 99, heartbeatIntervalS: 900 });
  const lines: string[] = [];
  for (const day of days)
    day.messages.forEach((message, index) => {
      lines.push(toLine(message, index % 3 === 0 ? 'flat' : 'envelope'));
    });
  return lines;
}

/** Splits lines into files at the given cut points. */
function splitIntoFiles(lines: string[], cuts: number[]): Record<string, string[]> {
  const bounds = [...new Set(cuts.map((cut) => cut % (lines.length + 1)))].sort((a, b) => a - b);
  const files: Record<string, string[]> = {};
  let start = 0;
  [...bounds, lines.length].forEach((end, index) => {
    if (end > start) files[`part-${String(index).padStart(3, '0')}.ndjson`] = lines.slice(start, end);
    start = Math.max(start, end);
  });
  return files;
}

describe('properties of the whole pipeline', () => {
  let lines: string[];
  let expected: unknown[];
  beforeAll(async () => {
    lines = sampleLines();
    const baseline = await runOn({ 'all.ndjson': lines });
    expected = await baseline.query(FACTS);
    expect(expected.length).toBeGreaterThan(3);
  });

  it('any order, duplication and file split of the same lines gives the same transactions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: 0, maxLength: 40 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 5 }),
        fc.integer(),
        async (duplicates, cuts, shuffleSeed) => {
          const redelivered = [...lines, ...duplicates.map((index) => lines[index % lines.length]!)];
          const shuffled = shuffle(redelivered, shuffleSeed);
          const run = await runOn(splitIntoFiles(shuffled, cuts));
          expect(await run.query(FACTS)).toEqual(expected);
          expect(run.summary.lines.read).toBe(redelivered.length);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('garbage lines anywhere leave the figures unchanged and are each quarantined', async () => {
    const garbage = fc
      .string({ minLength: 1, maxLength: 200, unit: 'grapheme' })
      .filter((text) => text.trim() !== '' && !/[\r\n]/.test(text));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), garbage), { minLength: 1, maxLength: 25 }), async (insertions) => {
        const dirty = [...lines];
        for (const [position, text] of insertions) dirty.splice(position % (dirty.length + 1), 0, text);
        const run = await runOn({ 'dirty.ndjson': dirty });
        expect(await run.query(FACTS)).toEqual(expected);
        expect(run.summary.lines).toEqual({
          read: dirty.length,
          loaded: lines.length,
          quarantined: insertions.length,
          blank: 0,
        });
      }),
      { numRuns: 6 },
    );
  });
});

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
