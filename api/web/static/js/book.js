// The customer's booking page: choose a unit and a kind of visit, see the windows Purna can
// keep (best for the route first, then every window by day) and who pays, confirm, then move
// or cancel bookings. Every decision comes from the API; the page only shows it.

import { ApiError, api, newIdempotencyKey } from "./api.js";
import { $, boot, el, fmtDay, showMessage } from "./shell.js";
import { languageSwitch, locale, t } from "./i18n.js";
import { coverageBox, kindText, startLanguage, statusBadge, unitText, windowParts, windowText } from "./customer.js";

const SUGGESTED = 3;
const main = $("#main");
const state = {
  assets: [], // asset details (product model, visit kinds)
  assetId: null,
  kind: null,
  slots: null, // the /v1/slots answer for assetId and kind
  slotsError: null,
  chosen: null, // the picked offer
  attemptKey: null, // Idempotency-Key of the booking attempt for `chosen`
  booked: null, // the booking just made
  bookings: [],
  notice: null, // {kind, text} shown above the bookings
  panel: null, // the booking whose move or cancel panel is open (see openPanel)
};


async function start() {
  await startLanguage(user);
  main.replaceChildren(el("p", { class: "muted" }, t("loading")));
  try {
    const { data } = await api("/assets");
    state.assets = await Promise.all(data.map((a) => api(`/assets/${a.id}`)));
    state.bookings = (await api("/bookings")).data;
  } catch (err) {
    main.replaceChildren(el("div", { class: "message error", role: "alert" }, err.message));
    return;
  }
  const first = state.assets[0];
  if (first) await choose(first.id, first.product_model.visit_kinds[0]?.kind);
  else render();
}

const dashed = (window) => window.replace("-", "–");

function assetOf(id) {
  return state.assets.find((a) => a.id === id);
}

async function choose(assetId, kind) {
  Object.assign(state, { assetId, kind, slots: null, slotsError: null, chosen: null, attemptKey: null, booked: null });
  render();
  let answer = null;
  let error = null;
  try {
    answer = await api(`/slots?asset_id=${assetId}&kind=${encodeURIComponent(kind)}`);
  } catch (err) {
    error = err.message;
  }
  // A later choice may have been made while this answer was on its way: it is then dropped.
  if (state.assetId !== assetId || state.kind !== kind) return;
  Object.assign(state, { slots: answer, slotsError: error });
  render();
}

function render() {
  document.title = `${t("book.title")} · Purna`;
  const focused = document.activeElement?.id;
  main.replaceChildren(
    el("section", { class: "page-head" },
      el("div", {}, el("h1", {}, t("book.title")), el("p", { class: "muted" }, t("book.lead"))),
      languageSwitch(() => render()),
    ),
    state.assets.length ? bookingForm() : el("section", { class: "card" }, el("p", {}, t("book.noUnits"))),
    bookingsList(),
  );
  if (focused) document.getElementById(focused)?.focus();
}

function bookingForm() {
  const asset = assetOf(state.assetId);
  const unit = el("select", { id: "unit", onchange: (e) => {
    const next = assetOf(Number(e.target.value));
    choose(next.id, next.product_model.visit_kinds[0]?.kind);
  } }, state.assets.map((a) => el("option", { value: a.id, selected: a.id === state.assetId }, unitText(a))));
  const kind = el("select", { id: "kind", onchange: (e) => choose(state.assetId, e.target.value) },
    asset.product_model.visit_kinds.map((k) => el("option", { value: k.kind, selected: k.kind === state.kind }, kindText(k.kind))));
  return el("section", { class: "card", "aria-labelledby": "windows-title" },
    el("div", { class: "row choose" },
      el("div", { class: "field grow" }, el("label", { for: "unit" }, t("book.unit")), unit),
      el("div", { class: "field" }, el("label", { for: "kind" }, t("book.kind")), kind),
    ),
    el("h2", { id: "windows-title" }, t("book.windows")),
    windowsView(),
    state.booked ? bookedView(state.booked) : confirmView(),
  );
}

function windowsView() {
  if (state.slotsError) return el("div", { class: "message error", role: "alert" }, state.slotsError);
  if (!state.slots) return el("p", { class: "muted", role: "status" }, t("loading"));
  const same = state.bookings.find((b) => b.asset_id === state.assetId && b.kind === state.kind && b.actions.length);
  return el("div", { id: "offers" },
    same ? el("p", { class: "message info" }, t("book.already", { when: windowText(same) }), " ",
      el("a", { href: `#booking-${same.id}` }, t("book.seeIt"))) : null,
    state.slots.coverage ? coverageBox(state.slots.coverage) : null,
    slotPicker(state.slots, state.chosen, (offer) => {
      Object.assign(state, { chosen: offer, attemptKey: newIdempotencyKey(), booked: null });
      render();
      $("#summary-title")?.scrollIntoView({ block: "nearest" });
    }, "offer"),
  );
}

