// Login (seed 000): e-mail and password, then — when two-factor authentication is on — the
// code from the authenticator app or a recovery code.

import { api, setCsrf } from "../api.js";
import { ctx, navigate } from "../app.js";
import { t, words } from "../i18n.js";
import { field, fill, form, h } from "../ui.js";

words({
  en: {
    "login.title": "Log in",
    "login.email": "E-mail address",
    "login.password": "Password",
    "login.submit": "Log in",
    "login.forgot": "Forgot your password?",
    "login.signup": "New here? Create an account",
    "login.2fa.title": "Two-factor authentication",
    "login.2fa.help": "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
    "login.2fa.code": "Code",
    "login.2fa.recovery": "Use a recovery code instead",
    "login.2fa.recovery_code": "Recovery code",
    "login.2fa.submit": "Verify",
  },
  sv: {
    "login.title": "Logga in",
    "login.email": "E-postadress",
    "login.password": "Lösenord",
    "login.submit": "Logga in",
    "login.forgot": "Glömt lösenordet?",
    "login.signup": "Ny här? Skapa ett konto",
    "login.2fa.title": "Tvåstegsverifiering",
    "login.2fa.help": "Ange den sexsiffriga koden från din autentiseringsapp, eller en av dina återställningskoder.",
    "login.2fa.code": "Kod",
    "login.2fa.recovery": "Använd en återställningskod i stället",
    "login.2fa.recovery_code": "Återställningskod",
    "login.2fa.submit": "Verifiera",
  },
});

function next() {
  const wanted = new URLSearchParams(location.search).get("next");
  return wanted && wanted.startsWith("/") && !wanted.startsWith("//") ? wanted : "/";
}

function secondStep(main) {
  let recovery = false;
  const render = () => {
    const input = recovery
      ? field(t("login.2fa.recovery_code"), "recovery_code", { autocomplete: "off", required: true })
      : field(t("login.2fa.code"), "code", { inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9 ]*", required: true });
    fill(
      main,
      h("h1", {}, t("login.2fa.title")),
      h("p", {}, t("login.2fa.help")),
      form(
        [input],
        async (values) => {
          const answer = await api("POST", "/v1/auth/login/2fa", recovery ? { recovery_code: values.recovery_code } : { code: values.code }, { account: false });
          setCsrf(answer.csrf_token);
          navigate(next());
        },
        { submit: t("login.2fa.submit"), className: "narrow" },
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
        recovery ? t("login.2fa.code") : t("login.2fa.recovery"),
      ),
    );
    main.querySelector("input")?.focus();
  };
  render();
}

export default {
  title: "login.title",
  async render(main) {
    fill(
      main,
      h("h1", {}, t("login.title")),
      form(
        [
          field(t("login.email"), "email", { type: "email", autocomplete: "username", required: true }),
          field(t("login.password"), "password", { type: "password", autocomplete: "current-password", required: true }),
        ],
        async (values) => {
          const answer = await api("POST", "/v1/auth/login", { email: values.email, password: values.password }, { account: false });
          setCsrf(answer.csrf_token);
          if (answer.two_factor_required) return secondStep(main);
          navigate(next());
        },
        { submit: t("login.submit"), className: "narrow" },
      ),
      h("p", {}, h("a", { href: "/reset", "data-link": true }, t("login.forgot"))),
      ctx.site?.signup_enabled ? h("p", {}, h("a", { href: "/signup", "data-link": true, id: "signup-link" }, t("login.signup"))) : null,
    );
    main.querySelector("input")?.focus();
  },
};
