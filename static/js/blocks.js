// Why a number is blocked, in words: the blocklist's stored reasons and sources, and the
// refusal a send gives a blocked recipient (the API's status_detail), with the person who
// blocked it named when they are a member of the account (people.js memberNames).

import { dateTime, t, words } from "./i18n.js";
import { USER_REF, userName } from "./people.js";

words({
  en: {
    "blocklist.why.keyword": "Opted out by texting {word}",
    "blocklist.why.link": "Opted out with the unsubscribe link",
    "blocklist.why.manual": "Blocked by {by}",
    "blocklist.why.api": "Added through the API",
    "blocklist.source.api": "API",
    "blocklist.source.user": "Portal",
    "blocklist.source.inbound": "Reply SMS",
    "blocklist.source.unsubscribe_link": "Unsubscribe link",
    "refused.opted_out": "The recipient opted out ({how}, {since})",
    "refused.link": "unsubscribe link",
    "refused.blocked_by": "The number is on the blocklist (blocked by {by}, {since})",
    "refused.api": "The number is on the blocklist (added through the API, {since})",
  },
  sv: {
    "blocklist.why.keyword": "Avregistrerade sig genom att skicka {word}",
    "blocklist.why.link": "Avregistrerade sig via avregistreringslänken",
    "blocklist.why.manual": "Spärrat av {by}",
    "blocklist.why.api": "Tillagt via API:t",
    "blocklist.source.api": "API",
    "blocklist.source.user": "Portalen",
    "blocklist.source.inbound": "Svars-SMS",
    "blocklist.source.unsubscribe_link": "Avregistreringslänk",
    "refused.opted_out": "Mottagaren har avregistrerat sig ({how}, {since})",
    "refused.link": "avregistreringslänk",
    "refused.blocked_by": "Numret finns på spärrlistan (spärrat av {by}, {since})",
    "refused.api": "Numret finns på spärrlistan (tillagt via API:t, {since})",
  },
});

/** A stored time in words (as it is, should it not be one). */
function when(at) {
  return Number.isNaN(Date.parse(at)) ? at : dateTime(at);
}

/** Who blocked: a member's name for `user:<id>`, anyone else as stored. */
function who(by, names) {
  return USER_REF.test(by) ? userName(by, names) : by;
}

/** The stored reason (keyword:STOP, unsubscribe_link, manual:<by>, api) in words. */
export function reasonText(reason, names = new Map()) {
  if (reason.startsWith("keyword:")) return t("blocklist.why.keyword", { word: reason.slice(8) });
  if (reason === "unsubscribe_link") return t("blocklist.why.link");
  if (reason.startsWith("manual:")) return t("blocklist.why.manual", { by: who(reason.slice(7), names) });
  if (reason === "api") return t("blocklist.why.api");
  return reason;
}

/** Where a block was made (api, inbound, unsubscribe_link, user:<id> — the portal) in words. */
export function sourceText(source) {
  if (!source) return "—";
  const key = `blocklist.source.${USER_REF.test(source) ? "user" : source}`;
  return t(key) === key ? source : t(key);
}

/** Who or what lifted a block: a member's name for `user:<id>`, else where it came from. */
export function lifterText(removedBy, names = new Map()) {
  return removedBy && USER_REF.test(removedBy) ? userName(removedBy, names) : sourceText(removedBy);
}

/**
 * A send's refusal of a blocked recipient, as the API words it ("the number is on the
 * blocklist (blocked by user:<id>, <since>)" and the like), in the page's language with the
 * person named; any other text is shown as it is.
 */
export function refusalText(detail, names = new Map()) {
  if (!detail) return "";
  let m = detail.match(/^the recipient opted out \((.+), (\S+)\)$/);
  if (m) return t("refused.opted_out", { how: m[1] === "unsubscribe link" ? t("refused.link") : m[1], since: when(m[2]) });
  m = detail.match(/^the number is on the blocklist \(blocked by (.+), (\S+)\)$/);
  if (m) return t("refused.blocked_by", { by: who(m[1], names), since: when(m[2]) });
  m = detail.match(/^the number is on the blocklist \(added through the API, (\S+)\)$/);
  if (m) return t("refused.api", { since: when(m[1]) });
  return detail;
}
