// A client's profile (seed 004 "Client Settings"): key data (balance, credit limit, what it
// can still spend, currency, type, time zone, registration), editing the profile,
// blocking and unblocking (asked first), the history in words, and tabs for the
// client's destinations (prices), routing, payments, replacement rules, SMPP and API
// configuration and incoming SMS. Each tab has its own address
// (/console/clients/<id>/<tab>); a tab whose area the staff member lacks is not offered,
// and reached by its address it shows the server's refusal.

import { t, timeZones, words } from "../../i18n.js";
import { askFirst, errorBox, field, fill, form, h, notice } from "../../ui.js";
import { hint, kindName } from "../../people.js";
import { historyList } from "../history.js";
import { call, date, minorToInput, money, tabLinks, toMinor } from "../lib.js";

// [tab, label key, area that offers it, module (null: on this page)]
const TABS = [
  ["overview", "client.tab.overview", "customers", null],
  ["destinations", "client.tab.destinations", "rate_card", "client-prices"],
  ["routing", "client.tab.routing", "carriers", "client-routing"],
  ["payments", "client.tab.payments", "billing", "client-payments"],
  ["rules", "client.tab.rules", "rate_card", "client-rules"],
  ["smpp", "client.tab.smpp", "customers", "client-smpp"],
  ["api", "client.tab.api", "customers", "client-api"],
  ["incoming", "client.tab.incoming", "customers", "client-numbers"],
];

