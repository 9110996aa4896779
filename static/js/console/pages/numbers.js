// Numbers (issue 18, area Numbers): the operator's number inventory — every number the
// platform holds, free or assigned to a client, counted by country and kind; filters
// (country, kind, free/assigned, the number's start), in pages; adding numbers (one or a
// list, with the same terms); assigning a free number to a client (picked by a search),
// releasing an assigned one and removing a free one, each asked first. On a phone each
// number is a card.

import { dateTime, t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section } from "../../ui.js";
import { hint } from "../../people.js";
import { CURRENCIES } from "./client-new.js";
import { call, money, pagedList, scopeText, toMinor } from "../lib.js";

const PAGE = 50;
export const KINDS = ["virtual", "mobile", "landline", "shortcode"];

words({
  en: {
    "inv.title": "Numbers",
    "inv.nongeo": "Non-geographic (+800…)",
    "inv.kind.virtual": "Virtual number",
    "inv.kind.mobile": "Mobile number",
    "inv.kind.landline": "Landline number",
    "inv.kind.shortcode": "Short code",
    "inv.help": "Every number the platform holds: free ones can be assigned to a client, assigned ones receive SMS for their client. Releasing a number returns it here, free.",
    "inv.counts": "Held numbers",
    "inv.count.country": "Country",
    "inv.count.kind": "Kind",
    "inv.count.free": "Free",
    "inv.count.assigned": "Assigned",
    "inv.counts_none": "The inventory is empty.",
    "inv.filter": "Filter",
    "inv.f.country": "Country",
    "inv.f.country_hint": "Two letters, e.g. SE; empty for all.",
    "inv.f.kind": "Kind",
    "inv.f.status": "Status",
    "inv.f.q": "Number starts with",
    "inv.all": "All",
    "inv.apply": "Show",
    "inv.list": "The inventory",
    "inv.none": "No numbers match.",
    "inv.number": "Number",
    "inv.country": "Country",
    "inv.status": "Status",
    "inv.status.free": "Free",
    "inv.status.assigned": "Assigned",
    "inv.client": "Client",
    "inv.area": "Area",
    "inv.price": "Monthly price",
    "inv.added": "Added",
    "inv.added_by": "by {name}",
    "inv.role.primary": "primary",
    "inv.role.secondary": "secondary",
    "inv.assign": "Assign",
    "inv.assign_for": "Assign {number} to a client",
    "inv.find_client": "Find a client",
    "inv.find": "Find",
    "inv.pick_client": "Client",
    "inv.no_clients": "No client matches.",
    "inv.role": "Role",
    "inv.role_auto": "Primary if the client has none, else secondary",
    "inv.assign_submit": "Assign the number",
    "inv.assigned": "{number} is assigned to {client}.",
    "inv.release": "Release",
    "inv.release_for": "Release {number}",
    "inv.release_q": "Release {number} from {client}? SMS to it stop arriving for the client; the number stays here, free.",
    "inv.release_yes": "Yes, release",
    "inv.released": "{number} is released and free.",
    "inv.remove": "Remove",
    "inv.remove_for": "Remove {number}",
    "inv.remove_q": "Remove {number} from the inventory? The platform no longer holds it.",
    "inv.remove_yes": "Yes, remove",
    "inv.removed": "{number} is removed from the inventory.",
    "inv.add": "Add numbers",
    "inv.a.numbers": "Numbers",
    "inv.a.numbers_hint": "One or more, one per line or separated by commas: international form (+46701234567), or short codes with their country.",
    "inv.a.country": "Country (short codes only)",
    "inv.a.kind": "Kind",
    "inv.a.kind_auto": "Virtual (short code for short codes)",
    "inv.a.area_code": "Area code (optional)",
    "inv.a.area_hint": "Digits without the leading 0: 8 for Stockholm.",
    "inv.a.region": "Region (optional)",
    "inv.a.price": "Monthly price for customers (optional)",
    "inv.a.currency": "Currency",
    "inv.a.note": "Note (optional)",
    "inv.a.submit": "Add the numbers",
    "inv.a.added_one": "1 number is added, free.",
    "inv.a.added": "{n} numbers are added, free.",
  },
  sv: {
    "inv.title": "Nummer",
    "inv.nongeo": "Icke-geografiskt (+800…)",
    "inv.kind.virtual": "Virtuellt nummer",
    "inv.kind.mobile": "Mobilnummer",
    "inv.kind.landline": "Fast nummer",
    "inv.kind.shortcode": "Kortkod",
    "inv.help": "Alla nummer som plattformen har: lediga kan tilldelas en kund, tilldelade tar emot SMS åt sin kund. Ett nummer som släpps kommer tillbaka hit, ledigt.",
    "inv.counts": "Nummer i lager",
    "inv.count.country": "Land",
    "inv.count.kind": "Slag",
    "inv.count.free": "Lediga",
    "inv.count.assigned": "Tilldelade",
    "inv.counts_none": "Nummerlagret är tomt.",
    "inv.filter": "Filtrera",
    "inv.f.country": "Land",
    "inv.f.country_hint": "Två bokstäver, t.ex. SE; tomt för alla.",
    "inv.f.kind": "Slag",
    "inv.f.status": "Status",
    "inv.f.q": "Numret börjar med",
    "inv.all": "Alla",
    "inv.apply": "Visa",
    "inv.list": "Nummerlagret",
    "inv.none": "Inga nummer matchar.",
    "inv.number": "Nummer",
    "inv.country": "Land",
    "inv.status": "Status",
    "inv.status.free": "Ledigt",
    "inv.status.assigned": "Tilldelat",
    "inv.client": "Kund",
    "inv.area": "Område",
    "inv.price": "Månadspris",
    "inv.added": "Tillagt",
    "inv.added_by": "av {name}",
    "inv.role.primary": "huvudnummer",
    "inv.role.secondary": "extranummer",
    "inv.assign": "Tilldela",
    "inv.assign_for": "Tilldela {number} till en kund",
    "inv.find_client": "Sök en kund",
    "inv.find": "Sök",
    "inv.pick_client": "Kund",
    "inv.no_clients": "Ingen kund matchar.",
    "inv.role": "Roll",
    "inv.role_auto": "Huvudnummer om kunden saknar ett, annars extranummer",
    "inv.assign_submit": "Tilldela numret",
    "inv.assigned": "{number} är tilldelat {client}.",
    "inv.release": "Släpp",
    "inv.release_for": "Släpp {number}",
    "inv.release_q": "Släppa {number} från {client}? SMS till det kommer inte längre till kunden; numret blir kvar här, ledigt.",
    "inv.release_yes": "Ja, släpp",
    "inv.released": "{number} är släppt och ledigt.",
    "inv.remove": "Ta bort",
    "inv.remove_for": "Ta bort {number}",
    "inv.remove_q": "Ta bort {number} ur nummerlagret? Plattformen har då inte längre numret.",
    "inv.remove_yes": "Ja, ta bort",
    "inv.removed": "{number} är borttaget ur nummerlagret.",
    "inv.add": "Lägg till nummer",
    "inv.a.numbers": "Nummer",
    "inv.a.numbers_hint": "Ett eller flera, ett per rad eller åtskilda med komma: internationell form (+46701234567), eller kortkoder med sitt land.",
    "inv.a.country": "Land (bara kortkoder)",
    "inv.a.kind": "Slag",
    "inv.a.kind_auto": "Virtuellt (kortkod för kortkoder)",
    "inv.a.area_code": "Riktnummer (valfritt)",
    "inv.a.area_hint": "Siffror utan inledande 0: 8 för Stockholm.",
    "inv.a.region": "Region (valfritt)",
    "inv.a.price": "Månadspris för kunder (valfritt)",
    "inv.a.currency": "Valuta",
    "inv.a.note": "Anteckning (valfritt)",
    "inv.a.submit": "Lägg till numren",
    "inv.a.added_one": "1 nummer är tillagt, ledigt.",
    "inv.a.added": "{n} nummer är tillagda, lediga.",
  },
});

