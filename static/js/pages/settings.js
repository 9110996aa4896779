// The account's settings (admins): company information and contact details, date format,
// time zone and currency (only while the account has no money movements), stop service
// (by reply, by link), callback URLs and the signing secret, SMPP credentials, and the
// account's history.

import { api } from "../api.js";
import { dateTime, t, timeZones, words } from "../i18n.js";
import { actionButton, askFirst, checkbox, errorBox, field, fill, form, h, load, notice, section } from "../ui.js";
import { hint } from "../people.js";
import { addressList, copyButton } from "./keys.js";
import { sentence } from "../console/history.js";

const DATE_FORMATS = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"];
const HISTORY_PAGE = 25;

words({
  en: {
    "settings.title": "Settings",
    "settings.help": "Settings of {account}.",
    "settings.company": "Company information",
    "settings.company.name": "Company name",
    "settings.company.organisation_number": "Organisation number",
    "settings.company.vat_number": "VAT number",
    "settings.company.address_line1": "Address",
    "settings.company.address_line2": "Address, line 2",
    "settings.company.postal_code": "Postal code",
    "settings.company.city": "City",
    "settings.company.country": "Country (two letters, e.g. SE)",
    "settings.note": "Internal note",
    "settings.contact": "Contact details",
    "settings.contact.name": "Contact person",
    "settings.contact.email": "Contact e-mail",
    "settings.contact.phone": "Contact phone (e.g. +46701234567)",
    "settings.contact.invoice_email": "E-mail for invoices",
    "settings.regional": "Date, time and currency",
    "settings.date_format": "Date format",
    "settings.time_zone": "Time zone",
    "settings.currency": "Currency",
    "settings.currency_locked": "The currency is {currency}. It cannot change any more: the account has money movements in it.",
    "settings.currency_open": "The currency can change only until the account's first money movement.",
    "settings.stop": "Stop service",
    "settings.stop_help": "How recipients can stop your SMS. Stopped numbers go on the blocklist.",
    "settings.stop_by_reply": "Stop by reply: a recipient who answers STOP is stopped",
    "settings.stop_by_link": "Stop by link: add a link to stop further SMS",
    "settings.opt_out_reply": "Reply to someone who stops (empty: the standard reply)",
    "settings.callbacks": "Callbacks",
    "settings.status_callback": "Status callback URL (delivery reports)",
    "settings.inbound_webhook": "Inbound SMS webhook URL",
    "settings.inbound_format": "Inbound SMS format",
    "settings.inbound_format.json": "smsedge (JSON event)",
    "settings.inbound_format.twilio": "Twilio (form, X-Twilio-Signature, TwiML replies)",
    "settings.url_hint": "An https:// address; empty turns it off.",
    "settings.secret": "Signing secret",
    "settings.secret_set": "Callbacks are signed with a secret; it was last renewed {when}.",
    "settings.secret_never": "Callbacks are signed with a secret made with the account.",
    "settings.secret_none": "No signing secret is made yet.",
    "settings.rotate": "Make a new signing secret",
    "settings.rotated": "The new secret is shown only now; the previous one keeps signing for {hours} hours.",
    "settings.copy_secret": "Copy the secret",
    "settings.smpp": "SMPP credentials",
    "settings.smpp_help": "For systems that send over SMPP instead of the HTTP API.",
    "settings.smpp.system_id": "System ID",
    "settings.smpp.ips": "Allowed IP addresses",
    "settings.smpp.any": "Any",
    "settings.smpp.created": "Created",
    "settings.smpp.status": "Status",
    "settings.smpp.active": "Active",
    "settings.smpp.revoked": "Revoked",
    "settings.smpp.actions": "Actions",
    "settings.smpp.none": "No SMPP credentials yet.",
    "settings.smpp.new": "New SMPP credential",
    "settings.smpp.new_id": "System ID (1–15 characters)",
    "settings.smpp.new_ips": "Allowed IP addresses (optional)",
    "settings.smpp.create": "Create credential",
    "settings.smpp.password": "The password of {system_id} is shown only now:",
    "settings.smpp.copy": "Copy the password",
    "settings.smpp.revoke": "Revoke",
    "settings.smpp.revoke_for": "Revoke: {system_id}",
    "settings.smpp.revoke_confirm": "Revoke {system_id}? Its connections stop working.",
    "settings.smpp.revoke_yes": "Yes, revoke it",
    "settings.smpp.revoked_done": "{system_id} is revoked.",
    "settings.history": "History",
    "settings.history_help": "Changes to the account, newest first.",
    "settings.history.none": "Nothing has happened yet.",
    "settings.history.older": "Older events",
    "actor.operator": "smsedge (operator)",
    "actor.system": "The system",
    "actor.key": "API key {id}",
  },
  sv: {
    "settings.title": "Inställningar",
    "settings.help": "Inställningar för {account}.",
    "settings.company": "Företagsinformation",
    "settings.company.name": "Företagsnamn",
    "settings.company.organisation_number": "Organisationsnummer",
    "settings.company.vat_number": "Momsregistreringsnummer",
    "settings.company.address_line1": "Adress",
    "settings.company.address_line2": "Adress, rad 2",
    "settings.company.postal_code": "Postnummer",
    "settings.company.city": "Ort",
    "settings.company.country": "Land (två bokstäver, t.ex. SE)",
    "settings.note": "Intern anteckning",
    "settings.contact": "Kontaktuppgifter",
    "settings.contact.name": "Kontaktperson",
    "settings.contact.email": "Kontaktens e-post",
    "settings.contact.phone": "Kontaktens telefon (t.ex. +46701234567)",
    "settings.contact.invoice_email": "E-post för fakturor",
    "settings.regional": "Datum, tid och valuta",
    "settings.date_format": "Datumformat",
    "settings.time_zone": "Tidszon",
    "settings.currency": "Valuta",
    "settings.currency_locked": "Valutan är {currency}. Den kan inte längre ändras: kontot har transaktioner i den.",
    "settings.currency_open": "Valutan kan bara ändras fram till kontots första transaktion.",
    "settings.stop": "Avregistrering",
    "settings.stop_help": "Hur mottagare kan stoppa dina SMS. Stoppade nummer hamnar på spärrlistan.",
    "settings.stop_by_reply": "Stopp via svar: en mottagare som svarar STOPP stoppas",
    "settings.stop_by_link": "Stopp via länk: lägg till en länk för att stoppa fler SMS",
    "settings.opt_out_reply": "Svar till den som stoppar (tomt: standardsvaret)",
    "settings.callbacks": "Återanrop",
    "settings.status_callback": "URL för statusåteranrop (leveransrapporter)",
    "settings.inbound_webhook": "Webhook-URL för inkommande SMS",
    "settings.inbound_format": "Format för inkommande SMS",
    "settings.inbound_format.json": "smsedge (JSON-händelse)",
    "settings.inbound_format.twilio": "Twilio (formulär, X-Twilio-Signature, svar med TwiML)",
    "settings.url_hint": "En https://-adress; tomt stänger av.",
    "settings.secret": "Signeringsnyckel",
    "settings.secret_set": "Återanrop signeras med en hemlig nyckel; den förnyades senast {when}.",
    "settings.secret_never": "Återanrop signeras med en hemlig nyckel som skapades med kontot.",
    "settings.secret_none": "Ingen signeringsnyckel är skapad ännu.",
    "settings.rotate": "Skapa en ny signeringsnyckel",
    "settings.rotated": "Den nya nyckeln visas bara nu; den förra fortsätter att signera i {hours} timmar.",
    "settings.copy_secret": "Kopiera nyckeln",
    "settings.smpp": "SMPP-inloggningar",
    "settings.smpp_help": "För system som skickar via SMPP i stället för HTTP-API:t.",
    "settings.smpp.system_id": "System-id",
    "settings.smpp.ips": "Tillåtna IP-adresser",
    "settings.smpp.any": "Alla",
    "settings.smpp.created": "Skapad",
    "settings.smpp.status": "Status",
    "settings.smpp.active": "Aktiv",
    "settings.smpp.revoked": "Återkallad",
    "settings.smpp.actions": "Åtgärder",
    "settings.smpp.none": "Inga SMPP-inloggningar ännu.",
    "settings.smpp.new": "Ny SMPP-inloggning",
    "settings.smpp.new_id": "System-id (1–15 tecken)",
    "settings.smpp.new_ips": "Tillåtna IP-adresser (valfritt)",
    "settings.smpp.create": "Skapa inloggning",
    "settings.smpp.password": "Lösenordet för {system_id} visas bara nu:",
    "settings.smpp.copy": "Kopiera lösenordet",
    "settings.smpp.revoke": "Återkalla",
    "settings.smpp.revoke_for": "Återkalla: {system_id}",
    "settings.smpp.revoke_confirm": "Återkalla {system_id}? Dess anslutningar slutar fungera.",
    "settings.smpp.revoke_yes": "Ja, återkalla",
    "settings.smpp.revoked_done": "{system_id} är återkallad.",
    "settings.history": "Historik",
    "settings.history_help": "Ändringar av kontot, senaste först.",
    "settings.history.none": "Inget har hänt ännu.",
    "settings.history.older": "Äldre händelser",
    "actor.operator": "smsedge (operatör)",
    "actor.system": "Systemet",
    "actor.key": "API-nyckel {id}",
  },
});