words({
  en: {
    "client.title": "Client",
    "client.tabs": "Client sections",
    "client.tab.overview": "Overview",
    "client.tab.destinations": "Destinations",
    "client.tab.routing": "Routing",
    "client.tab.payments": "Payments",
    "client.tab.rules": "Replacement rules",
    "client.tab.smpp": "SMPP config",
    "client.tab.api": "API config",
    "client.tab.incoming": "Incoming SMS",
    "client.created": "The client is created. Set its prices under Destinations and add money under Payments.",
    "client.key_data": "Key data",
    "client.id": "Client ID",
    "client.balance": "Balance",
    "client.credit_limit": "Credit limit",
    "client.available": "Can still spend",
    "client.currency": "Currency",
    "client.kind": "Type",
    "client.time_zone": "Time zone",
    "client.registered": "Registered",
    "client.status": "Status",
    "client.active": "Active",
    "client.blocked": "Blocked",
    "client.blocked_note": "Blocked: the client cannot send until it is unblocked.",
    "client.rate_limits": "Request limits",
    "client.rate_default": "Platform default",
    "client.rate_value": "{n} per second",
    "client.rate_account": "All of the client's requests",
    "client.rate_key": "Each API key",
    "client.edit": "Edit profile",
    "client.edit_credit_limit": "Credit limit",
    "client.edit_credit_hint": "How far below zero the balance may go.",
    "client.edit_rate_account": "Requests per second for the whole client",
    "client.edit_rate_key": "Requests per second for each API key",
    "client.edit_rate_hint": "Empty: the platform's default.",
    "client.edit_time_zone": "Time zone",
    "client.edit_note": "Note (only staff see it)",
    "client.edit_company": "Company name",
    "client.edit_org": "Organisation number",
    "client.edit_vat": "VAT number",
    "client.edit_contact_name": "Contact person",
    "client.edit_contact_email": "Contact e-mail",
    "client.edit_contact_phone": "Contact phone",
    "client.edit_invoice_email": "Invoice e-mail",
    "client.company": "Company",
    "client.contact": "Contact",
    "client.edit_saved": "The profile is saved.",
    "client.block": "Block",
    "client.block_q": "Block {name}? It cannot send SMS or use the API until it is unblocked.",
    "client.block_yes": "Yes, block",
    "client.unblock": "Unblock",
    "client.unblock_q": "Unblock {name}? It can send again at once.",
    "client.unblock_yes": "Yes, unblock",
    "client.now_blocked": "{name} is blocked.",
    "client.now_unblocked": "{name} is unblocked.",
    "client.approval_title": "Sign-up",
    "client.approval.awaiting_email": "{name} signed up on {domain}. The e-mailed link has not been used yet: the address is not confirmed and nothing can be sent.",
    "client.approval.pending": "{name} signed up on {domain} and confirmed the e-mail. The account waits for your approval: until then it is blocked.",
    "client.approval.rejected": "{name}'s sign-up on {domain} was rejected: the account stays blocked. You can still approve it.",
    "client.approve": "Approve",
    "client.approve_q": "Approve {name}? The account can send at once and its admins get an e-mail.",
    "client.reject": "Reject",
    "client.reject_q": "Reject {name}? The account stays blocked (you can approve it later).",
    "client.now_approved": "{name} is approved.",
    "client.now_rejected": "{name}'s sign-up is rejected.",
  },
  sv: {
    "client.title": "Kund",
    "client.tabs": "Kundens avsnitt",
    "client.tab.overview": "Översikt",
    "client.tab.destinations": "Destinationer",
    "client.tab.routing": "Routning",
    "client.tab.payments": "Betalningar",
    "client.tab.rules": "Ersättningsregler",
    "client.tab.smpp": "SMPP-inställningar",
    "client.tab.api": "API-inställningar",
    "client.tab.incoming": "Inkommande SMS",
    "client.created": "Kunden är skapad. Sätt dess priser under Destinationer och lägg in pengar under Betalningar.",
    "client.key_data": "Nyckeluppgifter",
    "client.id": "Kund-id",
    "client.balance": "Saldo",
    "client.credit_limit": "Kreditgräns",
    "client.available": "Kan ännu spendera",
    "client.currency": "Valuta",
    "client.kind": "Typ",
    "client.time_zone": "Tidszon",
    "client.registered": "Registrerad",
    "client.status": "Status",
    "client.active": "Aktiv",
    "client.blocked": "Spärrad",
    "client.blocked_note": "Spärrad: kunden kan inte skicka förrän spärren hävs.",
    "client.rate_limits": "Anropsgränser",
    "client.rate_default": "Plattformens standard",
    "client.rate_value": "{n} per sekund",
    "client.rate_account": "Alla kundens anrop",
    "client.rate_key": "Varje API-nyckel",
    "client.edit": "Ändra profil",
    "client.edit_credit_limit": "Kreditgräns",
    "client.edit_credit_hint": "Hur långt under noll saldot får gå.",
    "client.edit_rate_account": "Anrop per sekund för hela kunden",
    "client.edit_rate_key": "Anrop per sekund för varje API-nyckel",
    "client.edit_rate_hint": "Tomt: plattformens standard.",
    "client.edit_time_zone": "Tidszon",
    "client.edit_note": "Anteckning (syns bara för personal)",
    "client.edit_company": "Företagsnamn",
    "client.edit_org": "Organisationsnummer",
    "client.edit_vat": "Momsregistreringsnummer",
    "client.edit_contact_name": "Kontaktperson",
    "client.edit_contact_email": "Kontaktens e-post",
    "client.edit_contact_phone": "Kontaktens telefon",
    "client.edit_invoice_email": "Fakturamejl",
    "client.company": "Företag",
    "client.contact": "Kontakt",
    "client.edit_saved": "Profilen är sparad.",
    "client.block": "Spärra",
    "client.block_q": "Spärra {name}? Kunden kan inte skicka SMS eller använda API:t förrän spärren hävs.",
    "client.block_yes": "Ja, spärra",
    "client.unblock": "Häv spärren",
    "client.unblock_q": "Häva spärren för {name}? Kunden kan skicka igen direkt.",
    "client.unblock_yes": "Ja, häv spärren",
    "client.now_blocked": "{name} är spärrad.",
    "client.now_unblocked": "{name} är inte längre spärrad.",
    "client.approval_title": "Registrering",
    "client.approval.awaiting_email": "{name} registrerade sig på {domain}. Länken i mejlet har inte använts än: adressen är inte bekräftad och inget kan skickas.",
    "client.approval.pending": "{name} registrerade sig på {domain} och bekräftade e-postadressen. Kontot väntar på ditt godkännande och är spärrat till dess.",
    "client.approval.rejected": "{name}s registrering på {domain} avslogs: kontot förblir spärrat. Du kan fortfarande godkänna det.",
    "client.approve": "Godkänn",
    "client.approve_q": "Godkänna {name}? Kontot kan skicka direkt och dess administratörer får ett mejl.",
    "client.reject": "Avslå",
    "client.reject_q": "Avslå {name}? Kontot förblir spärrat (du kan godkänna det senare).",
    "client.now_approved": "{name} är godkänd.",
    "client.now_rejected": "{name}s registrering är avslagen.",
  },
});

