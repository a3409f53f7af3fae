import type { EChartsCoreOption } from "echarts";

// Charts drawn on the server as SVG text (echarts' server-side rendering, no DOM): the dataset card's
// images and the printable report use the same option objects the pages draw in the browser. echarts is
// imported when a chart is drawn: loading it takes over a second, and every worker start would pay it.

export type ChartSize = { width: number; height: number };

/** An echarts option drawn as a standalone SVG document. No animation, so the text is the same every time. */
export async function renderChartSvg(option: EChartsCoreOption, size: ChartSize): Promise<string> {
  const echarts = await import("echarts");
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, ...option });
    return stableIds(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/** echarts numbers its ids and classes per process (zr3-cls-7, clip paths zr3-c0); renumbered in order of
 *  appearance they no longer depend on what was drawn before, so the same chart gives the same bytes
 *  (exports repeat). */
function stableIds(svg: string): string {
  const names = new Map<string, string>();
  return svg.replace(/zr\d+-[a-z]+-?\d*/g, (name) => {
    let stable = names.get(name);
    if (!stable) names.set(name, (stable = `c${names.size}`));
    return stable;
  });
}
