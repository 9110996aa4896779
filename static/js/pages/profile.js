// Profile (seed 000): user information with save, change password, e-mail address and its
// confirmation, phone number confirmation by SMS code, and two-factor authentication with
// its recovery codes.

import { api, setCsrf } from "../api.js";
import { language, LANGUAGES, setLanguage, t, timeZones, words } from "../i18n.js";
import { actionButton, checkbox, field, fill, form, h, notice, section } from "../ui.js";
import { hint } from "../people.js";
import { enrolmentCode, recoveryCodes } from "../two-factor.js";

words({
  en: {
    "profile.title": "Profile",
    "profile.info": "User information",
    "profile.required": "Fields marked * are needed.",
    "profile.name": "Name *",
    "profile.phone": "Mobile phone number",
    "profile.phone_hint": "In international format, e.g. +46701234567. A changed number needs confirming again.",
    "profile.language": "Language",
    "profile.time_zone": "Time zone",
    "profile.login_alerts": "E-mail me when someone logs in as me",
    "profile.password": "Change password",
    "profile.current_password": "Current password",
    "profile.new_password": "New password",
    "profile.repeat_password": "New password again",
    "profile.password_submit": "Change password",
    "profile.password_mismatch": "The new password and its repetition differ.",
    "profile.password_changed": "Your password is changed. Every other session of yours has ended.",
    "profile.email": "E-mail address",
    "profile.email_current": "You log in with {email}.",
    "profile.confirmed": "Confirmed ✓",
    "profile.not_confirmed": "Not confirmed",
    "profile.email_unconfirmed": "Your address is not confirmed yet. Open the link we e-mailed you, or have it sent again.",
    "profile.email_resend": "Send the e-mail again",
    "profile.email_resent": "A new link is on its way to {email}.",
    "profile.new_email": "New e-mail address",
    "profile.email_password": "Your password",
    "profile.email_submit": "Change e-mail address",
    "profile.email_sent": "Check your inbox: we sent a link to {email}. Your address changes when you open it.",
    "profile.phone_title": "Phone number",
    "profile.no_phone": "Add a mobile phone number under User information to confirm it.",
    "profile.phone_current": "Your number is {phone}.",
    "profile.phone_send": "Send code by SMS",
    "profile.phone_sent": "A code was sent to {phone}. It works for {minutes} minutes.",
    "profile.phone_code": "Code from the SMS",
    "profile.phone_submit": "Check code",
    "profile.phone_done": "Your phone number is confirmed.",
    "tfa.title": "Two-factor authentication",
    "tfa.off": "Two-factor authentication is off. With it on, logging in also needs a code from an authenticator app on your phone.",
    "tfa.password": "Password for two-factor",
    "tfa.begin": "Turn on two-factor authentication",
    "tfa.scan": "Scan the QR code with your authenticator app, or type the key into it (on the phone itself, open the link). Then enter the 6-digit code it shows.",
    "tfa.uri": "Link for the app",
    "tfa.code": "Code from the app",
    "tfa.confirm": "Confirm",
    "tfa.codes_note": "Two-factor authentication is on. Keep these 10 recovery codes somewhere safe: each works once instead of a code from the app. They are shown only now.",
    "tfa.codes_done": "I have saved them",
    "tfa.on": "Two-factor authentication is on. Recovery codes left: {count}.",
    "tfa.off_code": "Code or recovery code",
    "tfa.turn_off": "Turn off two-factor authentication",
    "tfa.turned_off": "Two-factor authentication is off.",
    "tfa.new_codes_code": "Authenticator code for new recovery codes",
    "tfa.new_codes": "Make new recovery codes",
    "tfa.new_codes_note": "Your earlier recovery codes no longer work. Keep these somewhere safe; they are shown only now.",
  },
  sv: {
    "profile.title": "Profil",
    "profile.info": "Användarinformation",
    "profile.required": "Fält markerade med * måste fyllas i.",
    "profile.name": "Namn *",
    "profile.phone": "Mobilnummer",
    "profile.phone_hint": "I internationellt format, t.ex. +46701234567. Ett ändrat nummer behöver bekräftas igen.",
    "profile.language": "Språk",
    "profile.time_zone": "Tidszon",
    "profile.login_alerts": "Mejla mig när någon loggar in som jag",
    "profile.password": "Byt lösenord",
    "profile.current_password": "Nuvarande lösenord",
    "profile.new_password": "Nytt lösenord",
    "profile.repeat_password": "Nytt lösenord igen",
    "profile.password_submit": "Byt lösenord",
    "profile.password_mismatch": "Det nya lösenordet och upprepningen skiljer sig åt.",
    "profile.password_changed": "Ditt lösenord är bytt. Alla dina andra sessioner har avslutats.",
    "profile.email": "E-postadress",
    "profile.email_current": "Du loggar in med {email}.",
    "profile.confirmed": "Bekräftad ✓",
    "profile.not_confirmed": "Inte bekräftad",
    "profile.email_unconfirmed": "Din adress är inte bekräftad ännu. Öppna länken vi mejlade dig, eller få den skickad igen.",
    "profile.email_resend": "Skicka mejlet igen",
    "profile.email_resent": "En ny länk är på väg till {email}.",
    "profile.new_email": "Ny e-postadress",
    "profile.email_password": "Ditt lösenord",
    "profile.email_submit": "Byt e-postadress",
    "profile.email_sent": "Titta i din inkorg: vi skickade en länk till {email}. Adressen byts när du öppnar den.",
    "profile.phone_title": "Telefonnummer",
    "profile.no_phone": "Lägg till ett mobilnummer under Användarinformation för att bekräfta det.",
    "profile.phone_current": "Ditt nummer är {phone}.",
    "profile.phone_send": "Skicka kod med SMS",
    "profile.phone_sent": "En kod skickades till {phone}. Den gäller i {minutes} minuter.",
    "profile.phone_code": "Kod från SMS:et",
    "profile.phone_submit": "Kontrollera koden",
    "profile.phone_done": "Ditt telefonnummer är bekräftat.",
    "tfa.title": "Tvåstegsverifiering",
    "tfa.off": "Tvåstegsverifiering är av. När den är på behövs vid inloggning även en kod från en autentiseringsapp i din telefon.",
    "tfa.password": "Lösenord för tvåstegsverifiering",
    "tfa.begin": "Slå på tvåstegsverifiering",
    "tfa.scan": "Skanna QR-koden med din autentiseringsapp, eller skriv in nyckeln i den (i själva telefonen: öppna länken). Ange sedan den sexsiffriga kod den visar.",
    "tfa.uri": "Länk för appen",
    "tfa.code": "Kod från appen",
    "tfa.confirm": "Bekräfta",
    "tfa.codes_note": "Tvåstegsverifiering är på. Spara de här 10 återställningskoderna på ett säkert ställe: var och en fungerar en gång i stället för en kod från appen. De visas bara nu.",
    "tfa.codes_done": "Jag har sparat dem",
    "tfa.on": "Tvåstegsverifiering är på. Återställningskoder kvar: {count}.",
    "tfa.off_code": "Kod eller återställningskod",
    "tfa.turn_off": "Stäng av tvåstegsverifiering",
    "tfa.turned_off": "Tvåstegsverifiering är avstängd.",
    "tfa.new_codes_code": "Kod från autentiseringsappen för nya återställningskoder",
    "tfa.new_codes": "Skapa nya återställningskoder",
    "tfa.new_codes_note": "Dina tidigare återställningskoder fungerar inte längre. Spara de här på ett säkert ställe; de visas bara nu.",
  },
});