function rate(n) {
  return n === null || n === undefined ? t("client.rate_default") : t("client.rate_value", { n });
}

function keyData(account) {
  const row = (label, value, id) => [h("dt", {}, label), h("dd", { id }, value)];
  return h(
    "section",
    { class: "panel", id: "key-data", "aria-labelledby": "key-data-h" },
    h("h2", { id: "key-data-h" }, t("client.key_data")),
    h(
      "div",
      { class: "figures" },
      h("div", { class: "figure" }, h("span", {}, t("client.balance")), h("strong", { id: "client-balance" }, money(account.balance_minor, account.currency))),
      h("div", { class: "figure" }, h("span", {}, t("client.credit_limit")), h("strong", { id: "client-credit-limit" }, money(account.credit_limit_minor, account.currency))),
      h("div", { class: "figure" }, h("span", {}, t("client.available")), h("strong", {}, money(account.balance_minor + account.credit_limit_minor, account.currency))),
    ),
    h(
      "dl",
      { class: "facts" },
      row(t("client.status"), account.blocked ? h("span", { class: "badge bad" }, t("client.blocked")) : h("span", { class: "badge ok" }, t("client.active")), "client-status"),
      row(t("client.id"), h("code", { class: "id" }, account.id)),
      row(t("client.currency"), account.currency),
      row(t("client.kind"), kindName(account.kind)),
      account.time_zone ? row(t("client.time_zone"), account.time_zone, "client-time-zone") : null,
      account.company?.name ? row(t("client.company"), [account.company.name, account.company.organisation_number ? ` (${account.company.organisation_number})` : ""].join("")) : null,
      account.contact?.name || account.contact?.email
        ? row(t("client.contact"), [account.contact.name, account.contact.email, account.contact.phone].filter(Boolean).join(", "))
        : null,
      row(t("client.registered"), date(account.created_at)),
      account.rate_limits
        ? row(t("client.rate_limits"), h("span", {}, `${t("client.rate_account")}: ${rate(account.rate_limits.account)}; ${t("client.rate_key")}: ${rate(account.rate_limits.key)}`))
        : null,
    ),
  );
}

/**
 * The profile editor: only what the API lets the operator change (the credit limit and
 * request limits; a time zone and note when the account has them), only what changed sent.
 */
