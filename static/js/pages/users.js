// Users (seed 000): everyone on the accounts the signed-in user administers, with the
// accounts they share and their level on each; each links to the user's overview.

import { api } from "../api.js";
import { t, words } from "../i18n.js";
import { fill, h, load, table } from "../ui.js";
import { levelName } from "../people.js";
import { giveAccessPanel } from "./account.js";

words({
  en: {
    "users.title": "Users",
    "users.help": "The people on the accounts you are admin of.",
    "users.name": "Name",
    "users.email": "E-mail",
    "users.accounts": "Accounts and access level",
    "users.status": "Status",
    "users.pending": "Invitation pending",
    "users.active": "Active",
    "users.overview": "Overview",
    "users.overview_of": "Overview: {name}",
    "users.none": "No users to show. You see the people of the accounts you are admin of.",
  },
  sv: {
    "users.title": "Användare",
    "users.help": "Personerna på kontona du är administratör för.",
    "users.name": "Namn",
    "users.email": "E-post",
    "users.accounts": "Konton och behörighet",
    "users.status": "Status",
    "users.pending": "Inbjudan väntar",
    "users.active": "Aktiv",
    "users.overview": "Översikt",
    "users.overview_of": "Översikt: {name}",
    "users.none": "Inga användare att visa. Du ser personerna på kontona du är administratör för.",
  },
});

export default {
  title: "users.title",
  async render(main, params, ctx) {
    const list = h("div");
    // Seed 001 "Add a new user": to any account the signed-in user is admin of.
    const administered = ctx.accounts.filter((a) => a.level === "admin");
    const show = () => load(list, async () => {
      const { users } = await api("GET", "/v1/users", undefined, { account: false });
      return table(
        [
          [t("users.name"), (u) => h("a", { href: `/users/${encodeURIComponent(u.id)}`, "data-link": true }, u.name)],
          [t("users.email"), (u) => u.email],
          [t("users.accounts"), (u) => h("ul", { class: "plain" }, u.accounts.map((a) => h("li", {}, `${a.account_name} (${a.account_id}): ${levelName(a.level)}`)))],
          [t("users.status"), (u) => (u.pending ? h("span", { class: "badge" }, t("users.pending")) : t("users.active"))],
          [t("users.overview"), (u) => h("a", { href: `/users/${encodeURIComponent(u.id)}`, "data-link": true, "aria-label": t("users.overview_of", { name: u.name }) }, t("users.overview"))],
        ],
        users,
        { empty: t("users.none"), caption: t("users.title"), cards: true },
      );
    });
    fill(main, h("h1", {}, t("users.title")), h("p", {}, t("users.help")), list, administered.length ? giveAccessPanel(administered, show) : null);
    await show();
  },
};
