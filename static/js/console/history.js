// An account's history in words (issue 19 item 4: never raw JSON or keys): who did it (a
// staff member by name, a customer's user, an API key, the platform), what (a sentence in
// the page's language, money formatted), and when; newest first, in pages. The API tells
// each change as an English sentence (`summary`); in English that sentence is shown, in
// Swedish the console's own words for the action (and the amounts it can read).

import { dateTime, language, money, t, words } from "../i18n.js";
import { fill, h } from "../ui.js";
import { call, pagedList } from "./lib.js";

const PAGE = 20;

// action → [English, Swedish]; {name}, {target}, {amount}, {balance}, {from}, {to}.
const ACTIONS = {
  "account.blocked": ["Client blocked: it cannot send until unblocked", "Kunden spärrades: den kan inte skicka förrän spärren hävs"],
  "account.unblocked": ["Client unblocked", "Kundens spärr hävdes"],
  "account.credit_limit": ["Credit limit changed from {from} to {to}", "Kreditgränsen ändrades från {from} till {to}"],
  "account.created": ["Client account opened", "Kundkontot öppnades"],
  "account.updated": ["Client details changed", "Kunduppgifterna ändrades"],
  "account.deleted": ["Client account deleted", "Kundkontot togs bort"],
  "account.signed_up": ["Signed up on the portal; the e-mail is not confirmed yet", "Registrerade sig i portalen; e-postadressen är inte bekräftad än"],
  "account.awaiting_approval": ["E-mail confirmed; the signup waits for approval", "E-postadressen bekräftad; registreringen väntar på godkännande"],
  "account.approved": ["Signup approved: the client can send", "Registreringen godkändes: kunden kan skicka"],
  "account.rejected": ["Signup rejected: the client stays blocked", "Registreringen avslogs: kunden förblir spärrad"],
  "settings.updated": ["Account settings changed", "Kontoinställningarna ändrades"],
  "profile.updated": ["Client profile changed", "Kundprofilen ändrades"],
  "webhook_secret.rotated": ["Webhook signing secret replaced", "Signeringsnyckeln för webhooks byttes"],
  "balance.topup": ["Top-up of {amount}; balance now {balance}", "Påfyllning med {amount}; saldot är nu {balance}"],
  "balance.stripe_topup": ["Card top-up of {amount}; balance now {balance}", "Kortpåfyllning med {amount}; saldot är nu {balance}"],
  "balance.payment": ["Bank payment of {amount} recorded ({target}); balance now {balance}", "Bankbetalning på {amount} registrerad ({target}); saldot är nu {balance}"],
  "balance.credit_note": ["Credit note {target} of {amount}; balance now {balance}", "Kreditnota {target} på {amount}; saldot är nu {balance}"],
  "balance.correction": ["Correction of {amount} to {target}; balance now {balance}", "Rättelse på {amount} av {target}; saldot är nu {balance}"],
  "balance.other": ["Balance changed by {amount}; now {balance}", "Saldot ändrades med {amount}; nu {balance}"],
  "package.purchased": ["Package bought for {amount}; balance now {balance}", "Paket köptes för {amount}; saldot är nu {balance}"],
  "subscription.canceled": ["Subscription canceled", "Abonnemanget sades upp"],
  "subscription.other": ["Subscription changed", "Abonnemanget ändrades"],
  "key.created": ["API key “{name}” created", "API-nyckeln ”{name}” skapades"],
  "key.updated": ["API key “{name}” changed", "API-nyckeln ”{name}” ändrades"],
  "key.revoked": ["API key “{name}” revoked", "API-nyckeln ”{name}” återkallades"],
  "smpp.created": ["SMPP login “{name}” created", "SMPP-inloggningen ”{name}” skapades"],
  "smpp.updated": ["SMPP login “{name}”: allowed addresses changed", "SMPP-inloggningen ”{name}”: tillåtna adresser ändrades"],
  "smpp.revoked": ["SMPP login “{name}” revoked", "SMPP-inloggningen ”{name}” återkallades"],
  "number.assigned": ["Number {target} assigned", "Numret {target} tilldelades"],
  "number.released": ["Number {target} released", "Numret {target} släpptes"],
  "prices.set": ["A destination price was set", "Ett destinationspris sattes"],
  "prices.ended": ["A destination price was ended", "Ett destinationspris avslutades"],
  "routes.set": ["Routing changed", "Routningen ändrades"],
  "routes.deleted": ["A route was removed", "En rutt togs bort"],
  "send_rules.created": ["A replacement rule was added", "En ersättningsregel lades till"],
  "send_rules.updated": ["A replacement rule was changed", "En ersättningsregel ändrades"],
  "send_rules.deleted": ["A replacement rule was removed", "En ersättningsregel togs bort"],
  "senders.registered": ["A sender was registered", "En avsändare registrerades"],
  "senders.unregistered": ["A sender registration was removed", "En avsändarregistrering togs bort"],
  "campaign.added": ["A campaign was booked", "En kampanj bokades"],
  "campaign.ended": ["A campaign was ended", "En kampanj avslutades"],
  "member.added": ["{name} was given access", "{name} fick åtkomst"],
  "member.accepted": ["{name} accepted the invitation", "{name} tackade ja till inbjudan"],
  "member.level_changed": ["{name}'s access level changed", "Behörigheten för {name} ändrades"],
  "member.revoked": ["{name}'s access was removed", "Åtkomsten för {name} togs bort"],
  "user.two_factor_enabled": ["{name} turned two-factor authentication on", "{name} slog på tvåstegsverifiering"],
  "user.two_factor_disabled": ["{name} turned two-factor authentication off", "{name} stängde av tvåstegsverifiering"],
  "user.password_changed": ["{name} changed their password", "{name} bytte lösenord"],
  "user.password_reset": ["{name} set a new password from a reset link", "{name} valde ett nytt lösenord via en återställningslänk"],
  "user.email_confirmed": ["{name} confirmed their e-mail address", "{name} bekräftade sin e-postadress"],
  "user.phone_confirmed": ["{name} confirmed their phone number", "{name} bekräftade sitt telefonnummer"],
  "user.invitation_accepted": ["{name} accepted an invitation", "{name} tackade ja till en inbjudan"],
  "user.updated": ["{name} changed their profile", "{name} ändrade sin profil"],
  // The platform's own settings (GET /v1/admin/settings/history); {to} is who a test went to.
  "settings.company_updated": ["Company information and defaults changed", "Företagsuppgifter och standardval ändrades"],
  "settings.payment_gateway_updated": ["Payment gateway (Stripe) changed", "Betalningslösningen (Stripe) ändrades"],
  "settings.test_email_sent": ["Test e-mail sent to {to}", "Testmejl skickat till {to}"],
  "settings.test_sms_sent": ["Test SMS sent to {to}", "Test-sms skickat till {to}"],
  other: ["Other change", "Annan ändring"],
};

