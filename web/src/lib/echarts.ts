/**
 * ECharts, tree-shaken: only the charts, components and renderer the dashboard draws with are
 * registered (line, gauge, scatter, custom (heatmap raster, book bars), candlestick and bar (history),
 * grid/tooltip/legend/markLine/markArea/markPoint/graphic/inside data zoom, canvas).
 */
import { use } from 'echarts/core';
import { BarChart, CandlestickChart, CustomChart, GaugeChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomInsideComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/** Register the ECharts modules used by the dashboard (idempotent). */
export function registerCharts(): void {
  use([
    LineChart,
    GaugeChart,
    ScatterChart,
    CustomChart,
    CandlestickChart,
    BarChart,
    DataZoomInsideComponent,
    GraphicComponent,
    GridComponent,
    TooltipComponent,
    LegendComponent,
    MarkLineComponent,
    MarkAreaComponent,
    MarkPointComponent,
    CanvasRenderer,
  ]);
}

/** Dashboard palette (shared by charts and CSS variables in styles.css). */
export const palette = {
  bid: '#26a69a',
  bidFill: 'rgba(38, 166, 154, 0.25)',
  ask: '#ef5350',
  askFill: 'rgba(239, 83, 80, 0.25)',
  text: '#c9d1d9',
  muted: '#8b949e',
  grid: '#30363d',
  accent: '#58a6ff',
  warn: '#d29922',
  panel: '#161b22',
  critical: '#f85149',
} as const;

/** Colour of each alert severity (charts and the alerts feed). */
export const severityColor = {
  info: palette.accent,
  warning: palette.warn,
  critical: palette.critical,
} as const;

/** Wall-clock time of day HH:MM:SS in UTC from ms since epoch (time-axis labels). */
export function clockUtc(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** Tooltip look shared by the charts. */
export const tooltipStyle = {
  backgroundColor: '#1c2128',
  borderColor: palette.grid,
  textStyle: { color: palette.text, fontSize: 12 },
} as const;

/** Look of a UTC time x axis (HH:MM:SS labels, no split lines); spread into the axis option. */
export const timeAxisStyle = {
  type: 'time',
  axisLine: { lineStyle: { color: palette.grid } },
  axisLabel: { color: palette.muted, fontSize: 11, hideOverlap: true, formatter: clockUtc },
  splitLine: { show: false },
} as const;

/**
 * One support/resistance cluster as an ECharts markArea band over its price range [priceFrom, priceTo)
 * (quote): bid-green for support, ask-red for resistance, more opaque the stronger it is (strength 0-1),
 * labelled S or R. `axis` is the chart's price axis (`xAxis` on a depth chart, `yAxis` on a heatmap).
 */
export function srBand(
  k: { side: 'bid' | 'ask'; priceFrom: number; priceTo: number; strength: number },
  axis: 'xAxis' | 'yAxis',
  labelPosition: 'insideTop' | 'insideLeft',
): [Record<string, unknown>, Record<string, unknown>] {
  const rgb = k.side === 'bid' ? '38, 166, 154' : '239, 83, 80';
  return [
    {
      [axis]: k.priceFrom,
      itemStyle: {
        color: `rgba(${rgb}, ${0.15 + 0.3 * k.strength})`,
        borderColor: k.side === 'bid' ? palette.bid : palette.ask,
        borderWidth: 1,
      },
      label: {
        show: true,
        position: labelPosition,
        color: palette.text,
        fontSize: 10,
        formatter: k.side === 'bid' ? 'S' : 'R',
      },
    },
    { [axis]: k.priceTo },
  ];
}
