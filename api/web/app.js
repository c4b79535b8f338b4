// The planner's page: plain script, no framework, nothing from another host. It talks to the
// service's /v1 routes with the key typed in (kept in this tab's session storage only).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { scenario: null, job: null, plan: null, summary: null, events: 0 };
window.ledokol = state; // what the page holds, for a look from the browser's console
const money = (v) => (v === null || v === undefined ? "-" : Math.round(v).toLocaleString("en-US"));
const SVG = "http://www.w3.org/2000/svg";

function key() { return $("key").value.trim(); }

async function api(path, options = {}) {
  const headers = Object.assign({ "X-API-Key": key() }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    let problem = { title: response.statusText, errors: [] };
    try { problem = await response.json(); } catch (_) { /* not JSON */ }
    const error = new Error(problem.detail || problem.title || String(response.status));
    error.problems = (problem.errors || []).map((e) => `${e.field}: ${e.message}`);
    throw error;
  }
  return response;
}

function showProblems(error) {
  const list = $("problems");
  list.replaceChildren();
  for (const line of [error.message, ...(error.problems || [])]) {
    const item = document.createElement("li");
    item.textContent = line;
    list.append(item);
  }
}

function scenarioLoaded(scenario, from) {
  state.scenario = scenario;
  $("problems").replaceChildren();
  $("loaded").textContent = `${scenario.name}: ${scenario.territories.length} territories, ` +
    `${scenario.reps.length} reps, ${scenario.horizon.periods} months from ` +
    `${scenario.horizon.start} (${from})`;
  $("solve").disabled = false;
}

async function loadDatasets() {
  if (!key()) return;
  sessionStorage.setItem("ledokol-key", key());
  try {
    const names = (await (await api("/v1/datasets")).json()).datasets;
    const select = $("dataset");
    select.replaceChildren(new Option("choose…", ""));
    for (const name of names) select.append(new Option(name, name));
  } catch (error) { showProblems(error); }
}

async function pickDataset() {
  const name = $("dataset").value;
  if (!name) return;
  try {
    const body = await (await api(`/v1/datasets/${encodeURIComponent(name)}`)).json();
    scenarioLoaded(body.scenario, "shipped dataset");
  } catch (error) { showProblems(error); }
}

async function pickFile() {
  const file = $("file").files[0];
  if (!file) return;
  try {
    if (file.name.toLowerCase().endsWith(".xlsx")) {
      const response = await api("/v1/scenario.json", {
        method: "POST", body: await file.arrayBuffer(),
        headers: { "Content-Type": "application/octet-stream" },
      });
      scenarioLoaded((await response.json()).scenario, file.name);
    } else {
      const scenario = JSON.parse(await file.text());
      const check = await (await api("/v1/validate", {
        method: "POST", body: JSON.stringify({ scenario }),
        headers: { "Content-Type": "application/json" },
      })).json();
      if (!check.valid) {
        const error = new Error(`${file.name} is not a valid scenario`);
        error.problems = check.errors.map((e) => `${e.field}: ${e.message}`);
        throw error;
      }
      scenarioLoaded(scenario, file.name);
    }
  } catch (error) { showProblems(error); }
}

async function download(path, name) {
  try {
    const blob = await (await api(path)).blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.click();
  } catch (error) { showProblems(error); }
}

// -- solving -------------------------------------------------------------------------------

async function solve() {
  $("solve").disabled = true;
  $("result").hidden = true;
  $("progress").textContent = "queued…";
  try {
    const body = { scenario: state.scenario, options: { time_limit: Number($("seconds").value) } };
    const job = await (await api("/v1/solves", {
      method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" },
    })).json();
    state.job = job.id;
    $("cancel").disabled = false;
    await follow(job.id);
  } catch (error) { showProblems(error); $("progress").textContent = ""; }
  $("solve").disabled = false;
  $("cancel").disabled = true;
}

// Server-sent events read with fetch (EventSource cannot send the key header).
async function follow(id) {
  const response = await api(`/v1/solves/${id}/events`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const kind = (block.match(/^event: (.*)$/m) || [])[1];
      const data = (block.match(/^data: (.*)$/m) || [])[1];
      if (!data) continue;
      const job = JSON.parse(data);
      state.events += 1;
      showProgress(job);
      if (kind === "status") { await finished(job); return; }
    }
  }
}

