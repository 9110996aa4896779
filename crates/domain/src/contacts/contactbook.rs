//! Rules of the contact book that `contact` (names, groups, notes, block reasons) does not
//! cover: which names a contact may have, how contacts are searched, how a send's `to`
//! expands groups into numbers, and how a refused recipient is explained.

use crate::api::error::ErrorName;
use crate::contacts::contact::{BlockReason, ContactError, ContactName};
use crate::api::error::{ApiError, ErrorDetail};
use crate::messaging::text::caseless_key;
use crate::messaging::status::Status;
use std::collections::{HashMap, HashSet};

/// Group ids start so (`grp_…`); in a send's `to` they stand for the group's members.
pub const GROUP_ID_PREFIX: &str = "grp_";

/// Whether a `to` entry names a group rather than a number.
pub fn is_group_ref(entry: &str) -> bool {
    entry.trim().starts_with(GROUP_ID_PREFIX)
}

/// A contact's name is both names or none: `ContactName` needs a first and a last name
/// (as `Spara Förnamn Efternamn` gives them), and a contact may also be just a number.
/// Blank means absent, so `("", "")` is no name and `("Anna", "")` is an error.
pub fn optional_name(first: &str, last: &str) -> Result<Option<ContactName>, ContactError> {
    if first.trim().is_empty() && last.trim().is_empty() {
        return Ok(None);
    }
    ContactName::new(first, last).map(Some)
}

/// What a name search compares: the caseless form of "first last", stored beside the
/// contact, so `åsa`, `ÅSA` and a decomposed `Å` find the same contact.
pub fn search_key(first: &str, last: &str) -> String {
    caseless_key(format!("{first} {last}").trim())
}

/// A contact search as typed: a name fragment, or a number fragment when it looks like one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactSearch {
    /// Caseless form of the whole term, matched anywhere in "first last".
    pub name: String,
    /// The term's digits when it is written like a (part of a) number (`+46 70`,
    /// `070-12`), matched anywhere in the E.164 number; empty otherwise.
    pub digits: String,
}

impl ContactSearch {
    /// `None` for a blank term (no filter).
    pub fn parse(term: &str) -> Option<ContactSearch> {
        let term = term.trim();
        if term.is_empty() {
            return None;
        }
        let number_like = term.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let mut digits: String =
            if number_like { term.chars().filter(char::is_ascii_digit).collect() } else { String::new() };
        // A national form (070…) finds the number without its trunk zero.
        if digits.starts_with('0') && !term.starts_with("00") && !term.starts_with('+') {
            digits.remove(0);
        } else if let Some(rest) = digits.strip_prefix("00").filter(|_| term.starts_with("00")) {
            digits = rest.to_owned();
        }
        Some(ContactSearch { name: caseless_key(term), digits })
    }
}

/// A send's `to` with its group ids replaced by the groups' numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// Entries in request order, each group's members where the group was named.
    pub to: Vec<String>,
    /// For each entry of `to`, the index in the request it came from.
    pub origin: Vec<usize>,
    /// `(index, id)` of group ids that are not groups of the account.
    pub unknown_groups: Vec<(usize, String)>,
    /// Group members dropped because an earlier group already brought the number.
    pub duplicates: usize,
}

/// Replaces every group id of `to` by its members' numbers (E.164, as stored) from
/// `groups` (group id → numbers, only the caller's account's groups). Numbers repeated
/// across groups are kept once here; repeats between groups and numbers written directly
/// are removed later, with the other duplicates, after every number is normalised.
pub fn expand_groups(to: &[String], groups: &HashMap<String, Vec<String>>) -> Expansion {
    let mut expansion =
        Expansion { to: Vec::with_capacity(to.len()), origin: Vec::new(), unknown_groups: Vec::new(), duplicates: 0 };
    let mut from_groups = HashSet::new();
    for (index, entry) in to.iter().enumerate() {
        if !is_group_ref(entry) {
            expansion.to.push(entry.clone());
            expansion.origin.push(index);
            continue;
        }
        let Some(numbers) = groups.get(entry.trim()) else {
            expansion.unknown_groups.push((index, entry.trim().to_owned()));
            continue;
        };
        for number in numbers {
            if from_groups.insert(number.as_str()) {
                expansion.to.push(number.clone());
                expansion.origin.push(index);
            } else {
                expansion.duplicates += 1;
            }
        }
    }
    expansion
}

/// The group ids named in `to`, each once.
pub fn group_refs(to: &[String]) -> Vec<&str> {
    let mut seen = HashSet::new();
    to.iter().map(|e| e.trim()).filter(|e| is_group_ref(e) && seen.insert(*e)).collect()
}

/// Why a send refused a blocked recipient, for its `status_detail`: who blocked it, how,
/// and since when (`since` as stored).
pub fn blocked_detail(reason: &str, since: &str) -> String {
    match reason.parse::<BlockReason>() {
        Ok(BlockReason::Keyword { word }) => format!("the recipient opted out ({word}, {since})"),
        Ok(BlockReason::UnsubscribeLink) => format!("the recipient opted out (unsubscribe link, {since})"),
        Ok(BlockReason::Manual { by }) => format!("the number is on the blocklist (blocked by {by}, {since})"),
        Ok(BlockReason::Api) => format!("the number is on the blocklist (added through the API, {since})"),
        Err(_) => format!("the number is on the blocklist ({reason}, {since})"),
    }
}

