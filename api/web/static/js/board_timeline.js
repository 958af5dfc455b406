// The board's timeline: one row per technician with travel, service, breaks and overtime, each
// visit's promised window shown on hover; visits can be dragged onto another technician's row.

import { el, fmtDuration, fmtTime } from "./shell.js";

const HOUR_MS = 3600 * 1000;
// Work under way or done shows at a glance on a live day.
// A visit the draft moves against the published plan: reassigned, retimed, in another order,
// newly routed (the board's moved list uses the same marks).
export const MOVE_MARK = { reassigned: "⇄ ", retimed: "◷ ", reordered: "⇅ ", assigned: "+ " };
const STATUS_MARK = { en_route: "▸ ", on_site: "● ", completed: "✓ ", failed: "✕ " };

function span(items) {
  const times = items.filter(Boolean).map((t) => new Date(t).getTime());
  const lo = Math.floor(Math.min(...times) / HOUR_MS) * HOUR_MS;
  const hi = Math.ceil(Math.max(...times) / HOUR_MS) * HOUR_MS;
  return [lo, Math.max(hi, lo + HOUR_MS)];
}

export class Timeline {
  constructor(element, tooltip, { onDrop, onVisit }) {
    this.element = element;
    this.tooltip = tooltip;
    this.onDrop = onDrop;
    this.onVisit = onVisit;
  }

  // rows: [{technician, colour, route|null}], visits: Map id -> visit, zone: region time zone
  // moves: Map visit id -> its change against the published plan; describe(change) says how.
  draw({ rows, visits, zone, label, moves = new Map(), describe = () => "" }) {
    const times = [];
    for (const { route } of rows) if (route) times.push(route.start_at, route.end_at);
    for (const v of visits.values()) times.push(v.window_start, v.window_end);
    if (!times.filter(Boolean).length) {
      this.element.replaceChildren(el("p", { class: "muted" }, "No technician works on this day."));
      return;
    }
    // A crew visit is a stop on each member's route: who serves it, for its mark and tooltip.
    this.crews = new Map();
    for (const { technician, route } of rows) {
      for (const stop of route?.stops ?? []) {
        if (!this.crews.has(stop.visit_id)) this.crews.set(stop.visit_id, []);
        this.crews.get(stop.visit_id).push(technician.name);
      }
    }
    const [t0, t1] = span(times);
    const pct = (iso) => `${((new Date(iso).getTime() - t0) / (t1 - t0)) * 100}%`;
    const width = (a, b) => `${((new Date(b) - new Date(a)) / (t1 - t0)) * 100}%`;
    const hours = Math.round((t1 - t0) / HOUR_MS);
    const axis = el("div", { class: "tl-axis" });
    for (let h = 0; h <= hours; h += 1) {
      const at = new Date(t0 + h * HOUR_MS).toISOString();
      axis.append(el("span", { style: `left:${pct(at)}` }, fmtTime(at, zone)));
    }
    const head = el("div", { class: "tl-head" }, el("span", {}, "Technician"), axis, el("span", { class: "tl-total" }, "drive"));
    const body = rows.map((row) => this._row(row, { visits, zone, pct, width, hours, label, moves, describe }));
    this.element.replaceChildren(head, ...body);
  }

  _row({ technician, colour, route }, { visits, zone, pct, width, hours, label, moves, describe }) {
    const track = el("div", { class: "tl-track", style: `--hours:${hours}` });
    const seg = (cls, a, b, attrs = {}, ...kids) =>
      el("div", { class: `seg ${cls}`, style: `left:${pct(a)};width:${width(a, b)}`, ...attrs }, ...kids);
    let total = "no route";
    if (route) {
      track.append(seg("shift", route.start_at, route.end_at, { title: `on the road ${fmtTime(route.start_at, zone)}–${fmtTime(route.end_at, zone)}` }));
      for (const b of route.breaks) track.append(seg("break", b.start_at, b.end_at, { title: `break ${fmtTime(b.start_at, zone)}–${fmtTime(b.end_at, zone)}` }));
      let ready = route.start_at;
      for (const stop of route.stops) {
        if (new Date(stop.arrival_at) > new Date(ready)) track.append(seg("travel", ready, stop.arrival_at));
        const visit = visits.get(stop.visit_id);
        const move = moves.get(stop.visit_id);
        track.append(this._visit(visit, stop, colour, { seg, zone, label, move, moved: move ? describe(move) : "" }));
        ready = stop.end_at;
      }
      if (new Date(route.end_at) > new Date(ready)) track.append(seg("travel", ready, route.end_at));
      if (route.overtime_s > 0) {
        const from = new Date(new Date(route.end_at).getTime() - route.overtime_s * 1000).toISOString();
        track.append(seg("overtime", from, route.end_at, { title: `overtime ${fmtDuration(route.overtime_s)}` }));
      }
      total = `${route.stops.length} · ${fmtDuration(route.travel_s)}`;
    }
    const row = el(
      "div",
      { class: "tl-row", dataset: { technicianId: technician.id }, "aria-label": `Route of ${technician.name}` },
      el("div", { class: "tl-name", title: technician.name }, el("span", { class: "tl-swatch", style: `background:${colour}` }), technician.name),
      track,
      el("div", { class: "tl-total" }, total),
    );
    row._track = track;
    this._droppable(row, technician);
    return row;
  }

