// Client → Destinations (seed 004 "Prices"): the client's own price per SMS part for each
// destination (everywhere, a country, or numbers starting with some digits), from when and
// until when; setting a price (from now or a later day) and ending one. Destinations
// without a price of the client's own cost what the default price list says.

import { dateTime, t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section, table } from "../../ui.js";
import { hint } from "../../people.js";
import { call, dayStart, priceToMinor, scopeText, unitPrice } from "../lib.js";

words({
  en: {
    "prices.title": "Destination prices",
    "prices.help": "The client's own price for each destination. Destinations without one cost what the default price list says.",
    "prices.destination": "Destination",
    "prices.price": "Price per SMS part",
    "prices.from": "From",
    "prices.until": "Until",
    "prices.for_good": "For good",
    "prices.none": "The client has no prices of its own: the default price list applies.",
    "prices.set_title": "Set a price",
    "prices.price_field": "Price per SMS part ({currency})",
    "prices.from_field": "From (empty: now)",
    "prices.until_field": "Until (empty: for good)",
    "prices.set": "Set the price",
    "prices.set_done": "The price for {scope} is set: {price}.",
    "prices.end": "End",
    "prices.end_label": "End the price for {scope}",
    "prices.end_q": "End the price for {scope} now? The default price list applies there afterwards.",
    "prices.end_yes": "Yes, end it",
    "prices.ended": "The price for {scope} has ended.",
  },
  sv: {
    "prices.title": "Destinationspriser",
    "prices.help": "Kundens eget pris för varje destination. Destinationer utan eget pris kostar vad standardprislistan säger.",
    "prices.destination": "Destination",
    "prices.price": "Pris per SMS-del",
    "prices.from": "Från",
    "prices.until": "Till",
    "prices.for_good": "Tills vidare",
    "prices.none": "Kunden har inga egna priser: standardprislistan gäller.",
    "prices.set_title": "Sätt ett pris",
    "prices.price_field": "Pris per SMS-del ({currency})",
    "prices.from_field": "Från (tomt: nu)",
    "prices.until_field": "Till (tomt: tills vidare)",
    "prices.set": "Sätt priset",
    "prices.set_done": "Priset för {scope} är satt: {price}.",
    "prices.end": "Avsluta",
    "prices.end_label": "Avsluta priset för {scope}",
    "prices.end_q": "Avsluta priset för {scope} nu? Standardprislistan gäller där efteråt.",
    "prices.end_yes": "Ja, avsluta",
    "prices.ended": "Priset för {scope} har avslutats.",
  },
});

export default {
  async render(body, account) {
    const path = `/v1/admin/accounts/${encodeURIComponent(account.id)}/prices`;
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "price-list" });
    const show = async () => {
      const { prices } = await call("GET", path);
      const now = Date.now();
      const current = prices.filter((p) => !p.effective_to || Date.parse(p.effective_to) > now);
      fill(
        list,
        table(
          [
            [t("prices.destination"), (p) => scopeText(p.scope)],
            [t("prices.price"), (p) => unitPrice(p.per_segment_minor, p.currency)],
            [t("prices.from"), (p) => dateTime(p.effective_from)],
            [t("prices.until"), (p) => (p.effective_to ? dateTime(p.effective_to) : t("prices.for_good"))],
            [
              t("common.actions"),
              (p) =>
                askFirst(h("div", { class: "inline" }), {
                  label: t("prices.end"),
                  ariaLabel: t("prices.end_label", { scope: scopeText(p.scope) }),
                  question: t("prices.end_q", { scope: scopeText(p.scope) }),
                  yes: t("prices.end_yes"),
                  status,
                  action: async () => {
                    await call("DELETE", `${path}/${p.id}`);
                    await show();
                    fill(status, notice(t("prices.ended", { scope: scopeText(p.scope) })));
                  },
                }),
            ],
          ],
          current,
          { empty: t("prices.none"), caption: t("prices.title"), cards: true },
        ),
      );
    };
    fill(
      body,
      section(
        "prices",
        t("prices.title"),
        h("p", { class: "hint" }, t("prices.help")),
        status,
        list,
        h("h3", {}, t("prices.set_title")),
        form(
          [
            h(
              "div",
              { class: "row" },
              field(t("lib.scope_field"), "scope", { required: true, autocomplete: "off", "aria-describedby": "scope-hint" }),
              field(t("prices.price_field", { currency: account.currency }), "price", { required: true, inputmode: "decimal" }),
            ),
            hint(t("lib.scope_hint"), "scope-hint"),
            h("div", { class: "row" }, field(t("prices.from_field"), "from", { type: "date" }), field(t("prices.until_field"), "until", { type: "date" })),
          ],
          async (values, element) => {
            const scope = values.scope.trim();
            const per = priceToMinor(values.price);
            const rule = {
              scope,
              per_segment_minor: per,
            };
            const from = dayStart(values.from);
            if (from && Date.parse(from) > Date.now()) rule.effective_from = from;
            if (values.until) rule.effective_to = dayStart(values.until);
            const saved = await call("PUT", path, rule);
            element.reset();
            await show();
            return t("prices.set_done", { scope: scopeText(saved.scope), price: unitPrice(saved.per_segment_minor, saved.currency) });
          },
          { submit: t("prices.set") },
        ),
      ),
    );
    await show();
  },
};
