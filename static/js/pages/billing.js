// Billing (seed 002–004): balance and credit limit, SMS and voice credits, top-up by card
// (Stripe Checkout: we send the user to Stripe's page, Stripe sends them back to
// /billing/topups/:id), packages and subscriptions, the payments log, invoices (the
// printable HTML document, downloaded) and usage over a date range with a CSV download.

import { api } from "../api.js";
import { dateTime, money, t, words } from "../i18n.js";
import { actionButton, confirmStep, field, fill, form, h, idempotencyKey, load, notice, table } from "../ui.js";
import { download, isoDay } from "../status.js";
import { scopeText, unitPrice } from "../console/lib.js";

/** What a package holds, only what it has: "1 000 SMS, 1 extra number". */
function contents(p) {
  const n = (x) => new Intl.NumberFormat().format(x);
  const parts = [];
  if (p.sms_credits) parts.push(t("billing.contents.sms", { n: n(p.sms_credits) }));
  if (p.voice_credits) parts.push(t("billing.contents.voice", { n: n(p.voice_credits) }));
  if (p.numbers) parts.push(p.numbers === 1 ? t("billing.contents.number") : t("billing.contents.numbers", { n: n(p.numbers) }));
  return parts.length ? parts.join(", ") : t("billing.contents.nothing");
}