function editor(account, saved) {
  const limitOrNull = (text) => {
    const clean = String(text || "").trim();
    return clean === "" ? null : Number(clean);
  };
  const fields = [
    field(t("client.edit_credit_limit"), "credit_limit", { inputmode: "decimal", value: minorToInput(account.credit_limit_minor), "aria-describedby": "edit-credit-hint" }),
    hint(t("client.edit_credit_hint"), "edit-credit-hint"),
    "time_zone" in account ? field(t("client.edit_time_zone"), "time_zone", { type: "select", value: account.time_zone, options: timeZones(account.time_zone).map((z) => [z, z]) }) : null,
    "note" in account ? field(t("client.edit_note"), "note", { type: "textarea", class: "short", value: account.note || "" }) : null,
    ...("company" in account
      ? [
          field(t("client.edit_company"), "company_name", { value: account.company?.name || "", maxlength: "100" }),
          h(
            "div",
            { class: "row" },
            field(t("client.edit_org"), "organisation_number", { value: account.company?.organisation_number || "" }),
            field(t("client.edit_vat"), "vat_number", { value: account.company?.vat_number || "" }),
          ),
          h(
            "div",
            { class: "row" },
            field(t("client.edit_contact_name"), "contact_name", { value: account.contact?.name || "" }),
            field(t("client.edit_contact_email"), "contact_email", { type: "email", value: account.contact?.email || "" }),
          ),
          h(
            "div",
            { class: "row" },
            field(t("client.edit_contact_phone"), "contact_phone", { type: "tel", value: account.contact?.phone || "" }),
            field(t("client.edit_invoice_email"), "invoice_email", { type: "email", value: account.contact?.invoice_email || "" }),
          ),
        ]
      : []),
    field(t("client.edit_rate_account"), "rate_account", { inputmode: "numeric", value: account.rate_limits?.account ?? "", "aria-describedby": "edit-rate-hint" }),
    field(t("client.edit_rate_key"), "rate_key", { inputmode: "numeric", value: account.rate_limits?.key ?? "", "aria-describedby": "edit-rate-hint" }),
    hint(t("client.edit_rate_hint"), "edit-rate-hint"),
  ];
  const element = form(fields, async (values) => {
    const change = {};
    const profile = {};
    const limit = toMinor(values.credit_limit || "0");
    if (limit !== account.credit_limit_minor) change.credit_limit_minor = limit;
    if ("time_zone" in account && values.time_zone !== account.time_zone) profile.time_zone = values.time_zone;
    if ("note" in account && (values.note || "") !== (account.note || "")) profile.note = values.note || null;
    if ("company" in account) {
      // Only what changed; an emptied field is cleared (null).
      const changed = (now, was) => (now.trim() !== (was || "") ? now.trim() || null : undefined);
      const company = { name: changed(values.company_name, account.company?.name), organisation_number: changed(values.organisation_number, account.company?.organisation_number), vat_number: changed(values.vat_number, account.company?.vat_number) };
      const contact = { name: changed(values.contact_name, account.contact?.name), email: changed(values.contact_email, account.contact?.email), phone: changed(values.contact_phone, account.contact?.phone), invoice_email: changed(values.invoice_email, account.contact?.invoice_email) };
      const only = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
      if (Object.keys(only(company)).length) profile.company = only(company);
      if (Object.keys(only(contact)).length) profile.contact = only(contact);
    }
    if (Object.keys(profile).length) await call("PATCH", `/v1/admin/accounts/${encodeURIComponent(account.id)}/settings`, profile);
    const rateAccount = limitOrNull(values.rate_account);
    const rateKey = limitOrNull(values.rate_key);
    if (rateAccount !== (account.rate_limits?.account ?? null)) change.rate_limit_per_second = rateAccount;
    if (rateKey !== (account.rate_limits?.key ?? null)) change.key_rate_limit_per_second = rateKey;
    if (Object.keys(change).length) await call("PATCH", `/v1/admin/accounts/${encodeURIComponent(account.id)}`, change);
    await saved();
  });
  const textarea = element.querySelector("textarea");
  if (textarea) textarea.textContent = account.note || "";
  return h("details", { class: "panel", id: "edit-profile" }, h("summary", {}, t("client.edit")), element);
}