  _visit(visit, stop, colour, { seg, zone, label, move, moved }) {
    const movable = ["booked", "planned", "requested"].includes(visit.status);
    const crew = (visit.crew_size ?? 1) > 1;
    const classes = ["visit", visit.pinned_technician_id ? "pinned" : "", movable ? "" : `locked ${visit.status}`, move ? "moved" : ""].join(" ").trim() + (crew ? " crew" : "");
    const crewText = crew ? `, crew visit with ${(this.crews.get(visit.id) ?? []).join(" and ")}` : "";
    const block = seg(classes, stop.start_at, stop.end_at, {
      draggable: movable ? "true" : "false",
      tabindex: "0",
      role: "button",
      dataset: move ? { visitId: visit.id, change: move.change } : { visitId: visit.id },
      "aria-label": `Visit ${visit.id}, ${label(visit)}, ${fmtTime(stop.start_at, zone)} to ${fmtTime(stop.end_at, zone)}, ${visit.status.replace("_", " ")}${crewText}${move ? `, moved: ${moved}` : ""}`,
    }, `${MOVE_MARK[move?.change] ?? ""}${STATUS_MARK[visit.status] ?? ""}${crew ? `${visit.crew_size}× ` : ""}${label(visit)}`);
    block._moved = moved;
    block.style.background = colour;
    block.addEventListener("click", () => this.onVisit(visit.id));
    block.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.onVisit(visit.id); } });
    block.addEventListener("mouseenter", (e) => this._hover(e, visit, stop, zone, label));
    block.addEventListener("mousemove", (e) => this._place(e));
    block.addEventListener("mouseleave", () => this._unhover());
    block.addEventListener("dragstart", (e) => {
      e.dataTransfer.setData("text/plain", String(visit.id));
      e.dataTransfer.effectAllowed = "move";
      this._unhover();
    });
    block._window = visit.window_start ? seg("window", visit.window_start, visit.window_end) : null;
    return block;
  }

  _hover(event, visit, stop, zone, label) {
    const track = event.currentTarget.parentElement;
    if (event.currentTarget._window) {
      track.append(event.currentTarget._window);
      track.classList.add("show-window");
    }
    this.tooltip.replaceChildren(
      el("b", {}, `${label(visit)} · visit ${visit.id}`), el("br"),
      visit.window_start
        ? `promised ${fmtTime(visit.window_start, zone)}–${fmtTime(visit.window_end, zone)}`
        : `movable: due ${visit.due_from} to ${visit.due_until}`, el("br"),
      ...((visit.crew_size ?? 1) > 1 ? [`crew of ${visit.crew_size}: ${(this.crews.get(visit.id) ?? []).join(", ")}`, el("br")] : []),
      `planned ${fmtTime(stop.start_at, zone)}–${fmtTime(stop.end_at, zone)} (arrives ${fmtTime(stop.arrival_at, zone)})`, el("br"),
      `status ${visit.status.replace("_", " ")}`, el("br"),
      `${visit.address}`,
      ...(visit.pinned_technician_id ? [el("br"), "pinned to this technician"] : []),
      ...(event.currentTarget._moved ? [el("br"), el("b", {}, `moved: ${event.currentTarget._moved}`)] : []),
    );
    this.tooltip.hidden = false;
    this._hovered = event.currentTarget;
    this._place(event);
  }

  _place(event) {
    const box = this.tooltip.getBoundingClientRect();
    const x = Math.min(event.clientX + 14, window.innerWidth - box.width - 8);
    const y = event.clientY - box.height - 12 > 0 ? event.clientY - box.height - 12 : event.clientY + 16;
    this.tooltip.style.left = `${x}px`;
    this.tooltip.style.top = `${y}px`;
  }

  _unhover() {
    this.tooltip.hidden = true;
    if (this._hovered?._window) {
      this._hovered._window.remove();
      this._hovered.parentElement?.classList.remove("show-window");
    }
    this._hovered = null;
  }

  _droppable(row, technician) {
    row.addEventListener("dragover", (e) => {
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      row.classList.add("drop-target");
    });
    row.addEventListener("dragleave", () => row.classList.remove("drop-target"));
    row.addEventListener("drop", (e) => {
      e.preventDefault();
      row.classList.remove("drop-target");
      const visitId = Number(e.dataTransfer.getData("text/plain"));
      if (visitId) this.onDrop(visitId, technician, row);
    });
  }

  flash(technicianId, ok) {
    const row = this.element.querySelector(`.tl-row[data-technician-id="${technicianId}"]`);
    if (!row) return;
    row.classList.add(ok ? "drop-target" : "drop-refused");
    setTimeout(() => row.classList.remove("drop-target", "drop-refused"), 2500);
  }
}
