import { existsSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DatasetDoc, SCHEMA_VERSION } from '../catalog/columns.ts';
import type { Db } from '../db.ts';
import { queryRows } from '../db.ts';
import { writeAtomically } from './atomic.ts';
import { type DatasetContext, datasetDir, datasetFilePath, dayOfFile } from './dataset-paths.ts';

export interface ManifestFile {
  path: string;
  month?: string;
  /** Datasets written one file per day. */
  day?: string;
  rows: number;
  bytes: number;
  energy_wh?: number;
}

export interface Manifest {
  dataset: string;
  description: string;
  schema_version: number;
  run_id: number;
  report_timezone: string;
  partitioned_by: string | null;
  sorted_by: string[];
  compression: 'zstd';
  columns: { name: string; type: string; description: string; partition?: true }[];
  files: ManifestFile[];
  rows: number;
  energy_wh?: number;
}

/** The energy total applies to a dataset exactly when it has an energy_wh column. */
const ENERGY_COLUMN = 'energy_wh';

/** The dataset's files as they are on disk now: every month ever exported, not only this run's. */
async function datasetFiles(outDir: string, dataset: DatasetDoc): Promise<{ path: string; month?: string; day?: string }[]> {
  if (!dataset.partitionedBy) return [{ path: `${dataset.name}.parquet` }];
  const entries = await readdir(datasetDir(outDir, dataset.name), { withFileTypes: true });
  const months = entries
    .filter((entry) => entry.isDirectory() && /^month=\d{4}-\d{2}$/.test(entry.name))
    .map((entry) => entry.name.slice('month='.length))
    .sort();
  if (dataset.filesPerDay) {
    const files: { path: string; month: string; day: string }[] = [];
    for (const month of months) {
      const names = (await readdir(join(datasetDir(outDir, dataset.name), `month=${month}`))).sort();
      for (const name of names) {
        const day = dayOfFile(dataset.name, name);
        if (day) files.push({ path: `month=${month}/${name}`, month, day });
      }
    }
    return files;
  }
  return months
    .filter((month) => existsSync(datasetFilePath(outDir, dataset.name, month)))
    .map((month) => ({ path: `month=${month}/${dataset.name}.parquet`, month }));
}

async function describeFile(db: Db, outDir: string, dataset: DatasetDoc, file: { path: string; month?: string }): Promise<ManifestFile> {
  const absolute = join(datasetDir(outDir, dataset.name), file.path);
  const hasEnergy = dataset.columns.some((column) => column.name === ENERGY_COLUMN);
  // Counted from the file itself, so the manifest describes what a reader will find.
  const [counts] = await queryRows(
    db,
    `select count(*) as row_count${hasEnergy ? `, cast(coalesce(sum(${ENERGY_COLUMN}), 0) as bigint) as energy_wh` : ''}
     from read_parquet($path, hive_partitioning = false)`,
    { path: absolute },
  );
  const described: ManifestFile = { ...file, rows: Number(counts!.row_count), bytes: (await stat(absolute)).size };
  if (hasEnergy) described.energy_wh = Number(counts!.energy_wh);
  return described;
}

export async function buildManifest(db: Db, outDir: string, dataset: DatasetDoc, context: DatasetContext): Promise<Manifest> {
  const files: ManifestFile[] = [];
  for (const file of await datasetFiles(outDir, dataset)) files.push(await describeFile(db, outDir, dataset, file));
  const manifest: Manifest = {
    dataset: dataset.name,
    description: dataset.description,
    schema_version: SCHEMA_VERSION,
    run_id: context.runId,
    report_timezone: context.timezone,
    partitioned_by: dataset.partitionedBy ?? null,
    sorted_by: dataset.sortedBy,
    compression: 'zstd',
    columns: dataset.columns.map((column) => ({
      name: column.name,
      type: column.type,
      description: column.description,
      ...(column.name === dataset.partitionedBy ? { partition: true as const } : {}),
    })),
    files,
    rows: files.reduce((sum, file) => sum + file.rows, 0),
  };
  if (dataset.columns.some((column) => column.name === ENERGY_COLUMN)) {
    manifest.energy_wh = files.reduce((sum, file) => sum + (file.energy_wh ?? 0), 0);
  }
  return manifest;
}

export function manifestPath(outDir: string, dataset: string): string {
  return join(datasetDir(outDir, dataset), '_manifest.json');
}

export async function writeManifest(db: Db, outDir: string, dataset: DatasetDoc, context: DatasetContext): Promise<string> {
  const manifest = await buildManifest(db, outDir, dataset, context);
  const target = manifestPath(outDir, dataset.name);
  await writeAtomically(target, (temporary) => writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`));
  return target;
}