/** The API's per-entry details (English sentences) as just the numbers they are about. */
export function numbersOnly(error) {
  if (error && Array.isArray(error.details) && error.details.length) {
    error.details = error.details.map((d) => ({ message: d.value ?? "" }));
  }
  return error;
}

function kindName(kind) {
  return t(`inv.kind.${kind}`);
}

/** "Sweden (SE)"; libphonenumber's 001 is the non-geographic numbers (+800…). */
function countryName(country) {
  return country === "001" ? t("inv.nongeo") : scopeText(country);
}

/** A client picker: a search over the clients list and a select of what it found. */
function clientPicker(prefix, canList) {
  const select = h("select", { id: `${prefix}-client`, name: "account_id", required: true });
  const found = h("div", { class: "hint", "aria-live": "polite" });
  let latest = 0;
  const search = async () => {
    const mine = ++latest;
    const query = new URLSearchParams({ sort: "name", order: "asc", limit: 25 });
    if (input.value.trim()) query.set("q", input.value.trim());
    const { accounts } = await call("GET", `/v1/admin/accounts?${query}`);
    // A slower earlier search must not replace the answer to a later one.
    if (mine !== latest) return;
    fill(select, accounts.map((a) => h("option", { value: a.id }, `${a.name} (${a.id})`)));
    fill(found, accounts.length ? null : t("inv.no_clients"));
  };
  const input = h("input", {
    type: "search",
    id: `${prefix}-find`,
    autocomplete: "off",
    onkeydown: (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        search();
      }
    },
  });
  if (!canList) {
    // Without the Clients area the list cannot be searched: the client ID is typed.
    return { element: field(t("inv.pick_client"), "account_id", { id: `${prefix}-client`, required: true, autocomplete: "off" }), open: () => {} };
  }
  const element = h(
    "div",
    {},
    h("div", { class: "field" }, h("label", { for: `${prefix}-find` }, t("inv.find_client")), h("div", { class: "search-row" }, input, h("button", { type: "button", class: "secondary", onclick: search }, t("inv.find")))),
    h("div", { class: "field" }, h("label", { for: `${prefix}-client` }, t("inv.pick_client")), select),
    found,
  );
  // The first clients are read when the picker is first opened, not for every row drawn.
  let opened = false;
  const open = () => {
    if (!opened) search().catch(() => {});
    opened = true;
  };
  return { element, open };
}

