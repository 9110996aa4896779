//! The operator's send rules (seed 004 "sender/content replacement rules", seed 001 "book a
//! campaign" for North America), decided here without I/O for every message of a send
//! before it is encoded, counted and priced, so the price the customer sees is the price of
//! what is sent:
//!
//! 1. **Sender replacement**: of the rules covering the recipient that match the sender, the
//!    most specific scope wins (as for prices: longest prefix, country, `*`), then the most
//!    specific match (the exact sender, a kind, any sender), then the account's rule over
//!    the default list's, then the newest. One rule at most; its replacement is the sender.
//! 2. **Content replacement**: every rule covering the recipient, the default list's first
//!    and then the account's, each in the order made; a literal or a regular expression,
//!    each match replaced (at most [`MAX_REPLACEMENTS`] per rule).
//! 3. **Banned content**: a rule covering the recipient that matches the text as it would be
//!    sent refuses the send (ContentRejected 404, the rule's name said).
//! 4. **Registered senders**: in a country the operator lists, an alphanumeric sender must be
//!    registered for the account in that country (SenderRejected 403).
//! 5. **North America**: a +1 number needs a campaign registered on the account.
//!
//! A send is all or nothing: one refused recipient refuses the request.
//!
//! Regular expressions are regex-lite's (already in the build for libphonenumber): every
//! search is O(pattern × text) — no backtracking blow-up — with the compiled size and the
//! nesting bounded, the pattern's length bounded, and the text at most ten SMS parts; so
//! no rule can make a send slow. Case-insensitive matching folds ASCII letters; a literal
//! rule also folds other letters (å/Å), a regular expression must name them (`[åÅ]`).

use crate::billing::pricing::PriceScope;
use crate::messaging::recipient::{CountryCode, Recipient};
use crate::messaging::send::{SendRejection, ValidSend};
use crate::messaging::sender::{Sender, SenderError, SenderKind};
use crate::messaging::text::{MessageText, SegmentLimits};
use std::collections::HashMap;

/// Characters a pattern may have.
pub const MAX_PATTERN_CHARS: usize = 500;
/// Characters a content replacement may have.
pub const MAX_REPLACEMENT_CHARS: usize = 500;
/// Characters of a rule's name.
pub const MAX_NAME_CHARS: usize = 100;
/// Matches one content rule replaces in one text; more are left as they are.
pub const MAX_REPLACEMENTS: usize = 100;
/// The compiled size a regular expression may take (bytes of its program).
const REGEX_SIZE_LIMIT: usize = 256 * 1024;
/// How deeply a regular expression may nest groups and repetitions.
const REGEX_NEST_LIMIT: u32 = 32;
/// Recipients named in an error's details (a batch may have thousands).
const MAX_DETAILS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("name must be 1 to {MAX_NAME_CHARS} characters")]
    Name,
    #[error("scope must be '*', a two-letter country, or up to 15 digits; '{0}' is not")]
    Scope(String),
    #[error("pattern must be 1 to {MAX_PATTERN_CHARS} characters")]
    PatternLength,
    #[error("pattern_kind is literal or regex; '{0}' is not")]
    PatternKind(String),
    #[error("the regular expression is not valid or too large: {0}")]
    Regex(String),
    #[error("the pattern matches empty text, so it would match everywhere")]
    MatchesEmpty,
    #[error("replacement must be at most {MAX_REPLACEMENT_CHARS} characters")]
    ReplacementLength,
    #[error("the replacement sender is not valid: {0}")]
    ReplacementSender(SenderError),
    #[error("from is not a valid sender: {0}")]
    FromSender(SenderError),
    #[error("from_kind is numeric or alphanumeric; '{0}' is not")]
    FromKind(String),
    #[error("give from (one sender) or from_kind (every sender of a kind), not both")]
    FromAndKind,
    #[error("a {0} rule has no {1}")]
    Missing(&'static str, &'static str),
    #[error("a {0} rule takes no {1}")]
    NotAllowed(&'static str, &'static str),
    #[error("kind is sender, content or banned; '{0}' is not")]
    Kind(String),
}

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// Replaces the sender.
    Sender,
    /// Replaces text.
    Content,
    /// Refuses text.
    Banned,
}

