// The dispatcher board: pick a region and day; see the plan on a map and a timeline with the
// unassigned visits and their reasons; plan (live progress), compare, publish; drag a visit to
// another technician to pin it there and re-plan the rest.

import { ApiError, api, events } from "./api.js";
import { DayMap } from "./board_map.js";
import { MOVE_MARK, Timeline } from "./board_timeline.js";
import { $, boot, el, fill, fmtDuration, fmtKm, fmtTime, humanize, showMessage, todayIn } from "./shell.js";

const COLOURS = ["#1f5fa8", "#c0392b", "#1e8449", "#7d3c98", "#a04000", "#b8336a", "#0e7c86", "#6b5e00", "#34495e", "#d35400", "#2874a6", "#6c3483"];
const OPEN = ["queued", "running"];
const REFRESH_MS = 60_000;

const state = { region: null, zone: "Asia/Jakarta", day: null, technicians: [], colours: new Map(), view: null, planId: null, job: null, stream: null, moves: new Map() };
// How a visit changes from the published plan to the draft shown (GET /plans/{id}/comparison).
const MOVE_TEXT = { reassigned: "to another technician", retimed: "moved in time", reordered: "in another order", assigned: "newly routed", unassigned: "left out" };


async function start() {
  const regions = (await api("/regions")).data;
  if (!regions.length) {
    showMessage($("#board-message"), "You dispatch no region yet: ask an admin to give you one.");
    return;
  }
  const params = new URL(window.location.href).searchParams;
  const wanted = regions.find((r) => r.code === params.get("region")) ?? regions[0];
  $("#region").replaceChildren(...regions.map((r) => el("option", { value: r.code, selected: r.code === wanted.code, title: r.code }, r.name)));
  state.map = new DayMap($("#map"), { onVisit: openVisit });
  state.timeline = new Timeline($("#timeline"), $("#tooltip"), { onDrop: (visitId, technician) => pinVisit(visitId, technician.id), onVisit: openVisit });
  $("#region").addEventListener("change", () => selectRegion(regions.find((r) => r.code === $("#region").value)));
  $("#day").addEventListener("change", () => { if ($("#day").value) selectDay($("#day").value); });
  $("#plan").addEventListener("click", () => { showMessage($("#board-message"), ""); startJob("plans"); });
  $("#publish").addEventListener("click", publish);
  $("#compare").addEventListener("click", compare);
  $("#show-published").addEventListener("click", () => { state.planId = null; load(); });
  $("#cancel-job").addEventListener("click", cancelJob);
  $("#board-message").addEventListener("click", () => showMessage($("#board-message"), ""));
  await selectRegion(wanted, params.get("day"));
  // Technicians report as they go: today's board follows them without a reload.
  setInterval(() => {
    const quiet = !state.stream && $("#visit-panel").hidden && $("#compare-dialog").hidden;
    if (quiet && state.day === todayIn(state.zone)) load();
  }, REFRESH_MS);
}

async function selectRegion(region, day) {
  state.region = region.code;
  state.zone = region.timezone;
  const techs = (await api(`/technicians?region=${encodeURIComponent(region.code)}&active=true&limit=500`)).data;
  state.technicians = techs;
  state.colours = new Map(techs.map((t, i) => [t.id, COLOURS[i % COLOURS.length]]));
  await selectDay(day || $("#day").value || todayIn(state.zone));
}

async function selectDay(day) {
  state.day = day;
  state.planId = null;
  $("#day").value = day;
  const url = new URL(window.location.href);
  url.searchParams.set("region", state.region);
  url.searchParams.set("day", day);
  window.history.replaceState(null, "", url);
  await load();
}

const dayPath = () => `/regions/${encodeURIComponent(state.region)}/days/${state.day}`;

async function load() {
  const query = state.planId ? `?plan_id=${state.planId}` : "";
  // A slower answer for a day picked earlier must not overwrite the day picked last.
  const ticket = (state.loads = (state.loads ?? 0) + 1);
  let view;
  try {
    view = await api(dayPath() + query);
  } catch (err) {
    if (ticket === state.loads) showMessage($("#board-message"), err.message);
    return;
  }
  if (ticket !== state.loads) return;
  const moves = await movesOf(view);
  if (ticket !== state.loads) return;
  state.view = view;
  state.moves = moves;
  render();
  const open = state.view.jobs.find((j) => OPEN.includes(j.status));
  if (open && !state.stream) follow(open);
}

