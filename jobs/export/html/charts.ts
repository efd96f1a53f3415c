import type { TopLevelSpec } from 'vega-lite';
import type { MonthData } from './data.ts';
import { escapeHtml } from './format.ts';

/**
 * The report's charts: Vega-Lite specs compiled and rendered to SVG strings in Node at build time
 * (Vega's headless 'none' renderer: no canvas, no browser, no network). The page inlines them.
 */

export interface ChartText {
  /** Unique within the page; prefixes every id inside the SVG. */
  id: string;
  title: string;
  description: string;
}

const TEXT = '#1f2328';
const MUTED = '#57606a';
const ENERGY = '#1f5fa8';
const SESSIONS = '#2b7a3b';
const DURATION = '#7447c2';
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
// More charge points than this make a bar chart unreadable; the table below it lists them all.
export const MAX_CHARGE_POINTS_CHARTED = 40;

const CONFIG = {
  font: 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif',
  background: '#ffffff',
  view: { stroke: null },
  axis: {
    labelColor: TEXT,
    titleColor: TEXT,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    gridColor: '#d8dee4',
    domainColor: MUTED,
    tickColor: MUTED,
  },
  legend: { labelColor: TEXT, titleColor: TEXT, labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600 },
  header: { labelColor: TEXT, titleColor: TEXT },
} as const;

/**
 * Vega numbers clip paths and gradients from a process-wide counter, so the same chart would get
 * different ids depending on what was drawn before it, and two inline SVGs could collide. Ids are
 * renumbered per chart, in order of appearance, under the chart's own prefix.
 */
function deterministicIds(svg: string, prefix: string): string {
  const ids = [...new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((match) => match[1]!))];
  let out = svg;
  ids.forEach((id, index) => {
    const fresh = `${prefix}-${index + 1}`;
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out
      .replace(new RegExp(`\\bid="${escaped}"`, 'g'), `id="${fresh}"`)
      .replace(new RegExp(`url\\(#${escaped}\\)`, 'g'), `url(#${fresh})`)
      .replace(new RegExp(`href="#${escaped}"`, 'g'), `href="#${fresh}"`);
  });
  return out;
}

/** The chart is one image to assistive technology, named by its title and described in words. */
function accessible(svg: string, text: ChartText): string {
  const titleId = `${text.id}-title`;
  const descId = `${text.id}-desc`;
  return svg.replace(
    /^<svg ([^>]*)>/,
    `<svg id="${text.id}" role="img" aria-labelledby="${titleId} ${descId}" $1>` +
      `<title id="${titleId}">${escapeHtml(text.title)}</title><desc id="${descId}">${escapeHtml(text.description)}</desc>`,
  );
}

export async function renderChart(spec: TopLevelSpec, text: ChartText): Promise<string> {
  // Loaded on first use: a quarter of a second of start-up that a run without HTML, or a query, never needs.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new View(parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return accessible(deterministicIds(svg, `${text.id}-svg`), text);
  } finally {
    view.finalize();
  }
}

/** Wall-clock text 'YYYY-MM-DDTHH:MM:SS' as a UTC instant: drawn on a UTC scale it reads as local time. */
const wallClockMs = (text: string) => Date.parse(`${text}Z`);

export function energyPerDaySpec(data: MonthData): TopLevelSpec {
  return {
    width: 820,
    height: 220,
    data: {
      values: data.days.map((day) => ({
        day: Number(day.day.slice(8, 10)),
        energy_kwh: Number(day.energyWh) / 1000,
        sessions: Number(day.sessions),
      })),
    },
    mark: { type: 'bar', color: ENERGY },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: `Day of the month the session stopped (${data.timezone})`, axis: { labelAngle: 0 } },
      y: { field: 'energy_kwh', type: 'quantitative', title: 'Energy (kWh)' },
    },
  };
}

