// User overview (seed 000): one person and the accounts they share with the signed-in
// admin, their level on each, with links to each account's overview.

import { api } from "../api.js";
import { t, words } from "../i18n.js";
import { errorBox, fill, h, table } from "../ui.js";
import { levelName } from "../people.js";

words({
  en: {
    "user.title": "User overview",
    "user.email": "E-mail",
    "user.status": "Status",
    "user.pending": "Invitation pending: they have not set a password yet.",
    "user.active": "Active",
    "user.shared": "Accounts you share",
    "user.account": "Account",
    "user.account_id": "Account ID",
    "user.level": "Their access level",
    "user.overview": "Overview",
    "user.overview_of": "Overview: {name}",
    "user.back": "All users",
  },
  sv: {
    "user.title": "Användaröversikt",
    "user.email": "E-post",
    "user.status": "Status",
    "user.pending": "Inbjudan väntar: personen har inte valt lösenord ännu.",
    "user.active": "Aktiv",
    "user.shared": "Konton ni delar",
    "user.account": "Konto",
    "user.account_id": "Konto-id",
    "user.level": "Personens behörighet",
    "user.overview": "Översikt",
    "user.overview_of": "Översikt: {name}",
    "user.back": "Alla användare",
  },
});

export default {
  title: "user.title",
  async render(main, params) {
    let user;
    try {
      user = await api("GET", `/v1/users/${encodeURIComponent(params.id)}`, undefined, { account: false });
    } catch (error) {
      return fill(main, h("h1", {}, t("user.title")), errorBox(error), h("p", {}, h("a", { href: "/users", "data-link": true }, t("user.back"))));
    }
    document.title = `${user.name} · ${t("app.name")}`;
    fill(
      main,
      h("p", { class: "crumbs" }, h("a", { href: "/users", "data-link": true }, t("user.back"))),
      h("h1", {}, user.name),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("user.email")),
        h("dd", {}, user.email),
        h("dt", {}, t("user.status")),
        h("dd", {}, user.pending ? h("span", { class: "badge" }, t("user.pending")) : t("user.active")),
      ),
      h("h2", {}, t("user.shared")),
      table(
        [
          [t("user.account"), (a) => a.account_name],
          [t("user.account_id"), (a) => h("code", {}, a.account_id)],
          [t("user.level"), (a) => levelName(a.level)],
          [t("user.overview"), (a) => h("a", { href: `/accounts/${encodeURIComponent(a.account_id)}`, "data-link": true, "aria-label": t("user.overview_of", { name: a.account_name }) }, t("user.overview"))],
        ],
        user.accounts,
        { caption: t("user.shared") },
      ),
    );
  },
};