// A draft beside a published plan: per visit, how the draft moves it (none for a published plan).
async function movesOf(view) {
  const plan = view.plan;
  if (plan?.status !== "draft" || !view.published_plan_id) return new Map();
  try {
    const result = await api(`/plans/${plan.id}/comparison`);
    return new Map(result.changes.map((c) => [c.visit_id, c]));
  } catch (err) {
    showMessage($("#board-message"), `The moved visits cannot be shown: ${err.message}`);
    return new Map();
  }
}

const label = (v) => `${v.customer_name.split(" ")[0]} · ${humanize(v.kind)}`;

function render() {
  const { view } = state;
  const visits = new Map(view.visits.map((v) => [v.id, v]));
  const plan = view.plan;
  const routes = plan ? new Map(plan.routes.map((r) => [r.technician_id, r])) : new Map();
  renderBadge(plan);
  renderFigures(view.figures, plan);
  renderUnassigned(view.unassigned, visits);
  renderMoves(visits);
  const rows = state.technicians.map((t) => ({ technician: t, colour: state.colours.get(t.id), route: routes.get(t.id) ?? null }));
  state.timeline.draw({ rows, visits, zone: state.zone, label, moves: state.moves, describe: describeMove });
  const depot = (t) => ({ lat: t.start_lat, lon: t.start_lon });
  state.map.draw({
    routes: rows.filter((r) => r.route).map((r) => ({ depot: depot(r.technician), colour: r.colour, stops: r.route.stops.map((s) => visits.get(s.visit_id)) })),
    unassigned: view.unassigned.map((u) => visits.get(u.visit_id)).filter(Boolean),
    depots: rows.filter((r) => r.route).map((r) => ({ ...depot(r.technician), colour: r.colour, title: `${r.technician.name}: ${r.technician.start_label}` })),
    label,
  });
}

function renderBadge(plan) {
  const badge = $("#plan-badge");
  const isDraft = plan?.status === "draft";
  badge.className = `badge ${plan ? plan.status : ""}`;
  badge.textContent = plan ? `${plan.status} plan #${plan.id} · ${fmtTime(plan.created_at, state.zone)}` : "no plan yet";
  $("#publish").disabled = !isDraft;
  $("#compare").disabled = !(isDraft && state.view.published_plan_id);
  $("#show-published").hidden = !(isDraft && state.view.published_plan_id);
  $("#plan").disabled = Boolean(state.stream);
}

