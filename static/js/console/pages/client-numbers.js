// Client → Incoming SMS (seed 004 "Reception of SMS"): the numbers whose incoming SMS land
// in this client (primary or secondary), assigning one — a free number of the inventory,
// or any number typed in — and releasing one (asked first; it goes back to the inventory,
// free): those need the Numbers area (the number inventory) besides Clients.

import { dateTime, t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section, table } from "../../ui.js";
import { hint } from "../../people.js";
import { call, scopeText } from "../lib.js";

const KINDS = ["virtual", "mobile", "landline", "shortcode"];

words({
  en: {
    "nums.title": "Reception numbers",
    "nums.help": "SMS sent to these numbers arrive in the client's inbox. The first number is the primary one; further numbers need a number subscription.",
    "nums.number": "Number",
    "nums.country": "Country",
    "nums.kind": "Kind",
    "nums.role": "Role",
    "nums.since": "Since",
    "nums.none": "The client has no reception number.",
    "nums.kind.virtual": "Virtual number",
    "nums.kind.mobile": "Mobile number",
    "nums.kind.landline": "Landline number",
    "nums.kind.shortcode": "Short code",
    "nums.role.primary": "Primary",
    "nums.role.secondary": "Secondary",
    "nums.assign": "Assign a number",
    "nums.number_field": "Number",
    "nums.number_hint": "In international form (+46701234567), or a short code with its country.",
    "nums.country_field": "Country (short codes only)",
    "nums.role_auto": "Primary if it has none, else secondary",
    "nums.assign_submit": "Assign the number",
    "nums.assigned": "{number} is assigned to the client.",
    "nums.release": "Release",
    "nums.release_for": "Release {number}",
    "nums.release_q": "Release {number}? SMS to it stop arriving for this client.",
    "nums.release_yes": "Yes, release",
    "nums.released": "{number} is released.",
    "nums.from_inventory": "From the inventory",
    "nums.free_field": "Free number",
    "nums.free_none": "The inventory has no free number. Add numbers on the Numbers page, or type one below.",
    "nums.assign_free": "Assign the free number",
    "nums.or_type": "Or type a number",
  },
  sv: {
    "nums.title": "Mottagningsnummer",
    "nums.help": "SMS till de här numren kommer till kundens inkorg. Det första numret är huvudnumret; fler nummer kräver ett nummerabonnemang.",
    "nums.number": "Nummer",
    "nums.country": "Land",
    "nums.kind": "Slag",
    "nums.role": "Roll",
    "nums.since": "Sedan",
    "nums.none": "Kunden har inget mottagningsnummer.",
    "nums.kind.virtual": "Virtuellt nummer",
    "nums.kind.mobile": "Mobilnummer",
    "nums.kind.landline": "Fast nummer",
    "nums.kind.shortcode": "Kortkod",
    "nums.role.primary": "Huvudnummer",
    "nums.role.secondary": "Extranummer",
    "nums.assign": "Tilldela ett nummer",
    "nums.number_field": "Nummer",
    "nums.number_hint": "I internationell form (+46701234567), eller en kortkod med dess land.",
    "nums.country_field": "Land (bara kortkoder)",
    "nums.role_auto": "Huvudnummer om kunden saknar ett, annars extranummer",
    "nums.assign_submit": "Tilldela numret",
    "nums.assigned": "{number} är tilldelat kunden.",
    "nums.release": "Släpp",
    "nums.release_for": "Släpp {number}",
    "nums.release_q": "Släppa {number}? SMS till det kommer inte längre till den här kunden.",
    "nums.release_yes": "Ja, släpp",
    "nums.released": "{number} är släppt.",
    "nums.from_inventory": "Från nummerlagret",
    "nums.free_field": "Ledigt nummer",
    "nums.free_none": "Nummerlagret har inget ledigt nummer. Lägg till nummer på sidan Nummer, eller skriv ett nedan.",
    "nums.assign_free": "Tilldela det lediga numret",
    "nums.or_type": "Eller skriv ett nummer",
  },
});

