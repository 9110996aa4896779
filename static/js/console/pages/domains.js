// Domains (seed 003 "Domains", white label): a host name the customer portal is served on,
// with the brand it shows, whether customers may sign up there, what a new customer's
// account starts with (currency, credit limit, active at once or waiting for approval) and
// which portal areas that domain's customers see. Accounts waiting for approval are on the
// Clients page (status "Waiting for approval").

import { t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section, table } from "../../ui.js";
import { CURRENCIES } from "./client-new.js";
import { call, minorToInput, money, toMinor } from "../lib.js";

// The portal's areas in its menu order (domain::accounts::signup::PortalArea).
export const PORTAL_AREAS = ["dashboard", "send", "messages", "inbox", "contacts", "blocklist", "numbers", "keys", "settings", "billing"];

words({
  en: {
    "dom.title": "Domains",
    "dom.help": "White label: the customer portal on your own host names. Point the host's DNS at the platform; customers who sign up there get the account set here. Start, accounts, users and the profile are always shown.",
    "dom.host": "Host name",
    "dom.brand": "Brand",
    "dom.signup": "Sign-up",
    "dom.signup_on": "Open",
    "dom.signup_off": "Closed",
    "dom.new_account": "New customers",
    "dom.status.active": "Active at once",
    "dom.status.pending": "Wait for approval",
    "dom.limit": "credit limit {amount}",
    "dom.areas": "Portal areas",
    "dom.none": "No domains yet: the portal runs on the platform's own address only.",
    "dom.new": "New domain",
    "dom.edit": "Change",
    "dom.edit_for": "Change {host}",
    "dom.f.host": "Host name (e.g. sms.example.com)",
    "dom.f.brand": "Brand shown on the portal",
    "dom.f.signup": "Customers may sign up on this domain",
    "dom.f.currency": "New customers' currency",
    "dom.f.limit": "New customers' credit limit",
    "dom.f.status": "A new customer's account, once the e-mail is confirmed",
    "dom.f.areas": "What customers of this domain see",
    "dom.create": "Add the domain",
    "dom.created": "{host} is added.",
    "dom.saved": "{host} is saved.",
    "dom.remove": "Remove",
    "dom.remove_for": "Remove {host}",
    "dom.remove_q": "Remove {host}? Its portal then shows everything and takes no sign-ups; its customers keep their accounts.",
    "dom.removed": "{host} is removed.",
    "dom.pending_link": "Sign-ups waiting for approval",
    "portal_area.dashboard": "Dashboard",
    "portal_area.send": "Send SMS",
    "portal_area.messages": "Messages",
    "portal_area.inbox": "Inbox",
    "portal_area.contacts": "Contacts",
    "portal_area.blocklist": "Blocklist",
    "portal_area.numbers": "Numbers",
    "portal_area.keys": "API keys",
    "portal_area.settings": "Settings",
    "portal_area.billing": "Billing",
  },
  sv: {
    "dom.title": "Domäner",
    "dom.help": "White label: kundportalen på era egna värdnamn. Peka värdnamnets DNS mot plattformen; kunder som registrerar sig där får kontot som ställs in här. Start, konton, användare och profilen visas alltid.",
    "dom.host": "Värdnamn",
    "dom.brand": "Varumärke",
    "dom.signup": "Registrering",
    "dom.signup_on": "Öppen",
    "dom.signup_off": "Stängd",
    "dom.new_account": "Nya kunder",
    "dom.status.active": "Aktiva direkt",
    "dom.status.pending": "Väntar på godkännande",
    "dom.limit": "kreditgräns {amount}",
    "dom.areas": "Portaldelar",
    "dom.none": "Inga domäner ännu: portalen finns bara på plattformens egen adress.",
    "dom.new": "Ny domän",
    "dom.edit": "Ändra",
    "dom.edit_for": "Ändra {host}",
    "dom.f.host": "Värdnamn (t.ex. sms.example.com)",
    "dom.f.brand": "Varumärke som visas i portalen",
    "dom.f.signup": "Kunder får registrera sig på domänen",
    "dom.f.currency": "Nya kunders valuta",
    "dom.f.limit": "Nya kunders kreditgräns",
    "dom.f.status": "En ny kunds konto, när e-postadressen är bekräftad",
    "dom.f.areas": "Det kunder på domänen ser",
    "dom.create": "Lägg till domänen",
    "dom.created": "{host} är tillagd.",
    "dom.saved": "{host} är sparad.",
    "dom.remove": "Ta bort",
    "dom.remove_for": "Ta bort {host}",
    "dom.remove_q": "Ta bort {host}? Portalen där visar då allt och tar inte emot registreringar; kunderna behåller sina konton.",
    "dom.removed": "{host} är borttagen.",
    "dom.pending_link": "Registreringar som väntar på godkännande",
    "portal_area.dashboard": "Översikt",
    "portal_area.send": "Skicka SMS",
    "portal_area.messages": "Meddelanden",
    "portal_area.inbox": "Inkorg",
    "portal_area.contacts": "Kontakter",
    "portal_area.blocklist": "Spärrlista",
    "portal_area.numbers": "Nummer",
    "portal_area.keys": "API-nycklar",
    "portal_area.settings": "Inställningar",
    "portal_area.billing": "Fakturering",
  },
});

