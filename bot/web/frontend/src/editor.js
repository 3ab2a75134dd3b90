// Streamer's catalog editor over the admin API (/api/v1, session + CSRF): list with search and filter,
// create/edit/delete with the API's field errors shown next to the field, a conflict message when the
// item changed since it was read (409), CSV/JSON import with a preview of the changes and a progress bar,
// export downloads, and the audit history. Moderators get the same views read-only.
import "./editor.css";
import { I18N, api, el, hasRole, t, toast } from "./lib/common.js";

const API = "/api/v1";
const canEdit = hasRole("streamer");
const list = (v) => (Array.isArray(v) ? v.join(", ") : v ?? "");
const splitList = (s) => s.split(/[,，]/).map((x) => x.trim()).filter(Boolean);

// field: [name, kind] with kind text | int | num | money | list | long | datetime; key field first.
const ENTITIES = {
  products: {
    key: "sku", path: () => `${API}/products`, one: (k) => `${API}/products/${encodeURIComponent(k)}`, paged: true,
    columns: ["sku", "name_en", "price", "name_zh", "stock", "category"],
    fields: [["sku", "text"], ["name_en", "text"], ["name_zh", "text"], ["price", "money"], ["currency", "text"],
      ["stock", "int"], ["category", "text"], ["aliases_en", "list"], ["aliases_zh", "list"],
      ["description_en", "long"], ["description_zh", "long"], ["url", "text"], ["tags", "list"]],
    defaults: { currency: "CNY", stock: 0 },
  },
  variants: {
    key: "id", path: (sku) => `${API}/products/${encodeURIComponent(sku)}/variants`,
    one: (k) => `${API}/variants/${encodeURIComponent(k)}`, needsProduct: true,
    columns: ["id", "size", "colour", "stock", "price"],
    fields: [["id", "text"], ["size", "text"], ["colour", "text"], ["stock", "int"], ["price", "money"]],
    defaults: { stock: 0 },
  },
  faqs: {
    key: "id", path: () => `${API}/faqs`, one: (k) => `${API}/faqs/${encodeURIComponent(k)}`, paged: true,
    columns: ["id", "question_en", "question_zh", "product_sku"],
    fields: [["id", "text"], ["question_en", "long"], ["question_zh", "long"], ["answer_en", "long"],
      ["answer_zh", "long"], ["product_sku", "text"], ["category_id", "text"], ["streamer_id", "text"]],
    defaults: {},
  },
  promotions: {
    key: "code", path: () => `${API}/promotions`, one: (k) => `${API}/promotions/${encodeURIComponent(k)}`,
    columns: ["code", "title_en", "discount_percent", "valid_from", "valid_to"],
    fields: [["code", "text"], ["title_en", "text"], ["title_zh", "text"], ["discount_percent", "num"],
      ["discount_amount", "money"], ["currency", "text"], ["valid_from", "datetime"], ["valid_to", "datetime"], ["skus", "list"]],
    defaults: {},
  },
  schedule: {
    key: "id", path: () => `${API}/schedule`, one: (k) => `${API}/schedule/${encodeURIComponent(k)}`,
    columns: ["id", "title_en", "starts_at", "ends_at"],
    fields: [["id", "text"], ["title_en", "text"], ["title_zh", "text"], ["starts_at", "datetime"], ["ends_at", "datetime"]],
    defaults: {},
  },
  categories: {
    key: "id", path: () => `${API}/categories`, one: (k) => `${API}/categories/${encodeURIComponent(k)}`,
    columns: ["id", "name_en", "name_zh"],
    fields: [["id", "text"], ["name_en", "text"], ["name_zh", "text"]],
    defaults: {},
  },
};
const TABS = ["products", "variants", "faqs", "promotions", "schedule", "categories", "import", "audit"];
const fieldLabel = (name) => { const k = `editor.field.${name}`; const s = t(k); return s === k ? name : s; };
const tabLabel = (name) => { const k = `editor.tab.${name}`; const s = t(k); return s === k ? name : s; };

const state = { tab: "products", items: [], selected: null, product: "", search: "", filter: "all", category: "" };
const root = document.getElementById("editor");

// ---------------------------------------------------------------- layout

