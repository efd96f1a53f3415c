import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
/** How much of a rejected over-long line is kept for the quarantine (enough to recognise it). */
const REJECTED_LINE_EXCERPT_BYTES = 4096;

export type LineEvent =
  | { kind: 'line'; lineNo: number; text: string }
  | { kind: 'blank'; lineNo: number }
  | { kind: 'reject'; lineNo: number; text: string; reason: string };

export interface ReadLinesOptions {
  maxLineBytes?: number;
  /** Called with every raw (possibly compressed) chunk, for content hashing. */
  onRawChunk?: (chunk: Buffer) => void;
  /** Plain files only: start reading at this byte (the end of what an earlier run loaded). */
  startOffset?: number;
  /** Line number of the first line read (line numbers continue across appended reads). */
  firstLineNo?: number;
  /** Do not yield a last line that has no newline yet: its writer may still be writing it. */
  holdUnterminatedTail?: boolean;
  /** Filled in as the file is read: where the last yielded line ended and whether a tail was held. */
  progress?: ReadProgress;
}

export interface ReadProgress {
  /** Byte offset just past the last line yielded (decompressed bytes for .gz). */
  endOffset: number;
  /** True when the last yielded line had no newline. */
  endsUnterminated: boolean;
  /** Bytes of an unterminated last line that was held back. */
  heldBytes: number;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * A file's bytes as text bytes (through gunzip for .gz), from byte `start` of a plain file, with
 * every stored (possibly compressed) chunk passed to onRawChunk for hashing.
 */
function decodedChunks(
  path: string,
  options: { start?: number; onRawChunk?: (chunk: Buffer) => void; gunzipChunkBytes?: number },
): AsyncIterable<Buffer> {
  const raw = createReadStream(path, { highWaterMark: 1024 * 1024, start: options.start ?? 0 });
  if (options.onRawChunk) raw.on('data', options.onRawChunk as (chunk: string | Buffer) => void);
  if (!path.endsWith('.gz')) return raw;
  const gunzip = createGunzip(options.gunzipChunkBytes ? { chunkSize: options.gunzipChunkBytes } : {});
  // pipeline forwards a read error to gunzip, so iterating it throws instead of hanging.
  pipeline(raw, gunzip, () => undefined);
  return gunzip;
}

/**
 * Streams the lines of an NDJSON file (plain or gzip) without ever holding the file in memory.
 * Every physical line comes out exactly once as a line, a blank or a reject, so callers can
 * account for every line read. A corrupt or truncated gzip throws: the caller rejects the file.
 */
export async function* readLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineEvent> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const startOffset = options.startOffset ?? 0;
  const progress = options.progress ?? { endOffset: 0, endsUnterminated: false, heldBytes: 0 };
  progress.endOffset = startOffset;
  progress.endsUnterminated = false;
  progress.heldBytes = 0;
  const source = decodedChunks(path, { start: startOffset, onRawChunk: options.onRawChunk });

  let lineNo = (options.firstLineNo ?? 1) - 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overLong = false;
  let atStart = startOffset === 0;
  let offset = startOffset;

  const finishLine = (tail: Buffer): LineEvent => {
    lineNo += 1;
    const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    const totalBytes = pendingBytes + tail.length;
    pending = [];
    pendingBytes = 0;
    if (overLong || totalBytes > maxLineBytes) {
      overLong = false;
      return {
        kind: 'reject',
        lineNo,
        text: bytes.subarray(0, REJECTED_LINE_EXCERPT_BYTES).toString('utf8'),
        reason: `line longer than ${maxLineBytes} bytes (${totalBytes} bytes or more)`,
      };
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end -= 1; // CRLF
    // a BOM inside the file starts a line when files were concatenated: it is no part of the JSON
    const body = bytes.subarray(end >= 3 && bytes.subarray(0, 3).equals(BOM) ? 3 : 0, end);
    if (!isUtf8(body)) {
      return { kind: 'reject', lineNo, text: body.toString('utf8'), reason: 'invalid UTF-8' };
    }
    const text = body.toString('utf8');
    if (text.trim() === '') return { kind: 'blank', lineNo };
    return { kind: 'line', lineNo, text };
  };

  for await (let chunk of source) {
    if (atStart) {
      atStart = false;
      if (chunk.subarray(0, 3).equals(BOM)) {
        chunk = chunk.subarray(3);
        offset += 3;
      }
    }
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      const event = finishLine(chunk.subarray(start, newline));
      progress.endOffset = offset + newline + 1;
      yield event;
      start = newline + 1;
    }
    offset += chunk.length;
    const rest = chunk.subarray(start);
    if (rest.length === 0) continue;
    if (overLong) {
      // Keep only the excerpt of an over-long line; the rest is counted, not stored.
      pendingBytes += rest.length;
      continue;
    }
    pending.push(Buffer.from(rest));
    pendingBytes += rest.length;
    if (pendingBytes > maxLineBytes) {
      overLong = true;
      const kept = Buffer.concat(pending).subarray(0, REJECTED_LINE_EXCERPT_BYTES);
      pending = [kept];
    }
  }
  // A last line without a final newline is still a line, unless its writer may not be done.
  if (pendingBytes > 0) {
    if (options.holdUnterminatedTail) {
      progress.heldBytes = pendingBytes;
      return;
    }
    const event = finishLine(Buffer.alloc(0));
    progress.endOffset = offset;
    progress.endsUnterminated = true;
    yield event;
  }
}