impl RuleKind {
    pub fn parse(text: &str) -> Result<RuleKind, RuleError> {
        match text {
            "sender" => Ok(RuleKind::Sender),
            "content" => Ok(RuleKind::Content),
            "banned" => Ok(RuleKind::Banned),
            other => Err(RuleError::Kind(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Sender => "sender",
            RuleKind::Content => "content",
            RuleKind::Banned => "banned",
        }
    }
}

/// A literal or a regular expression, compiled within bounds.
#[derive(Debug, Clone)]
pub struct TextPattern {
    source: String,
    regex_kind: bool,
    case_sensitive: bool,
    regex: regex_lite::Regex,
}

impl PartialEq for TextPattern {
    fn eq(&self, other: &Self) -> bool {
        (&self.source, self.regex_kind, self.case_sensitive) == (&other.source, other.regex_kind, other.case_sensitive)
    }
}

impl TextPattern {
    /// `kind` is `literal` or `regex`; matching ignores case unless `case_sensitive`.
    pub fn parse(source: &str, kind: &str, case_sensitive: bool) -> Result<TextPattern, RuleError> {
        let length = source.chars().count();
        if length == 0 || length > MAX_PATTERN_CHARS {
            return Err(RuleError::PatternLength);
        }
        let regex_kind = match kind {
            "literal" => false,
            "regex" => true,
            other => return Err(RuleError::PatternKind(other.to_owned())),
        };
        let program = if regex_kind {
            source.to_owned()
        } else if case_sensitive {
            regex_lite::escape(source)
        } else {
            caseless_literal(source)
        };
        let regex = regex_lite::RegexBuilder::new(&program)
            .case_insensitive(!case_sensitive)
            .size_limit(REGEX_SIZE_LIMIT)
            .nest_limit(REGEX_NEST_LIMIT)
            .build()
            .map_err(|e| RuleError::Regex(e.to_string()))?;
        if regex.is_match("") {
            return Err(RuleError::MatchesEmpty);
        }
        Ok(TextPattern { source: source.to_owned(), regex_kind, case_sensitive, regex })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn kind(&self) -> &'static str {
        if self.regex_kind {
            "regex"
        } else {
            "literal"
        }
    }

    pub fn case_sensitive(&self) -> bool {
        self.case_sensitive
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// `text` with up to [`MAX_REPLACEMENTS`] matches replaced by `replacement`, taken
    /// literally (`$1` is `$1`).
    pub fn replace(&self, text: &str, replacement: &str) -> String {
        self.regex.replacen(text, MAX_REPLACEMENTS, regex_lite::NoExpand(replacement)).into_owned()
    }
}

/// A literal as a pattern that ignores case beyond ASCII: each letter with other cases as
/// a class (`å` → `[åÅ]`), since regex-lite folds ASCII only.
fn caseless_literal(literal: &str) -> String {
    let mut program = String::with_capacity(literal.len() * 2);
    for ch in literal.chars() {
        let mut forms: Vec<char> = vec![ch];
        forms.extend(ch.to_lowercase().chain(ch.to_uppercase()).filter(|c| !forms.contains(c)).collect::<Vec<_>>());
        let mut unique = Vec::new();
        for form in forms {
            if !unique.contains(&form) {
                unique.push(form);
            }
        }
        if ch.is_ascii() || unique.len() == 1 {
            program.push_str(&regex_lite::escape(&ch.to_string()));
        } else {
            program.push('[');
            for form in unique {
                program.push_str(&regex_lite::escape(&form.to_string()));
            }
            program.push(']');
        }
    }
    program
}

/// Which senders a sender rule replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderMatch {
    /// This sender (numeric ones compared without `+`), exactly.
    Exactly(Sender),
    /// Every sender of a kind.
    Kind(SenderKind),
    /// Every sender.
    Any,
}

impl SenderMatch {
    /// `from` (one sender) or `from_kind` (`numeric`, `alphanumeric`), or neither (any).
    pub fn parse(from: Option<&str>, from_kind: Option<&str>) -> Result<SenderMatch, RuleError> {
        match (from, from_kind) {
            (Some(_), Some(_)) => Err(RuleError::FromAndKind),
            (Some(sender), None) => Sender::parse(sender).map(SenderMatch::Exactly).map_err(RuleError::FromSender),
            (None, Some("numeric")) => Ok(SenderMatch::Kind(SenderKind::Numeric)),
            (None, Some("alphanumeric")) => Ok(SenderMatch::Kind(SenderKind::Alphanumeric)),
            (None, Some(other)) => Err(RuleError::FromKind(other.to_owned())),
            (None, None) => Ok(SenderMatch::Any),
        }
    }

    /// Higher is more specific; `None` when the sender does not match.
    fn specificity(&self, sender: &Sender) -> Option<u8> {
        match self {
            SenderMatch::Exactly(exact) => (exact == sender).then_some(2),
            SenderMatch::Kind(kind) => (*kind == sender.kind()).then_some(1),
            SenderMatch::Any => Some(0),
        }
    }

    /// The exact sender matched, if any.
    pub fn from(&self) -> Option<&str> {
        match self {
            SenderMatch::Exactly(sender) => Some(sender.as_str()),
            _ => None,
        }
    }

    /// The kind of sender matched, if the rule matches a kind.
    pub fn from_kind(&self) -> Option<&'static str> {
        match self {
            SenderMatch::Kind(SenderKind::Numeric) => Some("numeric"),
            SenderMatch::Kind(SenderKind::Alphanumeric) => Some("alphanumeric"),
            _ => None,
        }
    }
}

/// What a rule does, with what it needs for it.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleAction {
    Sender { from: SenderMatch, replacement: Sender },
    Content { pattern: TextPattern, replacement: String },
    Banned { pattern: TextPattern },
}

