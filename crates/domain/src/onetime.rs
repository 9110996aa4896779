//! Single-use tokens and codes (password reset, invitation, e-mail and phone confirmation)
//! and the e-mails and SMS that carry them, in Swedish and English.
//!
//! Tokens themselves are [`crate::session::new_secret_token`], stored as
//! [`crate::session::token_digest`]; this module holds their lifetimes and texts.

use crate::identity::{fill_random, Email, Language};
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

/// A plain-text e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailMessage {
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl EmailMessage {
    fn new(to: &Email, subject: impl Into<String>, text: String) -> EmailMessage {
        EmailMessage { to: to.as_str().to_owned(), subject: subject.into(), text }
    }

    pub fn password_reset(to: &Email, link: &str, lang: Language) -> EmailMessage {
        match lang {
            Language::Sv => EmailMessage::new(
                to,
                "Återställ ditt lösenord för smsedge",
                format!(
                    "Hej!\n\nNågon (förhoppningsvis du) har bett om att få återställa lösenordet för ditt smsedge-konto. \
                     Välj ett nytt lösenord via länken nedan. Länken gäller i en timme och kan bara användas en gång.\n\n\
                     {link}\n\nHar du inte bett om detta kan du bortse från mejlet; ditt lösenord är oförändrat.\n\n\
                     Hälsningar\nsmsedge\n"
                ),
            ),
            Language::En => EmailMessage::new(
                to,
                "Reset your smsedge password",
                format!(
                    "Hello,\n\nSomeone (hopefully you) asked to reset the password of your smsedge account. \
                     Choose a new password with the link below. The link works for one hour and only once.\n\n\
                     {link}\n\nIf you did not ask for this, you can ignore this e-mail; your password has not changed.\n\n\
                     Regards\nsmsedge\n"
                ),
            ),
        }
    }

    pub fn invitation(to: &Email, inviter_name: &str, account_name: &str, link: &str, lang: Language) -> EmailMessage {
        match lang {
            Language::Sv => EmailMessage::new(
                to,
                format!("{inviter_name} bjuder in dig till {account_name} på smsedge"),
                format!(
                    "Hej!\n\n{inviter_name} har bjudit in dig till kontot {account_name} på smsedge. \
                     Följ länken nedan för att tacka ja och välja ditt lösenord. Inbjudan gäller i sju dagar.\n\n\
                     {link}\n\nVäntade du dig inte den här inbjudan kan du bortse från mejlet.\n\n\
                     Hälsningar\nsmsedge\n"
                ),
            ),
            Language::En => EmailMessage::new(
                to,
                format!("{inviter_name} invited you to {account_name} on smsedge"),
                format!(
                    "Hello,\n\n{inviter_name} has invited you to the account {account_name} on smsedge. \
                     Follow the link below to accept and choose your password. The invitation works for seven days.\n\n\
                     {link}\n\nIf you were not expecting this invitation, you can ignore this e-mail.\n\n\
                     Regards\nsmsedge\n"
                ),
            ),
        }
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
            ),
            Language::En => EmailMessage::new(
                to,
                "Your smsedge password was changed",
                "Hello,\n\nThe password of your smsedge account was just changed.\n\n\
                 Was it not you? Reset your password at once with \"Forgot password\" on the sign-in page \
                 and contact us.\n\n\
                 Regards\nsmsedge\n"
                    .to_owned(),
            ),
        }
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
}