function showProgress(job) {
  const p = job.progress;
  let line = job.status;
  if (p) {
    const gap = p.gap_pct === null || p.gap_pct === undefined ? "-" : `${p.gap_pct.toFixed(2)} %`;
    line += ` · ${p.elapsed.toFixed(1)} s · score ${money(p.score)} · bound ${money(p.best_bound)} · gap ${gap}`;
  }
  $("progress").textContent = line;
}

async function finished(job) {
  if (job.status === "failed") { showProblems(new Error(job.error || "the solve failed")); return; }
  state.summary = job.summary;
  // the plan before this one, when it plans the same scenario (not one picked since)
  state.previous = state.plan && state.plan.scenario === state.scenario.name ? state.plan : null;
  state.plan = await (await api(`/v1/solves/${job.id}/plan`)).json();
  render();
  if (state.plan.kpis) await compareChoices(state.previous && state.previous.kpis ? "previous" : "quo");
}

// What the plan can be set against: the status quo, the plan before it, and the key's other
// finished solves of the same scenario (newest first).
async function compareChoices(chosen) {
  const select = $("compare-with");
  const choices = [new Option("the status quo", "quo")];
  if (state.previous && state.previous.kpis) choices.push(new Option("the previous plan", "previous"));
  try {
    const jobs = (await (await api("/v1/solves?limit=50")).json()).items;
    for (const j of jobs) {
      if (j.id !== state.job && j.status === "succeeded" && j.scenario === state.scenario.name) {
        choices.push(new Option(`job ${j.id.slice(0, 8)} (${j.finished_at.slice(0, 19).replace("T", " ")})`, `job:${j.id}`));
      }
    }
  } catch (error) { showProblems(error); }
  select.replaceChildren(...choices);
  select.value = chosen;
  $("compare").hidden = false;
  await showDiff(chosen);
}

// This plan against another (the status quo, the plan before a lock and re-solve, another
// job): the KPIs that moved and the changed cells outlined in the schedule.
async function showDiff(choice) {
  let before = null, name = "the status quo";
  if (choice === "previous") { before = state.previous; name = "the previous plan"; }
  if (choice.startsWith("job:")) {
    const id = choice.slice(4);
    before = await (await api(`/v1/solves/${id}/plan`)).json();
    name = `job ${id.slice(0, 8)}`;
  }
  const body = { scenario: state.scenario, b: state.plan };
  if (before) body.a = before;
  let out;
  try {
    out = await (await api("/v1/diff", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    })).json();
  } catch (error) { showProblems(error); return; }
  const rows = out.kpis.filter((k) => k.difference !== 0).map((k) => [
    { text: k.label }, { text: money(k.a), cls: "num" }, { text: money(k.b), cls: "num" },
    { text: `${k.difference >= 0 ? "+" : ""}${money(k.difference)}`, cls: "num" },
  ]);
  const t = table([`against ${name}`, "there", "this plan", "difference"], rows);
  t.id = "diff-table";
  const note = document.createElement("p");
  note.textContent = `${out.changes.length} person-month(s) changed (outlined in the schedule)`;
  $("diff").replaceChildren(note, t);
  for (const td of document.querySelectorAll("#schedule-table td.changed")) td.classList.remove("changed");
  for (const c of out.changes) {
    const td = document.querySelector(`#schedule-table td[data-person="${c.person}"][data-period="${c.period}"]`);
    if (td) td.classList.add("changed");
  }
}

// -- the plan ------------------------------------------------------------------------------

function render() {
  const plan = state.plan, s = state.scenario, quo = state.summary.status_quo;
  $("result").hidden = false;
  const gap = plan.gap_pct === null ? ""
    : plan.gap_pct === 0 ? ", proven the best possible"
    : `; the best possible plan may score up to ${money(plan.best_bound)}, ${plan.gap_pct.toFixed(2)} % more (not proven closer)`;
  $("verdict").textContent = plan.score === null
    ? `${plan.status}: ${plan.explanation || "no plan"}`
    : `${plan.status}: score ${money(plan.score)} ${s.currency}${gap} (${plan.solve_seconds} s)`;
  if (!plan.kpis) return;
  cards(plan.kpis, quo.kpis);
  monthlyChart(plan, quo.monthly);
  costsChart(plan.months, quo.months || []);
  const slider = $("month");
  slider.max = s.horizon.periods - 1;
  slider.oninput = () => drawMap(Number(slider.value));
  drawMap(0);
  drawSmallMultiples();
  scheduleTable(plan);
  targetsTable(plan);
}

