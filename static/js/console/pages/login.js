// Console sign-in: the portal's identity (e-mail and password, then the code from the
// authenticator app or a recovery code when two-factor is on). A staff member without
// two-factor yet is taken to set it up (enrol.js) by the shell.

import { api, setCsrf } from "../../api.js";
import { t, words } from "../../i18n.js";
import { field, fill, form, h } from "../../ui.js";
import { navigate } from "../app.js";

words({
  en: {
    "clogin.title": "Staff sign-in",
    "clogin.intro": "The operator console is for the platform's staff. Customers sign in to the portal.",
    "clogin.email": "E-mail address",
    "clogin.password": "Password",
    "clogin.submit": "Sign in",
    "clogin.2fa.title": "Two-factor authentication",
    "clogin.2fa.help": "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
    "clogin.2fa.code": "Code from the app",
    "clogin.2fa.use_recovery": "Use a recovery code instead",
    "clogin.2fa.use_code": "Use a code from the app instead",
    "clogin.2fa.recovery_code": "Recovery code",
    "clogin.2fa.submit": "Verify",
  },
  sv: {
    "clogin.title": "Inloggning för personal",
    "clogin.intro": "Operatörskonsolen är till för plattformens personal. Kunder loggar in i portalen.",
    "clogin.email": "E-postadress",
    "clogin.password": "Lösenord",
    "clogin.submit": "Logga in",
    "clogin.2fa.title": "Tvåstegsverifiering",
    "clogin.2fa.help": "Ange den sexsiffriga koden från din autentiseringsapp, eller en av dina återställningskoder.",
    "clogin.2fa.code": "Kod från appen",
    "clogin.2fa.use_recovery": "Använd en återställningskod i stället",
    "clogin.2fa.use_code": "Använd en kod från appen i stället",
    "clogin.2fa.recovery_code": "Återställningskod",
    "clogin.2fa.submit": "Verifiera",
  },
});

function next() {
  const wanted = new URLSearchParams(location.search).get("next");
  return wanted && /^\/console(\/|$|\?)/.test(wanted) ? wanted : "/console";
}

function secondStep(main) {
  let recovery = false;
  const render = () => {
    const input = recovery
      ? field(t("clogin.2fa.recovery_code"), "recovery_code", { autocomplete: "off", required: true })
      : field(t("clogin.2fa.code"), "code", { inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9 ]*", required: true });
    fill(
      main,
      h("h1", {}, t("clogin.2fa.title")),
      h("p", {}, t("clogin.2fa.help")),
      form(
        [input],
        async (values) => {
          const body = recovery ? { recovery_code: values.recovery_code.trim() } : { code: values.code.replace(/\s+/g, "") };
          const answer = await api("POST", "/v1/auth/login/2fa", body, { account: false });
          setCsrf(answer.csrf_token);
          navigate(next());
        },
        { submit: t("clogin.2fa.submit"), className: "narrow" },
      ),
      h(
        "button",
        {
          class: "link",
          type: "button",
          onclick: () => {
            recovery = !recovery;
            render();
          },
        },
        recovery ? t("clogin.2fa.use_code") : t("clogin.2fa.use_recovery"),
      ),
    );
    main.querySelector("input")?.focus();
  };
  render();
}

export default {
  title: "clogin.title",
  async render(main) {
    fill(
      main,
      h("h1", {}, t("clogin.title")),
      h("p", { class: "hint" }, t("clogin.intro")),
      form(
        [
          field(t("clogin.email"), "email", { type: "email", autocomplete: "username", required: true }),
          field(t("clogin.password"), "password", { type: "password", autocomplete: "current-password", required: true }),
        ],
        async (values) => {
          const answer = await api("POST", "/v1/auth/login", { email: values.email, password: values.password }, { account: false });
          setCsrf(answer.csrf_token);
          if (answer.two_factor_required) return secondStep(main);
          navigate(next());
        },
        { submit: t("clogin.submit"), className: "narrow" },
      ),
    );
    main.querySelector("input")?.focus();
  },
};
