// The timeline plot of one patient, drawn as SVG from the API's data: sessions as marks
// on a date axis, imaging as points labelled with mRECIST and key values, status
// assessments, tumour-marker series as lines (one panel and axis per unit: ng/mL and
// mAU/mL are different assays and are never put on one axis), and, for the chosen
// criterion, the windows it examined shaded and its evidence ringed. Grey-safe: windows
// are hatched, series differ by dash and marker shape, evidence by a thick ring.
"use strict";

(function () {
  const NS = "http://www.w3.org/2000/svg";
  const DAY = 86400000;
  // Tumour markers shown as series; other labs (bilirubin, albumin…) are listed, not drawn.
  const MARKERS = ["AFP", "AFP-L3", "PIVKA-II", "DCP", "CEA", "CA19-9"];
  const DASHES = ["", "6 3", "2 3", "8 3 2 3"];
  const SHAPES = ["circle", "square", "diamond", "triangle"];

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) node.setAttribute(k, String(v));
    }
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    const t = el("text", Object.assign({ x, y }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }
  function day(date) {
    const [y, m, d] = date.split("-").map(Number);
    return Date.UTC(y, m - 1, d) / DAY;
  }
  function isoOfDay(n) {
    return new Date(n * DAY).toISOString().slice(0, 10);
  }
  function num(v) {
    return typeof v === "number" ? v : (typeof v === "string" && v.trim() !== "" && !isNaN(+v) ? +v : null);
  }
  function fmt(v) {
    if (v === null || v === undefined) return "";
    const n = num(v);
    if (n === null) return String(v);
    return Math.abs(n) >= 1000 ? n.toLocaleString("en-US", { maximumFractionDigits: 0 }) : String(+n.toPrecision(4));
  }

  function marker(parent, shape, x, y, r, attrs) {
    switch (shape) {
      case "square":
        return el("rect", Object.assign({ x: x - r, y: y - r, width: 2 * r, height: 2 * r }, attrs), parent);
      case "diamond":
        return el("path", Object.assign({ d: `M${x} ${y - r * 1.3}L${x + r * 1.3} ${y}L${x} ${y + r * 1.3}L${x - r * 1.3} ${y}Z` }, attrs), parent);
      case "triangle":
        return el("path", Object.assign({ d: `M${x} ${y - r * 1.3}L${x + r * 1.2} ${y + r}L${x - r * 1.2} ${y + r}Z` }, attrs), parent);
      default:
        return el("circle", Object.assign({ cx: x, cy: y, r }, attrs), parent);
    }
  }

  // Key values of a scan, short: what a radiologist looks at first.
  function imagingLines(a) {
    const first = a.mrecist || (a.mrecist_target ? a.mrecist_target + " (target)" : a.modality || "imaging");
    const values = [];
    if (a.target_viable_sum_mm !== undefined) values.push("Σ" + fmt(a.target_viable_sum_mm) + " mm");
    else if (a.largest_diameter_mm !== undefined) values.push("Ø" + fmt(a.largest_diameter_mm) + " mm");
    if (a.viable_percent !== undefined) values.push("viable " + fmt(a.viable_percent) + "%");
    const flags = [];
    if (a.new_intrahepatic_lesion === true) flags.push("new lesion");
    if (a.vascular_invasion === true) flags.push("vasc. inv.");
    if (a.extrahepatic_spread === true) flags.push("EHS");
    if (a.tumor_count !== undefined && values.length < 2) values.push("n=" + fmt(a.tumor_count));
    return [first, values.join(" · "), flags.join(", ")].filter(Boolean);
  }
  function statusLines(a) {
    const out = [];
    if (a.ecog !== undefined) out.push("ECOG " + a.ecog);
    const cp = (a.child_pugh_class || "") + (a.child_pugh_score !== undefined ? a.child_pugh_score : "");
    if (cp) out.push("CP " + cp);
    const bad = ["severe_jaundice", "hepatic_encephalopathy", "refractory_ascites", "hepatorenal_syndrome",
      "hepatic_artery_occlusion", "diffuse_arterioportal_shunt", "diffuse_arteriovenous_shunt"].filter((k) => a[k] === true);
    if (bad.length) out.push(bad.map((k) => k.replace(/_/g, " ")).join(", "));
    return out.length ? out : ["status"];
  }

  function ticks(lo, hi, width) {
    // Month ticks, thinned to one every 1, 2, 3, 6 or 12 months to keep labels apart.
    const span = hi - lo;
    const perLabel = 60 * span / Math.max(width, 1);
    const step = [1, 2, 3, 6, 12, 24].find((m) => m * 30 >= perLabel) || 48;
    const start = new Date(lo * DAY);
    let y = start.getUTCFullYear(), m = start.getUTCMonth() + 1;
    const out = [];
    for (let i = 0; i < 400; i++) {
      if (m > 12) { m -= 12; y += 1; }
      const d = Date.UTC(y, m - 1, 1) / DAY;
      if (d > hi) break;
      if (d >= lo && (m - 1) % step === 0) out.push({ d, label: m === 1 || out.length === 0 ? `${y}-${String(m).padStart(2, "0")}` : String(m).padStart(2, "0") });
      m += 1;
    }
    return out;
  }

  function valueScale(values, top, height) {
    const positive = values.filter((v) => v > 0);
    const lo = Math.min(...values), hi = Math.max(...values);
    const log = positive.length === values.length && lo > 0 && hi / lo > 50;
    if (log) {
      const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
      const top10 = b === a ? b + 1 : b;
      const y = (v) => top + height - ((Math.log10(v) - a) / (top10 - a)) * height;
      const marks = [];
      for (let e = a; e <= top10; e++) marks.push(Math.pow(10, e));
      return { y, marks, log: true };
    }
    const min = Math.min(0, lo), max = hi === min ? min + 1 : hi;
    const nice = Math.pow(10, Math.floor(Math.log10((max - min) / 2)));
    const stepv = [1, 2, 2.5, 5, 10].map((s) => s * nice).find((s) => (max - min) / s <= 4) || nice * 10;
    const top0 = Math.ceil(max / stepv) * stepv;
    const y = (v) => top + height - ((v - min) / (top0 - min)) * height;
    const marks = [];
    for (let v = min; v <= top0 + 1e-9; v += stepv) marks.push(+v.toPrecision(6));
    return { y, marks, log: false };
  }

  /**
   * Draw into `container`. `patient`: {id, events}; `outcome`: one result of /api/patient
   * (criteria, windows); `criterion`: the name of the chosen criterion, or null.
   * Returns the list of windows shaded, for the caption.
   */
  function draw(container, patient, outcome, criterion) {
    container.textContent = "";
    const events = patient.events || [];
    const chosen = outcome && criterion ? (outcome.criteria || []).find((c) => c.name === criterion) : null;
    const evidence = new Set((chosen && chosen.evidence || []).map((e) => e.event));
    const windowsOf = outcome && criterion ? ((outcome.windows || []).find((w) => w.criterion === criterion) || { windows: [] }).windows : [];
    const sessions = events.filter((e) => e.kind === "tace");
    const imaging = events.filter((e) => e.kind === "imaging");
    const status = events.filter((e) => e.kind === "status");
    const labs = events.filter((e) => e.kind === "lab" && MARKERS.includes(e.attributes.test) && num(e.attributes.value) !== null);
    const units = [...new Set(labs.map((e) => e.attributes.unit || "(no unit)"))];

    const W = 1200, left = 112, right = 96;
    const laneSession = 50, laneImaging = 92, laneStatus = 54, panel = 96, gap = 14, legendBand = 26, barRow = 17;

    let lo = Infinity, hi = -Infinity;
    for (const e of events) { const d = day(e.date); lo = Math.min(lo, d); hi = Math.max(hi, d); }
    if (!isFinite(lo)) { lo = day("2021-01-01"); hi = lo + 365; }
    const shaded = [];
    for (const w of windowsOf) {
      if (w.empty) continue;
      // Open ends (and the calendar's own ends) run to the plot's edge.
      let a = w.from ? day(w.from) : -Infinity, b = w.to ? day(w.to) : Infinity;
      if (a < day("1801-01-01")) a = -Infinity;
      if (b > day("2199-01-01")) b = Infinity;
      shaded.push({ w, a, b });
      if (isFinite(a)) lo = Math.min(lo, Math.max(a, lo - 120));
      if (isFinite(b)) hi = Math.max(hi, Math.min(b + 1, hi + 120));
    }
    shaded.sort((p, q) => p.a - q.a || p.b - q.b);
    const pad = Math.max(10, (hi - lo) * 0.035);
    lo -= pad; hi += pad;
    const x = (d) => left + ((d - lo) / (hi - lo)) * (W - left - right);
    const x0Of = (a) => Math.max(left, isFinite(a) ? x(a) : left);
    const x1Of = (b) => Math.min(W - right, isFinite(b) ? x(b + 1) : W - right);

    // Each window is a bar in a band of its own above the lanes, packed into as few rows
    // as do not overlap (a label's width kept free); the lanes below are lightly shaded
    // under every window, so overlapping windows read darker.
    const rowEnds = [];
    for (const s of shaded) {
      const x0 = x0Of(s.a);
      let row = rowEnds.findIndex((end) => end + 6 <= x0);
      if (row < 0) {
        row = rowEnds.length < 8 ? rowEnds.length : rowEnds.length - 1;
        if (row === rowEnds.length) rowEnds.push(0);
      }
      s.row = row;
      rowEnds[row] = Math.max(x1Of(s.b), x0 + 30);
    }
    const bandTop = legendBand;
    const topBand = bandTop + rowEnds.length * barRow + (rowEnds.length ? 8 : 0);
    let h = topBand;
    const lanes = {};
    lanes.sessions = h; h += laneSession;
    lanes.imaging = h; h += laneImaging;
    if (status.length) { lanes.status = h; h += laneStatus; }
    const panels = units.map((u) => { const p = { unit: u, top: h + gap }; h += panel + gap; return p; });
    const axisY = h + 6;
    const H = axisY + 34;

    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "plot-title plot-desc", class: "timeline" }, container);
    const title = el("title", { id: "plot-title" }, svg);
    title.textContent = `Timeline of ${patient.id}`;
    const desc = el("desc", { id: "plot-desc" }, svg);
    desc.textContent = `${sessions.length} sessions, ${imaging.length} imaging studies, ${status.length} status assessments, ${labs.length} tumour-marker values` +
      (chosen ? `; criterion ${chosen.name} is ${chosen.result.replace("_", " ")}, ${shaded.length} windows shaded, ${evidence.size} evidence events ringed` : "");
    const defs = el("defs", {}, svg);
    const hatch = el("pattern", { id: "hatch", width: 7, height: 7, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, defs);
    el("rect", { width: 7, height: 7, fill: "#e4ebf4" }, hatch);
    el("line", { x1: 0, y1: 0, x2: 0, y2: 7, stroke: "#7d93b0", "stroke-width": 2 }, hatch);

    // Windows first, under everything: a light shade over the lanes, a hatched bar above.
    if (rowEnds.length) text(svg, left - 10, bandTop + (rowEnds.length * barRow) / 2 + 4, "Windows", { "text-anchor": "end", "font-size": 13, "font-weight": 600, fill: "#333" });
    shaded.forEach((s, i) => {
      const { w, a, b } = s;
      const x0 = x0Of(a), x1 = x1Of(b);
      const g = el("g", { class: "window-group" }, svg);
      el("rect", { class: "window-shade", x: x0, y: topBand, width: Math.max(2, x1 - x0), height: axisY - topBand,
        fill: "#c9d6e6", "fill-opacity": 0.32 }, g);
      for (const edge of [isFinite(a) ? x0 : null, isFinite(b) ? x1 : null]) {
        if (edge !== null) el("line", { x1: edge, y1: topBand, x2: edge, y2: axisY, stroke: "#4a6a93", "stroke-width": 1, "stroke-dasharray": "3 3" }, g);
      }
      const y = bandTop + s.row * barRow;
      el("rect", { class: "window", x: x0, y, width: Math.max(2, x1 - x0), height: barRow - 4,
        fill: "url(#hatch)", stroke: "#23406a", "stroke-width": 1.2, "stroke-dasharray": w.uncertain ? "4 3" : null }, g);
      // An end open towards the past or the future: an arrow head at the plot's edge.
      if (!isFinite(a)) el("path", { d: `M${x0 - 7} ${y + (barRow - 4) / 2}l7 -6v12z`, fill: "#23406a" }, g);
      if (!isFinite(b)) el("path", { d: `M${x1 + 7} ${y + (barRow - 4) / 2}l-7 -6v12z`, fill: "#23406a" }, g);
      el("rect", { x: x0 + 2, y: y + 1.5, width: 24, height: barRow - 7, fill: "#fff" }, g);
      text(g, x0 + 4, y + barRow - 7.5, "W" + (i + 1), { "font-size": 11, "font-weight": 700, fill: "#10223d" });
      el("title", {}, g).textContent = `W${i + 1}: ${w.description}`;
    });

    // Lane frames and names.
    const laneBox = (y, height, name) => {
      el("rect", { x: left, y, width: W - left - right, height, fill: "none", stroke: "#e1e5ea" }, svg);
      text(svg, left - 10, y + height / 2 + 4, name, { "text-anchor": "end", "font-size": 13, "font-weight": 600, fill: "#333" });
    };
    laneBox(lanes.sessions, laneSession, "TACE");
    laneBox(lanes.imaging, laneImaging, "Imaging");
    if (lanes.status !== undefined) laneBox(lanes.status, laneStatus, "Status");

    // Axis.
    el("line", { x1: left, y1: axisY, x2: W - right, y2: axisY, stroke: "#222" }, svg);
    for (const t of ticks(lo, hi, W - left - right)) {
      el("line", { x1: x(t.d), y1: axisY, x2: x(t.d), y2: axisY + 5, stroke: "#222" }, svg);
      el("line", { x1: x(t.d), y1: topBand, x2: x(t.d), y2: axisY, stroke: "#f0f2f4" }, svg);
      text(svg, x(t.d), axisY + 19, t.label, { "text-anchor": "middle", "font-size": 12, fill: "#333" });
    }

    // Sessions: a guide through every lane, a mark and its number.
    sessions.forEach((e, i) => {
      const cx = x(day(e.date));
      const ev = evidence.has(e.event);
      el("line", { x1: cx, y1: lanes.sessions + laneSession - 6, x2: cx, y2: axisY, stroke: "#8b96a3", "stroke-dasharray": "2 3" }, svg);
      const g = el("g", { class: "session" + (ev ? " evidence" : ""), "data-event": e.event }, svg);
      const y = lanes.sessions + 32;
      el("path", { d: `M${cx - 7} ${y - 9}L${cx + 7} ${y - 9}L${cx} ${y + 3}Z`, fill: "#1b1f24" }, g);
      text(g, cx, y - 19, "#" + (i + 1), { "text-anchor": "middle", "font-size": 12, "font-weight": ev ? 700 : 400 });
      if (ev) el("circle", { class: "evidence-ring", cx, cy: y - 4, r: 11, fill: "none", stroke: "#c2410c", "stroke-width": 3 }, g);
      el("title", {}, g).textContent = `session ${i + 1}, ${e.date}` + (e.attributes.technique ? `, ${e.attributes.technique}` : "");
    });

    // Imaging: a point, mRECIST above, key values below.
    for (const e of imaging) {
      const cx = x(day(e.date));
      const y = lanes.imaging + 34;
      const ev = evidence.has(e.event);
      const g = el("g", { class: "imaging" + (ev ? " evidence" : ""), "data-event": e.event }, svg);
      const lines = imagingLines(e.attributes);
      const pd = /PD/.test(lines[0]);
      el("circle", { cx, cy: y, r: 6, fill: pd ? "#1b1f24" : "#fff", stroke: "#1b1f24", "stroke-width": 2 }, g);
      if (ev) el("circle", { class: "evidence-ring", cx, cy: y, r: 11, fill: "none", stroke: "#c2410c", "stroke-width": 3 }, g);
      text(g, cx, y - 14, lines[0], { "text-anchor": "middle", "font-size": 12, "font-weight": 700 });
      lines.slice(1).forEach((l, i) => text(g, cx, y + 22 + i * 14, l, { "text-anchor": "middle", "font-size": 11, fill: "#333", "font-weight": ev ? 700 : 400 }));
      el("title", {}, g).textContent = `imaging ${e.date}: ` + Object.entries(e.attributes).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join("/") : v}`).join(", ");
    }

    // Status assessments: a square and the scores.
    for (const e of status) {
      const cx = x(day(e.date));
      const y = lanes.status + 16;
      const ev = evidence.has(e.event);
      const g = el("g", { class: "status" + (ev ? " evidence" : ""), "data-event": e.event }, svg);
      el("rect", { x: cx - 5, y: y - 5, width: 10, height: 10, fill: "#fff", stroke: "#1b1f24", "stroke-width": 2 }, g);
      if (ev) el("circle", { class: "evidence-ring", cx, cy: y, r: 11, fill: "none", stroke: "#c2410c", "stroke-width": 3 }, g);
      statusLines(e.attributes).slice(0, 2).forEach((l, i) => text(g, cx, y + 20 + i * 13, l, { "text-anchor": "middle", "font-size": 11, fill: "#333" }));
      el("title", {}, g).textContent = `status ${e.date}: ` + statusLines(e.attributes).join(", ");
    }

    // Tumour markers: one panel and axis per unit, one line per test.
    for (const p of panels) {
      const series = {};
      for (const e of labs.filter((e) => (e.attributes.unit || "(no unit)") === p.unit)) {
        (series[e.attributes.test] = series[e.attributes.test] || []).push(e);
      }
      const values = Object.values(series).flat().map((e) => num(e.attributes.value));
      const scale = valueScale(values, p.top + 8, panel - 16);
      el("rect", { x: left, y: p.top, width: W - left - right, height: panel, fill: "none", stroke: "#e1e5ea" }, svg);
      text(svg, left - 44, p.top + panel / 2 - 4, Object.keys(series).join(", "), { "text-anchor": "end", "font-size": 13, "font-weight": 600, fill: "#333" });
      text(svg, left - 44, p.top + panel / 2 + 12, p.unit + (scale.log ? " (log)" : ""), { "text-anchor": "end", "font-size": 11, fill: "#555" });
      for (const m of scale.marks) {
        const yy = scale.y(m);
        el("line", { x1: left - 4, y1: yy, x2: left, y2: yy, stroke: "#222" }, svg);
        el("line", { x1: left, y1: yy, x2: W - right, y2: yy, stroke: "#f0f2f4" }, svg);
        text(svg, left - 7, yy + 4, fmt(m), { "text-anchor": "end", "font-size": 10, fill: "#444" });
      }
      Object.entries(series).forEach(([test, list], i) => {
        const pts = list.map((e) => [x(day(e.date)), scale.y(num(e.attributes.value)), e]);
        el("polyline", { class: "marker-line", points: pts.map(([a, b]) => `${a},${b}`).join(" "), fill: "none", stroke: "#1b1f24", "stroke-width": 2, "stroke-dasharray": DASHES[i % DASHES.length] || null }, svg);
        for (const [px, py, e] of pts) {
          const ev = evidence.has(e.event);
          const g = el("g", { class: "lab" + (ev ? " evidence" : ""), "data-event": e.event }, svg);
          marker(g, SHAPES[i % SHAPES.length], px, py, 4, { fill: "#fff", stroke: "#1b1f24", "stroke-width": 2 });
          if (ev) el("circle", { class: "evidence-ring", cx: px, cy: py, r: 10, fill: "none", stroke: "#c2410c", "stroke-width": 3 }, g);
          el("title", {}, g).textContent = `${test} ${fmt(e.attributes.value)} ${e.attributes.unit || ""} on ${e.date}`;
        }
        const [lx, ly] = pts[pts.length - 1];
        text(svg, Math.min(lx + 10, W - right + 6), ly + 4 + i * 12, test, { "font-size": 12, "font-weight": 600 });
      });
    }

    // Legend, top right.
    const legend = el("g", { class: "legend" }, svg);
    let lx = left;
    const ly = 12;
    el("rect", { x: lx, y: ly - 8, width: 18, height: 12, fill: "url(#hatch)", stroke: "#4a6a93" }, legend);
    text(legend, lx + 24, ly + 2, "window examined", { "font-size": 12 });
    lx += 140;
    el("circle", { cx: lx + 8, cy: ly - 2, r: 7, fill: "none", stroke: "#c2410c", "stroke-width": 3 }, legend);
    text(legend, lx + 22, ly + 2, "evidence", { "font-size": 12 });
    lx += 90;
    el("circle", { cx: lx + 6, cy: ly - 2, r: 5, fill: "#1b1f24" }, legend);
    text(legend, lx + 16, ly + 2, "PD", { "font-size": 12 });
    lx += 46;
    el("circle", { cx: lx + 6, cy: ly - 2, r: 5, fill: "#fff", stroke: "#1b1f24", "stroke-width": 2 }, legend);
    text(legend, lx + 16, ly + 2, "other scan", { "font-size": 12 });

    return shaded.map(({ w }, i) => ({ label: "W" + (i + 1), w }));
  }

  window.RefractPlot = { draw, isoOfDay };
})();