impl RuleAction {
    pub fn kind(&self) -> RuleKind {
        match self {
            RuleAction::Sender { .. } => RuleKind::Sender,
            RuleAction::Content { .. } => RuleKind::Content,
            RuleAction::Banned { .. } => RuleKind::Banned,
        }
    }
}

/// A rule's fields as the operator writes them and the store keeps them (absent: `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFields {
    pub kind: String,
    pub name: String,
    pub scope: String,
    pub from: Option<String>,
    pub from_kind: Option<String>,
    pub pattern: Option<String>,
    pub pattern_kind: Option<String>,
    #[serde(default)]
    pub case_sensitive: bool,
    pub replacement: Option<String>,
}

/// An operator's rule: for the default list (every account) or one account's.
#[derive(Debug, Clone, PartialEq)]
pub struct SendRule {
    pub id: i64,
    pub name: String,
    pub scope: PriceScope,
    /// The account's own rule (else the default list's).
    pub account: bool,
    pub action: RuleAction,
}

impl SendRule {
    /// The rule `fields` describe; every field checked, nothing guessed.
    pub fn parse(id: i64, account: bool, fields: &RuleFields) -> Result<SendRule, RuleError> {
        let name = fields.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(RuleError::Name);
        }
        let scope = PriceScope::parse(&fields.scope).ok_or_else(|| RuleError::Scope(fields.scope.clone()))?;
        let kind = RuleKind::parse(&fields.kind)?;
        let label = kind.as_str();
        let pattern = || -> Result<TextPattern, RuleError> {
            let source = fields.pattern.as_deref().ok_or(RuleError::Missing(label, "pattern"))?;
            TextPattern::parse(source, fields.pattern_kind.as_deref().unwrap_or("literal"), fields.case_sensitive)
        };
        let action = match kind {
            RuleKind::Sender => {
                if fields.pattern.is_some() || fields.pattern_kind.is_some() {
                    return Err(RuleError::NotAllowed(label, "pattern"));
                }
                let replacement = fields.replacement.as_deref().ok_or(RuleError::Missing(label, "replacement"))?;
                RuleAction::Sender {
                    from: SenderMatch::parse(fields.from.as_deref(), fields.from_kind.as_deref())?,
                    replacement: Sender::parse(replacement).map_err(RuleError::ReplacementSender)?,
                }
            }
            RuleKind::Content | RuleKind::Banned => {
                if fields.from.is_some() || fields.from_kind.is_some() {
                    return Err(RuleError::NotAllowed(label, "from"));
                }
                match (kind, fields.replacement.as_deref()) {
                    (RuleKind::Content, Some(replacement)) if replacement.chars().count() > MAX_REPLACEMENT_CHARS => {
                        return Err(RuleError::ReplacementLength)
                    }
                    (RuleKind::Content, Some(replacement)) => {
                        RuleAction::Content { pattern: pattern()?, replacement: replacement.to_owned() }
                    }
                    (RuleKind::Content, None) => return Err(RuleError::Missing(label, "replacement")),
                    (_, Some(_)) => return Err(RuleError::NotAllowed(label, "replacement")),
                    (_, None) => RuleAction::Banned { pattern: pattern()? },
                }
            }
        };
        Ok(SendRule { id, name: name.to_owned(), scope, account, action })
    }

    /// The rule's fields, as [`SendRule::parse`] reads them.
    pub fn fields(&self) -> RuleFields {
        let mut fields = RuleFields {
            kind: self.action.kind().as_str().to_owned(),
            name: self.name.clone(),
            scope: self.scope.as_text(),
            ..RuleFields::default()
        };
        match &self.action {
            RuleAction::Sender { from, replacement } => {
                fields.from = from.from().map(str::to_owned);
                fields.from_kind = from.from_kind().map(str::to_owned);
                fields.replacement = Some(replacement.as_str().to_owned());
            }
            RuleAction::Content { pattern, replacement } => {
                fields.pattern = Some(pattern.source().to_owned());
                fields.pattern_kind = Some(pattern.kind().to_owned());
                fields.case_sensitive = pattern.case_sensitive();
                fields.replacement = Some(replacement.clone());
            }
            RuleAction::Banned { pattern } => {
                fields.pattern = Some(pattern.source().to_owned());
                fields.pattern_kind = Some(pattern.kind().to_owned());
                fields.case_sensitive = pattern.case_sensitive();
            }
        }
        fields
    }

    fn covers(&self, recipient: &Recipient) -> Option<usize> {
        self.scope.specificity(recipient)
    }
}

