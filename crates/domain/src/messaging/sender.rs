//! Sender ids: what the recipient's phone shows as "from".

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderKind {
    /// Letters and digits, shown as text ("ACME"); the recipient cannot reply.
    Alphanumeric,
    /// A phone number or short code; replies are possible.
    Numeric,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SenderError {
    #[error("the sender is empty")]
    Empty,
    #[error("a text sender has at most 11 characters; '{0}' has {1}")]
    TooLong(String, usize),
    #[error("a numeric sender has at most 15 digits; '{0}' has {1}")]
    TooManyDigits(String, usize),
    #[error("'{sender}' contains '{ch}'; a text sender may use A-Z, a-z, 0-9, space and - _ . & +")]
    ForbiddenCharacter { sender: String, ch: char },
    #[error("a text sender may not start or end with a space")]
    EdgeSpace,
    #[error("a text sender needs at least one letter or digit")]
    NoAlphanumeric,
}

const ALPHANUMERIC_MAX: usize = 11;
const NUMERIC_MAX_DIGITS: usize = 15;
/// Characters every GSM network shows in an alphanumeric originator.
const ALLOWED_PUNCTUATION: &str = " -_.&+";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    value: String,
    kind: SenderKind,
}

impl Sender {
    pub fn parse(input: &str) -> Result<Self, SenderError> {
        if input.is_empty() {
            return Err(SenderError::Empty);
        }
        let digits = input.strip_prefix('+').unwrap_or(input);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if digits.len() > NUMERIC_MAX_DIGITS {
                return Err(SenderError::TooManyDigits(input.to_owned(), digits.len()));
            }
            return Ok(Self { value: digits.to_owned(), kind: SenderKind::Numeric });
        }
        if let Some(ch) = input
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || ALLOWED_PUNCTUATION.contains(*c)))
        {
            return Err(SenderError::ForbiddenCharacter { sender: input.to_owned(), ch });
        }
        let length = input.chars().count();
        if length > ALPHANUMERIC_MAX {
            return Err(SenderError::TooLong(input.to_owned(), length));
        }
        if input.starts_with(' ') || input.ends_with(' ') {
            return Err(SenderError::EdgeSpace);
        }
        if !input.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(SenderError::NoAlphanumeric);
        }
        Ok(Self { value: input.to_owned(), kind: SenderKind::Alphanumeric })
    }

    /// Numeric senders without `+`, as carriers expect them.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn kind(&self) -> SenderKind {
        self.kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_senders() {
        let s = Sender::parse("ACME Shop").unwrap();
        assert_eq!(s.kind(), SenderKind::Alphanumeric);
        assert_eq!(s.as_str(), "ACME Shop");
        assert!(Sender::parse("A").is_ok());
        assert!(Sender::parse("Abcdefghijk").is_ok()); // 11
        assert!(Sender::parse("Bröd").is_err()); // non-ASCII letters vary by network
        assert_eq!(
            Sender::parse("Abcdefghijkl"),
            Err(SenderError::TooLong("Abcdefghijkl".into(), 12))
        );
        assert!(matches!(Sender::parse("hi@you"), Err(SenderError::ForbiddenCharacter { ch: '@', .. })));
        assert_eq!(Sender::parse(" ACME"), Err(SenderError::EdgeSpace));
        assert_eq!(Sender::parse(""), Err(SenderError::Empty));
    }

    #[test]
    fn numeric_senders() {
        let s = Sender::parse("+46701234567").unwrap();
        assert_eq!(s.kind(), SenderKind::Numeric);
        assert_eq!(s.as_str(), "46701234567");
        assert!(Sender::parse("72000").is_ok()); // short code
        assert!(Sender::parse("123456789012345").is_ok()); // 15 digits
        assert!(matches!(Sender::parse("1234567890123456"), Err(SenderError::TooManyDigits(_, 16))));
        assert_eq!(Sender::parse("+"), Err(SenderError::NoAlphanumeric));
        assert_eq!(Sender::parse("-_."), Err(SenderError::NoAlphanumeric));
    }
}