// The offers of a /v1/slots answer: the best few for the route first, then every window by
// day in time order; with none, the reason. onPick(offer) is called with the chosen one.
function slotPicker(answer, chosen, onPick, prefix) {
  // A visit for a crew (a large AC's installers) is offered only when the whole crew can start.
  const crew = answer.crew_size > 1 ? el("p", { class: "message info crew", id: `${prefix}-crew` },
    el("b", {}, t(answer.kind === "installation" ? "book.crewInstallers" : "book.crewTechnicians", { n: answer.crew_size })),
    " ", t("book.crewWindows", { n: answer.crew_size })) : null;
  if (!answer.data.length) {
    return el("div", {}, crew, el("div", { class: "message info", role: "status" },
      el("b", {}, `${t("book.none")}: `), t(`reason.${answer.reason}`)));
  }
  const button = (offer, withDay) => el("button", {
    type: "button",
    class: "slot",
    "aria-pressed": String(chosen?.window_start === offer.window_start),
    dataset: { start: offer.window_start },
    onclick: () => onPick(offer),
  }, withDay ? el("span", { class: "small" }, fmtDay(offer.day, locale())) : null, el("b", {}, dashed(offer.local_window)));
  const days = new Map();
  for (const offer of [...answer.data].sort((a, b) => a.window_start.localeCompare(b.window_start))) {
    if (!days.has(offer.day)) days.set(offer.day, []);
    days.get(offer.day).push(offer);
  }
  const closed = answer.unavailable.filter((u) => u.reason !== "outside_booking_horizon");
  return el("div", { class: "picker" },
    crew,
    el("h3", {}, t("book.suggested")),
    el("div", { class: "slots suggested", id: `${prefix}-suggested` }, answer.data.slice(0, SUGGESTED).map((o) => button(o, true))),
    el("h3", {}, t("book.byDay")),
    el("div", { class: "days", id: `${prefix}-days` }, [...days].map(([day, offers]) =>
      el("div", { class: "day", role: "group", "aria-label": fmtDay(day, locale()) },
        el("span", { class: "day-name" }, fmtDay(day, locale())),
        el("div", { class: "slots" }, offers.map((o) => button(o, false)))))),
    closed.length ? el("details", { class: "closed" },
      el("summary", {}, `${t("book.closedDays")} (${closed.length})`),
      el("ul", {}, closed.map((u) => el("li", {}, `${fmtDay(u.day, locale())}: ${t(`reason.${u.reason}`)}`)))) : null,
  );
}

function confirmView() {
  if (!state.chosen || !state.slots) {
    return state.slots?.data.length ? el("p", { class: "muted pick-hint" }, t("book.pick")) : null;
  }
  const offer = state.chosen;
  const box = el("div", { id: "confirm-message", class: "message", role: "alert", hidden: true });
  return el("section", { class: "summary", "aria-labelledby": "summary-title" },
    el("h3", { id: "summary-title" }, `${t("book.summary")}: `,
      el("span", { class: "when" }, `${fmtDay(offer.day, locale())}, ${dashed(offer.local_window)}`)),
    el("p", { class: "small muted" }, `${kindText(state.kind)} · ${unitText(assetOf(state.assetId))}`),
    state.slots.coverage ? coverageBox(state.slots.coverage) : null,
    box,
    el("button", { type: "button", id: "confirm", onclick: (e) => confirm(e.currentTarget, box) }, t("book.confirm")),
  );
}

async function confirm(button, box) {
  button.disabled = true;
  button.textContent = t("book.booking");
  const offer = state.chosen;
  try {
    state.booked = await api("/bookings", {
      method: "POST",
      headers: { "Idempotency-Key": state.attemptKey },
      body: { asset_id: state.assetId, kind: state.kind, window_start: offer.window_start, window_end: offer.window_end },
    });
    state.notice = null;
    [state.bookings, state.slots] = await Promise.all([
      api("/bookings").then((answer) => answer.data),
      api(`/slots?asset_id=${state.assetId}&kind=${encodeURIComponent(state.kind)}`),
    ]);
    state.chosen = null;
    render();
    $("#booked-title")?.focus();
  } catch (err) {
    button.disabled = false;
    button.textContent = t("book.confirm");
    // A refused booking is final for this attempt; a lost connection may retry with the key.
    if (err instanceof ApiError && err.status !== 0) state.attemptKey = newIdempotencyKey();
    showMessage(box, err.message);
  }
}

function bookedView(booking) {
  return el("section", { class: "summary booked", "aria-labelledby": "booked-title" },
    el("h3", { id: "booked-title", tabindex: "-1" },
      t("book.booked", { kind: kindText(booking.kind), ...windowParts(booking) })),
    coverageBox(booking),
    el("p", {},
      el("a", { class: "button", href: `/track/${booking.id}` }, t("book.track")), " ",
      el("button", { type: "button", class: "secondary", onclick: () => choose(state.assetId, state.kind) }, t("book.close"))),
  );
}

const ENDED = new Set(["completed", "failed", "cancelled"]);

