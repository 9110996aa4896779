//! Single-use tokens and codes (password reset, invitation, e-mail and phone confirmation)
//! and the e-mails and SMS that carry them, in Swedish and English.
//!
//! Tokens themselves are [`crate::identity::session::new_secret_token`], stored as
//! [`crate::identity::session::token_digest`]; this module holds their lifetimes and texts.

use crate::identity::person::{fill_random, Email};
use crate::identity::language::Language;
use serde::Serialize;

/// A password-reset link works for an hour.
pub const RESET_TOKEN_SECONDS: i64 = 3600;
/// An invitation works for a week.
pub const INVITE_TOKEN_SECONDS: i64 = 7 * 24 * 3600;
/// An e-mail confirmation link works for a day.
pub const EMAIL_CONFIRM_SECONDS: i64 = 24 * 3600;
/// A phone confirmation code works for ten minutes...
pub const PHONE_CODE_SECONDS: i64 = 600;
/// ...and for this many wrong tries (then a new code must be sent): a 6-digit code is
/// guessed with 5 tries at odds of 1 in 200,000.
pub const PHONE_CODE_ATTEMPTS: u32 = 5;

/// What a single-use token or code is for. The strings are stable (stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    PasswordReset,
    Invitation,
    EmailConfirmation,
    PhoneConfirmation,
}

impl Purpose {
    pub const ALL: [Purpose; 4] = [Purpose::PasswordReset, Purpose::Invitation, Purpose::EmailConfirmation, Purpose::PhoneConfirmation];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::Invitation => "invitation",
            Purpose::EmailConfirmation => "email_confirmation",
            Purpose::PhoneConfirmation => "phone_confirmation",
        }
    }

    pub fn parse(input: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == input)
    }

    /// How long a token or code for this purpose works.
    pub fn lifetime_seconds(self) -> i64 {
        match self {
            Purpose::PasswordReset => RESET_TOKEN_SECONDS,
            Purpose::Invitation => INVITE_TOKEN_SECONDS,
            Purpose::EmailConfirmation => EMAIL_CONFIRM_SECONDS,
            Purpose::PhoneConfirmation => PHONE_CODE_SECONDS,
        }
    }

    /// Whether a token made at `created_at` still works at `now`.
    pub fn is_valid_at(self, created_at: i64, now: i64) -> bool {
        now >= created_at && now - created_at < self.lifetime_seconds()
    }
}

/// Six uniformly random digits (`000000`–`999999`). Random `u32`s at or above the largest
/// multiple of 1,000,000 are drawn again, so no code is likelier than another.
pub fn new_phone_code() -> String {
    // 0..=LIMIT is 4,294,000,000 values: 4,294 of each code.
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000) - 1;
    loop {
        let mut bytes = [0u8; 4];
        fill_random(&mut bytes);
        let n = u32::from_le_bytes(bytes);
        if n <= LIMIT {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// The SMS that carries a phone confirmation code.
pub fn phone_code_sms(code: &str, lang: Language) -> String {
    match lang {
        Language::Sv => format!("Din bekräftelsekod för smsedge är {code}"),
        Language::En => format!("Your smsedge confirmation code is {code}"),
    }
}

/// A plain-text e-mail to send, made only by the constructors below: they keep the
/// subject on one line (names in it are text from users) and note the single-use link a
/// text carries, so that what is kept after sending can leave it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailMessage {
    to: String,
    subject: String,
    text: String,
    /// The single-use link in `text`, if any: working access for whoever reads it.
    #[serde(skip)]
    secret_link: Option<String>,
}

/// What stands in a kept e-mail's text for the single-use link it carried.
pub const LINK_NOT_KEPT: &str = "[single-use link: sent, not kept]";

/// Text for one line of a header: control characters (CR, LF, tab, ...), Unicode line and
/// paragraph separators and runs of white space become one space; none at the ends.
pub fn one_line(input: &str) -> String {
    input
        .split(|c: char| c.is_control() || c.is_whitespace() || c == '\u{2028}' || c == '\u{2029}')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A header value (RFC 5322 unstructured text) from any text: [`one_line`], then as it is
/// when it is printable ASCII, else RFC 2047 encoded-words (`=?UTF-8?B?...?=`, whole
/// characters, at most 75 characters each) separated by spaces, which decoders drop. It
/// never holds a line break, so no header can be split off or added through it.
pub fn header_text(input: &str) -> String {
    use base64::Engine;
    let text = one_line(input);
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) && !text.contains("=?") {
        return text;
    }
    // 45 bytes of UTF-8 are 60 of base64: 72 characters with `=?UTF-8?B?` and `?=`.
    const CHUNK_BYTES: usize = 45;
    let mut words = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if at + c.len_utf8() - start > CHUNK_BYTES {
            words.push(&text[start..at]);
            start = at;
        }
    }
    words.push(&text[start..]);
    words
        .iter()
        .map(|word| format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(word)))
        .collect::<Vec<_>>()
        .join(" ")
}

