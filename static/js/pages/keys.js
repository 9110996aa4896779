// API keys of the current account (admins): the list with scopes, IP allowlists and
// whether each is revoked; a new key (name, scopes, allowed addresses) shown once with a
// copy button; revoking a key.

import { api } from "../api.js";
import { dateTime, t, words } from "../i18n.js";
import { askFirst, errorBox, field, fill, form, h, notice } from "../ui.js";
import { hint } from "../people.js";

const SCOPES = ["messages:send", "messages:read", "contacts", "inbound", "account"];

words({
  en: {
    "keys.title": "API keys",
    "keys.help": "Keys let your own systems use the API for {account}. A key is shown only when it is made; only a hash of it is kept.",
    "keys.list": "Keys",
    "keys.name": "Name",
    "keys.hint": "Starts with",
    "keys.scopes": "Scopes",
    "keys.ips": "Allowed IP addresses",
    "keys.any_ip": "Any",
    "keys.created": "Created",
    "keys.revoked": "Revoked",
    "keys.status": "Status",
    "keys.active": "Active",
    "keys.actions": "Actions",
    "keys.revoke": "Revoke",
    "keys.revoke_for": "Revoke: {name}",
    "keys.revoke_confirm": "Revoke {name}? Systems using it stop working at once.",
    "keys.revoke_yes": "Yes, revoke the key",
    "keys.revoked_done": "{name} is revoked.",
    "keys.none": "This account has no API keys yet.",
    "keys.new": "New API key",
    "keys.new_name": "Name of the key",
    "keys.new_scopes": "What the key may do",
    "keys.new_ips": "Allowed IP addresses (optional)",
    "keys.new_ips_hint": "Addresses or CIDR blocks, one per line or separated by commas; empty lets any address use the key.",
    "keys.create": "Create key",
    "keys.created_title": "Your new key",
    "keys.shown_once": "Copy the key now and keep it safe: it is shown only this once.",
    "keys.copy": "Copy the key",
    "keys.copied": "Copied.",
    "keys.copy_failed": "Copying did not work; select the key and copy it yourself.",
    "keys.no_scope": "Choose at least one thing the key may do.",
    "scope.messages:send": "Send and cancel SMS",
    "scope.messages:read": "Read messages and their status",
    "scope.contacts": "Contacts, groups and blocklist",
    "scope.inbound": "Inbox, numbers and keywords",
    "scope.account": "Account settings, billing and history",
  },
  sv: {
    "keys.title": "API-nycklar",
    "keys.help": "Nycklar låter dina egna system använda API:t för {account}. En nyckel visas bara när den skapas; bara en hash av den sparas.",
    "keys.list": "Nycklar",
    "keys.name": "Namn",
    "keys.hint": "Börjar med",
    "keys.scopes": "Behörigheter",
    "keys.ips": "Tillåtna IP-adresser",
    "keys.any_ip": "Alla",
    "keys.created": "Skapad",
    "keys.revoked": "Återkallad",
    "keys.status": "Status",
    "keys.active": "Aktiv",
    "keys.actions": "Åtgärder",
    "keys.revoke": "Återkalla",
    "keys.revoke_for": "Återkalla: {name}",
    "keys.revoke_confirm": "Återkalla {name}? System som använder den slutar fungera direkt.",
    "keys.revoke_yes": "Ja, återkalla nyckeln",
    "keys.revoked_done": "{name} är återkallad.",
    "keys.none": "Kontot har inga API-nycklar ännu.",
    "keys.new": "Ny API-nyckel",
    "keys.new_name": "Nyckelns namn",
    "keys.new_scopes": "Vad nyckeln får göra",
    "keys.new_ips": "Tillåtna IP-adresser (valfritt)",
    "keys.new_ips_hint": "Adresser eller CIDR-block, en per rad eller åtskilda med komma; tomt låter alla adresser använda nyckeln.",
    "keys.create": "Skapa nyckel",
    "keys.created_title": "Din nya nyckel",
    "keys.shown_once": "Kopiera nyckeln nu och förvara den säkert: den visas bara den här gången.",
    "keys.copy": "Kopiera nyckeln",
    "keys.copied": "Kopierad.",
    "keys.copy_failed": "Kopieringen fungerade inte; markera nyckeln och kopiera den själv.",
    "keys.no_scope": "Välj minst en sak som nyckeln får göra.",
    "scope.messages:send": "Skicka och avbryta SMS",
    "scope.messages:read": "Läsa meddelanden och deras status",
    "scope.contacts": "Kontakter, grupper och spärrlista",
    "scope.inbound": "Inkorg, nummer och nyckelord",
    "scope.account": "Kontoinställningar, fakturering och historik",
  },
});

/** "a, b\nc" → ["a", "b", "c"], or null when empty. */
export function addressList(text) {
  const list = (text || "").split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  return list.length ? list : null;
}

