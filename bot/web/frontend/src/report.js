// Stream report: charts of the recorded session (data in #page-data as "report", drawn with uPlot).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { page, t } from "./lib/common.js";
import "./dashboard.css";
import "./report.css";

const report = page.report;
const axes = [
  { stroke: "#adadb8", grid: { stroke: "#2a2a30" } },
  { stroke: "#adadb8", grid: { stroke: "#2a2a30" }, size: 48 },
];

function chart(id, series, columns, { yRange = null, bars = false } = {}) {
  const node = document.getElementById(id);
  if (!node) return null;
  const data = [report.series.t, ...columns];
  const opts = {
    width: Math.max(260, node.clientWidth || 600),
    height: 220,
    scales: { x: { time: true }, y: yRange ? { range: yRange } : { auto: true } },
    axes,
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: s.points ? 0 : 2, fill: s.fill,
      paths: bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined,
      points: s.points ? { show: true, size: 9, fill: s.stroke } : { show: false } }))],
  };
  const plot = new uPlot(opts, data, node);
  new ResizeObserver(() => plot.setSize({ width: Math.max(260, node.clientWidth), height: 220 })).observe(node);
  // How many non-empty points each series drew (tests check the charts are not empty).
  node.dataset.points = String(report.series.t.length);
  node.dataset.nonzero = String(columns.map((c) => c.filter((v) => v !== null && v !== 0).length).reduce((a, b) => a + b, 0));
  return plot;
}

if (report) {
  const s = report.series;
  window.reportCharts = {
    activity: chart("chart-activity", [
      { label: t("report.series_messages"), stroke: "#9147ff", fill: "rgba(145,71,255,0.12)" },
      { label: t("report.series_questions"), stroke: "#f1c40f" },
      { label: t("report.series_answered"), stroke: "#2ecc71" },
    ], [s.messages_per_min, s.questions_per_min, s.answered_per_min]),
    mood: chart("chart-mood", [
      { label: t("report.series_sentiment"), stroke: "#2ecc71" },
      { label: t("report.series_vision"), stroke: "#f39c12" },
    ], [s.sentiment, s.vision_happy], { yRange: [-1, 1] }),
    // the recap's highlight moments as points on the chat-rate line (bot/content/highlights.py)
    highlights: s.highlights ? chart("chart-highlights", [
      { label: t("report.series_messages"), stroke: "#9147ff", fill: "rgba(145,71,255,0.12)" },
      { label: t("content.highlights"), stroke: "#f39c12", points: true },
    ], [s.messages_per_min, s.highlights]) : null,
    recs: chart("chart-recs", [{ label: t("report.per_min"), stroke: "#1f6feb", fill: "rgba(31,111,235,0.5)" }],
      [s.recommendations_per_min], { bars: true }),
  };
}
