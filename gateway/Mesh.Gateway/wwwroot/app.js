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

// Channel use and fair-share throttling from the node's heartbeat QoS block: a node that throttles a
// neighbour names it (the babbler), and a busy channel is flagged above the congestion threshold (12 %).
function channel(n) {
  const q = n.qos;
  if (!q) return el("span", { class: "muted" }, "–");
  const pct = Math.round(q.channelUtilisation * 100);
  const parts = [el("span", { class: pct >= 12 ? "chip warn" : "chip", title: `duty cycle used ${Math.round(q.dutyCycleUsed * 100)} %` }, `${pct} %`)];
  if (q.throttledFrames > 0) {
    parts.push(el("span", { class: "chip warn", title: "frames refused to relay (origin over its fair share) since the last heartbeat" },
      `throttles ${q.mostThrottled ?? "?"} (${q.throttledFrames})`));
  }
  return el("span", {}, ...parts);
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
      el("td", { class: "channel" }, channel(n)),
      el("td", { class: "latest" }, ...latest));
    tr.addEventListener("click", () => select(n.node));
    return tr;
  });
  body.replaceChildren(...rows);
}

function tickAges() {
  for (const td of document.querySelectorAll("td[data-seen]")) td.textContent = ago(td.dataset.seen);
}

// ---- topology --------------------------------------------------------------------------------

// A small deterministic layout: nodes start on a circle (ordered by id); each heard link is a spring
// whose rest length grows as the RSSI falls (log-distance: every 10 dB further down ≈ 1.8× the
// distance), every pair repels a little, and the result is scaled to fill the picture. Deterministic,
// so the picture does not jump around on every redraw; RSSI-based, so a dense mesh does not collapse
// into a ball the way pure spring layouts do.
function layout(ids, links) {
  const W = 600, H = 420, PAD = 24, n = ids.length;
  const pos = new Map(ids.map((id, i) => [id, {
    x: Math.cos((2 * Math.PI * i) / Math.max(n, 1)) * 100 + (i % 7),
    y: Math.sin((2 * Math.PI * i) / Math.max(n, 1)) * 100 + (i % 5),
  }]));
  const rest = (rssi) => 10 * Math.pow(10, Math.max(0, -40 - rssi) / 40);
  const springs = links.filter((l) => pos.has(l.from) && pos.has(l.to) && l.from !== l.to)
    .map((l) => ({ a: pos.get(l.from), b: pos.get(l.to), len: rest(l.rssi) }));
  const meanLen = springs.length ? springs.reduce((s, l) => s + l.len, 0) / springs.length : 50;
  const pts = ids.map((id) => pos.get(id));
  for (let iter = 0; iter < 300; iter++) {
    const step = 0.1 * (1 - iter / 300) + 0.01;
    for (const s of springs) {
      const dx = s.b.x - s.a.x, dy = s.b.y - s.a.y, d = Math.max(Math.hypot(dx, dy), 1e-3);
      const f = ((d - s.len) / d) * step;
      s.a.x += dx * f; s.a.y += dy * f; s.b.x -= dx * f; s.b.y -= dy * f;
    }
    for (let i = 0; i < pts.length; i++) {
      for (let j = i + 1; j < pts.length; j++) {
        const a = pts[i], b = pts[j], dx = b.x - a.x, dy = b.y - a.y, d = Math.max(Math.hypot(dx, dy), 1e-3);
        if (d >= meanLen) continue;
        const f = ((meanLen - d) / d) * step * 0.5;
        a.x -= dx * f; a.y -= dy * f; b.x += dx * f; b.y += dy * f;
      }
    }
  }
  // Fit to the picture, keeping the aspect ratio.
  const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const scale = Math.min((W - 2 * PAD) / Math.max(x1 - x0, 1e-3), (H - 2 * PAD) / Math.max(y1 - y0, 1e-3));
  const ox = (W - (x1 - x0) * scale) / 2, oy = (H - (y1 - y0) * scale) / 2;
  for (const p of pts) {
    p.x = n === 1 ? W / 2 : ox + (p.x - x0) * scale;
    p.y = n === 1 ? H / 2 : oy + (p.y - y0) * scale;
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
    const prev = pairs.get(key);
    pairs.set(key, { from: l.from, to: l.to, quality: Math.max(prev?.quality ?? -1, l.quality), rssi: Math.max(prev?.rssi ?? -999, l.rssi) });
  }
  // A dense mesh hears dozens of neighbours per node; drawing them all makes a hairball. Draw each
  // node's strongest few links (by RSSI): the backbone a person wants to see.
  const BEST_PER_NODE = 4;
  const keep = new Set();
  for (const id of list) {
    [...pairs.entries()].filter(([, l]) => l.from === id || l.to === id)
      .sort((a, b) => b[1].rssi - a[1].rssi).slice(0, BEST_PER_NODE).forEach(([key]) => keep.add(key));
  }
  const links = [...pairs.entries()].filter(([key]) => keep.has(key)).map(([, l]) => l);
  const pos = layout(list, links);
  const lines = links.map((l) => {
    const a = pos.get(l.from), b = pos.get(l.to);
    return svg("line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), stroke: qualityColour(l.quality) },
      svg("title", {}, `${l.from} ↔ ${l.to}: quality ${l.quality}, ${l.rssi} dBm`));
  });
  // A heartbeat lists a node's best few neighbours (8 from a board) and says how many it hears (PROTOCOL.md, Heartbeat).
  const known = new Map(t.nodes.map((n) => [n.id, n.neighboursKnown]));
  const listed = new Map();
  for (const l of t.links) listed.set(l.from, (listed.get(l.from) ?? 0) + 1);
  const nodeTitle = (id) => id === t.gateway ? `gateway ${id}`
    : known.get(id) == null ? `node ${id}` : `node ${id}: lists ${listed.get(id) ?? 0} of the ${known.get(id)} neighbours it hears`;
  const circles = list.map((id) => {
    const p = pos.get(id), n = state.nodes.get(id);
    const cls = id === t.gateway ? "gateway" : n && n.online ? "online" : "offline";
    const g = svg("g", { "data-node": id, class: "node" },
      svg("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: id === t.gateway ? 11 : 8, class: cls },
        svg("title", {}, nodeTitle(id))),
      svg("text", { x: p.x.toFixed(1), y: (p.y - 12).toFixed(1) }, String(id)));
    g.addEventListener("click", () => id !== t.gateway && select(id));
    return g;
  });
  // Labels are drawn above lines and nodes, so a label is never hidden under a neighbour's circle.
  const labels = circles.map((g) => { const text = g.querySelector("text"); text.remove(); return text; });
  $("topology").replaceChildren(...lines, ...circles, ...labels);
  const hidden = placeLabels(list.map((id, i) => ({
    id, text: labels[i], x: pos.get(id).x, y: pos.get(id).y, r: id === t.gateway ? 11 : 8,
    rank: id === t.gateway ? 0 : id === state.selected ? 1 : 2,
  })));
  for (const g of circles) {
    const id = Number(g.dataset.node), text = labels[list.indexOf(id)];
    g.addEventListener("mouseenter", () => text.classList.add("hover"));
    g.addEventListener("mouseleave", () => text.classList.remove("hover"));
  }
  $("topology-legend").replaceChildren(
    el("span", { class: "key gateway" }), "gateway ",
    el("span", { class: "key online" }), "online ",
    el("span", { class: "key offline" }), "offline",
    hidden > 0 ? ` · ${hidden} of ${list.length} labels left out where nodes crowd: point at a node for its id` : "");
}

