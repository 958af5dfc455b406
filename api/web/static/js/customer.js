// What the customer pages share: the customer's language, who pays, status, window and unit.

import { api } from "./api.js";
import { el, fmtDay, fmtMoney, fmtTime, humanize } from "./shell.js";
import { locale, t, useLanguage } from "./i18n.js";

// Chooses the page language: the switch's choice, else the customer's own language.
export async function startLanguage(user) {
  let language = null;
  if (user.customer_id) {
    try {
      language = (await api(`/customers/${user.customer_id}`)).language;
    } catch {
      language = null; // the page still works in English
    }
  }
  return useLanguage(language);
}

// The coverage decision: free by entitlement, free under warranty, or paid with the price;
// the server's reason below it, as it was decided.
export function coverageBox({ coverage, coverage_reason: reason, price }) {
  const headline = coverage === "paid" ? t("cover.paid", { price: fmtMoney(price, locale()) }) : t(`cover.${coverage}`);
  return el("div", { class: `coverage ${coverage}`, dataset: { coverage } },
    el("span", { class: "coverage-label" }, t("cover.title")),
    el("b", {}, headline),
    reason ? el("span", { class: "small muted" }, humanize(reason)) : null,
  );
}

export function statusBadge(status) {
  return el("span", { class: `badge ${status}`, dataset: { status } }, t(`status.${status}`));
}

export function kindText(kind) {
  return t(`kind.${kind}`);
}

export function unitText(asset) {
  if (!asset) return "";
  const product = asset.product_model;
  return `${product.brand} ${product.name} · ${asset.serial_number}`;
}

// {day: "Sat 5 Dec", window: "13:00–15:00"} in the booking's region time. A booking without a
// window yet (a free service due "within two weeks") gets its window when its day is planned.
export function windowParts(booking) {
  if (!booking.window_start) {
    const waiting = ["requested", "booked"].includes(booking.status);
    if (!waiting) return { day: "–", window: "" };
    if (!booking.due_from) return { day: t("track.toBeScheduled"), window: "" };
    const range = { from: fmtDay(booking.due_from, locale()), to: fmtDay(booking.due_until, locale()) };
    return { day: t("track.dueBetween", range), window: "" };
  }
  const zone = booking.timezone;
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(booking.window_start));
  const from = fmtTime(booking.window_start, zone, locale());
  const to = fmtTime(booking.window_end, zone, locale());
  return { day: fmtDay(day, locale()), window: `${from}–${to}` };
}

export function windowText(booking) {
  const { day, window } = windowParts(booking);
  return window ? `${day}, ${window}` : day;
}
