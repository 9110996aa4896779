//! PATCH bodies: a field left out changes nothing, `null` clears it, a value sets it.

use serde::{Deserialize, Deserializer};

/// A field of a PATCH as it arrived: absent (`None`), `null` (`Some(None)`) or a value.
pub type Patched<T> = Option<Option<T>>;

/// For `#[serde(default, deserialize_with = "domain::api::patch::explicit_null")]`: tells a field
/// set to `null` (`Some(None)`) from a field left out (`None`, by `default`).
pub fn explicit_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Patched<T>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Change {
        #[serde(default, deserialize_with = "explicit_null")]
        limit: Patched<i64>,
    }

    #[test]
    fn absent_null_and_a_value_are_three_things() {
        let read = |json: &str| serde_json::from_str::<Change>(json).unwrap().limit;
        assert_eq!(read("{}"), None);
        assert_eq!(read(r#"{"limit": null}"#), Some(None));
        assert_eq!(read(r#"{"limit": 5}"#), Some(Some(5)));
    }
}