function render() {
  root.textContent = "";
  if (!canEdit) root.append(el("p", { class: "alert info", id: "read-only" }, t("editor.read_only")));
  const tabs = el("div", { class: "tabs", role: "tablist" },
    TABS.map((name) => el("button", {
      type: "button", role: "tab", class: "tab", "aria-selected": String(state.tab === name), dataset: { tab: name },
      onclick: () => { state.tab = name; state.selected = null; state.items = []; render(); load(); },
    }, tabLabel(name))));
  root.append(tabs);
  if (state.tab === "import") return root.append(importView());
  if (state.tab === "audit") return root.append(el("div", { id: "audit", class: "table-wrap" }, t("common.loading")));
  root.append(el("div", { class: "editor-grid" }, el("section", { class: "list card" }, toolbar(), el("div", { id: "list", class: "table-wrap" })),
    el("section", { id: "form", class: "card form-pane" }, el("p", { class: "muted" }, "—"))));
}

function toolbar() {
  const bar = el("div", { class: "row toolbar" });
  if (ENTITIES[state.tab].needsProduct) {
    bar.append(el("label", {}, tabLabel("products"), el("select", { id: "product-pick", onchange: (e) => { state.product = e.target.value; load(); } })));
  }
  bar.append(el("input", {
    id: "search", type: "search", class: "grow", placeholder: t("editor.search_placeholder"), value: state.search,
    "aria-label": t("common.search"), oninput: (e) => { state.search = e.target.value; drawList(); },
  }));
  if (state.tab === "products") {
    bar.append(el("select", { id: "stock-filter", "aria-label": t("editor.filter.all"), onchange: (e) => { state.filter = e.target.value; drawList(); } },
      ["all", "in_stock", "out_of_stock"].map((f) => el("option", { value: f, selected: state.filter === f }, t(`editor.filter.${f}`)))));
    bar.append(el("select", { id: "category-filter", "aria-label": t("editor.filter.category"), onchange: (e) => { state.category = e.target.value; drawList(); } }));
  }
  if (canEdit) bar.append(el("button", { type: "button", id: "new-item", onclick: () => openForm(null) }, "+ " + t("common.new")));
  return bar;
}

// ---------------------------------------------------------------- list

async function fetchAll(url) {
  const items = [];
  let after = "";
  for (let page = 0; page < 100; page++) {
    const sep = url.includes("?") ? "&" : "?";
    const res = await api("GET", `${url}${sep}limit=1000${after ? `&after=${encodeURIComponent(after)}` : ""}`);
    if (!res.ok) throw new Error(res.data?.error || `HTTP ${res.status}`);
    items.push(...res.data.items);
    if (!res.data.next_after) break;
    after = res.data.next_after;
  }
  return items;
}

async function load() {
  if (state.tab === "audit") return loadAudit();
  if (state.tab === "import") return;
  const entity = ENTITIES[state.tab];
  try {
    if (entity.needsProduct) {
      const products = await fetchAll(ENTITIES.products.path());
      const pick = document.getElementById("product-pick");
      pick.replaceChildren(...products.map((p) => el("option", { value: p.sku }, `${p.sku} · ${p.name_en || p.name_zh}`)));
      if (!state.product && products.length) state.product = products[0].sku;
      pick.value = state.product;
      if (!state.product) { document.getElementById("list").textContent = t("editor.pick_product"); return; }
    }
    state.items = entity.paged ? await fetchAll(entity.path(state.product)) : (await getJson(entity.path(state.product))).items;
  } catch (err) {
    document.getElementById("list").replaceChildren(el("p", { class: "alert error" }, t("common.error", { error: err.message })));
    return;
  }
  if (state.tab === "products") {
    const cats = [...new Set(state.items.map((p) => p.category).filter(Boolean))].sort();
    document.getElementById("category-filter").replaceChildren(el("option", { value: "" }, t("editor.filter.category") + ": " + t("editor.filter.all")),
      ...cats.map((c) => el("option", { value: c, selected: state.category === c }, c)));
  }
  drawList();
}

async function getJson(url) {
  const res = await api("GET", url);
  if (!res.ok) throw new Error(res.data?.error || `HTTP ${res.status}`);
  return res.data;
}

function visibleItems() {
  const q = state.search.trim().toLowerCase();
  return state.items.filter((item) => {
    if (state.tab === "products") {
      if (state.filter === "in_stock" && !(item.stock > 0)) return false;
      if (state.filter === "out_of_stock" && item.stock > 0) return false;
      if (state.category && item.category !== state.category) return false;
    }
    return !q || JSON.stringify(Object.values(item)).toLowerCase().includes(q);
  });
}