function bookingsList() {
  const current = state.bookings.filter((b) => !ENDED.has(b.status));
  const past = state.bookings.filter((b) => ENDED.has(b.status));
  return el("section", { class: "card", "aria-labelledby": "mine-title", id: "bookings" },
    el("h2", { id: "mine-title" }, t("book.mine")),
    state.notice ? el("div", { class: `message ${state.notice.kind}`, role: "status" }, state.notice.text) : null,
    current.length
      ? el("ul", { class: "bookings" }, current.map((b) => el("li", {}, bookingCard(b))))
      : el("p", { class: "muted" }, t("book.noneYet")),
    past.length ? el("details", { class: "past" },
      el("summary", {}, `${t("book.past")} (${past.length})`),
      el("ul", { class: "bookings" }, past.map((b) => el("li", {}, bookingCard(b))))) : null,
  );
}

function bookingCard(booking) {
  const can = new Set(booking.actions);
  const open = state.panel?.id === booking.id ? state.panel : null;
  return el("article", { class: "booking", id: `booking-${booking.id}` },
    el("div", { class: "booking-head" },
      el("b", {}, `${kindText(booking.kind)} · ${unitText(assetOf(booking.asset_id)) || `#${booking.asset_id}`}`),
      statusBadge(booking.status)),
    el("p", { class: "when" }, windowText(booking)),
    coverageBox(booking),
    el("p", { class: "booking-actions" },
      el("a", { href: `/track/${booking.id}` }, t("book.track")),
      can.has("reschedule") ? el("button", { type: "button", class: "secondary", onclick: () => reschedule(booking) }, t("book.reschedule")) : null,
      can.has("cancel") ? el("button", { type: "button", class: "secondary danger-text", onclick: () => openPanel({ id: booking.id, mode: "cancel" }) }, t("book.cancel")) : null,
    ),
    el("div", { class: "booking-panel" }, open ? panelView(booking, open) : null),
  );
}

// The open panel of a booking (a move or a cancel) lives in the state, so that a re-render
// (offers arriving, the language switched) keeps it.
function openPanel(panel) {
  state.panel = panel ? { answer: null, chosen: null, error: null, ...panel } : null;
  render();
}

function panelView(booking, panel) {
  const error = panel.error ? el("div", { class: "message error", role: "alert" }, panel.error) : null;
  const close = el("button", { type: "button", class: "secondary", onclick: () => openPanel(null) }, panel.mode === "cancel" ? t("book.keep") : t("book.close"));
  if (panel.mode === "cancel") {
    return el("div", { class: "confirm-cancel", role: "group", "aria-label": t("book.cancelAsk") },
      el("p", {}, el("b", {}, t("book.cancelAsk")), " ", booking.coverage === "entitlement" ? t("book.cancelBack") : ""),
      error,
      el("button", { type: "button", class: "danger", onclick: () => cancel(booking) }, t("book.cancelYes")), " ", close);
  }
  if (!panel.answer) return error ?? el("p", { class: "muted", role: "status" }, t("loading"));
  return el("div", {},
    slotPicker(panel.answer, panel.chosen, (offer) => { panel.chosen = offer; render(); }, `move-${booking.id}`),
    error,
    el("p", {},
      el("button", { type: "button", disabled: !panel.chosen, onclick: () => move(booking, panel.chosen) }, t("book.moveTo")), " ", close));
}

async function reschedule(booking) {
  openPanel({ id: booking.id, mode: "move" });
  const panel = state.panel;
  try {
    panel.answer = await api(`/slots?asset_id=${booking.asset_id}&kind=${encodeURIComponent(booking.kind)}`);
  } catch (err) {
    panel.error = err.message;
  }
  if (state.panel === panel) render();
}

async function move(booking, offer) {
  try {
    await api(`/bookings/${booking.id}/reschedule`, {
      method: "POST", body: { window_start: offer.window_start, window_end: offer.window_end },
    });
    await afterChange({ kind: "ok", text: t("book.moved", { day: fmtDay(offer.day, locale()), window: dashed(offer.local_window) }) });
  } catch (err) {
    state.panel.error = err.message;
    render();
  }
}

async function cancel(booking) {
  try {
    await api(`/bookings/${booking.id}/cancel`, { method: "POST" });
    const text = booking.coverage === "entitlement" ? t("book.cancelledBack") : t("book.cancelled");
    await afterChange({ kind: "ok", text });
  } catch (err) {
    state.panel.error = err.message;
    render();
  }
}

// After a move or a cancel: the list, and the offers and coverage of the chosen unit, anew.
async function afterChange(notice) {
  Object.assign(state, { notice, panel: null });
  state.bookings = (await api("/bookings")).data;
  if (state.assetId) await choose(state.assetId, state.kind);
  else render();
  document.querySelector("#bookings [role=status]")?.scrollIntoView({ block: "nearest" });
}

// Last, so that every declaration above is initialised when the page starts.
const user = await boot({ roles: ["customer"], what: "Booking" });
if (user) await start();
