// Client → Payments (seed 004 "Payments" and "Invoices"): the payments log (card top-ups,
// the operator's top-ups, bank payments, credit notes and corrections), money in or taken
// back (each says what will happen, with the balance before and after, and asks before it
// is done; the request carries an Idempotency-Key made for that confirmation, so a second
// click or a retry credits once), and the client's invoices (issuing one for a month that
// has ended).

import { dateTime, t, words } from "../../i18n.js";
import { field, fill, form, h, section, table } from "../../ui.js";
import { hint } from "../../people.js";
import { call, confirmStep, idempotencyKey, money, pagedList, toMinor } from "../lib.js";

const PAGE = 20;
const KINDS = ["credit_note", "topup", "payment", "correction"];

words({
  en: {
    "pay.title": "Payments log",
    "pay.none": "No payments yet.",
    "pay.when": "When",
    "pay.kind": "What",
    "pay.amount": "Amount",
    "pay.status": "Status",
    "pay.reference": "Reference",
    "pay.description": "Description",
    "pay.kind.stripe_topup": "Card top-up",
    "pay.kind.topup": "Top-up",
    "pay.kind.payment": "Bank payment",
    "pay.kind.credit_note": "Credit note",
    "pay.kind.correction": "Deduction of an incorrect payment",
    "pay.status.pending": "Waiting for the card payment",
    "pay.status.paid": "Paid",
    "pay.status.failed": "Failed",
    "pay.status.mismatch": "Paid a different amount: not credited",
    "pay.status.recorded": "Recorded",
    "pay.money_title": "Add or take back money",
    "pay.money_help": "A credit note or top-up adds to the balance; a bank payment records money received (its reference once only); a deduction takes back a payment that was wrong.",
    "pay.what": "What",
    "pay.amount_field": "Amount ({currency})",
    "pay.reference_field": "Reference",
    "pay.reference_hint": "A bank payment needs the transfer's reference. A credit note gets a number if left empty.",
    "pay.corrects_field": "Payment to deduct from",
    "pay.description_field": "Description (shown to the client)",
    "pay.continue": "Continue",
    "pay.no_correctable": "There is no top-up or payment to deduct from.",
    "pay.q.credit_note": "Add a credit note of {amount} to {name}?",
    "pay.q.topup": "Top up {name} with {amount}?",
    "pay.q.payment": "Record a bank payment of {amount} from {name}?",
    "pay.q.correction": "Deduct {amount} from {name}?",
    "pay.q.balance": "The balance goes from {before} to {after}.",
    "pay.q.reference": "Reference: {reference}.",
    "pay.q.corrects": "It corrects: {payment}.",
    "pay.q.once": "This is done once, even if the button is pressed again.",
    "pay.yes.credit_note": "Yes, add the credit note",
    "pay.yes.topup": "Yes, top up",
    "pay.yes.payment": "Yes, record the payment",
    "pay.yes.correction": "Yes, deduct",
    "pay.done": "Done: {what} of {amount}. The balance is now {balance}.",
    "inv.title": "Invoices",
    "inv.none": "No invoices yet.",
    "inv.number": "Invoice",
    "inv.period": "Month",
    "inv.total": "Total",
    "inv.charges": "Charges",
    "inv.credits": "Credits",
    "inv.issued": "Issued",
    "inv.issue_title": "Issue an invoice",
    "inv.period_field": "Month (YYYY-MM)",
    "inv.issue": "Issue the invoice",
    "inv.issued_done": "Invoice {number} is issued.",
  },
  sv: {
    "pay.title": "Betalningslogg",
    "pay.none": "Inga betalningar ännu.",
    "pay.when": "När",
    "pay.kind": "Vad",
    "pay.amount": "Belopp",
    "pay.status": "Status",
    "pay.reference": "Referens",
    "pay.description": "Beskrivning",
    "pay.kind.stripe_topup": "Kortpåfyllning",
    "pay.kind.topup": "Påfyllning",
    "pay.kind.payment": "Bankbetalning",
    "pay.kind.credit_note": "Kreditnota",
    "pay.kind.correction": "Avdrag för en felaktig betalning",
    "pay.status.pending": "Väntar på kortbetalningen",
    "pay.status.paid": "Betald",
    "pay.status.failed": "Misslyckades",
    "pay.status.mismatch": "Annat belopp betalt: inte krediterat",
    "pay.status.recorded": "Registrerad",
    "pay.money_title": "Lägg till eller dra tillbaka pengar",
    "pay.money_help": "En kreditnota eller påfyllning ökar saldot; en bankbetalning registrerar mottagna pengar (referensen bara en gång); ett avdrag tar tillbaka en betalning som blev fel.",
    "pay.what": "Vad",
    "pay.amount_field": "Belopp ({currency})",
    "pay.reference_field": "Referens",
    "pay.reference_hint": "En bankbetalning behöver överföringens referens. En kreditnota får ett nummer om fältet lämnas tomt.",
    "pay.corrects_field": "Betalning att dra av från",
    "pay.description_field": "Beskrivning (visas för kunden)",
    "pay.continue": "Fortsätt",
    "pay.no_correctable": "Det finns ingen påfyllning eller betalning att dra av från.",
    "pay.q.credit_note": "Lägga till en kreditnota på {amount} hos {name}?",
    "pay.q.topup": "Fylla på {name} med {amount}?",
    "pay.q.payment": "Registrera en bankbetalning på {amount} från {name}?",
    "pay.q.correction": "Dra av {amount} från {name}?",
    "pay.q.balance": "Saldot går från {before} till {after}.",
    "pay.q.reference": "Referens: {reference}.",
    "pay.q.corrects": "Det rättar: {payment}.",
    "pay.q.once": "Det görs en gång, även om knappen trycks igen.",
    "pay.yes.credit_note": "Ja, lägg till kreditnotan",
    "pay.yes.topup": "Ja, fyll på",
    "pay.yes.payment": "Ja, registrera betalningen",
    "pay.yes.correction": "Ja, dra av",
    "pay.done": "Klart: {what} på {amount}. Saldot är nu {balance}.",
    "inv.title": "Fakturor",
    "inv.none": "Inga fakturor ännu.",
    "inv.number": "Faktura",
    "inv.period": "Månad",
    "inv.total": "Totalt",
    "inv.charges": "Avgifter",
    "inv.credits": "Krediteringar",
    "inv.issued": "Utfärdad",
    "inv.issue_title": "Utfärda en faktura",
    "inv.period_field": "Månad (ÅÅÅÅ-MM)",
    "inv.issue": "Utfärda fakturan",
    "inv.issued_done": "Faktura {number} är utfärdad.",
  },
});

