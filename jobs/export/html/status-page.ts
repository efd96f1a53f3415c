import type { ChargePointState, ConnectorState, OpenSession, StatusData } from '../status.ts';
import { escapeHtml, formatCount, formatLocalTime, formatSilence } from './format.ts';
import { htmlDocument } from './page.ts';

/**
 * The status page's markup. Every text from the data is escaped (charge point ids and idTags are
 * whatever a charge point sent). Rows carry data-* attributes that tools and tests read:
 * data-charge-point and data-state on charge points; data-charge-point, data-transaction and
 * data-energy-wh on open sessions.
 */

// An open tab follows the micro-batches by reloading itself: no script is needed for that.
export const REFRESH_SECONDS = 60;

const STYLE = `
main { max-width: 1240px; }
.state { font-weight: 650; white-space: nowrap; }
.state::before { content: ""; display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%; margin-right: 0.4em; vertical-align: 0; }
.state.online { color: #1a7f37; }
.state.online::before { background: #1a7f37; }
.state.offline { color: #a40e26; }
.state.offline::before { background: #a40e26; }
tr[data-state="offline"] { background: #fff5f5; }
.alert { border: 2px solid #a40e26; background: #fff5f5; color: #6e0a1b; border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.alert strong { display: block; font-size: 1.1rem; }
.figures .small { font-size: 1.05rem; line-height: 1.35; }
.connectors { margin: 0; padding: 0; list-style: none; }
.connectors li { white-space: nowrap; }
.muted { color: #57606a; }
/* a phone: each row becomes a card, each cell a line with its column's name */
@media (max-width: 640px) {
  main { padding: 16px 12px 32px; }
  table.cards, table.cards tbody, table.cards tr, table.cards td, table.cards th { display: block; width: 100%; }
  table.cards thead { display: none; }
  table.cards caption { display: block; }
  table.cards tr { border: 1px solid #d8dee4; border-radius: 6px; margin: 0 0 10px; padding: 4px 10px; }
  table.cards td, table.cards th[scope="row"] { border: 0; padding: 3px 0; display: flex; gap: 12px; justify-content: space-between; text-align: right; }
  table.cards td::before, table.cards th[scope="row"]::before { content: attr(data-label); color: #57606a; font-weight: 400; text-align: left; flex: none; }
  table.cards .id, table.cards .text { overflow-wrap: anywhere; }
  table.cards tbody .time { white-space: normal; }
}
`;

const time = (micros: bigint | null, timezone: string) =>
  micros === null ? '' : `<time datetime="${isoSeconds(micros)}">${escapeHtml(formatLocalTime(micros, timezone))}</time>`;

function isoSeconds(micros: bigint): string {
  return new Date(Number(micros / 1000n)).toISOString().replace(/\.\d+Z$/, 'Z');
}

function cell(label: string, kind: string, content: string, header = false): string {
  const tag = header ? 'th' : 'td';
  return `<${tag}${header ? ' scope="row"' : ''} class="${kind}" data-label="${escapeHtml(label)}">${content}</${tag}>`;
}

function connectorList(connectors: ConnectorState[]): string {
  if (connectors.length === 0) return '<span class="muted">no status yet</span>';
  const items = connectors.map((connector) => {
    const name = connector.connectorId === 0 ? 'charge point' : connector.connectorId === null ? '?' : String(connector.connectorId);
    const error = connector.errorCode && connector.errorCode !== 'NoError' ? ` (${escapeHtml(connector.errorCode)})` : '';
    return `<li>${escapeHtml(name)}: ${escapeHtml(connector.status ?? 'unknown')}${error}</li>`;
  });
  return `<ul class="connectors">${items.join('')}</ul>`;
}

const CHARGE_POINT_COLUMNS = [
  ['Charge point', 'id'],
  ['State', 'text'],
  ['Silent for', 'num'],
  ['Last seen', 'time'],
  ['Last boot', 'time'],
  ['Vendor / model', 'text'],
  ['Firmware', 'text'],
  ['Connectors (latest status)', 'text'],
] as const;

function chargePointRow(point: ChargePointState, timezone: string): string {
  const state = point.online ? 'online' : 'offline';
  const vendorModel = [point.vendor, point.model].filter((part): part is string => part !== null).join(' / ');
  const values = [
    escapeHtml(point.chargePointId),
    `<span class="state ${state}">${point.online ? 'Online' : 'Offline'}</span>`,
    escapeHtml(formatSilence(point.silentS)),
    time(point.lastSeenAtUs, timezone),
    point.lastBootAtUs === null ? '<span class="muted">none logged</span>' : time(point.lastBootAtUs, timezone),
    escapeHtml(vendorModel),
    escapeHtml(point.firmwareVersion ?? ''),
    connectorList(point.connectors),
  ];
  const cells = values.map((value, index) => {
    const [label, kind] = CHARGE_POINT_COLUMNS[index]!;
    return cell(label, kind, value, index === 0);
  });
  return `<tr data-charge-point="${escapeHtml(point.chargePointId)}" data-state="${state}">${cells.join('')}</tr>`;
}

const SESSION_COLUMNS = [
  ['Charge point', 'id'],
  ['Transaction', 'num'],
  ['Connector', 'num'],
  ['Customer (idTag)', 'id'],
  ['Started', 'time'],
  ['Running for', 'num'],
  ['Last known dispense (Wh)', 'num'],
  ['Sampled at', 'time'],
  ['Source', 'text'],
] as const;

