// What the console's pages share: the operator API call (no customer account header),
// amounts typed in the currency's main unit, a key that makes a money-moving request
// count once, lists paged by the API's cursors, tabs, and a step that says what will
// happen before it is done.

import { api } from "../api.js";
import { hasDateFormat, language, money, patterned, t, words } from "../i18n.js";
import { errorBox, fill, h } from "../ui.js";

// The confirmation of money-moving actions is the portal's and the console's one way (ui.js).
export { confirmStep, idempotencyKey } from "../ui.js";
export { dayStart } from "../status.js";

words({
  en: {
    "lib.amount_invalid": "Write an amount such as 100 or 99.50.",
    "lib.price_invalid": "Write a price such as 0.35 (at most five decimals).",
    "lib.showing": "Showing {from}–{to}",
    "lib.showing_of": "Showing {from}–{to} of {total}",
    "lib.scope.all": "Everywhere",
    "lib.scope.prefix": "Numbers starting +{digits}",
    "lib.scope_field": "Destination",
    "lib.scope_hint": "* for everywhere, a country as two letters (SE), or the leading digits of numbers (4670).",
  },
  sv: {
    "lib.amount_invalid": "Skriv ett belopp som 100 eller 99,50.",
    "lib.price_invalid": "Skriv ett pris som 0,35 (högst fem decimaler).",
    "lib.showing": "Visar {from}–{to}",
    "lib.showing_of": "Visar {from}–{to} av {total}",
    "lib.scope.all": "Överallt",
    "lib.scope.prefix": "Nummer som börjar med +{digits}",
    "lib.scope_field": "Destination",
    "lib.scope_hint": "* för överallt, ett land med två bokstäver (SE) eller de inledande siffrorna i numren (4670).",
  },
});

/** An operator API call: the session's cookie and CSRF token, no X-Account-Id. */
export function call(method, path, body, options = {}) {
  return api(method, path, body, { account: false, ...options });
}

/** "1 234,50" or "1234.5" → the digits and the decimals, or null. */
function decimal(text) {
  const clean = String(text ?? "").replace(/[\s\u00a0]/g, "").replace(",", ".");
  const m = clean.match(/^(-?)(\d+)(?:\.(\d+))?$/);
  return m ? { sign: m[1] === "-" ? -1 : 1, whole: m[2], fraction: m[3] || "" } : null;
}

/**
 * An amount typed in the currency's main unit ("100", "99,50") as minor units (9950), or
 * a thrown error in words. `negative` allows a minus sign.
 */
export function toMinor(text, { negative = false } = {}) {
  const d = decimal(text);
  if (!d || d.fraction.length > 2 || (d.sign < 0 && !negative)) throw { name: "AmountInvalid", message: t("lib.amount_invalid") };
  return d.sign * (Number(d.whole) * 100 + Number(d.fraction.padEnd(2, "0")));
}

/** A unit price in the main unit ("0.35", "0,0035") as minor units with up to three decimals. */
export function priceToMinor(text) {
  const d = decimal(text);
  if (!d || d.sign < 0 || d.fraction.length > 5) throw { name: "PriceInvalid", message: t("lib.price_invalid") };
  const digits = d.fraction.padEnd(5, "0");
  return Number(`${d.whole}${digits.slice(0, 2)}.${digits.slice(2)}`);
}

/** Minor units (maybe fractional, as prices are) in the main unit for a form field. */
export function minorToInput(minor) {
  if (minor === null || minor === undefined) return "";
  const text = (minor / 100).toFixed(5).replace(/0+$/, "").replace(/\.$/, "");
  return language() === "sv" ? text.replace(".", ",") : text;
}

/** A unit price in minor units (up to three decimals) as money, e.g. "0,35 kr" / "0,0035 kr". */
export function unitPrice(minor, currency) {
  const digits = Math.min(5, Math.max(2, (String(minor).split(".")[1] || "").length + 2));
  return new Intl.NumberFormat(language() === "sv" ? "sv-SE" : "en-GB", { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: digits }).format(minor / 100);
}

export { money };

/** A date (no time) in the Settings' date format, else the page's language. */
export function date(iso) {
  if (!iso) return "";
  if (hasDateFormat()) return patterned(new Date(iso));
  return new Intl.DateTimeFormat(language() === "sv" ? "sv-SE" : "en-GB", { dateStyle: "medium" }).format(new Date(iso));
}

/**
 * A list paged by the API's cursors into `element`: `load(cursor)` answers the page's
 * {items, next_cursor, total?}; `view(items)` draws it. Previous goes back one page (a
 * stack of cursors), Next on. `ready` settles when the first page is drawn.
 */
export function pagedList(element, { load, view, pageSize }) {
  const cursors = [null];
  const show = async () => {
    fill(element, h("p", { class: "loading" }, t("common.loading")));
    let page;
    try {
      page = await load(cursors[cursors.length - 1]);
    } catch (error) {
      return fill(element, errorBox(error));
    }
    const from = (cursors.length - 1) * pageSize + 1;
    const to = from + page.items.length - 1;
    const pager =
      cursors.length > 1 || page.next_cursor
        ? h(
            "div",
            { class: "pager" },
            page.items.length ? h("span", {}, page.total !== undefined ? t("lib.showing_of", { from, to, total: page.total }) : t("lib.showing", { from, to })) : null,
            cursors.length > 1 ? h("button", { type: "button", class: "secondary", "data-page": "previous", onclick: () => (cursors.pop(), show()) }, t("common.previous")) : null,
            page.next_cursor ? h("button", { type: "button", class: "secondary", "data-page": "next", onclick: () => (cursors.push(page.next_cursor), show()) }, t("common.next")) : null,
          )
        : null;
    fill(element, view(page.items, page), pager);
  };
  const ready = show();
  return { reload: () => ((cursors.length = 1), show()), show, ready };
}

/**
 * Tabs as links (each has its own address, so a tab can be bookmarked and reloading
 * keeps it): `items` are [key, label, href]; the current one is marked.
 */
export function tabLinks(items, current, label) {
  return h(
    "nav",
    { class: "tabs", "aria-label": label },
    h(
      "ul",
      {},
      items.map(([key, text, href]) => h("li", {}, h("a", { href, "data-console-link": true, "data-tab": key, "aria-current": key === current ? "page" : null }, text))),
    ),
  );
}

/** IP allowlist text (one per line or comma-separated) as a list; empty: any address. */
export function ipList(text) {
  return String(text || "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A destination (`*`, a country `SE`, leading digits `4670`) in words: "Sweden (SE)". */
export function scopeText(scope) {
  if (scope === "*") return t("lib.scope.all");
  if (/^[A-Za-z]{2}$/.test(scope)) {
    try {
      const name = new Intl.DisplayNames([language() === "sv" ? "sv" : "en"], { type: "region" }).of(scope.toUpperCase());
      return name && name !== scope.toUpperCase() ? `${name} (${scope.toUpperCase()})` : scope.toUpperCase();
    } catch (_) {
      return scope.toUpperCase();
    }
  }
  return t("lib.scope.prefix", { digits: scope.replace(/^\+/, "") });
}

