//! Keywords in inbound SMS: opt-out (STOP), opt-in (START), help, "save me as a contact"
//! (`Spara Förnamn Efternamn Grupp`, seed 001) and an account's own keywords.
//!
//! **The whole message is the keyword.** Carriers and the big platforms act only on
//! single-word messages (Twilio, Braze: "exact, single-word … case insensitive"), because
//! a keyword inside a sentence ("please don't stop sending") is not a request. We trim
//! the message, drop punctuation, symbols and emoji around it (`STOP.`, `"stop!"`,
//! `Stopp 🛑`), collapse inner white space and compare with Unicode compatibility
//! caseless matching, so `stop`, `Stop`, `ＳＴＯＰ` and `hjälp`/`HJÄLP` (composed or not)
//! are one word. Only `SAVE`/`Spara` takes arguments.
//!
//! **Languages.** An account lists its languages; each adds its keyword set. English is
//! always on: STOP is the word people everywhere know, and the one seed 001 tells
//! Swedish recipients to send. When a word is in several sets (START, INFO) the account's
//! first listed language wins, so replies can be sent in that language.
//!
//! **Opt-out first.** The sets never overlap across kinds, and opt-out is checked before
//! anything else anyway: failing to honour a STOP is the one mistake we cannot undo.

use crate::contacts::contact::{ContactError, ContactName, GroupName};
use crate::callbacks::endpoint::{CallbackUrl, EndpointError};
use crate::identity::language::{Language, UnknownLanguage};
use crate::messaging::text::{caseless_key, MessageText, SegmentLimits, TextError};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Longest custom keyword, in characters.
pub const MAX_CUSTOM_KEYWORD_CHARS: usize = 20;

impl Language {
    /// This language's built-in keywords.
    pub fn keywords(self) -> &'static KeywordSet {
        match self {
            Language::En => &ENGLISH,
            Language::Sv => &SWEDISH,
        }
    }
}

/// One language's built-in keywords, written in their canonical form (the form reported
/// in [`InboundAction`] and stored as a block reason).
#[derive(Debug, PartialEq, Eq)]
pub struct KeywordSet {
    pub opt_out: &'static [&'static str],
    pub opt_in: &'static [&'static str],
    pub help: &'static [&'static str],
    /// The command word of "save me as a contact", followed by first name, last name, group.
    pub save: &'static str,
}

/// Twilio's and Braze's default sets (reference §7), plus Telnyx's "STOP ALL" for people
/// who type STOPALL with a space.
pub const ENGLISH: KeywordSet = KeywordSet {
    opt_out: &["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"],
    opt_in: &["START", "UNSTOP", "YES"],
    help: &["HELP", "INFO"],
    save: "SAVE",
};

/// STOPP is the Swedish spelling of STOP and AVSLUTA ("end", "cancel a subscription") what
/// Swedish services ask for; STOP itself comes from the English set, which is always on.
/// HJALP is HJÄLP typed on a keyboard without Ä.
pub const SWEDISH: KeywordSet =
    KeywordSet {
        opt_out: &["STOPP", "AVSLUTA"], opt_in: &["START"], help: &["HJÄLP", "HJALP", "INFO"], save: "SPARA"
    };

