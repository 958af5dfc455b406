import { ApiError, api, signIn, signOut, takeTokenFromAddress } from "./api.js";
import { $, showMessage } from "./shell.js";

const HOME = { dispatcher: "/board", admin: "/board", technician: "/me", customer: "/book" };

takeTokenFromAddress();
$("#signout").addEventListener("click", () => { signOut(); window.location.assign("/signin"); });

$("#signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = $("#signin-message");
  signIn($("#token").value);
  try {
    const user = await api("/me");
    const next = new URL(window.location.href).searchParams.get("next");
    // Only a path on this site: an address from elsewhere would make this an open redirect.
    const safe = next && next.startsWith("/") && !next.startsWith("//") ? next : HOME[user.role];
    window.location.assign(safe);
  } catch (err) {
    signOut();
    showMessage(box, err instanceof ApiError && err.status === 401 ? "That token is unknown or revoked." : err.message);
  }
});
