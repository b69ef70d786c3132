// The dashboard: one page, no dependencies. State comes from the HTTP API once, then from the
// server-sent event stream (/api/events): "nodes" carries changed nodes, "readings" new readings.
"use strict";

const state = {
  nodes: new Map(),        // node id → snapshot from /api/nodes
  topology: { gateway: null, network: null, nodes: [], links: [] },
  selected: null,          // node whose history is charted
  series: new Map(),       // quantity → [{t, v}] for the selected node
  units: new Map(),        // quantity → unit
};

const HISTORY_HOURS = 6;
const MAX_POINTS = 2000;
const QUANTITY_ORDER = ["temperature", "humidity", "pressure", "battery", "battery_voltage", "illuminance", "co2"];

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElementNS(tag === "svg" || attrs?.svg ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k !== "svg" && v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}
const svg = (tag, attrs, ...children) => el(tag, { ...attrs, svg: true }, ...children);

function ago(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

function fmt(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function battery(n) {
  const l = n.latest || {};
  if (l.battery) return `${fmt(l.battery.value)} %`;
  if (l.battery_voltage) return `${fmt(l.battery_voltage.value)} V`;
  return "–";
}

function byQuantity(a, b) {
  const ia = QUANTITY_ORDER.indexOf(a), ib = QUANTITY_ORDER.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}

// ---- node list -------------------------------------------------------------------------------

function renderNodes() {
  const body = $("nodes").tBodies[0];
  const nodes = [...state.nodes.values()].sort((a, b) => a.node - b.node);
  $("no-nodes").hidden = nodes.length > 0;
  const online = nodes.filter((n) => n.online).length;
  $("summary").textContent = `${online} of ${nodes.length} nodes online`;
  const rows = nodes.map((n) => {
    const latest = Object.keys(n.latest || {}).sort(byQuantity).map((q) =>
      el("span", { class: "chip", title: q }, `${q.replace("_", " ")} ${fmt(n.latest[q].value)} ${n.latest[q].unit}`));
    const tr = el("tr", { "data-node": n.node, "data-online": n.online, class: n.node === state.selected ? "selected" : "" },
      el("td", {}, String(n.node)),
      el("td", {}, el("span", { class: `dot ${n.online ? "online" : "offline"}` }), n.online ? "online" : "offline"),
      el("td", {}, n.role || "–"),
      el("td", { "data-seen": n.lastSeen }, ago(n.lastSeen)),
      el("td", {}, String(n.hops)),
      el("td", {}, `${n.rssi} dBm`),
      el("td", {}, battery(n)),
      el("td", {}, ...latest));
    tr.addEventListener("click", () => select(n.node));
    return tr;
  });
  body.replaceChildren(...rows);
}

function tickAges() {
  for (const td of document.querySelectorAll("td[data-seen]")) td.textContent = ago(td.dataset.seen);
}

// ---- topology --------------------------------------------------------------------------------

// A small deterministic force layout: nodes start on a circle (ordered by id) and settle under
// spring forces along links and repulsion between all pairs. Deterministic so the picture does not
// jump around on every redraw.
function layout(ids, links) {
  const W = 600, H = 420, n = ids.length;
  const pos = new Map(ids.map((id, i) => [id, {
    x: W / 2 + Math.cos((2 * Math.PI * i) / Math.max(n, 1)) * W * 0.35,
    y: H / 2 + Math.sin((2 * Math.PI * i) / Math.max(n, 1)) * H * 0.35,
  }]));
  const k = Math.sqrt((W * H) / Math.max(n, 1)) * 0.6;
  for (let iter = 0; iter < 200; iter++) {
    const force = new Map(ids.map((id) => [id, { x: 0, y: 0 }]));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const a = pos.get(ids[i]), b = pos.get(ids[j]);
        let dx = a.x - b.x, dy = a.y - b.y;
        const d2 = Math.max(dx * dx + dy * dy, 1);
        const f = (k * k) / d2;
        force.get(ids[i]).x += dx * f / Math.sqrt(d2); force.get(ids[i]).y += dy * f / Math.sqrt(d2);
        force.get(ids[j]).x -= dx * f / Math.sqrt(d2); force.get(ids[j]).y -= dy * f / Math.sqrt(d2);
      }
    }
    for (const l of links) {
      const a = pos.get(l.from), b = pos.get(l.to);
      if (!a || !b) continue;
      const dx = a.x - b.x, dy = a.y - b.y, d = Math.max(Math.hypot(dx, dy), 1);
      const f = (d * d) / k / d;
      force.get(l.from).x -= dx * f; force.get(l.from).y -= dy * f;
      force.get(l.to).x += dx * f; force.get(l.to).y += dy * f;
    }
    const step = 20 * (1 - iter / 200) + 1;
    for (const id of ids) {
      const p = pos.get(id), f = force.get(id), m = Math.max(Math.hypot(f.x, f.y), 1e-9);
      p.x = Math.min(W - 20, Math.max(20, p.x + (f.x / m) * Math.min(m, step)));
      p.y = Math.min(H - 20, Math.max(20, p.y + (f.y / m) * Math.min(m, step)));
    }
  }
  return pos;
}