/** A copy button for a secret shown once. */
export function copyButton(text, label) {
  const said = h("span", { role: "status", class: "copy-status" });
  return h(
    "span",
    { class: "copy" },
    h(
      "button",
      {
        type: "button",
        class: "secondary small",
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(text);
            fill(said, t("keys.copied"));
          } catch (_) {
            fill(said, t("keys.copy_failed"));
          }
        },
      },
      label || t("keys.copy"),
    ),
    said,
  );
}

export default {
  title: "keys.title",
  async render(main, _params, ctx) {
    const account = ctx.account;
    const path = `/v1/accounts/${encodeURIComponent(account.id)}/keys`;
    const status = h("div");
    const list = h("div");
    const created = h("div");

    const showList = async () => {
      let keys;
      try {
        ({ keys } = await api("GET", path, undefined, { account: false }));
      } catch (error) {
        return fill(list, errorBox(error));
      }
      if (!keys.length) return fill(list, h("p", { class: "empty" }, t("keys.none")));
      const row = (key) => {
        const actions = h("td", { class: "row-actions" });
        if (!key.revoked_at)
          askFirst(actions, {
            label: t("keys.revoke"),
            ariaLabel: t("keys.revoke_for", { name: key.name }),
            question: t("keys.revoke_confirm", { name: key.name }),
            yes: t("keys.revoke_yes"),
            status,
            action: async () => {
              await api("DELETE", `${path}/${encodeURIComponent(key.id)}`, undefined, { account: false });
              await showList();
              return t("keys.revoked_done", { name: key.name });
            },
          });
        return h(
          "tr",
          { class: key.revoked_at ? "revoked" : null, "data-key": key.id },
          h("td", {}, key.name),
          h("td", {}, h("code", {}, key.hint)),
          h("td", {}, h("ul", { class: "plain" }, key.scopes.map((s) => h("li", { title: t(`scope.${s}`) }, h("code", {}, s))))),
          h("td", {}, key.allowed_ips.length ? h("ul", { class: "plain" }, key.allowed_ips.map((ip) => h("li", {}, h("code", {}, ip)))) : t("keys.any_ip")),
          h("td", {}, dateTime(key.created_at)),
          h("td", {}, key.revoked_at ? h("span", { class: "badge bad" }, `${t("keys.revoked")} ${dateTime(key.revoked_at)}`) : h("span", { class: "badge ok" }, t("keys.active"))),
          actions,
        );
      };
      fill(
        list,
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            {},
            h("caption", { class: "visually-hidden" }, t("keys.list")),
            h("thead", {}, h("tr", {}, [t("keys.name"), t("keys.hint"), t("keys.scopes"), t("keys.ips"), t("keys.created"), t("keys.status"), t("keys.actions")].map((x) => h("th", { scope: "col" }, x)))),
            h("tbody", {}, keys.map(row)),
          ),
        ),
      );
    };

    const scopeBoxes = h(
      "fieldset",
      { class: "checks" },
      h("legend", {}, t("keys.new_scopes")),
      SCOPES.map((scope) =>
        h("div", { class: "check" }, h("input", { type: "checkbox", id: `scope-${scope}`, name: "scope", value: scope, checked: true }), h("label", { for: `scope-${scope}` }, `${t(`scope.${scope}`)} (${scope})`)),
      ),
    );
    const newKey = form(
      [
        field(t("keys.new_name"), "name", { required: true, maxlength: "100", autocomplete: "off" }),
        scopeBoxes,
        field(t("keys.new_ips"), "allowed_ips", { type: "textarea", rows: "3", "aria-describedby": "ips-hint", class: "short" }),
        hint(t("keys.new_ips_hint"), "ips-hint"),
      ],
      async (values, element) => {
        const scopes = [...element.querySelectorAll('input[name="scope"]:checked')].map((i) => i.value);
        if (!scopes.length) throw { name: "InvalidScope", message: t("keys.no_scope") };
        const key = await api("POST", path, { name: values.name.trim(), scopes, allowed_ips: addressList(values.allowed_ips) }, { account: false });
        element.reset();
        fill(
          created,
          h(
            "section",
            { class: "panel secret-shown", "aria-labelledby": "new-key-h" },
            h("h2", { id: "new-key-h", tabindex: "-1" }, t("keys.created_title"), `: ${key.name}`),
            notice(t("keys.shown_once")),
            h("p", {}, h("code", { class: "secret", "data-testid": "new-key" }, key.key)),
            copyButton(key.key),
          ),
        );
        created.querySelector("h2").focus();
        await showList();
      },
      { submit: t("keys.create") },
    );

    fill(
      main,
      h("h1", {}, t("keys.title")),
      h("p", {}, t("keys.help", { account: `${account.name} (${account.id})` })),
      created,
      status,
      list,
      h("section", { class: "panel", "aria-labelledby": "new-h" }, h("h2", { id: "new-h" }, t("keys.new")), newKey),
    );
    await showList();
  },
};
