// Settings (area settings, seed 003 "My Account"): the operator's company (the seller on
// invoices) and the defaults for new clients and dates; the Stripe payment gateway, whose
// secrets are write-only (shown as "set, ending …abcd", never in full); a test e-mail and a
// test SMS; and who changed what. Workflows: platform::app::reseller.

import { dateTime, language, setDateFormat, t, timeZones, words } from "../../i18n.js";
import { checkbox, field, fill, form, h, load, notice, section, table } from "../../ui.js";
import { hint } from "../../people.js";
import { call, confirmStep, idempotencyKey } from "../lib.js";
import { actorText, settingsSentence } from "../history.js";
import { CURRENCIES } from "./client-new.js";

const DATE_FORMATS = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"];
const COMPANY_FIELDS = [
  ["name", { required: true, autocomplete: "organization" }],
  ["organisation_number", {}],
  ["vat_number", {}],
  ["address_line1", { autocomplete: "address-line1" }],
  ["address_line2", { autocomplete: "address-line2" }],
  ["postal_code", { autocomplete: "postal-code" }],
  ["city", { autocomplete: "address-level2" }],
  ["country", { autocomplete: "country" }],
  ["email", { type: "email", autocomplete: "email" }],
  ["phone", { type: "tel", autocomplete: "tel" }],
  ["website", { type: "url", autocomplete: "url" }],
];

