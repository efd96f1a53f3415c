import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError, EXIT } from './errors.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds `<warehouse>.lock` while `work` runs. A second run exits at once with status 75; a lock
 * left by a killed run (its pid no longer alive) is taken over, so a crash never blocks the next night.
 */
export async function withLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new CliError(`another run holds ${lockPath}; try again when it has finished`, EXIT.locked);
        }
        throw error;
      }
      const holder = Number.parseInt((await readFile(lockPath, 'utf8').catch(() => '')).trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new CliError(`another run (pid ${holder}) holds ${lockPath}; try again when it has finished`, EXIT.locked);
      }
      await rm(lockPath, { force: true }); // stale: its run was killed
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}
