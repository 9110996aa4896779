// Client → API config (seed 004 "API token" and "API IP"): the client's API keys with what
// each may do and the addresses it may be used from, a new key (shown once), changing a
// key's allowed addresses, and revoking a key (asked first). The portal's keys page's
// words and pieces are reused (pages/keys.js).

import { dateTime, t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section, table } from "../../ui.js";
import { hint } from "../../people.js";
import { addressList, copyButton } from "../../pages/keys.js";
import { call } from "../lib.js";

const SCOPES = ["messages:send", "messages:read", "contacts", "inbound", "account"];

words({
  en: {
    "capi.help": "Keys let the client's own systems use the API. A key is shown only when it is made; only a hash of it is kept.",
    "capi.ips_edit": "Change addresses",
    "capi.ips_edit_for": "Change the allowed addresses of {name}",
    "capi.ips_saved": "The allowed addresses of {name} are saved.",
  },
  sv: {
    "capi.help": "Nycklar låter kundens egna system använda API:t. En nyckel visas bara när den skapas; bara en hash av den sparas.",
    "capi.ips_edit": "Ändra adresser",
    "capi.ips_edit_for": "Ändra de tillåtna adresserna för {name}",
    "capi.ips_saved": "De tillåtna adresserna för {name} är sparade.",
  },
});

export default {
  async render(body, account) {
    const base = `/v1/admin/accounts/${encodeURIComponent(account.id)}/keys`;
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "key-list" });
    const created = h("div");

    const ipsEditor = (key) =>
      h(
        "details",
        { class: "inline-edit" },
        h("summary", { "aria-label": t("capi.ips_edit_for", { name: key.name }) }, t("capi.ips_edit")),
        form(
          [field(t("keys.ips"), "allowed_ips", { id: `ips-${key.id}`, type: "textarea", class: "short", "aria-describedby": `ips-hint-${key.id}` }), hint(t("keys.new_ips_hint"), `ips-hint-${key.id}`)],
          async (values) => {
            await call("PATCH", `/v1/admin/keys/${encodeURIComponent(key.id)}`, { allowed_ips: addressList(values.allowed_ips) });
            await show();
            fill(status, notice(t("capi.ips_saved", { name: key.name })));
          },
        ),
      );

    const show = async () => {
      const { keys } = await call("GET", base);
      fill(
        list,
        table(
          [
            [t("keys.name"), (k) => k.name],
            [t("keys.hint"), (k) => h("code", {}, k.hint)],
            [t("keys.scopes"), (k) => h("ul", { class: "plain" }, k.scopes.map((s) => h("li", {}, t(`scope.${s}`))))],
            [t("keys.ips"), (k) => (k.allowed_ips.length ? h("ul", { class: "plain" }, k.allowed_ips.map((ip) => h("li", {}, h("code", {}, ip)))) : t("keys.any_ip"))],
            [t("keys.created"), (k) => dateTime(k.created_at)],
            [t("keys.status"), (k) => (k.revoked_at ? h("span", { class: "badge bad" }, `${t("keys.revoked")} ${dateTime(k.revoked_at)}`) : h("span", { class: "badge ok" }, t("keys.active")))],
            [
              t("keys.actions"),
              (k) => {
                if (k.revoked_at) return null;
                const revoke = h("div", { class: "inline" });
                askFirst(revoke, {
                  label: t("keys.revoke"),
                  ariaLabel: t("keys.revoke_for", { name: k.name }),
                  question: t("keys.revoke_confirm", { name: k.name }),
                  yes: t("keys.revoke_yes"),
                  status,
                  action: async () => {
                    await call("DELETE", `/v1/admin/keys/${encodeURIComponent(k.id)}`);
                    await show();
                    return t("keys.revoked_done", { name: k.name });
                  },
                });
                const editor = ipsEditor(k);
                const area = editor.querySelector("textarea");
                area.textContent = k.allowed_ips.join("\n");
                return h("div", { class: "row-actions" }, revoke, editor);
              },
            ],
          ],
          keys,
          { empty: t("keys.none"), caption: t("keys.list"), cards: true },
        ),
      );
    };

    const scopeBoxes = h(
      "fieldset",
      { class: "checks" },
      h("legend", {}, t("keys.new_scopes")),
      SCOPES.map((scope) => h("div", { class: "check" }, h("input", { type: "checkbox", id: `scope-${scope}`, name: "scope", value: scope, checked: true }), h("label", { for: `scope-${scope}` }, t(`scope.${scope}`)))),
    );
    const newKey = form(
      [
        field(t("keys.new_name"), "name", { required: true, maxlength: "100", autocomplete: "off" }),
        scopeBoxes,
        field(t("keys.new_ips"), "allowed_ips", { id: "f-new-ips", type: "textarea", class: "short", "aria-describedby": "new-ips-hint" }),
        hint(t("keys.new_ips_hint"), "new-ips-hint"),
      ],
      async (values, element) => {
        const scopes = [...element.querySelectorAll('input[name="scope"]:checked')].map((i) => i.value);
        if (!scopes.length) throw { name: "InvalidScope", message: t("keys.no_scope") };
        const key = await call("POST", base, { name: values.name.trim(), scopes, allowed_ips: addressList(values.allowed_ips) });
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
        await show();
      },
      { submit: t("keys.create") },
    );
    fill(body, created, section("api-keys", t("keys.title"), h("p", { class: "hint" }, t("capi.help")), status, list), section("new-key", t("keys.new"), newKey));
    await show();
  },
};