function confirmedBadge(confirmed) {
  return confirmed ? h("span", { class: "badge ok" }, t("profile.confirmed")) : h("span", { class: "badge bad" }, t("profile.not_confirmed"));
}

export default {
  title: "profile.title",
  async render(main, _params, ctx) {
    let me = ctx.me;
    const info = h("div");
    const password = h("div");
    const email = h("div");
    const phone = h("div");
    const twoFactor = h("div");
    const reload = async () => {
      me = await api("GET", "/v1/me", undefined, { account: false });
      ctx.me = me;
      setCsrf(me.csrf_token);
    };

    const renderInfo = () =>
      fill(
        info,
        section(
          "user-info",
          t("profile.info"),
          hint(t("profile.required")),
          form(
            [
              field(t("profile.name"), "name", { value: me.name, autocomplete: "name", required: true }),
              field(t("profile.phone"), "phone", { type: "tel", value: me.phone || "", autocomplete: "tel", "aria-describedby": "phone-hint" }),
              hint(t("profile.phone_hint"), "phone-hint"),
              field(t("profile.language"), "language", { type: "select", value: me.language, options: LANGUAGES.map((l) => [l, l === "sv" ? "Svenska" : "English"]) }),
              field(t("profile.time_zone"), "time_zone", { type: "select", value: me.time_zone, options: timeZones(me.time_zone).map((z) => [z, z]) }),
              checkbox(t("profile.login_alerts"), "login_alerts", me.login_alerts),
            ],
            async (values) => {
              const phoneNumber = (values.phone || "").trim();
              me = { ...me, ...(await api("PATCH", "/v1/me", { name: values.name, phone: phoneNumber || null, language: values.language, time_zone: values.time_zone, login_alerts: values.login_alerts === "on" }, { account: false })) };
              ctx.me = { ...ctx.me, ...me };
              if (values.language !== language()) {
                setLanguage(values.language);
                ctx.refresh();
                return;
              }
              renderPhone();
              return t("common.saved");
            },
          ),
        ),
      );

    const renderPassword = () =>
      fill(
        password,
        section(
          "password",
          t("profile.password"),
          form(
            [
              field(t("profile.current_password"), "current_password", { type: "password", autocomplete: "current-password", required: true }),
              field(t("profile.new_password"), "new_password", { type: "password", autocomplete: "new-password", required: true, "aria-describedby": "password-rules" }),
              field(t("profile.repeat_password"), "repeat_password", { type: "password", autocomplete: "new-password", required: true }),
              hint(t("people.password_rules"), "password-rules"),
            ],
            async (values, element) => {
              if (values.new_password !== values.repeat_password) throw { name: "PasswordMismatch", message: t("profile.password_mismatch") };
              const answer = await api("POST", "/v1/me/password", { current_password: values.current_password, new_password: values.new_password }, { account: false });
              setCsrf(answer.csrf_token);
              element.reset();
              return t("profile.password_changed");
            },
            { submit: t("profile.password_submit"), className: "narrow" },
          ),
        ),
      );

    const renderEmail = () => {
      const status = h("div");
      fill(
        email,
        section(
          "email",
          t("profile.email"),
          h("p", {}, t("profile.email_current", { email: me.email }), " ", confirmedBadge(me.email_confirmed)),
          me.email_confirmed
            ? null
            : h(
                "div",
                {},
                h("p", {}, t("profile.email_unconfirmed")),
                actionButton(
                  t("profile.email_resend"),
                  async () => {
                    await api("POST", "/v1/me/email/confirmation", undefined, { account: false });
                    return t("profile.email_resent", { email: me.email });
                  },
                  { status },
                ),
                status,
              ),
          form(
            [
              field(t("profile.new_email"), "email", { id: "f-email-new", type: "email", autocomplete: "email", required: true }),
              field(t("profile.email_password"), "password", { id: "f-email-password", type: "password", autocomplete: "current-password", required: true }),
            ],
            async (values, element) => {
              const answer = await api("POST", "/v1/me/email", { email: values.email, password: values.password }, { account: false });
              element.reset();
              return t("profile.email_sent", { email: answer.pending_email });
            },
            { submit: t("profile.email_submit"), className: "narrow" },
          ),
        ),
      );
    };

    const renderPhone = (sentNotice) => {
      const status = h("div");
      if (sentNotice) fill(status, sentNotice);
      fill(
        phone,
        section(
          "phone",
          t("profile.phone_title"),
          !me.phone
            ? h("p", {}, t("profile.no_phone"))
            : [
                h("p", {}, t("profile.phone_current", { phone: me.phone }), " ", confirmedBadge(me.phone_confirmed)),
                me.phone_confirmed
                  ? null
                  : [
                      actionButton(
                        t("profile.phone_send"),
                        async () => {
                          const sent = await api("POST", "/v1/me/phone/confirmation", undefined, { account: false });
                          return t("profile.phone_sent", { phone: sent.sent_to, minutes: Math.round(sent.expires_in_seconds / 60) });
                        },
                        { status },
                      ),
                      status,
                      form(
                        [field(t("profile.phone_code"), "code", { id: "f-phone-code", inputmode: "numeric", autocomplete: "one-time-code", required: true })],
                        async (values) => {
                          await api("POST", "/v1/me/phone/confirm", { code: values.code.trim() }, { account: false });
                          await reload();
                          renderPhone(notice(t("profile.phone_done")));
                        },
                        { submit: t("profile.phone_submit"), className: "narrow" },
                      ),
                    ],
              ],
          me.phone_confirmed && sentNotice ? sentNotice : null,
        ),
      );
    };

    const renderTwoFactor = (extra) => {
      let body;
      if (!me.two_factor_enabled) {
        body = [
          h("p", {}, t("tfa.off")),
          form(
            [field(t("tfa.password"), "password", { id: "f-tfa-password", type: "password", autocomplete: "current-password", required: true })],
            async (values) => {
              const begun = await api("POST", "/v1/me/2fa", { password: values.password }, { account: false });
              renderConfirm(begun);
            },
            { submit: t("tfa.begin"), className: "narrow" },
          ),
        ];
      } else {
        body = [
          h("p", {}, t("tfa.on", { count: me.recovery_codes_left })),
          form(
            [field(t("tfa.off_code"), "code", { id: "f-tfa-off-code", autocomplete: "off", required: true })],
            async (values) => {
              const code = values.code.replace(/\s+/g, "");
              await api("POST", "/v1/me/2fa/disable", /^\d{6}$/.test(code) ? { code } : { recovery_code: values.code.trim() }, { account: false });
              await reload();
              renderTwoFactor(notice(t("tfa.turned_off")));
            },
            { submit: t("tfa.turn_off"), className: "narrow" },
          ),
          form(
            [field(t("tfa.new_codes_code"), "code", { id: "f-new-codes-code", inputmode: "numeric", autocomplete: "one-time-code", required: true })],
            async (values) => {
              const answer = await api("POST", "/v1/me/2fa/recovery-codes", { code: values.code.replace(/\s+/g, "") }, { account: false });
              await reload();
              renderTwoFactor(recoveryCodes(answer.recovery_codes, { note: t("tfa.new_codes_note"), doneText: t("tfa.codes_done"), done: () => renderTwoFactor(), heading: "h3" }));
            },
            { submit: t("tfa.new_codes"), className: "narrow" },
          ),
        ];
      }
      fill(twoFactor, section("two-factor", t("tfa.title"), extra || null, extra && extra.classList.contains("codes") ? null : body));
    };

    const renderConfirm = (begun) => {
      fill(
        twoFactor,
        section(
          "two-factor",
          t("tfa.title"),
          h("p", {}, t("tfa.scan")),
          enrolmentCode(begun),
          h("p", { class: "hint" }, h("a", { href: begun.provisioning_uri }, t("tfa.uri"))),
          form(
            [field(t("tfa.code"), "code", { id: "f-tfa-code", inputmode: "numeric", autocomplete: "one-time-code", required: true })],
            async (values) => {
              const answer = await api("POST", "/v1/me/2fa/confirm", { code: values.code.replace(/\s+/g, "") }, { account: false });
              await reload();
              renderTwoFactor(recoveryCodes(answer.recovery_codes, { note: t("tfa.codes_note"), doneText: t("tfa.codes_done"), done: () => renderTwoFactor(), heading: "h3" }));
            },
            { submit: t("tfa.confirm"), className: "narrow" },
          ),
        ),
      );
      twoFactor.querySelector("input")?.focus();
    };

    renderInfo();
    renderPassword();
    renderEmail();
    renderPhone();
    renderTwoFactor();
    fill(main, h("h1", {}, t("profile.title")), info, password, email, phone, twoFactor);
  },
};
