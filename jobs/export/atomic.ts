import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file under a temporary name in the same directory and renames it into place, so a
 * reader sees the previous complete file or the new complete file, never a partial one.
 */
export async function writeAtomically(target: string, write: (temporaryPath: string) => Promise<void>): Promise<void> {
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    await write(temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

const TEMPORARY = /^\..+\.\d+\.tmp$/;

/**
 * Removes temporary files a killed run left behind. Called while holding the run lock, so no
 * other writer can own them. Readers never look at them (they are dot-files with .tmp).
 */
export async function removeStaleTemporaries(outDir: string): Promise<number> {
  const entries = await readdir(outDir, { recursive: true, withFileTypes: true }).catch(() => []);
  const stale = entries.filter((entry) => entry.isFile() && TEMPORARY.test(entry.name));
  for (const entry of stale) await rm(join(entry.parentPath, entry.name), { force: true });
  return stale.length;
}