words({
  en: {
    "billing.title": "Billing",
    "billing.balance": "Balance",
    "billing.credit_limit": "Credit limit",
    "billing.available": "Available to spend",
    "billing.sms_credits": "SMS credits",
    "billing.voice_credits": "Voice credits",
    "billing.topup": "Top up by card",
    "billing.topup_help": "You pay on Stripe's secure page and come back here; the balance grows when Stripe confirms the payment.",
    "billing.amount": "Amount ({currency})",
    "billing.topup_submit": "Continue to payment",
    "billing.bad_amount": "Write an amount, e.g. 500 or 99.50.",
    "billing.topup_success": "Thank you! The payment is being confirmed; the top-up shows in the payments log when Stripe has confirmed it.",
    "billing.topup_cancel": "The top-up was canceled; nothing was charged.",
    "billing.packages": "Packages",
    "billing.prices": "Your prices",
    "billing.quiet_left_out": "Days without messages are left out.",
    "billing.sub.active": "Active",
    "billing.sub.canceled": "Ended",
    "billing.sub.past_due": "Payment due: not renewed for lack of funds",
    "billing.prices_help": "What one SMS part costs you per destination, in your currency. The most specific destination applies (a number's leading digits before its country, its country before everywhere). The send page shows the price of each message before you send it.",
    "billing.col.destination": "Destination",
    "billing.col.per_part": "Per SMS part",
    "billing.col.from": "From",
    "billing.col.until": "Until",
    "billing.until_further": "Until further notice",
    "billing.scheduled": "Coming price changes",
    "billing.no_prices": "No prices are set for your account yet; ask your provider.",
    "billing.no_packages": "No packages for sale in this currency.",
    "billing.col.package": "Package",
    "billing.col.cost": "Cost",
    "billing.col.contents": "Contents",
    "billing.col.frequency": "Renews",
    "billing.contents.sms": "{n} SMS",
    "billing.contents.voice": "{n} voice credits",
    "billing.contents.number": "1 extra number",
    "billing.contents.numbers": "{n} extra numbers",
    "billing.contents.nothing": "Nothing",
    "billing.buy": "Buy {name}",
    "billing.buy_q": "Buy {name} for {cost}?",
    "billing.buy_balance": "Your balance goes from {from} to {to}.",
    "billing.buy_contains": "You get: {contents}.",
    "billing.buy_renews": "It renews {frequency} and is charged each time until you cancel it.",
    "billing.buy_once": "It is charged once.",
    "billing.buy_yes": "Yes, buy it",
    "billing.bought": "{name} bought. Balance now {balance}; SMS credits {sms}.",
    "billing.freq.once": "Once",
    "billing.freq.daily": "Daily",
    "billing.freq.weekly": "Weekly",
    "billing.freq.monthly": "Monthly",
    "billing.freq_word.daily": "every day",
    "billing.freq_word.weekly": "every week",
    "billing.freq_word.monthly": "every month",
    "billing.subscriptions": "Subscriptions",
    "billing.no_subscriptions": "No subscriptions.",
    "billing.col.status": "Status",
    "billing.col.period": "Current period",
    "billing.ends": "ends {at}",
    "billing.cancel_sub": "Cancel {name}",
    "billing.canceled_sub": "{name} ends when the current period ends.",
    "billing.payments": "Payments",
    "billing.no_payments": "No payments yet.",
    "billing.col.date": "Date",
    "billing.col.kind": "Kind",
    "billing.col.amount": "Amount",
    "billing.col.reference": "Reference",
    "billing.kind.stripe_topup": "Card top-up",
    "billing.kind.topup": "Top-up",
    "billing.kind.payment": "Payment",
    "billing.kind.credit_note": "Credit note",
    "billing.kind.correction": "Correction",
    "billing.pstatus.pending": "Waiting for payment",
    "billing.pstatus.paid": "Paid",
    "billing.pstatus.failed": "Failed",
    "billing.pstatus.mismatch": "Amount differs — contact support",
    "billing.pstatus.recorded": "Recorded",
    "billing.invoices": "Invoices",
    "billing.no_invoices": "No invoices yet. An invoice is issued after each month with activity.",
    "billing.col.number": "Invoice",
    "billing.col.month": "Month",
    "billing.col.total": "Total",
    "billing.col.issued": "Issued",
    "billing.download": "Download {number}",
    "billing.usage": "Usage",
    "billing.from": "From",
    "billing.to": "To",
    "billing.group_by": "Group by",
    "billing.by.day": "Day",
    "billing.by.status": "Status",
    "billing.by.destination": "Destination",
    "billing.show": "Show usage",
    "billing.csv": "Download CSV",
    "billing.col.group": "Group",
    "billing.col.messages": "Messages",
    "billing.col.segments": "Segments",
    "billing.col.charged": "Charged",
    "billing.col.refunded": "Refunded",
    "billing.col.spend": "Spend",
    "billing.totals": "Total",
    "billing.no_usage": "No usage in this period.",
    "billing.zone": "Days in the account's time zone ({zone}).",
  },
  sv: {
    "billing.title": "Fakturering",
    "billing.balance": "Saldo",
    "billing.credit_limit": "Kreditgräns",
    "billing.available": "Tillgängligt att använda",
    "billing.sms_credits": "SMS-krediter",
    "billing.voice_credits": "Röstkrediter",
    "billing.topup": "Fyll på med kort",
    "billing.topup_help": "Du betalar på Stripes säkra sida och kommer sedan tillbaka hit; saldot ökar när Stripe har bekräftat betalningen.",
    "billing.amount": "Belopp ({currency})",
    "billing.topup_submit": "Fortsätt till betalning",
    "billing.bad_amount": "Skriv ett belopp, t.ex. 500 eller 99,50.",
    "billing.topup_success": "Tack! Betalningen bekräftas; påfyllningen syns i betalningsloggen när Stripe har bekräftat den.",
    "billing.topup_cancel": "Påfyllningen avbröts; inget drogs.",
    "billing.packages": "Paket",
    "billing.prices": "Dina priser",
    "billing.quiet_left_out": "Dagar utan meddelanden visas inte.",
    "billing.sub.active": "Aktivt",
    "billing.sub.canceled": "Avslutat",
    "billing.sub.past_due": "Betalning saknas: inte förnyat i brist på saldo",
    "billing.prices_help": "Vad en SMS-del kostar dig per destination, i din valuta. Den mest specifika destinationen gäller (ett nummers inledande siffror före dess land, landet före överallt). Skicka-sidan visar varje meddelandes pris innan du skickar.",
    "billing.col.destination": "Destination",
    "billing.col.per_part": "Per SMS-del",
    "billing.col.from": "Från",
    "billing.col.until": "Till",
    "billing.until_further": "Tills vidare",
    "billing.scheduled": "Kommande prisändringar",
    "billing.no_prices": "Inga priser är satta för ditt konto ännu; fråga din leverantör.",
    "billing.no_packages": "Inga paket till salu i den här valutan.",
    "billing.col.package": "Paket",
    "billing.col.cost": "Pris",
    "billing.col.contents": "Innehåll",
    "billing.col.frequency": "Förnyas",
    "billing.contents.sms": "{n} SMS",
    "billing.contents.voice": "{n} röstkrediter",
    "billing.contents.number": "1 extranummer",
    "billing.contents.numbers": "{n} extranummer",
    "billing.contents.nothing": "Inget",
    "billing.buy": "Köp {name}",
    "billing.buy_q": "Köpa {name} för {cost}?",
    "billing.buy_balance": "Ditt saldo går från {from} till {to}.",
    "billing.buy_contains": "Du får: {contents}.",
    "billing.buy_renews": "Det förnyas {frequency} och debiteras varje gång tills du säger upp det.",
    "billing.buy_once": "Det debiteras en gång.",
    "billing.buy_yes": "Ja, köp",
    "billing.bought": "{name} köpt. Saldo nu {balance}; SMS-krediter {sms}.",
    "billing.freq.once": "En gång",
    "billing.freq.daily": "Dagligen",
    "billing.freq.weekly": "Varje vecka",
    "billing.freq.monthly": "Varje månad",
    "billing.freq_word.daily": "varje dag",
    "billing.freq_word.weekly": "varje vecka",
    "billing.freq_word.monthly": "varje månad",
    "billing.subscriptions": "Abonnemang",
    "billing.no_subscriptions": "Inga abonnemang.",
    "billing.col.status": "Status",
    "billing.col.period": "Nuvarande period",
    "billing.ends": "upphör {at}",
    "billing.cancel_sub": "Säg upp {name}",
    "billing.canceled_sub": "{name} upphör när den nuvarande perioden tar slut.",
    "billing.payments": "Betalningar",
    "billing.no_payments": "Inga betalningar ännu.",
    "billing.col.date": "Datum",
    "billing.col.kind": "Typ",
    "billing.col.amount": "Belopp",
    "billing.col.reference": "Referens",
    "billing.kind.stripe_topup": "Kortpåfyllning",
    "billing.kind.topup": "Påfyllning",
    "billing.kind.payment": "Inbetalning",
    "billing.kind.credit_note": "Kreditnota",
    "billing.kind.correction": "Rättelse",
    "billing.pstatus.pending": "Väntar på betalning",
    "billing.pstatus.paid": "Betald",
    "billing.pstatus.failed": "Misslyckades",
    "billing.pstatus.mismatch": "Beloppet skiljer sig — kontakta supporten",
    "billing.pstatus.recorded": "Registrerad",
    "billing.invoices": "Fakturor",
    "billing.no_invoices": "Inga fakturor ännu. En faktura utfärdas efter varje månad med aktivitet.",
    "billing.col.number": "Faktura",
    "billing.col.month": "Månad",
    "billing.col.total": "Totalt",
    "billing.col.issued": "Utfärdad",
    "billing.download": "Ladda ner {number}",
    "billing.usage": "Användning",
    "billing.from": "Från",
    "billing.to": "Till",
    "billing.group_by": "Gruppera efter",
    "billing.by.day": "Dag",
    "billing.by.status": "Status",
    "billing.by.destination": "Destination",
    "billing.show": "Visa användning",
    "billing.csv": "Ladda ner CSV",
    "billing.col.group": "Grupp",
    "billing.col.messages": "Meddelanden",
    "billing.col.segments": "Delar",
    "billing.col.charged": "Debiterat",
    "billing.col.refunded": "Återbetalat",
    "billing.col.spend": "Kostnad",
    "billing.totals": "Totalt",
    "billing.no_usage": "Ingen användning under perioden.",
    "billing.zone": "Dagar i kontots tidszon ({zone}).",
  },
});