function cards(k, q) {
  const rows = [
    ["score", k.score, q.score], ["profit", k.profit, q.profit],
    ["revenue", k.revenue_total, q.revenue_total], ["new clients", k.new_clients, q.new_clients],
    ["hires", k.hires, q.hires], ["travel", k.travel, q.travel],
  ];
  const box = $("cards");
  box.replaceChildren();
  for (const [label, mine, theirs] of rows) {
    const card = document.createElement("div");
    card.className = "card";
    const delta = mine - theirs;
    card.innerHTML = `<div>${label}</div><div class="value"></div><div class="delta"></div>`;
    card.querySelector(".value").textContent = money(mine);
    const d = card.querySelector(".delta");
    d.textContent = `${delta >= 0 ? "+" : ""}${money(delta)} vs status quo`;
    d.classList.add(delta >= 0 ? "up" : "down");
    card.dataset.kpi = label;
    box.append(card);
  }
}

function monthly(plan) {
  const out = Array.from({ length: state.scenario.horizon.periods }, () => ({ won: 0, revenue: 0 }));
  for (const r of plan.territory_periods) { out[r.period].won += r.won; out[r.period].revenue += r.revenue; }
  return out;
}

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function monthlyChart(plan, quo) {
  const mine = monthly(plan), n = mine.length, w = 60, h = 160, left = 70;
  const top = Math.max(1, ...mine.map((m) => m.revenue), ...quo.map((m) => m.revenue));
  const svg = el("svg", { id: "monthly-chart", width: left + n * w + 20, height: h + 40 });
  for (let p = 0; p < n; p++) {
    const x = left + p * w;
    const a = (mine[p].revenue / top) * h, b = (quo[p].revenue / top) * h;
    svg.append(el("rect", { x: x + 6, y: h - a + 10, width: 22, height: a, fill: "#4472c4" },));
    svg.append(el("rect", { x: x + 30, y: h - b + 10, width: 22, height: b, fill: "#bbbbbb" }));
    svg.append(el("text", { x: x + 6, y: h + 26 }, label(p)));
    svg.append(el("text", { x: x + 6, y: h - a + 6 }, `+${mine[p].won}`));
  }
  svg.append(el("text", { x: 0, y: 20 }, "revenue"));
  svg.append(el("text", { x: 0, y: 36, fill: "#4472c4" }, "plan"));
  svg.append(el("text", { x: 0, y: 52, fill: "#888" }, "status quo"));
  $("monthly").replaceChildren(svg);
}

// Each month's costs (salaries, travel, bonus, the rest) stacked, the status quo's total beside
// them, and the bonus level in force under each month.
function costsChart(mine, quo) {
  const box = $("costs");
  if (!mine || !mine.length) { box.replaceChildren(); return; }
  const parts = [["salaries", "#4472c4"], ["travel", "#ed7d31"], ["bonus_cost", "#ffc000"], ["other", "#a5a5a5"]];
  const total = (m) => m.salaries + m.hiring_cost + m.travel + m.bonus_cost + m.handover + m.switches + m.bench;
  const n = mine.length, w = 60, h = 160, left = 70;
  const top = Math.max(1, ...mine.map(total), ...quo.map(total));
  const svg = el("svg", { id: "costs-chart", width: left + n * w + 20, height: h + 56 });
  for (let p = 0; p < n; p++) {
    const m = mine[p], x = left + p * w;
    const value = { salaries: m.salaries, travel: m.travel, bonus_cost: m.bonus_cost, other: m.hiring_cost + m.handover + m.switches + m.bench };
    let y = h + 10;
    for (const [name, colour] of parts) {
      const height = (value[name] / top) * h;
      y -= height;
      const bar = el("rect", { x: x + 6, y, width: 22, height, fill: colour, class: "cost", "data-part": name });
      bar.append(el("title", {}, `${label(p)} ${name.replace("_cost", "")}: ${money(value[name])}`));
      svg.append(bar);
    }
    if (quo[p]) {
      const b = (total(quo[p]) / top) * h;
      svg.append(el("rect", { x: x + 30, y: h - b + 10, width: 22, height: b, fill: "#bbbbbb", class: "quo" }));
    }
    svg.append(el("text", { x: x + 6, y: h + 26 }, label(p)));
    svg.append(el("text", { x: x + 6, y: h + 42, class: "level", "font-size": 10, fill: m.bonus_level === (quo[p] || {}).bonus_level ? "#888" : "#c00000" }, m.bonus_level));
  }
  svg.append(el("text", { x: 0, y: 20 }, "costs"));
  parts.forEach(([name, colour], i) => svg.append(el("text", { x: 0, y: 36 + 14 * i, fill: colour }, name.replace("_cost", ""))));
  svg.append(el("text", { x: 0, y: 36 + 14 * parts.length, fill: "#888" }, "status quo"));
  svg.append(el("text", { x: 0, y: h + 42, "font-size": 10 }, "bonus level"));
  box.replaceChildren(svg);
}