/** What scanPlainFile found: enough to load the file in bulk and to check the bulk load after. */
export interface PlainScan {
  /**
   * True when every line is one the reader would yield unchanged as a line: no BOM, no CR, no NUL
   * or SOH byte, valid UTF-8, starting with a printable non-space ASCII byte (so never blank), at
   * most maxLineBytes long. Such a file can be read by a bulk reader with the same result.
   */
  plain: boolean;
  lines: number;
  bytes: number;
  /** Σ (line number × line length) mod LINE_CHECKSUM_MODULUS: catches lines stored out of order. */
  checksum: number;
  endsUnterminated: boolean;
  /** Bytes of the file's text (after decompression, for .gz). */
  decodedBytes: number;
}

/** A prime below 2^26, so (line number mod it) × (length mod it) stays exact in a double. */
export const LINE_CHECKSUM_MODULUS = 67_108_859;

/**
 * Reads a file once (through gunzip for .gz), hashing its bytes as stored (onRawChunk) and checking
 * that its lines need none of readLines' special cases. Stops at the first line that does (plain =
 * false): the caller then reads the file with readLines. Lines are counted from 1 and never turned
 * into strings. A corrupt or truncated gzip throws, as in readLines: the caller rejects the file.
 */
export async function scanPlainFile(
  path: string,
  options: { maxLineBytes?: number; onRawChunk?: (chunk: Buffer) => void } = {},
): Promise<PlainScan> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const scan: PlainScan = { plain: true, lines: 0, bytes: 0, checksum: 0, endsUnterminated: false, decodedBytes: 0 };
  const notPlain = () => ({ ...scan, plain: false });
  let carry = Buffer.alloc(0);
  let first = true;
  const source = decodedChunks(path, { onRawChunk: options.onRawChunk, gunzipChunkBytes: 1024 * 1024 });
  for await (const decoded of source) {
    const chunk = decoded as Buffer;
    scan.decodedBytes += chunk.length;
    // A possible BOM is readLines' business.
    if (first && chunk[0] === BOM[0]) return notPlain();
    first = false;
    if (chunk.indexOf(0x0d) !== -1 || chunk.indexOf(0x00) !== -1 || chunk.indexOf(0x01) !== -1) return notPlain();
    const buffer = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const lastNewline = buffer.lastIndexOf(0x0a);
    if (lastNewline === -1) {
      if (buffer.length > maxLineBytes) return notPlain();
      carry = Buffer.from(buffer);
      continue;
    }
    // A newline never sits inside a multi-byte character, so whole lines check as one span.
    if (!isUtf8(buffer.subarray(0, lastNewline))) return notPlain();
    let start = 0;
    while (start <= lastNewline) {
      const end = buffer.indexOf(0x0a, start);
      if (!plainLine(buffer, start, end, maxLineBytes)) return notPlain();
      countLine(scan, end - start);
      start = end + 1;
    }
    carry = Buffer.from(buffer.subarray(lastNewline + 1));
  }
  if (carry.length > 0) {
    if (!isUtf8(carry) || !plainLine(carry, 0, carry.length, maxLineBytes)) return notPlain();
    countLine(scan, carry.length);
    scan.endsUnterminated = true;
  }
  return scan;
}

function plainLine(buffer: Buffer, start: number, end: number, maxLineBytes: number): boolean {
  const length = end - start;
  if (length === 0 || length > maxLineBytes) return false;
  const lead = buffer[start]!;
  return lead > 0x20 && lead < 0x7f;
}

function countLine(scan: PlainScan, length: number): void {
  scan.lines += 1;
  scan.bytes += length;
  const term = ((scan.lines % LINE_CHECKSUM_MODULUS) * (length % LINE_CHECKSUM_MODULUS)) % LINE_CHECKSUM_MODULUS;
  scan.checksum = (scan.checksum + term) % LINE_CHECKSUM_MODULUS;
}

export function sha256Hex(): { update: (chunk: Buffer) => void; digest: () => string; peek: () => string } {
  const hash = createHash('sha256');
  return {
    update: (chunk) => hash.update(chunk),
    digest: () => hash.digest('hex'),
    /** The digest so far, leaving the hash open for more bytes. */
    peek: () => hash.copy().digest('hex'),
  };
}
