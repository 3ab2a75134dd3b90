// Shared helpers for every page script: page data, translations, CSRF-aware JSON calls, DOM building.
//   import { page, t, api, el, toast } from "./lib/common.js";
// The server puts {csrf, user, role, lang, ...extra} in <script id="page-data"> and the strings of the
// page's language in <script id="i18n"> (JSON data, allowed by the CSP; no inline code runs).

function readJson(id, fallback) {
  const node = document.getElementById(id);
  if (!node) return fallback;
  try { return JSON.parse(node.textContent); } catch { return fallback; }
}

export const page = readJson("page-data", { csrf: "", user: null, role: null, lang: "en" });
export const I18N = readJson("i18n", {});
window.I18N = I18N;

const RANK = { viewer: 0, moderator: 1, streamer: 2 };
export const hasRole = (needed) => (RANK[page.role] ?? -1) >= RANK[needed];

// t("editor.count", {n: 3}) -> "3 items"; a missing key shows itself.
export function t(key, values) {
  let text = I18N[key] ?? key;
  if (values) for (const [k, v] of Object.entries(values)) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || page.csrf || "";
}

// fetch JSON with the session cookie and CSRF header; resolves {ok, status, data} (never throws on HTTP errors).
export async function api(method, url, body, headers = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (method !== "GET" && method !== "HEAD") init.headers["X-CSRF-Token"] = csrfToken();
  if (body instanceof Blob || body instanceof FormData || typeof body === "string") init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try { response = await fetch(url, init); } catch (err) {
    return { ok: false, status: 0, data: { error: String(err) } };
  }
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) data = await response.json().catch(() => null);
  else if (response.status !== 204) data = { text: await response.text() };
  return { ok: response.ok, status: response.status, data };
}

// el("button", {class: "x", onclick: fn, dataset: {id: 1}}, "text", childNode, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== "string") node[k] = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let toastBox = null;
export function toast(message, kind = "info", ms = 4000) {
  if (!toastBox) {
    toastBox = el("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(toastBox);
  }
  const item = el("div", { class: `toast ${kind}` }, message);
  toastBox.append(item);
  setTimeout(() => item.remove(), ms);
}

// Switch language from script (the header's form does the same without script).
export async function setLang(lang) {
  const form = new FormData();
  form.set("lang", lang);
  form.set("csrf", csrfToken());
  await fetch("/lang", { method: "POST", body: form, headers: { Accept: "application/json" }, credentials: "same-origin" });
  location.reload();
}
