/** One measured process, as the JSON result keeps it. */
export interface Measurement {
  /** Wall seconds of each run. */
  runs: number[];
  medianS: number;
  /** Median user + system CPU seconds (GNU time); null without it. */
  cpuS: number | null;
  mbPerS: number | null;
  linesPerS: number | null;
  /** The largest peak RSS of the runs. */
  peakRssMiB: number;
  loadBefore: number[];
  note: string;
  /** For the runs of ocpp-report run: seconds per step (rest = process start, exports of the whole run, closing). */
  steps?: Record<string, number>;
  slowestModels?: [string, number][];
}

export interface Report {
  size: string;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string; node: string; duckdb: string; loadAverage: number[] };
  landing: {
    chargePoints: number;
    days: number;
    start: string;
    seed: number;
    files: number;
    bytes: number;
    lines: number;
    nextDayBytes: number;
    nextDayLines: number;
  };
  /** Size of the warehouse file the full run (d) leaves. */
  warehouseBytes: number;
  measurements: Record<string, Measurement>;
  /**
   * g_over_*: what the engine's floor (g) scores on the same ratios; g_over_c_cpu by CPU time
   * ((c)'s CPU seconds against (g)'s spread over every core).
   */
  ratios: {
    d_over_b: number;
    d_over_c: number;
    e_over_d: number;
    warehouse_over_landing: number;
    g_over_b: number;
    g_over_c: number;
    g_over_c_cpu: number | null;
  };
  targets: Record<string, string>;
  energy: { naive: { completed: number; energyWh: number }; run: { completed: number; energyWh: number }; agree: boolean };
  floorEnergy: { floor: { completed: number; energyWh: number }; agree: boolean; stagesS: Record<string, number> };
  /** Lines counted by (c), (b) and (g), against a newline count of the files. */
  linesSeen: { naive: number; duckdb: number; floor: number; agree: boolean };
}

const LABELS: Record<string, string> = {
  a_cat: '(a) cat > /dev/null',
  b_duckdb_read_ndjson: '(b) DuckDB read_ndjson',
  c_naive_node: '(c) naive Node',
  d_full_run: '(d) full run',
  d_full_run_html: '(d) full run + HTML',
  e_incremental_night: '(e) incremental night',
  f_export: '(f) export alone',
  g_engine_floor: '(g) engine floor',
};

/** The report as a Markdown table plus the ratios and the energy check (BENCHMARKS.md takes it as is). */
export function formatReport(report: Report): string {
  const { landing, machine } = report;
  const header = [
    `${report.command}: ${landing.chargePoints} charge points × ${landing.days} days from ${landing.start} (seed ${landing.seed}), ` +
      `${landing.files} file${landing.files === 1 ? '' : 's'}, ${(landing.bytes / 1e6).toFixed(1)} MB, ${landing.lines.toLocaleString('en-US')} lines; ` +
      `new night: ${(landing.nextDayBytes / 1e6).toFixed(1)} MB, ${landing.nextDayLines.toLocaleString('en-US')} lines`,
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}, duckdb ${machine.duckdb}; ` +
      `load average at the end ${machine.loadAverage.join(' / ')}`,
    '',
  ];
  const rows = [
    ['measurement', 'median s', 'runs (s)', 'CPU s', 'MB/s', 'lines/s', 'peak RSS MiB', 'note'],
    ['---', '---:', '---', '---:', '---:', '---:', '---:', '---'],
    ...Object.entries(report.measurements).map(([key, m]) => [
      LABELS[key] ?? key,
      m.medianS.toFixed(2),
      m.runs.map((run) => run.toFixed(2)).join(', '),
      m.cpuS === null || m.cpuS === undefined ? '—' : m.cpuS.toFixed(1),
      m.mbPerS === null ? '—' : m.mbPerS.toFixed(1),
      m.linesPerS === null ? '—' : m.linesPerS.toLocaleString('en-US'),
      String(m.peakRssMiB),
      m.note,
    ]),
  ];
  const { ratios, targets, energy } = report;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const peak = Math.max(report.measurements.d_full_run!.peakRssMiB, report.measurements.e_incremental_night!.peakRssMiB);
  return [
    ...header,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
    `| ratio | value | target | |`,
    `| --- | ---: | --- | --- |`,
    `| d/b (full run rate ÷ DuckDB's read rate) | ${ratios.d_over_b.toFixed(3)} | ${targets.d_over_b} | ${verdict(ratios.d_over_b >= 0.5)} |`,
    `| d/c (full run rate ÷ naive Node rate) | ${ratios.d_over_c.toFixed(3)} | ${targets.d_over_c} | ${verdict(ratios.d_over_c >= 1)} |`,
    `| e/d (incremental night ÷ full run, time) | ${ratios.e_over_d.toFixed(3)} | ${targets.e_over_d} | ${verdict(ratios.e_over_d <= 0.05)} |`,
    `| peak RSS of (d) and (e) | ${peak} MiB | ${targets.peak_rss} | ${verdict(peak <= 1024)} |`,
    `| g/b, g/c (the engine's floor, no checks, on the same ratios) | ${ratios.g_over_b.toFixed(3)}, ${ratios.g_over_c.toFixed(3)} | how close a pipeline comes here | |`,
    `| g/c by CPU time ((c)'s CPU s ÷ (g)'s CPU s per core) | ${ratios.g_over_c_cpu === null ? '—' : ratios.g_over_c_cpu.toFixed(3)} | the same, less skewed by other load | |`,
    `| warehouse ÷ landing bytes after (d) | ${ratios.warehouse_over_landing.toFixed(3)} (${(report.warehouseBytes / 2 ** 20).toFixed(0)} MiB) | ${targets.warehouse_over_landing} | ${verdict(ratios.warehouse_over_landing <= 0.3)} |`,
    '',
    ...stepTable(report),
    '',
    `Σ energy of completed transactions: naive ${energy.naive.completed} transactions, ${energy.naive.energyWh} Wh; ` +
      `run ${energy.run.completed} transactions, ${energy.run.energyWh} Wh — ${energy.agree ? 'they agree' : 'THEY DIFFER'}`,
    `Σ energy of the engine's floor (g): ${report.floorEnergy.floor.completed} transactions, ${report.floorEnergy.floor.energyWh} Wh — ${report.floorEnergy.agree ? 'it agrees with (c)' : 'IT DIFFERS FROM (c)'}; ` +
      `its stages (s): ${Object.entries(report.floorEnergy.stagesS)
        .map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`)
        .join(', ')}`,
    `Lines read: (b) ${report.linesSeen.duckdb}, (c) ${report.linesSeen.naive}, (g) ${report.linesSeen.floor} of ${landing.lines} — ${report.linesSeen.agree ? 'all' : 'NOT ALL'}`,
  ].join('\n');
}

/** Where the time of (d) and (e) goes, step by step. */
function stepTable(report: Report): string[] {
  const runs = (['d_full_run', 'e_incremental_night'] as const).map((key) => [key, report.measurements[key]] as const);
  if (runs.some(([, m]) => !m?.steps)) return [];
  const steps = Object.keys(runs[0]![1]!.steps!);
  return [
    '',
    `| step (s) | ${runs.map(([key]) => LABELS[key]).join(' | ')} |`,
    `| --- | ${runs.map(() => '---:').join(' | ')} |`,
    ...steps.map((step) => `| ${step} | ${runs.map(([, m]) => (m!.steps![step] ?? 0).toFixed(2)).join(' | ')} |`),
    `| slowest models | ${runs.map(([, m]) => m!.slowestModels!.map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ')).join(' | ')} |`,
  ];
}