impl EmailMessage {
    fn new(to: &Email, subject: impl AsRef<str>, text: String, secret_link: Option<&str>) -> EmailMessage {
        EmailMessage { to: to.as_str().to_owned(), subject: one_line(subject.as_ref()), text, secret_link: secret_link.map(str::to_owned) }
    }

    pub fn to(&self) -> &str {
        &self.to
    }

    /// The subject as people read it: one line.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The subject as it goes into the `Subject:` header ([`header_text`]).
    pub fn encoded_subject(&self) -> String {
        header_text(&self.subject)
    }

    /// The whole text, single-use link included: only for the one who receives it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text with its single-use link left out: what may be kept once it is sent.
    pub fn text_without_link(&self) -> String {
        match &self.secret_link {
            Some(link) => self.text.replace(link.as_str(), LINK_NOT_KEPT),
            None => self.text.clone(),
        }
    }

    /// The operator's test of the e-mail path (the console's Settings, "Test e-mail").
    pub fn platform_test(to: &Email, company: &str, lang: Language) -> EmailMessage {
        let (subject, text) = match lang {
            Language::Sv => (
                format!("Testmejl från {company}"),
                format!("Hej!\n\nDetta är ett testmejl från plattformens inställningar. Kom det fram fungerar e-postvägen.\n\nHälsningar\n{company}\n"),
            ),
            Language::En => (
                format!("Test e-mail from {company}"),
                format!("Hello,\n\nThis is a test e-mail from the platform's settings. If it arrived, the e-mail path works.\n\nRegards\n{company}\n"),
            ),
        };
        EmailMessage::new(to, subject, text, None)
    }

    pub fn password_reset(to: &Email, link: &str, lang: Language) -> EmailMessage {
        let text = match lang {
            Language::Sv => format!(
                "Hej!\n\nNågon (förhoppningsvis du) har bett om att få återställa lösenordet för ditt smsedge-konto. \
                 Välj ett nytt lösenord via länken nedan. Länken gäller i en timme och kan bara användas en gång.\n\n\
                 {link}\n\nHar du inte bett om detta kan du bortse från mejlet; ditt lösenord är oförändrat.\n\n\
                 Hälsningar\nsmsedge\n"
            ),
            Language::En => format!(
                "Hello,\n\nSomeone (hopefully you) asked to reset the password of your smsedge account. \
                 Choose a new password with the link below. The link works for one hour and only once.\n\n\
                 {link}\n\nIf you did not ask for this, you can ignore this e-mail; your password has not changed.\n\n\
                 Regards\nsmsedge\n"
            ),
        };
        let subject = match lang {
            Language::Sv => "Återställ ditt lösenord för smsedge",
            Language::En => "Reset your smsedge password",
        };
        EmailMessage::new(to, subject, text, Some(link))
    }

