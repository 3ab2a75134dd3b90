// Moderator dashboard: one WebSocket (/dashboard/stream) brings the history, then a frame per second.
// Charts (uPlot) for messages/s, reply latency and room mood; lists that are rebuilt only when their
// content changes (so an open "make FAQ" form or a hovered button does not vanish every second).
import { page, t, api, el, toast } from "./lib/common.js";
import { liveChart } from "./dashboard/charts.js";
import "./dashboard.css";

const $ = (id) => document.getElementById(id);
const status = $("dash-status");
const charts = {
  rate: liveChart($("chart-rate"), [
    { label: t("dash.series.messages"), stroke: "#9147ff", fill: "rgba(145,71,255,0.12)" },
    { label: t("dash.series.questions"), stroke: "#f1c40f" },
    { label: t("dash.series.answered"), stroke: "#2ecc71" },
  ]),
  latency: liveChart($("chart-latency"), [
    { label: "p50 ms", stroke: "#1f6feb" },
    { label: "p95 ms", stroke: "#e74c3c" },
  ]),
  mood: liveChart($("chart-mood"), [
    { label: t("dash.series.sentiment"), stroke: "#2ecc71" },
    { label: t("dash.series.vision_happy"), stroke: "#f39c12" },
    { label: t("dash.series.vision_attention"), stroke: "#1f6feb", dash: [6, 4] },
  ], { yRange: [-1, 1] }),
};
window.dashboardCharts = charts; // for tests and the curious: charts.rate.data[0].length
// frames received and messages plotted since the page opened (the rate chart is a rolling window, so
// its sum can shrink while messages arrive)
const seen = { frames: 0, messages: 0 };
window.dashboardFrames = seen;

function addPoint(p, redraw) {
  seen.messages += p.messages || 0;
  charts.rate.push(p.t, [p.messages, p.questions, p.answered], redraw);
  charts.latency.push(p.t, [p.lat_p50, p.lat_p95], redraw);
  charts.mood.push(p.t, [p.sentiment, p.vision_happy ?? null, p.vision_attention ?? null], redraw);
}

const fmtTime = (secs) => new Date(secs * 1000).toLocaleTimeString(page.lang === "zh" ? "zh-CN" : "en-GB");
const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);

function kpis(f) {
  const p = f.point;
  const items = [
    [t("dash.kpi.messages"), `${p.messages}/s`],
    [t("dash.kpi.questions"), String(f.totals.questions ?? 0)],
    [t("dash.kpi.answer_rate"), pct(f.totals.answer_rate)],
    [t("dash.kpi.latency"), p.lat_p95 === null ? "–" : `${Math.round(p.lat_p95)} ms`],
    [t("dash.kpi.viewers"), String(f.rooms.reduce((n, r) => n + r.active_viewers, 0))],
    [t("dash.kpi.mood"), t("dash.mood." + f.mood.mood)],
  ];
  $("kpis").replaceChildren(...items.map(([k, v]) => el("div", { class: "kpi" }, el("span", { class: "k" }, k), el("b", {}, v))));
}

// CSSOM, not a style attribute: the CSP (style-src 'self') blocks inline style attributes.
function bar(percent) {
  const node = el("span", { class: "bar" });
  node.style.setProperty("--w", `${percent}%`);
  return node;
}

function rank(node, rows) {
  const max = Math.max(1, ...rows.map((r) => r[1]));
  node.replaceChildren(...(rows.length ? rows.map(([name, n]) => el("li", {},
    el("span", { class: "name" }, name), bar((100 * n) / max), el("b", {}, String(n))))
    : [el("li", { class: "muted" }, t("dash.none"))]));
}

function mood(f) {
  const vision = Object.entries(f.mood.vision || {}).sort((a, b) => b[1] - a[1]);
  $("mood-now").replaceChildren(
    el("span", { class: `mood-badge mood-${f.mood.mood}` }, t("dash.mood." + f.mood.mood)),
    el("span", { class: "muted" }, ` ${t("dash.series.sentiment")} ${f.mood.sentiment.toFixed(2)}`),
    vision.length ? el("span", { class: "vision" }, ` · ${t("dash.vision")}: `,
      vision.slice(0, 4).map(([k, v]) => `${k} ${Math.round(v * 100)}%`).join(", ")) : el("span", { class: "muted" }, ` · ${t("dash.no_vision")}`),
  );
}

