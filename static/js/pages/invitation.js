// An invitation (public, /invitation?token=…): the invited person sets their password and
// may correct their name, then logs in.

import { api } from "../api.js";
import { t, words } from "../i18n.js";
import { errorBox, field, fill, form, h, notice } from "../ui.js";
import { hint } from "../people.js";

words({
  en: {
    "invitation.title": "Welcome to smsedge",
    "invitation.help": "You have been given access to an account. Choose a password to log in with.",
    "invitation.name": "Your name (optional, if it should be corrected)",
    "invitation.password": "Choose a password",
    "invitation.repeat": "The password again",
    "invitation.mismatch": "The password and its repetition differ.",
    "invitation.submit": "Set password",
    "invitation.no_token": "This link lacks its code. Open the link from the invitation e-mail again.",
    "invitation.done": "Your password is set. Log in with your e-mail address and the new password.",
    "invitation.login": "Log in now",
  },
  sv: {
    "invitation.title": "Välkommen till smsedge",
    "invitation.help": "Du har fått åtkomst till ett konto. Välj ett lösenord att logga in med.",
    "invitation.name": "Ditt namn (valfritt, om det ska rättas)",
    "invitation.password": "Välj ett lösenord",
    "invitation.repeat": "Lösenordet igen",
    "invitation.mismatch": "Lösenordet och upprepningen skiljer sig åt.",
    "invitation.submit": "Spara lösenordet",
    "invitation.no_token": "Länken saknar sin kod. Öppna länken i inbjudan igen.",
    "invitation.done": "Ditt lösenord är sparat. Logga in med din e-postadress och det nya lösenordet.",
    "invitation.login": "Logga in nu",
  },
});

export default {
  title: "invitation.title",
  async render(main) {
    const token = new URLSearchParams(location.search).get("token");
    if (!token) return fill(main, h("h1", {}, t("invitation.title")), errorBox({ name: "InvalidToken", message: t("invitation.no_token") }));
    fill(
      main,
      h("h1", {}, t("invitation.title")),
      h("p", {}, t("invitation.help")),
      form(
        [
          field(t("invitation.name"), "name", { autocomplete: "name" }),
          field(t("invitation.password"), "password", { type: "password", autocomplete: "new-password", required: true, "aria-describedby": "password-rules" }),
          field(t("invitation.repeat"), "repeat", { type: "password", autocomplete: "new-password", required: true }),
          hint(t("people.password_rules"), "password-rules"),
        ],
        async (values) => {
          if (values.password !== values.repeat) throw { name: "PasswordMismatch", message: t("invitation.mismatch") };
          const name = values.name.trim();
          await api("POST", "/v1/invitations/accept", { token, password: values.password, name: name || null }, { account: false });
          fill(main, h("h1", {}, t("invitation.title")), notice(t("invitation.done")), h("p", {}, h("a", { href: "/login", "data-link": true, id: "go-login" }, t("invitation.login"))));
          main.querySelector("#go-login").focus();
        },
        { submit: t("invitation.submit"), className: "narrow" },
      ),
    );
    main.querySelector("input")?.focus();
  },
};
