"use client";

import { useEffect, useRef } from "react";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

// An echarts chart drawn from an option a lib/charts builder made (the same option the server renders
// as SVG). Only the parts those builders use are registered, so the page's bundle stays small. It
// follows its box's size; the option arrives as plain data from a server page.

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export function Chart({
  option,
  height = 280,
  label,
  testId,
}: {
  option: echarts.EChartsCoreOption;
  height?: number;
  /** what the chart shows, for screen readers */
  label: string;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    const resized = new ResizeObserver(() => chart.resize());
    resized.observe(element);
    return () => {
      resized.disconnect();
      chart.dispose();
    };
  }, [option]);
  return <div ref={box} role="img" aria-label={label} data-testid={testId} style={{ height }} className="w-full" />;
}