// --- open questions ---------------------------------------------------------------------------------
const openItems = new Map();
function openQuestions(f) {
  const list = $("open-questions");
  if (f.open_questions_error) list.dataset.error = f.open_questions_error; else delete list.dataset.error;
  const ids = new Set(f.open_questions.map((q) => q.id));
  for (const [id, li] of openItems) if (!ids.has(id) && !li.classList.contains("editing")) { li.remove(); openItems.delete(id); }
  for (const q of f.open_questions) {
    const asked = q.count > 1 ? ` ×${q.count}` : "";
    if (openItems.has(q.id)) { const c = openItems.get(q.id).querySelector(".count"); if (c) c.textContent = asked; continue; }
    const li = el("li", { dataset: { id: q.id } },
      el("div", { class: "q" }, el("span", { class: "text" }, q.text), el("b", { class: "count" }, asked),
        el("span", { class: "muted" }, ` · ${q.platform}/${q.room} · ${fmtTime(q.at / 1000)}${q.product ? " · " + q.product : ""}`)));
    if (page.can_faq) li.append(el("button", { class: "secondary make-faq", onclick: () => faqForm(li, q) }, t("dash.make_faq")));
    openItems.set(q.id, li);
    list.prepend(li);
  }
  if (!f.open_questions.length && !openItems.size) list.replaceChildren(el("li", { class: "muted empty" }, t("dash.no_open")));
  else list.querySelector(".empty")?.remove();
  if (!page.can_faq && f.open_questions.length && !list.querySelector(".role-hint"))
    list.append(el("li", { class: "hint role-hint" }, t("dash.faq_streamer_only")));
}

// Asks for products the shop does not sell: demand for the streamer, not questions to answer (the bot
// already said "we don't carry that"), so no FAQ button. Most asked first; viewer text as text nodes.
let demandKey = "";
function notCarried(f) {
  const rows = f.not_carried || [];
  const key = JSON.stringify(rows.map((q) => [q.id, q.count]));
  if (key === demandKey) return;
  demandKey = key;
  $("not-carried").replaceChildren(...(rows.length ? rows.map((q) => el("li", { dataset: { id: q.id } },
    el("div", { class: "q" }, el("span", { class: "text" }, q.text), el("b", { class: "count" }, q.count > 1 ? ` ×${q.count}` : ""),
      el("span", { class: "muted" }, ` · ${q.platform}/${q.room} · ${fmtTime((q.last_at ?? q.at) / 1000)}`))))
    : [el("li", { class: "muted empty" }, t("dash.no_not_carried"))]));
}

function faqForm(li, q) {
  if (li.querySelector("form")) return;
  li.classList.add("editing");
  const question = el("textarea", { name: "question", rows: 2, maxlength: 1000 }, q.text);
  const answer = el("textarea", { name: "answer", rows: 3, maxlength: 1000, placeholder: t("dash.faq_answer_ph") });
  const about = el("select", { name: "about" },
    el("option", { value: "auto" }, q.product ? t("dash.faq_about_product", { product: q.product }) : t("dash.faq_about_auto")),
    el("option", { value: "stream" }, t("dash.faq_about_stream")));
  const lang = el("select", { name: "lang" }, ["en", "zh"].map((l) => el("option", { value: l, selected: (q.lang || "en") === l }, l === "en" ? "English" : "中文")));
  const error = el("div", { class: "field-error", role: "alert" });
  const close = () => { form.remove(); li.classList.remove("editing"); };
  const form = el("form", { class: "faq-form", onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = "";
    if (!answer.value.trim()) { answer.setAttribute("aria-invalid", "true"); error.textContent = t("dash.faq_need_answer"); return; }
    const res = await api("POST", `/dashboard/api/open-questions/${encodeURIComponent(q.id)}/faq`,
      { question: question.value, answer: answer.value, lang: lang.value, about: about.value });
    if (res.ok) { toast(t("dash.faq_created", { id: res.data.faq.id }), "ok"); li.remove(); openItems.delete(q.id); }
    else error.textContent = res.data?.error || `HTTP ${res.status}`;
  } },
  el("label", {}, t("dash.faq_question"), question), el("label", {}, t("dash.faq_answer"), answer),
  el("div", { class: "row" }, el("label", {}, t("dash.faq_about"), about), el("label", {}, t("dash.faq_lang"), lang)),
  error,
  el("div", { class: "row" }, el("button", { type: "submit" }, t("dash.faq_save")),
    el("button", { type: "button", class: "secondary", onclick: close }, t("dash.cancel"))));
  li.append(form);
  answer.focus();
}

