// The technician's day on a phone: today's stops in order, what to do at each, navigation, and
// the events that move a visit (the API says which its status allows; its answer holds the
// route with the new ETAs, which is drawn again).

import { api } from "./api.js";
import { $, boot, el, fmtDuration, fmtTime, humanize, showMessage } from "./shell.js";

const LOCALE = "en-GB";
const EVENT_LABEL = { en_route: "En route", arrived: "Arrived", completed: "Completed", failed: "Failed…" };
const EVENT_DONE = { en_route: "en route", arrived: "on site", completed: "completed", failed: "failed" };
const STATUS_LABEL = {
  planned: "planned", booked: "booked", en_route: "en route", on_site: "on site",
  completed: "completed", failed: "failed", cancelled: "cancelled",
};
const FAILURE_REASONS = {
  part_missing: "A part is missing",
  customer_absent: "Customer not there",
  needs_second_visit: "Needs a second visit",
  other: "Other reason",
};

const main = $("#main");
// /me?day=YYYY-MM-DD shows another day's stops (a crew installation next week, say), to read:
// what happens at a stop is reported on its day only (its buttons show on that day).
const OTHER_DAY = new URLSearchParams(window.location.search).get("day");

async function load() {
  try {
    render(await api(OTHER_DAY ? `/me/route?day=${encodeURIComponent(OTHER_DAY)}` : "/me/route"));
  } catch (err) {
    main.replaceChildren(el("div", { class: "message error", role: "alert" }, err.message));
  }
}

function render(route, notice) {
  const zone = route.timezone;
  const time = (iso) => fmtTime(iso, zone, LOCALE);
  const onItsDay = route.day === new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());
  const day = new Intl.DateTimeFormat(LOCALE, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" })
    .format(new Date(`${route.day}T00:00:00Z`));
  const head = el("section", { class: "day-head" },
    el("h1", {}, `${day}`),
    el("p", { class: "muted" },
      `${route.technician_name} · ${route.stops.length} ${route.stops.length === 1 ? "stop" : "stops"}`,
      route.start_at ? ` · start ${route.start_label} at ${time(route.start_at)}` : ""),
    ...route.breaks.map((b) => el("p", { class: "muted small" }, `Break ${time(b.start_at)}–${time(b.end_at)}`)),
  );
  const live = el("div", { id: "me-message", class: "message", role: "status", "aria-live": "polite", hidden: true });
  const body = route.stops.length
    ? el("ol", { class: "stops" }, route.stops.map((stop) => el("li", {}, stopCard(stop, time, live, onItsDay))))
    : el("section", { class: "card empty" },
        el("h2", {}, OTHER_DAY ? "No stops that day" : "No stops today"),
        el("p", {}, `Nothing is planned for you on ${day}. New work shows here once the dispatcher publishes a plan.`));
  main.replaceChildren(head, live, body);
  if (notice) showMessage(live, notice, "ok");
}

