// EChart renders an echarts OPTION built in Go (backend/charts). Only the series types and
// components listed in registered.json are registered with echarts/core (a Go test checks
// every option the backend emits against that same file), keeping the bundle small.
import { BarChart, FunnelChart, LineChart, PieChart } from "echarts/charts";
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import registered from "./registered.json";

/** What each name in registered.json installs. */
export const seriesModules = {
  line: LineChart,
  bar: BarChart,
  pie: PieChart,
  funnel: FunnelChart,
} as const;
export const componentModules = {
  title: TitleComponent,
  legend: LegendComponent,
  tooltip: TooltipComponent,
  grid: GridComponent,
  dataset: DatasetComponent,
} as const;

type Ext = Exclude<Parameters<typeof echarts.use>[0], unknown[]>;

function modulesFor(names: string[], table: Record<string, Ext>): Ext[] {
  return names.map((n) => {
    const m = table[n];
    if (!m) throw new Error(`charts: registered.json names "${n}" but EChart.tsx has no module for it`);
    return m;
  });
}

echarts.use([
  ...modulesFor(registered.series, seriesModules),
  ...modulesFor(registered.components, componentModules),
  CanvasRenderer,
]);

export interface EChartProps {
  /** The option JSON from the backend (object or string). */
  option: unknown;
  height?: number;
  /** Accessible name of the chart. */
  label: string;
  dark?: boolean;
}

export function EChart({ option, height = 320, label, dark }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || !option) return;
    const chart = echarts.init(el, dark ? "dark" : undefined, { renderer: "canvas" });
    const opt = typeof option === "string" ? JSON.parse(option) : option;
    chart.setOption({ backgroundColor: "transparent", ...(opt as object) });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [option, dark]);
  return <div ref={ref} role="img" aria-label={label} data-chart style={{ width: "100%", height }} />;
}
