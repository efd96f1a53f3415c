import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readJsonArray } from '../jobs/ingest/read-json-array.ts';
import type { LineEvent } from '../jobs/ingest/read-lines.ts';
import { tempDir } from './helpers.ts';

async function collect(path: string, maxLineBytes?: number): Promise<LineEvent[]> {
  const events: LineEvent[] = [];
  for await (const event of readJsonArray(path, { maxLineBytes })) events.push(event);
  return events;
}

function file(name: string, content: string | Buffer): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

describe('readJsonArray', () => {
  it('yields each element of a one-line array, with strings holding brackets, commas and escaped quotes', async () => {
    const records = [
      { message_id: 'a', body: '{"connector_id": 1, "note": "x], {y"}' },
      { message_id: 'b', body: 'say \\"hi\\", [ok]' },
      { message_id: 'c', nested: { list: [1, [2, 3], { d: '}' }] } },
    ];
    const events = await collect(file('logs.json', JSON.stringify(records)));
    expect(events.map((event) => event.kind === 'line' && JSON.parse(event.text))).toEqual(records);
    expect(events.map((event) => event.lineNo)).toEqual([1, 2, 3]);
  });

  it('reads a pretty-printed, gzipped array the same, across chunk boundaries', async () => {
    const records = Array.from({ length: 5000 }, (_, index) => ({
      message_id: `m-${index}`,
      body: JSON.stringify({ value: 'x'.repeat(index % 700) }),
    }));
    const events = await collect(file('logs.json.gz', gzipSync(JSON.stringify(records, null, 2))));
    expect(events).toHaveLength(5000);
    expect(events.every((event, index) => event.kind === 'line' && JSON.parse(event.text).message_id === `m-${index}`)).toBe(true);
  });

  it('an empty array yields nothing; a truncated one or a non-array throws', async () => {
    expect(await collect(file('empty.json', ' [ ] '))).toEqual([]);
    await expect(collect(file('cut.json', '[{"a":1},{"b":'))).rejects.toThrow(/truncated/);
    await expect(collect(file('obj.json', '{"a":1}'))).rejects.toThrow(/not a JSON array/);
  });

  it('an element over the size cap is rejected with a reason, the rest still read', async () => {
    const events = await collect(file('big.json', JSON.stringify([{ a: 'x'.repeat(200) }, { b: 1 }])), 100);
    expect(events[0]).toMatchObject({ kind: 'reject', lineNo: 1 });
    expect(events[1]).toEqual({ kind: 'line', lineNo: 2, text: '{"b":1}' });
  });
});