// Label placement: every label goes where it overlaps no other label, no node and stays inside the
// picture — tried around its node, nearest spot first (above, below, right, left, the diagonals, then
// the same farther out). The gateway's and the selected node's labels are placed first. A label with
// no free spot is left out (shown while the pointer is on its node) and counted for the legend, so
// crowded parts of a dense mesh stay readable instead of turning into overprinted numbers.
function placeLabels(items) {
  const W = 600, H = 420, GAP = 2;
  const boxes = [];
  const overlaps = (b) => boxes.some((o) => b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h);
  for (const it of items) boxes.push({ x: it.x - it.r - 1, y: it.y - it.r - 1, w: 2 * it.r + 2, h: 2 * it.r + 2 }); // the nodes
  let hidden = 0;
  const order = [...items].sort((a, b) => a.rank - b.rank || a.id - b.id);
  for (const it of order) {
    it.text.setAttribute("x", it.x.toFixed(1));
    it.text.setAttribute("y", it.y.toFixed(1));
    const bb = it.text.getBBox();
    const w = bb.width + 2, h = bb.height, base = it.y - bb.y; // base: how far the baseline sits below the box's top
    let placed = null;
    for (const far of [0, 6, 14]) {
      const d = it.r + GAP + far;
      const spots = [[0, -d - h / 2], [0, d + h / 2], [d + w / 2, 0], [-d - w / 2, 0],
        [d + w / 2, -d - h / 2], [-d - w / 2, -d - h / 2], [d + w / 2, d + h / 2], [-d - w / 2, d + h / 2]];
      for (const [dx, dy] of spots) {
        const b = { x: it.x + dx - w / 2, y: it.y + dy - h / 2, w, h };
        if (b.x < 0 || b.y < 0 || b.x + b.w > W || b.y + b.h > H || overlaps(b)) continue;
        placed = b;
        break;
      }
      if (placed) break;
    }
    if (placed) {
      boxes.push(placed);
      it.text.setAttribute("x", (placed.x + w / 2).toFixed(1));
      it.text.setAttribute("y", (placed.y + base).toFixed(1));
      it.text.classList.remove("crowded");
    } else {
      hidden++;
      it.text.setAttribute("y", (it.y - it.r - GAP - (h - base)).toFixed(1));
      it.text.classList.add("crowded");
    }
  }
  return hidden;
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
    const t = state.topology;
    // A hop limit too small shows only as commands and broadcasts that never arrive: say how much it leaves.
    const tight = t.deepestHops > 0 && t.hopLimitHeadroom < 2;
    const network = $("network");
    network.textContent = `network ${t.network} · gateway ${t.gateway} · hop limit ${t.hopLimit}` +
      (t.deepestHops > 0 ? `, deepest node ${t.deepestHops} hops` : "");
    network.dataset.tight = tight ? "true" : "false";
    network.title = tight
      ? `A frame travels at most ${t.hopLimit + 1} hops: ${t.hopLimitHeadroom} to spare past the deepest node. Raise Mesh:HopLimit and the nodes' hop_limit.`
      : "";
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
