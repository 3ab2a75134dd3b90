// Viewer simulator: several viewers at once (one WebSocket each, like separate phones in the room),
// chat, gifts, super chats (paid, pinned), replay of a recorded chat log, EN/中文. Speaks the simulator connector's protocol
// (connectors/simulator/payloads.py); works both inside the layout (/simulator) and standalone (/).
import "./simulator.css";
import { I18N, el, page } from "./lib/common.js";

const root = document.getElementById("sim");
const WS_PATH = root?.dataset.wsPath || "/ws/rooms/";
const EXAMPLES = ["how much is the matte lipstick?", "这个口红多少钱", "hi bot", "is the serum in stock?", "今天有优惠吗"];
let strings = I18N;
const viewers = [];
let active = 0;

function tr(key, values, fallback) {
  let text = strings[key] ?? fallback ?? key;
  if (values) for (const [k, v] of Object.entries(values)) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

function cookieLang() {
  const m = document.cookie.match(/(?:^|; )liveroom_lang=(en|zh)/);
  return m ? m[1] : (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

function translateStatic(scope = document) {
  scope.querySelectorAll("[data-i18n]").forEach((n) => { if (strings[n.dataset.i18n]) n.textContent = strings[n.dataset.i18n]; });
  scope.querySelectorAll("[data-i18n-label]").forEach((n) => { if (strings[n.dataset.i18nLabel]) n.setAttribute("aria-label", strings[n.dataset.i18nLabel]); });
  scope.querySelectorAll("[data-i18n-placeholder]").forEach((n) => {
    if (strings[n.dataset.i18nPlaceholder]) n.placeholder = strings[n.dataset.i18nPlaceholder];
  });
}

// ---------------------------------------------------------------- one viewer = one column / tab

class Viewer {
  constructor(name) {
    const node = document.getElementById("viewer-template").content.firstElementChild.cloneNode(true);
    this.node = node;
    this.log = node.querySelector(".log");
    this.nameInput = node.querySelector(".name");
    this.nameInput.value = name;
    this.ws = null;
    this.tab = el("button", { type: "button", role: "tab", class: "tab", onclick: () => select(viewers.indexOf(this)) }, name);
    this.nameInput.addEventListener("input", () => { this.tab.textContent = this.name || "?"; saveNames(); });
    // one socket speaks for one viewer (the server fixes its name on the first message): a renamed viewer
    // is a new viewer on a new socket
    this.nameInput.addEventListener("change", () => { if (this.ws) this.connect(room()); });
    node.querySelector(".remove").addEventListener("click", () => removeViewer(this));
    node.querySelector("form.say").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const input = node.querySelector("input.text");
      if (this.chat(input.value)) input.value = "";
    });
    node.querySelector("form.gift").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const [gift, value] = node.querySelector(".gift-name").value.split("|");
      const count = Math.max(1, Math.min(10000, parseInt(node.querySelector(".gift-count").value, 10) || 1));
      this.send({ type: "gift", viewer: this.name, gift, count, value: Number(value) * count });
    });
    node.querySelector("form.superchat").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const input = node.querySelector(".sc-text");
      const amount = Number(node.querySelector(".sc-amount").value) || 30;
      if (input.value.trim() && this.send({ type: "super_chat", viewer: this.name, text: input.value, amount })) input.value = "";
    });
    this.pinned = node.querySelector(".pinned");
    const examples = node.querySelector(".examples");
    for (const text of EXAMPLES) {
      examples.append(el("button", { type: "button", class: "secondary example", onclick: () => this.chat(text) }, text));
    }
    translateStatic(node);
  }

  get name() { return this.nameInput.value.trim(); }

  connect(room) {
    if (this.ws) { this.ws.onclose = null; this.ws.close(); }
    this.log.textContent = "";
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}${WS_PATH}${encodeURIComponent(room)}`);
    this.ws = ws;
    ws.onopen = () => updateStatus();
    ws.onclose = () => updateStatus();
    ws.onmessage = (ev) => {
      const payload = JSON.parse(ev.data);
      if (payload.type === "welcome") payload.history.forEach((p) => this.add(p));
      else this.add(payload);
    };
  }

  chat(text) {
    if (!text.trim()) return false;
    return this.send({ type: "chat", viewer: this.name, text });
  }

  send(frame) {
    if (!this.name || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  add(payload) {
    if (payload.type === "deleted") return this.markDeleted(payload.message_id);
    let div;
    if (payload.type === "error") {
      div = el("div", { class: "msg error" }, "⚠ " + payload.reason);
    } else if (payload.type === "timed_out") {
      div = el("div", { class: "msg notice" }, tr("simulator.timed_out", payload, `${payload.viewer} was timed out for ${payload.seconds} s by moderation`));
    } else {
      const mine = !payload.bot && payload.viewer === this.name;
      const toMe = payload.bot && this.name && payload.text.includes(`@${this.name}`);
      const cls = ["msg", payload.type, payload.bot ? "bot" : "", mine ? "mine" : "", toMe ? "to-me" : ""].filter(Boolean).join(" ");
      const text = payload.text;
      div = el("div", { class: cls, dataset: { messageId: payload.message_id, type: payload.type } },
        el("time", {}, new Date(payload.ts * 1000).toLocaleTimeString()),
        payload.type === "super_chat" ? el("span", { class: "paid" }, money(payload)) : null,
        el("span", { class: "who" }, payload.viewer + ":"),
        el("span", { class: "text" }, text));
      if (payload.type === "super_chat") this.pin(payload);
    }
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 30;
    this.log.append(div);
    while (this.log.childElementCount > 500) this.log.firstElementChild.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  // A super chat stays pinned above the chat for a time that grows with what was paid (like Bilibili's
  // 醒目留言); late joiners see the rest of that time (from the message's own timestamp).
  pin(payload) {
    const until = payload.ts * 1000 + pinSeconds(payload.amount) * 1000;
    if (until <= Date.now() || this.pinned.querySelector(`[data-message-id="${CSS.escape(payload.message_id)}"]`)) return;
    const left = el("span", { class: "left" });
    const card = el("div", { class: `pinned-sc tier-${tier(payload.amount)}`, dataset: { messageId: payload.message_id, amount: String(payload.amount) } },
      el("div", { class: "sc-head" }, el("span", { class: "paid" }, money(payload)), el("span", { class: "who" }, payload.viewer), left),
      el("div", { class: "text" }, payload.text));
    const tick = () => {
      const s = Math.ceil((until - Date.now()) / 1000);
      if (s <= 0 || !card.isConnected) { card.remove(); return; }
      left.textContent = tr("simulator.pinned_left", { s }, `${s} s`);
      setTimeout(tick, 1000);
    };
    // highest amount first, then oldest first
    const after = [...this.pinned.children].find((c) => Number(c.dataset.amount) < payload.amount);
    this.pinned.insertBefore(card, after || null);
    tick();
  }

  // Moderation removed a message: strike it through and say so (the text itself is hidden).
  markDeleted(messageId) {
    this.pinned.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`)?.remove();
    const div = this.log.querySelector(`.msg[data-message-id="${CSS.escape(messageId)}"]`);
    if (!div || div.classList.contains("deleted")) return;
    div.classList.add("deleted");
    const text = div.querySelector(".text");
    if (text) text.textContent = "…";
    div.append(el("span", { class: "removed" }, tr("simulator.removed", null, root.dataset.removed)));
  }
}

