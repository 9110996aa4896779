//! The languages the platform speaks: of the portal, of e-mails and SMS to a person, and
//! the languages whose keywords an account answers to (`keyword`).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Sv,
}

/// A language we do not speak (the input, as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a language; use sv or en")]
pub struct UnknownLanguage(pub String);

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Sv];

    /// Exactly `sv` or `en` (surrounding spaces aside): a person's language, as the API
    /// documents it.
    pub fn parse(input: &str) -> Result<Language, UnknownLanguage> {
        match input.trim() {
            "en" => Ok(Language::En),
            "sv" => Ok(Language::Sv),
            _ => Err(UnknownLanguage(input.to_owned())),
        }
    }

    /// `en` or `sv`, any case; a region (`sv-SE`, `en_GB`) is allowed and ignored: the
    /// languages an account's keywords answer in, as customers write them.
    pub fn parse_tag(input: &str) -> Result<Language, UnknownLanguage> {
        let primary = input.trim().split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Ok(Language::En),
            "sv" => Ok(Language::Sv),
            _ => Err(UnknownLanguage(input.to_owned())),
        }
    }

    /// A stored or requested list such as `sv,en` (commas and/or spaces), in order, each
    /// language once. Empty is allowed.
    pub fn parse_list(input: &str) -> Result<Vec<Language>, UnknownLanguage> {
        let mut out = Vec::new();
        for code in input.split([',', ' ']).filter(|c| !c.trim().is_empty()) {
            let language = Language::parse_tag(code)?;
            if !out.contains(&language) {
                out.push(language);
            }
        }
        Ok(out)
    }

    /// `sv,en`: the form [`Language::parse_list`] reads.
    pub fn list_string(languages: &[Language]) -> String {
        languages.iter().map(|l| l.code()).collect::<Vec<_>>().join(",")
    }

    /// The ISO 639-1 code we store and show.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Sv => "sv",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_language_is_exactly_sv_or_en() {
        assert_eq!(Language::parse(" sv "), Ok(Language::Sv));
        assert_eq!(Language::parse("en"), Ok(Language::En));
        assert_eq!(Language::parse("SV"), Err(UnknownLanguage("SV".into())));
        assert_eq!(Language::parse("sv-SE"), Err(UnknownLanguage("sv-SE".into())));
    }

    #[test]
    fn keyword_languages_any_case_with_or_without_a_region() {
        assert_eq!(Language::parse_tag("en"), Ok(Language::En));
        assert_eq!(Language::parse_tag(" SV "), Ok(Language::Sv));
        assert_eq!(Language::parse_tag("sv-SE"), Ok(Language::Sv));
        assert_eq!(Language::parse_tag("en_GB"), Ok(Language::En));
        assert_eq!(Language::parse_tag("de"), Err(UnknownLanguage("de".into())));
        assert_eq!(Language::parse_tag(""), Err(UnknownLanguage("".into())));
        assert_eq!(UnknownLanguage("de".into()).to_string(), "'de' is not a language; use sv or en");
        assert_eq!(serde_json::to_value(Language::Sv).unwrap(), "sv");
        assert_eq!(Language::Sv.to_string(), "sv");
    }

    #[test]
    fn lists_keep_order_and_drop_repeats() {
        assert_eq!(Language::parse_list("sv,en"), Ok(vec![Language::Sv, Language::En]));
        assert_eq!(Language::parse_list(" en, sv ,en"), Ok(vec![Language::En, Language::Sv]));
        assert_eq!(Language::parse_list(""), Ok(vec![]));
        assert_eq!(Language::parse_list("sv,fi"), Err(UnknownLanguage("fi".into())));
        assert_eq!(Language::list_string(&[Language::Sv, Language::En]), "sv,en");
    }
}
