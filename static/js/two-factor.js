// What the portal's profile and the console's enrolment share when two-factor is set up:
// the QR code of the app's otpauth link (drawn in the page by qr.js, no outside service)
// with the key beside it, and the recovery codes, shown once, with Copy and Download (a
// text file made in the page).

import { t, words } from "./i18n.js";
import { fill, h, notice } from "./ui.js";
import { qrSvg } from "./qr.js";

words({
  en: {
    "tfa2.qr": "QR code for the authenticator app",
    "tfa2.secret": "Key",
    "tfa2.codes_title": "Your recovery codes",
    "tfa2.copy": "Copy the codes",
    "tfa2.copied": "Copied.",
    "tfa2.download": "Download as a text file",
  },
  sv: {
    "tfa2.qr": "QR-kod för autentiseringsappen",
    "tfa2.secret": "Nyckel",
    "tfa2.codes_title": "Dina återställningskoder",
    "tfa2.copy": "Kopiera koderna",
    "tfa2.copied": "Kopierat.",
    "tfa2.download": "Ladda ner som textfil",
  },
});

/** The QR code of `begun.provisioning_uri` and the key to type instead. */
export function enrolmentCode(begun) {
  return [
    h("div", { class: "qr-box" }, qrSvg(begun.provisioning_uri, t("tfa2.qr"))),
    h("dl", { class: "facts" }, h("dt", {}, t("tfa2.secret")), h("dd", {}, h("code", { class: "secret", "data-testid": "totp-secret" }, begun.secret))),
  ];
}

/** The recovery codes with `note`, Copy, Download and a button `doneText` that runs `done`. */
export function recoveryCodes(codes, { note, doneText, done, heading = "h2" }) {
  const status = h("div", { "aria-live": "polite" });
  const text = codes.join("\n") + "\n";
  const list = h("pre", { class: "secret", "data-testid": "recovery-codes", tabindex: "-1" }, codes.join("\n"));
  const download = h("a", { class: "button secondary", download: "smsedge-recovery-codes.txt", href: URL.createObjectURL(new Blob([text], { type: "text/plain" })) }, t("tfa2.download"));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      fill(status, notice(t("tfa2.copied")));
    } catch (_) {
      // No clipboard (an insecure origin, a refusal): the codes are selected to copy by hand.
      getSelection().selectAllChildren(list);
    }
  };
  return h(
    "div",
    { class: "codes" },
    h(heading, {}, t("tfa2.codes_title")),
    notice(note),
    list,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: copy }, t("tfa2.copy")),
      download,
      h("button", { type: "button", class: "codes-done", onclick: done }, doneText),
    ),
    status,
  );
}