/** Digits grouped for reading; the exact figure, decimals included, stays as reported. */
function groupedExact(value: string): string {
  const [whole, fraction] = value.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

function sessionRow(session: OpenSession, timezone: string): string {
  const values = [
    escapeHtml(session.chargePointId),
    formatCount(session.transactionId),
    session.connectorId === null ? '' : formatCount(session.connectorId),
    escapeHtml(session.idTag ?? ''),
    time(session.startedAtUs, timezone),
    session.runningS === null ? '' : escapeHtml(formatSilence(session.runningS)),
    session.energyRegisterWh === null ? '' : escapeHtml(groupedExact(session.energyRegisterWh)),
    time(session.sampledAtUs, timezone),
    escapeHtml(session.source),
  ];
  const cells = values.map((value, index) => {
    const [label, kind] = SESSION_COLUMNS[index]!;
    return cell(label, kind, value, index === 0);
  });
  return (
    `<tr data-charge-point="${escapeHtml(session.chargePointId)}" data-transaction="${session.transactionId}"` +
    ` data-energy-wh="${escapeHtml(session.energyRegisterWh ?? '')}">${cells.join('')}</tr>`
  );
}

function table(id: string, caption: string, columns: readonly (readonly [string, string])[], rows: string[]): string {
  const head = columns.map(([label, kind]) => `<th scope="col" class="${kind}">${escapeHtml(label)}</th>`).join('');
  return `<div class="table-wrap"><table id="${id}" class="cards">
<caption>${escapeHtml(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

function feedStale(data: StatusData): boolean {
  return data.newestAgeS === null || data.newestAgeS > data.staleAfterS;
}

function header(data: StatusData): string {
  const { timezone } = data;
  const online = data.chargePoints.filter((point) => point.online).length;
  const offline = data.chargePoints.length - online;
  const charging = data.chargePoints.filter((point) => point.online && point.openTransactionId !== null).length;
  const newest =
    data.newestLoggedAtUs === null
      ? '<dd class="small" data-figure="newest_line">none yet</dd>'
      : `<dd class="small" data-figure="newest_line">${time(data.newestLoggedAtUs, timezone)}<br>` +
        `<span class="muted">${escapeHtml(formatSilence(data.newestAgeS!))} ago</span></dd>`;
  const alert = !feedStale(data)
    ? ''
    : data.newestLoggedAtUs === null
      ? `<div class="alert" role="alert" data-feed="stale"><strong>No data: nothing has been received yet.</strong> The charge points' messages have not reached the warehouse; check the log feed into the landing directory.</div>`
      : `<div class="alert" role="alert" data-feed="stale"><strong>The feed is stale: nothing received for ${escapeHtml(formatSilence(data.newestAgeS!))}.</strong> ` +
        `That is longer than any charge point's offline threshold (${escapeHtml(formatSilence(data.staleAfterS))}), so the charge points below show as offline ` +
        'because no data arrives, not necessarily because they are down. Check the log feed into the landing directory first.</div>';
  return `<header>
<h1>Network status</h1>
<p>As of ${time(data.asOfUs, timezone)} (${escapeHtml(timezone)})${data.runId === undefined ? '' : ` · run ${data.runId}`} · this page reloads every minute</p>
</header>
${alert}
<dl class="figures">
<div><dt>Newest line received</dt>${newest}</div>
<div><dt>Online</dt><dd data-figure="online">${formatCount(online)}</dd></div>
<div${offline > 0 ? ' class="warn"' : ''}><dt>Offline</dt><dd data-figure="offline">${formatCount(offline)}</dd></div>
<div><dt>Charging (online, with an open session)</dt><dd data-figure="charging">${formatCount(charging)}</dd></div>
<div><dt>Open sessions</dt><dd data-figure="open_sessions">${formatCount(data.openSessions.length)}</dd></div>
</dl>`;
}

export function statusPage(data: StatusData): string {
  const { timezone } = data;
  const points =
    data.chargePoints.length === 0
      ? '<p>No charge point has been heard from yet.</p>'
      : table(
          'charge-points-status',
          `Charge points (${formatCount(data.chargePoints.length)}), silent ones first; times in ${timezone}`,
          CHARGE_POINT_COLUMNS,
          data.chargePoints.map((point) => chargePointRow(point, timezone)),
        );
  const sessions =
    data.openSessions.length === 0
      ? '<p>No session is open.</p>'
      : table(
          'open-sessions',
          `Open sessions (${formatCount(data.openSessions.length)}), newest first; times in ${timezone}`,
          SESSION_COLUMNS,
          data.openSessions.map((session) => sessionRow(session, timezone)),
        );
  const body = `<nav aria-label="Reports"><a href="index.html">Monthly reports</a></nav>
${header(data)}
<section aria-labelledby="charge-points">
<h2 id="charge-points">Charge points</h2>
<p class="note">Online: a message to or from the charge point within its offline threshold, twice the heartbeat interval of its latest boot (10 minutes when unknown), the rule of <code>ocpp-report query active</code>. The state shown for a connector is its latest StatusNotification.</p>
${points}
</section>
<section aria-labelledby="sessions">
<h2 id="sessions">Open sessions</h2>
<p class="note">Sessions started and not yet stopped. The last known dispense is the latest Energy.Active.Import.Register reading of the session, exactly as the charge point reported it, else its start meter reading; the source says which (as <code>ocpp-report query dispense</code>).</p>
${sessions}
</section>
<footer><p>Generated by ocpp-report from the warehouse; every run rewrites this page.</p></footer>`;
  return htmlDocument('Network status', body, {
    head: `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`,
    style: STYLE,
  });
}
