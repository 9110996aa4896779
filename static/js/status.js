// Message statuses (seed 001's codes) in words, for the message pages and the dashboard;
// and a few formatting helpers the messaging and billing pages share.

import { dateTime, language, t, words } from "./i18n.js";
import { h } from "./ui.js";

// code → [English, Swedish]
const STATUSES = {
  101: ["Accepted", "Mottaget"],
  102: ["Queued", "I kö"],
  103: ["Paid for", "Betalt"],
  104: ["Refunded", "Återbetalt"],
  110: ["Sending", "Skickas"],
  111: ["Delivered to the gateway", "Levererat till gatewayen"],
  112: ["Delivered to the carrier", "Levererat till operatören"],
  113: ["Delivered to the GSM network", "Levererat till GSM-nätet"],
  114: ["Queued at the gateway", "I kö hos gatewayen"],
  201: ["Delivered", "Levererat"],
  202: ["Expired", "Utgånget"],
  203: ["Canceled", "Avbrutet"],
  402: ["Insufficient funds", "Otillräckligt saldo"],
  403: ["Sender rejected", "Avsändaren avvisades"],
  404: ["Content rejected", "Innehållet avvisades"],
  405: ["Recipient refused", "Mottagaren avvisades"],
  406: ["Rejected", "Avvisat"],
  407: ["Invalid sender", "Ogiltig avsändare"],
  408: ["Invalid content", "Ogiltigt innehåll"],
  409: ["Invalid recipient", "Ogiltig mottagare"],
  410: ["No SMS subscription", "SMS-abonnemang saknas"],
  500: ["Internal error", "Internt fel"],
  501: ["Unknown subscriber", "Okänd abonnent"],
  502: ["Subscriber unreachable", "Abonnenten går inte att nå"],
  503: ["Subscriber offline", "Abonnenten är inte ansluten"],
  511: ["Delivery to the gateway failed", "Leverans till gatewayen misslyckades"],
  512: ["Delivery to the carrier failed", "Leverans till operatören misslyckades"],
  513: ["Delivery to the GSM network failed", "Leverans till GSM-nätet misslyckades"],
  514: ["Delivery to the handset failed", "Leverans till telefonen misslyckades"],
  515: ["Delivery failed", "Leveransen misslyckades"],
  516: ["Gateway error", "Gatewayfel"],
  599: ["Unknown", "Okänt"],
};

export const STATUS_CODES = Object.keys(STATUSES).map(Number);

/** A status code in words, in the chosen language. */
export function statusText(status) {
  const code = typeof status === "object" ? status.code : status;
  const known = STATUSES[code];
  if (!known) return typeof status === "object" ? status.name : String(code);
  return language() === "sv" ? known[1] : known[0];
}

/** ok (2xx delivered), bad (4xx/5xx, expired), or pending. */
export function statusClass(status) {
  const code = typeof status === "object" ? status.code : status;
  if (code === 201) return "ok";
  if (code >= 400 || code === 202) return "bad";
  return "pending";
}

export function statusBadge(status) {
  return h("span", { class: `badge ${statusClass(status)}`, "data-status": status.code ?? status, title: status.name || null }, statusText(status));
}

words({
  en: { "status.scheduled_for": "Scheduled for {at}", "status.refunded_price": "Refunded ({price})" },
  sv: { "status.scheduled_for": "Schemalagt till {at}", "status.refunded_price": "Återbetalt ({price})" },
});

/** A message's status: a scheduled one that waits says when it goes, not "Paid for". */
export function messageStatus(m) {
  if (m.send_at && !m.final && m.status.code === 103 && new Date(m.send_at) > new Date()) {
    return h("span", { class: "badge pending", "data-status": "scheduled", title: m.status.name || null }, t("status.scheduled_for", { at: dateTime(m.send_at) }));
  }
  return statusBadge(m.status);
}

/** A message's price: a canceled one's was refunded, and says so. */
export function messagePrice(m) {
  if (m.status.code === 203) return t("status.refunded_price", { price: moneyOf(m.price) });
  return moneyOf(m.price);
}

/** The API's Money {amount, minor, currency} in the user's language. */
export function moneyOf(m) {
  if (!m) return "";
  return new Intl.NumberFormat(language() === "sv" ? "sv-SE" : "en-GB", { style: "currency", currency: m.currency, maximumFractionDigits: 4 }).format(Number(m.amount));
}

/** "1 of 3" style page buttons: `pager({onPrevious, onNext})` (either may be null). */
export function pager(onPrevious, onNext) {
  if (!onPrevious && !onNext) return null;
  return h(
    "div",
    { class: "actions pager" },
    onPrevious ? h("button", { type: "button", class: "secondary", onclick: onPrevious }, t("common.previous")) : null,
    onNext ? h("button", { type: "button", class: "secondary", onclick: onNext }, t("common.next")) : null,
  );
}

/** A date field's value (YYYY-MM-DD, the browser's day) as the start of that day, RFC 3339. */
export function dayStart(value) {
  return value ? new Date(`${value}T00:00:00`).toISOString() : null;
}

/** Today as YYYY-MM-DD in the browser's zone, `days` days from now. */
export function isoDay(days = 0) {
  const d = new Date(Date.now() + days * 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** Downloads what `response` holds (a fetch Response) as a file named `name`. */
export async function download(response, fallbackName) {
  const blob = await response.blob();
  const disposition = response.headers.get("content-disposition") || "";
  const found = disposition.match(/filename="?([^";]+)"?/);
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: found ? found[1] : fallbackName, class: "hidden" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

words({
  en: { "status.pending": "in progress" },
  sv: { "status.pending": "pågår" },
});