/** "1 234,50" or "1234.5" → minor units; null if it is not an amount. */
export function parseAmount(text) {
  const clean = String(text).replace(/[\s\u00a0]/g, "").replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return null;
  const [whole, fraction = ""] = clean.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

function section(title, id, ...children) {
  return h("section", { "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

export default {
  title: "billing.title",
  async render(main, params, ctx) {
    const currency = ctx.account.currency;
    const result = new URLSearchParams(location.search).get("result");
    const balance = h("div", { id: "billing-balance" });
    const packages = h("div", { id: "billing-packages" });
    const subscriptions = h("div", { id: "billing-subscriptions" });
    const payments = h("div", { id: "billing-payments" });
    const invoices = h("div", { id: "billing-invoices" });
    const usage = h("div", { id: "billing-usage" });
    const status = h("div", { class: "form-status", id: "billing-status" });

    const showBalance = () =>
      load(balance, async () => {
        const b = await api("GET", "/v1/billing/balance");
        const fig = (label, value, id) => h("div", { class: "figure", id }, h("span", {}, label), h("strong", {}, value));
        return h(
          "div",
          { class: "figures" },
          fig(t("billing.balance"), money(b.balance_minor, b.currency), "billing-balance-amount"),
          fig(t("billing.credit_limit"), money(b.credit_limit_minor, b.currency)),
          fig(t("billing.available"), money(b.available_minor, b.currency)),
          fig(t("billing.sms_credits"), String(b.sms_credits)),
          fig(t("billing.voice_credits"), String(b.voice_credits)),
        );
      });

    // Buying asks first, saying what will happen to the balance; the confirmed request
    // carries an Idempotency-Key, so a repeated click or a retry buys once.
    const confirmBox = h("div", { id: "billing-confirm" });
    const ask = async (p) => {
      const b = await api("GET", "/v1/billing/balance");
      const key = idempotencyKey();
      confirmStep(confirmBox, {
        question: t("billing.buy_q", { name: p.name, cost: money(p.cost_minor, p.currency) }),
        details: [
          t("billing.buy_balance", { from: money(b.balance_minor, b.currency), to: money(b.balance_minor - p.cost_minor, b.currency) }),
          t("billing.buy_contains", { contents: contents(p) }),
          p.frequency === "once" ? t("billing.buy_once") : t("billing.buy_renews", { frequency: t(`billing.freq_word.${p.frequency}`) }),
        ],
        yes: t("billing.buy_yes"),
        status,
        cancelled: () => fill(confirmBox),
        action: async () => {
          const bought = await api("POST", `/v1/billing/packages/${encodeURIComponent(p.id)}/purchase`, undefined, { headers: { "idempotency-key": key } });
          fill(confirmBox);
          await Promise.all([showBalance(), showSubscriptions()]);
          return t("billing.bought", { name: p.name, balance: money(bought.balance_minor, bought.currency), sms: bought.credits.sms });
        },
      });
      confirmBox.scrollIntoView({ block: "nearest" });
    };

    const showPackages = () =>
      load(packages, async () => {
        const list = await api("GET", "/v1/billing/packages");
        return table(
          [
            [t("billing.col.package"), (p) => h("strong", {}, p.name)],
            [t("billing.col.cost"), (p) => money(p.cost_minor, p.currency)],
            [t("billing.col.contents"), (p) => contents(p)],
            [t("billing.col.frequency"), (p) => t(`billing.freq.${p.frequency}`)],
            ["", (p) => actionButton(t("billing.buy", { name: p.name }), () => ask(p), { status, className: null })],
          ],
          list.packages.filter((p) => p.active),
          { empty: t("billing.no_packages"), caption: t("billing.packages"), cards: true },
        );
      });

    // The customer's own price list (issue 19): what is in effect and what is coming.
    const prices = h("div", { id: "billing-prices" });
    const showPrices = () =>
      load(prices, async () => {
        const list = await api("GET", "/v1/billing/prices");
        const columns = [
          [t("billing.col.destination"), (p) => scopeText(p.scope)],
          [t("billing.col.per_part"), (p) => unitPrice(p.per_segment_minor, p.currency)],
          [t("billing.col.from"), (p) => dateTime(p.effective_from)],
          [t("billing.col.until"), (p) => (p.effective_to ? dateTime(p.effective_to) : t("billing.until_further"))],
        ];
        return [
          table(columns, list.prices, { empty: t("billing.no_prices"), caption: t("billing.prices") }),
          list.scheduled.length ? [h("h3", {}, t("billing.scheduled")), table(columns, list.scheduled, { caption: t("billing.scheduled") })] : null,
        ];
      });

    const showSubscriptions = () =>
      load(subscriptions, async () => {
        const list = await api("GET", "/v1/billing/subscriptions");
        return table(
          [
            [t("billing.col.package"), (s) => s.name],
            [t("billing.col.cost"), (s) => `${money(s.cost_minor, s.currency)} · ${t(`billing.freq.${s.frequency}`)}`],
            [t("billing.col.status"), (s) => (s.cancel_at_period_end && s.status === "active" ? `${t("billing.sub.active")}, ${t("billing.ends", { at: dateTime(s.current_period_end) })}` : t(`billing.sub.${s.status}`))],
            [t("billing.col.period"), (s) => `${dateTime(s.current_period_start)} – ${dateTime(s.current_period_end)}`],
            [
              "",
              (s) =>
                s.status === "active" && !s.cancel_at_period_end
                  ? actionButton(
                      t("billing.cancel_sub", { name: s.name }),
                      async () => {
                        try {
                          await api("DELETE", `/v1/billing/subscriptions/${encodeURIComponent(s.id)}`);
                        } finally {
                          await showSubscriptions();
                        }
                        return t("billing.canceled_sub", { name: s.name });
                      },
                      { status },
                    )
                  : "",
            ],
          ],
          list.subscriptions,
          { empty: t("billing.no_subscriptions"), caption: t("billing.subscriptions") },
        );
      });

    const showPayments = () =>
      load(payments, async () => {
        const list = await api("GET", "/v1/billing/payments?limit=50");
        return table(
          [
            [t("billing.col.date"), (p) => dateTime(p.settled_at || p.created_at)],
            [t("billing.col.kind"), (p) => t(`billing.kind.${p.kind}`)],
            [t("billing.col.amount"), (p) => money(p.amount_minor, p.currency)],
            [t("billing.col.status"), (p) => [t(`billing.pstatus.${p.status}`), p.detail ? h("div", { class: "muted" }, p.detail) : null]],
            [t("billing.col.reference"), (p) => p.reference || p.description || ""],
          ],
          list.payments,
          { empty: t("billing.no_payments"), caption: t("billing.payments") },
        );
      });

    const showInvoices = () =>
      load(invoices, async () => {
        const list = await api("GET", "/v1/billing/invoices");
        return table(
          [
            [t("billing.col.number"), (i) => h("strong", {}, i.number)],
            [t("billing.col.month"), (i) => i.period],
            [t("billing.col.total"), (i) => money(i.total_minor, i.currency)],
            [t("billing.col.issued"), (i) => dateTime(i.issued_at)],
            [
              "",
              (i) =>
                actionButton(
                  t("billing.download", { number: i.number }),
                  async () => {
                    const response = await api("GET", `/v1/billing/invoices/${encodeURIComponent(i.id)}/document`, undefined, { raw: true });
                    await download(response, `${i.number}.html`);
                  },
                  { status },
                ),
            ],
          ],
          list.invoices,
          { empty: t("billing.no_invoices"), caption: t("billing.invoices") },
        );
      });

    const topupForm = form(
      [field(t("billing.amount", { currency }), "amount", { inputmode: "decimal", required: true, autocomplete: "off" })],
      async (values) => {
        const minor = parseAmount(values.amount);
        if (minor === null) throw { name: "InvalidTopupAmount", message: t("billing.bad_amount") };
        const topup = await api("POST", "/v1/billing/topups", { amount_minor: minor });
        location.assign(topup.checkout_url);
        return null;
      },
      { submit: t("billing.topup_submit"), className: "narrow" },
    );

    const usageQuery = (values, format) => {
      const q = new URLSearchParams({ from: values.from, to: values.to, group_by: values.group_by });
      if (format) q.set("format", format);
      return `/v1/billing/usage?${q}`;
    };
    const groupLabel = (row, by) => (by === "day" ? row.date : by === "status" ? `${row.status.name} (${row.status.code})` : row.country);
    const usageForm = form(
      [
        h(
          "div",
          { class: "row" },
          field(t("billing.from"), "from", { type: "date", value: isoDay(-29), required: true }),
          field(t("billing.to"), "to", { type: "date", value: isoDay(0), required: true }),
          field(t("billing.group_by"), "group_by", { type: "select", value: "day", options: ["day", "status", "destination"].map((g) => [g, t(`billing.by.${g}`)]) }),
        ),
      ],
      async (values) => {
        const report = await api("GET", usageQuery(values));
        const m = (minor) => money(minor, report.currency);
        // Days (or groups) with nothing in them are left out: a month of zeros says nothing.
        const rows = report.rows.filter((r) => r.messages || r.segments || r.charged_minor || r.refunded_minor || r.spend_minor);
        fill(
          usage,
          h("p", { class: "muted" }, t("billing.zone", { zone: report.time_zone }), rows.length < report.rows.length ? ` ${t("billing.quiet_left_out")}` : ""),
          rows.length
            ? h(
                "div",
                { class: "table-wrap" },
                h(
                  "table",
                  {},
                  h("caption", {}, `${t("billing.usage")} ${report.from} – ${report.to}`),
                  h(
                    "thead",
                    {},
                    h(
                      "tr",
                      {},
                      [t("billing.col.group"), t("billing.col.messages"), t("billing.col.segments"), t("billing.col.charged"), t("billing.col.refunded"), t("billing.col.spend")].map((c) => h("th", { scope: "col" }, c)),
                    ),
                  ),
                  h(
                    "tbody",
                    {},
                    rows.map((r) => h("tr", {}, h("td", {}, groupLabel(r, report.group_by)), h("td", {}, r.messages), h("td", {}, r.segments), h("td", {}, m(r.charged_minor)), h("td", {}, m(r.refunded_minor)), h("td", {}, m(r.spend_minor)))),
                  ),
                  h(
                    "tfoot",
                    {},
                    h(
                      "tr",
                      {},
                      h("th", { scope: "row" }, t("billing.totals")),
                      h("td", {}, report.totals.messages),
                      h("td", {}, report.totals.segments),
                      h("td", {}, m(report.totals.charged_minor)),
                      h("td", {}, m(report.totals.refunded_minor)),
                      h("td", {}, m(report.totals.spend_minor)),
                    ),
                  ),
                ),
              )
            : h("p", { class: "empty" }, t("billing.no_usage")),
        );
        return null;
      },
      { submit: t("billing.show") },
    );
    const csvButton = actionButton(
      t("billing.csv"),
      async () => {
        const values = Object.fromEntries(new FormData(usageForm).entries());
        const response = await api("GET", usageQuery(values, "csv"), undefined, { raw: true });
        await download(response, `usage-${values.from}-${values.to}.csv`);
      },
      { status: usage },
    );
    usageForm.querySelector(".actions").append(csvButton);

    fill(
      main,
      h("h1", {}, t("billing.title")),
      params.id && result === "success" ? notice(t("billing.topup_success")) : null,
      params.id && result === "cancel" ? notice(t("billing.topup_cancel")) : null,
      balance,
      status,
      section(t("billing.topup"), "h-topup", h("p", { class: "muted" }, t("billing.topup_help")), topupForm),
      section(t("billing.prices"), "h-prices", h("p", { class: "muted" }, t("billing.prices_help")), prices),
      section(t("billing.packages"), "h-packages", confirmBox, packages),
      section(t("billing.subscriptions"), "h-subscriptions", subscriptions),
      section(t("billing.payments"), "h-payments", payments),
      section(t("billing.invoices"), "h-invoices", invoices),
      section(t("billing.usage"), "h-usage", usageForm, usage),
    );
    await Promise.all([showBalance(), showPrices(), showPackages(), showSubscriptions(), showPayments(), showInvoices()]);
    usageForm.requestSubmit();
  },
};
