//! SMS text: which encoding a message needs and how many parts it takes on the air.
//!
//! Rules follow 3GPP TS 23.038 (GSM 7-bit default alphabet and its extension
//! table) and the concatenated-SMS limits every carrier applies: a single
//! message holds 160 septets or 70 UTF-16 units; once split, each part loses
//! room to the concatenation header and holds 153 septets or 67 units.

use caseless::Caseless;
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;

/// The character encoding a message is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Encoding {
    #[serde(rename = "GSM-7")]
    Gsm7,
    #[serde(rename = "UCS-2")]
    Ucs2,
}

impl Encoding {
    pub fn as_str(&self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// Units that fit in a message sent as one part.
    fn single_capacity(self) -> u32 {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units that fit in each part of a multipart message (the UDH takes the rest).
    fn part_capacity(self) -> u32 {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }

    /// What one character costs in this encoding. The GSM-7 cost assumes the
    /// text was already found to be GSM-7 encodable.
    fn units_of(self, ch: char) -> u32 {
        match self {
            // Extension characters are sent as ESC + code: two septets.
            Encoding::Gsm7 if is_gsm7_extension(ch) => 2,
            Encoding::Gsm7 => 1,
            // Outside the BMP a character is a surrogate pair.
            Encoding::Ucs2 => ch.len_utf16() as u32,
        }
    }
}

/// Caller-tunable limits on message size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentLimits {
    pub max_parts: u32,
}

impl Default for SegmentLimits {
    fn default() -> Self {
        // Ten parts is the common carrier ceiling; beyond it delivery gets unreliable and costly.
        SegmentLimits { max_parts: 10 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the message text is empty")]
    Empty,
    #[error("the message needs {parts} parts; the limit is {max_parts}")]
    TooLong { parts: u32, max_parts: u32 },
    #[error("the message text contains the forbidden control character {ch:?}")]
    ForbiddenCharacter { ch: char },
}

/// A validated message text with its encoding and size already worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText {
    text: String,
    encoding: Encoding,
    segments: u32,
    units: u32,
}

impl MessageText {
    /// Validates `text` and computes its encoding and part count. The text is
    /// stored unchanged (no trimming): what the user typed is what is sent.
    pub fn parse(text: &str, limits: SegmentLimits) -> Result<Self, TextError> {
        // A blank SMS is never intended, so whitespace-only counts as empty.
        if text.trim().is_empty() {
            return Err(TextError::Empty);
        }
        if let Some(ch) = text.chars().find(|&c| is_forbidden(c)) {
            return Err(TextError::ForbiddenCharacter { ch });
        }

        // One non-GSM character forces the whole message to UCS-2.
        let encoding = if text.chars().all(is_gsm7) {
            Encoding::Gsm7
        } else {
            Encoding::Ucs2
        };
        let units = text
            .chars()
            .fold(0u32, |acc, c| acc.saturating_add(encoding.units_of(c)));
        let segments = u32::try_from(part_ranges(text, encoding, units).len()).unwrap_or(u32::MAX);

        // Never truncate: a cut message can change its meaning.
        if segments > limits.max_parts {
            return Err(TextError::TooLong {
                parts: segments,
                max_parts: limits.max_parts,
            });
        }

        Ok(MessageText {
            text: text.to_owned(),
            encoding,
            segments,
            units,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    pub fn segments(&self) -> u32 {
        self.segments
    }

    /// septets for GSM-7, UTF-16 code units for UCS-2
    pub fn units(&self) -> u32 {
        self.units
    }

    /// The text split into the parts that go on the air (for a carrier that wants parts).
    /// Uses the same packing as `segments()`, so `parts().len() == segments()`.
    pub fn parts(&self) -> Vec<String> {
        part_ranges(&self.text, self.encoding, self.units)
            .into_iter()
            .map(|r| self.text[r].to_owned())
            .collect()
    }
}

/// Byte ranges of each part. Packing is greedy per character, so an escape
/// pair (GSM-7) or a surrogate pair (UCS-2) is never split between parts —
/// which is why the count can exceed ceil(units / part_capacity).
fn part_ranges(text: &str, encoding: Encoding, total_units: u32) -> Vec<Range<usize>> {
    if total_units <= encoding.single_capacity() {
        return std::iter::once(0..text.len()).collect();
    }
    let capacity = encoding.part_capacity();
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut used = 0u32;
    for (idx, ch) in text.char_indices() {
        let cost = encoding.units_of(ch);
        if used + cost > capacity {
            ranges.push(start..idx);
            start = idx;
            used = 0;
        }
        used += cost;
    }
    ranges.push(start..text.len());
    ranges
}

/// C0 controls have no place in an SMS (NUL in particular breaks carrier
/// protocols); LF, CR and form feed are real GSM-7 characters and stay allowed.
fn is_forbidden(ch: char) -> bool {
    ch < '\u{20}' && !matches!(ch, '\n' | '\r' | '\x0C')
}

fn is_gsm7(ch: char) -> bool {
    is_gsm7_basic(ch) || is_gsm7_extension(ch)
}

/// The GSM 03.38 default alphabet (ESC at 0x1B excluded: it is not a character).
fn is_gsm7_basic(ch: char) -> bool {
    matches!(
        ch,
        'A'..='Z'
            | 'a'..='z'
            | '0'..='9'
            | '@' | '£' | '$' | '¥' | 'è' | 'é' | 'ù' | 'ì' | 'ò' | 'Ç' | '\n' | 'Ø' | 'ø' | '\r' | 'Å' | 'å'
            | 'Δ' | '_' | 'Φ' | 'Γ' | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' | 'Æ' | 'æ' | 'ß' | 'É'
            | ' ' | '!' | '"' | '#' | '¤' | '%' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | '-' | '.' | '/'
            | ':' | ';' | '<' | '=' | '>' | '?'
            | '¡' | 'Ä' | 'Ö' | 'Ñ' | 'Ü' | '§'
            | '¿' | 'ä' | 'ö' | 'ñ' | 'ü' | 'à'
    )
}

/// The GSM 03.38 extension table: each is sent as ESC + code (2 septets).
fn is_gsm7_extension(ch: char) -> bool {
    matches!(
        ch,
        '\x0C' | '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '€'
    )
}

/// The form two words are compared in: Unicode compatibility caseless matching
/// (Unicode §3.13, D146: NFKD(fold(NFKD(fold(NFD(x)))))), so case, composed or decomposed
/// accents and full-width forms do not matter. Keywords, contact and group names are all matched by it.
pub fn caseless_key(text: &str) -> String {
    text.nfd().default_case_fold().nfkd().default_case_fold().nfkd().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MessageText, TextError> {
        MessageText::parse(text, SegmentLimits::default())
    }

    fn ok(text: &str) -> MessageText {
        parse(text).expect("valid text")
    }

    fn assert_parts_consistent(m: &MessageText) {
        let parts = m.parts();
        assert_eq!(parts.len() as u32, m.segments());
        assert_eq!(parts.concat(), m.as_str());
    }

    #[test]
    fn encoding_names() {
        assert_eq!(Encoding::Gsm7.as_str(), "GSM-7");
        assert_eq!(Encoding::Ucs2.as_str(), "UCS-2");
    }

    #[test]
    fn default_limit_is_ten() {
        assert_eq!(SegmentLimits::default().max_parts, 10);
    }

    #[test]
    fn gsm7_boundaries() {
        for (n, segs) in [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)] {
            let m = ok(&"a".repeat(n));
            assert_eq!(m.encoding(), Encoding::Gsm7);
            assert_eq!(m.units(), n as u32);
            assert_eq!(m.segments(), segs, "{n} chars");
            assert_parts_consistent(&m);
        }
    }

    #[test]
    fn ucs2_boundaries() {
        for (n, segs) in [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3)] {
            let m = ok(&"ł".repeat(n));
            assert_eq!(m.encoding(), Encoding::Ucs2);
            assert_eq!(m.units(), n as u32);
            assert_eq!(m.segments(), segs, "{n} chars");
            assert_parts_consistent(&m);
        }
    }

    #[test]
    fn whole_gsm_basic_alphabet_is_gsm7() {
        let alphabet = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                        ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
        // 128 positions minus ESC.
        assert_eq!(alphabet.chars().count(), 127);
        let m = ok(alphabet);
        assert_eq!(m.encoding(), Encoding::Gsm7);
        assert_eq!(m.units(), 127);
    }

    #[test]
    fn extension_chars_cost_two_septets() {
        let m = ok("\x0C^{}\\[~]|€");
        assert_eq!(m.encoding(), Encoding::Gsm7);
        assert_eq!(m.units(), 20);
    }

    #[test]
    fn euro_stays_gsm7() {
        let m = ok("€");
        assert_eq!(m.encoding(), Encoding::Gsm7);
        assert_eq!(m.units(), 2);
        assert_eq!(m.segments(), 1);
    }

    #[test]
    fn euro_pushes_159_plain_over_single_limit() {
        let m = ok(&format!("{}€", "a".repeat(159)));
        assert_eq!(m.units(), 161);
        assert_eq!(m.segments(), 2);
        assert_parts_consistent(&m);
    }

    #[test]
    fn escape_pair_at_160_fits_single_message() {
        let m = ok(&format!("{}€", "a".repeat(158)));
        assert_eq!(m.units(), 160);
        assert_eq!(m.segments(), 1);
    }

    #[test]
    fn escape_pair_never_split_across_parts() {
        // 152 + 2 + 153 = 307 septets: part 1 stops at 152, '{' opens part 2.
        let m = ok(&format!("{}{{{}", "a".repeat(152), "a".repeat(153)));
        assert_eq!(m.units(), 307);
        let parts = m.parts();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "a".repeat(152));
        assert_eq!(parts[1], format!("{{{}", "a".repeat(151)));
        assert_eq!(parts[2], "aa");
        assert_eq!(m.segments(), 3);
    }