function qualityColour(q) {
  // quality 0..255 → red..green
  const t = Math.max(0, Math.min(1, q / 255));
  return `hsl(${Math.round(t * 120)}, 70%, 50%)`;
}

function renderTopology() {
  const t = state.topology;
  const ids = new Set(t.nodes.map((n) => n.id));
  for (const n of state.nodes.keys()) ids.add(n);
  if (t.gateway != null) ids.add(t.gateway);
  for (const l of t.links) { ids.add(l.from); ids.add(l.to); }
  const list = [...ids].sort((a, b) => a - b);
  // One line per unordered pair, coloured by the better of the two directions.
  const pairs = new Map();
  for (const l of t.links) {
    const key = l.from < l.to ? `${l.from}-${l.to}` : `${l.to}-${l.from}`;
    const q = Math.max(pairs.get(key)?.quality ?? -1, l.quality);
    pairs.set(key, { from: l.from, to: l.to, quality: q, rssi: l.rssi });
  }
  const links = [...pairs.values()];
  const pos = layout(list, links);
  const lines = links.map((l) => {
    const a = pos.get(l.from), b = pos.get(l.to);
    return svg("line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), stroke: qualityColour(l.quality) },
      svg("title", {}, `${l.from} ↔ ${l.to}: quality ${l.quality}, ${l.rssi} dBm`));
  });
  const circles = list.map((id) => {
    const p = pos.get(id), n = state.nodes.get(id);
    const cls = id === t.gateway ? "gateway" : n && n.online ? "online" : "offline";
    const g = svg("g", { "data-node": id, class: "node" },
      svg("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: id === t.gateway ? 11 : 8, class: cls },
        svg("title", {}, id === t.gateway ? `gateway ${id}` : `node ${id}`)),
      svg("text", { x: p.x.toFixed(1), y: (p.y - 12).toFixed(1) }, String(id)));
    g.addEventListener("click", () => id !== t.gateway && select(id));
    return g;
  });
  $("topology").replaceChildren(...lines, ...circles);
}

// ---- charts ----------------------------------------------------------------------------------

async function select(node) {
  state.selected = node;
  state.series = new Map();
  state.units = new Map();
  $("chart-node").textContent = `node ${node}, last ${HISTORY_HOURS} h`;
  renderNodes();
  const from = new Date(Date.now() - HISTORY_HOURS * 3600e3).toISOString();
  try {
    const rows = await getJson(`/api/readings?node=${node}&from=${encodeURIComponent(from)}&limit=10000`);
    if (state.selected !== node) return;
    rows.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    for (const r of rows) addPoint(r);
  } catch (e) {
    $("charts").replaceChildren(el("p", { class: "muted" }, `history unavailable: ${e.message}`));
    return;
  }
  renderCharts();
}