words({
  en: {
    "settings.title": "Settings",
    "settings.company": "Company",
    "settings.company_help": "Your company as the platform presents it: invoices issued from now on name it as the seller.",
    "settings.f.name": "Company name",
    "settings.f.organisation_number": "Organisation number",
    "settings.f.vat_number": "VAT number",
    "settings.f.address_line1": "Address",
    "settings.f.address_line2": "Address, second line",
    "settings.f.postal_code": "Postal code",
    "settings.f.city": "City",
    "settings.f.country": "Country (two letters, e.g. SE)",
    "settings.f.email": "Contact e-mail",
    "settings.f.phone": "Contact phone",
    "settings.f.website": "Website",
    "settings.f.default_currency": "Default currency for new clients",
    "settings.f.date_format": "Date format in the console",
    "settings.f.time_zone": "Time zone",
    "settings.company_saved": "The company information is saved.",
    "settings.gateway": "Payment gateway (Stripe)",
    "settings.gateway_help": "The keys card top-ups use. The secret key and the webhook signing secret are stored encrypted and never shown again: leave a field empty to keep what is set.",
    "settings.keys_from.console": "Card top-ups use the keys set here.",
    "settings.keys_from.variables": "Card top-ups use the server's configuration (no secret key is set here).",
    "settings.keys_from.none": "Card top-ups are off: no secret key is set here or in the server's configuration.",
    "settings.f.mode": "Mode",
    "settings.mode.test": "Test (sk_test_…)",
    "settings.mode.live": "Live (sk_live_…)",
    "settings.f.secret_key": "Secret key",
    "settings.f.webhook_secret": "Webhook signing secret (whsec_…)",
    "settings.f.publishable_key": "Publishable key (pk_…)",
    "settings.secret_set": "Set, ending {ending}. Leave empty to keep it.",
    "settings.secret_not_set": "Not set.",
    "settings.clear_secret_key": "Remove the secret key",
    "settings.clear_webhook_secret": "Remove the webhook signing secret",
    "settings.gateway_saved": "The payment gateway is saved.",
    "settings.tests": "Tests",
    "settings.test_email": "Test e-mail",
    "settings.test_email_help": "Sends a short e-mail through the platform's e-mail path to the address you give.",
    "settings.test_email_to": "Send a test e-mail to",
    "settings.test_email_send": "Send test e-mail",
    "settings.email_outbox": "Kept in the e-mail outbox only (no e-mail service is set up). Message {id}.",
    "settings.email_sent": "Handed to the e-mail service. Message {id}.",
    "settings.email_failed": "The e-mail service refused it: {detail}",
    "settings.test_sms": "Test SMS",
    "settings.test_sms_help": "Sends an SMS through the real send path and carrier routing. It is sent from the platform's own account “Operator test SMS”, which pays for it at list price on credit (its balance shows what the tests cost): no client is ever charged for a test.",
    "settings.test_sms_to": "Send a test SMS to (e.g. +46701234567)",
    "settings.test_sms_send": "Send test SMS",
    "settings.sms_sent": "Sent: message {id}, status {status} ({code}), via {carrier}. Price {price}.",
    "settings.sms_q": "Send a test SMS to {to}?",
    "settings.sms_q_charge": "It is charged at list price to the platform's own account “Operator test SMS”, never to a client.",
    "settings.sms_yes": "Yes, send it",
    "settings.history": "Changes",
    "settings.history_none": "No changes yet.",
  },
  sv: {
    "settings.title": "Inställningar",
    "settings.company": "Företag",
    "settings.company_help": "Ert företag som plattformen visar det: fakturor som utfärdas från och med nu anger det som säljare.",
    "settings.f.name": "Företagsnamn",
    "settings.f.organisation_number": "Organisationsnummer",
    "settings.f.vat_number": "Momsregistreringsnummer",
    "settings.f.address_line1": "Adress",
    "settings.f.address_line2": "Adress, andra raden",
    "settings.f.postal_code": "Postnummer",
    "settings.f.city": "Ort",
    "settings.f.country": "Land (två bokstäver, t.ex. SE)",
    "settings.f.email": "Kontaktadress (e-post)",
    "settings.f.phone": "Kontakttelefon",
    "settings.f.website": "Webbplats",
    "settings.f.default_currency": "Standardvaluta för nya kunder",
    "settings.f.date_format": "Datumformat i konsolen",
    "settings.f.time_zone": "Tidszon",
    "settings.company_saved": "Företagsuppgifterna är sparade.",
    "settings.gateway": "Betalningslösning (Stripe)",
    "settings.gateway_help": "Nycklarna som kortpåfyllningar använder. Den hemliga nyckeln och signeringsnyckeln för webhooks sparas krypterade och visas aldrig igen: lämna ett fält tomt för att behålla det som är inställt.",
    "settings.keys_from.console": "Kortpåfyllningar använder nycklarna som är inställda här.",
    "settings.keys_from.variables": "Kortpåfyllningar använder serverns konfiguration (ingen hemlig nyckel är inställd här).",
    "settings.keys_from.none": "Kortpåfyllningar är avstängda: ingen hemlig nyckel finns här eller i serverns konfiguration.",
    "settings.f.mode": "Läge",
    "settings.mode.test": "Test (sk_test_…)",
    "settings.mode.live": "Skarpt (sk_live_…)",
    "settings.f.secret_key": "Hemlig nyckel",
    "settings.f.webhook_secret": "Signeringsnyckel för webhooks (whsec_…)",
    "settings.f.publishable_key": "Publik nyckel (pk_…)",
    "settings.secret_set": "Inställd, slutar på {ending}. Lämna tomt för att behålla den.",
    "settings.secret_not_set": "Inte inställd.",
    "settings.clear_secret_key": "Ta bort den hemliga nyckeln",
    "settings.clear_webhook_secret": "Ta bort signeringsnyckeln för webhooks",
    "settings.gateway_saved": "Betalningslösningen är sparad.",
    "settings.tests": "Tester",
    "settings.test_email": "Testmejl",
    "settings.test_email_help": "Skickar ett kort mejl via plattformens e-postväg till adressen du anger.",
    "settings.test_email_to": "Skicka ett testmejl till",
    "settings.test_email_send": "Skicka testmejl",
    "settings.email_outbox": "Sparat bara i utkorgen (ingen e-posttjänst är inställd). Meddelande {id}.",
    "settings.email_sent": "Lämnat till e-posttjänsten. Meddelande {id}.",
    "settings.email_failed": "E-posttjänsten tog inte emot det: {detail}",
    "settings.test_sms": "Test-sms",
    "settings.test_sms_help": "Skickar ett sms via den riktiga sändningsvägen och operatörsroutningen. Det skickas från plattformens eget konto ”Operator test SMS”, som betalar listpris på kredit (dess saldo visar vad testerna kostar): ingen kund debiteras någonsin för ett test.",
    "settings.test_sms_to": "Skicka ett test-sms till (t.ex. +46701234567)",
    "settings.test_sms_send": "Skicka test-sms",
    "settings.sms_sent": "Skickat: meddelande {id}, status {status} ({code}), via {carrier}. Pris {price}.",
    "settings.sms_q": "Skicka ett test-sms till {to}?",
    "settings.sms_q_charge": "Det debiteras till listpris på plattformens eget konto ”Operator test SMS”, aldrig på en kund.",
    "settings.sms_yes": "Ja, skicka det",
    "settings.history": "Ändringar",
    "settings.history_none": "Inga ändringar ännu.",
  },
});