    #[test]
    fn escape_pair_split_rule_beats_ceil_division() {
        // 306 septets would be 2 parts by ceil(306/153), but keeping '{' whole needs 3.
        let m = ok(&format!("{}{{{}", "a".repeat(152), "a".repeat(152)));
        assert_eq!(m.units(), 306);
        assert_eq!(m.segments(), 3);
        let parts = m.parts();
        assert_eq!(parts[0].len(), 152);
        assert!(parts[1].starts_with('{'));
        assert_eq!(parts[2], "a");
    }

    #[test]
    fn emoji_count_two_units() {
        let m = ok("😀");
        assert_eq!(m.encoding(), Encoding::Ucs2);
        assert_eq!(m.units(), 2);
        let m = ok(&"😀".repeat(35));
        assert_eq!(m.units(), 70);
        assert_eq!(m.segments(), 1);
        let m = ok(&"😀".repeat(36));
        assert_eq!(m.units(), 72);
        assert_eq!(m.segments(), 2);
        assert_parts_consistent(&m);
    }

    #[test]
    fn surrogate_pair_never_split_at_67() {
        // 66 + 2 + 66 = 134 units: ceil says 2 parts, but the emoji can't straddle.
        let m = ok(&format!("{}😀{}", "ł".repeat(66), "ł".repeat(66)));
        assert_eq!(m.units(), 134);
        let parts = m.parts();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "ł".repeat(66));
        assert_eq!(parts[1], format!("😀{}", "ł".repeat(65)));
        assert_eq!(parts[2], "ł");
        assert_eq!(m.segments(), 3);
    }

