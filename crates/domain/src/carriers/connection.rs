//! Carrier connections the operator manages at run time (docs/carriers.md "Connections"):
//! a name, the adapter that speaks the carrier's protocol, where it listens, and how many
//! messages a second it takes. Credentials and webhook secrets are sealed (`sealed`).

use crate::api::ratelimit::RateLimit;

/// The adapters a connection can speak: the submit protocols of `platform::carrier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// Nothing leaves the process; every message is reported delivered.
    Sandbox,
    /// Our JSON protocol (docs/carriers.md "Submitting").
    Http,
    Vonage,
    Sinch,
}

impl Adapter {
    pub const ALL: [Adapter; 4] = [Adapter::Sandbox, Adapter::Http, Adapter::Vonage, Adapter::Sinch];

    pub fn parse(text: &str) -> Result<Adapter, ConnectionError> {
        Adapter::ALL
            .into_iter()
            .find(|a| a.as_str() == text)
            .ok_or_else(|| ConnectionError::UnknownAdapter { given: text.to_owned(), installed: String::new() })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Adapter::Sandbox => "sandbox",
            Adapter::Http => "http",
            Adapter::Vonage => "vonage",
            Adapter::Sinch => "sinch",
        }
    }

    /// Whether submits leave the process (and so need a base URL).
    pub fn is_remote(self) -> bool {
        self != Adapter::Sandbox
    }
}

/// What a connection's `adapter` names: a built-in adapter, or the adapter component
/// installed in spin.toml (docs/carriers.md "Writing a carrier adapter").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionAdapter {
    BuiltIn(Adapter),
    Component(String),
}

impl ConnectionAdapter {
    /// A built-in's name, or the name the installed adapter component declares.
    pub fn parse(text: &str, installed: Option<&str>) -> Result<ConnectionAdapter, ConnectionError> {
        match Adapter::parse(text) {
            Ok(adapter) => Ok(ConnectionAdapter::BuiltIn(adapter)),
            Err(_) if installed == Some(text) => Ok(ConnectionAdapter::Component(text.to_owned())),
            Err(_) => Err(ConnectionError::UnknownAdapter { given: text.to_owned(), installed: installed.map(|i| format!(", {i}")).unwrap_or_default() }),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ConnectionAdapter::BuiltIn(adapter) => adapter.as_str(),
            ConnectionAdapter::Component(name) => name,
        }
    }

