// What every page shares: sign-in from the address, the top bar, the role check, refusals shown
// plainly, and dates and durations in the region's time.

import { ApiError, api, signOut, takeTokenFromAddress, token } from "./api.js";

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Replaces a node's children, skipping null/false (as el() does).
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// The pages each role works in; the top bar shows only those once signed in.
const PAGES_OF = { admin: ["board", "me", "book"], dispatcher: ["board"], technician: ["me"], customer: ["book"] };

// Signs in from ?token=, fills the top bar, and resolves to the account behind the token when
// its role may use the page; otherwise shows why in `main` and resolves to null.
export async function boot({ roles, main = $("#main"), what = "this page" }) {
  takeTokenFromAddress();
  $("#signout").addEventListener("click", () => {
    signOut();
    window.location.assign("/signin");
  });
  const here = document.body.className.replace("page-", "");
  for (const link of $$("[data-nav]")) {
    if (link.dataset.nav === here) link.setAttribute("aria-current", "page");
  }
  if (!token()) {
    refuse(main, "Sign in first", `${what} needs a bearer token.`, true);
    return null;
  }
  let user;
  try {
    user = await api("/me");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signOut();
    refuse(main, "You are not signed in", err.message, true);
    return null;
  }
  $("#signin-link").hidden = true;
  $("#who-name").hidden = false;
  $("#who-name").textContent = `${user.name} (${user.role})`;
  $("#signout").hidden = false;
  for (const link of $$("[data-nav]")) link.hidden = !(PAGES_OF[user.role] ?? []).includes(link.dataset.nav);
  if (roles && user.role !== "admin" && !roles.includes(user.role)) {
    const allowed = roles.join(" or ");
    refuse(main, "Not for this account", `${what} is for a ${allowed}; you are signed in as a ${user.role}.`);
    return null;
  }
  return user;
}

export function refuse(main, title, message, offerSignIn = false) {
  const next = encodeURIComponent(window.location.pathname + window.location.search);
  main.replaceChildren(
    el("section", { class: "card refusal", role: "alert" },
      el("h1", { text: title }),
      el("p", { text: message }),
      offerSignIn ? el("p", {}, el("a", { class: "button", href: `/signin?next=${next}` }, "Sign in")) : null,
    ),
  );
}

export function showMessage(box, message, kind = "error") {
  box.hidden = !message;
  box.classList.remove("error", "ok", "info");
  box.classList.add("message", kind);
  box.textContent = message || "";
}

export function fmtTime(iso, zone, locale = "en-GB") {
  if (!iso) return "–";
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone: zone, hourCycle: "h23" })
    .format(new Date(iso));
}

export function fmtDay(isoDay, locale = "en-GB") {
  const [y, m, d] = isoDay.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

export function fmtDuration(seconds) {
  // Round to whole minutes first, so that 3 h 59.5 min shows as 4 h 00 min, not 3 h 60 min.
  const minutes = Math.round((seconds || 0) / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return `${h} h ${String(m).padStart(2, "0")} min`;
}

export function fmtKm(meters) {
  return `${(meters / 1000).toFixed(1)} km`;
}

export function fmtMoney(amount, locale = "en-GB") {
  return new Intl.NumberFormat(locale, { style: "currency", currency: "IDR", maximumFractionDigits: 0 }).format(amount);
}

// The date today in a time zone, as YYYY-MM-DD.
export function todayIn(zone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());
}

export function humanize(code) {
  return String(code).replaceAll("_", " ");
}