function paymentText(p) {
  return `${t(`pay.kind.${p.kind}`)} ${money(p.amount_minor, p.currency)}, ${dateTime(p.created_at)} (${p.reference})`;
}

export default {
  async render(body, account, _ctx, reloadProfile) {
    const base = `/v1/admin/accounts/${encodeURIComponent(account.id)}`;
    let balance = account.balance_minor;
    const log = h("div", { id: "payments-log" });
    const moneyBox = h("div", { id: "money-box" });
    const moneyStatus = h("div", { "aria-live": "polite" });
    const invoices = h("div", { id: "invoice-list" });
    let correctable = [];

    const logList = pagedList(log, {
      pageSize: PAGE,
      load: async (cursor) => {
        const query = new URLSearchParams({ limit: PAGE });
        if (cursor) query.set("cursor", cursor);
        const page = await call("GET", `${base}/payments?${query}`);
        return { items: page.payments, next_cursor: page.next_cursor };
      },
      view: (payments) =>
        table(
          [
            [t("pay.when"), (p) => dateTime(p.created_at)],
            [t("pay.kind"), (p) => t(`pay.kind.${p.kind}`)],
            [t("pay.amount"), (p) => money(p.amount_minor, p.currency)],
            [t("pay.status"), (p) => t(`pay.status.${p.status}`)],
            [t("pay.reference"), (p) => h("code", { class: "id" }, p.reference)],
            [t("pay.description"), (p) => p.description],
          ],
          payments,
          { empty: t("pay.none"), caption: t("pay.title"), cards: true },
        ),
    });

    const loadCorrectable = async () => {
      const page = await call("GET", `${base}/payments?limit=100`);
      correctable = page.payments.filter((p) => ["topup", "payment", "stripe_topup"].includes(p.kind) && ["paid", "recorded"].includes(p.status) && p.amount_minor > 0);
    };

    const moneyForm = () => {
      const kindSelect = field(t("pay.what"), "kind", { type: "select", value: "credit_note", options: KINDS.map((k) => [k, t(`pay.kind.${k}`)]) });
      const corrects = h("div", { class: "hidden", id: "corrects-box" });
      const element = form(
        [
          kindSelect,
          corrects,
          field(t("pay.amount_field", { currency: account.currency }), "amount", { required: true, inputmode: "decimal" }),
          field(t("pay.reference_field"), "reference", { autocomplete: "off", "aria-describedby": "reference-hint" }),
          hint(t("pay.reference_hint"), "reference-hint"),
          field(t("pay.description_field"), "description", { autocomplete: "off" }),
        ],
        async (values) => {
          const kind = values.kind;
          const amount = toMinor(values.amount);
          if (amount <= 0) throw { name: "AmountInvalid", message: t("lib.amount_invalid") };
          const signed = kind === "correction" ? -amount : amount;
          const request = { kind, amount_minor: signed };
          if (values.reference?.trim()) request.reference = values.reference.trim();
          if (values.description?.trim()) request.description = values.description.trim();
          const corrected = kind === "correction" ? correctable.find((p) => p.id === values.corrects) : null;
          if (kind === "correction") {
            if (!corrected) throw { name: "NothingToCorrect", message: t("pay.no_correctable") };
            request.corrects = corrected.id;
          }
          // One key per confirmation: pressing Yes twice (or a retry) is the same request.
          const key = idempotencyKey();
          const amountText = money(amount, account.currency);
          confirmStep(moneyBox, {
            question: t(`pay.q.${kind}`, { amount: amountText, name: account.name }),
            details: [
              t("pay.q.balance", { before: money(balance, account.currency), after: money(balance + signed, account.currency) }),
              request.reference ? t("pay.q.reference", { reference: request.reference }) : null,
              corrected ? t("pay.q.corrects", { payment: paymentText(corrected) }) : null,
              t("pay.q.once"),
            ].filter(Boolean),
            yes: t(`pay.yes.${kind}`),
            status: moneyStatus,
            cancelled: () => showForm(),
            action: async () => {
              const done = await call("POST", `${base}/credits`, request, { headers: { "idempotency-key": key } });
              balance = done.balance_minor;
              await reloadProfile(t("pay.done", { what: t(`pay.kind.${kind}`), amount: amountText, balance: money(done.balance_minor, account.currency) }));
            },
          });
        },
        { submit: t("pay.continue") },
      );
      const select = element.querySelector("select[name=kind]");
      const update = () => {
        const correction = select.value === "correction";
        corrects.classList.toggle("hidden", !correction);
        fill(
          corrects,
          correction
            ? correctable.length
              ? field(t("pay.corrects_field"), "corrects", { type: "select", options: correctable.map((p) => [p.id, paymentText(p)]) })
              : h("p", { class: "warning" }, t("pay.no_correctable"))
            : null,
        );
      };
      select.addEventListener("change", update);
      update();
      return element;
    };
    const showForm = () => {
      fill(moneyBox, moneyForm());
    };

    const showInvoices = async () => {
      const { invoices: rows } = await call("GET", `${base}/invoices`);
      fill(
        invoices,
        table(
          [
            [t("inv.number"), (i) => i.number],
            [t("inv.period"), (i) => i.period],
            [t("inv.charges"), (i) => money(i.charges_minor, i.currency)],
            [t("inv.credits"), (i) => money(i.credits_minor, i.currency)],
            [t("inv.total"), (i) => money(i.total_minor, i.currency)],
            [t("inv.issued"), (i) => dateTime(i.issued_at)],
          ],
          rows,
          { empty: t("inv.none"), caption: t("inv.title"), cards: true },
        ),
      );
    };

    await loadCorrectable();
    showForm();
    fill(
      body,
      section("money", t("pay.money_title"), h("p", { class: "hint" }, t("pay.money_help")), moneyStatus, moneyBox),
      section("payments", t("pay.title"), log),
      section(
        "invoices",
        t("inv.title"),
        invoices,
        h("h3", {}, t("inv.issue_title")),
        form(
          [field(t("inv.period_field"), "period", { required: true, placeholder: "2026-10", pattern: "[0-9]{4}-[0-9]{2}" })],
          async (values, element) => {
            const issued = await call("POST", `${base}/invoices`, { period: values.period.trim() });
            element.reset();
            await showInvoices();
            return t("inv.issued_done", { number: issued.number || issued.invoice?.number || "" });
          },
          { submit: t("inv.issue"), className: "narrow" },
        ),
      ),
    );
    await Promise.all([logList.ready, showInvoices()]);
  },
};

