import { boot } from "./shell.js";
const user = await boot({ roles: ["dispatcher"], what: "The dispatcher board" });
void user;
