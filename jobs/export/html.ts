import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../db.ts';
import { writeAtomically } from './atomic.ts';
import { chargePointsSpec, durationSpec, energyPerDaySpec, energySpec, heatmapSpec, onlineSpec, renderChart } from './html/charts.ts';
import { readMonthData } from './html/data.ts';
import { monthLabel } from './html/format.ts';
import { indexPage, type MonthCharts, monthPage } from './html/page.ts';
import type { ExportContext } from './month.ts';

const MONTH_PAGE = /^ocpp-report-(\d{4}-(?:0[1-9]|1[0-2]))\.html$/;

export function htmlDir(outDir: string): string {
  return join(outDir, 'html');
}

export function htmlReportPath(outDir: string, month: string): string {
  return join(htmlDir(outDir), `ocpp-report-${month}.html`);
}

async function writeText(target: string, text: string): Promise<void> {
  await writeAtomically(target, (temporary) => writeFile(temporary, text, 'utf8'));
}

/** The month's self-contained HTML report: figures from sql/reports/html_*.sql, charts as inline SVG. */
export async function exportHtmlReport(db: Db, outDir: string, context: ExportContext): Promise<string> {
  const data = await readMonthData(db, context);
  const label = monthLabel(context.month);
  const hasSessions = data.sessions.length > 0;
  const charts: MonthCharts = {
    energyPerDay: await renderChart(energyPerDaySpec(data), {
      id: 'chart-energy-per-day',
      title: `Energy per day, ${label}`,
      description: 'Bar chart: kWh of the completed sessions stopped on each day of the month.',
    }),
    chargePoints: await renderChart(chargePointsSpec(data), {
      id: 'chart-charge-points',
      title: `Sessions and energy per charge point, ${label}`,
      description: 'Two bar charts side by side: completed sessions and kWh per charge point, most energy first.',
    }),
    duration: hasSessions
      ? await renderChart(durationSpec(data), {
          id: 'chart-duration',
          title: `Distribution of charge time, ${label}`,
          description: 'Histogram: number of completed sessions by charge time in hours.',
        })
      : null,
    energy: hasSessions
      ? await renderChart(energySpec(data), {
          id: 'chart-energy',
          title: `Distribution of energy per session, ${label}`,
          description: 'Histogram: number of completed sessions by energy delivered in kWh.',
        })
      : null,
    heatmap: await renderChart(heatmapSpec(data), {
      id: 'chart-utilisation',
      title: `Charging hours by weekday and hour of day, ${label}`,
      description: `Heat map: rows are weekdays, columns hours of the day (${context.timezone}); darker cells hold more charging hours.`,
    }),
    online: await renderChart(onlineSpec(data), {
      id: 'chart-online',
      title: `Charge points online, ${label}`,
      description: 'Step chart: number of charge points online at each moment of the month.',
    }),
  };
  const target = htmlReportPath(outDir, context.month);
  await mkdir(htmlDir(outDir), { recursive: true });
  await writeText(target, monthPage(data, charts));
  return target;
}

/** index.html: a link to every month page in the directory, including months written by earlier runs. */
export async function exportHtmlIndex(outDir: string): Promise<string> {
  await mkdir(htmlDir(outDir), { recursive: true });
  const months = (await readdir(htmlDir(outDir)))
    .map((name) => MONTH_PAGE.exec(name)?.[1])
    .filter((month): month is string => month !== undefined);
  const target = join(htmlDir(outDir), 'index.html');
  await writeText(target, indexPage(months));
  return target;
}
