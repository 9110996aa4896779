//! Paging, one way for every list: `?limit=&cursor=`.
//!
//! - `limit`: a whole number from 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] without it. Anything
//!   else is rejected (400 `InvalidLimit`), never clamped.
//! - `cursor`: opaque; the `next_cursor` of the previous page, which is `null` on the last
//!   page. Anything that is not a cursor of that list is 400 `InvalidCursor`.
//!
//! A cursor is the keyset position of the last item of a page (its id, or its sort value and
//! id for a sorted list), as JSON in unpadded base64url. Lists page on from there, so items
//! added or removed meanwhile neither repeat nor drop one that stays.

use crate::api::error::{ApiError, ErrorName};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// What is wrong with a page request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("limit must be a whole number from 1 to {MAX_LIMIT}")]
    Limit,
    #[error("cursor must be the next_cursor of the previous page of this list")]
    Cursor,
}

impl From<PageError> for ApiError {
    fn from(e: PageError) -> Self {
        let name = match e {
            PageError::Limit => ErrorName::InvalidLimit,
            PageError::Cursor => ErrorName::InvalidCursor,
        };
        ApiError::named(400, name, e.to_string())
    }
}

/// A checked `?limit=&cursor=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    cursor: Option<String>,
}

/// One page of a list and the cursor of the next (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl PageRequest {
    /// The first page, of the default size.
    pub fn first() -> PageRequest {
        PageRequest { limit: DEFAULT_LIMIT, cursor: None }
    }

    /// `limit` and `cursor` as the query string gave them (an empty cursor is none).
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<PageRequest, PageError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(l) => l.parse::<i64>().ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or(PageError::Limit)?,
        };
        let cursor = cursor.filter(|c| !c.is_empty()).map(str::to_owned);
        Ok(PageRequest { limit, cursor })
    }

    /// The position to continue after, as the list's position type `P`; `None` on the
    /// first page. A cursor that does not decode to a `P` is [`PageError::Cursor`].
    pub fn after<P: DeserializeOwned>(&self) -> Result<Option<P>, PageError> {
        self.cursor.as_deref().map(decode).transpose()
    }

    /// Like [`PageRequest::after`], with a check of the decoded position (a prefix, the
    /// list's sort, …): one that fails it is [`PageError::Cursor`] too.
    pub fn after_checked<P: DeserializeOwned>(&self, valid: impl Fn(&P) -> bool) -> Result<Option<P>, PageError> {
        match self.after::<P>()? {
            Some(p) if !valid(&p) => Err(PageError::Cursor),
            position => Ok(position),
        }
    }

    /// How many rows to read: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Rows read with [`PageRequest::fetch`] → the page and the cursor of the next one,
    /// made from the position of the page's last item.
    pub fn page<T, P: Serialize>(&self, mut rows: Vec<T>, position: impl Fn(&T) -> P) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more { rows.last().map(|last| encode(&position(last))) } else { None };
        Page { items: rows, next_cursor }
    }
}

/// A position as a cursor.
pub fn encode<P: Serialize>(position: &P) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).expect("a position serialises"))
}

fn decode<P: DeserializeOwned>(cursor: &str) -> Result<P, PageError> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| PageError::Cursor)?;
    serde_json::from_slice(&bytes).map_err(|_| PageError::Cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_checked_not_clamped() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(PageRequest::parse(Some("1"), None).unwrap().limit, 1);
        assert_eq!(PageRequest::parse(Some("500"), None).unwrap().limit, MAX_LIMIT);
        for bad in ["0", "501", "-1", "abc", "", "1.5", " 5", "99999999999999999999"] {
            assert_eq!(PageRequest::parse(Some(bad), None), Err(PageError::Limit), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_and_forgeries_are_rejected() {
        let first = PageRequest::parse(Some("2"), Some("")).unwrap();
        assert_eq!(first.after::<i64>(), Ok(None));
        let page = first.page(vec![5_i64, 4, 3], |n| *n);
        assert_eq!(page.items, vec![5, 4]);
        let next = PageRequest::parse(Some("2"), page.next_cursor.as_deref()).unwrap();
        assert_eq!(next.after::<i64>(), Ok(Some(4)));
        assert_eq!(next.page(vec![3_i64], |n| *n).next_cursor, None);

        let sorted = encode(&("name", "Acme", "acc_1"));
        let request = PageRequest::parse(None, Some(&sorted)).unwrap();
        assert_eq!(request.after::<(String, String, String)>().unwrap().unwrap().1, "Acme");
        assert_eq!(request.after_checked::<(String, String, String)>(|p| p.0 == "id"), Err(PageError::Cursor));
        for forged in ["nonsense!", "con_12", "eyJ", "e30"] {
            let request = PageRequest::parse(None, Some(forged)).unwrap();
            assert_eq!(request.after::<String>(), Err(PageError::Cursor), "{forged}");
        }
        let error = ApiError::from(PageError::Cursor);
        assert_eq!(error.name, "InvalidCursor");
    }
}