function companySection(company, ctx, onSaved) {
  const defaults = [
    field(t("settings.f.default_currency"), "default_currency", {
      type: "select",
      value: company.default_currency,
      options: (CURRENCIES.includes(company.default_currency) ? CURRENCIES : [company.default_currency, ...CURRENCIES]).map((c) => [c, c]),
    }),
    field(t("settings.f.date_format"), "date_format", { type: "select", value: company.date_format, options: DATE_FORMATS.map((f) => [f, f]) }),
    field(t("settings.f.time_zone"), "time_zone", { type: "select", value: company.time_zone, options: timeZones(company.time_zone).map((z) => [z, z]) }),
  ];
  return section(
    "company",
    t("settings.company"),
    h("p", { class: "hint" }, t("settings.company_help")),
    form(
      [COMPANY_FIELDS.map(([name, attrs]) => field(t(`settings.f.${name}`), `company-${name}`, { ...attrs, name: `company-${name}`, value: company[name] ?? "" })), defaults],
      async (values) => {
        const body = Object.fromEntries(COMPANY_FIELDS.map(([name]) => [name, values[`company-${name}`].trim() || null]));
        body.default_currency = values.default_currency;
        body.date_format = values.date_format;
        body.time_zone = values.time_zone;
        const saved = await call("PUT", "/v1/admin/settings/company", body);
        // The console's defaults (dates, the new-client currency) follow at once.
        ctx.me.defaults = { currency: saved.default_currency, date_format: saved.date_format, time_zone: saved.time_zone };
        setDateFormat(saved.date_format, saved.time_zone);
        onSaved();
        return t("settings.company_saved");
      },
      { className: "narrow" },
    ),
  );
}

function secretHint(state, id) {
  return hint(state.set ? t("settings.secret_set", { ending: state.ending }) : t("settings.secret_not_set"), id);
}

function gatewaySection(gateway, redraw) {
  return section(
    "gateway",
    t("settings.gateway"),
    h("p", { class: "hint" }, t("settings.gateway_help")),
    h("p", { id: "keys-from", class: "notice" }, t(`settings.keys_from.${gateway.keys_from}`)),
    form(
      [
        field(t("settings.f.mode"), "mode", { type: "select", value: gateway.mode, options: ["test", "live"].map((m) => [m, t(`settings.mode.${m}`)]) }),
        field(t("settings.f.secret_key"), "secret_key", { type: "password", autocomplete: "off", "aria-describedby": "secret-key-hint" }),
        secretHint(gateway.secret_key, "secret-key-hint"),
        gateway.secret_key.set ? checkbox(t("settings.clear_secret_key"), "clear_secret_key", false) : null,
        field(t("settings.f.webhook_secret"), "webhook_secret", { type: "password", autocomplete: "off", "aria-describedby": "webhook-secret-hint" }),
        secretHint(gateway.webhook_secret, "webhook-secret-hint"),
        gateway.webhook_secret.set ? checkbox(t("settings.clear_webhook_secret"), "clear_webhook_secret", false) : null,
        field(t("settings.f.publishable_key"), "publishable_key", { value: gateway.publishable_key ?? "", autocomplete: "off" }),
      ],
      async (values) => {
        const body = { mode: values.mode, publishable_key: values.publishable_key.trim() || null };
        // Write-only: an empty field keeps what is set; a ticked box removes it.
        if (values.clear_secret_key === "on") body.secret_key = null;
        else if (values.secret_key.trim()) body.secret_key = values.secret_key.trim();
        if (values.clear_webhook_secret === "on") body.webhook_secret = null;
        else if (values.webhook_secret.trim()) body.webhook_secret = values.webhook_secret.trim();
        const saved = await call("PUT", "/v1/admin/settings/payment-gateway", body);
        redraw(saved);
        return t("settings.gateway_saved");
      },
      { className: "narrow" },
    ),
  );
}