/// A contact-book field that is not acceptable: 400 with a stable name per field.
impl From<ContactError> for ApiError {
    fn from(error: ContactError) -> Self {
        let name = match error.field() {
            "group name" => ErrorName::InvalidGroupName,
            "note" => ErrorName::InvalidNote,
            _ => ErrorName::InvalidContactName,
        };
        ApiError::named(400, name, error.to_string())
    }
}

/// Every recipient of a send is blocked: nothing is stored or charged (HTTP 400,
/// RecipientRejected 405), with each number's reason in the details.
pub fn all_recipients_blocked(blocked: Vec<(String, String)>) -> ApiError {
    let message = if blocked.len() == 1 {
        "the recipient is on the account's blocklist; nothing was sent".to_owned()
    } else {
        format!("all {} recipients are on the account's blocklist; nothing was sent", blocked.len())
    };
    ApiError::from_status(400, Status::RecipientRejected, message).with_details(
        blocked
            .into_iter()
            .map(|(number, detail)| ErrorDetail { index: None, value: Some(number), message: detail })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_are_both_or_none() {
        assert_eq!(optional_name(" ", ""), Ok(None));
        assert_eq!(optional_name("Anna", "Svensson").unwrap().unwrap().to_string(), "Anna Svensson");
        assert_eq!(optional_name("Anna", ""), Err(ContactError::Empty { field: "last name" }));
        assert_eq!(optional_name("", "Svensson"), Err(ContactError::Empty { field: "first name" }));
    }

    #[test]
    fn searches_by_name_without_case_or_by_number_digits() {
        let s = ContactSearch::parse(" ÅSA ").unwrap();
        assert_eq!(s.name, search_key("åsa", ""));
        assert!(search_key("Åsa", "Berg").contains(&s.name));
        assert_eq!(s.digits, "");
        assert_eq!(ContactSearch::parse("+46 70-123").unwrap().digits, "4670123");
        assert_eq!(ContactSearch::parse("070123").unwrap().digits, "70123");
        assert_eq!(ContactSearch::parse("004670").unwrap().digits, "4670");
        assert_eq!(ContactSearch::parse("Anna 2").unwrap().digits, "");
        assert_eq!(ContactSearch::parse("   "), None);
    }

    #[test]
    fn groups_expand_in_place_and_repeats_across_groups_go() {
        let groups: HashMap<String, Vec<String>> = [
            ("grp_a".to_owned(), to(&["+46701111111", "+46702222222"])),
            ("grp_b".to_owned(), to(&["+46702222222", "+46703333333"])),
            ("grp_empty".to_owned(), vec![]),
        ]
        .into_iter()
        .collect();
        let e = expand_groups(&to(&["+46700000000", " grp_a", "grp_b", "grp_nope", "grp_empty", "x"]), &groups);
        assert_eq!(e.to, to(&["+46700000000", "+46701111111", "+46702222222", "+46703333333", "x"]));
        assert_eq!(e.origin, vec![0, 1, 1, 2, 5]);
        assert_eq!(e.unknown_groups, vec![(3, "grp_nope".to_owned())]);
        assert_eq!(e.duplicates, 1);
        assert_eq!(group_refs(&to(&["grp_a", "+4670", " grp_a ", "grp_b"])), vec!["grp_a", "grp_b"]);
    }

    #[test]
    fn blocked_details_say_why_and_since_when() {
        let since = "2026-11-26T10:00:00.000Z";
        assert_eq!(blocked_detail("keyword:STOP", since), "the recipient opted out (STOP, 2026-11-26T10:00:00.000Z)");
        assert!(blocked_detail("unsubscribe_link", since).contains("unsubscribe link"));
        assert!(blocked_detail("manual:ops@example.se", since).contains("blocked by ops@example.se"));
        assert!(blocked_detail("api", since).contains("through the API"));
        assert_eq!(blocked_detail("other", since), "the number is on the blocklist (other, 2026-11-26T10:00:00.000Z)");
    }

    #[test]
    fn errors_have_stable_names() {
        let e: ApiError = ContactError::Empty { field: "group name" }.into();
        assert_eq!((e.http_status, e.name), (400, "InvalidGroupName"));
        let e: ApiError = ContactError::TooLong { field: "note", max: 1000, len: 1001 }.into();
        assert_eq!(e.name, "InvalidNote");
        let e: ApiError = ContactError::Empty { field: "last name" }.into();
        assert_eq!(e.name, "InvalidContactName");
        let e = all_recipients_blocked(vec![("+46701234567".into(), "the recipient opted out (STOP, t)".into())]);
        assert_eq!((e.http_status, e.code, e.name), (400, Some(405), "RecipientRejected"));
        assert_eq!(e.details[0].value.as_deref(), Some("+46701234567"));
    }
}
