// The landing page: after sign-in, say who is signed in and link to that role's page.
import { $, boot, el } from "./shell.js";

export const HOME = { dispatcher: "/board", admin: "/board", technician: "/me", customer: "/book" };

const user = await boot({ roles: null, main: document.createElement("div") });
if (user) {
  $("#index-status").replaceChildren(
    `Signed in as ${user.name} (${user.role}). `,
    el("a", { href: HOME[user.role] }, "Open your page"),
  );
}
