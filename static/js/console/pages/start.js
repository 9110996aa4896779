// /console: the first area the staff member has (the clients list for most), or a word
// that their groups give them none yet.

import { t } from "../../i18n.js";
import { fill, h, notice } from "../../ui.js";
import { MENU } from "../app.js";

export default {
  title: "console.name",
  async render(main, _params, ctx) {
    const first = MENU.find(([, , area]) => ctx.can(area));
    if (first) {
      history.replaceState(null, "", first[0]);
      return ctx.refresh();
    }
    fill(main, h("h1", {}, t("console.name")), notice(t("console.no_areas")));
  },
};