function drawList() {
  const entity = ENTITIES[state.tab];
  const items = visibleItems();
  const box = document.getElementById("list");
  if (!box) return;
  const rows = items.map((item) => el("tr", {
    class: state.selected === item[entity.key] ? "selected" : "", dataset: { key: item[entity.key] },
    onclick: () => openForm(item[entity.key]),
  }, entity.columns.map((c, i) => el("td", { class: i > 2 ? "hide-narrow" : "" }, list(item[c])))));
  box.replaceChildren(
    el("p", { class: "muted count" }, t("editor.count", { n: items.length })),
    items.length ? el("table", {}, el("thead", {}, el("tr", {}, entity.columns.map((c, i) => el("th", { class: i > 2 ? "hide-narrow" : "" }, fieldLabel(c))))), el("tbody", {}, rows))
      : el("p", { class: "muted" }, t("editor.empty")));
}

// ---------------------------------------------------------------- form

async function openForm(key) {
  const entity = ENTITIES[state.tab];
  state.selected = key;
  drawList();
  let item = { ...entity.defaults };
  if (key !== null) {
    const res = await api("GET", entity.one(key));
    if (!res.ok) return toast(t("common.error", { error: res.data?.error || res.status }), "error");
    item = res.data;
  }
  drawForm(entity, key, item);
}

function inputFor(name, kind, value) {
  const id = `f-${name}`;
  const common = { id, name, disabled: !canEdit, "aria-describedby": `${id}-error` };
  if (kind === "long") return el("textarea", { ...common, rows: 3 }, value ?? "");
  const type = kind === "int" || kind === "num" ? "number" : "text";
  const extra = kind === "int" ? { step: "1" } : kind === "num" ? { step: "any" } : kind === "money" ? { inputmode: "decimal" } : {};
  return el("input", { ...common, type, value: kind === "list" ? list(value) : value ?? "", ...extra });
}

function drawForm(entity, key, item) {
  const pane = document.getElementById("form");
  const form = el("form", { class: "item-form", novalidate: true });
  form.append(el("div", { class: "alert-slot", id: "form-alert" }));
  for (const [name, kind] of entity.fields) {
    const input = inputFor(name, kind, item[name]);
    if (key !== null && name === entity.key) input.readOnly = true;
    form.append(el("div", { class: "field", dataset: { field: name } },
      el("label", { for: input.id }, fieldLabel(name)), input, el("div", { class: "field-error", id: `${input.id}-error`, role: "alert" })));
  }
  if (key !== null) form.append(el("p", { class: "muted version" }, `${t("editor.field.version")}: `, el("span", { id: "f-version" }, String(item.version ?? ""))));
  const buttons = el("div", { class: "row buttons" });
  if (canEdit) {
    buttons.append(el("button", { type: "submit", id: "save" }, t("common.save")));
    if (key !== null) buttons.append(el("button", { type: "button", class: "danger", id: "delete", onclick: () => remove(entity, key, item) }, t("common.delete")));
  }
  buttons.append(el("button", { type: "button", class: "secondary", onclick: () => { state.selected = null; drawList(); pane.replaceChildren(el("p", { class: "muted" }, "—")); } }, t("common.cancel")));
  form.append(buttons);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); save(entity, key, item, form); });
  pane.replaceChildren(el("h2", {}, key === null ? t("common.new") : String(key)), form);
  if (window.matchMedia("(max-width: 720px)").matches) pane.scrollIntoView({ behavior: "smooth" });
}

function readForm(entity, form, original) {
  const values = {};
  for (const [name, kind] of entity.fields) {
    const raw = form.elements[name].value;
    let value;
    if (kind === "list") value = splitList(raw);
    else if (kind === "int") value = raw.trim() === "" ? null : Number(raw);
    else if (kind === "num") value = raw.trim() === "" ? null : Number(raw);
    else value = raw.trim() === "" ? (original[name] === null || original[name] === undefined ? null : "") : raw.trim();
    if (kind === "int" && value !== null && !Number.isInteger(value)) value = raw;  // let the API name it
    values[name] = value;
  }
  return values;
}