// --- moderation log ---------------------------------------------------------------------------------
let modKey = "";
function moderation(f) {
  const key = JSON.stringify(f.moderation.map((m) => [m.id, m.executed, m.why_not_undo]));
  if (key === modKey) return;
  modKey = key;
  const head = el("thead", {}, el("tr", {}, [t("dash.mod.time"), t("dash.mod.viewer"), t("dash.mod.message"),
    t("dash.mod.action"), t("dash.mod.undo")].map((h) => el("th", {}, h))));
  // the bot's decisions and other moderators' actions (source "moderator" / "platform") side by side;
  // every viewer-supplied string goes in as text (el() makes text nodes), never as markup
  const rows = f.moderation.map((m) => el("tr", { dataset: { id: m.id, source: m.source || "bot" }, class: `mod-${m.source || "bot"}` },
    el("td", {}, fmtTime(m.at)),
    el("td", {}, m.viewer, el("div", { class: "muted" }, `${m.platform}/${m.room}`)),
    el("td", { class: "msg" }, m.text),
    (m.source && m.source !== "bot") ? otherAction(m) : el("td", {}, el("b", {}, t(`dash.mod.act.${m.mode === "dry_run" ? "would_" : ""}${m.action}`)), ` · ${m.rule}`, el("div", { class: "muted" }, `${t("dash.mod.by_bot")} · `, m.mode === "dry_run" ? t("dash.mod.dry_run") : (m.executed ? t("dash.mod.done") : t("dash.mod.pending")))),
    el("td", {}, m.why_not_undo === null
      ? el("button", { class: "secondary", onclick: (e) => undo(e.target, m) }, t("dash.mod.undo_btn"))
      : el("span", { class: "muted" }, t("dash.undo_no." + m.why_not_undo)))));
  $("modlog").replaceChildren(head, el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: 5, class: "muted" }, t("dash.none")))));
}

function otherAction(m) {
  const detail = [m.detail, m.duration_s ? `${m.duration_s} s` : ""].filter(Boolean).join(" · ");
  return el("td", {}, el("b", {}, t(`dash.mod.act.${m.action}`)), detail ? ` · ${detail}` : "",
    el("div", { class: "muted by" }, m.by ? t("dash.mod.by", { name: m.by }) : t("dash.mod.by_platform"),
      m.shared_chat_source ? ` · ${t("dash.mod.shared_chat", { channel: m.shared_chat_source })}` : ""));
}

// --- messages held for review (AutoMod): pending first, resolved ones marked -------------------------
let heldKey = "";
function held(f) {
  const items = f.held || [];
  const key = JSON.stringify(items.map((h) => [h.id, h.status]));
  if (key === heldKey) return;
  heldKey = key;
  const rows = items.map((h) => el("li", { dataset: { id: h.id, status: h.status }, class: `held-${h.status === "pending" ? "pending" : "resolved"}` },
    el("div", {}, el("b", {}, h.viewer), " ", el("span", { class: "msg" }, h.text)),
    el("div", { class: "muted" }, `${fmtTime(h.at)} · ${h.platform}/${h.room} · ${h.reason} · `,
      el("span", { class: "held-status" }, h.status === "pending" ? t("dash.held.pending")
        : t(["approved", "denied", "expired"].includes(h.status) ? `dash.held.${h.status}` : "dash.held.resolved", { name: h.moderator ? `@${h.moderator}` : "" })))));
  $("held").replaceChildren(...(rows.length ? rows : [el("li", { class: "muted" }, t("dash.held_none"))]));
}

async function undo(button, m) {
  button.disabled = true;
  const res = await api("POST", `/dashboard/api/moderation/${encodeURIComponent(m.id)}/undo`);
  if (res.ok) toast(t("dash.mod.undone", { viewer: m.viewer }), "ok");
  else { toast(res.data?.error || `HTTP ${res.status}`, "error"); button.disabled = false; }
}