const COMPANY = ["name", "organisation_number", "vat_number", "address_line1", "address_line2", "postal_code", "city", "country"];
const CONTACT = ["name", "email", "phone", "invoice_email"];

/** "" → null, so an emptied field clears the setting. */
function orNull(value) {
  const trimmed = (value ?? "").trim();
  return trimmed ? trimmed : null;
}

export default {
  title: "settings.title",
  async render(main, _params, ctx) {
    const account = ctx.account;
    let settings;
    try {
      settings = await api("GET", "/v1/account/settings");
    } catch (error) {
      return fill(main, h("h1", {}, t("settings.title")), errorBox(error));
    }
    // The currency can change only while the ledger is empty.
    const currencyOpen = !settings.currency_locked;
    const patch = async (body) => {
      settings = await api("PATCH", "/v1/account/settings", body);
      return t("common.saved");
    };

    const company = section(
      "company",
      t("settings.company"),
      form(
        [
          ...COMPANY.map((name) => field(t(`settings.company.${name}`), `company.${name}`, { id: `f-company-${name}`, value: settings.company[name] || "", autocomplete: "off" })),
          field(t("settings.note"), "note", { type: "textarea", value: settings.note || "", class: "short", rows: "2" }),
        ],
        (values) => patch({ company: Object.fromEntries(COMPANY.map((name) => [name, orNull(values[`company.${name}`])])), note: orNull(values.note) }),
      ),
    );
    // A textarea takes its text as a child, not a value attribute.
    company.querySelector("textarea").value = settings.note || "";

    const contact = section(
      "contact",
      t("settings.contact"),
      form(
        CONTACT.map((name) =>
          field(t(`settings.contact.${name}`), `contact.${name}`, { id: `f-contact-${name}`, value: settings.contact[name] || "", type: name.includes("email") ? "email" : name === "phone" ? "tel" : "text", autocomplete: "off" }),
        ),
        (values) => patch({ contact: Object.fromEntries(CONTACT.map((name) => [name, orNull(values[`contact.${name}`])])) }),
      ),
    );

    const regional = section(
      "regional",
      t("settings.regional"),
      form(
        [
          field(t("settings.date_format"), "date_format", { type: "select", value: settings.date_format, options: DATE_FORMATS.map((f) => [f, f]) }),
          field(t("settings.time_zone"), "time_zone", { type: "select", value: settings.time_zone, options: timeZones(settings.time_zone).map((z) => [z, z]) }),
          ...(currencyOpen
            ? [field(t("settings.currency"), "currency", { value: settings.currency, maxlength: "3", autocomplete: "off", "aria-describedby": "currency-hint" }), hint(t("settings.currency_open"), "currency-hint")]
            : [field(t("settings.currency"), "currency_shown", { value: settings.currency, readonly: true, "aria-describedby": "currency-hint" }), hint(t("settings.currency_locked", { currency: settings.currency }), "currency-hint")]),
        ],
        (values) => {
          const body = { date_format: values.date_format, time_zone: values.time_zone };
          if (currencyOpen && values.currency.trim().toUpperCase() !== settings.currency) body.currency = values.currency.trim().toUpperCase();
          return patch(body);
        },
      ),
    );

    const stop = section(
      "stop",
      t("settings.stop"),
      hint(t("settings.stop_help")),
      form(
        [
          checkbox(t("settings.stop_by_reply"), "stop_by_reply", settings.stop_by_reply),
          checkbox(t("settings.stop_by_link"), "stop_by_link", settings.stop_by_link),
          field(t("settings.opt_out_reply"), "opt_out_reply", { type: "textarea", class: "short", rows: "2" }),
        ],
        (values) => patch({ stop_by_reply: values.stop_by_reply === "on", stop_by_link: values.stop_by_link === "on", opt_out_reply: orNull(values.opt_out_reply) }),
      ),
    );
    stop.querySelector("textarea").value = settings.opt_out_reply || "";

    const secretStatus = h("div");
    const secretText = () =>
      !settings.webhook_secret_set ? t("settings.secret_none") : settings.webhook_secret_rotated_at ? t("settings.secret_set", { when: dateTime(settings.webhook_secret_rotated_at) }) : t("settings.secret_never");
    const secretLine = h("p", {}, secretText());
    const callbacks = section(
      "callbacks",
      t("settings.callbacks"),
      form(
        [
          field(t("settings.status_callback"), "status_callback", { type: "url", value: settings.status_callback || "", "aria-describedby": "url-hint", autocomplete: "off" }),
          field(t("settings.inbound_webhook"), "inbound_webhook", { type: "url", value: settings.inbound_webhook || "", "aria-describedby": "url-hint", autocomplete: "off" }),
          field(t("settings.inbound_format"), "inbound_format", {
            type: "select",
            value: settings.inbound_format,
            options: [["json", t("settings.inbound_format.json")], ["twilio", t("settings.inbound_format.twilio")]],
          }),
          hint(t("settings.url_hint"), "url-hint"),
        ],
        (values) => patch({ status_callback: orNull(values.status_callback), inbound_webhook: orNull(values.inbound_webhook), inbound_format: values.inbound_format }),
      ),
      h("h3", {}, t("settings.secret")),
      secretLine,
      actionButton(
        t("settings.rotate"),
        async () => {
          const made = await api("POST", "/v1/account/webhook-secret");
          settings = await api("GET", "/v1/account/settings");
          fill(secretLine, secretText());
          fill(
            secretStatus,
            notice(t("settings.rotated", { hours: made.previous_valid_for_hours })),
            h("p", {}, h("code", { class: "secret", "data-testid": "webhook-secret" }, made.webhook_secret)),
            copyButton(made.webhook_secret, t("settings.copy_secret")),
          );
        },
        { status: secretStatus },
      ),
      secretStatus,
    );

    const smppList = h("div");
    const smppStatus = h("div");
    const showSmpp = async () => {
      let credentials;
      try {
        ({ credentials } = await api("GET", "/v1/account/smpp"));
      } catch (error) {
        return fill(smppList, errorBox(error));
      }
      if (!credentials.length) return fill(smppList, h("p", { class: "empty" }, t("settings.smpp.none")));
      const row = (c) => {
        const actions = h("td", { class: "row-actions" });
        if (!c.revoked_at)
          askFirst(actions, {
            label: t("settings.smpp.revoke"),
            ariaLabel: t("settings.smpp.revoke_for", { system_id: c.system_id }),
            question: t("settings.smpp.revoke_confirm", { system_id: c.system_id }),
            yes: t("settings.smpp.revoke_yes"),
            status: smppStatus,
            action: async () => {
              await api("DELETE", `/v1/account/smpp/${encodeURIComponent(c.id)}`);
              await showSmpp();
              return t("settings.smpp.revoked_done", { system_id: c.system_id });
            },
          });
        return h(
          "tr",
          {},
          h("td", {}, h("code", {}, c.system_id)),
          h("td", {}, c.allowed_ips.length ? h("ul", { class: "plain" }, c.allowed_ips.map((ip) => h("li", {}, h("code", {}, ip)))) : t("settings.smpp.any")),
          h("td", {}, dateTime(c.created_at)),
          h("td", {}, c.revoked_at ? h("span", { class: "badge bad" }, `${t("settings.smpp.revoked")} ${dateTime(c.revoked_at)}`) : h("span", { class: "badge ok" }, t("settings.smpp.active"))),
          actions,
        );
      };
      fill(
        smppList,
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { "aria-labelledby": "smpp-h" },
            h("thead", {}, h("tr", {}, ["system_id", "ips", "created", "status", "actions"].map((k) => h("th", { scope: "col" }, t(`settings.smpp.${k}`))))),
            h("tbody", {}, credentials.map(row)),
          ),
        ),
      );
    };
    const smppCreated = h("div");
    const smpp = section(
      "smpp",
      t("settings.smpp"),
      hint(t("settings.smpp_help")),
      smppStatus,
      smppList,
      smppCreated,
      h("h3", {}, t("settings.smpp.new")),
      form(
        [
          field(t("settings.smpp.new_id"), "system_id", { required: true, maxlength: "15", autocomplete: "off" }),
          field(t("settings.smpp.new_ips"), "allowed_ips", { type: "textarea", class: "short", rows: "2", "aria-describedby": "smpp-ips-hint" }),
          hint(t("keys.new_ips_hint"), "smpp-ips-hint"),
        ],
        async (values, element) => {
          const made = await api("POST", "/v1/account/smpp", { system_id: values.system_id.trim(), allowed_ips: addressList(values.allowed_ips) });
          element.reset();
          fill(
            smppCreated,
            notice(t("settings.smpp.password", { system_id: made.system_id })),
            h("p", {}, h("code", { class: "secret", "data-testid": "smpp-password" }, made.password)),
            copyButton(made.password, t("settings.smpp.copy")),
          );
          await showSmpp();
        },
        { submit: t("settings.smpp.create"), className: "narrow" },
      ),
    );

    const historyList = h("div");
    const history = section("history", t("settings.history"), hint(t("settings.history_help")), historyList);
    // The history in words (issue 19 item 4): the same sentences as the console's (the
    // API's `summary` in English, the console's own words in Swedish), paged.
    const who = (e) => {
      const actor = String(e.actor || "");
      // The operator's staff act as the operator: their names are not the customer's business.
      if (actor === "operator" || actor.startsWith("staff:")) return t("actor.operator");
      if (actor === "system") return t("actor.system");
      if (actor.startsWith("key:")) return t("actor.key", { id: actor.slice(4) });
      if (actor.startsWith("stripe:")) return t("history.actor.stripe");
      if (actor.startsWith("user:")) return e.actor_name || t("history.actor.someone");
      return actor;
    };
    const showHistory = async (cursor, rows = []) => {
      const query = new URLSearchParams({ limit: HISTORY_PAGE });
      if (cursor) query.set("cursor", cursor);
      const { events, next_cursor } = await api("GET", `/v1/account/history?${query}`);
      rows.push(...events);
      if (!rows.length) return h("p", { class: "empty" }, t("settings.history.none"));
      const older = next_cursor
        ? h("button", { type: "button", class: "secondary", onclick: () => load(historyList, () => showHistory(next_cursor, rows)) }, t("settings.history.older"))
        : null;
      return [
        h(
          "ol",
          { class: "history", id: "history-list" },
          rows.map((e) =>
            h(
              "li",
              { "data-action": e.action },
              h("span", { class: "what" }, sentence(e, account.currency)),
              h("span", { class: "meta" }, h("span", { class: "who" }, who(e)), " · ", h("time", { datetime: e.at }, dateTime(e.at))),
            ),
          ),
        ),
        older,
      ];
    };

    fill(
      main,
      h("h1", {}, t("settings.title")),
      h("p", {}, t("settings.help", { account: `${account.name} (${account.id})` })),
      company,
      contact,
      regional,
      stop,
      callbacks,
      smpp,
      history,
    );
    await showSmpp();
    await load(historyList, () => showHistory());
  },
};
