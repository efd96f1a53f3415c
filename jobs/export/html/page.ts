import { chargePointBars } from './charts.ts';
import type { MonthData } from './data.ts';
import { escapeHtml, formatCount, formatHours, formatKwh, monthLabel } from './format.ts';

/** The SVG of every chart on the month's page, already rendered (charts.ts). */
export interface MonthCharts {
  energyPerDay: string;
  chargePoints: string;
  duration: string | null;
  energy: string | null;
  heatmap: string;
  online: string;
}

// A longer id cannot stay on one line without overflowing a printed page: it may break anywhere.
const LONG_ID = 24;

// The page may never fetch or run anything: a hostile text that slipped through would still be inert.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: #1f2328; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 920px; margin: 0 auto; padding: 24px 20px 48px; background: #ffffff; }
header p, .note, figcaption, footer { color: #57606a; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d8dee4; }
h3 { font-size: 1rem; margin: 16px 0 4px; }
a { color: #0a58ca; }
nav { margin-bottom: 12px; font-size: 0.9rem; }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; margin: 12px 0 0; }
.figures div { border: 1px solid #d8dee4; border-radius: 6px; padding: 10px 14px; }
.figures dt { font-size: 0.85rem; color: #57606a; }
.figures dd { margin: 2px 0 0; font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.figures dd .unit { font-size: 0.95rem; font-weight: 500; margin-left: 4px; color: #57606a; }
.figures .warn dd { color: #a40e26; }
figure { margin: 12px 0; }
figcaption { font-size: 0.9rem; margin-top: 4px; }
svg { display: block; max-width: 100%; height: auto; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 6px 0; }
th, td { padding: 4px 6px; border-bottom: 1px solid #d8dee4; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #57606a; }
.num { text-align: right; }
tfoot th, tfoot td { font-weight: 650; border-top: 2px solid #57606a; }
/* ids and idTags break only when a single one is wider than its column (hostile data can be long) */
.text { overflow-wrap: break-word; }
tbody .time, tbody .id { white-space: nowrap; }
.table-wrap { overflow-x: auto; }
@media (max-width: 640px) { .figures { grid-template-columns: repeat(2, minmax(0, 1fr)); } .figures dd { font-size: 1.15rem; overflow-wrap: anywhere; } .figures dd .unit { display: inline-block; white-space: nowrap; } }
@media (max-width: 360px) { .figures { grid-template-columns: minmax(0, 1fr); } }
.pair { grid-template-columns: repeat(auto-fit, minmax(min(380px, 100%), 1fr)); }
details { margin: 6px 0; }
summary { cursor: pointer; color: #0a58ca; }
@media print {
  @page { margin: 14mm; }
  body { background: #ffffff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav, summary { display: none; }
  details > *:not(summary) { display: block; }
  /* a heading, its note and a table's caption stay with what follows them */
  h2, h3, .note, caption { break-after: avoid; }
  /* a long table may run over pages (its header repeats), but a row never splits */
  figure, .figures, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; }
  /* ids are one token: "CP-0005" never splits at its hyphen; only a very long one may break */
  tbody .id { white-space: nowrap; }
  tbody .id.long { white-space: normal; overflow-wrap: anywhere; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
`;

/** A whole page in the reports' style; `head` adds trusted markup (e.g. a refresh), `style` more CSS. */
export function htmlDocument(title: string, body: string, extra: { head?: string; style?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="ocpp-report">${extra.head ? `\n${extra.head}` : ''}
<title>${escapeHtml(title)}</title>
<style>${STYLE}${extra.style ?? ''}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

interface Figure {
  key: string;
  label: string;
  value: string;
  unit?: string;
  warn?: boolean;
}

function headline(data: MonthData): string {
  const { summary } = data;
  const figures: Figure[] = [
    { key: 'completed_sessions', label: 'Completed sessions', value: formatCount(summary.completedSessions) },
    { key: 'energy_kwh', label: 'Energy delivered', value: formatKwh(summary.energyWh), unit: 'kWh' },
    { key: 'charging_hours', label: 'Charging time', value: formatHours(summary.durationS), unit: 'h' },
    { key: 'active_charge_points', label: 'Charge points that charged', value: formatCount(summary.activeChargePoints) },
    // Sessions running past the month's end are normal, not a fault: no alarm colour.
    {
      key: 'open_sessions',
      label: 'Still running (started in the month, no stop yet)',
      value: formatCount(summary.openSessions),
    },
    summary.flaggedSessions === null
      ? {
          key: 'stops_without_start',
          label: 'Stops without a start (not billed)',
          value: formatCount(summary.stopsWithoutStart),
          warn: summary.stopsWithoutStart > 0n,
        }
      : {
          key: 'flagged_sessions',
          label: 'Flagged sessions',
          value: formatCount(summary.flaggedSessions),
          warn: summary.flaggedSessions > 0n,
        },
  ];
  const items = figures.map(
    (figure) =>
      `<div${figure.warn ? ' class="warn"' : ''}><dt>${escapeHtml(figure.label)}</dt>` +
      `<dd data-figure="${figure.key}">${figure.value}${figure.unit ? `<span class="unit">${figure.unit}</span>` : ''}</dd></div>`,
  );
  return `<section aria-labelledby="at-a-glance">
<h2 id="at-a-glance">At a glance</h2>
<dl class="figures">
${items.join('\n')}
</dl>
<p class="note">Sessions, energy and charging time count completed sessions whose stop falls in ${escapeHtml(monthLabel(data.month))} (the month they are billed in); they equal the month's workbook and Parquet file. Open sessions are counted in the month they started.</p>
</section>`;
}

function figure(svg: string, caption: string): string {
  return `<figure>
${svg}
<figcaption>${escapeHtml(caption)}</figcaption>
</figure>`;
}

/** num: right-aligned figures; id and time: kept on one line; text: wraps. */
type CellKind = 'num' | 'text' | 'time' | 'id';

function table(id: string, caption: string, headers: { label: string; kind?: CellKind }[], rows: string[][], footer?: string[]): string {
  const kind = (index: number) => headers[index]!.kind ?? 'text';
  const head = headers.map((header, index) => `<th scope="col" class="${kind(index)}">${escapeHtml(header.label)}</th>`).join('');
  // value is escaped HTML: its length over-counts entities, which only errs towards breaking
  const classes = (value: string, index: number) => (kind(index) === 'id' && value.length > LONG_ID ? 'id long' : kind(index));
  const cell = (value: string, index: number) =>
    index === 0 ? `<th scope="row" class="${classes(value, index)}">${value}</th>` : `<td class="${classes(value, index)}">${value}</td>`;
  const body = rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n');
  const foot = footer ? `\n<tfoot><tr>${footer.map(cell).join('')}</tr></tfoot>` : '';
  return `<div class="table-wrap"><table id="${id}">
<caption>${escapeHtml(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>${foot}
</table></div>`;
}

function energyPerDay(data: MonthData, charts: MonthCharts): string {
  const rows = data.days.map((day) => [escapeHtml(day.day), formatCount(day.sessions), formatKwh(day.energyWh)]);
  return `<section aria-labelledby="energy-per-day">
<h2 id="energy-per-day">Energy per day</h2>
${figure(charts.energyPerDay, `Energy of the completed sessions by the day they stopped (${data.timezone}).`)}
<details>
<summary>Show the numbers</summary>
${table(
  'energy-per-day-table',
  `Energy per day, ${monthLabel(data.month)}`,
  [
    { label: 'Day', kind: 'time' },
    { label: 'Sessions', kind: 'num' },
    { label: 'Energy (kWh)', kind: 'num' },
  ],
  rows,
)}
</details>
</section>`;
}

function chargePoints(data: MonthData, charts: MonthCharts): string {
  const rows = data.chargePoints.map((point) => [
    escapeHtml(point.chargePointId),
    formatCount(point.sessions),
    formatKwh(point.energyWh),
    formatHours(point.durationS),
  ]);
  const total = [
    'Total',
    formatCount(data.summary.completedSessions),
    formatKwh(data.summary.energyWh),
    formatHours(data.summary.durationS),
  ];
  const charted = new Set(chargePointBars(data).map((bar) => bar.label));
  const others = data.chargePoints.filter((point) => !charted.has(point.chargePointId));
  const caption =
    others.length > 0
      ? `The ${charted.size} charge points with the most energy, of ${data.chargePoints.length}. ` +
        `The other ${others.length}: ${formatCount(others.reduce((sum, point) => sum + point.sessions, 0n))} sessions, ` +
        `${formatKwh(others.reduce((sum, point) => sum + point.energyWh, 0n))} kWh. The table lists them all.`
      : 'Completed sessions and their energy per charge point, most energy first.';
  return `<section aria-labelledby="per-charge-point">
<h2 id="per-charge-point">Sessions and energy per charge point</h2>
${data.chargePoints.length > 0 ? figure(charts.chargePoints, caption) : '<p>No charge point was heard from in this month.</p>'}
${table(
  'charge-points-table',
  `Per charge point, ${monthLabel(data.month)} (charge points heard from in the month)`,
  [
    { label: 'Charge point', kind: 'id' },
    { label: 'Sessions', kind: 'num' },
    { label: 'Energy (kWh)', kind: 'num' },
    { label: 'Charging time (h)', kind: 'num' },
  ],
  rows,
  total,
)}
</section>`;
}

function distributions(charts: MonthCharts): string {
  const body =
    charts.duration && charts.energy
      ? `<div class="pair">
${figure(charts.duration, 'Number of completed sessions by charge time.')}
${figure(charts.energy, 'Number of completed sessions by energy delivered.')}
</div>`
      : '<p>No completed sessions in this month.</p>';
  return `<section aria-labelledby="distributions">
<h2 id="distributions">Session charge time and energy</h2>
${body}
</section>`;
}

function utilisation(data: MonthData, charts: MonthCharts): string {
  return `<section aria-labelledby="utilisation">
<h2 id="utilisation">When charge points are in use</h2>
${figure(
  charts.heatmap,
  `Average charging hours per day of the month's completed sessions, by weekday and hour of day (${data.timezone}): each cell is the charging hours in that hour on that weekday divided by the number of such weekdays of the month the warehouse has data for (in brackets), so weekdays that occur five times do not look busier. 1.0 means one charge point charging the whole hour on an average such day. A row adds up to an average day's charging hours; each cell times its number of days adds up to the charging time above.`,
)}
</section>`;
}

function online(charts: MonthCharts): string {
  return `<section aria-labelledby="online">
<h2 id="online">Charge points online</h2>
${figure(
  charts.online,
  'A charge point counts as online from each message to or from it until twice its heartbeat interval (10 minutes if unknown) passes without another. Shaded: no data (before the first line the warehouse holds or after its newest one), not an outage.',
)}
</section>`;
}

const STATUS_LABELS: Record<string, string> = {
  open: 'open',
  stop_without_start: 'no start',
};

function exceptions(data: MonthData): string {
  const optional = (value: bigint | number | null) => (value === null ? '' : formatCount(value));
  const text = (value: string | null) => (value === null ? '' : escapeHtml(value));
  const rows = data.exceptions.map((row) => [
    escapeHtml(row.chargePointId),
    optional(row.transactionId),
    optional(row.connectorId),
    text(row.idTag),
    text(row.startedLocal),
    text(row.stoppedLocal),
    optional(row.meterStartWh),
    optional(row.meterStopWh),
    escapeHtml(STATUS_LABELS[row.status] ?? row.status),
  ]);
  const body =
    rows.length === 0
      ? '<p>None: every session of the month was completed.</p>'
      : table(
          'exceptions-table',
          `Sessions not billed in ${monthLabel(data.month)} (${formatCount(rows.length)})`,
          [
            { label: 'Charge point', kind: 'id' },
            { label: 'Transaction', kind: 'num' },
            { label: 'Connector', kind: 'num' },
            { label: 'Customer (idTag)', kind: 'id' },
            { label: `Started (${data.timezone})`, kind: 'time' },
            { label: `Stopped (${data.timezone})`, kind: 'time' },
            { label: 'Meter start (Wh)', kind: 'num' },
            { label: 'Meter stop (Wh)', kind: 'num' },
            { label: 'Status' },
          ],
          rows,
        );
  return `<section aria-labelledby="exceptions">
<h2 id="exceptions">Exceptions</h2>
<p class="note">Sessions that are not billed: <em>open</em> ones (started in the month, no stop in the data yet) and stops whose start is not in the data (<em>no start</em>, stopped in the month).</p>
${body}
${flagged(data)}
</section>`;
}

function flagged(data: MonthData): string {
  if (data.flagged === null) return '';
  const optional = (value: bigint | null) => (value === null ? '' : formatCount(value));
  const text = (value: string | null) => (value === null ? '' : escapeHtml(value));
  const rows = data.flagged.map((row) => [
    escapeHtml(row.chargePointId),
    optional(row.transactionId),
    text(row.idTag),
    text(row.startedLocal),
    text(row.stoppedLocal),
    row.energyWh === null ? '' : formatKwh(row.energyWh),
    escapeHtml(STATUS_LABELS[row.status] ?? row.status),
    escapeHtml(row.flags),
  ]);
  const body =
    rows.length === 0
      ? '<p>None.</p>'
      : table(
          'flagged-table',
          `Flagged sessions, ${monthLabel(data.month)} (${formatCount(rows.length)})`,
          [
            { label: 'Charge point', kind: 'id' },
            { label: 'Transaction', kind: 'num' },
            { label: 'Customer (idTag)', kind: 'id' },
            { label: `Started (${data.timezone})`, kind: 'time' },
            { label: `Stopped (${data.timezone})`, kind: 'time' },
            { label: 'Energy (kWh)', kind: 'num' },
            { label: 'Status' },
            { label: 'Flags' },
          ],
          rows,
        );
  return `<h3 id="flagged">Flagged sessions</h3>
<p class="note">Sessions the data-quality checks flag for review; they stay in the figures above.</p>
${body}`;
}

export function monthPage(data: MonthData, charts: MonthCharts): string {
  const label = monthLabel(data.month);
  const body = `<nav aria-label="Reports"><a href="index.html">All months</a></nav>
<header>
<h1>Charging report: ${escapeHtml(label)}</h1>
<p>Time zone ${escapeHtml(data.timezone)} · run ${data.runId}</p>
</header>
${headline(data)}
${energyPerDay(data, charts)}
${chargePoints(data, charts)}
${distributions(charts)}
${utilisation(data, charts)}
${online(charts)}
${exceptions(data)}
<footer><p>Generated by ocpp-report from the warehouse. The month's workbook (excel/ocpp-report-${escapeHtml(data.month)}.xlsx) and Parquet file hold every transaction.</p></footer>`;
  return htmlDocument(`Charging report: ${label}`, body);
}

/** Links to every month's page, newest first. */
export function indexPage(months: string[]): string {
  const items = [...months]
    .sort()
    .reverse()
    .map((month) => `<li><a href="ocpp-report-${escapeHtml(month)}.html">${escapeHtml(monthLabel(month))}</a></li>`);
  const body = `<header>
<h1>Charging reports</h1>
<p>One page per month; sessions count in the month they stopped.</p>
</header>
<section aria-labelledby="live">
<h2 id="live">Now</h2>
<p><a href="status.html">Network status</a>: every charge point online or offline and every open session, as of the latest run.</p>
</section>
<section aria-labelledby="months">
<h2 id="months">Months</h2>
${items.length > 0 ? `<ul>\n${items.join('\n')}\n</ul>` : '<p>No monthly report yet.</p>'}
</section>`;
  return htmlDocument('Charging reports', body);
}
