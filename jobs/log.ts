/**
 * Run events on stderr: one JSON object per line when stderr is not a terminal (cron, CI, log
 * shippers), a short readable line on a terminal, nothing with --quiet.
 */
export interface Logger {
  event: (event: string, fields?: Record<string, unknown>) => void;
  /** Times a step and logs it with its duration. */
  step: <T>(event: string, work: () => Promise<T>, fields?: (result: T) => Record<string, unknown>) => Promise<T>;
}

export function createLogger(options: { quiet?: boolean; json?: boolean } = {}): Logger {
  const json = options.json ?? !process.stderr.isTTY;
  const event = (name: string, fields: Record<string, unknown> = {}) => {
    if (options.quiet) return;
    if (json) {
      process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), event: name, ...fields })}\n`);
    } else {
      const details = Object.entries(fields)
        .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
        .join(' ');
      process.stderr.write(`· ${name}${details ? ` ${details}` : ''}\n`);
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
  };
}

export const silentLogger: Logger = createLogger({ quiet: true });