export default {
  title: "inv.title",
  async render(main, _params, ctx) {
    const params = new URLSearchParams(location.search);
    const state = { country: params.get("country") || "", kind: params.get("kind") || "", status: params.get("status") || "", q: params.get("q") || "" };
    const status = h("div", { "aria-live": "polite" });
    const counts = h("div", { id: "inventory-counts" });
    const list = h("div", { id: "inventory-list" });

    const showCounts = (rows) =>
      fill(
        counts,
        rows.length
          ? h(
              "div",
              { class: "table-wrap as-cards" },
              h(
                "table",
                {},
                h("caption", {}, t("inv.counts")),
                h("thead", {}, h("tr", {}, ["inv.count.country", "inv.count.kind", "inv.count.free", "inv.count.assigned"].map((k) => h("th", { scope: "col" }, t(k))))),
                h(
                  "tbody",
                  {},
                  rows.map((c) =>
                    h(
                      "tr",
                      { "data-count": `${c.country}-${c.kind}` },
                      h("td", { "data-label": t("inv.count.country") }, countryName(c.country)),
                      h("td", { "data-label": t("inv.count.kind") }, kindName(c.kind)),
                      h("td", { "data-label": t("inv.count.free"), class: "number", "data-free": String(c.free) }, String(c.free)),
                      h("td", { "data-label": t("inv.count.assigned"), class: "number", "data-assigned": String(c.assigned) }, String(c.assigned)),
                    ),
                  ),
                ),
              ),
            )
          : h("p", { class: "empty" }, t("inv.counts_none")),
      );

    const actions = (n) => {
      if (n.status === "assigned") {
        return askFirst(h("div", { class: "inline" }), {
          label: t("inv.release"),
          ariaLabel: t("inv.release_for", { number: n.number }),
          question: t("inv.release_q", { number: n.number, client: n.account_name || n.account_id }),
          yes: t("inv.release_yes"),
          status,
          action: async () => {
            await call("DELETE", `/v1/admin/numbers/${encodeURIComponent(n.number)}`);
            await reload();
            fill(status, notice(t("inv.released", { number: n.number })));
          },
        });
      }
      const assign = h("button", { type: "button", class: "secondary small", "aria-label": t("inv.assign_for", { number: n.number }), onclick: () => openAssign(n) }, t("inv.assign"));
      const remove = askFirst(h("div", { class: "inline" }), {
        label: t("inv.remove"),
        ariaLabel: t("inv.remove_for", { number: n.number }),
        question: t("inv.remove_q", { number: n.number }),
        yes: t("inv.remove_yes"),
        status,
        action: async () => {
          await call("DELETE", `/v1/admin/number-inventory/${encodeURIComponent(n.number)}`);
          await reload();
          fill(status, notice(t("inv.removed", { number: n.number })));
        },
      });
      return h("div", { class: "row-actions" }, assign, remove);
    };

    // Kind and note under the number, so the table fits beside the menu without scrolling.
    // Assigning opens one panel above the list (a form in a table cell would be cramped).
    const assignPanel = h("div", { id: "inventory-assign" });
    const openAssign = (n) => {
      const picker = clientPicker("assign", ctx.can("customers"));
      fill(
        assignPanel,
        h(
          "div",
          { class: "panel", role: "group", "aria-labelledby": "assign-h" },
          h("h3", { id: "assign-h" }, t("inv.assign_for", { number: n.number })),
          form(
            [
              picker.element,
              field(t("inv.role"), "role", { id: "assign-role", type: "select", value: "", options: [["", t("inv.role_auto")], ["primary", t("inv.role.primary")], ["secondary", t("inv.role.secondary")]] }),
            ],
            async (values) => {
              const request = { number: n.number, account_id: values.account_id.trim() };
              if (values.role) request.role = values.role;
              await call("POST", "/v1/admin/numbers", request);
              const client = document.getElementById("assign-client")?.selectedOptions?.[0]?.textContent || request.account_id;
              fill(assignPanel);
              await reload();
              fill(status, notice(t("inv.assigned", { number: n.number, client })));
            },
            { submit: t("inv.assign_submit") },
          ),
          h("button", { type: "button", class: "link", onclick: () => fill(assignPanel) }, t("common.cancel")),
        ),
      );
      picker.open();
      assignPanel.querySelector("input, select")?.focus();
    };

    const columns = [
      ["inv.number", (n) => [h("code", {}, n.number), h("div", { class: "hint" }, kindName(n.kind)), n.note ? h("div", { class: "hint note" }, n.note) : null]],
      ["inv.country", (n) => countryName(n.country)],
      [
        "inv.status",
        (n) =>
          n.status === "free"
            ? h("span", { class: "badge ok" }, t("inv.status.free"))
            : h("span", { class: "badge pending" }, t("inv.status.assigned")),
      ],
      [
        "inv.client",
        (n) =>
          n.account_id
            ? [
                ctx.can("customers") ? h("a", { href: `/console/clients/${encodeURIComponent(n.account_id)}/incoming`, "data-console-link": true }, n.account_name || n.account_id) : n.account_name || n.account_id,
                n.role ? h("div", { class: "hint" }, t(`inv.role.${n.role}`)) : null,
              ]
            : "—",
      ],
      ["inv.area", (n) => [n.area_code, n.region].filter(Boolean).join(" · ") || "—"],
      ["inv.price", (n) => (n.monthly_price_minor !== null ? money(n.monthly_price_minor, n.currency) : "—")],
      ["inv.added", (n) => [dateTime(n.created_at), n.added_by ? h("div", { class: "hint" }, t("inv.added_by", { name: n.added_by })) : null]],
      ["common.actions", actions],
    ];
    const view = (numbers) =>
      numbers.length
        ? h(
            "div",
            { class: "table-wrap as-cards" },
            h(
              "table",
              {},
              h("caption", {}, t("inv.list")),
              h("thead", {}, h("tr", {}, columns.map(([key]) => h("th", { scope: "col" }, t(key))))),
              h("tbody", {}, numbers.map((n) => h("tr", { "data-number": n.number, "data-status": n.status }, columns.map(([key, cell]) => h("td", { "data-label": t(key) }, cell(n)))))),
            ),
          )
        : h("p", { class: "empty" }, t("inv.none"));

    let paged;
    const reload = async () => {
      const query = new URLSearchParams(Object.entries(state).filter(([, v]) => v));
      history.replaceState(null, "", location.pathname + (query.toString() ? `?${query}` : ""));
      paged = pagedList(list, {
        pageSize: PAGE,
        load: async (cursor) => {
          const q = new URLSearchParams(query);
          q.set("limit", PAGE);
          if (cursor) q.set("cursor", cursor);
          const page = await call("GET", `/v1/admin/number-inventory?${q}`);
          showCounts(page.counts);
          return { items: page.numbers, next_cursor: page.next_cursor, total: page.total };
        },
        view,
      });
      await paged.ready;
    };

    const filters = form(
      [
        h(
          "div",
          { class: "row" },
          field(t("inv.f.country"), "country", { id: "inv-country", value: state.country, maxlength: "3", autocomplete: "off", "aria-describedby": "inv-country-hint" }),
          field(t("inv.f.kind"), "kind", { id: "inv-kind", type: "select", value: state.kind, options: [["", t("inv.all")], ...KINDS.map((k) => [k, kindName(k)])] }),
          field(t("inv.f.status"), "status", { id: "inv-status", type: "select", value: state.status, options: [["", t("inv.all")], ["free", t("inv.status.free")], ["assigned", t("inv.status.assigned")]] }),
          field(t("inv.f.q"), "q", { id: "inv-q", value: state.q, inputmode: "tel", autocomplete: "off" }),
        ),
        hint(t("inv.f.country_hint"), "inv-country-hint"),
      ],
      async (values) => {
        Object.assign(state, { country: values.country.trim().toUpperCase(), kind: values.kind, status: values.status, q: values.q.trim() });
        await reload();
      },
      { submit: t("inv.apply"), className: "filters" },
    );

    const add = form(
      [
        field(t("inv.a.numbers"), "numbers", { id: "inv-new-numbers", type: "textarea", rows: "4", required: true, autocomplete: "off", "aria-describedby": "inv-new-hint" }),
        hint(t("inv.a.numbers_hint"), "inv-new-hint"),
        h(
          "div",
          { class: "row" },
          field(t("inv.a.kind"), "kind", { id: "inv-new-kind", type: "select", value: "", options: [["", t("inv.a.kind_auto")], ...KINDS.map((k) => [k, kindName(k)])] }),
          field(t("inv.a.country"), "country", { id: "inv-new-country", maxlength: "2", autocomplete: "off" }),
        ),
        h(
          "div",
          { class: "row" },
          field(t("inv.a.area_code"), "area_code", { id: "inv-new-area", inputmode: "numeric", maxlength: "6", autocomplete: "off", "aria-describedby": "inv-new-area-hint" }),
          field(t("inv.a.region"), "region", { id: "inv-new-region", maxlength: "60", autocomplete: "off" }),
        ),
        hint(t("inv.a.area_hint"), "inv-new-area-hint"),
        h(
          "div",
          { class: "row" },
          field(t("inv.a.price"), "price", { id: "inv-new-price", inputmode: "decimal", autocomplete: "off" }),
          field(t("inv.a.currency"), "currency", { id: "inv-new-currency", type: "select", value: "SEK", options: CURRENCIES.map((c) => [c, c]) }),
        ),
        field(t("inv.a.note"), "note", { id: "inv-new-note", maxlength: "500", autocomplete: "off" }),
      ],
      async (values, element) => {
        const numbers = values.numbers.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean);
        const request = { numbers };
        for (const name of ["kind", "area_code", "region", "note"]) if (values[name]?.trim()) request[name] = values[name].trim();
        if (values.country?.trim()) request.country = values.country.trim().toUpperCase();
        if (values.price?.trim()) {
          request.monthly_price_minor = toMinor(values.price);
          request.currency = values.currency;
        }
        let answer;
        try {
          answer = await call("POST", "/v1/admin/number-inventory", request);
        } catch (error) {
          throw numbersOnly(error);
        }
        element.reset();
        await reload();
        return answer.added.length === 1 ? t("inv.a.added_one") : t("inv.a.added", { n: answer.added.length });
      },
      { submit: t("inv.a.submit") },
    );

    fill(
      main,
      h("h1", {}, t("inv.title")),
      h("p", { class: "hint" }, t("inv.help")),
      section("inventory-overview", t("inv.counts"), counts),
      section("inventory-filter", t("inv.filter"), filters),
      section("inventory", t("inv.list"), status, assignPanel, list),
      section("inventory-new", t("inv.add"), add),
    );
    await reload();
  },
};