/// Everything a send's rules are decided from: the operator's rules that could apply (the
/// default list's and the account's), the countries that want registered alphanumeric
/// senders, the account's registered senders, and whether it has a +1 campaign.
#[derive(Debug, Clone, Default)]
pub struct SendRules {
    pub rules: Vec<SendRule>,
    pub registration_countries: Vec<CountryCode>,
    /// (sender, country) registered for the account.
    pub registered_senders: Vec<(String, CountryCode)>,
    pub has_campaign: bool,
}

/// One way a message goes: its sender and text after the rules, and what they changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub sender: Sender,
    pub text: MessageText,
    /// The sender rule that applied.
    pub sender_rule: Option<String>,
    /// The content rules that changed the text, in order.
    pub content_rules: Vec<String>,
}

impl Outgoing {
    /// The sender asked for, if a rule changed it.
    pub fn original_sender<'a>(&self, send: &'a ValidSend) -> Option<&'a str> {
        (self.sender != send.sender).then(|| send.sender.as_str())
    }

    /// The text asked for, if a rule changed it.
    pub fn original_text<'a>(&self, send: &'a ValidSend) -> Option<&'a str> {
        (self.text.as_str() != send.text.as_str()).then(|| send.text.as_str())
    }
}

/// A send after its rules: the distinct ways its messages go, and each recipient's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuledSend {
    pub outgoing: Vec<Outgoing>,
    /// For each recipient of the send, in order, its index in `outgoing`.
    pub outgoing_of: Vec<usize>,
}

impl RuledSend {
    /// How the `index`th recipient's message goes.
    pub fn of(&self, index: usize) -> &Outgoing {
        &self.outgoing[self.outgoing_of[index]]
    }
}

/// Why the rules refuse a send; every recipient refused for it, up to a few.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleRejection {
    #[error("the text is refused by the rule '{rule}' for {}", .recipients.join(", "))]
    BannedContent { rule: String, recipients: Vec<String> },
    #[error("the sender '{sender}' is not registered for this account in {}, where only registered alphanumeric senders are allowed ({})", .countries.join(", "), .recipients.join(", "))]
    UnregisteredSender { sender: String, countries: Vec<String>, recipients: Vec<String> },
    #[error("sending to North America (+1) needs a campaign registered on the account first, and it has none ({}); ask us to book one", .recipients.join(", "))]
    NoCampaign { recipients: Vec<String> },
}

/// What decides a recipient's message: the sender rule and content rules covering it,
/// by index in `SendRules::rules`.
#[derive(Hash, PartialEq, Eq)]
struct Route {
    sender_rule: Option<usize>,
    content_rules: Vec<usize>,
    banned_rules: Vec<usize>,
}

