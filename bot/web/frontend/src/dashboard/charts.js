// Live uPlot charts shared by the dashboard: a rolling window of points, resized with the card.
//   const chart = liveChart(node, [{label, stroke}, ...], {yRange: [-1, 1]});
//   chart.push(t, [v1, v2, ...]);   // appends one point and redraws
// The chart node's data-points attribute always holds the number of points (tests and screen readers).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const MAX_POINTS = 600;

export function liveChart(node, series, { yRange = null, height = 180, maxPoints = MAX_POINTS } = {}) {
  const data = [[], ...series.map(() => [])];
  const opts = {
    width: Math.max(260, node.clientWidth || 600),
    height,
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    scales: { x: { time: true }, y: yRange ? { range: yRange } : { auto: true } },
    axes: [
      { stroke: "#adadb8", grid: { stroke: "#2a2a30" }, ticks: { stroke: "#34343c" } },
      { stroke: "#adadb8", grid: { stroke: "#2a2a30" }, ticks: { stroke: "#34343c" }, size: 48 },
    ],
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: false,
      fill: s.fill, dash: s.dash, points: { show: false } }))],
  };
  const plot = new uPlot(opts, data, node);
  const resize = () => plot.setSize({ width: Math.max(260, node.clientWidth), height });
  new ResizeObserver(resize).observe(node);

  function push(t, values, redraw = true) {
    data[0].push(t);
    values.forEach((v, i) => data[i + 1].push(v === undefined ? null : v));
    if (data[0].length > maxPoints) data.forEach((column) => column.shift());
    if (redraw) draw();
  }
  function draw() {
    plot.setData(data);
    node.dataset.points = String(data[0].length);
  }
  return { plot, data, push, draw };
}