function testsSection(onSent) {
  const smsBox = h("div", { id: "test-sms" });
  testSms(smsBox, onSent);
  return section(
    "tests",
    t("settings.tests"),
    h("h3", {}, t("settings.test_email")),
    h("p", { class: "hint" }, t("settings.test_email_help")),
    form(
      [field(t("settings.test_email_to"), "test_email_to", { type: "email", required: true, autocomplete: "email" })],
      async (values) => {
        const sent = await call("POST", "/v1/admin/settings/test-email", { to: values.test_email_to.trim(), language: language() === "sv" ? "sv" : "en" });
        onSent();
        if (sent.provider === "outbox") return t("settings.email_outbox", { id: sent.id });
        return sent.delivered ? t("settings.email_sent", { id: sent.id }) : t("settings.email_failed", { detail: sent.detail || "" });
      },
      { submit: t("settings.test_email_send"), className: "narrow" },
    ),
    h("h3", {}, t("settings.test_sms")),
    h("p", { class: "hint" }, t("settings.test_sms_help")),
    smsBox,
  );
}

/** The test SMS: the number, then a confirmation (it is charged to the test account) sent once. */
function testSms(box, onSent) {
  const status = h("div", { class: "form-status", id: "test-sms-status" });
  const ask = (to) => {
    // One key per confirmation: Yes twice (or a retry) sends one SMS.
    const key = idempotencyKey();
    confirmStep(box, {
      question: t("settings.sms_q", { to }),
      details: [t("settings.sms_q_charge")],
      yes: t("settings.sms_yes"),
      status,
      cancelled: () => showForm(),
      action: async () => {
        const sent = await call("POST", "/v1/admin/settings/test-sms", { to }, { headers: { "idempotency-key": key } });
        onSent();
        showForm(t("settings.sms_sent", { id: sent.message_id, status: sent.status.name, code: sent.status.code, carrier: sent.carrier, price: sent.price.amount + " " + sent.price.currency }));
      },
    });
    box.append(status);
  };
  const showForm = (done) => {
    const entry = form(
      [field(t("settings.test_sms_to"), "test_sms_to", { type: "tel", required: true, autocomplete: "tel" })],
      async (values) => ask(values.test_sms_to.trim()),
      { submit: t("settings.test_sms_send"), className: "narrow" },
    );
    fill(box, entry, done ? h("div", { class: "notice", role: "status", id: "test-sms-result" }, done) : null);
  };
  showForm();
}

async function drawHistory(element) {
  await load(element, async () => {
    const { events } = await call("GET", "/v1/admin/settings/history?limit=20");
    return table(
      [
        [t("history.when"), (e) => dateTime(e.at)],
        [t("history.who"), (e) => actorText(e)],
        [t("history.what"), (e) => settingsSentence(e)],
      ],
      events,
      { empty: t("settings.history_none"), cards: true, caption: t("settings.history") },
    );
  });
}

export default {
  title: "settings.title",
  async render(main, _params, ctx) {
    const [company, gateway] = await Promise.all([call("GET", "/v1/admin/settings/company"), call("GET", "/v1/admin/settings/payment-gateway")]);
    const history = h("div", { id: "settings-history" });
    const gatewaySlot = h("div", {});
    const drawGateway = (g) => {
      fill(gatewaySlot, gatewaySection(g, (saved) => {
        drawGateway(saved);
        gatewaySlot.querySelector(".form-status")?.replaceChildren(notice(t("settings.gateway_saved")));
        drawHistory(history);
      }));
    };
    drawGateway(gateway);
    fill(
      main,
      h("h1", {}, t("settings.title")),
      companySection(company, ctx, () => drawHistory(history)),
      gatewaySlot,
      testsSection(() => drawHistory(history)),
      section("changes", t("settings.history"), history),
    );
    await drawHistory(history);
  },
};
