// The operator console's shell (issue 18): who is signed in (GET /v1/console/me, with the
// areas their permission groups give), a menu of those areas only (the server refuses the
// others anyway: a page reached by its address shows the refusal in words), a client-side
// router for /console/…, the language switch, and sign-out. Pages live in
// js/console/pages/<name>.js and export `{ title, render(main, params, ctx), public? }`.
// On a phone the menu folds behind a Menu button.

import { api, ApiError, setCsrf } from "../api.js";
import { language, setDateFormat, t } from "../i18n.js";
import { collapsibleMenu, errorBox, fill, h, matchRoute } from "../ui.js";
import { languageSwitcher } from "../shell.js";
import "./words.js";

// [path pattern, page module, "public" | "enrol" | null (a signed-in staff member with 2FA)]
const ROUTES = [
  ["/console/login", "login", "public"],
  ["/console/two-factor", "enrol", "enrol"],
  ["/console", "start", null],
  ["/console/clients", "clients", null],
  ["/console/clients/new", "client-new", null],
  ["/console/clients/:id", "client", null],
  ["/console/clients/:id/:tab", "client", null],
  ["/console/numbers", "numbers", null],
  ["/console/packages", "packages", null],
  ["/console/carriers", "carriers", null],
  ["/console/queue", "queue", null],
  ["/console/emails", "emails", null],
  ["/console/reports", "reports", null],
  ["/console/staff", "staff", null],
  ["/console/groups", "groups", null],
  ["/console/domains", "domains", null],
  ["/console/settings", "settings", null],
];

// The menu, in order: [path, label key, area that shows it].
export const MENU = [
  ["/console/clients", "nav.clients", "customers"],
  ["/console/numbers", "nav.numbers", "numbers"],
  ["/console/packages", "nav.packages", "packages"],
  ["/console/carriers", "nav.carriers", "carriers"],
  ["/console/queue", "nav.queue", "cdr"],
  ["/console/emails", "nav.emails", "log"],
  ["/console/reports", "nav.reports", "reports"],
  ["/console/staff", "nav.staff", "staff"],
  ["/console/groups", "nav.groups", "staff"],
  ["/console/domains", "nav.domains", "settings"],
  ["/console/settings", "nav.settings", "settings"],
];

/** What every page gets: the staff member (with their areas), navigate and refresh. */
export const ctx = { me: null, navigate, refresh: () => route(), can };

/** Whether the signed-in staff member's groups give `area` (the menu's question only). */
export function can(area) {
  return Boolean(ctx.me?.areas?.[area]);
}

// After a move to another page the focus goes to its content (so a screen reader starts
// there), not after a re-render of the same page.
let moved = false;

export function navigate(path) {
  history.pushState(null, "", path);
  moved = true;
  route();
}

function match(pathname) {
  const found = matchRoute(ROUTES, pathname);
  return found && { page: found.page, kind: found.tag, params: found.params };
}

/** The staff member, or null when nobody is signed in; NotStaff and the like are thrown. */
async function loadSession() {
  try {
    ctx.me = await api("GET", "/v1/console/me", undefined, { account: false });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      ctx.me = null;
      return null;
    }
    throw error;
  }
  setCsrf(ctx.me.csrf_token);
  // Dates as the operator's Settings say (format and time zone).
  setDateFormat(ctx.me.defaults?.date_format, ctx.me.defaults?.time_zone);
  return ctx.me;
}

async function signOut() {
  await api("POST", "/v1/auth/logout", undefined, { account: false }).catch(() => {});
  ctx.me = null;
  navigate("/console/login");
}

function header() {
  const languages = languageSwitcher(() => Boolean(ctx.me), () => route());
  const who = ctx.me ? h("span", { class: "who", id: "signed-in-as" }, t("console.signed_in_as", { email: ctx.me.email })) : null;
  const logout = ctx.me ? h("button", { class: "link", id: "logout", type: "button", onclick: signOut }, t("console.sign_out")) : null;
  return h(
    "header",
    { class: "top console-top" },
    h("a", { href: "/console", class: "brand", "data-console-link": true }, t("console.name")),
    h("div", { class: "top-tools" }, who, languages, logout),
  );
}

function menu(current) {
  const items = MENU.filter(([, , area]) => can(area)).map(([path, key]) => [path, t(key), current === path || current.startsWith(path + "/")]);
  return collapsibleMenu(items, { id: "console-menu-list", label: t("console.main_menu"), toggleText: t("console.menu"), linkAttribute: "data-console-link", className: "console-menu" });
}

export async function route() {
  const root = document.getElementById("app");
  document.documentElement.lang = language();
  const skip = document.querySelector("a.skip");
  if (skip) skip.textContent = t("console.skip");
  const found = match(location.pathname);
  try {
    const signedIn = found?.kind === "public" ? null : await loadSession();
    if (!found) {
      return fill(root, header(), h("main", { id: "main", tabindex: "-1" }, h("h1", {}, t("notfound.title"))));
    }
    if (found.kind !== "public" && !signedIn) {
      const next = location.pathname + location.search;
      history.replaceState(null, "", "/console/login" + (next !== "/console" ? `?next=${encodeURIComponent(next)}` : ""));
      return route();
    }
    // Staff need two-factor authentication: until it is on, enrolment is the only page.
    if (signedIn && !signedIn.two_factor_enabled && found.kind !== "enrol") {
      history.replaceState(null, "", "/console/two-factor");
      return route();
    }
    const module = await import(`./pages/${found.page}.js`);
    const page = module.default;
    const main = h("main", { id: "main", tabindex: "-1" });
    document.title = `${t(page.title)} · ${t("console.name")}`;
    if (found.kind === "public" || found.kind === "enrol") {
      fill(root, header(), h("div", { class: "public" }, main));
    } else {
      fill(root, header(), h("div", { class: "layout console" }, menu(location.pathname), main));
    }
    const focus = moved;
    moved = false;
    await page.render(main, found.params, ctx);
    if (focus && !main.contains(document.activeElement)) main.focus();
  } catch (error) {
    const main = h("main", { id: "main", tabindex: "-1" });
    if (error instanceof ApiError && error.name === "NotStaff") {
      fill(root, header(), h("div", { class: "public" }, main));
      fill(
        main,
        h("h1", {}, t("console.not_staff_title")),
        errorBox(error),
        h("p", {}, h("a", { href: "/" }, t("console.portal"))),
        h("button", { type: "button", class: "secondary", onclick: signOut }, t("console.sign_out")),
      );
      return;
    }
    fill(root, header(), fill(main, errorBox(error)));
  }
}

// Links inside the console change the route without a reload (links to the portal load it).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-console-link]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || link.target) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
window.addEventListener("popstate", route);
route();
