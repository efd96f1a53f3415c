import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';

export interface SheetCell {
  /** Cell text as stored: the number, the string, or a formula's cached result. */
  value: string | null;
  formula: string | null;
}

export interface SheetRow {
  number: number;
  /** By column letters. */
  cells: Map<string, SheetCell>;
}

/** The worksheet part of the sheet at a position: the streaming writer numbers sheets 1, 2, … as added. */
export function worksheetPart(position: number): string {
  return `xl/worksheets/sheet${position}.xml`;
}

/**
 * Opens one entry of the zip through its central directory. exceljs's own streaming reader (and
 * unzipper's Parse under it) finds the end of an entry by scanning for the data-descriptor
 * signature, which turns up by chance inside large deflated sheets and stalls the read.
 */
async function openEntry(path: string, name: string): Promise<{ stream: Readable; close: () => void } | null> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  try {
    const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      zip.on('entry', (candidate: yauzl.Entry) => (candidate.fileName === name ? resolve(candidate) : zip.readEntry()));
      zip.on('end', () => resolve(null));
      zip.on('error', reject);
      zip.readEntry();
    });
    if (!entry) {
      zip.close();
      return null;
    }
    return { stream: await zip.openReadStreamPromise(entry), close: () => zip.close() };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/** Feeds an entry's XML to a parser, handing on what each chunk completed. */
async function* parseEntry<T>(stream: Readable, parser: SaxesParser, completed: T[]): AsyncGenerator<T> {
  stream.setEncoding('utf8');
  for await (const chunk of stream) {
    parser.write(chunk as string);
    yield* completed.splice(0);
  }
  parser.close();
  yield* completed.splice(0);
}

/**
 * The shared strings table, if the file has one. The workbook writer uses inline text (this
 * table would be held in memory); other writers, e.g. a hand-edited copy, use it.
 */
async function readSharedStrings(path: string): Promise<string[]> {
  const entry = await openEntry(path, 'xl/sharedStrings.xml');
  if (!entry) return [];
  const parser = new SaxesParser();
  const strings: string[] = [];
  let current: string | null = null;
  let inText = false;
  // phonetic guides (rPh) carry a reading of the text, not part of it
  let inPhonetic = false;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (tag.name === 'si') current = '';
    if (tag.name === 'rPh') inPhonetic = true;
    inText = tag.name === 't' && current !== null && !inPhonetic;
  });
  parser.on('text', (text) => {
    if (inText) current += text;
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    if (tag.name === 't') inText = false;
    if (tag.name === 'rPh') inPhonetic = false;
    if (tag.name === 'si') strings.push(current ?? '');
  });
  try {
    for await (const _ of parseEntry(entry.stream, parser, [])) void _;
  } finally {
    entry.stream.destroy();
    entry.close();
  }
  return strings;
}

/** Streams the rows of one worksheet part: values and formulas as text, a few rows at a time. */
export async function* readSheetRows(path: string, part: string): AsyncGenerator<SheetRow> {
  const shared = await readSharedStrings(path);
  const entry = await openEntry(path, part);
  if (!entry) throw new Error(`${path} has no ${part}`);
  const { stream, close } = entry;
  const parser = new SaxesParser();
  const finished: SheetRow[] = [];
  let row: SheetRow | null = null;
  let cell: SheetCell | null = null;
  let column = '';
  let sharedIndex = false;
  let capturing: 'v' | 'f' | 't' | null = null;
  let text = '';
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (tag.name === 'row') row = { number: Number(tag.attributes.r), cells: new Map() };
    else if (tag.name === 'c') {
      sharedIndex = tag.attributes.t === 's';
      cell = { value: null, formula: null };
      column = String(tag.attributes.r ?? '').replace(/\d+$/, '');
    } else if (cell && (tag.name === 'v' || tag.name === 'f' || tag.name === 't')) {
      capturing = tag.name;
      text = '';
    }
  });
  parser.on('text', (chunk) => {
    if (capturing) text += chunk;
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    if (capturing && tag.name === capturing) {
      if (capturing === 'f') cell!.formula = text;
      else if (capturing === 'v' && sharedIndex) cell!.value = shared[Number(text)] ?? null;
      else cell!.value = (capturing === 't' ? (cell!.value ?? '') : '') + text;
      capturing = null;
    } else if (tag.name === 'c' && row && cell) {
      row.cells.set(column, cell);
      cell = null;
    } else if (tag.name === 'row' && row) {
      finished.push(row);
      row = null;
    }
  });
  try {
    yield* parseEntry(stream, parser, finished);
  } finally {
    stream.destroy();
    close();
  }
}
