// Sign up (seed 003 "Domains": customer self-signup on a white-label domain): the company,
// one's name and e-mail address; the e-mailed link confirms the address and lets one choose a
// password (the invitation page). On a host that takes no signups the page says so.

import { api } from "../api.js";
import { ctx } from "../app.js";
import { language, t, words } from "../i18n.js";
import { field, fill, form, h } from "../ui.js";

words({
  en: {
    "signup.title": "Create an account",
    "signup.intro": "Create an account with {brand}. We e-mail you a link: open it, choose a password, and you are in.",
    "signup.company": "Company",
    "signup.name": "Your name",
    "signup.email": "E-mail address",
    "signup.submit": "Create the account",
    "signup.sent_title": "Check your e-mail",
    "signup.sent": "We sent a link to {email}. Open it within seven days to choose your password. No e-mail? Check the spam folder.",
    "signup.closed": "This site does not take new accounts. Contact your provider to get one.",
    "signup.have_user": "Already have a user? Log in",
  },
  sv: {
    "signup.title": "Skapa ett konto",
    "signup.intro": "Skapa ett konto hos {brand}. Vi mejlar en länk: öppna den, välj ett lösenord, så är du igång.",
    "signup.company": "Företag",
    "signup.name": "Ditt namn",
    "signup.email": "E-postadress",
    "signup.submit": "Skapa kontot",
    "signup.sent_title": "Titta i din e-post",
    "signup.sent": "Vi har skickat en länk till {email}. Öppna den inom sju dygn för att välja ditt lösenord. Inget mejl? Titta i skräpposten.",
    "signup.closed": "Den här webbplatsen tar inte emot nya konton. Kontakta din leverantör för att få ett.",
    "signup.have_user": "Har du redan en användare? Logga in",
  },
});

export default {
  title: "signup.title",
  public: true,
  async render(main) {
    const site = ctx.site;
    const login = h("p", {}, h("a", { href: "/login", "data-link": true }, t("signup.have_user")));
    if (!site?.signup_enabled) {
      return fill(main, h("h1", {}, t("signup.title")), h("p", { id: "signup-closed" }, t("signup.closed")), login);
    }
    fill(
      main,
      h("h1", {}, t("signup.title")),
      h("p", {}, t("signup.intro", { brand: site.brand_name })),
      form(
        [
          field(t("signup.company"), "company", { required: true, maxlength: "100", autocomplete: "organization" }),
          field(t("signup.name"), "name", { required: true, maxlength: "100", autocomplete: "name" }),
          field(t("signup.email"), "email", { type: "email", required: true, autocomplete: "email" }),
        ],
        async (values) => {
          const email = values.email.trim();
          await api("POST", "/v1/auth/signup", { company: values.company.trim(), name: values.name.trim(), email, language: language() }, { account: false });
          fill(main, h("h1", {}, t("signup.sent_title")), h("p", { id: "signup-sent" }, t("signup.sent", { email })), login);
        },
        { submit: t("signup.submit"), className: "narrow" },
      ),
      login,
    );
    main.querySelector("input")?.focus();
  },
};
