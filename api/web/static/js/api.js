// The /v1 API as the pages use it: the bearer token kept for the browser session, JSON calls
// that turn every 4xx/5xx into an ApiError with the server's own sentence, and server-sent
// events read over fetch (EventSource cannot send an Authorization header).

const TOKEN_KEY = "purna.token";

export function takeTokenFromAddress() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete("token");
  // The token leaves the address bar (and the history) at once.
  window.history.replaceState(null, "", url.pathname + url.search + url.hash);
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value.trim());
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, detail) {
    const items = Array.isArray(detail) ? detail : [{ msg: String(detail ?? ""), type: "error" }];
    super(items.map((d) => d.msg).join(" ") || `HTTP ${status}`);
    this.status = status;
    this.detail = items;
    this.type = items[0]?.type ?? "error";
  }
}

function headers(extra = {}) {
  const h = { Accept: "application/json", ...extra };
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

export async function api(path, { method = "GET", body, headers: extra, signal } = {}) {
  const init = { method, headers: headers(extra), signal };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/v1${path}`, init);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, [{ msg: "Purna cannot be reached; check the connection.", type: "offline" }]);
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? response.statusText);
  return data;
}

// Yields {event, data} for each server-sent event of the stream until it closes.
export async function* events(path, { signal } = {}) {
  const response = await fetch(`/v1${path}`, {
    headers: headers({ Accept: "text/event-stream" }),
    signal,
  });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    throw new ApiError(response.status, data?.detail ?? response.statusText);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message = { event: "message", data: "" };
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = line.slice(0, colon);
        const rest = line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") message.event = rest;
        else if (field === "data") message.data += rest;
      }
      yield { event: message.event, data: message.data ? JSON.parse(message.data) : null };
    }
  }
}

export function newIdempotencyKey() {
  return crypto.randomUUID();
}
