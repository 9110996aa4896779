// Two-factor set-up for a staff member who has none yet (staff must have it: every
// operator endpoint answers TwoFactorRequired until it is on). The portal's identity
// endpoints do the work: the password starts it (/v1/me/2fa), the app's first code
// confirms it (/v1/me/2fa/confirm) and gives the recovery codes, shown once, to copy or
// download.

import { api } from "../../api.js";
import { t, words } from "../../i18n.js";
import { field, fill, form, h } from "../../ui.js";
import { enrolmentCode, recoveryCodes } from "../../two-factor.js";

words({
  en: {
    "enrol.title": "Set up two-factor authentication",
    "enrol.why": "Staff sign in with a password and a code from an authenticator app on their phone. Set it up once now; the console opens when it is done.",
    "enrol.password": "Your password",
    "enrol.begin": "Continue",
    "enrol.scan": "Scan the QR code with your authenticator app, or type the key into it. Then enter the 6-digit code the app shows.",
    "enrol.code": "Code from the app",
    "enrol.confirm": "Turn on two-factor authentication",
    "enrol.codes_note": "Two-factor authentication is on. Each recovery code works once instead of a code from the app, should you lose your phone. Keep them somewhere safe: they are shown only now.",
    "enrol.done": "I have kept them: open the console",
  },
  sv: {
    "enrol.title": "Ställ in tvåstegsverifiering",
    "enrol.why": "Personal loggar in med lösenord och en kod från en autentiseringsapp i telefonen. Ställ in det en gång nu; konsolen öppnas när det är klart.",
    "enrol.password": "Ditt lösenord",
    "enrol.begin": "Fortsätt",
    "enrol.scan": "Skanna QR-koden med din autentiseringsapp, eller skriv in nyckeln i den. Ange sedan den sexsiffriga kod som appen visar.",
    "enrol.code": "Kod från appen",
    "enrol.confirm": "Slå på tvåstegsverifiering",
    "enrol.codes_note": "Tvåstegsverifiering är på. Varje återställningskod fungerar en gång i stället för en kod från appen, om du skulle tappa telefonen. Spara dem på ett säkert ställe: de visas bara nu.",
    "enrol.done": "Jag har sparat dem: öppna konsolen",
  },
});

export default {
  title: "enrol.title",
  async render(main, _params, ctx) {
    if (ctx.me.two_factor_enabled) return ctx.navigate("/console");
    const confirmStep = (begun) => {
      fill(
        main,
        h("h1", {}, t("enrol.title")),
        h("p", {}, t("enrol.scan")),
        enrolmentCode(begun),
        form(
          [field(t("enrol.code"), "code", { inputmode: "numeric", autocomplete: "one-time-code", required: true })],
          async (values) => {
            const answer = await api("POST", "/v1/me/2fa/confirm", { code: values.code.replace(/\s+/g, "") }, { account: false });
            fill(main, h("h1", {}, t("enrol.title")), recoveryCodes(answer.recovery_codes, { note: t("enrol.codes_note"), doneText: t("enrol.done"), done: () => ctx.navigate("/console") }));
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