function addPoint(r) {
  if (!state.series.has(r.quantity)) state.series.set(r.quantity, []);
  const s = state.series.get(r.quantity);
  s.push({ t: Date.parse(r.timestamp), v: r.value });
  if (s.length > MAX_POINTS) s.splice(0, s.length - MAX_POINTS);
  state.units.set(r.quantity, r.unit);
}

function renderCharts() {
  const W = 400, H = 120, L = 40, R = 6, T = 8, B = 18;
  const charts = [...state.series.keys()].sort(byQuantity).map((q) => {
    const pts = state.series.get(q);
    const t0 = Math.min(...pts.map((p) => p.t)), t1 = Math.max(...pts.map((p) => p.t), t0 + 1);
    let v0 = Math.min(...pts.map((p) => p.v)), v1 = Math.max(...pts.map((p) => p.v));
    if (v1 - v0 < 1e-9) { v0 -= 1; v1 += 1; }
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
    const y = (v) => T + (1 - (v - v0) / (v1 - v0)) * (H - T - B);
    const last = pts[pts.length - 1];
    return el("div", { class: "chart", "data-quantity": q },
      el("div", { class: "title" }, el("span", {}, q.replace("_", " ")), el("span", {}, `${fmt(last.v)} ${state.units.get(q)}`)),
      svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none" },
        svg("polyline", { points: pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ") }),
        svg("text", { x: 2, y: T + 8 }, fmt(v1)),
        svg("text", { x: 2, y: H - B }, fmt(v0)),
        svg("text", { x: L, y: H - 4 }, new Date(t0).toLocaleTimeString()),
        svg("text", { x: W - R - 50, y: H - 4 }, new Date(t1).toLocaleTimeString())));
  });
  $("charts").replaceChildren(...(charts.length ? charts : [el("p", { class: "muted" }, "no readings stored for this node yet")]));
}

// ---- live feed -------------------------------------------------------------------------------

function feed(readings) {
  const list = $("feed");
  for (const r of readings.slice(-50)) {
    list.prepend(el("li", {}, `${new Date(r.timestamp).toLocaleTimeString()}  node ${r.node}  ${r.quantity} ${fmt(r.value)} ${r.unit}  (${r.hops} hops, ${r.rssi} dBm)`));
  }
  while (list.children.length > 100) list.lastChild.remove();
}

// ---- wiring ----------------------------------------------------------------------------------

async function getJson(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

async function refreshTopology() {
  try {
    state.topology = await getJson("/api/topology");
    $("network").textContent = `network ${state.topology.network} · gateway ${state.topology.gateway}`;
    renderTopology();
  } catch (e) {
    console.warn(e);
  }
}

function connect() {
  const live = $("live");
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => { live.dataset.state = "open"; live.textContent = "live"; });
  source.addEventListener("error", () => { live.dataset.state = "closed"; live.textContent = "reconnecting…"; });
  source.addEventListener("nodes", (e) => {
    const changed = JSON.parse(e.data);
    let added = false;
    for (const n of changed) {
      added ||= !state.nodes.has(n.node);
      state.nodes.set(n.node, n);
    }
    renderNodes();
    if (added) refreshTopology();
    if (state.selected === null && state.nodes.size > 0) select([...state.nodes.keys()].sort((a, b) => a - b)[0]);
  });
  source.addEventListener("readings", (e) => {
    const readings = JSON.parse(e.data);
    feed(readings);
    let mine = false;
    for (const r of readings) {
      if (r.node === state.selected) { addPoint(r); mine = true; }
    }
    if (mine) renderCharts();
  });
}

async function start() {
  try {
    for (const n of await getJson("/api/nodes")) state.nodes.set(n.node, n);
  } catch (e) {
    console.warn(e);
  }
  renderNodes();
  await refreshTopology();
  if (state.nodes.size > 0) select([...state.nodes.keys()].sort((a, b) => a - b)[0]);
  connect();
  setInterval(tickAges, 1000);
  setInterval(refreshTopology, 15000); // heartbeats change links slowly
}

start();