export default {
  async render(body, account, ctx) {
    const manage = ctx.can("numbers");
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "number-list" });
    const view = (numbers) =>
      fill(
        list,
        table(
          [
            [t("nums.number"), (n) => h("code", {}, n.number)],
            [t("nums.country"), (n) => (n.country ? scopeText(n.country) : "—")],
            [t("nums.kind"), (n) => t(`nums.kind.${n.kind}`)],
            [t("nums.role"), (n) => t(`nums.role.${n.role}`)],
            [t("nums.since"), (n) => dateTime(n.created_at)],
            manage && [
              t("common.actions"),
              (n) =>
                askFirst(h("div", { class: "inline" }), {
                  label: t("nums.release"),
                  ariaLabel: t("nums.release_for", { number: n.number }),
                  question: t("nums.release_q", { number: n.number }),
                  yes: t("nums.release_yes"),
                  status,
                  action: async () => {
                    await call("DELETE", `/v1/admin/numbers/${encodeURIComponent(n.number)}`);
                    await show();
                    fill(status, notice(t("nums.released", { number: n.number })));
                  },
                }),
            ],
          ].filter(Boolean),
          numbers,
          { empty: t("nums.none"), caption: t("nums.title"), cards: true },
        ),
      );
    const free = h("div", { id: "free-numbers" });
    // Up to 100 free numbers of the inventory to pick from (the Numbers page has them all).
    const showFree = async () => {
      if (!manage) return;
      const { numbers } = await call("GET", "/v1/admin/number-inventory?status=free&limit=100");
      if (!numbers.length) return fill(free, h("p", { class: "hint" }, t("nums.free_none")));
      const label = (n) => [n.number, n.country, t(`nums.kind.${n.kind}`), n.region || n.area_code].filter(Boolean).join(" · ");
      fill(
        free,
        form(
          [
            h(
              "div",
              { class: "row" },
              field(t("nums.free_field"), "number", { id: "free-number", type: "select", value: numbers[0].number, options: numbers.map((n) => [n.number, label(n)]) }),
              field(t("nums.role"), "role", { id: "free-role", type: "select", value: "", options: [["", t("nums.role_auto")], ["primary", t("nums.role.primary")], ["secondary", t("nums.role.secondary")]] }),
            ),
          ],
          async (values) => {
            const request = { number: values.number, account_id: account.id };
            if (values.role) request.role = values.role;
            const answer = await call("POST", "/v1/admin/numbers", request);
            view(answer.numbers);
            await showFree();
            fill(status, notice(t("nums.assigned", { number: request.number })));
          },
          { submit: t("nums.assign_free") },
        ),
      );
    };
    const show = async () => {
      view((await call("GET", `/v1/admin/accounts/${encodeURIComponent(account.id)}/numbers`)).numbers);
      await showFree();
    };
    const assign = form(
      [
        field(t("nums.number_field"), "number", { required: true, inputmode: "tel", autocomplete: "off", "aria-describedby": "num-hint" }),
        hint(t("nums.number_hint"), "num-hint"),
        h(
          "div",
          { class: "row" },
          field(t("nums.kind"), "kind", { type: "select", value: "virtual", options: KINDS.map((k) => [k, t(`nums.kind.${k}`)]) }),
          field(t("nums.role"), "role", { type: "select", value: "", options: [["", t("nums.role_auto")], ["primary", t("nums.role.primary")], ["secondary", t("nums.role.secondary")]] }),
          field(t("nums.country_field"), "country", { maxlength: "2", autocomplete: "off" }),
        ),
      ],
      async (values, element) => {
        const request = { number: values.number.trim(), account_id: account.id, kind: values.kind };
        if (values.role) request.role = values.role;
        if (values.country?.trim()) request.country = values.country.trim().toUpperCase();
        const answer = await call("POST", "/v1/admin/numbers", request);
        element.reset();
        view(answer.numbers);
        await showFree();
        return t("nums.assigned", { number: request.number });
      },
      { submit: t("nums.assign_submit") },
    );
    fill(
      body,
      section("numbers", t("nums.title"), h("p", { class: "hint" }, t("nums.help")), status, list),
      manage ? section("number-new", t("nums.assign"), h("h3", {}, t("nums.from_inventory")), free, h("h3", {}, t("nums.or_type")), assign) : null,
    );
    await show();
  },
};
