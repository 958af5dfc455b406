// One booking followed by its customer: status, window, technician, ETA once on the way, who
// pays; it refreshes itself every 15 s and says when it last did. Below it, the complaints
// about the visit and a form to file one (track_complaints.js, drawn apart so that a refresh
// keeps what is being typed). Another customer's booking (the API answers 404) is refused
// plainly and nothing of it is shown.

import { ApiError, api } from "./api.js";
import { $, boot, el, fmtTime, refuse } from "./shell.js";
import { languageSwitch, locale, t } from "./i18n.js";
import { coverageBox, kindText, startLanguage, statusBadge, unitText, windowText } from "./customer.js";
import { complaintBox } from "./track_complaints.js";

const REFRESH_MS = 15_000;
const bookingId = Number(document.querySelector("script[data-booking-id]").dataset.bookingId);
const main = $("#main");
let booking = null;
let asset = null;
let refreshed = null; // {at, error}
let timer = null;
const view = el("div", { id: "track-booking" });
const allLink = el("p", { id: "track-all-link" });
let complaints = null; // the complaints box, made once the booking is known


async function start() {
  await startLanguage(user);
  if (!(await refresh(false))) return;
  try {
    asset = await api(`/assets/${booking.asset_id}`);
  } catch {
    asset = null; // the unit's name is a nicety; the booking shows without it
  }
  complaints = complaintBox(booking);
  main.replaceChildren(view, complaints, allLink);
  render();
  timer = setInterval(refresh, REFRESH_MS);
}

// Reads the booking again; false when it is refused (and then nothing is shown of it).
async function refresh(draw = true) {
  try {
    booking = await api(`/bookings/${bookingId}`);
    refreshed = { at: new Date(), error: null };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
      clearInterval(timer);
      booking = null;
      refuse(main, t("track.refused"), t("track.refusedText"));
      main.querySelector(".refusal").append(el("p", {}, el("a", { href: "/book" }, t("track.all"))));
      return false;
    }
    refreshed = { at: new Date(), error: err.message };
    if (!booking) {
      main.replaceChildren(el("div", { class: "message error", role: "alert" }, err.message));
      return false;
    }
  }
  if (draw) render();
  return true;
}

function render() {
  if (!booking) return;
  document.title = `${t("track.title")} · Purna`;
  const zone = booking.timezone;
  const onTheWay = booking.status === "en_route";
  const at = new Intl.DateTimeFormat(locale(), { timeStyle: "medium", timeZone: zone, hourCycle: "h23" }).format(refreshed.at);
  view.replaceChildren(
    el("section", { class: "page-head" },
      el("div", {}, el("h1", {}, t("track.title")), el("p", { class: "muted" }, `${kindText(booking.kind)} · #${booking.id}`)),
      languageSwitch(() => { render(); complaints?.redraw(); }),
    ),
    el("section", { class: `card track ${booking.status}`, "aria-labelledby": "track-status" },
      el("p", { class: "track-status", id: "track-status" }, statusBadge(booking.status)),
      el("dl", { class: "facts" },
        el("dt", {}, t("track.window")), el("dd", { id: "track-window" }, windowText(booking)),
        el("dt", {}, t("track.technician")),
        el("dd", { id: "track-technician" }, booking.technician_first_name ?? el("span", { class: "muted" }, t("track.notYet"))),
        el("dt", {}, t("track.eta")),
        el("dd", { id: "track-eta", class: onTheWay && booking.eta ? "eta" : "" },
          booking.eta ? fmtTime(booking.eta, zone, locale()) : el("span", { class: "muted" }, t("track.etaLater"))),
        asset ? [el("dt", {}, t("track.unit")), el("dd", {}, unitText(asset))] : null,
      ),
      coverageBox(booking),
    ),
    el("p", { class: refreshed.error ? "message error" : "muted small", id: "track-refreshed", role: "status" },
      refreshed.error ? t("track.refreshFailed", { time: at, error: refreshed.error }) : t("track.refreshed", { time: at })),
  );
  allLink.replaceChildren(el("a", { href: "/book" }, t("track.all")));
}

// Last, so that every declaration above is initialised when the page starts.
const user = await boot({ roles: ["customer", "dispatcher"], what: "Tracking" });
if (user) await start();