    #[test]
    fn one_non_gsm_char_makes_all_ucs2() {
        let m = ok(&format!("{}ç", "a".repeat(100)));
        assert_eq!(m.encoding(), Encoding::Ucs2);
        assert_eq!(m.units(), 101);
        assert_eq!(m.segments(), 2);
        assert_eq!(ok("Ça va").encoding(), Encoding::Gsm7);
        assert_eq!(ok("ça va").encoding(), Encoding::Ucs2);
        assert_eq!(ok("Cześć").encoding(), Encoding::Ucs2);
        // In UCS-2 extension chars are just one unit each.
        assert_eq!(ok("ł€{").units(), 3);
    }

    #[test]
    fn ten_parts_allowed_eleven_rejected() {
        let m = ok(&"a".repeat(1530));
        assert_eq!(m.segments(), 10);
        assert_eq!(
            parse(&"a".repeat(1531)),
            Err(TextError::TooLong {
                parts: 11,
                max_parts: 10
            })
        );
    }

    #[test]
    fn custom_max_parts_honoured() {
        let limits = SegmentLimits { max_parts: 2 };
        assert!(MessageText::parse(&"a".repeat(306), limits).is_ok());
        assert_eq!(
            MessageText::parse(&"a".repeat(307), limits),
            Err(TextError::TooLong {
                parts: 3,
                max_parts: 2
            })
        );
        let one = SegmentLimits { max_parts: 1 };
        assert!(MessageText::parse(&"a".repeat(160), one).is_ok());
        assert!(MessageText::parse(&"a".repeat(161), one).is_err());
    }

    #[test]
    fn empty_and_blank_rejected() {
        assert_eq!(parse(""), Err(TextError::Empty));
        assert_eq!(parse("   "), Err(TextError::Empty));
        assert_eq!(parse(" \n\r\n "), Err(TextError::Empty));
    }

    #[test]
    fn text_kept_verbatim() {
        assert_eq!(ok("  hi\n").as_str(), "  hi\n");
    }

    #[test]
    fn control_chars_rejected() {
        assert_eq!(
            parse("hi\0there"),
            Err(TextError::ForbiddenCharacter { ch: '\0' })
        );
        assert_eq!(
            parse("a\tb"),
            Err(TextError::ForbiddenCharacter { ch: '\t' })
        );
        assert_eq!(
            parse("a\x1Bb"),
            Err(TextError::ForbiddenCharacter { ch: '\x1B' })
        );
        assert!(parse("line1\r\nline2\x0Cpage").is_ok());
    }

    #[test]
    fn error_messages() {
        assert_eq!(TextError::Empty.to_string(), "the message text is empty");
        assert_eq!(
            TextError::TooLong {
                parts: 11,
                max_parts: 10
            }
            .to_string(),
            "the message needs 11 parts; the limit is 10"
        );
    }
}