/// What an inbound message asks for. Whatever it is, the message itself is still stored
/// in the inbox and forwarded to the account (recipients' words are the customer's
/// business); the action is what the platform does on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundAction {
    /// Block the sender's number for the account, and confirm once.
    OptOut { keyword: &'static str, language: Language },
    /// Lift an opt-out. For a number that is not blocked this is an ordinary message
    /// (YES is also an answer to questions): do nothing extra.
    OptIn { keyword: &'static str, language: Language },
    /// Reply with the account's help text.
    Help { keyword: &'static str, language: Language },
    /// Save the sender's number in the contact book under `name`, in `group` (created if
    /// no group has the same [`GroupName::key`]).
    Save { name: ContactName, group: GroupName, language: Language },
    /// Began with SAVE/Spara but is not three valid words after it. Keep it in the inbox
    /// and do not guess; no automatic reply either ("Save the date for Friday" is a normal
    /// message that happens to start with the word).
    MalformedSave { reason: SaveProblem, language: Language },
    /// The account's custom keyword at this index of the list passed to [`classify`].
    Custom { index: usize },
    /// An ordinary message.
    None,
}

impl InboundAction {
    /// The stable name stored with the message and sent in the inbound event's `action`.
    pub fn kind(&self) -> &'static str {
        match self {
            InboundAction::OptOut { .. } => "opt_out",
            InboundAction::OptIn { .. } => "opt_in",
            InboundAction::Help { .. } => "help",
            InboundAction::Save { .. } => "save",
            InboundAction::MalformedSave { .. } => "malformed_save",
            InboundAction::Custom { .. } => "custom",
            InboundAction::None => "none",
        }
    }

    /// A short human-readable detail for `action_detail`: the keyword, the saved contact
    /// (`Niklas Niklasson → kunder`), why a save was refused, or the custom keyword as
    /// written (`custom` is the list given to [`classify`]).
    pub fn detail(&self, custom: &[CustomKeyword]) -> Option<String> {
        match self {
            InboundAction::OptOut { keyword, .. }
            | InboundAction::OptIn { keyword, .. }
            | InboundAction::Help { keyword, .. } => Some((*keyword).to_owned()),
            InboundAction::Save { name, group, .. } => Some(format!("{name} → {group}")),
            InboundAction::MalformedSave { reason, .. } => Some(reason.to_string()),
            InboundAction::Custom { index } => custom.get(*index).map(|k| k.word().to_owned()),
            InboundAction::None => None,
        }
    }
}

/// Why a SAVE/Spara message was not taken as a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveProblem {
    #[error("'{command}' must be followed by exactly three words: first name, last name and group (e.g. {command} Niklas Niklasson kunder); got {words}")]
    WordCount { command: &'static str, words: usize },
    #[error(transparent)]
    Name(ContactError),
    #[error(transparent)]
    Group(ContactError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeywordError {
    #[error("'{0}' is not a language we have keywords for; use en or sv")]
    UnknownLanguage(String),
    #[error("the keyword is empty")]
    Empty,
    #[error("a keyword may be at most {MAX_CUSTOM_KEYWORD_CHARS} characters; '{0}' is longer")]
    TooLong(String),
    #[error("a keyword is one word; '{0}' contains a space")]
    Whitespace(String),
    #[error("a keyword must start and end with a letter or digit; '{0}' does not, so no message could match it")]
    Edges(String),
    #[error("the keyword '{0}' contains a control character")]
    ControlCharacter(String),
    #[error("'{word}' is the built-in keyword {builtin}, which cannot be redefined")]
    Reserved { word: String, builtin: &'static str },
    #[error("the keyword '{0}' is defined twice (keywords ignore case)")]
    Duplicate(String),
    #[error("the keyword's reply cannot be sent: {0}")]
    Reply(TextError),
    #[error("the keyword's forward URL is not usable: {0}")]
    ForwardUrl(EndpointError),
}

impl From<UnknownLanguage> for KeywordError {
    fn from(e: UnknownLanguage) -> Self {
        KeywordError::UnknownLanguage(e.0)
    }
}

/// An account's own keyword, e.g. `OFFER` → reply with this week's offer and/or forward
/// the message to a URL (besides the account's inbound webhook, which gets every message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomKeyword {
    word: String,
    key: String,
    reply: Option<String>,
    forward_url: Option<CallbackUrl>,
}

impl CustomKeyword {
    /// Checks the keyword: 1–20 characters, one word that starts and ends with a letter or
    /// digit (punctuation around a message is dropped before matching, so nothing else
    /// could ever match), and none of the built-in keywords of any language (an account
    /// can add languages later; STOP must always mean stop). The reply, if any, must be a
    /// sendable SMS, the forward URL an http(s) URL. The word is kept as written, for
    /// display; store [`key`](CustomKeyword::key) beside it to keep words unique.
    pub fn new(word: &str, reply: Option<&str>, forward_url: Option<&str>) -> Result<CustomKeyword, KeywordError> {
        let word: String = word.trim().nfc().collect();
        if word.is_empty() {
            return Err(KeywordError::Empty);
        }
        if word.chars().count() > MAX_CUSTOM_KEYWORD_CHARS {
            return Err(KeywordError::TooLong(word));
        }
        if word.chars().any(char::is_whitespace) {
            return Err(KeywordError::Whitespace(word));
        }
        if word.chars().any(char::is_control) {
            return Err(KeywordError::ControlCharacter(word));
        }
        if trim_non_alphanumeric(&word) != word {
            return Err(KeywordError::Edges(word));
        }
        let key = caseless_key(&word);
        if let Some(builtin) = builtin_words().find(|b| caseless_key(b) == key) {
            return Err(KeywordError::Reserved { word, builtin });
        }
        let reply = match reply {
            Some(text) => Some(
                MessageText::parse(text, SegmentLimits::default()).map_err(KeywordError::Reply)?.as_str().to_owned(),
            ),
            None => None,
        };
        let forward_url = forward_url.map(CallbackUrl::parse).transpose().map_err(KeywordError::ForwardUrl)?;
        Ok(CustomKeyword { word, key, reply, forward_url })
    }

    /// The keyword as the customer wrote it.
    pub fn word(&self) -> &str {
        &self.word
    }

    /// The caseless form two keywords are compared by ([`caseless_key`]).
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn reply(&self) -> Option<&str> {
        self.reply.as_deref()
    }

    pub fn forward_url(&self) -> Option<&CallbackUrl> {
        self.forward_url.as_ref()
    }
}

/// Refuses a list in which two keywords match the same messages.
pub fn check_unique(keywords: &[CustomKeyword]) -> Result<(), KeywordError> {
    for (i, k) in keywords.iter().enumerate() {
        if keywords[..i].iter().any(|earlier| earlier.key == k.key) {
            return Err(KeywordError::Duplicate(k.word.clone()));
        }
    }
    Ok(())
}

/// Every built-in word of every language, command words included.
fn builtin_words() -> impl Iterator<Item = &'static str> {
    Language::ALL.into_iter().flat_map(|l| {
        let set = l.keywords();
        set.opt_out.iter().chain(set.opt_in).chain(set.help).copied().chain(std::iter::once(set.save))
    })
}

/// The account's languages in order, each once, with English added last if missing.
pub fn effective_languages(languages: &[Language]) -> Vec<Language> {
    let mut out: Vec<Language> = Vec::with_capacity(languages.len() + 1);
    for &l in languages.iter().chain(std::iter::once(&Language::En)) {
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// Decides what an inbound message asks for (see the module documentation).
pub fn classify(text: &str, languages: &[Language], custom: &[CustomKeyword]) -> InboundAction {
    let words = words(text);
    if words.is_empty() {
        return InboundAction::None;
    }
    let phrase = caseless_key(&words.join(" "));
    let languages = effective_languages(languages);
    let find = |pick: fn(&'static KeywordSet) -> &'static [&'static str]| {
        languages.iter().find_map(|&l| pick(l.keywords()).iter().find(|w| caseless_key(w) == phrase).map(|&w| (w, l)))
    };
    if let Some((keyword, language)) = find(|s| s.opt_out) {
        return InboundAction::OptOut { keyword, language };
    }
    if let Some((keyword, language)) = find(|s| s.opt_in) {
        return InboundAction::OptIn { keyword, language };
    }
    if let Some((keyword, language)) = find(|s| s.help) {
        return InboundAction::Help { keyword, language };
    }
    let command = caseless_key(trim_non_alphanumeric(&words[0]));
    if let Some(&language) = languages.iter().find(|l| caseless_key(l.keywords().save) == command) {
        return save(language, &words[1..]);
    }
    match custom.iter().position(|k| k.key == phrase) {
        Some(index) => InboundAction::Custom { index },
        None => InboundAction::None,
    }
}

/// `first last group` after the command word. Punctuation around each word is dropped
/// (`Spara: Niklas, Niklasson, kunder.`), the words themselves are kept exactly as
/// written: we do not title-case, because no rule gets McDonald, van Dijk and
/// DiCaprio right and a wrong guess cannot be undone, while the sender knows how their
/// name is spelt. The contact book can correct a name later.
fn save(language: Language, args: &[String]) -> InboundAction {
    let command = language.keywords().save;
    let malformed = |reason| InboundAction::MalformedSave { reason, language };
    let [first, last, group] = args else {
        return malformed(SaveProblem::WordCount { command, words: args.len() });
    };
    let name = match ContactName::new(trim_non_alphanumeric(first), trim_non_alphanumeric(last)) {
        Ok(name) => name,
        Err(e) => return malformed(SaveProblem::Name(e)),
    };
    match GroupName::parse(trim_non_alphanumeric(group)) {
        Ok(group) => InboundAction::Save { name, group, language },
        Err(e) => malformed(SaveProblem::Group(e)),
    }
}

/// The message's words: NFC-normalised, without the punctuation, symbols, emoji and
/// invisible characters around the message, split on white space.
fn words(text: &str) -> Vec<String> {
    let text: String = text.nfc().collect();
    trim_non_alphanumeric(&text).split_whitespace().map(str::to_owned).collect()
}

/// Drops whole grapheme clusters from both ends until one starts with a letter or digit,
/// so an accent stays with its letter and an emoji goes with its variation selector.
pub(crate) fn trim_non_alphanumeric(text: &str) -> &str {
    let keep = |g: &&str| g.chars().next().is_some_and(char::is_alphanumeric);
    let Some((start, _)) = text.grapheme_indices(true).find(|(_, g)| keep(g)) else {
        return "";
    };
    let (last, g) = text.grapheme_indices(true).rev().find(|(_, g)| keep(g)).unwrap_or((start, ""));
    &text[start..last + g.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &[Language] = &[Language::En];
    const SV: &[Language] = &[Language::Sv];

    fn plain(text: &str, languages: &[Language]) -> InboundAction {
        classify(text, languages, &[])
    }

    fn opt_out(keyword: &'static str, language: Language) -> InboundAction {
        InboundAction::OptOut { keyword, language }
    }

    #[test]
    fn languages_parse() {
    }

    #[test]
    fn actions_have_stable_kinds_and_details() {
        let custom = [kw("OFFER")];
        let cases = [
            ("stopp", "opt_out", Some("STOPP")),
            ("start", "opt_in", Some("START")),
            ("hjälp", "help", Some("HJÄLP")),
            ("Spara Niklas Niklasson kunder", "save", Some("Niklas Niklasson → kunder")),
            ("offer", "custom", Some("OFFER")),
            ("hej", "none", None),
        ];
        for (text, kind, detail) in cases {
            let action = classify(text, SV, &custom);
            assert_eq!(action.kind(), kind, "{text}");
            assert_eq!(action.detail(&custom).as_deref(), detail, "{text}");
        }
        let malformed = classify("Spara Niklas", SV, &custom);
        assert_eq!(malformed.kind(), "malformed_save");
        assert!(malformed.detail(&custom).unwrap().contains("exactly three words"));
    }

    #[test]
    fn english_is_always_on_and_first_listed_language_wins() {
        assert_eq!(effective_languages(&[]), vec![Language::En]);
        assert_eq!(effective_languages(SV), vec![Language::Sv, Language::En]);
        assert_eq!(effective_languages(&[Language::En, Language::Sv, Language::En]), vec![Language::En, Language::Sv]);
        assert_eq!(plain("STOP", SV), opt_out("STOP", Language::En));
        assert_eq!(plain("START", SV), InboundAction::OptIn { keyword: "START", language: Language::Sv });
        assert_eq!(plain("START", EN), InboundAction::OptIn { keyword: "START", language: Language::En });
        assert_eq!(plain("info", SV), InboundAction::Help { keyword: "INFO", language: Language::Sv });
    }

    #[test]
    fn every_builtin_word_is_recognised() {
        let all = &[Language::Sv, Language::En];
        for lang in Language::ALL {
            let set = lang.keywords();
            for &w in set.opt_out {
                assert!(matches!(plain(w, all), InboundAction::OptOut { keyword, .. } if keyword == w), "{w}");
                assert!(matches!(plain(&w.to_lowercase(), all), InboundAction::OptOut { .. }), "{w}");
            }
            for &w in set.opt_in {
                assert!(matches!(plain(w, all), InboundAction::OptIn { keyword, .. } if keyword == w), "{w}");
            }
            for &w in set.help {
                assert!(matches!(plain(w, all), InboundAction::Help { keyword, .. } if keyword == w), "{w}");
            }
        }
    }

    #[test]
    fn the_whole_message_is_the_keyword() {
        for text in [
            "STOP",
            "stop",
            "Stop",
            "  stop  ",
            "STOP.",
            "stop!",
            "\"Stop\"",
            "¡STOP!",
            "stop 🛑",
            "🛑️ stop",
            "(stop)",
            "ＳＴＯＰ",
            "\u{200B}stop\u{FEFF}",
        ] {
            assert_eq!(plain(text, EN), opt_out("STOP", Language::En), "{text:?}");
        }
        assert_eq!(plain("stop   all", EN), opt_out("STOP ALL", Language::En));
        assert_eq!(plain("Stop\nAll!", EN), opt_out("STOP ALL", Language::En));
        for text in [
            "please don't stop sending",
            "stop it",
            "STOP STOP",
            "non-stop",
            "stopped",
            "s t o p",
            "",
            "  ",
            "!!!",
            "🛑",
        ] {
            assert_eq!(plain(text, EN), InboundAction::None, "{text:?}");
        }
    }

    #[test]
    fn swedish_words_need_swedish() {
        assert_eq!(plain("STOPP", EN), InboundAction::None);
        assert_eq!(plain("Stopp", SV), opt_out("STOPP", Language::Sv));
        assert_eq!(plain("avsluta.", SV), opt_out("AVSLUTA", Language::Sv));
        let help = InboundAction::Help { keyword: "HJÄLP", language: Language::Sv };
        // Composed, decomposed (A + combining diaeresis), any case.
        for text in ["HJÄLP", "hjälp", "hja\u{308}lp", "Hjälp?"] {
            assert_eq!(plain(text, SV), help, "{text:?}");
        }
        assert_eq!(plain("hjalp", SV), InboundAction::Help { keyword: "HJALP", language: Language::Sv });
        assert_eq!(plain("HJÄLP", EN), InboundAction::None);
    }

    fn saved(text: &str, languages: &[Language]) -> (String, String, String, Language) {
        match plain(text, languages) {
            InboundAction::Save { name, group, language } => {
                (name.first().to_owned(), name.last().to_owned(), group.as_str().to_owned(), language)
            }
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn spara_saves_the_sender_as_written() {
        let niklas = ("Niklas".to_owned(), "Niklasson".to_owned(), "kunder".to_owned(), Language::Sv);
        assert_eq!(saved("Spara Niklas Niklasson kunder", SV), niklas);
        assert_eq!(saved("SPARA  Niklas\tNiklasson kunder.", SV), niklas);
        assert_eq!(saved("spara: Niklas, Niklasson, kunder!", SV), niklas);
        assert_eq!(
            saved("spara åsa McDonald Kunder", SV),
            ("åsa".into(), "McDonald".into(), "Kunder".into(), Language::Sv)
        );
        assert_eq!(
            saved("Spara Anna-Karin O'Brien VIP-kunder", SV),
            ("Anna-Karin".into(), "O'Brien".into(), "VIP-kunder".into(), Language::Sv)
        );
        // Decomposed input is stored composed.
        assert_eq!(saved("Spara A\u{30A}sa Ek kunder", SV).0, "Åsa");
        assert_eq!(
            saved("save Jane Doe customers", SV),
            ("Jane".into(), "Doe".into(), "customers".into(), Language::En)
        );
        // Spara is Swedish; without Swedish it is an ordinary message.
        assert_eq!(plain("Spara Niklas Niklasson kunder", EN), InboundAction::None);
    }

    #[test]
    fn malformed_spara_is_kept_not_guessed() {
        let count = |text: &str| match plain(text, SV) {
            InboundAction::MalformedSave { reason: SaveProblem::WordCount { words, command }, language } => {
                assert_eq!(command, language.keywords().save);
                words
            }
            other => panic!("{text:?} gave {other:?}"),
        };
        assert_eq!(count("Spara"), 0);
        assert_eq!(count("spara."), 0);
        assert_eq!(count("Spara Niklas"), 1);
        assert_eq!(count("Spara Niklas kunder"), 2);
        assert_eq!(count("Spara Niklas Niklasson kunder extra"), 4);
        assert_eq!(count("Save the date"), 2);
        let reason = SaveProblem::WordCount { command: "SPARA", words: 1 };
        assert!(reason.to_string().contains("exactly three words"));
        let long = format!("Spara {} Niklasson kunder", "N".repeat(65));
        assert!(matches!(plain(&long, SV), InboundAction::MalformedSave { reason: SaveProblem::Name(_), .. }));
        let long = format!("Spara Niklas Niklasson {}", "k".repeat(65));
        assert!(matches!(plain(&long, SV), InboundAction::MalformedSave { reason: SaveProblem::Group(_), .. }));
        assert!(matches!(
            plain("Spara Niklas - kunder", SV),
            InboundAction::MalformedSave { reason: SaveProblem::Name(_), .. }
        ));
        // "Sparade" is another word, not the command.
        assert_eq!(plain("Sparade Niklas Niklasson kunder", SV), InboundAction::None);
    }

    fn kw(word: &str) -> CustomKeyword {
        CustomKeyword::new(word, Some("Veckans erbjudande: 2 för 1!"), Some("https://example.se/in")).unwrap()
    }

    #[test]
    fn custom_keywords_match_the_whole_message() {
        let custom = [kw("OFFER"), kw("Pizza2")];
        assert_eq!(classify("offer", EN, &custom), InboundAction::Custom { index: 0 });
        assert_eq!(classify(" Offer! ", EN, &custom), InboundAction::Custom { index: 0 });
        assert_eq!(classify("PIZZA2", SV, &custom), InboundAction::Custom { index: 1 });
        assert_eq!(classify("an offer please", EN, &custom), InboundAction::None);
        assert_eq!(classify("stop", EN, &custom), opt_out("STOP", Language::En));
        assert_eq!(custom[0].word(), "OFFER");
        assert_eq!(custom[0].reply(), Some("Veckans erbjudande: 2 för 1!"));
        assert_eq!(custom[0].forward_url().map(CallbackUrl::as_str), Some("https://example.se/in"));
        let sv = CustomKeyword::new("Rea", None, None).unwrap();
        assert_eq!(classify("REA", SV, std::slice::from_ref(&sv)), InboundAction::Custom { index: 0 });
        assert_eq!(sv.key(), "rea");
    }

    #[test]
    fn custom_keywords_are_checked() {
        let new = |w: &str| CustomKeyword::new(w, None, None);
        assert_eq!(new("  "), Err(KeywordError::Empty));
        assert!(new(&"x".repeat(20)).is_ok());
        assert!(new("ÅÄÖåäöÅÄÖåäöÅÄÖåäöÅÄ").is_ok());
        assert_eq!(new(&"x".repeat(21)), Err(KeywordError::TooLong("x".repeat(21))));
        assert_eq!(new("two words"), Err(KeywordError::Whitespace("two words".into())));
        assert_eq!(new("WIN!"), Err(KeywordError::Edges("WIN!".into())));
        assert_eq!(new("#deal"), Err(KeywordError::Edges("#deal".into())));
        assert_eq!(new("a\u{7}b"), Err(KeywordError::ControlCharacter("a\u{7}b".into())));
        assert!(new("WIN-2026").is_ok());
        for (word, builtin) in [
            ("stop", "STOP"),
            ("Stopp", "STOPP"),
            ("hjälp", "HJÄLP"),
            ("spara", "SPARA"),
            ("SAVE", "SAVE"),
            ("yes", "YES"),
            ("stopall", "STOPALL"),
        ] {
            assert_eq!(new(word), Err(KeywordError::Reserved { word: word.into(), builtin }), "{word}");
        }
        assert!(matches!(CustomKeyword::new("OFFER", Some(" "), None), Err(KeywordError::Reply(TextError::Empty))));
        assert!(matches!(
            CustomKeyword::new("OFFER", Some(&"x".repeat(2000)), None),
            Err(KeywordError::Reply(TextError::TooLong { .. }))
        ));
        assert!(matches!(
            CustomKeyword::new("OFFER", None, Some("ftp://example.se/")),
            Err(KeywordError::ForwardUrl(EndpointError::Scheme(_)))
        ));
        assert_eq!(check_unique(&[kw("OFFER"), kw("pizza")]), Ok(()));
        assert_eq!(
            check_unique(&[kw("OFFER"), kw("pizza"), kw("offer")]),
            Err(KeywordError::Duplicate("offer".into()))
        );
    }

    #[test]
    fn caseless_keys() {
        assert_eq!(caseless_key("HJÄLP"), caseless_key("hja\u{308}lp"));
        assert_eq!(caseless_key("Straße"), caseless_key("STRASSE"));
        assert_eq!(caseless_key("ＳＴＯＰ"), "stop");
        assert_ne!(caseless_key("ÅSA"), caseless_key("asa"));
    }

    #[test]
    fn trimming_keeps_accents_with_their_letters() {
        assert_eq!(trim_non_alphanumeric("!!cafe\u{301}!!"), "cafe\u{301}");
        assert_eq!(trim_non_alphanumeric("👍🏽 ok 👍🏽"), "ok");
        assert_eq!(trim_non_alphanumeric("..."), "");
        assert_eq!(trim_non_alphanumeric("a"), "a");
        assert_eq!(trim_non_alphanumeric("2"), "2");
    }
}
