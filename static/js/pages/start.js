// The start page (seed 000): a welcome and shortcuts to Profile, Accounts and Users, and to
// what the user does most on the current account.

import { allowed } from "../app.js";
import { money, t, words } from "../i18n.js";
import { fill, h } from "../ui.js";

words({
  en: {
    "start.title": "Start",
    "start.welcome": "Welcome, {name}",
    "start.account": "You are working in {account}: balance {balance}, access level {level}.",
    "start.no_account": "You have no account yet. Ask an account admin to give you access.",
    "start.profile": "Your name, password, e-mail, phone and two-factor authentication.",
    "start.accounts": "The accounts you can use, their balance and who has access.",
    "start.users": "The people on the accounts you administer.",
    "start.send": "Send an SMS to one number, a list or a group, now or later.",
  },
  sv: {
    "start.title": "Start",
    "start.welcome": "Välkommen, {name}",
    "start.account": "Du arbetar i {account}: saldo {balance}, behörighet {level}.",
    "start.no_account": "Du har inget konto ännu. Be en kontoadministratör att ge dig åtkomst.",
    "start.profile": "Ditt namn, lösenord, e-post, telefon och tvåstegsverifiering.",
    "start.accounts": "Kontona du kan använda, deras saldo och vem som har åtkomst.",
    "start.users": "Personerna på kontona du administrerar.",
    "start.send": "Skicka ett SMS till ett nummer, en lista eller en grupp, nu eller senare.",
  },
});

function shortcut(path, title, text) {
  return h("li", { class: "card" }, h("a", { href: path, "data-link": true }, h("strong", {}, title)), h("p", {}, text));
}

export default {
  title: "start.title",
  async render(main, _params, ctx) {
    const account = ctx.account;
    fill(
      main,
      h("h1", {}, t("start.welcome", { name: ctx.me.name })),
      account
        ? h("p", { id: "current-account" }, t("start.account", { account: `${account.name} (${account.id})`, balance: money(account.balance_minor, account.currency), level: account.level }))
        : h("p", {}, t("start.no_account")),
      h(
        "ul",
        { class: "cards" },
        account && allowed("user") ? shortcut("/send", t("nav.send"), t("start.send")) : null,
        shortcut("/profile", t("nav.profile"), t("start.profile")),
        shortcut("/accounts", t("nav.accounts"), t("start.accounts")),
        shortcut("/users", t("nav.users"), t("start.users")),
      ),
    );
  },
};