/// Applies `rules` to every recipient of `send` (see the module's order). A text the
/// replacements push past `limits` is refused as InvalidContent, never cut.
pub fn apply(send: &ValidSend, rules: &SendRules, limits: SegmentLimits) -> Result<RuledSend, SendRejection> {
    let plain = Outgoing { sender: send.sender.clone(), text: send.text.clone(), sender_rule: None, content_rules: Vec::new() };
    let needs_registration = !rules.registration_countries.is_empty();
    let nanp = |r: &Recipient| r.digits().starts_with('1');
    if rules.rules.is_empty() && !needs_registration && (rules.has_campaign || !send.recipients.iter().any(nanp)) {
        return Ok(RuledSend { outgoing: vec![plain], outgoing_of: vec![0; send.recipients.len()] });
    }

    // The default list's rules before the account's, each in the order made.
    let mut order: Vec<usize> = (0..rules.rules.len()).collect();
    order.sort_by_key(|&i| (rules.rules[i].account, rules.rules[i].id));

    // Recipients that share a route share its outgoing message and its banned-content check.
    let mut routes: HashMap<Route, (usize, Option<String>)> = HashMap::new();
    let mut outgoing: Vec<Outgoing> = Vec::new();
    let mut outgoing_of = Vec::with_capacity(send.recipients.len());
    let mut banned: Option<(String, Vec<String>)> = None;
    let mut unregistered: Vec<(String, String, String)> = Vec::new();
    let mut no_campaign = Vec::new();
    for recipient in &send.recipients {
        let route = route_of(recipient, &send.sender, rules, &order);
        let (index, refused_by) = match routes.get(&route) {
            Some(known) => known.clone(),
            None => {
                let made = outgoing_for(send, rules, &route, limits)?;
                let refused_by = first_banned(rules, &route.banned_rules, made.text.as_str()).map(str::to_owned);
                outgoing.push(made);
                routes.insert(route, (outgoing.len() - 1, refused_by.clone()));
                (outgoing.len() - 1, refused_by)
            }
        };
        let chosen = &outgoing[index];
        if let Some(rule) = refused_by {
            match &mut banned {
                None => banned = Some((rule, vec![recipient.e164().to_owned()])),
                Some((first, numbers)) if *first == rule && numbers.len() < MAX_DETAILS => numbers.push(recipient.e164().to_owned()),
                Some(_) => {}
            }
        }
        if let Some(country) = recipient.country().filter(|c| rules.registration_countries.contains(c)) {
            let sender = &chosen.sender;
            let registered = rules.registered_senders.iter().any(|(s, c)| s == sender.as_str() && *c == country);
            if sender.kind() == SenderKind::Alphanumeric && !registered && unregistered.len() < MAX_DETAILS {
                unregistered.push((sender.as_str().to_owned(), country.as_str().to_owned(), recipient.e164().to_owned()));
            }
        }
        if nanp(recipient) && !rules.has_campaign && no_campaign.len() < MAX_DETAILS {
            no_campaign.push(recipient.e164().to_owned());
        }
        outgoing_of.push(index);
    }
    if let Some((rule, recipients)) = banned {
        return Err(RuleRejection::BannedContent { rule, recipients }.into());
    }
    if let Some((sender, _, _)) = unregistered.first() {
        let sender = sender.clone();
        let mut countries: Vec<String> = unregistered.iter().map(|(_, c, _)| c.clone()).collect();
        countries.dedup();
        let recipients = unregistered.into_iter().map(|(_, _, r)| r).collect();
        return Err(RuleRejection::UnregisteredSender { sender, countries, recipients }.into());
    }
    if !no_campaign.is_empty() {
        return Err(RuleRejection::NoCampaign { recipients: no_campaign }.into());
    }
    Ok(RuledSend { outgoing, outgoing_of })
}

/// The sender rule and the content rules that apply to `recipient`.
fn route_of(recipient: &Recipient, sender: &Sender, rules: &SendRules, order: &[usize]) -> Route {
    let mut best: Option<((usize, u8, bool, i64), usize)> = None;
    let mut content_rules = Vec::new();
    for &i in order {
        let rule = &rules.rules[i];
        let Some(scope) = rule.covers(recipient) else { continue };
        match &rule.action {
            RuleAction::Sender { from, .. } => {
                if let Some(matched) = from.specificity(sender) {
                    let rank = (scope, matched, rule.account, rule.id);
                    if best.as_ref().map_or(true, |(b, _)| rank > *b) {
                        best = Some((rank, i));
                    }
                }
            }
            RuleAction::Content { .. } => content_rules.push(i),
            RuleAction::Banned { .. } => {}
        }
    }
    Route { sender_rule: best.map(|(_, i)| i), content_rules, banned_rules: route_banned(recipient, rules, order) }
}

fn route_banned(recipient: &Recipient, rules: &SendRules, order: &[usize]) -> Vec<usize> {
    order
        .iter()
        .copied()
        .filter(|&i| matches!(rules.rules[i].action, RuleAction::Banned { .. }) && rules.rules[i].covers(recipient).is_some())
        .collect()
}

