import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/** One process run: wall time, the peak RSS of the process, and what it printed. */
export interface ProcessRun {
  wallS: number;
  /** User + system CPU seconds of the process and its children (GNU time's %U + %S); null without it. */
  cpuS: number | null;
  /** Peak resident set size in bytes (GNU time's %M, else the /proc high-water mark). */
  peakRssBytes: number;
  stdout: string;
  stderr: string;
  /** 1-minute load average when it started: other work on the machine skews a run. */
  loadBefore: number;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs a command as its own process and measures it from outside: wall time from spawn to exit,
 * peak RSS from GNU time (the child's getrusage maxrss) or, without it, from polling VmHWM.
 * A non-zero exit throws with the command's stderr.
 */
export async function measure(
  command: string,
  args: string[],
  options: { cwd?: string; stdoutToNull?: boolean } = {},
): Promise<ProcessRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'ocpp-bench-time-'));
  const timeFile = join(scratch, 'time.txt');
  const useGnuTime = existsSync(GNU_TIME);
  const [file, argv] = useGnuTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]] : [command, args];
  const loadBefore = loadavg()[0]!;
  const started = performance.now();
  const child = spawn(file, argv, { cwd: options.cwd, stdio: ['ignore', options.stdoutToNull ? 'ignore' : 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  let polledPeakKb = 0;
  const poll = useGnuTime
    ? undefined
    : setInterval(() => {
        const status = readStatus(child.pid);
        const hwm = /VmHWM:\s+(\d+)/.exec(status)?.[1];
        if (hwm) polledPeakKb = Math.max(polledPeakKb, Number(hwm));
      }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallS = (performance.now() - started) / 1000;
  if (poll) clearInterval(poll);
  try {
    if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    // GNU time's last line: peak RSS in KB, user and system seconds
    const timed = useGnuTime ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : null;
    const peakKb = timed ? timed[0]! : polledPeakKb;
    const cpuS = timed ? timed[1]! + timed[2]! : null;
    return { wallS, cpuS, peakRssBytes: peakKb * 1024, stdout, stderr, loadBefore };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function readStatus(pid: number | undefined): string {
  try {
    return pid === undefined ? '' : readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