    /// An invitation to someone with no user yet: they accept by choosing a password.
    pub fn invitation(to: &Email, inviter_name: &str, account_name: &str, link: &str, lang: Language) -> EmailMessage {
        let (inviter, account) = (one_line(inviter_name), one_line(account_name));
        let text = match lang {
            Language::Sv => format!(
                "Hej!\n\n{inviter} har bjudit in dig till kontot \"{account}\" på smsedge. \
                 Följ länken nedan för att tacka ja och välja ditt lösenord. Inbjudan gäller i sju dagar.\n\n\
                 {link}\n\nVäntade du dig inte den här inbjudan kan du bortse från mejlet.\n\n\
                 Hälsningar\nsmsedge\n"
            ),
            Language::En => format!(
                "Hello,\n\n{inviter} has invited you to the account \"{account}\" on smsedge. \
                 Follow the link below to accept and choose your password. The invitation works for seven days.\n\n\
                 {link}\n\nIf you were not expecting this invitation, you can ignore this e-mail.\n\n\
                 Regards\nsmsedge\n"
            ),
        };
        EmailMessage::new(to, invitation_subject(&inviter, &account, lang), text, Some(link))
    }

    /// An invitation to someone who has a user: they accept signed in as themselves, and
    /// have no access until they do.
    pub fn invitation_for_user(to: &Email, inviter_name: &str, account_name: &str, link: &str, lang: Language) -> EmailMessage {
        let (inviter, account) = (one_line(inviter_name), one_line(account_name));
        let text = match lang {
            Language::Sv => format!(
                "Hej!\n\n{inviter} har bjudit in dig till kontot \"{account}\" på smsedge. \
                 Logga in som vanligt och öppna länken nedan för att tacka ja; du får åtkomst först då. \
                 Inbjudan gäller i sju dagar.\n\n\
                 {link}\n\nVäntade du dig inte den här inbjudan kan du bortse från mejlet.\n\n\
                 Hälsningar\nsmsedge\n"
            ),
            Language::En => format!(
                "Hello,\n\n{inviter} has invited you to the account \"{account}\" on smsedge. \
                 Sign in as usual and open the link below to accept; you get access only then. \
                 The invitation works for seven days.\n\n\
                 {link}\n\nIf you were not expecting this invitation, you can ignore this e-mail.\n\n\
                 Regards\nsmsedge\n"
            ),
        };
        EmailMessage::new(to, invitation_subject(&inviter, &account, lang), text, Some(link))
    }

    /// The operator gave someone who has a user access to one more account (seed 001).
    pub fn access_given(to: &Email, account_name: &str, login_link: &str, lang: Language) -> EmailMessage {
        let account = one_line(account_name);
        let (subject, text) = match lang {
            Language::Sv => (
                format!("Du har fått åtkomst till {account} på smsedge"),
                format!(
                    "Hej!\n\nDu har nu åtkomst till kontot \"{account}\" på smsedge. \
                     Logga in som vanligt:\n\n{login_link}\n\nHälsningar\nsmsedge\n"
                ),
            ),
            Language::En => (
                format!("You have access to {account} on smsedge"),
                format!(
                    "Hello,\n\nYou now have access to the account \"{account}\" on smsedge. \
                     Sign in as usual:\n\n{login_link}\n\nRegards\nsmsedge\n"
                ),
            ),
        };
        EmailMessage::new(to, subject, text, None)
    }

    /// A self-signup on a white-label domain (`brand`): the link confirms the address and
    /// lets them choose a password; the account is theirs once they do.
    pub fn signup_confirmation(to: &Email, brand: &str, link: &str, lang: Language) -> EmailMessage {
        let brand = one_line(brand);
        let (subject, text) = match lang {
            Language::Sv => (
                format!("Bekräfta ditt nya konto hos {brand}"),
                format!(
                    "Hej!\n\nTack för att du registrerade dig hos {brand}. Öppna länken nedan, välj ett lösenord \
                     och ditt konto är klart att använda. Länken gäller i sju dygn och kan bara användas en gång.\n\n\
                     {link}\n\nHar du inte registrerat dig kan du bortse från mejlet; inget konto öppnas utan länken.\n\n\
                     Hälsningar\n{brand}\n"
                ),
            ),
            Language::En => (
                format!("Confirm your new account with {brand}"),
                format!(
                    "Hello,\n\nThank you for signing up with {brand}. Open the link below, choose a password, \
                     and your account is ready. The link works for seven days and only once.\n\n\
                     {link}\n\nIf you did not sign up, you can ignore this e-mail; no account opens without the link.\n\n\
                     Regards\n{brand}\n"
                ),
            ),
        };
        EmailMessage::new(to, subject, text, Some(link))
    }

