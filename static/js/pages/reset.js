// Password reset (public): ask for a link by e-mail; the link (/reset?token=…) opens the
// form to choose a new password.

import { api } from "../api.js";
import { t, words } from "../i18n.js";
import { field, fill, form, h } from "../ui.js";
import { hint } from "../people.js";

words({
  en: {
    "reset.title": "Reset your password",
    "reset.help": "Enter the e-mail address you log in with. If it belongs to a user, we send a link to choose a new password; it works once, for an hour.",
    "reset.email": "E-mail address",
    "reset.submit": "Send the link",
    "reset.sent": "If the address belongs to a user, a link is on its way. Check your inbox.",
    "reset.choose": "Choose a new password",
    "reset.password": "New password",
    "reset.repeat": "New password again",
    "reset.mismatch": "The new password and its repetition differ.",
    "reset.save": "Save the new password",
    "reset.done": "Your password is changed. Log in with it now.",
    "reset.login": "Go to log in",
    "reset.back": "Back to log in",
  },
  sv: {
    "reset.title": "Återställ lösenordet",
    "reset.help": "Ange e-postadressen du loggar in med. Om den hör till en användare skickar vi en länk för att välja ett nytt lösenord; den fungerar en gång, i en timme.",
    "reset.email": "E-postadress",
    "reset.submit": "Skicka länken",
    "reset.sent": "Om adressen hör till en användare är en länk på väg. Titta i din inkorg.",
    "reset.choose": "Välj ett nytt lösenord",
    "reset.password": "Nytt lösenord",
    "reset.repeat": "Nytt lösenord igen",
    "reset.mismatch": "Det nya lösenordet och upprepningen skiljer sig åt.",
    "reset.save": "Spara det nya lösenordet",
    "reset.done": "Ditt lösenord är bytt. Logga in med det nu.",
    "reset.login": "Gå till inloggningen",
    "reset.back": "Tillbaka till inloggningen",
  },
});

export default {
  title: "reset.title",
  async render(main) {
    const token = new URLSearchParams(location.search).get("token");
    if (!token) {
      fill(
        main,
        h("h1", {}, t("reset.title")),
        h("p", {}, t("reset.help")),
        form(
          [field(t("reset.email"), "email", { type: "email", autocomplete: "username", required: true })],
          async (values) => {
            await api("POST", "/v1/auth/password-reset", { email: values.email.trim() }, { account: false });
            return t("reset.sent");
          },
          { submit: t("reset.submit"), className: "narrow" },
        ),
        h("p", {}, h("a", { href: "/login", "data-link": true }, t("reset.back"))),
      );
    } else {
      fill(
        main,
        h("h1", {}, t("reset.choose")),
        form(
          [
            field(t("reset.password"), "password", { type: "password", autocomplete: "new-password", required: true, "aria-describedby": "password-rules" }),
            field(t("reset.repeat"), "repeat", { type: "password", autocomplete: "new-password", required: true }),
            hint(t("people.password_rules"), "password-rules"),
          ],
          async (values, element) => {
            if (values.password !== values.repeat) throw { name: "PasswordMismatch", message: t("reset.mismatch") };
            await api("POST", "/v1/auth/password-reset/confirm", { token, password: values.password }, { account: false });
            fill(element, h("div", { class: "notice", role: "status" }, t("reset.done")), h("p", {}, h("a", { href: "/login", "data-link": true }, t("reset.login"))));
          },
          { submit: t("reset.save"), className: "narrow" },
        ),
      );
    }
    main.querySelector("input")?.focus();
  },
};