const PIN_TIERS = [[1000, 3600], [500, 1800], [100, 300], [50, 120], [30, 60], [0, 30]];  // yuan -> seconds
const pinSeconds = (amount) => PIN_TIERS.find(([min]) => (amount || 0) >= min)[1];
const tier = (amount) => PIN_TIERS.findIndex(([min]) => (amount || 0) >= min);
const money = (p) => `${p.currency === "CNY" || !p.currency ? "¥" : p.currency + " "}${Number(p.amount || 0).toLocaleString()}`;

function room() {
  const value = document.getElementById("room").value.trim();
  return /^[A-Za-z0-9_-]{1,40}$/.test(value) ? value : "demo";
}

function updateStatus() {
  const open = viewers.filter((v) => v.ws && v.ws.readyState === WebSocket.OPEN).length;
  const status = document.getElementById("status");
  status.textContent = open ? `${tr("simulator.connected", { room: room() })} · ${open}/${viewers.length}` : tr("simulator.disconnected");
  status.className = "status " + (open ? "ok" : "down");
}

function saveNames() {
  localStorage.setItem("liveroom.viewers", JSON.stringify(viewers.map((v) => v.name)));
}

function select(index) {
  active = Math.max(0, Math.min(index, viewers.length - 1));
  viewers.forEach((v, i) => {
    v.node.classList.toggle("active", i === active);
    v.tab.setAttribute("aria-selected", String(i === active));
  });
}

function addViewer(name) {
  const viewer = new Viewer(name || `viewer${Math.floor(Math.random() * 1000)}`);
  viewers.push(viewer);
  document.getElementById("viewers").append(viewer.node);
  document.getElementById("tabs").append(viewer.tab);
  viewer.connect(room());
  select(viewers.length - 1);
  saveNames();
  return viewer;
}

function removeViewer(viewer) {
  if (viewers.length <= 1) return;
  if (viewer.ws) { viewer.ws.onclose = null; viewer.ws.close(); }
  viewer.node.remove();
  viewer.tab.remove();
  viewers.splice(viewers.indexOf(viewer), 1);
  select(active);
  saveNames();
  updateStatus();
}

// ---------------------------------------------------------------- replay of a chat log (JSON lines)

let replayStop = null;