/// The name of the first banned-content rule of `banned` that matches `text`.
fn first_banned<'a>(rules: &'a SendRules, banned: &[usize], text: &str) -> Option<&'a str> {
    banned.iter().map(|&i| &rules.rules[i]).find_map(|rule| match &rule.action {
        RuleAction::Banned { pattern } if pattern.is_match(text) => Some(rule.name.as_str()),
        _ => None,
    })
}

/// The sender and text of a route, the text counted again when a rule changed it.
fn outgoing_for(send: &ValidSend, rules: &SendRules, route: &Route, limits: SegmentLimits) -> Result<Outgoing, SendRejection> {
    let (sender, sender_rule) = match route.sender_rule.map(|i| &rules.rules[i]) {
        Some(SendRule { name, action: RuleAction::Sender { replacement, .. }, .. }) => (replacement.clone(), Some(name.clone())),
        _ => (send.sender.clone(), None),
    };
    let mut text = send.text.as_str().to_owned();
    let mut content_rules = Vec::new();
    for rule in route.content_rules.iter().map(|&i| &rules.rules[i]) {
        if let RuleAction::Content { pattern, replacement } = &rule.action {
            let replaced = pattern.replace(&text, replacement);
            if replaced != text {
                text = replaced;
                content_rules.push(rule.name.clone());
            }
        }
    }
    let text = if content_rules.is_empty() {
        send.text.clone()
    } else {
        MessageText::parse(&text, limits).map_err(|e| SendRejection::ReplacedText(e, content_rules.join(", ")))?
    };
    Ok(Outgoing { sender, text, sender_rule, content_rules })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::recipient::NumberContext;
    use crate::messaging::send::validate_send;

    fn fields(kind: &str, name: &str, scope: &str) -> RuleFields {
        RuleFields { kind: kind.into(), name: name.into(), scope: scope.into(), ..RuleFields::default() }
    }

    fn sender_rule(id: i64, account: bool, scope: &str, from: Option<&str>, kind: Option<&str>, to: &str) -> SendRule {
        let f = RuleFields { from: from.map(Into::into), from_kind: kind.map(Into::into), replacement: Some(to.into()), ..fields("sender", "s", scope) };
        SendRule::parse(id, account, &f).unwrap()
    }

    fn content_rule(id: i64, account: bool, scope: &str, pattern: &str, kind: &str, to: &str) -> SendRule {
        let f = RuleFields {
            pattern: Some(pattern.into()),
            pattern_kind: Some(kind.into()),
            replacement: Some(to.into()),
            ..fields("content", &format!("c{id}"), scope)
        };
        SendRule::parse(id, account, &f).unwrap()
    }

    fn banned_rule(id: i64, name: &str, scope: &str, pattern: &str, kind: &str) -> SendRule {
        let f = RuleFields { pattern: Some(pattern.into()), pattern_kind: Some(kind.into()), ..fields("banned", name, scope) };
        SendRule::parse(id, false, &f).unwrap()
    }

    fn send(from: &str, to: &[&str], text: &str) -> ValidSend {
        let to: Vec<String> = to.iter().map(|s| s.to_string()).collect();
        validate_send(from, &to, text, NumberContext::Msisdn, SegmentLimits::default()).unwrap()
    }

    fn rules(list: Vec<SendRule>) -> SendRules {
        SendRules { rules: list, has_campaign: true, ..SendRules::default() }
    }

    fn senders(ruled: &RuledSend, count: usize) -> Vec<String> {
        (0..count).map(|i| ruled.of(i).sender.as_str().to_owned()).collect()
    }

    #[test]
    fn without_rules_every_message_goes_as_asked() {
        let s = send("ACME", &["+46701234567", "+4915112345678"], "Hej");
        let ruled = apply(&s, &rules(vec![]), SegmentLimits::default()).unwrap();
        assert_eq!(ruled.outgoing.len(), 1);
        assert_eq!(ruled.of(1).text.as_str(), "Hej");
        assert_eq!(ruled.of(0).original_sender(&s), None);
    }

    #[test]
    fn the_most_specific_sender_rule_replaces_the_sender() {
        let s = send("46701234567", &["+46701234567", "+4915112345678", "+447400123456", "+4721234567"], "Hej");
        let list = vec![
            sender_rule(1, false, "*", None, Some("numeric"), "ACME"),
            sender_rule(2, false, "DE", None, None, "ACMEDE"),
            sender_rule(3, true, "DE", Some("+46701234567"), None, "ACMEDE2"),
            sender_rule(4, false, "GB", None, Some("alphanumeric"), "NOPE"),
            sender_rule(5, true, "4721", None, Some("numeric"), "ACMENO"),
        ];
        let ruled = apply(&s, &rules(list), SegmentLimits::default()).unwrap();
        // SE: only the catch-all; DE: the exact sender beats any sender; GB: an
        // alphanumeric-only rule does not match, so the catch-all; NO: the prefix.
        assert_eq!(senders(&ruled, 4), ["ACME", "ACMEDE2", "ACME", "ACMENO"]);
        assert_eq!(ruled.of(0).original_sender(&s), Some("46701234567"));
        assert_eq!(ruled.of(0).sender_rule.as_deref(), Some("s"));
    }

    #[test]
    fn content_rules_apply_in_order_and_the_text_is_counted_again() {
        let s = send("ACME", &["+46701234567", "+4915112345678"], "Hello, visit http://bit.ly/x now");
        let list = vec![
            content_rule(2, true, "SE", "Hello", "literal", "Hej"),
            content_rule(1, false, "*", r"https?://bit\.ly/\w+", "regex", "https://acme.example/x"),
        ];
        let ruled = apply(&s, &rules(list), SegmentLimits::default()).unwrap();
        assert_eq!(ruled.of(0).text.as_str(), "Hej, visit https://acme.example/x now");
        assert_eq!(ruled.of(0).content_rules, ["c1", "c2"]);
        assert_eq!(ruled.of(1).text.as_str(), "Hello, visit https://acme.example/x now");
        assert_eq!(ruled.of(1).original_text(&s), Some("Hello, visit http://bit.ly/x now"));
        // A replacement that makes the text UCS-2 costs more parts: past ten it is refused.
        let s = send("ACME", &["+46701234567"], &"a".repeat(100));
        let ruled = apply(&s, &rules(vec![content_rule(1, false, "*", "a", "literal", "😀😀😀😀")]), SegmentLimits::default());
        assert!(matches!(ruled, Err(SendRejection::ReplacedText(..))), "{ruled:?}");
        let ruled = apply(&s, &rules(vec![content_rule(1, false, "*", "aaaa", "literal", "😀")]), SegmentLimits::default()).unwrap();
        assert_eq!(ruled.of(0).text.segments(), 1);
        assert_eq!(ruled.of(0).text.encoding(), crate::messaging::text::Encoding::Ucs2);
    }

    #[test]
    fn replacements_are_literal_and_bounded() {
        let pattern = TextPattern::parse("x", "literal", false).unwrap();
        assert_eq!(pattern.replace("X marks $1", "$1"), "$1 marks $1");
        assert_eq!(pattern.replace(&"x".repeat(150), "y"), format!("{}{}", "y".repeat(MAX_REPLACEMENTS), "x".repeat(50)));
    }

    #[test]
    fn patterns_are_checked_and_ignore_case() {
        assert!(TextPattern::parse("KÖP NU", "literal", false).unwrap().is_match("köp nu!"));
        assert!(!TextPattern::parse("KÖP NU", "literal", true).unwrap().is_match("köp nu!"));
        assert!(TextPattern::parse("(?:casino|bet)\\d+", "regex", false).unwrap().is_match("Win at CASINO777"));
        assert_eq!(TextPattern::parse("a*", "regex", false).unwrap_err(), RuleError::MatchesEmpty);
        assert!(matches!(TextPattern::parse("(", "regex", false), Err(RuleError::Regex(_))));
        assert!(matches!(TextPattern::parse("a{1000}{1000}", "regex", false), Err(RuleError::Regex(_))));
        assert_eq!(TextPattern::parse("", "literal", false).unwrap_err(), RuleError::PatternLength);
        assert_eq!(TextPattern::parse(&"a".repeat(501), "literal", false).unwrap_err(), RuleError::PatternLength);
        assert!(matches!(TextPattern::parse("a", "glob", false), Err(RuleError::PatternKind(_))));
        // A pathological pattern stays linear: (a*)*b over 1,500 a's answers at once.
        let evil = TextPattern::parse("(a*)*b", "regex", true).unwrap();
        assert!(!evil.is_match(&"a".repeat(1_500)));
    }

    #[test]
    fn rules_are_parsed_whole() {
        let bad = |f: RuleFields| SendRule::parse(0, false, &f).unwrap_err();
        assert_eq!(bad(fields("sender", "s", "SE")), RuleError::Missing("sender", "replacement"));
        assert_eq!(bad(fields("sender", "", "SE")), RuleError::Name);
        assert_eq!(bad(fields("banned", "b", "SWE")), RuleError::Scope("SWE".into()));
        assert_eq!(bad(fields("drop", "b", "SE")), RuleError::Kind("drop".into()));
        assert_eq!(bad(fields("banned", "b", "SE")), RuleError::Missing("banned", "pattern"));
        let with = |f: RuleFields| SendRule::parse(0, false, &f);
        assert_eq!(
            with(RuleFields { replacement: Some("Too long sender".into()), ..fields("sender", "s", "*") }).unwrap_err(),
            RuleError::ReplacementSender(SenderError::TooLong("Too long sender".into(), 15))
        );
        assert_eq!(
            with(RuleFields { from: Some("A".into()), from_kind: Some("numeric".into()), replacement: Some("B".into()), ..fields("sender", "s", "*") })
                .unwrap_err(),
            RuleError::FromAndKind
        );
        assert_eq!(
            with(RuleFields { pattern: Some("x".into()), replacement: Some("y".into()), ..fields("banned", "b", "*") }).unwrap_err(),
            RuleError::NotAllowed("banned", "replacement")
        );
        let rule = with(RuleFields { pattern: Some("x".into()), replacement: Some("y".into()), ..fields("content", " c ", "4670") }).unwrap();
        assert_eq!(rule.name, "c");
        assert_eq!(SendRule::parse(0, false, &rule.fields()).unwrap(), rule);
    }

    #[test]
    fn banned_content_refuses_the_send_with_the_rule_name() {
        let list = vec![banned_rule(1, "gambling", "SE", "casino", "literal"), content_rule(2, false, "DE", "Casino", "literal", "Kasino")];
        let s = send("ACME", &["+4915112345678", "+46701234567"], "Casino tonight");
        match apply(&s, &rules(list.clone()), SegmentLimits::default()) {
            Err(SendRejection::Rules(RuleRejection::BannedContent { rule, recipients })) => {
                assert_eq!((rule.as_str(), recipients), ("gambling", vec!["+46701234567".to_owned()]));
            }
            other => panic!("{other:?}"),
        }
        // Germany is not covered by the rule.
        assert!(apply(&send("ACME", &["+4915112345678"], "Casino tonight"), &rules(list), SegmentLimits::default()).is_ok());
    }

    #[test]
    fn countries_that_want_registered_senders_refuse_others() {
        let se = CountryCode::parse("SE").unwrap();
        let mut r = rules(vec![]);
        r.registration_countries = vec![se];
        r.registered_senders = vec![("ACME".into(), se)];
        assert!(apply(&send("ACME", &["+46701234567"], "Hej"), &r, SegmentLimits::default()).is_ok());
        // Numeric senders and other countries are not concerned.
        assert!(apply(&send("46701234567", &["+46701234567"], "Hej"), &r, SegmentLimits::default()).is_ok());
        assert!(apply(&send("Other", &["+4915112345678"], "Hej"), &r, SegmentLimits::default()).is_ok());
        let refused = apply(&send("Other", &["+4915112345678", "+46701234567"], "Hej"), &r, SegmentLimits::default());
        assert_eq!(
            refused,
            Err(SendRejection::Rules(RuleRejection::UnregisteredSender {
                sender: "Other".into(),
                countries: vec!["SE".into()],
                recipients: vec!["+46701234567".into()]
            }))
        );
        // A sender rule to a registered sender makes it go: the check is on the sender sent.
        r.rules = vec![sender_rule(1, false, "SE", None, None, "ACME")];
        assert!(apply(&send("Other", &["+46701234567"], "Hej"), &r, SegmentLimits::default()).is_ok());
    }

    #[test]
    fn north_america_needs_a_campaign() {
        let mut r = SendRules::default();
        let s = send("ACME", &["+12015550123", "+46701234567"], "Hi");
        assert_eq!(
            apply(&s, &r, SegmentLimits::default()),
            Err(SendRejection::Rules(RuleRejection::NoCampaign { recipients: vec!["+12015550123".into()] }))
        );
        assert!(RuleRejection::NoCampaign { recipients: vec![] }.to_string().contains("campaign"));
        assert!(apply(&send("ACME", &["+46701234567"], "Hi"), &r, SegmentLimits::default()).is_ok());
        r.has_campaign = true;
        assert!(apply(&s, &r, SegmentLimits::default()).is_ok());
    }
}
