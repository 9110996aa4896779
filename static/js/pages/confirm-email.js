// E-mail confirmation (public, /confirm-email?token=…): confirms the address the link was
// sent to (a new address replaces the old one) and says so.

import { api } from "../api.js";
import { t, words } from "../i18n.js";
import { errorBox, fill, h, notice } from "../ui.js";
import "../people.js";

words({
  en: {
    "confirm.title": "E-mail confirmation",
    "confirm.working": "Confirming your address…",
    "confirm.done": "Thank you: {email} is confirmed.",
    "confirm.no_token": "This link lacks its code. Open the link from the e-mail again.",
    "confirm.continue": "Continue to the portal",
  },
  sv: {
    "confirm.title": "Bekräftelse av e-post",
    "confirm.working": "Bekräftar din adress…",
    "confirm.done": "Tack: {email} är bekräftad.",
    "confirm.no_token": "Länken saknar sin kod. Öppna länken i mejlet igen.",
    "confirm.continue": "Fortsätt till portalen",
  },
});

export default {
  title: "confirm.title",
  async render(main) {
    const token = new URLSearchParams(location.search).get("token");
    const result = h("div", {}, h("p", { class: "loading" }, t("confirm.working")));
    fill(main, h("h1", {}, t("confirm.title")), result, h("p", {}, h("a", { href: "/", "data-link": true }, t("confirm.continue"))));
    if (!token) return fill(result, errorBox({ name: "InvalidToken", message: t("confirm.no_token") }));
    try {
      const answer = await api("POST", "/v1/auth/email-confirmation", { token }, { account: false });
      fill(result, notice(t("confirm.done", { email: answer.email })));
    } catch (error) {
      fill(result, errorBox(error));
    }
  },
};