// A normalized event (connectors/simulator/chatlog.py) as a client frame, like replay.to_frame.
function toFrame(event) {
  const frame = {
    viewer: String(event.display_name || event.viewer_id).slice(0, 40),
    viewer_id: String(event.viewer_id).slice(0, 40),
    message_id: String(event.message_id).slice(0, 64),
    roles: (event.roles || []).filter((r) => ["broadcaster", "moderator", "subscriber", "vip"].includes(r)),
  };
  const money = event.money ? Number(event.money.amount) : 0;
  if (event.kind === "gift") return { type: "gift", gift: event.item || "gift", count: Math.max(1, event.count || 1), value: money, ...frame };
  if (event.kind === "super_chat") return { type: "super_chat", text: event.text, amount: money, ...frame };
  if (event.kind && event.kind !== "chat") return null;
  return { type: "chat", text: event.text, ...frame };
}

function parseLog(text) {
  const frames = [];
  let bad = 0;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const frame = toFrame(JSON.parse(line));
      if (frame && (frame.type === "gift" || (frame.text || "").trim())) frames.push(frame); else bad++;
    } catch { bad++; }
  }
  return { frames, bad };
}

async function replay(text) {
  const { frames, bad } = parseLog(text);
  const rate = Math.max(1, Math.min(500, Number(document.getElementById("replay-rate").value) || 20));
  const progress = document.getElementById("replay-progress");
  const status = document.getElementById("replay-status");
  if (!frames.length) {
    status.textContent = `0 / 0 (${bad} ✗)`;
    return;
  }
  // A log speaks for many viewers: that takes a replay socket, which the server opens only for a
  // logged-in moderator or streamer (the session cookie goes with the upgrade).
  const sender = await openReplaySocket();
  if (!sender) {
    status.textContent = tr("simulator.replay_login", {}, "replaying a log needs a moderator login");
    return;
  }
  progress.max = frames.length;
  let stopped = false;
  replayStop = () => { stopped = true; };
  document.getElementById("replay-stop").disabled = false;
  const started = performance.now();
  for (let i = 0; i < frames.length && !stopped; i++) {
    const due = started + (i * 1000) / rate;  // fixed schedule: a slow tick does not lower the rate
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sender.send(JSON.stringify(frames[i]));
    if (i % 5 === 0 || i === frames.length - 1) {
      progress.value = i + 1;
      status.textContent = tr("simulator.replay_progress", { done: i + 1, total: frames.length }) + (bad ? ` (${bad} ✗)` : "");
    }
  }
  document.getElementById("replay-stop").disabled = true;
  replayStop = null;
  setTimeout(() => sender.close(), 2000);  // the last echoes
}

function openReplaySocket() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}${WS_PATH}${encodeURIComponent(room())}?replay=1`);
  return new Promise((resolve) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = () => resolve(null);  // 403: not logged in as a moderator
    ws.onclose = () => resolve(null);
  });
}

function wireReplay() {
  document.getElementById("replay-start").addEventListener("click", async () => {
    const file = document.getElementById("replay-file").files[0];
    const text = file ? await file.text() : root.dataset.sampleLog || "";
    if (!replayStop) replay(text);
  });
  document.getElementById("replay-stop").addEventListener("click", () => replayStop && replayStop());
  document.getElementById("replay-sample").addEventListener("click", async () => {
    const response = await fetch(`/simulator/sample-log?n=200&room=${encodeURIComponent(room())}`);
    if (!response.ok) return;
    root.dataset.sampleLog = await response.text();
    const lines = root.dataset.sampleLog.trim().split("\n").length;
    document.getElementById("replay-status").textContent = `${lines} ✓`;
  });
}

// ---------------------------------------------------------------- start

async function loadStrings() {
  if (document.getElementById("i18n")) return;  // inside the layout: the server sent them
  const lang = cookieLang();
  try {
    const response = await fetch(`/i18n/${lang}.json`);
    if (response.ok) strings = await response.json();
  } catch { /* standalone without the web pages: English markup stays */ }
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll(".lang-buttons button").forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
    b.addEventListener("click", () => {
      document.cookie = `liveroom_lang=${b.dataset.lang}; path=/; max-age=31536000; samesite=strict`;
      location.reload();
    });
  });
}

async function start() {
  if (!root) return;
  await loadStrings();
  translateStatic();
  const roomInput = document.getElementById("room");
  const wanted = new URLSearchParams(location.search).get("room") || page.room;
  if (wanted && /^[A-Za-z0-9_-]{1,40}$/.test(wanted)) roomInput.value = wanted;
  let names = [];
  try { names = JSON.parse(localStorage.getItem("liveroom.viewers") || "[]"); } catch { names = []; }
  if (!names.length) names = [localStorage.getItem("liveroom.viewer") || `viewer${Math.floor(Math.random() * 1000)}`];
  names.slice(0, 8).forEach((n) => addViewer(n));
  select(0);
  document.getElementById("join").addEventListener("click", () => viewers.forEach((v) => v.connect(room())));
  document.getElementById("add-viewer").addEventListener("click", () => addViewer());
  wireReplay();
}

start();