/** A line of the settings' history in the page's language (never a secret: the API keeps none). */
export function settingsSentence(event) {
  const [en, sv] = ACTIONS[event.action] || ACTIONS.other;
  const to = (event.after && typeof event.after === "object" && event.after.to) || "";
  return (language() === "sv" ? sv : en).replace("{to}", to);
}

words({
  en: {
    "history.title": "History",
    "history.help": "Every change to the client, newest first, and who made it.",
    "history.none": "Nothing has happened yet.",
    "history.when": "When",
    "history.who": "Who",
    "history.what": "What happened",
    "history.actor.operator": "Automation (operator token)",
    "history.actor.system": "The platform",
    "history.actor.key": "API key {name}",
    "history.actor.user": "{name} (client's user)",
    "history.actor.staff": "{name} (staff)",
    "history.actor.someone": "Someone no longer known",
    "history.actor.stripe": "Card payment (Stripe)",
    ...Object.fromEntries(Object.entries(ACTIONS).map(([k, [en]]) => [`history.action.${k}`, en])),
  },
  sv: {
    "history.title": "Historik",
    "history.help": "Varje ändring hos kunden, nyast först, och vem som gjorde den.",
    "history.none": "Inget har hänt ännu.",
    "history.when": "När",
    "history.who": "Vem",
    "history.what": "Vad som hände",
    "history.actor.operator": "Automatisering (operatörsnyckel)",
    "history.actor.system": "Plattformen",
    "history.actor.key": "API-nyckeln {name}",
    "history.actor.user": "{name} (kundens användare)",
    "history.actor.staff": "{name} (personal)",
    "history.actor.someone": "Någon som inte längre finns",
    "history.actor.stripe": "Kortbetalning (Stripe)",
    ...Object.fromEntries(Object.entries(ACTIONS).map(([k, [, sv]]) => [`history.action.${k}`, sv])),
  },
});

