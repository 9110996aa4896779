// E-mail outbox (development): the e-mails the platform sent or, with no e-mail service
// set up, would have sent — invitations, password resets, confirmations, sign-in alerts —
// newest first, for one address or all; each opens to its text.

import { dateTime, t, words } from "../../i18n.js";
import { fill, h } from "../../ui.js";
import { call, pagedList } from "../lib.js";

const PAGE = 20;

words({
  en: {
    "mail.title": "E-mail outbox",
    "mail.help": "What the platform e-mailed, newest first. Without an e-mail service set up the e-mails are only kept here (development).",
    "mail.to": "Recipient",
    "mail.filter": "Show e-mails to",
    "mail.filter_hint": "An e-mail address; empty shows all.",
    "mail.show": "Show",
    "mail.none": "No e-mails.",
    "mail.status.outbox": "Kept here only",
    "mail.status.sent": "Sent",
    "mail.status.failed": "Failed",
  },
  sv: {
    "mail.title": "Utkorg för e-post",
    "mail.help": "Det plattformen har mejlat, nyast först. Utan en e-posttjänst inställd sparas mejlen bara här (utveckling).",
    "mail.to": "Mottagare",
    "mail.filter": "Visa e-post till",
    "mail.filter_hint": "En e-postadress; tomt visar alla.",
    "mail.show": "Visa",
    "mail.none": "Inga mejl.",
    "mail.status.outbox": "Bara sparat här",
    "mail.status.sent": "Skickat",
    "mail.status.failed": "Misslyckades",
  },
});

export default {
  title: "mail.title",
  async render(main) {
    const list = h("div", { id: "email-list" });
    const to = h("input", { type: "email", id: "f-to", name: "to", "aria-describedby": "to-hint" });
    const show = () =>
      pagedList(list, {
        pageSize: PAGE,
        load: async (cursor) => {
          const query = new URLSearchParams({ limit: PAGE });
          if (cursor) query.set("cursor", cursor);
          if (to.value.trim()) query.set("to", to.value.trim());
          const page = await call("GET", `/v1/admin/emails?${query}`);
          return { items: page.emails, next_cursor: page.next_cursor };
        },
        view: (emails) =>
          emails.length
            ? h(
                "ul",
                { class: "plain mails" },
                emails.map((e) =>
                  h(
                    "li",
                    { class: "mail" },
                    h(
                      "details",
                      {},
                      h("summary", {}, h("strong", {}, e.subject), h("span", { class: "meta" }, ` — ${e.recipient} · ${dateTime(e.created_at)} · ${t(`mail.status.${e.status}`)}`)),
                      e.detail ? h("p", { class: "warning" }, e.detail) : null,
                      h("pre", { class: "pre mail-body" }, e.body),
                    ),
                  ),
                ),
              )
            : h("p", { class: "empty" }, t("mail.none")),
      }).ready;
    fill(
      main,
      h("h1", {}, t("mail.title")),
      h("p", { class: "hint" }, t("mail.help")),
      h(
        "form",
        {
          role: "search",
          class: "search",
          onsubmit: (e) => {
            e.preventDefault();
            show();
          },
        },
        h("label", { for: "f-to" }, t("mail.filter")),
        h("div", { class: "search-row" }, to, h("button", { type: "submit" }, t("mail.show"))),
        h("p", { class: "hint", id: "to-hint" }, t("mail.filter_hint")),
      ),
      list,
    );
    await show();
  },
};