function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((n) => { n.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
  form.querySelector("#form-alert").replaceChildren();
}

// The API's error in the page's language: its stable code + params through the "error.<code>" strings;
// the API's English text only when this page has no string for the code.
function errorText(data, status) {
  const params = data.params || {};
  const key = `error.${data.code}`;
  if (!data.code || !(key in I18N)) return (data.field ? `${fieldLabel(data.field)}: ` : "") + (data.error || `HTTP ${status}`);
  return t(key, { ...params, field: fieldLabel(data.field || ""), other: fieldLabel(params.other || ""), message: data.error || "" });
}

function showError(entity, key, form, res) {
  const data = res.data || {};
  const alertSlot = form.querySelector("#form-alert");
  if (res.status === 409 && data.field === "version") {
    alertSlot.replaceChildren(el("div", { class: "alert warn conflict", role: "alert" },
      t("editor.conflict", { version: data.current_version ?? "?" }), " ",
      el("button", { type: "button", class: "secondary", onclick: () => openForm(key) }, t("editor.reload"))));
    return;
  }
  if (res.status === 403) { alertSlot.replaceChildren(el("div", { class: "alert error", role: "alert" }, t("common.forbidden"), " ", data.error || "")); return; }
  const field = data.field && form.querySelector(`.field[data-field="${CSS.escape(String(data.field))}"]`);
  if (field) {
    field.querySelector(".field-error").textContent = errorText(data, res.status);
    const input = field.querySelector("input, textarea, select");
    input.setAttribute("aria-invalid", "true");
    input.focus();
  } else {
    alertSlot.replaceChildren(el("div", { class: "alert error", role: "alert" }, errorText(data, res.status)));
  }
}

async function save(entity, key, original, form) {
  clearErrors(form);
  const values = readForm(entity, form, original);
  let res;
  if (key === null) {
    const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== "" && !(Array.isArray(v) && !v.length)));
    const url = state.tab === "variants" ? entity.path(state.product) : entity.path();
    res = await api("POST", url, body);
  } else {
    const changes = {};
    for (const [name, value] of Object.entries(values)) {
      if (JSON.stringify(value ?? null) !== JSON.stringify(original[name] ?? null) && !(value === "" && original[name] == null)) changes[name] = value;
    }
    if (!Object.keys(changes).length) return toast(t("common.saved"), "ok");
    res = await api("PATCH", entity.one(key), { ...changes, version: original.version });
  }
  if (!res.ok) return showError(entity, key, form, res);
  toast(t("common.saved"), "ok");
  const saved = res.data;
  await load();
  openForm(saved[entity.key] ?? key);
}

async function remove(entity, key, item) {
  if (!confirm(t("common.confirm_delete", { what: key }))) return;
  const res = await api("DELETE", `${entity.one(key)}?version=${item.version}`);
  const form = document.querySelector("#form form");
  if (!res.ok) return showError(entity, key, form, res);
  toast(t("common.deleted"), "ok");
  state.selected = null;
  document.getElementById("form").replaceChildren(el("p", { class: "muted" }, "—"));
  load();
}

// ---------------------------------------------------------------- import / export

function importView() {
  const box = el("section", { class: "card import" });
  const file = el("input", { type: "file", id: "import-file", accept: ".json,.csv,application/json,text/csv", disabled: !canEdit });
  const preview = el("button", { type: "button", id: "import-preview", disabled: !canEdit }, t("editor.import.preview"));
  const apply = el("button", { type: "button", id: "import-apply", disabled: true }, t("editor.import.apply"));
  const bar = el("progress", { id: "import-progress", value: 0, max: 1 });
  const status = el("p", { id: "import-status", class: "muted", "aria-live": "polite" });
  const diff = el("div", { id: "import-diff", class: "table-wrap" });
  const format = () => (file.files[0]?.name.toLowerCase().endsWith(".csv") ? "csv" : "json");
  const query = () => `format=${format()}&filename=${encodeURIComponent(file.files[0]?.name || "upload")}`;
  file.addEventListener("change", () => { apply.disabled = true; diff.textContent = ""; status.textContent = ""; bar.value = 0; });
  preview.addEventListener("click", async () => {
    if (!file.files[0]) return;
    status.textContent = t("common.loading");
    const res = await api("POST", `${API}/imports/preview?${query()}`, file.files[0], { "Content-Type": format() === "csv" ? "text/csv" : "application/json" });
    if (!res.ok) {
      status.textContent = t("editor.import.failed", { error: `${res.data?.row ? `row ${res.data.row}: ` : ""}${errorText(res.data || {}, res.status)}` });
      status.className = "alert error";
      return;
    }
    status.className = "muted";
    status.textContent = "";
    diff.replaceChildren(renderDiff(res.data));
    apply.disabled = !canEdit;
  });
  apply.addEventListener("click", async () => {
    apply.disabled = true;
    const res = await api("POST", `${API}/imports?${query()}`, file.files[0], { "Content-Type": format() === "csv" ? "text/csv" : "application/json" });
    if (!res.ok) { status.textContent = t("editor.import.failed", { error: res.data?.error }); return; }
    await pollJob(res.data.id, bar, status);
  });
  const exports = el("div", { class: "row" },
    el("a", { class: "button", id: "export-json", href: `${API}/export?format=json`, download: "liveroom-catalog.json" }, t("editor.export.json")),
    el("a", { class: "button", id: "export-csv", href: `${API}/export?format=csv`, download: "liveroom-catalog.csv" }, t("editor.export.csv")));
  box.append(el("h2", {}, tabLabel("import")), el("label", {}, t("editor.import.file"), file), el("div", { class: "row" }, preview, apply), bar, status, diff, el("hr"), exports);
  return box;
}