export function chargePointsSpec(data: MonthData): TopLevelSpec {
  const charted = [...data.chargePoints]
    .sort((a, b) => (a.energyWh === b.energyWh ? a.chargePointId.localeCompare(b.chargePointId) : a.energyWh > b.energyWh ? -1 : 1))
    .slice(0, MAX_CHARGE_POINTS_CHARTED)
    .map((point, rank) => ({
      charge_point_id: point.chargePointId,
      rank,
      sessions: Number(point.sessions),
      energy_kwh: Number(point.energyWh) / 1000,
    }));
  const y = {
    field: 'charge_point_id',
    type: 'nominal',
    sort: { field: 'rank', order: 'ascending' },
    title: null,
    axis: { labelLimit: 180 },
  } as const;
  return {
    data: { values: charted },
    spacing: 24,
    hconcat: [
      {
        width: 300,
        height: { step: 22 },
        mark: { type: 'bar', color: SESSIONS },
        encoding: {
          y,
          x: { field: 'sessions', type: 'quantitative', title: 'Completed sessions', axis: { tickMinStep: 1, format: 'd' } },
        },
      },
      {
        width: 300,
        height: { step: 22 },
        mark: { type: 'bar', color: ENERGY },
        encoding: {
          y: { ...y, axis: null },
          x: { field: 'energy_kwh', type: 'quantitative', title: 'Energy (kWh)' },
        },
      },
    ],
  };
}

export function durationSpec(data: MonthData): TopLevelSpec {
  return {
    width: 340,
    height: 200,
    data: { values: data.sessions.map((session) => ({ duration_h: Number(session.durationS) / 3600 })) },
    mark: { type: 'bar', color: DURATION, binSpacing: 1 },
    encoding: {
      x: { field: 'duration_h', type: 'quantitative', bin: { maxbins: 30 }, title: 'Charge time (hours)', axis: { format: '~g' } },
      y: { aggregate: 'count', type: 'quantitative', title: 'Sessions', axis: { tickMinStep: 1, format: 'd' } },
    },
  };
}

export function energySpec(data: MonthData): TopLevelSpec {
  return {
    width: 340,
    height: 200,
    data: { values: data.sessions.map((session) => ({ energy_kwh: Number(session.energyWh) / 1000 })) },
    mark: { type: 'bar', color: ENERGY, binSpacing: 1 },
    encoding: {
      x: { field: 'energy_kwh', type: 'quantitative', bin: { maxbins: 20 }, title: 'Energy per session (kWh)', axis: { format: '~g' } },
      y: { aggregate: 'count', type: 'quantitative', title: 'Sessions', axis: { tickMinStep: 1, format: 'd' } },
    },
  };
}

export function heatmapSpec(data: MonthData): TopLevelSpec {
  const hours = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, '0'));
  return {
    width: { step: 30 },
    height: { step: 26 },
    data: {
      values: data.heatmap.map((cell) => ({
        weekday: WEEKDAYS[cell.isoWeekday - 1],
        hour: hours[cell.hourOfDay],
        charging_hours: cell.chargingHours,
      })),
    },
    mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
    encoding: {
      x: { field: 'hour', type: 'ordinal', sort: hours, title: `Hour of day (${data.timezone})`, axis: { labelAngle: 0 } },
      y: { field: 'weekday', type: 'ordinal', sort: WEEKDAYS, title: null },
      color: {
        field: 'charging_hours',
        type: 'quantitative',
        title: 'Charging hours',
        // Vega's 'blues' starts at a visible blue, so an idle hour would look used: start near white.
        scale: { range: ['#f4f8fc', '#c6dbef', '#6baed6', '#2171b5', '#08306b'], interpolate: 'rgb', domainMin: 0 },
        legend: { direction: 'vertical', gradientLength: 160 },
      },
    },
  };
}

export function onlineSpec(data: MonthData): TopLevelSpec {
  const known = data.online[0]?.known ?? 0;
  const points = data.online.map((step) => ({ at: wallClockMs(step.changedLocal), online: step.online }));
  const start = points[0]?.at;
  const end = points.at(-1)?.at;
  return {
    width: 820,
    height: 180,
    data: { values: points },
    encoding: {
      x: {
        field: 'at',
        type: 'temporal',
        title: `Local time (${data.timezone})`,
        scale: { type: 'utc', ...(start !== undefined && end !== undefined ? { domain: [start, end] } : {}) },
        axis: { format: '%e %b', labelAngle: 0, tickCount: 'day', labelOverlap: 'greedy' },
      },
      y: {
        field: 'online',
        type: 'quantitative',
        title: `Online (of ${known} known)`,
        scale: { domain: [0, Math.max(known, 1)] },
        axis: { tickMinStep: 1, format: 'd' },
      },
    },
    layer: [
      { mark: { type: 'area', interpolate: 'step-after', color: SESSIONS, opacity: 0.25 } },
      { mark: { type: 'line', interpolate: 'step-after', color: SESSIONS, strokeWidth: 2 } },
    ],
  };
}
