// The tracking page's complaints: those about this visit (category, status, when we answer
// and resolve, our answer) and a form to file one. Drawn into its own box, so the booking's
// refresh every 15 s never wipes what the customer is typing.

import { api } from "./api.js";
import { el, fmtTime, showMessage } from "./shell.js";
import { locale, t } from "./i18n.js";

// What a customer may complain about after a visit; late_delivery only for a delivery.
const CATEGORIES = ["late_visit", "workmanship", "product_defect", "technician_conduct", "billing", "other"];

export function complaintBox(booking) {
  const box = el("section", { class: "card complaints", id: "track-complaints", "aria-labelledby": "complaints-title" });
  const state = { booking, complaints: [], draft: { category: null, text: "" }, message: null };
  const draw = () => drawBox(box, state, load);
  const load = async () => {
    try {
      state.complaints = (await api(`/complaints?visit_id=${booking.id}`)).data;
    } catch (err) {
      state.message = { text: err.message, kind: "error" };
    }
    draw();
  };
  box.redraw = draw; // the language switch draws it again in the new words
  load();
  return box;
}

function moment(iso, zone) {
  const day = new Intl.DateTimeFormat(locale(), { weekday: "short", day: "numeric", month: "short", timeZone: zone }).format(new Date(iso));
  return `${day} ${fmtTime(iso, zone, locale())}`;
}

function drawBox(box, state, reload) {
  const zone = state.booking.timezone;
  box.replaceChildren(
    el("h2", { id: "complaints-title" }, t("complaint.title")),
    state.complaints.length
      ? el("ul", { class: "complaint-list" }, state.complaints.map((c) => item(c, zone)))
      : el("p", { class: "muted", id: "complaints-none" }, t("complaint.none")),
    form(state, reload),
  );
}

function item(complaint, zone) {
  return el("li", { class: "complaint", dataset: { status: complaint.status, id: complaint.id } },
    el("div", { class: "complaint-head" },
      el("b", {}, `${t(`complaint.cat.${complaint.category}`)} · ${t("complaint.number", { id: complaint.id })}`),
      el("span", { class: `badge complaint-${complaint.status}` }, t(`complaint.status.${complaint.status}`))),
    el("p", { class: "complaint-text" }, complaint.text),
    el("p", { class: "small muted" }, t("complaint.filed", { time: moment(complaint.created_at, zone) }), " · ",
      t("complaint.due", { respond: moment(complaint.response_due_at, zone), resolve: moment(complaint.resolution_due_at, zone) })),
    complaint.note ? el("p", { class: "small complaint-note" }, t("complaint.answer", { note: complaint.note })) : null,
  );
}

function form(state, reload) {
  const kinds = state.booking.kind === "delivery" ? ["late_delivery", ...CATEGORIES] : CATEGORIES;
  const chosen = state.draft.category ?? kinds[0];
  const category = el("select", { id: "complaint-category", onchange: (e) => { state.draft.category = e.target.value; } },
    kinds.map((k) => el("option", { value: k, selected: k === chosen }, t(`complaint.cat.${k}`))));
  const text = el("textarea", {
    id: "complaint-text", rows: 3, maxlength: 2000, placeholder: t("complaint.placeholder"),
    oninput: (e) => { state.draft.text = e.target.value; },
  });
  text.value = state.draft.text;
  const message = el("p", { class: "message", id: "complaint-message", role: "status", hidden: true });
  const said = state.message;  // our own words are kept as a key, so they follow the language
  const vars = said?.vars ? { ...said.vars, respond: moment(said.vars.due, state.booking.timezone) } : {};
  if (said) showMessage(message, said.key ? t(said.key, vars) : said.text, said.kind);
  const send = el("button", { type: "submit", id: "complaint-send" }, t("complaint.send"));
  return el("form", { class: "complaint-form", "aria-labelledby": "complaint-new",
    onsubmit: (e) => { e.preventDefault(); file(state, category.value, text.value, send, reload); } },
    el("h3", { id: "complaint-new" }, t("complaint.new")),
    el("div", { class: "field" }, el("label", { for: "complaint-category" }, t("complaint.category")), category),
    el("div", { class: "field" }, el("label", { for: "complaint-text" }, t("complaint.text")), text),
    message,
    send,
  );
}

async function file(state, category, text, button, reload) {
  if (!text.trim()) {
    state.message = { key: "complaint.empty", kind: "error" };
    await reload();
    return;
  }
  button.disabled = true;
  button.textContent = t("complaint.sending");
  const booking = state.booking;
  try {
    const filed = await api("/complaints", {
      method: "POST",
      body: { asset_id: booking.asset_id, visit_id: booking.id, category, text: text.trim() },
    });
    state.draft = { category: null, text: "" };
    state.message = { key: "complaint.sent", vars: { id: filed.id, due: filed.response_due_at }, kind: "ok" };
  } catch (err) {
    state.message = { text: err.message, kind: "error" };
  }
  await reload();
}
