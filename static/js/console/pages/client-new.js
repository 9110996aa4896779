// "New client": opens a customer account (name, currency, Swedish or international, credit
// limit) and goes to its profile. Money comes in later through Payments, where it is
// confirmed first.

import { t, words } from "../../i18n.js";
import { field, fill, form, h } from "../../ui.js";
import { hint, kindName } from "../../people.js";
import { call, toMinor } from "../lib.js";

export const CURRENCIES = ["SEK", "EUR", "NOK", "DKK", "USD", "GBP"];

words({
  en: {
    "newclient.title": "New client",
    "newclient.name": "Client name",
    "newclient.currency": "Currency",
    "newclient.currency_hint": "Prices, balance and invoices are in this currency; it cannot change once money has moved.",
    "newclient.kind": "Type",
    "newclient.credit_limit": "Credit limit",
    "newclient.credit_limit_hint": "How far below zero the balance may go. 0: the client pays in advance.",
    "newclient.submit": "Create the client",
  },
  sv: {
    "newclient.title": "Ny kund",
    "newclient.name": "Kundens namn",
    "newclient.currency": "Valuta",
    "newclient.currency_hint": "Priser, saldo och fakturor är i den här valutan; den kan inte ändras när pengar har rört sig.",
    "newclient.kind": "Typ",
    "newclient.credit_limit": "Kreditgräns",
    "newclient.credit_limit_hint": "Hur långt under noll saldot får gå. 0: kunden betalar i förväg.",
    "newclient.submit": "Skapa kunden",
  },
});

export default {
  title: "newclient.title",
  async render(main, _params, ctx) {
    const currency = ctx.me?.defaults?.currency || "SEK";
    const currencies = CURRENCIES.includes(currency) ? CURRENCIES : [currency, ...CURRENCIES];
    fill(
      main,
      h("p", { class: "crumbs" }, h("a", { href: "/console/clients", "data-console-link": true }, t("nav.clients"))),
      h("h1", {}, t("newclient.title")),
      form(
        [
          field(t("newclient.name"), "name", { required: true, autocomplete: "organization" }),
          // The operator's default currency (Settings) comes first.
          field(t("newclient.currency"), "currency", { type: "select", value: currency, options: currencies.map((c) => [c, c]), "aria-describedby": "currency-hint" }),
          hint(t("newclient.currency_hint"), "currency-hint"),
          field(t("newclient.kind"), "kind", { type: "select", value: currency === "SEK" ? "swedish" : "international", options: ["swedish", "international"].map((k) => [k, kindName(k)]) }),
          field(t("newclient.credit_limit"), "credit_limit", { inputmode: "decimal", value: "0", "aria-describedby": "limit-hint" }),
          hint(t("newclient.credit_limit_hint"), "limit-hint"),
        ],
        async (values) => {
          const created = await call("POST", "/v1/admin/accounts", {
            name: values.name.trim(),
            currency: values.currency,
            kind: values.kind,
            credit_limit_minor: toMinor(values.credit_limit || "0"),
          });
          ctx.navigate(`/console/clients/${encodeURIComponent(created.id)}?created=1`);
        },
        { submit: t("newclient.submit"), className: "narrow" },
      ),
    );
    main.querySelector("input")?.focus();
  },
};
