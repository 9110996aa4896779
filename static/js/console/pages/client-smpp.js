// Client → SMPP config (seed 004 "SMPP Credentials" and "SMPP IP"): the client's SMPP
// logins (system id) with the addresses each may bind from, a new login (its password
// shown once), and revoking one (asked first).

import { dateTime, t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section, table } from "../../ui.js";
import { hint } from "../../people.js";
import { addressList, copyButton } from "../../pages/keys.js";
import { call } from "../lib.js";

words({
  en: {
    "smpp.title": "SMPP logins",
    "smpp.help": "Logins for the client's SMPP connections. The password is shown only when the login is made.",
    "smpp.system_id": "Login name (system id)",
    "smpp.ips": "Allowed IP addresses",
    "smpp.created": "Created",
    "smpp.status": "Status",
    "smpp.active": "Active",
    "smpp.revoked": "Revoked",
    "smpp.none": "The client has no SMPP logins.",
    "smpp.new": "New SMPP login",
    "smpp.ips_hint": "Addresses or CIDR blocks, one per line or separated by commas; empty lets any address bind.",
    "smpp.create": "Create the login",
    "smpp.password_title": "The password of {system_id}",
    "smpp.password_once": "Give it to the client now: it is shown only this once.",
    "smpp.copy": "Copy the password",
    "smpp.revoke": "Revoke",
    "smpp.revoke_for": "Revoke the SMPP login {system_id}",
    "smpp.revoke_q": "Revoke {system_id}? Its connections are refused from now on.",
    "smpp.revoke_yes": "Yes, revoke",
    "smpp.revoked_done": "{system_id} is revoked.",
  },
  sv: {
    "smpp.title": "SMPP-inloggningar",
    "smpp.help": "Inloggningar för kundens SMPP-anslutningar. Lösenordet visas bara när inloggningen skapas.",
    "smpp.system_id": "Inloggningsnamn (system-id)",
    "smpp.ips": "Tillåtna IP-adresser",
    "smpp.created": "Skapad",
    "smpp.status": "Status",
    "smpp.active": "Aktiv",
    "smpp.revoked": "Återkallad",
    "smpp.none": "Kunden har inga SMPP-inloggningar.",
    "smpp.new": "Ny SMPP-inloggning",
    "smpp.ips_hint": "Adresser eller CIDR-block, en per rad eller åtskilda med komma; tomt låter alla adresser ansluta.",
    "smpp.create": "Skapa inloggningen",
    "smpp.password_title": "Lösenordet för {system_id}",
    "smpp.password_once": "Ge det till kunden nu: det visas bara den här gången.",
    "smpp.copy": "Kopiera lösenordet",
    "smpp.revoke": "Återkalla",
    "smpp.revoke_for": "Återkalla SMPP-inloggningen {system_id}",
    "smpp.revoke_q": "Återkalla {system_id}? Dess anslutningar nekas från och med nu.",
    "smpp.revoke_yes": "Ja, återkalla",
    "smpp.revoked_done": "{system_id} är återkallad.",
  },
});

export default {
  async render(body, account) {
    const base = `/v1/admin/accounts/${encodeURIComponent(account.id)}/smpp`;
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "smpp-list" });
    const created = h("div");
    const show = async () => {
      const { credentials } = await call("GET", base);
      fill(
        list,
        table(
          [
            [t("smpp.system_id"), (c) => h("code", {}, c.system_id)],
            [t("smpp.ips"), (c) => (c.allowed_ips.length ? h("ul", { class: "plain" }, c.allowed_ips.map((ip) => h("li", {}, h("code", {}, ip)))) : t("common.any_ip"))],
            [t("smpp.created"), (c) => dateTime(c.created_at)],
            [t("smpp.status"), (c) => (c.revoked_at ? h("span", { class: "badge bad" }, t("smpp.revoked")) : h("span", { class: "badge ok" }, t("smpp.active")))],
            [
              t("common.actions"),
              (c) =>
                c.revoked_at
                  ? null
                  : askFirst(h("div", { class: "inline" }), {
                      label: t("smpp.revoke"),
                      ariaLabel: t("smpp.revoke_for", { system_id: c.system_id }),
                      question: t("smpp.revoke_q", { system_id: c.system_id }),
                      yes: t("smpp.revoke_yes"),
                      status,
                      action: async () => {
                        await call("DELETE", `/v1/admin/smpp/${encodeURIComponent(c.id)}`);
                        await show();
                        fill(status, notice(t("smpp.revoked_done", { system_id: c.system_id })));
                      },
                    }),
            ],
          ],
          credentials,
          { empty: t("smpp.none"), caption: t("smpp.title"), cards: true },
        ),
      );
    };
    const newLogin = form(
      [
        field(t("smpp.system_id"), "system_id", { required: true, maxlength: "15", autocomplete: "off" }),
        field(t("smpp.ips"), "allowed_ips", { id: "f-smpp-ips", type: "textarea", class: "short", "aria-describedby": "smpp-ips-hint" }),
        hint(t("smpp.ips_hint"), "smpp-ips-hint"),
      ],
      async (values, element) => {
        const made = await call("POST", base, { system_id: values.system_id.trim(), allowed_ips: addressList(values.allowed_ips) });
        element.reset();
        fill(
          created,
          h(
            "section",
            { class: "panel secret-shown", "aria-labelledby": "smpp-pw-h" },
            h("h2", { id: "smpp-pw-h", tabindex: "-1" }, t("smpp.password_title", { system_id: made.system_id })),
            notice(t("smpp.password_once")),
            h("p", {}, h("code", { class: "secret", "data-testid": "smpp-password" }, made.password)),
            copyButton(made.password, t("smpp.copy")),
          ),
        );
        created.querySelector("h2").focus();
        await show();
      },
      { submit: t("smpp.create"), className: "narrow" },
    );
    fill(body, created, section("smpp", t("smpp.title"), h("p", { class: "hint" }, t("smpp.help")), status, list), section("smpp-new", t("smpp.new"), newLogin));
    await show();
  },
};
