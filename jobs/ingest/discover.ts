import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const LANDING_FILE = /\.ndjson(\.gz)?$/;

/** Every *.ndjson / *.ndjson.gz under the landing directory, recursively, in a stable order. */
export async function discoverLandingFiles(landingDir: string): Promise<string[]> {
  const entries = await readdir(landingDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && LANDING_FILE.test(entry.name))
    .map((entry) => resolve(join(entry.parentPath, entry.name)))
    .sort();
}
