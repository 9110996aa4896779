// An invitation (public, /invitation?token=…). Someone new accepts by choosing a password
// (and giving their name if need be), then logs in. Someone who has a user accepts signed
// in as themselves: the page offers to log in first and comes back here.

import { api, setCsrf } from "../api.js";
import { t, words } from "../i18n.js";
import { actionButton, errorBox, field, fill, form, h, notice } from "../ui.js";
import { hint } from "../people.js";

words({
  en: {
    "invitation.title": "Welcome to smsedge",
    "invitation.help": "You have been invited to an account. Choose a password to accept and log in with.",
    "invitation.name": "Your name (needed if the invitation came without one)",
    "invitation.password": "Choose a password",
    "invitation.repeat": "The password again",
    "invitation.mismatch": "The password and its repetition differ.",
    "invitation.submit": "Set password",
    "invitation.no_token": "This link lacks its code. Open the link from the invitation e-mail again.",
    "invitation.done": "Your password is set. Log in with your e-mail address and the new password.",
    "invitation.login": "Log in now",
    "invitation.have_user": "Already have a user?",
    "invitation.login_first": "Log in first, then accept",
    "invitation.signed_in": "You are logged in as {email}. Accept the invitation to get access to the account.",
    "invitation.accept": "Accept the invitation",
    "invitation.accepted": "You have accepted the invitation.",
    "invitation.accounts": "Go to your accounts",
  },
  sv: {
    "invitation.title": "Välkommen till smsedge",
    "invitation.help": "Du har bjudits in till ett konto. Välj ett lösenord för att tacka ja och logga in med.",
    "invitation.name": "Ditt namn (behövs om inbjudan saknade ett)",
    "invitation.password": "Välj ett lösenord",
    "invitation.repeat": "Lösenordet igen",
    "invitation.mismatch": "Lösenordet och upprepningen skiljer sig åt.",
    "invitation.submit": "Spara lösenordet",
    "invitation.no_token": "Länken saknar sin kod. Öppna länken i inbjudan igen.",
    "invitation.done": "Ditt lösenord är sparat. Logga in med din e-postadress och det nya lösenordet.",
    "invitation.login": "Logga in nu",
    "invitation.have_user": "Har du redan en användare?",
    "invitation.login_first": "Logga in först och tacka sedan ja",
    "invitation.signed_in": "Du är inloggad som {email}. Tacka ja till inbjudan för att få åtkomst till kontot.",
    "invitation.accept": "Tacka ja till inbjudan",
    "invitation.accepted": "Du har tackat ja till inbjudan.",
    "invitation.accounts": "Till dina konton",
  },
});

/** Signed in (fully): the profile, and the CSRF token set for the accept request. */
async function signedIn() {
  try {
    const me = await api("GET", "/v1/me", undefined, { account: false });
    setCsrf(me.csrf_token);
    return me;
  } catch (_) {
    return null;
  }
}

export default {
  title: "invitation.title",
  async render(main) {
    const token = new URLSearchParams(location.search).get("token");
    if (!token) return fill(main, h("h1", {}, t("invitation.title")), errorBox({ name: "InvalidToken", message: t("invitation.no_token") }));
    const me = await signedIn();
    if (me) {
      const status = h("div", { class: "form-status" });
      fill(
        main,
        h("h1", {}, t("invitation.title")),
        h("p", {}, t("invitation.signed_in", { email: me.email })),
        status,
        h(
          "p",
          {},
          actionButton(
            t("invitation.accept"),
            async () => {
              await api("POST", "/v1/invitations/accept", { token }, { account: false });
              fill(main, h("h1", {}, t("invitation.title")), notice(t("invitation.accepted")), h("p", {}, h("a", { href: "/accounts", "data-link": true, id: "go-accounts" }, t("invitation.accounts"))));
              main.querySelector("#go-accounts").focus();
            },
            { status, className: "" },
          ),
        ),
      );
      return main.querySelector("button")?.focus();
    }
    const here = location.pathname + location.search;
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
      h("p", {}, `${t("invitation.have_user")} `, h("a", { href: `/login?next=${encodeURIComponent(here)}`, "data-link": true }, t("invitation.login_first"))),
    );
    main.querySelector("input")?.focus();
  },
};