function label(p) {
  const [y, m] = state.scenario.horizon.start.split("-").map(Number);
  const i = m - 1 + p;
  return `${y + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

function drawMap(p) {
  $("month-label").textContent = label(p);
  $("map").replaceChildren(mapOf(p, 640, 420, "map-chart", true));
}

// Every month's map at once, small, side by side: the moves month by month at a glance.
function drawSmallMultiples() {
  const box = $("maps");
  if (!$("all-months").checked) { box.replaceChildren(); return; }
  const n = state.scenario.horizon.periods;
  box.replaceChildren(...Array.from({ length: n }, (_, p) => {
    const figure = document.createElement("figure");
    figure.className = "small-map";
    const caption = document.createElement("figcaption");
    caption.textContent = label(p);
    figure.append(mapOf(p, 240, 170, `map-${p}`, false), caption);
    return figure;
  }));
}

// One month's map in a width x height box: towns sized by accounts, green where a farmer
// serves them, a line from home for each rep working away (hunters orange, farmers green).
function mapOf(p, width, height, id, named) {
  const s = state.scenario, plan = state.plan;
  const svg = el("svg", { id, width, height, class: "map" });
  const placed = s.territories.filter((t) => t.lat !== null && t.lon !== null);
  if (!placed.length) { svg.append(el("text", { x: 10, y: 20 }, "no coordinates in this scenario")); return svg; }
  const pad = named ? 40 : 10;
  const lats = placed.map((t) => t.lat), lons = placed.map((t) => t.lon);
  const k = Math.cos((((Math.min(...lats) + Math.max(...lats)) / 2) * Math.PI) / 180);
  const spanX = Math.max(1e-6, (Math.max(...lons) - Math.min(...lons)) * k);
  const spanY = Math.max(1e-6, Math.max(...lats) - Math.min(...lats));
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const xy = (t) => [pad + (t.lon - Math.min(...lons)) * k * scale, pad + (Math.max(...lats) - t.lat) * scale];
  const at = {};
  for (const t of placed) at[t.id] = xy(t);
  const rows = plan.territory_periods.filter((r) => r.period === p);
  const work = plan.assignments.filter((a) => a.period === p && a.territory);
  const homes = Object.fromEntries(s.reps.map((r) => [r.id, r.home]));
  for (const a of work) {
    const home = homes[a.person] || a.territory;
    if (home !== a.territory && at[home] && at[a.territory]) {
      const [x1, y1] = at[home], [x2, y2] = at[a.territory];
      svg.append(el("line", { x1, y1, x2, y2, stroke: a.role === "hunter" ? "#c55a11" : "#548235", "stroke-width": named ? 1.5 : 1, class: "move" }));
    }
  }
  const size = named ? 1 : 0.4;
  for (const t of placed) {
    const r = rows.find((x) => x.territory === t.id);
    const [x, y] = at[t.id];
    const covered = r && r.farmers > 0;
    const town = el("circle", { cx: x, cy: y, r: size * (4 + Math.sqrt(r ? r.accounts : 0)), fill: covered ? "#a9d18e" : "#f4b183", stroke: "#555", class: "town" });
    town.append(el("title", {}, `${t.name || t.id}${r ? `: ${r.hunters} hunter(s), ${r.farmers} farmer(s), ${r.accounts} accounts` : ""}`));
    svg.append(town);
    if (named) svg.append(el("text", { x: x + 8, y: y + 4 }, `${t.name || t.id}${r ? ` (${r.hunters}H ${r.farmers}F)` : ""}`));
  }
  return svg;
}

function table(head, rows) {
  const t = document.createElement("table");
  const tr = document.createElement("tr");
  for (const h of head) { const th = document.createElement("th"); th.textContent = h; tr.append(th); }
  t.append(tr);
  for (const row of rows) {
    const r = document.createElement("tr");
    for (const cell of row) {
      const td = document.createElement("td");
      td.textContent = cell.text;
      if (cell.cls) td.className = cell.cls;
      if (cell.person !== undefined) {
        td.dataset.person = cell.person;
        td.dataset.period = cell.period;
        td.addEventListener("click", () => showWhy(cell.person, cell.period));
      }
      r.append(td);
    }
    t.append(r);
  }
  return t;
}

function scheduleTable(plan) {
  const s = state.scenario, n = s.horizon.periods;
  const names = Object.fromEntries(s.reps.map((r) => [r.id, r.name]));
  const by = {};
  for (const a of plan.assignments) (by[a.person] = by[a.person] || [])[a.period] = a;
  const order = [...s.reps.map((r) => r.id).filter((id) => by[id]), ...Object.keys(by).filter((id) => !(id in names))];
  const rows = order.map((id) => [
    { text: id }, { text: names[id] || "new hire" },
    ...Array.from({ length: n }, (_, p) => {
      const a = by[id][p] || { role: "off" };
      const text = a.territory ? `${a.role[0].toUpperCase()} ${a.territory}` : a.role;
      return { text, cls: a.role, person: id, period: p };
    }),
  ]);
  const t = table(["person", "name", ...Array.from({ length: n }, (_, p) => label(p))], rows);
  t.id = "schedule-table";
  $("schedule").replaceChildren(t);
}

function targetsTable(plan) {
  const names = Object.fromEntries(state.scenario.reps.map((r) => [r.id, r.name]));
  // with the scenario's uncertainty block: each target's chance of being reached (section 8)
  const noisy = Boolean(plan.attainment);
  const pct = (p) => (p === null || p === undefined ? "–" : `${Math.round(100 * p)} %`);
  const rows = plan.targets.map((t) => [
    { text: t.person }, { text: names[t.person] || "new hire" },
    { text: t.from_period === t.to_period ? label(t.from_period) : `${label(t.from_period)} … ${label(t.to_period)}` },
    { text: String(t.new_clients), cls: "num" }, { text: money(t.revenue), cls: "num" },
    ...(noisy ? [{ text: pct(t.p_new_clients), cls: "num chance" },
      { text: pct(t.p_revenue), cls: "num chance" }, { text: pct(t.p_both), cls: "num chance" }] : []),
  ]);
  const head = ["person", "name", "period", "new clients", "revenue",
    ...(noisy ? ["chance: clients", "chance: revenue", "both"] : [])];
  const t = table(head, rows);
  t.id = "targets-table";
  const parts = [t];
  if (noisy) {
    const a = plan.attainment;
    const goals = [["new clients", a.p_goal_new_clients], ["revenue", a.p_goal_revenue]]
      .filter(([, p]) => p !== null).map(([g, p]) => `goal ${g}: ${pct(p)}`);
    const note = document.createElement("p");
    note.id = "chances";
    note.textContent = `${a.samples.toLocaleString("en")} noisy courses: profit P10 ` +
      `${money(a.profit.p10)}, P50 ${money(a.profit.p50)}, P90 ${money(a.profit.p90)}; ` +
      [...goals, `targets attained on average: ${pct(a.share_attained)}`].join("; ");
    parts.unshift(note);
  }
  $("targets").replaceChildren(...parts);
}

// -- why this cell, and what the others would cost ---------------------------------------

const WORDS = { margin_total: "margin", terminal: "terminal value", salaries: "salaries",
  hiring_cost: "hiring", travel: "travel", bonus_cost: "acquisition bonus", handover: "handover",
  switches: "role switches", bench: "bench", penalties: "penalties" };

async function showWhy(person, period) {
  const box = $("why");
  box.textContent = `${person} in ${label(period)}: pricing every alternative…`;
  try {
    const answer = await (await api("/v1/why", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ scenario: state.scenario, plan: state.plan, person, period,
        options: { time_limit: Number($("seconds").value) || 10 } }),
    })).json();
    const here = answer.territory ? `${answer.role} in ${answer.territory}` : answer.role;
    const title = document.createElement("p");
    title.textContent = `${person} in ${label(period)}: ${here}. Instead:`;
    const rows = [];
    for (const a of answer.alternatives) {
      if (a.status === "plan") continue;
      const state_ = a.territory ? `${a.role} ${a.territory}` : a.role;
      let change = "-", why = a.reason || "";
      if (a.status === "priced") {
        change = `${a.delta >= 0 ? "+" : ""}${money(a.delta)}`;
        why = Object.entries(a.terms).sort((x, y) => x[1] - y[1])
          .map(([t, v]) => `${WORDS[t] || t} ${v >= 0 ? "+" : ""}${money(v)}`).join(", ") || "no term changes";
        if (a.how === "as is") why += a.changed ? `; his stint extended by ${a.changed} month(s), nobody else moves` : "; nobody else moves";
        else if (a.changed) why += `; ${a.changed} other person-month(s) move`;
      } else if (a.status === "unknown") { change = "?"; why = "no plan with this cell found in the time"; }
      rows.push({ a, cells: [{ text: state_ }, { text: change, cls: "num" }, { text: why }] });
    }
    const t = table(["instead", "score change", "why"], rows.map((r) => r.cells));
    t.id = "why-table";
    rows.forEach((r, i) => {
      if (r.a.status !== "priced") return;
      const button = document.createElement("button");
      button.textContent = "lock and re-solve";
      button.className = "lock";
      button.addEventListener("click", () => lockAndSolve(person, period, r.a));
      const td = document.createElement("td");
      td.append(button);
      t.rows[i + 1].append(td);
    });
    const parts = [title, t];
    if (answer.role !== "off") {
      const forbid = document.createElement("button");
      forbid.id = "forbid";
      forbid.textContent = `forbid ${here} and re-solve`;
      forbid.addEventListener("click", () => forbidAndSolve(person, period, answer));
      parts.push(forbid);
    }
    box.replaceChildren(...parts);
  } catch (error) { box.textContent = ""; showProblems(error); }
}

// The plan's own cell ruled out (a lock with `forbid`), and a new solve.
function forbidAndSolve(person, period, cell) {
  const forbid = { rep: person, periods: [period], role: cell.role, forbid: true };
  if (cell.territory) forbid.territory = cell.territory;
  state.scenario = Object.assign({}, state.scenario, { locks: [...(state.scenario.locks || []), forbid] });
  $("loaded").textContent += ` · forbidden ${person} ${label(period)} ${cell.role}${cell.territory ? " " + cell.territory : ""}`;
  $("why").replaceChildren();
  return solve();
}

function lockAndSolve(person, period, a) {
  const lock = { rep: person, periods: [period], role: a.role };
  if (a.territory) lock.territory = a.territory;
  state.scenario = Object.assign({}, state.scenario, { locks: [...(state.scenario.locks || []), lock] });
  $("loaded").textContent += ` · locked ${person} ${label(period)} ${a.role}${a.territory ? " " + a.territory : ""}`;
  $("why").replaceChildren();
  return solve();
}

// -- wiring ---------------------------------------------------------------------------------

window.addEventListener("DOMContentLoaded", () => {
  $("key").value = sessionStorage.getItem("ledokol-key") || "";
  $("key").addEventListener("change", loadDatasets);
  $("dataset").addEventListener("change", pickDataset);
  $("file").addEventListener("change", pickFile);
  $("solve").addEventListener("click", solve);
  $("all-months").addEventListener("change", drawSmallMultiples);
  $("compare-with").addEventListener("change", () => showDiff($("compare-with").value));
  $("cancel").addEventListener("click", () => state.job && api(`/v1/solves/${state.job}/cancel`, { method: "POST" }).catch(showProblems));
  $("template").addEventListener("click", (e) => { e.preventDefault(); download("/v1/template.xlsx", "ledokol-template.xlsx"); });
  $("xlsx").addEventListener("click", (e) => { e.preventDefault(); download(`/v1/solves/${state.job}/plan.xlsx`, "plan.xlsx"); });
  $("report").addEventListener("click", (e) => { e.preventDefault(); download(`/v1/solves/${state.job}/report`, "report.html"); });
  $("json").addEventListener("click", (e) => { e.preventDefault(); download(`/v1/solves/${state.job}/plan`, "plan.json"); });
  if (key()) loadDatasets();
});
