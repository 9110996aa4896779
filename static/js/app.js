// The portal's shell: who is signed in, which account they act on, the navigation their
// access level allows, and a client-side router (History API; the server answers every
// route with index.html). Pages live in js/pages/<name>.js and export
// `{ title, render(main, params, ctx), public? }`.

import { api, ApiError, currentAccount, setCsrf, setCurrentAccount } from "./api.js";
import { language, setLanguage, t, words } from "./i18n.js";
import { collapsibleMenu, errorBox, fill, h, matchRoute } from "./ui.js";
import { languageSwitcher } from "./shell.js";
// Every error name the API answers with, in words in both languages (issue 19: no English
// server message on a Swedish page); pages may register finer words of their own after it.
import "./console/errors.js";
import { levelName } from "./people.js";

// [path pattern, page module, minimum level (null: any signed-in user; "public": no sign-in)]
const ROUTES = [
  ["/login", "login", "public"],
  ["/reset", "reset", "public"],
  ["/invitation", "invitation", "public"],
  ["/confirm-email", "confirm-email", "public"],
  ["/signup", "signup", "public"],
  ["/", "start", null],
  ["/dashboard", "dashboard", "user"],
  ["/send", "send", "user"],
  ["/messages", "messages", "user"],
  ["/messages/:id", "message", "user"],
  ["/inbox", "inbox", "manager"],
  ["/contacts", "contacts", "manager"],
  ["/groups/:id", "group", "manager"],
  ["/blocklist", "blocklist", "manager"],
  ["/numbers", "numbers", "manager"],
  ["/keys", "keys", "admin"],
  ["/settings", "settings", "admin"],
  ["/billing", "billing", "admin"],
  ["/billing/topups/:id", "billing", "admin"],
  ["/profile", "profile", null],
  ["/accounts", "accounts", null],
  ["/accounts/:id", "account", null],
  ["/users", "users", null],
  ["/users/:id", "user", null],
];

const LEVELS = { user: 0, manager: 1, admin: 2 };

// The menu, in order: [path, label key, level needed on the current account].
const MENU = [
  ["/", "nav.start", null],
  ["/dashboard", "nav.dashboard", "user"],
  ["/send", "nav.send", "user"],
  ["/messages", "nav.messages", "user"],
  ["/inbox", "nav.inbox", "manager"],
  ["/contacts", "nav.contacts", "manager"],
  ["/blocklist", "nav.blocklist", "manager"],
  ["/numbers", "nav.numbers", "manager"],
  ["/keys", "nav.keys", "admin"],
  ["/settings", "nav.settings", "admin"],
  ["/billing", "nav.billing", "admin"],
  ["/accounts", "nav.accounts", null],
  ["/users", "nav.users", null],
  ["/profile", "nav.profile", null],
];

/** What every page gets: the user, their accounts, the one acted on and its level. */
export const ctx = { me: null, accounts: [], account: null, level: null, site: null, navigate, refresh: () => route() };

// The portal areas a white-label domain may hide (domain::accounts::signup::PortalArea),
// by the first part of a page's path; start, accounts, users and the profile always show.
const PORTAL_AREAS = { dashboard: "dashboard", send: "send", messages: "messages", inbox: "inbox", contacts: "contacts", groups: "contacts", blocklist: "blocklist", numbers: "numbers", keys: "keys", settings: "settings", billing: "billing" };

/** Whether this site (GET /v1/site: the host's domain, if any) shows the page at `path`. */
export function shown(path) {
  const area = PORTAL_AREAS[path.split("/")[1]];
  return !area || !ctx.site || ctx.site.portal_areas.includes(area);
}

/** What the portal on this host shows, read once: its brand, sign-up and areas. */
async function loadSite() {
  if (ctx.site) return ctx.site;
  try {
    ctx.site = await api("GET", "/v1/site", undefined, { account: false });
  } catch {
    ctx.site = { brand_name: null, signup_enabled: false, portal_areas: Object.values(PORTAL_AREAS) };
  }
  return ctx.site;
}

/** The name in the header and the title: a white-label domain's brand, else ours. */
export function brand() {
  return ctx.site?.brand_name || t("app.name");
}

export function navigate(path) {
  history.pushState(null, "", path);
  route();
}

export function allowed(level) {
  return level === null || (ctx.level !== null && LEVELS[ctx.level] >= LEVELS[level]);
}

function match(pathname) {
  const found = matchRoute(ROUTES, pathname);
  return found && { page: found.page, level: found.tag, params: found.params };
}