function renderDiff(data) {
  const total = data.total;
  if (!total.added && !total.changed) {
    return el("p", { class: "alert info", id: "diff-nothing" }, t("editor.import.nothing"));
  }
  const rows = [];
  for (const [section, s] of Object.entries(data.sections)) {
    const c = s.counts;
    if (!c.added && !c.changed && !c.missing) continue;
    rows.push(el("tr", { class: "section" }, el("th", { colspan: 2 }, `${tabLabel(section)} — ${t("editor.import.added")} ${c.added} · ${t("editor.import.changed")} ${c.changed} · ${t("editor.import.unchanged")} ${c.unchanged} · ${t("editor.import.removed")} ${c.missing}`)));
    for (const key of s.added) rows.push(el("tr", { class: "added" }, el("td", {}, "+ " + key), el("td", {}, t("editor.import.added"))));
    for (const ch of s.changed) {
      const fields = Object.entries(ch.fields).map(([f, [a, b]]) => el("div", {}, el("b", {}, fieldLabel(f)), ": ", el("del", {}, list(a)), " → ", el("ins", {}, list(b))));
      rows.push(el("tr", { class: "changed", dataset: { key: ch.key } }, el("td", {}, "~ " + ch.key), el("td", {}, fields)));
    }
    if (s.missing.length) rows.push(el("tr", { class: "missing" }, el("td", {}, "· " + s.missing.slice(0, 20).join(", ") + (c.missing > 20 ? " …" : "")), el("td", {}, t("editor.import.removed"))));
  }
  return el("table", { class: "diff" }, el("tbody", {}, rows));
}

async function pollJob(id, bar, status) {
  for (;;) {
    const res = await api("GET", `${API}/imports/${encodeURIComponent(id)}`);
    if (!res.ok) { status.textContent = t("editor.import.failed", { error: res.data?.error }); return; }
    const job = res.data;
    bar.max = Math.max(1, job.total);
    bar.value = job.status === "done" ? bar.max : job.done;
    status.textContent = t("editor.import.progress", { phase: job.phase || job.status, done: job.done, total: job.total });
    if (job.status === "done") {
      status.textContent = t("editor.import.done", { result: Object.entries(job.result || {}).map(([k, v]) => `${k} ${v}`).join(", ") });
      status.className = "alert info";
      return;
    }
    if (job.status === "failed") {
      const e = job.error || {};
      status.textContent = t("editor.import.failed", { error: `${e.row ? `row ${e.row}: ` : ""}${errorText(e, 422)}` });
      status.className = "alert error";
      return;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

// ---------------------------------------------------------------- audit

async function loadAudit() {
  const box = document.getElementById("audit");
  const res = await api("GET", `${API}/audit?limit=200`);
  if (!res.ok) { box.textContent = t("common.error", { error: res.data?.error }); return; }
  box.replaceChildren(el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, t("editor.audit.when")), el("th", {}, t("editor.audit.who")), el("th", {}, t("editor.audit.what")))),
    el("tbody", {}, res.data.items.map((e) => el("tr", {}, el("td", {}, e.at), el("td", {}, e.actor),
      el("td", {}, `${e.action} ${e.entity} ${e.key} `, el("code", {}, JSON.stringify(e.changes).slice(0, 200))))))));
}

render();
load();
