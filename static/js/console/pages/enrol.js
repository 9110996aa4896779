// Two-factor set-up for a staff member who has none yet (staff must have it: every
// operator endpoint answers TwoFactorRequired until it is on). The portal's identity
// endpoints do the work: the password starts it (/v1/me/2fa), the app's first code
// confirms it (/v1/me/2fa/confirm) and gives the recovery codes, shown once, to copy or
// download.

import { api } from "../../api.js";
import { t, words } from "../../i18n.js";
import { field, fill, form, h, notice } from "../../ui.js";
import { qrSvg } from "../../qr.js";

words({
  en: {
    "enrol.title": "Set up two-factor authentication",
    "enrol.why": "Staff sign in with a password and a code from an authenticator app on their phone. Set it up once now; the console opens when it is done.",
    "enrol.password": "Your password",
    "enrol.begin": "Continue",
    "enrol.scan": "Scan the QR code with your authenticator app, or type the key into it. Then enter the 6-digit code the app shows.",
    "enrol.qr": "QR code for the authenticator app",
    "enrol.secret": "Key",
    "enrol.code": "Code from the app",
    "enrol.confirm": "Turn on two-factor authentication",
    "enrol.codes_title": "Your recovery codes",
    "enrol.codes_note": "Two-factor authentication is on. Each recovery code works once instead of a code from the app, should you lose your phone. Keep them somewhere safe: they are shown only now.",
    "enrol.copy": "Copy the codes",
    "enrol.copied": "Copied.",
    "enrol.download": "Download as a text file",
    "enrol.done": "I have kept them: open the console",
  },
  sv: {
    "enrol.title": "Ställ in tvåstegsverifiering",
    "enrol.why": "Personal loggar in med lösenord och en kod från en autentiseringsapp i telefonen. Ställ in det en gång nu; konsolen öppnas när det är klart.",
    "enrol.password": "Ditt lösenord",
    "enrol.begin": "Fortsätt",
    "enrol.scan": "Skanna QR-koden med din autentiseringsapp, eller skriv in nyckeln i den. Ange sedan den sexsiffriga kod som appen visar.",
    "enrol.qr": "QR-kod för autentiseringsappen",
    "enrol.secret": "Nyckel",
    "enrol.code": "Kod från appen",
    "enrol.confirm": "Slå på tvåstegsverifiering",
    "enrol.codes_title": "Dina återställningskoder",
    "enrol.codes_note": "Tvåstegsverifiering är på. Varje återställningskod fungerar en gång i stället för en kod från appen, om du skulle tappa telefonen. Spara dem på ett säkert ställe: de visas bara nu.",
    "enrol.copy": "Kopiera koderna",
    "enrol.copied": "Kopierat.",
    "enrol.download": "Ladda ner som textfil",
    "enrol.done": "Jag har sparat dem: öppna konsolen",
  },
});

/** The recovery codes, with Copy and Download (a text file made in the page). */
function recoveryCodes(codes, done) {
  const status = h("div", { "aria-live": "polite" });
  const text = codes.join("\n") + "\n";
  const download = h("a", { class: "button secondary", download: "smsedge-recovery-codes.txt", href: URL.createObjectURL(new Blob([text], { type: "text/plain" })) }, t("enrol.download"));
  return h(
    "div",
    { class: "codes" },
    h("h2", {}, t("enrol.codes_title")),
    notice(t("enrol.codes_note")),
    h("pre", { class: "secret", "data-testid": "recovery-codes" }, codes.join("\n")),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(text);
              fill(status, notice(t("enrol.copied")));
            } catch (_) {
              const selection = getSelection();
              selection.selectAllChildren(document.querySelector("[data-testid=recovery-codes]"));
            }
          },
        },
        t("enrol.copy"),
      ),
      download,
      h("button", { type: "button", id: "enrol-done", onclick: done }, t("enrol.done")),
    ),
    status,
  );
}

export default {
  title: "enrol.title",
  async render(main, _params, ctx) {
    if (ctx.me.two_factor_enabled) return ctx.navigate("/console");
    const confirmStep = (begun) => {
      fill(
        main,
        h("h1", {}, t("enrol.title")),
        h("p", {}, t("enrol.scan")),
        h("div", { class: "qr-box" }, qrSvg(begun.provisioning_uri, t("enrol.qr"))),
        h("dl", { class: "facts" }, h("dt", {}, t("enrol.secret")), h("dd", {}, h("code", { class: "secret", "data-testid": "totp-secret" }, begun.secret))),
        form(
          [field(t("enrol.code"), "code", { inputmode: "numeric", autocomplete: "one-time-code", required: true })],
          async (values) => {
            const answer = await api("POST", "/v1/me/2fa/confirm", { code: values.code.replace(/\s+/g, "") }, { account: false });
            fill(main, h("h1", {}, t("enrol.title")), recoveryCodes(answer.recovery_codes, () => ctx.navigate("/console")));
            main.querySelector("pre").focus?.();
          },
          { submit: t("enrol.confirm"), className: "narrow" },
        ),
      );
      main.querySelector("input")?.focus();
    };
    fill(
      main,
      h("h1", {}, t("enrol.title")),
      h("p", {}, t("enrol.why")),
      form(
        [field(t("enrol.password"), "password", { type: "password", autocomplete: "current-password", required: true })],
        async (values) => confirmStep(await api("POST", "/v1/me/2fa", { password: values.password }, { account: false })),
        { submit: t("enrol.begin"), className: "narrow" },
      ),
    );
    main.querySelector("input")?.focus();
  },
};