    /// Whether submits leave the process: every adapter component's do.
    pub fn is_remote(&self) -> bool {
        match self {
            ConnectionAdapter::BuiltIn(adapter) => adapter.is_remote(),
            ConnectionAdapter::Component(_) => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    #[error("a connection name is 1–32 characters a–z, 0–9, '-' or '_', starting with a letter; '{0}' is not")]
    InvalidName(String),
    #[error("'{0}' is the name of the default connection's adapter (Spin variables); pick another name")]
    ReservedName(String),
    #[error("adapter must be one of sandbox, http, vonage, sinch{installed}; '{given}' is not")]
    UnknownAdapter { given: String, installed: String },
    #[error("base_url must be an http or https URL with a host and no query, user or fragment; '{0}' is not")]
    InvalidBaseUrl(String),
    #[error("a {0} connection needs a base_url")]
    BaseUrlRequired(String),
    #[error("{0} must be 1 to 4096 characters")]
    InvalidSecret(&'static str),
    #[error("throughput_per_second is 1–100000 messages per second, or null for no limit; {0} is not")]
    InvalidThroughput(i64),
}

/// A connection's name: also its receipt path, `/v1/carriers/{name}/receipts`, and what
/// messages record as the carrier that took them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectionName(String);

impl ConnectionName {
    pub const MAX_LEN: usize = 32;

    pub fn parse(text: &str) -> Result<ConnectionName, ConnectionError> {
        let valid = (1..=Self::MAX_LEN).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            return Err(ConnectionError::InvalidName(text.to_owned()));
        }
        // The default connection (Spin variables) is named by its adapter, and so are the
        // receipt paths of the adapters: a managed connection must not take those names.
        if Adapter::parse(text).is_ok() {
            return Err(ConnectionError::ReservedName(text.to_owned()));
        }
        Ok(ConnectionName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a remote connection's carrier listens: http(s) with a host, kept without a
/// trailing slash (the adapter appends its paths).
pub fn parse_base_url(text: &str) -> Result<String, ConnectionError> {
    let invalid = || ConnectionError::InvalidBaseUrl(text.to_owned());
    let url = url::Url::parse(text.trim()).map_err(|_| invalid())?;
    let fine = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !fine {
        return Err(invalid());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A connection's API credentials or webhook secret as given: 1–4096 characters.
pub fn parse_secret(text: &str, field: &'static str) -> Result<String, ConnectionError> {
    if text.is_empty() || text.chars().count() > 4096 {
        return Err(ConnectionError::InvalidSecret(field));
    }
    Ok(text.to_owned())
}

/// A connection's throughput limit in messages per second (the request rate limit's
/// bounds and counting, `domain::api::ratelimit`).
pub fn parse_throughput(per_second: i64) -> Result<RateLimit, ConnectionError> {
    RateLimit::parse(per_second).map_err(|_| ConnectionError::InvalidThroughput(per_second))
}

/// What answers show of a secret: its last four characters, and only when it is long
/// enough (12 or more) that four say little about the rest.
pub fn secret_hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        return "…".to_owned();
    }
    let last: String = chars[chars.len() - 4..].iter().collect();
    format!("…{last}")
}

/// How many messages a delivery round asks the shared throughput counter for: a round's
/// worth, and never more than a second's limit.
pub fn throughput_ask(round_size: usize, limit: RateLimit) -> u32 {
    (round_size.min(u32::MAX as usize) as u32).min(limit.per_second()).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_case_words_and_never_an_adapters() {
        for good in ["tele2", "link-mobility", "a", "sinch_eu", &"x".repeat(32)] {
            assert_eq!(ConnectionName::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "Tele2", "2tele", "-a", "a b", "a/b", "å", &"x".repeat(33)] {
            assert!(matches!(ConnectionName::parse(bad), Err(ConnectionError::InvalidName(_))), "{bad}");
        }
        for reserved in ["http", "sandbox", "vonage", "sinch"] {
            assert!(matches!(ConnectionName::parse(reserved), Err(ConnectionError::ReservedName(_))), "{reserved}");
        }
    }

    #[test]
    fn adapters_parse_by_their_names() {
        for adapter in Adapter::ALL {
            assert_eq!(Adapter::parse(adapter.as_str()), Ok(adapter));
        }
        assert!(Adapter::parse("smpp").is_err());
        assert!(!Adapter::Sandbox.is_remote() && Adapter::Http.is_remote());
    }

    #[test]
    fn a_connection_may_name_the_installed_adapter_component() {
        assert_eq!(ConnectionAdapter::parse("http", Some("textmesh")), Ok(ConnectionAdapter::BuiltIn(Adapter::Http)));
        let component = ConnectionAdapter::parse("textmesh", Some("textmesh")).unwrap();
        assert!(component.is_remote() && component.as_str() == "textmesh");
        let refused = ConnectionAdapter::parse("textmesh", None).unwrap_err().to_string();
        assert!(refused.contains("sinch; 'textmesh'"), "{refused}");
        let listed = ConnectionAdapter::parse("smpp", Some("textmesh")).unwrap_err().to_string();
        assert!(listed.contains("sinch, textmesh; 'smpp'"), "{listed}");
    }

    #[test]
    fn base_urls_are_http_with_a_host() {
        assert_eq!(parse_base_url("https://api.example.com/v1/").unwrap(), "https://api.example.com/v1");
        assert_eq!(parse_base_url("http://127.0.0.1:9000").unwrap(), "http://127.0.0.1:9000");
        for bad in ["ftp://x.se", "https://", "not a url", "https://u:p@x.se", "https://x.se/?a=1", "https://x.se/#f"] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hints_show_four_characters_of_long_secrets_only() {
        assert_eq!(secret_hint("key:secret-abcdWXYZ"), "…WXYZ");
        assert_eq!(secret_hint("short-one"), "…");
        assert_eq!(secret_hint(""), "…");
    }

    #[test]
    fn throughput_is_a_rate_limit_and_a_round_asks_at_most_a_second_of_it() {
        assert!(parse_throughput(0).is_err() && parse_throughput(100_001).is_err());
        let ten = parse_throughput(10).unwrap();
        assert_eq!(throughput_ask(64, ten), 10);
        assert_eq!(throughput_ask(4, ten), 4);
    }
}
