/**
 * Run events on stderr: one JSON object per line when stderr is not a terminal (cron, CI, log
 * shippers), a short readable line on a terminal, nothing with --quiet. On a terminal, a long
 * load also shows a progress bar (files, lines, MB/s, ETA) that the next event line replaces.
 */
export interface Logger {
  event: (event: string, fields?: Record<string, unknown>) => void;
  /** Times a step and logs it with its duration. */
  step: <T>(event: string, work: () => Promise<T>, fields?: (result: T) => Record<string, unknown>) => Promise<T>;
  /** How far the load has come; drawn as a bar on a terminal, ignored otherwise. */
  progress?: (progress: LoadProgress) => void;
}

export interface LoadProgress {
  filesDone: number;
  filesTotal: number;
  linesRead: number;
  /** Bytes of the landing files finished so far (skipped ones included) and of all of them. */
  bytesDone: number;
  bytesTotal: number;
  /** Bytes actually read so far: the rate is measured on these. */
  bytesRead: number;
  startedAt: number;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

/** One line of progress: `load [#######.........] 12/30 files  1,234,567 lines  31.2 MB/s  ETA 0:14`. */
export function formatProgress(progress: LoadProgress, now: number): string {
  const fraction = progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const seconds = Math.max(0.001, (now - progress.startedAt) / 1000);
  const rate = progress.bytesRead / seconds;
  const remaining = progress.bytesTotal - progress.bytesDone;
  const eta = rate > 0 && progress.bytesRead > 0 ? formatDuration(remaining / rate) : '–';
  return (
    `load [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${progress.filesDone}/${progress.filesTotal} files  ` +
    `${progress.linesRead.toLocaleString('en-US')} lines  ${(rate / 1e6).toFixed(1)} MB/s  ETA ${eta}`
  );
}

function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export function createLogger(options: { quiet?: boolean; json?: boolean; stream?: NodeJS.WriteStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const json = options.json ?? !stream.isTTY;
  let barShown = false;
  let lastDrawn = 0;
  const clearBar = () => {
    if (barShown) stream.write('\r\x1b[2K');
    barShown = false;
  };
  const event = (name: string, fields: Record<string, unknown> = {}) => {
    if (options.quiet) return;
    if (json) {
      stream.write(`${JSON.stringify({ at: new Date().toISOString(), event: name, ...fields })}\n`);
    } else {
      clearBar();
      const details = Object.entries(fields)
        .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
        .join(' ');
      stream.write(`· ${name}${details ? ` ${details}` : ''}\n`);
    }
  };
  return {
    event,
    step: async (name, work, fields) => {
      const started = performance.now();
      const result = await work();
      event(name, { duration_ms: Math.round(performance.now() - started), ...(fields ? fields(result) : {}) });
      return result;
    },
    progress: (progress) => {
      if (options.quiet || json) return;
      const now = Date.now();
      const last = progress.filesDone === progress.filesTotal;
      if (!last && now - lastDrawn < REDRAW_MS) return;
      lastDrawn = now;
      const columns = stream.columns ?? 100;
      stream.write(`\r\x1b[2K${formatProgress(progress, now).slice(0, Math.max(20, columns - 1))}`);
      barShown = true;
    },
  };
}

export const silentLogger: Logger = createLogger({ quiet: true });