export default {
  title: "client.title",
  async render(main, params, ctx) {
    const id = params.id;
    const tab = TABS.some(([k]) => k === params.tab) ? params.tab : "overview";
    let account;
    try {
      account = await call("GET", `/v1/admin/accounts/${encodeURIComponent(id)}`);
    } catch (error) {
      return fill(main, h("p", { class: "crumbs" }, h("a", { href: "/console/clients", "data-console-link": true }, t("nav.clients"))), h("h1", {}, t("client.title")), errorBox(error));
    }
    // The client's own settings (time zone, company, contact, note): read with the profile.
    const settings = await call("GET", `/v1/admin/accounts/${encodeURIComponent(id)}/settings`).catch(() => null);
    if (settings) Object.assign(account, { time_zone: settings.time_zone, note: settings.note, company: settings.company, contact: settings.contact });
    document.title = `${account.name} · ${t("console.name")}`;
    const base = `/console/clients/${encodeURIComponent(account.id)}`;
    const status = h("div", { class: "status", "aria-live": "polite" });
    const created = new URLSearchParams(location.search).get("created") === "1";
    if (created) fill(status, notice(t("client.created")));

    const reload = async (message) => {
      await this.render(main, params, ctx);
      if (message) fill(main.querySelector(".status"), notice(message));
    };

    const blockBox = h("div", { class: "inline", id: "block-box" });
    askFirst(blockBox, {
      label: account.blocked ? t("client.unblock") : t("client.block"),
      question: account.blocked ? t("client.unblock_q", { name: account.name }) : t("client.block_q", { name: account.name }),
      yes: account.blocked ? t("client.unblock_yes") : t("client.block_yes"),
      action: async () => {
        await call("PATCH", `/v1/admin/accounts/${encodeURIComponent(account.id)}`, { blocked: !account.blocked });
        await reload(account.blocked ? t("client.now_unblocked", { name: account.name }) : t("client.now_blocked", { name: account.name }));
      },
      status,
    });

    // A self-signup that is not approved: where it stands, and the operator's answer.
    let approval = null;
    if (account.approval && account.approval !== "approved") {
      const words = { name: account.name, domain: account.signup_domain || "—" };
      const decide = (decision, done) => async () => {
        await call("POST", `/v1/admin/accounts/${encodeURIComponent(account.id)}/approval`, { decision });
        await reload(t(done, { name: account.name }));
      };
      const approveBox = h("span", { id: "approve-box" });
      const rejectBox = h("span", { id: "reject-box" });
      if (account.approval !== "awaiting_email") {
        askFirst(approveBox, { label: t("client.approve"), question: t("client.approve_q", { name: account.name }), yes: t("client.approve"), action: decide("approve", "client.now_approved"), status });
      }
      if (account.approval === "pending") {
        askFirst(rejectBox, { label: t("client.reject"), question: t("client.reject_q", { name: account.name }), yes: t("client.reject"), action: decide("reject", "client.now_rejected"), status });
      }
      approval = h(
        "section",
        { class: "panel", id: "approval", "aria-labelledby": "approval-h", "data-approval": account.approval },
        h("h2", { id: "approval-h" }, t("client.approval_title")),
        h("p", {}, t(`client.approval.${account.approval}`, words)),
        h("div", { class: "actions" }, approveBox, rejectBox),
      );
    }

    const offered = TABS.filter(([key, , area]) => key === tab || ctx.can(area));
    const body = h("div", { id: "tab-body" });
    fill(
      main,
      h("p", { class: "crumbs" }, h("a", { href: "/console/clients", "data-console-link": true }, t("nav.clients"))),
      h(
        "div",
        { class: "page-head" },
        h("h1", {}, account.name, " ", account.blocked ? h("span", { class: "badge bad" }, t("client.blocked")) : null),
        approval ? null : blockBox,
      ),
      status,
      approval,
      tabLinks(
        offered.map(([key, label]) => [key, t(label), key === "overview" ? base : `${base}/${key}`]),
        tab,
        t("client.tabs"),
      ),
      body,
    );
    const module = TABS.find(([key]) => key === tab)[3];
    if (!module) {
      const history = h("div", { id: "history" });
      fill(
        body,
        account.blocked && !approval ? h("p", { class: "warning" }, t("client.blocked_note")) : null,
        keyData(account),
        editor(account, () => reload(t("client.edit_saved"))),
        ctx.can("log")
          ? h("section", { class: "panel", "aria-labelledby": "history-h" }, h("h2", { id: "history-h" }, t("history.title")), h("p", { class: "hint" }, t("history.help")), history)
          : null,
      );
      if (ctx.can("log")) await historyList(history, account).ready;
      return;
    }
    // A tab the staff member's groups refuse shows the server's refusal in words.
    try {
      const page = (await import(`./${module}.js`)).default;
      await page.render(body, account, ctx, reload);
    } catch (error) {
      fill(body, errorBox(error));
    }
  },
};