/** Who made a change: the API's {kind, name} (or the older `actor` string and `actor_name`). */
export function actorText(event) {
  const actor = event.actor;
  const kind = typeof actor === "object" && actor ? actor.kind : String(actor || "").split(":")[0];
  const name = (typeof actor === "object" && actor ? actor.name : event.actor_name) || null;
  switch (kind) {
    case "staff":
      return name ? t("history.actor.staff", { name }) : t("history.actor.someone");
    case "user":
      return name ? t("history.actor.user", { name }) : t("history.actor.someone");
    case "key": {
      const key = (name || "").match(/^API key '(.*)'$/)?.[1] ?? name ?? "";
      return t("history.actor.key", { name: key }).trim();
    }
    case "stripe":
      return t("history.actor.stripe");
    case "operator":
    case "admin":
    case "token":
      return t("history.actor.operator");
    default:
      return t("history.actor.system");
  }
}

const num = (value, key) => (value && typeof value === "object" && Number.isFinite(value[key]) ? value[key] : null);
const str = (value, key) => (value && typeof value === "object" && typeof value[key] === "string" ? value[key] : null);

/** The console's own sentence for an event (the page's language), from its action and states. */
export function ownSentence(event, currency) {
  const { action = "", before = null, after = null } = event;
  const target = event.target || "";
  const fmt = (minor) => (minor === null ? "" : currency ? money(minor, currency) : String(minor));
  const [group, verb] = action.split(".");
  const say = (key, vars = {}) => t(`history.action.${key}`, { target, name: str(after, "name") || str(before, "name") || str(after, "system_id") || str(before, "system_id") || str(after, "email") || str(before, "email") || target, ...vars });
  if (["account.signed_up", "account.awaiting_approval", "account.approved", "account.rejected"].includes(action)) return say(action);
  if (group === "account" || group === "settings") {
    const blockedBefore = before && "blocked" in before ? Boolean(before.blocked) : null;
    const blockedAfter = after && "blocked" in after ? Boolean(after.blocked) : null;
    if (blockedAfter !== null && blockedAfter !== blockedBefore) return say(blockedAfter ? "account.blocked" : "account.unblocked");
    const limitBefore = num(before, "credit_limit_minor");
    const limitAfter = num(after, "credit_limit_minor");
    if (limitAfter !== null && limitBefore !== limitAfter) return say("account.credit_limit", { from: fmt(limitBefore ?? 0), to: fmt(limitAfter) });
    return say(`${group}.${verb}` in ACTIONS ? `${group}.${verb}` : "account.updated");
  }
  if (group === "balance" || action === "package.purchased") {
    const b = num(before, "balance_minor");
    const a = num(after, "balance_minor");
    const amount = a !== null && b !== null ? (group === "balance" ? a - b : b - a) : null;
    const key = action === "package.purchased" ? action : `balance.${verb}` in ACTIONS ? `balance.${verb}` : "balance.other";
    return say(key, { amount: fmt(amount), balance: fmt(a) });
  }
  if (group === "subscription") return say(action in ACTIONS ? action : "subscription.other");
  return say(action in ACTIONS ? action : "other");
}

/** The sentence shown: the API's in English, the console's own words in Swedish. */
export function sentence(event, currency) {
  // The API's instants (2026-12-07T23:49:23.353Z) read as dates and times of the reader's.
  if (language() === "en" && event.summary) return event.summary.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (at) => dateTime(at));
  return ownSentence(event, currency);
}

/** The history of account `account` ({id, currency}) into `element`, paged. */
export function historyList(element, account) {
  return pagedList(element, {
    pageSize: PAGE,
    load: async (cursor) => {
      const query = new URLSearchParams({ limit: PAGE });
      if (cursor) query.set("cursor", cursor);
      const page = await call("GET", `/v1/admin/accounts/${encodeURIComponent(account.id)}/history?${query}`);
      return { items: page.events, next_cursor: page.next_cursor };
    },
    view: (events) =>
      events.length
        ? h(
            "ol",
            { class: "history", id: "history-list" },
            events.map((e) =>
              h(
                "li",
                { "data-action": e.action },
                h("span", { class: "what" }, sentence(e, account.currency)),
                h("span", { class: "meta" }, h("span", { class: "who" }, actorText(e)), " · ", h("time", { datetime: e.at }, dateTime(e.at))),
              ),
            ),
          )
        : h("p", { class: "empty" }, t("history.none")),
  });
}

