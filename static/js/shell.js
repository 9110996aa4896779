// What the portal's and the console's shells share in their headers.

import { api } from "./api.js";
import { language, LANGUAGES, setLanguage, t } from "./i18n.js";
import { h } from "./ui.js";

/**
 * The language switch: the choice is kept in the browser and, for someone signed in
 * (`signedIn()`), in their profile; `changed()` renders the page again in it.
 */
export function languageSwitcher(signedIn, changed) {
  return h(
    "label",
    { class: "switcher" },
    h("span", {}, t("nav.language")),
    h(
      "select",
      {
        id: "language-switcher",
        onchange: async (e) => {
          setLanguage(e.target.value);
          if (signedIn()) await api("PATCH", "/v1/me", { language: e.target.value }, { account: false }).catch(() => {});
          changed();
        },
      },
      LANGUAGES.map((l) => h("option", { value: l, selected: l === language() }, l === "sv" ? "Svenska" : "English")),
    ),
  );
}
