// refract workbench: the editor, the cohort, one patient's course and two definitions side
// by side, over the JSON API of `refract serve` (docs/serve.md). No framework: the page
// is small, and every view is redrawn whole from the last answer.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const MAX_LISTED = 500;
  const state = {
    file: null,          // the definition file open in the editor (null: a new one)
    token: null,         // its version token when opened or last saved
    saved: "",           // its text then
    files: [],           // the definitions folder: [{file, id, title, outcome}]
    patients: [],        // [{id, events}]
    draftResults: null,  // /api/cohort for the text in the editor
    folderCounts: null,  // /api/cohort for the saved files
    ok: false,           // the text in the editor compiles
    patient: null,       // the chosen patient's id
    detail: null,        // /api/patient for it
    criterion: null,     // the chosen criterion
    checkSeq: 0,
  };

  async function api(path, body) {
    const init = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const response = await fetch(path, init);
    let data = null;
    try { data = await response.json(); } catch (e) { data = { error: { code: "bad_response", message: "the server's answer was not JSON" } }; }
    return { status: response.status, ok: response.ok, data };
  }

  function node(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") n.className = v; else if (k === "text") n.textContent = v; else n.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) n.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return n;
  }
  // Backticks in messages are code: `name` shows as <code>name</code>.
  function rich(textContent) {
    const out = document.createDocumentFragment();
    String(textContent || "").split(/(`[^`]*`)/).forEach((part) => {
      if (part.startsWith("`") && part.endsWith("`") && part.length > 1) out.append(node("code", { text: part.slice(1, -1) }));
      else if (part) out.append(document.createTextNode(part));
    });
    return out;
  }
  function badge(result) {
    const words = { met: "met", not_met: "not met", unknown: "unknown", error: "error" };
    return node("span", { class: "badge " + result, text: words[result] || result });
  }
  function draft() {
    return { text: $("text").value, name: state.file || $("new-name").value || "draft.crit" };
  }

  // ---- the editor ----------------------------------------------------------------------

  function underline(diagnostics) {
    const text = $("text").value;
    const marks = diagnostics.filter((d) => d.span).map((d) => ({ from: d.span.from, to: Math.max(d.span.to, d.span.from + 1), sev: d.severity }))
      .sort((a, b) => a.from - b.from);
    const layer = $("underlay");
    layer.textContent = "";
    let at = 0;
    for (const m of marks) {
      if (m.from < at) continue; // overlapping spans: the first one is shown
      layer.append(text.slice(at, m.from));
      // A span at a line end still shows: underline the space it would take.
      const inside = text.slice(m.from, Math.min(m.to, text.length)) || " ";
      layer.append(node("mark", { class: m.sev, text: inside.replace(/\n$/, " \n") }));
      at = Math.min(m.to, text.length);
    }
    layer.append(text.slice(at) + "\n");
    syncScroll();
  }
  function syncScroll() {
    $("underlay").scrollTop = $("text").scrollTop;
    $("underlay").scrollLeft = $("text").scrollLeft;
  }

  function showDiagnostics(result) {
    const list = $("diagnostics");
    list.textContent = "";
    const summary = $("check-summary");
    const { errors, warnings } = result;
    summary.className = "check-summary" + (errors === 0 ? " ok" : "");
    summary.textContent = errors === 0
      ? `${result.id}: no errors` + (warnings ? `, ${warnings} warning${warnings > 1 ? "s" : ""}` : "")
      : `${errors} error${errors > 1 ? "s" : ""}` + (warnings ? `, ${warnings} warning${warnings > 1 ? "s" : ""}` : "");
    for (const d of result.diagnostics) {
      const li = node("li", { class: d.severity, tabindex: 0, "data-code": d.code },
        node("span", { class: "sev", text: d.severity }),
        d.span ? node("span", { class: "where", text: `${d.span.line}:${d.span.column}` }) : null,
        node("span", { class: "message" }, rich(d.message)),
        d.label ? node("span", { class: "label" }, rich(d.label)) : null,
        d.help ? node("span", { class: "help" }, rich(d.help)) : null);
      const jump = () => {
        if (!d.span) return;
        const area = $("text");
        area.focus();
        area.setSelectionRange(d.span.from, Math.max(d.span.to, d.span.from));
      };
      li.addEventListener("click", jump);
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") jump(); });
      list.append(li);
    }
    underline(result.diagnostics);
  }

  let timer = null;
  function changed() {
    underline([]);
    markStatus();
    clearTimeout(timer);
    // Debounced: one check a short pause after typing stops, not one per key.
    timer = setTimeout(check, 250);
  }

  async function check() {
    const seq = ++state.checkSeq;
    const { data } = await api("/api/check", draft());
    if (seq !== state.checkSeq) return; // a newer check is under way
    if (data.error) { $("check-summary").textContent = data.error.message; return; }
    showDiagnostics(data);
    state.ok = data.ok;
    if (data.ok) await evaluateDraft(seq);
    else if (state.detail) {
      // The plot and results below are those of the last text without errors.
      if (!$("stale-note")) $("verdict").prepend(node("span", { id: "stale-note", class: "muted", text: "(as of the last text without errors) " }));
      renderPatients();
    }
  }

  async function evaluateDraft(seq) {
    const { data } = await api("/api/cohort", { definitions: [draft()] });
    if (seq !== undefined && seq !== state.checkSeq) return;
    if (data.error) { $("patient-count").textContent = data.error.message; return; }
    state.draftResults = data;
    renderCounts();
    renderPatients();
    if (state.patient) await loadPatient(state.patient, seq);
  }

  function markStatus() {
    const s = $("file-status");
    if (s.classList.contains("stale")) return;
    const dirty = $("text").value !== state.saved;
    s.textContent = state.file ? `${state.file}${dirty ? " — modified, not saved" : " — saved"}` : "a new definition, not saved yet";
  }

  async function openFile(file) {
    if (file === "") {
      state.file = null; state.token = null;
      $("new-name").hidden = false;
      const text = "definition my-definition\n  title   \"A new definition\"\n  outcome refractory\n\ncriterion progression\n  source \"Progressive disease on imaging after a session.\"\n  = any session S: any imaging after S shows mrecist is PD\n\nmet when progression\n";
      state.saved = "";
      $("text").value = text;
    } else {
      const { data } = await api("/api/open", { file });
      if (data.error) { $("file-status").textContent = data.error.message; return; }
      state.file = data.file; state.token = data.token; state.saved = data.text;
      $("new-name").hidden = true;
      $("text").value = data.text;
    }
    $("file-status").classList.remove("stale");
    markStatus();
    await check();
  }

  async function format() {
    const { data } = await api("/api/format", draft());
    if (data.error) {
      $("check-summary").textContent = data.error.message;
      if (data.error.diagnostics) showDiagnostics({ errors: data.error.diagnostics.length, warnings: 0, diagnostics: data.error.diagnostics });
      return;
    }
    if (data.changed) {
      $("text").value = data.text;
      changed();
    }
  }

  async function save() {
    const file = state.file || $("new-name").value.trim();
    if (!file) { $("file-status").textContent = "name the new file first (e.g. my-definition.crit)"; $("new-name").focus(); return; }
    const { data } = await api("/api/save", { file, text: $("text").value, token: state.file ? state.token : null });
    const s = $("file-status");
    if (data.error) {
      s.classList.toggle("stale", data.error.code === "stale" || data.error.code === "exists");
      s.textContent = "not saved: " + data.error.message;
      return;
    }
    s.classList.remove("stale");
    state.file = data.file; state.token = data.token; state.saved = $("text").value;
    $("new-name").hidden = true;
    markStatus();
    await loadFiles(state.file);
    await loadFolderCounts();
  }

  // ---- the cohort ----------------------------------------------------------------------

  async function loadFiles(selected) {
    const { data } = await api("/api/definitions");
    state.files = (data.definitions || []);
    const open = $("open");
    open.textContent = "";
    open.append(node("option", { value: "", text: "— a new definition —" }));
    for (const f of state.files) open.append(node("option", { value: f.file, text: f.file + (f.errors ? ` (${f.errors} errors)` : "") }));
    open.value = selected || "";
    for (const id of ["compare-first", "compare-second"]) {
      const sel = $(id), keep = sel.value;
      sel.textContent = "";
      sel.append(node("option", { value: "", text: "the text in the editor" }));
      for (const f of state.files.filter((f) => f.id)) sel.append(node("option", { value: f.file, text: f.file }));
      sel.value = keep;
    }
  }

  async function loadFolderCounts() {
    const usable = state.files.filter((f) => f.id).map((f) => ({ file: f.file }));
    if (!usable.length || !state.patients.length) return;
    const { data } = await api("/api/cohort", { definitions: usable });
    if (!data.error) { state.folderCounts = data; renderCounts(); }
  }

  function countRow(d, draftRow) {
    const total = d.met + d.not_met + d.unknown + d.error || 1;
    const stack = node("div", { class: "stack", role: "img", "aria-label": `${d.met} met, ${d.not_met} not met, ${d.unknown} unknown` },
      ...["met", "not_met", "unknown"].map((k) => node("span", { class: k, style: null })));
    [...stack.children].forEach((s, i) => { s.style.width = (100 * [d.met, d.not_met, d.unknown][i] / total) + "%"; });
    return node("tr", { class: draftRow ? "draft" : null },
      node("td", { text: draftRow ? `${d.id} (editor)` : d.id }), node("td", { text: d.met }), node("td", { text: d.not_met }), node("td", { text: d.unknown }),
      node("td", { class: "bar" }, stack));
  }
  function renderCounts() {
    const body = $("counts").querySelector("tbody");
    body.textContent = "";
    const draftDef = state.draftResults && state.draftResults.definitions[0];
    if (draftDef) body.append(countRow(draftDef, true));
    for (const d of (state.folderCounts ? state.folderCounts.definitions : [])) body.append(countRow(d, false));
  }

  function draftResultOf(index) {
    const rows = state.draftResults && state.draftResults.patients;
    return rows && rows[index] ? rows[index].results[0] : null;
  }
  function renderPatients() {
    const list = $("patients");
    const q = $("search").value.trim().toLowerCase();
    const want = $("filter").value;
    list.textContent = "";
    let shown = 0;
    state.patients.forEach((p, i) => {
      const r = draftResultOf(i);
      if (q && !p.id.toLowerCase().includes(q)) return;
      if (want && (!r || r.result !== want)) return;
      shown += 1;
      // A list of a whole registry would be too long to use: the first matches, then search.
      if (shown > MAX_LISTED) return;
      const b = node("button", { type: "button", "data-id": p.id, "aria-pressed": String(p.id === state.patient) },
        node("span", { class: "pid", text: p.id }), r ? badge(r.result) : node("span", { class: "muted", text: "—" }));
      b.addEventListener("click", () => choosePatient(p.id));
      list.append(node("li", {}, b));
    });
    $("patient-count").textContent = `${shown} of ${state.patients.length} patients` + (shown > MAX_LISTED ? ` (the first ${MAX_LISTED} listed: search to narrow)` : "") + (state.ok ? "" : " (results wait for a definition without errors)");
  }

  // ---- one patient ---------------------------------------------------------------------

  async function choosePatient(id) {
    state.patient = id;
    state.criterion = null;
    renderPatients();
    await loadPatient(id);
    await loadOthers(id);
  }

  async function loadPatient(id, seq) {
    if (!state.ok) return;
    const { data } = await api("/api/patient", { id, definitions: [draft()] });
    if (seq !== undefined && seq !== state.checkSeq) return;
    if (data.error) { $("verdict").textContent = data.error.message; return; }
    state.detail = data;
    const outcome = data.results[0];
    const names = (outcome.criteria || []).map((c) => c.name);
    if (!names.includes(state.criterion)) {
      // The criterion that decided the result, else the first.
      const deciding = (outcome.criteria || []).find((c) => c.result === outcome.result) || (outcome.criteria || [])[0];
      state.criterion = deciding ? deciding.name : null;
    }
    renderPatient();
  }

  function renderPatient() {
    const data = state.detail;
    if (!data) return;
    const outcome = data.results[0];
    $("patient-hint").hidden = true;
    $("patient-title").textContent = "Patient " + data.patient.id;
    const v = $("verdict");
    v.textContent = "";
    if (outcome.error) v.append(badge("error"), " ", outcome.error);
    else v.append(`${outcome.definition} (${outcome.outcome}): `, badge(outcome.result), outcome.onset ? ` onset ${outcome.onset}` : "");
    $("plot-figure").hidden = false;
    const shaded = window.RefractPlot.draw($("plot"), data.patient, outcome, state.criterion);
    const cap = $("plot-caption");
    cap.textContent = "";
    cap.append(state.criterion ? `Windows examined by ${state.criterion}: ` : "");
    if (state.criterion && !shaded.length) cap.append("none (this criterion reads no window, or every window was empty).");
    shaded.forEach(({ label, w }, i) => {
      cap.append(node("strong", { text: label }), " " + w.description + (w.uncertain ? " (its anchor depends on missing data)" : ""), i + 1 < shaded.length ? "; " : ".");
    });
    const body = $("criteria").querySelector("tbody");
    body.textContent = "";
    $("criteria").hidden = false;
    for (const c of outcome.criteria || []) {
      const ev = (c.evidence || []).map((e) => `${e.kind} ${e.date}`).join(", ");
      const deciders = (c.decided_by || []).filter((d) => d.met_if || d.not_met_if)
        .map((d) => `${d.attribute} on the ${d.kind} of ${d.date}: met if ${d.met_if || "—"}, not met if ${d.not_met_if || "—"}`);
      const row = node("tr", { tabindex: 0, "aria-selected": String(c.name === state.criterion), "data-criterion": c.name },
        node("td", {}, node("code", { text: c.name })), node("td", {}, badge(c.result)),
        node("td", { class: "why" }, c.why, deciders.length ? node("span", { class: "deciders", text: "decided by " + deciders.join("; ") }) : null),
        node("td", { text: ev || "—" }));
      const pick = () => { state.criterion = c.name; renderPatient(); };
      row.addEventListener("click", pick);
      row.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
      body.append(row);
    }
  }

  async function loadOthers(id) {
    const usable = state.files.filter((f) => f.id).map((f) => ({ file: f.file }));
    const box = $("others"), body = $("others-body");
    if (!usable.length) { box.hidden = true; return; }
    const { data } = await api("/api/patient", { id, definitions: usable });
    if (data.error) { box.hidden = true; return; }
    body.textContent = "";
    const table = node("table", {});
    for (const r of data.results) {
      const crit = (r.criteria || []).map((c) => node("div", {}, node("code", { text: c.name }), " ", badge(c.result), " ", c.why));
      table.append(node("tr", {}, node("td", {}, node("strong", { text: r.definition })), node("td", {}, r.error ? badge("error") : badge(r.result), r.onset ? ` ${r.onset}` : ""), node("td", {}, crit)));
    }
    body.append(table);
    box.hidden = false;
  }

  // ---- side by side --------------------------------------------------------------------

  async function compare() {
    const side = (value) => (value ? { file: value } : draft());
    const out = $("compare-body");
    out.textContent = "comparing…";
    const { data } = await api("/api/compare", { first: side($("compare-first").value), second: side($("compare-second").value) });
    out.textContent = "";
    if (data.error) { out.append(node("p", { class: "error-box", text: data.error.message })); return; }
    const r = data.report;
    const [a, b] = r.definitions;
    const pair = r.pairs[0];
    const words = ["met", "not met", "unknown"];
    const grid = node("table", { class: "three" }, node("caption", { text: `${r.patients} patients: rows ${a.id}, columns ${b.id}` }),
      node("tr", {}, node("th", {}), ...words.map((w) => node("th", { scope: "col", text: w }))),
      ...pair.table.map((row, i) => node("tr", {}, node("th", { scope: "row", text: words[i] }), ...row.map((n) => node("td", { text: n })))));
    const pct = (x) => (x === null || x === undefined ? "—" : (100 * x).toFixed(1) + " %");
    const stats = node("table", {}, node("tr", {}, node("th", { text: "agreement" }), node("td", { text: pct(pair.agreement) })),
      node("tr", {}, node("th", { text: "Cohen's kappa" }), node("td", { text: pair.kappa === null ? "—" : pair.kappa.toFixed(3) })),
      node("tr", {}, node("th", { text: "known under both" }), node("td", { text: pair.known })),
      node("tr", {}, node("th", { text: "unknown under either" }), node("td", { text: pair.unknown_either })));
    out.append(node("div", { class: "grid" }, grid, stats));
    const changers = (r.two && r.two.changers) || [];
    if (changers.length) {
      const t = node("table", { class: "changers" }, node("caption", { text: `${changers.length} patients change class` }),
        node("tr", {}, node("th", { text: "patient" }), node("th", { text: a.id }), node("th", { text: b.id })));
      for (const c of changers) {
        const sideCell = (s) => node("td", {}, badge(s.result), s.criterion ? [" ", node("code", { text: s.criterion }), ": ", s.why] : "");
        const open = node("button", { type: "button", text: c.patient });
        open.addEventListener("click", () => choosePatient(c.patient));
        t.append(node("tr", {}, node("td", {}, open), sideCell(c.first), sideCell(c.second)));
      }
      out.append(node("div", { class: "changers" }, t));
    } else {
      out.append(node("p", { text: "No patient changes class." }));
    }
  }

  // ---- start ---------------------------------------------------------------------------

  async function start() {
    const area = $("text");
    area.addEventListener("input", changed);
    area.addEventListener("scroll", syncScroll);
    area.addEventListener("keydown", (e) => {
      // Tab indents (two spaces) instead of leaving the editor; Escape then Tab leaves it.
      if (e.key === "Tab" && !e.shiftKey && !area.dataset.escaped) {
        e.preventDefault();
        area.setRangeText("  ", area.selectionStart, area.selectionEnd, "end");
        changed();
      }
      area.dataset.escaped = e.key === "Escape" ? "1" : "";
    });
    $("open").addEventListener("change", (e) => openFile(e.target.value));
    $("format").addEventListener("click", format);
    $("save").addEventListener("click", save);
    $("search").addEventListener("input", renderPatients);
    $("filter").addEventListener("change", renderPatients);
    $("compare").addEventListener("click", compare);
    $("new-name").addEventListener("input", markStatus);

    const [info, patients] = await Promise.all([api("/api/info"), api("/api/patients")]);
    const c = info.data.cohort;
    $("where").textContent = `definitions: ${info.data.definitions_folder}`;
    $("cohort-name").textContent = c.name ? `${c.name}: ${c.patients} patients` + (c.unreadable ? `, ${c.unreadable} unreadable` : "") + (c.left_out ? `, ${c.left_out} more not shown` : "") : "no cohort given (refract serve COHORT)";
    state.patients = patients.data.patients || [];
    await loadFiles();
    const first = new URLSearchParams(location.search).get("open") || (state.files.find((f) => f.id) || {}).file || "";
    $("open").value = first;
    await openFile(first);
    await loadFolderCounts();
    const firstSecond = state.files.find((f) => f.id && f.file !== first);
    if (firstSecond) $("compare-second").value = firstSecond.file;
    document.body.dataset.ready = "1";
  }

  start();
})();
