import { describe, expect, it } from 'vitest';
import { createLogger, formatProgress, type LoadProgress } from '../jobs/log.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, columns: 120, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

const halfway: LoadProgress = {
  filesDone: 3,
  filesTotal: 6,
  linesRead: 1_234_567,
  bytesDone: 50_000_000,
  bytesTotal: 100_000_000,
  bytesRead: 40_000_000,
  startedAt: 0,
};

describe('progress on a terminal', () => {
  it('shows files, lines, the read rate and the time left at that rate', () => {
    // 40 MB read in 4 s = 10 MB/s; 50 MB to go = 5 s
    expect(formatProgress(halfway, 4000)).toBe(`load [############............] 3/6 files  1,234,567 lines  10.0 MB/s  ETA 0:05`);
    expect(formatProgress({ ...halfway, bytesDone: 0, bytesRead: 0, filesDone: 0, linesRead: 0 }, 1000)).toContain('ETA –');
    expect(formatProgress({ ...halfway, bytesTotal: 4e10, bytesDone: 4e7 }, 4000)).toContain('ETA 1:06:36');
  });

  it('draws the bar on a terminal and clears it before the next event line', () => {
    const { stream, writes } = fakeStream(true);
    const logger = createLogger({ stream });
    logger.progress!({ ...halfway, filesDone: 6, bytesDone: 100_000_000 });
    logger.event('load', { files_read: 6 });
    expect(writes[0]!.startsWith(`\r\x1b[2Kload [${'#'.repeat(24)}] 6/6 files`)).toBe(true);
    expect(writes[1]).toBe('\r\x1b[2K');
    expect(writes[2]).toBe('· load files_read=6\n');
  });

  it('writes JSON step lines and no bar when stderr is not a terminal, and nothing with --quiet', () => {
    const piped = fakeStream(false);
    const logger = createLogger({ stream: piped.stream });
    logger.progress!(halfway);
    logger.event('load', { files_read: 6 });
    expect(piped.writes).toHaveLength(1);
    expect(JSON.parse(piped.writes[0]!)).toMatchObject({ event: 'load', files_read: 6 });
    const quiet = fakeStream(true);
    const silent = createLogger({ stream: quiet.stream, quiet: true });
    silent.progress!(halfway);
    silent.event('load');
    expect(quiet.writes).toEqual([]);
  });
});