function fields(d, prefix) {
  const id = (name) => `${prefix}-${name}`;
  const areas = new Set(d ? d.portal_areas : PORTAL_AREAS);
  return [
    d ? null : field(t("dom.f.host"), "host", { id: id("host"), required: true, maxlength: "253", autocomplete: "off", spellcheck: "false" }),
    field(t("dom.f.brand"), "brand_name", { id: id("brand"), required: true, maxlength: "80", value: d?.brand_name || "" }),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: id("signup"), name: "signup_enabled", checked: d ? d.signup_enabled : false }), h("label", { for: id("signup") }, t("dom.f.signup"))),
    h(
      "div",
      { class: "row" },
      field(t("dom.f.currency"), "currency", { id: id("currency"), type: "select", value: d?.currency || "SEK", options: CURRENCIES.map((c) => [c, c]) }),
      field(t("dom.f.limit"), "credit_limit", { id: id("limit"), inputmode: "decimal", value: minorToInput(d?.credit_limit_minor ?? 0) }),
    ),
    field(t("dom.f.status"), "new_account_status", {
      id: id("status"),
      type: "select",
      value: d?.new_account_status || "pending",
      options: ["pending", "active"].map((s) => [s, t(`dom.status.${s}`)]),
    }),
    h(
      "fieldset",
      { class: "checks" },
      h("legend", {}, t("dom.f.areas")),
      PORTAL_AREAS.map((area) =>
        h("div", { class: "check" }, h("input", { type: "checkbox", id: id(`area-${area}`), name: `area-${area}`, checked: areas.has(area) }), h("label", { for: id(`area-${area}`) }, t(`portal_area.${area}`))),
      ),
    ),
  ];
}

function body(values) {
  return {
    brand_name: values.brand_name.trim(),
    signup_enabled: values.signup_enabled === "on",
    currency: values.currency,
    credit_limit_minor: toMinor(values.credit_limit || "0"),
    new_account_status: values.new_account_status,
    portal_areas: PORTAL_AREAS.filter((area) => values[`area-${area}`] === "on"),
  };
}

export default {
  title: "dom.title",
  async render(main) {
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "domain-list" });
    const show = async () => {
      const { domains } = await call("GET", "/v1/admin/domains");
      fill(
        list,
        table(
          [
            [t("dom.host"), (d) => h("code", {}, d.host)],
            [t("dom.brand"), (d) => d.brand_name],
            [t("dom.signup"), (d) => (d.signup_enabled ? h("span", { class: "badge ok" }, t("dom.signup_on")) : h("span", { class: "badge" }, t("dom.signup_off")))],
            [t("dom.new_account"), (d) => `${t(`dom.status.${d.new_account_status}`)}, ${d.currency}, ${t("dom.limit", { amount: money(d.credit_limit_minor, d.currency) })}`],
            [t("dom.areas"), (d) => d.portal_areas.map((a) => t(`portal_area.${a}`)).join(", ")],
            [
              t("common.actions"),
              (d) =>
                h(
                  "div",
                  { class: "cell-actions" },
                  h(
                    "details",
                    { class: "inline-edit" },
                    h("summary", { "aria-label": t("dom.edit_for", { host: d.host }) }, t("dom.edit")),
                    form(fields(d, `dom-${d.host.replace(/[^a-z0-9]/g, "-")}`), async (values) => {
                      const saved = await call("PUT", `/v1/admin/domains/${encodeURIComponent(d.host)}`, body(values));
                      await show();
                      fill(status, notice(t("dom.saved", { host: saved.host })));
                    }),
                  ),
                  askFirst(h("span"), {
                    label: t("dom.remove"),
                    ariaLabel: t("dom.remove_for", { host: d.host }),
                    question: t("dom.remove_q", { host: d.host }),
                    yes: t("dom.remove"),
                    status,
                    action: async () => {
                      await call("DELETE", `/v1/admin/domains/${encodeURIComponent(d.host)}`);
                      await show();
                      fill(status, notice(t("dom.removed", { host: d.host })));
                    },
                  }),
                ),
            ],
          ],
          domains,
          { empty: t("dom.none"), caption: t("dom.title"), cards: true },
        ),
      );
    };
    fill(
      main,
      h("h1", {}, t("dom.title")),
      h("p", { class: "hint" }, t("dom.help")),
      h("p", {}, h("a", { href: "/console/clients?status=pending", "data-console-link": true, id: "pending-signups" }, t("dom.pending_link"))),
      status,
      list,
      section(
        "domain-new",
        t("dom.new"),
        form(
          fields(null, "dom-new"),
          async (values, element) => {
            const made = await call("POST", "/v1/admin/domains", { host: values.host.trim(), ...body(values) });
            element.reset();
            await show();
            return t("dom.created", { host: made.host });
          },
          { submit: t("dom.create") },
        ),
      ),
    );
    await show();
  },
};
