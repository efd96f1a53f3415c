import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DEFAULT_MAX_LINE_BYTES, type LineEvent } from './read-lines.ts';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Streams the elements of a file holding one JSON array of records (how the data-derp simulator
 * publishes its logs: pandas `to_json(orient="records")`, often all on one line), each as if it
 * were an NDJSON line; its "line number" is the element's position in the array, from 1. The
 * array is split by scanning bytes (strings and nesting tracked), so a file of any size streams
 * in bounded memory. A truncated array or gzip throws: the caller rejects the file whole.
 */
export async function* readJsonArray(path: string, options: { maxLineBytes?: number } = {}): AsyncGenerator<LineEvent> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const raw = createReadStream(path, { highWaterMark: 1024 * 1024 });
  let source: AsyncIterable<Buffer> = raw;
  if (path.endsWith('.gz')) {
    const gunzip = createGunzip();
    pipeline(raw, gunzip, () => undefined);
    source = gunzip;
  }

  let state: 'before' | 'between' | 'element' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementNo = 0;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let atStart = true;

  const finish = (): LineEvent => {
    elementNo += 1;
    const bytes = Buffer.concat(parts);
    const total = partBytes;
    parts = [];
    partBytes = 0;
    if (total > maxLineBytes) {
      return {
        kind: 'reject',
        lineNo: elementNo,
        text: bytes.subarray(0, 4096).toString('utf8'),
        reason: `array element longer than ${maxLineBytes} bytes (${total} bytes)`,
      };
    }
    if (!isUtf8(bytes)) return { kind: 'reject', lineNo: elementNo, text: bytes.toString('utf8'), reason: 'invalid UTF-8' };
    return { kind: 'line', lineNo: elementNo, text: bytes.toString('utf8') };
  };
  const keep = (chunk: Buffer, from: number, to: number) => {
    if (to <= from) return;
    partBytes += to - from;
    // Past the cap only the length is counted; the excerpt kept is enough for the quarantine.
    if (partBytes - (to - from) < maxLineBytes + 4096) parts.push(Buffer.from(chunk.subarray(from, to)));
  };

  for await (let chunk of source) {
    if (atStart) {
      atStart = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    let elementStart = state === 'element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) inString = false;
          continue;
        }
        if (byte === QUOTE) inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
        else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          if (depth === 0) {
            // the array's own closing bracket right after a scalar element
            keep(chunk, elementStart, i);
            yield finish();
            state = 'after';
            continue;
          }
          depth -= 1;
        } else if (byte === COMMA && depth === 0) {
          keep(chunk, elementStart, i);
          yield finish();
          state = 'between';
        }
        continue;
      }
      if (isSpace(byte)) continue;
      if (state === 'before') {
        if (byte !== OPEN_BRACKET) throw new Error('not a JSON array of records (expected "[")');
        state = 'between';
      } else if (state === 'between') {
        if (byte === CLOSE_BRACKET && elementNo === 0) {
          state = 'after';
          continue;
        }
        state = 'element';
        elementStart = i;
        depth = 0;
        i -= 1; // read this byte again as the element's first
      } else {
        throw new Error('unexpected data after the end of the JSON array');
      }
    }
    if (state === 'element') keep(chunk, Math.max(elementStart, 0), chunk.length);
  }
  if ((state as string) !== 'after') throw new Error('the JSON array is truncated (no closing "]")');
}