/** Signed in? Loads the profile (with the CSRF token) and the accounts; null if not. */
async function loadSession() {
  try {
    ctx.me = await api("GET", "/v1/me", undefined, { account: false });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
  setCsrf(ctx.me.csrf_token);
  if (!localStorage.getItem("smsedge.language")) setLanguage(ctx.me.language);
  const list = await api("GET", "/v1/accounts?limit=200", undefined, { account: false });
  ctx.accounts = list.accounts;
  const chosen = ctx.accounts.find((a) => a.id === currentAccount()) || ctx.accounts.find((a) => a.is_default) || ctx.accounts[0] || null;
  ctx.account = chosen;
  ctx.level = chosen ? chosen.level : null;
  setCurrentAccount(chosen ? chosen.id : null);
  return ctx.me;
}

function header() {
  const switcher = ctx.accounts.length
    ? h(
        "label",
        { class: "switcher" },
        h("span", {}, t("nav.account")),
        h(
          "select",
          {
            id: "account-switcher",
            onchange: (e) => {
              setCurrentAccount(e.target.value);
              route();
            },
          },
          // Names, not ids (an id cut mid-way helps nobody); two accounts of one name are
          // told apart by the end of their ids.
          ctx.accounts.map((a) => {
            const twin = ctx.accounts.some((b) => b !== a && b.name === a.name);
            return h("option", { value: a.id, title: a.id, selected: ctx.account && a.id === ctx.account.id }, twin ? `${a.name} · …${a.id.slice(-6)}` : a.name);
          }),
        ),
      )
    : null;
  const languages = languageSwitcher(() => Boolean(ctx.me), () => route());
  const logout = ctx.me
    ? h(
        "button",
        {
          class: "link",
          id: "logout",
          onclick: async () => {
            await api("POST", "/v1/auth/logout", undefined, { account: false }).catch(() => {});
            ctx.me = null;
            navigate("/login");
          },
        },
        t("nav.logout"),
      )
    : null;
  // Seed 000 item 4: who is signed in, in the header.
  const who = ctx.me ? h("a", { href: "/profile", "data-link": true, class: "who", id: "signed-in-as" }, ctx.me.email) : null;
  return h("header", { class: "top" }, h("a", { href: "/", class: "brand", "data-link": true }, brand()), h("div", { class: "top-tools" }, who, switcher, languages, logout));
}

function menu(current) {
  const items = MENU.filter(([path, , level]) => allowed(level) && shown(path) && (path !== "/users" || ctx.accounts.some((a) => a.level === "admin"))).map(([path, key]) => [
    path,
    t(key),
    current === path,
  ]);
  return collapsibleMenu(items, { id: "menu-list", label: "Main", toggleText: t("nav.menu"), linkAttribute: "data-link" });
}

function footer() {
  return h(
    "footer",
    { class: "bottom" },
    h("a", { href: "/legal/support.html" }, t("footer.support")),
    h("a", { href: "/legal/service-agreement.html" }, t("footer.agreement")),
    h("a", { href: "/legal/privacy.html" }, t("footer.privacy")),
    h("a", { href: "/legal/data-processor-agreement.html" }, t("footer.dpa")),
  );
}

export async function route() {
  const root = document.getElementById("app");
  document.documentElement.lang = language();
  // The skip link is in index.html, in English until the page's language is known.
  const skip = document.querySelector("a.skip");
  if (skip) skip.textContent = t("nav.skip");
  const found = match(location.pathname);
  try {
    await loadSite();
    const signedIn = found?.level === "public" ? null : await loadSession();
    if (!found) {
      return fill(root, header(), h("main", { id: "main" }, h("h1", {}, t("notfound.title"))), footer());
    }
    if (found.level !== "public" && !signedIn) {
      const next = location.pathname + location.search;
      history.replaceState(null, "", "/login" + (next !== "/" ? `?next=${encodeURIComponent(next)}` : ""));
      return route();
    }
    const module = await import(`./pages/${found.page}.js`);
    const page = module.default;
    const main = h("main", { id: "main", tabindex: "-1" });
    document.title = `${t(page.title)} · ${brand()}`;
    if (found.level === "public") {
      fill(root, header(), h("div", { class: "public" }, main), footer());
    } else {
      fill(root, header(), h("div", { class: "layout" }, menu(location.pathname), main), footer());
    }
    if (!shown(location.pathname)) {
      return fill(main, h("h1", {}, t(page.title)), h("p", { id: "not-on-this-site" }, t("site.not_shown")));
    }
    if (found.level && found.level !== "public" && !allowed(found.level)) {
      // The page's own words (which level it needs), not the API error's general ones.
      return fill(main, h("h1", {}, t(page.title)), errorBox({ name: "PageNeedsLevel", message: t("access.too_low", { level: levelName(found.level) }) }));
    }
    await page.render(main, found.params, ctx);
    // A self-signup not approved yet: said on every page of the account, above its content.
    if (found.level !== "public" && ctx.account?.approval && ctx.account.approval !== "approved") {
      main.prepend(h("p", { class: "warning", id: "approval-banner", role: "status" }, t(`site.approval.${ctx.account.approval}`)));
    }
  } catch (error) {
    fill(root, header(), h("main", { id: "main" }, errorBox(error)), footer());
  }
}

words({
  en: {
    "access.too_low": "This page needs the {level} access level on this account.",
    "site.not_shown": "This part of the portal is not offered on this site.",
    "site.approval.awaiting_email": "Confirm your e-mail address with the link we sent to finish signing up.",
    "site.approval.pending": "Your account waits for approval. You can look around; sending starts once it is approved, and we e-mail you then.",
    "site.approval.rejected": "Your sign-up was not approved, so the account cannot send. Contact your provider if you think this is a mistake.",
  },
  sv: {
    "access.too_low": "Den här sidan kräver behörigheten {level} på kontot.",
    "site.not_shown": "Den här delen av portalen erbjuds inte på den här webbplatsen.",
    "site.approval.awaiting_email": "Bekräfta din e-postadress med länken vi skickade för att slutföra registreringen.",
    "site.approval.pending": "Ditt konto väntar på godkännande. Du kan titta runt; utskicken börjar när det är godkänt, och då mejlar vi dig.",
    "site.approval.rejected": "Din registrering godkändes inte, så kontot kan inte skicka. Kontakta din leverantör om du tror att det är fel.",
  },
});

// The operator console (/console…) is another shell in the same app: it has its own
// session, menu and router (js/console/app.js).
if (/^\/console(\/|$)/.test(location.pathname)) {
  import("./console/app.js");
} else {
  // Links inside the app change the route without a reload.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-link]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || link.target) return;
    event.preventDefault();
    navigate(link.getAttribute("href"));
  });
  window.addEventListener("popstate", route);
  route();
}
