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
// More bars than this do not fit a page and cannot be read: the chart shows the top charge points by
// energy, its caption the others' total, and the table below lists them all.
export const MAX_CHARGE_POINTS_CHARTED = 20;
const NO_DATA = '#eaeef2';

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

/**
 * A bar per charge point, the top ones by energy. The rest are not summed into one more bar: their
 * total would dwarf every other bar and flatten the scale; the caption gives it and the table below
 * lists every charge point.
 */
export function chargePointBars(data: MonthData): { label: string; rank: number; sessions: number; energy_kwh: number }[] {
  return [...data.chargePoints]
    .sort((a, b) => (a.energyWh === b.energyWh ? (a.chargePointId < b.chargePointId ? -1 : 1) : a.energyWh > b.energyWh ? -1 : 1))
    .slice(0, MAX_CHARGE_POINTS_CHARTED)
    .map((point, rank) => ({
      label: point.chargePointId,
      rank,
      sessions: Number(point.sessions),
      energy_kwh: Number(point.energyWh) / 1000,
    }));
}

export function chargePointsSpec(data: MonthData): TopLevelSpec {
  const y = {
    field: 'label',
    type: 'nominal',
    sort: { field: 'rank', order: 'ascending' },
    title: null,
    axis: { labelLimit: 180 },
  } as const;
  return {
    data: { values: chargePointBars(data) },
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
        weekday: `${WEEKDAYS[cell.isoWeekday - 1]} (${cell.weekdayDays})`,
        hour: hours[cell.hourOfDay],
        avg_charging_hours: cell.avgChargingHoursPerDay,
      })),
    },
    mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
    encoding: {
      x: { field: 'hour', type: 'ordinal', sort: hours, title: `Hour of day (${data.timezone})`, axis: { labelAngle: 0 } },
      y: {
        field: 'weekday',
        type: 'ordinal',
        title: 'Weekday (days with data)',
        scale: {
          domain: WEEKDAYS.map((day, index) => `${day} (${data.heatmap.find((cell) => cell.isoWeekday === index + 1)?.weekdayDays ?? 0})`),
        },
      },
      color: {
        field: 'avg_charging_hours',
        type: 'quantitative',
        title: ['Charging hours', 'per day (average)'],
        // Vega's 'blues' starts at a visible blue, so an idle hour would look used: start near white.
        scale: { range: ['#f4f8fc', '#c6dbef', '#6baed6', '#2171b5', '#08306b'], interpolate: 'rgb', domainMin: 0 },
        legend: { direction: 'vertical', gradientLength: 160 },
      },
    },
  } as TopLevelSpec;
}

/**
 * The online count as a step line over the part of the month the warehouse has data for. Before
 * the first line and after the newest one nothing is known: those stretches are shaded "no data"
 * instead of being drawn as zero charge points online, which would read as an outage.
 */
export function onlineSeries(data: MonthData): { at: number; online: number }[] {
  if (!data.coverage) return [];
  const from = wallClockMs(data.coverage.fromLocal);
  const until = wallClockMs(data.coverage.untilLocal);
  const steps = data.online.map((step) => ({ at: wallClockMs(step.changedLocal), online: step.online }));
  const before = steps.filter((step) => step.at <= from).at(-1);
  const inside = steps.filter((step) => step.at > from && step.at < until);
  const points = [{ at: from, online: before?.online ?? 0 }, ...inside];
  // the line runs on to the newest line at the count in effect there
  points.push({ at: until, online: points.at(-1)!.online });
  return points;
}

export function onlineSpec(data: MonthData): TopLevelSpec {
  const known = data.online[0]?.known ?? 0;
  const points = onlineSeries(data);
  const monthStart = data.online[0] ? wallClockMs(data.online[0].changedLocal) : undefined;
  const monthEnd = data.online.at(-1) ? wallClockMs(data.online.at(-1)!.changedLocal) : undefined;
  const gaps: { from: number; until: number }[] = [];
  if (monthStart !== undefined && monthEnd !== undefined) {
    if (points.length === 0) gaps.push({ from: monthStart, until: monthEnd });
    else {
      if (points[0]!.at > monthStart) gaps.push({ from: monthStart, until: points[0]!.at });
      if (points.at(-1)!.at < monthEnd) gaps.push({ from: points.at(-1)!.at, until: monthEnd });
    }
  }
  const x = {
    field: 'at',
    type: 'temporal',
    title: `Local time (${data.timezone})`,
    scale: { type: 'utc', ...(monthStart !== undefined && monthEnd !== undefined ? { domain: [monthStart, monthEnd] } : {}) },
    axis: { format: '%e %b', labelAngle: 0, tickCount: 'day', labelOverlap: 'greedy' },
  } as const;
  const y = {
    field: 'online',
    type: 'quantitative',
    title: `Online (of ${known} known)`,
    scale: { domain: [0, Math.max(known, 1)], nice: false },
    axis: { tickMinStep: 1, format: 'd' },
    // one series: never stack (Vega-Lite stacks areas by default)
    stack: null,
  } as const;
  const layers: object[] = [];
  if (gaps.length > 0) {
    layers.push(
      {
        data: { values: gaps.map((gap) => ({ at: gap.from, until: gap.until })) },
        mark: { type: 'rect', color: NO_DATA },
        encoding: { x2: { field: 'until', type: 'temporal' } },
      },
      {
        data: { values: gaps.map((gap) => ({ at: (gap.from + gap.until) / 2, label: 'no data' })) },
        mark: { type: 'text', color: MUTED, fontSize: 12, fontStyle: 'italic' },
        encoding: { y: { value: 90 }, text: { field: 'label' } },
      },
    );
  }
  if (points.length > 0) {
    layers.push(
      { data: { values: points }, mark: { type: 'area', interpolate: 'step-after', color: SESSIONS, opacity: 0.25 }, encoding: { y } },
      { data: { values: points }, mark: { type: 'line', interpolate: 'step-after', color: SESSIONS, strokeWidth: 2 }, encoding: { y } },
    );
  }
  return {
    width: 820,
    height: 180,
    encoding: { x },
    layer: layers,
    // an empty layer list is not a chart: an axis frame alone says "nothing to draw"
    ...(layers.length === 0 ? { data: { values: [] }, mark: 'rule' } : {}),
  } as TopLevelSpec;
}