    /// A signup for an address that has a user already: nothing was made; they sign in.
    pub fn signup_existing_user(to: &Email, brand: &str, login_link: &str, lang: Language) -> EmailMessage {
        let brand = one_line(brand);
        let (subject, text) = match lang {
            Language::Sv => (
                format!("Du har redan en användare hos {brand}"),
                format!(
                    "Hej!\n\nNågon (förhoppningsvis du) försökte registrera ett nytt konto hos {brand} med den här \
                     e-postadressen, men du har redan en användare. Logga in i stället (har du glömt lösenordet kan du \
                     återställa det där):\n\n{login_link}\n\nHälsningar\n{brand}\n"
                ),
            ),
            Language::En => (
                format!("You already have a user with {brand}"),
                format!(
                    "Hello,\n\nSomeone (hopefully you) tried to sign up with {brand} using this e-mail address, \
                     but you already have a user. Sign in instead (you can reset a forgotten password there):\n\n\
                     {login_link}\n\nRegards\n{brand}\n"
                ),
            ),
        };
        EmailMessage::new(to, subject, text, None)
    }

    /// The operator approved an account that signed up.
    pub fn account_approved(to: &Email, account_name: &str, login_link: &str, lang: Language) -> EmailMessage {
        let account = one_line(account_name);
        let (subject, text) = match lang {
            Language::Sv => (
                format!("Ditt konto {account} är godkänt"),
                format!("Hej!\n\nKontot \"{account}\" är nu godkänt och kan skicka SMS. Logga in:\n\n{login_link}\n\nHälsningar\n"),
            ),
            Language::En => (
                format!("Your account {account} is approved"),
                format!("Hello,\n\nThe account \"{account}\" is now approved and can send SMS. Sign in:\n\n{login_link}\n\nRegards\n"),
            ),
        };
        EmailMessage::new(to, subject, text, None)
    }

    pub fn email_confirmation(to: &Email, link: &str, lang: Language) -> EmailMessage {
        match lang {
            Language::Sv => EmailMessage::new(
                to,
                "Bekräfta din e-postadress för smsedge",
                format!(
                    "Hej!\n\nBekräfta att det här är din e-postadress genom att öppna länken nedan. \
                     Länken gäller i ett dygn.\n\n{link}\n\n\
                     Har du inte lagt till den här adressen i smsedge kan du bortse från mejlet.\n\n\
                     Hälsningar\nsmsedge\n"
                ),
                Some(link),
            ),
            Language::En => EmailMessage::new(
                to,
                "Confirm your e-mail address for smsedge",
                format!(
                    "Hello,\n\nPlease confirm that this is your e-mail address by opening the link below. \
                     The link works for 24 hours.\n\n{link}\n\n\
                     If you did not add this address to smsedge, you can ignore this e-mail.\n\n\
                     Regards\nsmsedge\n"
                ),
                Some(link),
            ),
        }
    }

    /// A sign-in from a new address. `at_rfc3339` is shown as given.
    pub fn login_alert(to: &Email, user_email: &Email, address: &str, at_rfc3339: &str, lang: Language) -> EmailMessage {
        match lang {
            Language::Sv => EmailMessage::new(
                to,
                "Ny inloggning på ditt smsedge-konto",
                format!(
                    "Hej!\n\nNågon loggade just in på smsedge som {user_email}.\n\n\
                     Tid: {at_rfc3339}\nAdress: {address}\n\n\
                     Var det du behöver du inte göra något. Var det inte du: byt lösenord direkt \
                     och slå på tvåstegsverifiering i din profil.\n\n\
                     Hälsningar\nsmsedge\n"
                ),
                None,
            ),
            Language::En => EmailMessage::new(
                to,
                "New sign-in to your smsedge account",
                format!(
                    "Hello,\n\nSomeone just signed in to smsedge as {user_email}.\n\n\
                     Time: {at_rfc3339}\nAddress: {address}\n\n\
                     If this was you, there is nothing to do. If it was not: change your password now \
                     and turn on two-factor authentication in your profile.\n\n\
                     Regards\nsmsedge\n"
                ),
                None,
            ),
        }
    }

