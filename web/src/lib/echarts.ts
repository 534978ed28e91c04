/**
 * ECharts, tree-shaken: only the charts, components and renderer the dashboard draws with are
 * registered (line + gauge, grid/tooltip/legend/markLine/markArea, canvas).
 */
import { use } from 'echarts/core';
import { GaugeChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/** Register the ECharts modules used by the dashboard (idempotent). */
export function registerCharts(): void {
  use([
    LineChart,
    GaugeChart,
    GridComponent,
    TooltipComponent,
    LegendComponent,
    MarkLineComponent,
    MarkAreaComponent,
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
} as const;