// --- gifts, super chats and subs -------------------------------------------------------------------
// Totals per platform and currency (never added across currencies), the top supporters with a bar of
// their share of their currency's total, and the newest paid events (amounts written by the server's
// bot.core.revenue.money_text). Names are text nodes.
let revenueKey = "";
function revenue(f) {
  const r = f.revenue || { totals: [], top: [], recent: [] };
  const key = JSON.stringify([r.totals, r.top.map((s) => [s.viewer_id, s.amount])]);
  if (key === revenueKey) return;
  revenueKey = key;
  const totals = r.totals.map((row) => el("li", {}, el("b", {}, row.platform), " ",
    el("span", { class: "amount" }, row.text), el("span", { class: "muted" }, ` ×${row.events}`)));
  const top = r.top.map((s) => el("li", {}, el("span", { class: "name" }, s.name),
    bar(100 * s.share), el("b", {}, s.text)));
  const recent = r.recent.slice(0, 5).map((p) => el("li", { class: "muted" },
    `${fmtTime(p.t)} · ${p.platform} · `, el("span", {}, p.name), ` · ${p.item || p.kind}${p.count > 1 ? " ×" + p.count : ""} · ${p.text}`));
  $("revenue").replaceChildren(...(totals.length
    ? [el("ul", { class: "revenue-totals" }, totals), el("h3", {}, t("dash.top_supporters")),
      el("ol", { class: "rank", id: "supporters" }, top), el("ul", { class: "revenue-recent" }, recent)]
    : [el("p", { class: "muted" }, t("dash.no_revenue"))]));
}

// --- connections and send budget --------------------------------------------------------------------
function connections(f) {
  const items = f.connections.map((c) => {
    const rooms = Object.entries(c.rooms);
    return el("li", {}, el("b", {}, c.platform), " ",
      rooms.length ? rooms.map(([room, state]) => [el("span", { class: `state state-${state}` }, `${room}: ${t("dash.conn." + state)}`), roomStatus(c.status?.[room])]) : el("span", { class: "muted" }, t("dash.no_rooms")),
      el("div", { class: "muted" }, t("dash.frames", { received: c.received, dropped: c.dropped, reconnects: c.reconnects })));
  });
  for (const [name, up] of Object.entries(f.upstreams || {}))
    items.push(el("li", {}, el("b", {}, name), " ", el("span", { class: `state state-${up ? "connected" : "dead"}` }, up ? t("dash.up") : t("dash.down"))));
  $("connections").replaceChildren(...items);
}

// what a platform pushes about a room (Bilibili): chat silenced, watched / online counters, live or not
function roomStatus(st) {
  if (!st) return "";
  const parts = [];
  if (st.live === false) parts.push(el("span", { class: "room-offline" }, t("dash.status.offline")));
  if (st.online != null) parts.push(el("span", { class: "room-online" }, t("dash.status.online", { n: st.online })));
  if (st.watched != null) parts.push(el("span", { class: "room-watched" }, t("dash.status.watched", { n: st.watched })));
  if (st.silenced) {
    const kind = ["level", "medal", "member"].includes(st.silence_kind) ? `dash.status.silenced_${st.silence_kind}` : "dash.status.silenced";
    parts.push(el("span", { class: "room-silenced", title: st.silence_until ? new Date(st.silence_until * 1000).toLocaleString() : "" }, `🔇 ${t(kind, { level: st.silence_level ?? "" })}`));
  }
  return parts.length ? el("span", { class: "room-status" }, ...parts.flatMap((p) => [" · ", p])) : "";
}

function budget(f) {
  const rows = f.budget.map((b) => el("div", { class: "budget" },
    el("div", {}, el("b", {}, b.platform), ` ${b.used}/${b.limit} · ${b.window_s}s`, b.pending ? el("span", { class: "muted" }, ` · ${t("dash.pending", { n: b.pending })}`) : ""),
    el("progress", { max: b.limit, value: b.used, class: b.used / b.limit > 0.8 ? "hot" : "" })));
  $("budget").replaceChildren(...(rows.length ? rows : [el("div", { class: "muted" }, t("dash.no_sends"))]));
}

function onFrame(f) {
  seen.frames += 1;
  seen.last = f;
  addPoint(f.point, true);
  kpis(f);
  rank($("top-questions"), f.top_questions);
  rank($("top-products"), f.top_products);
  mood(f);
  openQuestions(f);
  notCarried(f);
  moderation(f);
  held(f);
  revenue(f);
  connections(f);
  budget(f);
  status.textContent = t("dash.live", { time: fmtTime(f.t), clients: f.hub.clients });
  status.className = "dash-status live";
}

let lastT = 0;
let backoff = 1000;
function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/dashboard/stream`);
  ws.onmessage = (msg) => {
    const data = JSON.parse(msg.data);
    if (data.type === "history") {
      for (const p of data.points) if (p.t > lastT) { addPoint(p, false); lastT = p.t; }
      Object.values(charts).forEach((c) => c.draw());
    } else if (data.type === "frame" && data.t > lastT) {
      lastT = data.t;
      onFrame(data);
    }
    backoff = 1000;
  };
  ws.onclose = () => {
    status.textContent = t("dash.reconnecting");
    status.className = "dash-status down";
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 15000);
  };
}
connect();