    pub fn password_changed(to: &Email, lang: Language) -> EmailMessage {
        match lang {
            Language::Sv => EmailMessage::new(
                to,
                "Ditt lösenord för smsedge har ändrats",
                "Hej!\n\nLösenordet för ditt smsedge-konto har just ändrats.\n\n\
                 Var det inte du som ändrade det? Återställ lösenordet direkt via \"Glömt lösenord\" \
                 på inloggningssidan och kontakta oss.\n\n\
                 Hälsningar\nsmsedge\n"
                    .to_owned(),
                None,
            ),
            Language::En => EmailMessage::new(
                to,
                "Your smsedge password was changed",
                "Hello,\n\nThe password of your smsedge account was just changed.\n\n\
                 Was it not you? Reset your password at once with \"Forgot password\" on the sign-in page \
                 and contact us.\n\n\
                 Regards\nsmsedge\n"
                    .to_owned(),
                None,
            ),
        }
    }
}

fn invitation_subject(inviter: &str, account: &str, lang: Language) -> String {
    match lang {
        Language::Sv => format!("{inviter} bjuder in dig till {account} på smsedge"),
        Language::En => format!("{inviter} invited you to {account} on smsedge"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to() -> Email {
        Email::parse("anna@example.se").unwrap()
    }

    #[test]
    fn purposes_and_lifetimes() {
        let names: Vec<&str> = Purpose::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(names, ["password_reset", "invitation", "email_confirmation", "phone_confirmation"]);
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(Purpose::PasswordReset.lifetime_seconds(), 3600);
        assert_eq!(Purpose::Invitation.lifetime_seconds(), 604_800);
        assert_eq!(Purpose::EmailConfirmation.lifetime_seconds(), 86_400);
        assert_eq!(Purpose::PhoneConfirmation.lifetime_seconds(), 600);
        assert!(Purpose::PasswordReset.is_valid_at(1000, 1000 + 3599));
        assert!(!Purpose::PasswordReset.is_valid_at(1000, 1000 + 3600));
        assert!(!Purpose::PasswordReset.is_valid_at(1000, 999));
    }

    #[test]
    fn phone_codes_are_six_digits() {
        let codes: Vec<String> = (0..200).map(|_| new_phone_code()).collect();
        for code in &codes {
            assert_eq!(code.len(), 6, "{code}");
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert!(unique.len() > 190, "random codes rarely repeat");
        assert_eq!(phone_code_sms("123456", Language::En), "Your smsedge confirmation code is 123456");
        assert_eq!(phone_code_sms("123456", Language::Sv), "Din bekräftelsekod för smsedge är 123456");
    }

    #[test]
    fn the_rejection_limit_is_a_multiple_of_a_million() {
        // Values 0..=LIMIT are accepted: LIMIT + 1 codes, each code equally often.
        let limit: u64 = u32::MAX as u64 - (u32::MAX as u64 % 1_000_000) - 1;
        assert_eq!((limit + 1) % 1_000_000, 0);
        assert_eq!(limit + 1, 4_294_000_000);
    }

    #[test]
    fn emails_carry_the_link_in_both_languages() {
        let link = "https://portal.example/reset?token=abc";
        for lang in [Language::Sv, Language::En] {
            for mail in [
                EmailMessage::password_reset(&to(), link, lang),
                EmailMessage::invitation(&to(), "Bo Ek", "Acme AB", link, lang),
                EmailMessage::email_confirmation(&to(), link, lang),
            ] {
                assert_eq!(mail.to, "anna@example.se");
                assert!(mail.text.contains(link), "{mail:?}");
                assert!(!mail.subject.is_empty());
            }
        }
        let invite = EmailMessage::invitation(&to(), "Bo Ek", "Acme AB", link, Language::Sv);
        assert_eq!(invite.subject, "Bo Ek bjuder in dig till Acme AB på smsedge");
        assert!(invite.text.contains("sju dagar"));
        assert_eq!(EmailMessage::password_reset(&to(), link, Language::En).subject, "Reset your smsedge password");
        let alert = EmailMessage::login_alert(&to(), &to(), "192.0.2.7", "2025-03-01T12:00:00+01:00", Language::Sv);
        assert!(alert.text.contains("anna@example.se") && alert.text.contains("192.0.2.7") && alert.text.contains("2025-03-01T12:00:00+01:00"));
        assert_eq!(EmailMessage::password_changed(&to(), Language::En).subject, "Your smsedge password was changed");
        assert!(EmailMessage::password_changed(&to(), Language::Sv).text.contains("har just ändrats"));
    }

    /// Decodes what [`header_text`] makes, written here from RFC 2047 (B encoding only).
    fn decode_header(value: &str) -> String {
        use base64::Engine;
        value
            .split(' ')
            .map(|word| match word.strip_prefix("=?UTF-8?B?").and_then(|w| w.strip_suffix("?=")) {
                Some(b64) => String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap(),
                None => format!("{word} "),
            })
            .collect::<String>()
            .trim_end()
            .to_owned()
    }

    #[test]
    fn a_subject_is_one_line_and_encoded_for_the_header() {
        let evil = "Acme\r\nBcc: x@evil.example\r\n\r\nPassword expired! Log in at https://evil.example/r";
        let invite = EmailMessage::invitation(&to(), "Bo\tEk", evil, "https://portal.example/invitation?token=abc", Language::En);
        assert_eq!(invite.subject(), "Bo Ek invited you to Acme Bcc: x@evil.example Password expired! Log in at https://evil.example/r on smsedge");
        assert!(!invite.text().contains("\r") && invite.text().contains("the account \"Acme Bcc: x@evil.example Password expired!"), "{}", invite.text());
        assert_eq!(invite.encoded_subject(), invite.subject(), "printable ASCII goes as it is");
        assert_eq!(one_line(" a\u{2028}b \u{85} c\n"), "a b c");

        // Non-ASCII: encoded-words of whole characters, never a line break, decoded back.
        let swedish = EmailMessage::invitation(&to(), "Åsa Öberg", "Ärlig Åkeri AB\r\nX-Evil: 1", "https://x/?token=t", Language::Sv);
        let header = swedish.encoded_subject();
        assert!(header.is_ascii() && !header.contains('\r') && !header.contains('\n'), "{header}");
        assert!(header.split(' ').all(|w| w.starts_with("=?UTF-8?B?") && w.ends_with("?=") && w.len() <= 75), "{header}");
        assert!(header.split(' ').count() > 1, "a long subject takes several words: {header}");
        assert_eq!(decode_header(&header), "Åsa Öberg bjuder in dig till Ärlig Åkeri AB X-Evil: 1 på smsedge");
        assert_eq!(decode_header(&header_text(&"ö".repeat(100))), "ö".repeat(100), "no character is cut in two");
        // Text that merely looks encoded is encoded too, so it reads as typed.
        assert!(header_text("=?UTF-8?B?QmNjOiB4?=").starts_with("=?UTF-8?B?PT9"));
    }

    #[test]
    fn the_single_use_link_can_be_left_out_of_what_is_kept() {
        let link = "https://portal.example/reset?token=secret123";
        for mail in [
            EmailMessage::password_reset(&to(), link, Language::Sv),
            EmailMessage::invitation(&to(), "Bo Ek", "Acme AB", link, Language::En),
            EmailMessage::invitation_for_user(&to(), "Bo Ek", "Acme AB", link, Language::Sv),
            EmailMessage::email_confirmation(&to(), link, Language::En),
        ] {
            assert!(mail.text().contains("token=secret123"));
            let kept = mail.text_without_link();
            assert!(!kept.contains("secret123") && kept.contains(LINK_NOT_KEPT), "{kept}");
        }
        let alert = EmailMessage::login_alert(&to(), &to(), "192.0.2.7", "2025-03-01T12:00:00Z", Language::En);
        assert_eq!(alert.text_without_link(), alert.text(), "nothing secret to leave out");
        let given = EmailMessage::access_given(&to(), "Acme AB", "https://portal.example/login", Language::En);
        assert_eq!((given.subject(), given.text_without_link().contains("/login")), ("You have access to Acme AB on smsedge", true));
        let for_user = EmailMessage::invitation_for_user(&to(), "Bo Ek", "Acme AB", link, Language::En);
        assert!(for_user.text().contains("Sign in as usual") && for_user.subject() == "Bo Ek invited you to Acme AB on smsedge");
    }
}