// Hours and minutes of work as on a clock face (5:32), short enough for a figure's caption.
function fmtClock(seconds) {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

function renderFigures(figures, plan) {
  const tiles = figures
    ? [
        [figures.assigned, "assigned"],
        [figures.unassigned, "unassigned"],
        [fmtDuration(figures.travel_s), `travel · ${fmtKm(figures.distance_m)}`],
        [fmtDuration(figures.overtime_s), "overtime"],
        [`${Math.round(figures.utilisation * 100)}%`, "utilisation"],
        [fmtDuration(figures.work_spread_s), `work spread · ${fmtClock(figures.work_min_s)}–${fmtClock(figures.work_max_s)} each`],
        [plan.solver_status, `search · ${plan.wall_s.toFixed(1)} s`],
        [state.view.visits.length, "visits of the day"],
      ]
    : [[state.view.visits.length, "visits of the day"], ["–", "no plan yet"]];
  $("#figures").replaceChildren(...tiles.map(([value, name]) => el("div", { class: "figure", dataset: { figure: name.split(" ")[0] } }, el("b", {}, value), el("span", {}, name))));
}

function renderUnassigned(rows, visits) {
  $("#unassigned-title").textContent = `Unassigned (${rows.length})`;
  $("#unassigned-section").classList.toggle("empty", rows.length === 0);
  const list = rows.map((u) => {
    const v = visits.get(u.visit_id);
    return el("li", { draggable: "true", dataset: { visitId: u.visit_id }, tabindex: "0", title: "Drag onto a technician's row to pin it there",
      ondragstart: (e) => e.dataTransfer.setData("text/plain", String(u.visit_id)),
      onclick: () => openVisit(u.visit_id) },
      el("b", {}, v ? `${label(v)} · visit ${v.id}` : `visit ${u.visit_id}`),
      v ? ` ${fmtTime(v.window_start, state.zone)}–${fmtTime(v.window_end, state.zone)}` : "",
      el("span", { class: "reason" }, u.message));
  });
  $("#unassigned").replaceChildren(...(list.length ? list : [el("li", { class: "muted" }, state.view.plan ? "Every visit is on a route." : "Plan the day to route its visits.")]));
}

const technicianName = (id) => (id ? state.technicians.find((t) => t.id === id)?.name ?? `technician ${id}` : "nobody");

// "Budi Santoso 09:10 → Sari Siregar 10:40": who had the visit when in the published plan, and
// in the draft; short, first names only.
function describeMove(change, short = false) {
  const at = (iso) => (iso ? ` ${fmtTime(iso, state.zone)}` : "");
  const name = (id) => (short ? technicianName(id).split(" ")[0] : technicianName(id));
  return `${crewNames(change.before_technician_ids, name)}${at(change.before_start)} → ${crewNames(change.after_technician_ids, name)}${at(change.after_start)}`;
}

// A visit's technicians as names: "Budi", a crew "Budi & Agus", or "nobody".
function crewNames(ids, name = technicianName) {
  return ids?.length ? ids.map(name).join(" & ") : name(null);
}

function renderMoves(visits) {
  const section = $("#moved-section");
  section.hidden = state.moves.size === 0;
  $("#moved-title").textContent = `Moved by this draft (${state.moves.size})`;
  const items = [...state.moves.values()].map((c) => {
    const v = visits.get(c.visit_id);
    const said = `Visit ${c.visit_id} ${MOVE_TEXT[c.change] ?? c.change}: ${describeMove(c)}`;
    return el("li", { dataset: { visitId: c.visit_id, change: c.change }, tabindex: "0", title: said, "aria-label": said, onclick: () => openVisit(c.visit_id) },
      el("b", {}, `${MOVE_MARK[c.change] ?? "– "}${v ? label(v) : "visit"} · ${c.visit_id}`),
      el("span", { class: "change" }, describeMove(c, true)));
  });
  $("#moved").replaceChildren(...items);
}

// --- Solve jobs: start, follow by server-sent events, stop --------------------------------

async function startJob(kind) {
  const box = $("#board-message");
  try {
    const job = await api(`${dayPath()}/${kind}`, { method: "POST", body: { time_limit_s: Number($("#time-limit").value) } });
    follow(job);
  } catch (err) {
    showMessage(box, err.message);
  }
}

async function follow(job) {
  const controller = new AbortController();
  state.stream = controller;
  state.job = job;
  $("#plan").disabled = true;
  $("#planning").hidden = false;
  let improvements = 0;
  let last = job;
  // Events come when the job changes; between them the bar moves on the browser's clock.
  let seen = { at: performance.now(), elapsed: job.elapsed_s ?? 0 };
  const ticker = setInterval(() => {
    if (last.status !== "running") return;
    show({ ...last, elapsed_s: seen.elapsed + (performance.now() - seen.at) / 1000 }, improvements);
  }, 250);
  show(job, improvements);
  try {
    for await (const { event, data } of events(`/solve-jobs/${job.id}/events`, { signal: controller.signal })) {
      if (event === "timeout") break;
      if (data.best_objective !== null && data.best_objective !== last.best_objective) improvements += 1;
      last = data;
      seen = { at: performance.now(), elapsed: data.elapsed_s ?? 0 };
      show(data, improvements);
      if (event === "end") break;
    }
  } catch (err) {
    if (err.name !== "AbortError") showMessage($("#board-message"), err.message);
  }
  clearInterval(ticker);
  state.stream = null;
  $("#planning").hidden = true;
  $("#plan").disabled = false;
  finished(last);
}

function show(job, improvements) {
  const elapsed = Math.min(job.elapsed_s ?? 0, job.time_limit_s);
  const share = job.status === "succeeded" ? 100 : Math.min(99, (elapsed / job.time_limit_s) * 100);
  $("#planning-bar").firstElementChild.style.width = `${share}%`;
  $("#planning-bar").setAttribute("aria-valuenow", String(Math.round(share)));
  const verb = job.kind === "replan" ? "Re-planning" : "Planning";
  $("#planning-what").textContent = `${verb} · ${job.status} · ${elapsed.toFixed(1)} of ${job.time_limit_s} s`;
  $("#planning-best").textContent = job.assigned !== null
    ? `best so far: ${job.assigned} of ${job.visits} visits routed · ${improvements} improvement${improvements === 1 ? "" : "s"}`
    : "looking for a first plan…";
}

async function finished(job) {
  const box = $("#board-message");
  if (job.status === "succeeded" && job.plan_id) {
    state.planId = job.plan_id;
    showMessage(box, `Draft plan #${job.plan_id} is ready: compare it with the published plan, or publish it.`, "info");
  } else if (job.status === "failed") {
    showMessage(box, `Planning failed: ${job.error}`);
  } else if (job.status === "cancelled") {
    showMessage(box, "Planning was stopped; no plan was stored.", "info");
  }
  await load();
}

async function cancelJob() {
  if (!state.job) return;
  try {
    await api(`/solve-jobs/${state.job.id}`, { method: "DELETE" });
  } catch (err) {
    showMessage($("#board-message"), err.message);
  }
}

// --- Publish and compare ----------------------------------------------------------------

async function publish() {
  const plan = state.view.plan;
  try {
    await api(`/plans/${plan.id}/publish`, { method: "POST" });
    $("#compare-dialog").hidden = true;
    state.planId = null;
    showMessage($("#board-message"), `Plan #${plan.id} is published: technicians see their routes now.`, "ok");
    await load();
  } catch (err) {
    showMessage($("#board-message"), err.message);
  }
}

async function compare() {
  const dialog = $("#compare-dialog");
  let result;
  try {
    result = await api(`/plans/${state.view.plan.id}/comparison`);
  } catch (err) {
    showMessage($("#board-message"), err.message);
    return;
  }
  const names = new Map(state.technicians.map((t) => [t.id, t.name]));
  const visits = new Map(state.view.visits.map((v) => [v.id, v]));
  const who = (ids) => (ids.length ? ids.map((id) => names.get(id) ?? `technician ${id}`).join(" & ") : "unassigned");
  const a = result.plan;
  const b = result.published;
  const rows = [
    ["assigned", b.assigned, a.assigned],
    ["unassigned", b.unassigned, a.unassigned],
    ["travel", fmtDuration(b.travel_s), fmtDuration(a.travel_s)],
    ["distance", fmtKm(b.distance_m), fmtKm(a.distance_m)],
    ["overtime", fmtDuration(b.overtime_s), fmtDuration(a.overtime_s)],
    ["utilisation", `${Math.round(b.utilisation * 100)}%`, `${Math.round(a.utilisation * 100)}%`],
    ["workload spread", fmtDuration(b.work_spread_s), fmtDuration(a.work_spread_s)],
  ];
  const st = result.stability;
  const stability = `${st.reassigned} to another technician, ${st.reordered} in another order, ${st.assigned} newly assigned, ${st.unassigned} dropped; starts move ${fmtDuration(st.start_moved_avg_s)} on average, ${fmtDuration(st.start_moved_max_s)} at most.`;
  const changes = result.changes.map((c) => {
    const v = visits.get(c.visit_id);
    return el("tr", {},
      el("td", {}, v ? `${label(v)} · ${c.visit_id}` : c.visit_id),
      el("td", {}, humanize(c.change)),
      el("td", {}, `${who(c.before_technician_ids)} ${c.before_start ? fmtTime(c.before_start, state.zone) : ""}`),
      el("td", {}, `${who(c.after_technician_ids)} ${c.after_start ? fmtTime(c.after_start, state.zone) : ""}`));
  });
  dialog.replaceChildren(el("div", { class: "card" },
    el("h2", { id: "compare-title" }, `Draft #${result.plan_id} against published #${result.published_plan_id}`),
    el("table", { id: "compare-figures" },
      el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", { class: "num" }, "published"), el("th", { class: "num" }, "draft"))),
      el("tbody", {}, ...rows.map(([n, x, y]) => el("tr", {}, el("th", {}, n), el("td", { class: "num" }, x), el("td", { class: "num" }, y))))),
    el("h3", { style: "margin-top:12px" }, `Visits that move (${changes.length})`),
    el("p", { id: "compare-stability", class: "small" }, stability),
    changes.length
      ? el("table", { id: "compare-changes" }, el("thead", {}, el("tr", {}, el("th", {}, "visit"), el("th", {}, "change"), el("th", {}, "published"), el("th", {}, "draft"))), el("tbody", {}, ...changes))
      : el("p", { class: "muted" }, "No visit changes technician or order, or moves by half an hour or more."),
    el("p", { class: "row", style: "margin-top:12px" },
      el("button", { type: "button", onclick: publish }, "Publish the draft"),
      el("button", { type: "button", class: "secondary", onclick: () => { dialog.hidden = true; } }, "Close"))));
  dialog.hidden = false;
  dialog.querySelector("button").focus();
}

// --- A visit: details, pin, unpin ------------------------------------------------------

function openVisit(visitId) {
  const v = state.view.visits.find((x) => x.id === visitId);
  if (!v) return;
  const panel = $("#visit-panel");
  const names = new Map(state.technicians.map((t) => [t.id, t.name]));
  const unassigned = state.view.unassigned.find((u) => u.visit_id === visitId);
  const select = el("select", { id: "pin-to" }, ...state.technicians.map((t) => el("option", { value: t.id, selected: t.id === (v.pinned_technician_id ?? v.planned_technician_id) }, t.name)));
  fill(panel,
    el("h2", { id: "visit-panel-title" }, `${v.customer_name} · visit ${v.id}`),
    el("p", {}, `${humanize(v.kind)} · ${v.product}`),
    el("p", { class: "small" }, `promised ${fmtTime(v.window_start, state.zone)}–${fmtTime(v.window_end, state.zone)} · ${fmtDuration(v.duration_s)} · priority ${v.priority}`),
    el("p", { class: "small muted" }, v.address),
    el("p", { class: "small" }, `status ${humanize(v.status)}`, v.pinned_technician_id ? ` · pinned to ${names.get(v.pinned_technician_id)}` : ""),
    unassigned ? el("p", { class: "small", style: "color:var(--danger)" }, unassigned.message) : null,
    el("div", { class: "field" }, el("label", { for: "pin-to" }, "Pin to technician"), select),
    el("p", { class: "row", style: "margin-top:8px" },
      el("button", { type: "button", onclick: () => pinVisit(v.id, Number(select.value)) }, "Pin and re-plan"),
      v.pinned_technician_id ? el("button", { type: "button", class: "secondary", onclick: () => unpinVisit(v.id) }, "Unpin") : null,
      el("button", { type: "button", class: "secondary", onclick: () => { panel.hidden = true; } }, "Close")),
  );
  panel.hidden = false;
}

async function pinVisit(visitId, technicianId) {
  const box = $("#board-message");
  const name = state.technicians.find((t) => t.id === technicianId)?.name;
  try {
    await api(`/visits/${visitId}/pin`, { method: "POST", body: { technician_id: technicianId } });
  } catch (err) {
    state.timeline.flash(technicianId, false);
    const why = err instanceof ApiError ? err.message : String(err);
    showMessage(box, `Visit ${visitId} cannot go to ${name}: ${why}`);
    return;
  }
  $("#visit-panel").hidden = true;
  state.timeline.flash(technicianId, true);
  showMessage(box, `Visit ${visitId} is pinned to ${name}; re-planning the rest of the day…`, "info");
  await startJob("replans");
}

async function unpinVisit(visitId) {
  try {
    await api(`/visits/${visitId}/pin`, { method: "DELETE" });
    $("#visit-panel").hidden = true;
    showMessage($("#board-message"), `Visit ${visitId} is no longer pinned; plan again to let any technician take it.`, "info");
    await load();
  } catch (err) {
    showMessage($("#board-message"), err.message);
  }
}

const user = await boot({ roles: ["dispatcher"], what: "The dispatcher board" });
if (user) await start();