function stopCard(stop, time, live, onItsDay) {
  const finished = ["completed", "failed", "cancelled"].includes(stop.status);
  const card = el("article", {
    class: `card stop ${finished ? (stop.status === "completed" ? "done" : "failed") : ""}`,
    id: `stop-${stop.visit_id}`,
    "aria-labelledby": `stop-${stop.visit_id}-title`,
  });
  const eta = stop.status === "completed" || stop.status === "failed"
    ? `${stop.status === "completed" ? "Done" : "Ended"} ${time(stop.ended_at)}`
    : stop.status === "on_site" ? `Arrived ${time(stop.arrived_at)}` : `ETA ${time(stop.eta_arrival)}`;
  const whatToDo = [
    el("b", {}, humanize(stop.kind)), " · ", stop.product,
    el("span", { class: "muted" }, ` (serial ${stop.serial_number})`),
  ];
  card.append(
    el("header", {},
      el("h2", { id: `stop-${stop.visit_id}-title`, class: "times" },
        el("span", { class: "seq" }, `${stop.sequence + 1}`),
        `${time(stop.window_start)}–${time(stop.window_end)}`),
      el("span", { class: `badge ${stop.status}`, dataset: { role: "status" } }, STATUS_LABEL[stop.status] ?? humanize(stop.status)),
    ),
    el("p", { class: "eta", dataset: { role: "eta" } }, eta,
      waits(stop) ? el("span", { class: "small" }, ` · start ${time(stop.eta_start)}`) : null,
      el("span", { class: "muted small" }, ` · ${fmtDuration(stop.duration_s)} on site`)),
    ...(stop.partner_names?.length
      ? [el("p", { class: "crew-note", dataset: { role: "crew" } },
        "Crew visit with ", el("b", {}, stop.partner_names.join(", ")),
        ` · you start together at ${time(stop.planned_start)}`)]
      : []),
    el("dl", {},
      el("dt", {}, "Customer"), el("dd", {}, stop.customer_name),
      el("dt", {}, "Phone"), el("dd", {}, stop.customer_phone
        ? el("a", { href: `tel:${stop.customer_phone.replace(/[^+\d]/g, "")}` }, stop.customer_phone)
        : el("span", { class: "muted" }, "shown on the day")),
      el("dt", {}, "Address"), el("dd", {}, stop.address),
      el("dt", {}, "To do"), el("dd", {}, ...whatToDo),
      el("dt", {}, "Pays"), el("dd", {}, coverageText(stop.coverage)),
      stop.description ? [el("dt", {}, "Asked"), el("dd", {}, stop.description)] : null,
      stop.note ? [el("dt", {}, "Note"), el("dd", {}, stop.note)] : null,
      stop.failure_reason ? [el("dt", {}, "Failed"), el("dd", {}, FAILURE_REASONS[stop.failure_reason])] : null,
    ),
    el("p", { class: "nav-links" },
      el("a", { class: "button secondary", href: `geo:${stop.lat},${stop.lon}?q=${stop.lat},${stop.lon}` }, "Navigate"),
      el("a", { class: "button secondary", href: stop.navigation_url, target: "_blank", rel: "noopener" }, "Google Maps"),
    ),
  );
  if (stop.next_events.length && onItsDay) card.append(actions(stop, live));
  return card;
}

// True when the technician arrives well before the work can start (the window opens later).
function waits(stop) {
  if (!stop.eta_arrival || !stop.eta_start || !["planned", "booked", "en_route"].includes(stop.status)) return false;
  return new Date(stop.eta_start) - new Date(stop.eta_arrival) >= 5 * 60_000;
}

function coverageText(coverage) {
  return { entitlement: "free (entitlement)", warranty: "free (warranty)", paid: "customer pays" }[coverage] ?? coverage;
}

function actions(stop, live) {
  const box = el("div", { class: "actions" });
  const failForm = failureForm(stop, live, box);
  for (const event of stop.next_events) {
    box.append(el("button", {
      type: "button",
      class: event === "failed" ? "danger" : "",
      onclick: (e) => (event === "failed" ? openFailure(failForm, box) : post(stop, { event }, live, e.currentTarget)),
    }, EVENT_LABEL[event]));
  }
  return el("div", {}, box, failForm);
}

function openFailure(form, box) {
  box.hidden = true;
  form.hidden = false;
  form.querySelector("select").focus();
}

function failureForm(stop, live, box) {
  const id = `fail-${stop.visit_id}`;
  const form = el("form", { class: "card failure stack", hidden: true },
    el("h3", {}, "Why could the visit not be done?"),
    el("label", { for: `${id}-reason` }, "Reason"),
    el("select", { id: `${id}-reason`, name: "failure_reason", required: true },
      el("option", { value: "" }, "Choose a reason…"),
      Object.entries(FAILURE_REASONS).map(([value, text]) => el("option", { value }, text))),
    el("label", { for: `${id}-note` }, "Note (optional)"),
    el("textarea", { id: `${id}-note`, name: "note", rows: 2, maxlength: 1000 }),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => { form.hidden = true; box.hidden = false; } }, "Back"),
      el("button", { type: "submit", class: "danger" }, "Report failed")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const reason = form.elements.failure_reason.value;
    const note = form.elements.note.value.trim();
    post(stop, { event: "failed", failure_reason: reason, note: note || null }, live, e.submitter);
  });
  return form;
}

async function post(stop, body, live, button) {
  if (button) button.disabled = true;
  try {
    const result = await api(`/visits/${stop.visit_id}/events`, { method: "POST", body });
    const notice = `Stop ${stop.sequence + 1} (${stop.customer_name}) is ${EVENT_DONE[body.event]}.`;
    if (result.route) render(result.route, notice);
    else await load();
  } catch (err) {
    if (button) button.disabled = false;
    showMessage(live, err.message, "error");
  }
}

// Last, so that every declaration above is initialised when the page starts.
const user = await boot({ roles: ["technician"], what: "My day" });
if (user) await load();
