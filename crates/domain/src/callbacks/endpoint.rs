//! Customer endpoints we POST to (status callbacks, inbound webhooks, keyword forwards),
//! and which of them the platform may call.
//!
//! A customer-supplied URL must never make the platform call into its own network
//! (server-side request forgery). Three layers refuse that:
//!
//! 1. when a URL is saved: [`CallbackUrl::parse`] refuses what is never a valid endpoint
//!    (credentials in the URL, other schemes), and [`EgressPolicy::check`] refuses hosts
//!    that are not public — loopback, private, link-local (cloud metadata),
//!    unique-local and other non-global addresses in any spelling the URL standard
//!    accepts (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`, trailing dots), and local
//!    names (`localhost`, `*.internal`, names without a dot) — unless the operator allows
//!    private endpoints for development;
//! 2. when calling: the same check again on the stored URL (it may predate the rule),
//!    no redirects followed, no response body kept;
//! 3. at the connection: production's runtime configuration blocks non-global networks
//!    after DNS resolution, so a public name that resolves to a private address fails too
//!    (docs/operations.md "Customer URLs and your network").

use ip_network::{Ipv4Network, Ipv6Network};
use std::net::{Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Longest URL we store; enough for any real endpoint with a query string.
pub const MAX_URL_LENGTH: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("'{0}' is not an absolute URL")]
    NotAUrl(String),
    #[error("callback URLs must use http or https, not '{0}'")]
    Scheme(String),
    #[error("callback URLs may be at most {MAX_URL_LENGTH} characters")]
    TooLong,
    #[error("callback URLs may not carry a user name or password; authenticate requests by their signature")]
    Credentials,
    #[error(transparent)]
    NotPublic(#[from] NotPublic),
}

/// Why a URL's host is not a public destination.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{host}' is {reason}; callbacks go only to public internet addresses")]
pub struct NotPublic {
    pub host: String,
    pub reason: &'static str,
}

/// An absolute http(s) URL with a host and no credentials, in its normalised form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl(Url);

impl CallbackUrl {
    pub fn parse(input: &str) -> Result<CallbackUrl, EndpointError> {
        let input = input.trim();
        if input.len() > MAX_URL_LENGTH {
            return Err(EndpointError::TooLong);
        }
        let url = Url::parse(input).map_err(|_| EndpointError::NotAUrl(input.to_owned()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EndpointError::Scheme(url.scheme().to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(EndpointError::NotAUrl(input.to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointError::Credentials);
        }
        Ok(CallbackUrl(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Which destinations customer URLs may have: public ones only, unless the operator
/// allows private ones (development, with fakes on loopback).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EgressPolicy {
    pub allow_private: bool,
}

impl EgressPolicy {
    pub const PUBLIC_ONLY: EgressPolicy = EgressPolicy { allow_private: false };

    /// Ok when the platform may call `url`.
    pub fn check(&self, url: &CallbackUrl) -> Result<(), NotPublic> {
        if self.allow_private {
            return Ok(());
        }
        let not_public = |reason| Err(NotPublic { host: url.0.host_str().unwrap_or_default().to_owned(), reason });
        match url.0.host() {
            Some(Host::Ipv4(ip)) => ipv4_not_public(ip).map_or(Ok(()), not_public),
            Some(Host::Ipv6(ip)) => ipv6_not_public(ip).map_or(Ok(()), not_public),
            Some(Host::Domain(name)) => name_not_public(name).map_or(Ok(()), not_public),
            None => not_public("not a host"),
        }
    }

    /// [`CallbackUrl::parse`] and [`EgressPolicy::check`] together: what a saved URL must pass.
    pub fn parse(&self, input: &str) -> Result<CallbackUrl, EndpointError> {
        let url = CallbackUrl::parse(input)?;
        self.check(&url)?;
        Ok(url)
    }
}

fn ipv4_not_public(ip: Ipv4Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private network address")
    } else if ip.is_link_local() {
        Some("a link-local address (cloud metadata services answer there)")
    } else if ip.is_unspecified() || ip.octets()[0] == 0 {
        Some("the unspecified address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if !Ipv4Network::from(ip).is_global() {
        Some("not a globally routable address")
    } else {
        None
    }
}

fn ipv6_not_public(ip: Ipv6Addr) -> Option<&'static str> {
    // An IPv4 address inside an IPv6 one reaches that IPv4 host: judge it as IPv4.
    if let Some(embedded) = embedded_ipv4(ip) {
        return ipv4_not_public(embedded);
    }
    let segments = ip.segments();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("the unspecified address")
    } else if segments[0] & 0xfe00 == 0xfc00 {
        Some("a unique-local address (a private network)")
    } else if segments[0] & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if !Ipv6Network::from(ip).is_global() {
        Some("not a globally routable address")
    } else {
        None
    }
}

/// The IPv4 address an IPv6 address carries to: IPv4-mapped (`::ffff:a.b.c.d`),
/// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        [0, 0, 0, 0, 0, 0, _, _] if !ip.is_loopback() && !ip.is_unspecified() => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, high, lower, ..] => Some(Ipv4Addr::new((high >> 8) as u8, high as u8, (lower >> 8) as u8, lower as u8)),
        _ => None,
    }
}

/// Names that only mean something inside a network (RFC 6761 / 6762 / 8375, and the
/// clouds' `.internal`), and single-label names, which resolvers complete with the
/// host's own search domains.
fn name_not_public(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    const LOCAL_SUFFIXES: [&str; 6] = ["localhost", "local", "internal", "localdomain", "home.arpa", "lan"];
    if LOCAL_SUFFIXES.iter().any(|suffix| name == *suffix || name.ends_with(&format!(".{suffix}"))) {
        Some("a local name")
    } else if !name.contains('.') {
        Some("a name without a domain (it would resolve inside our network)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(input: &str) -> EndpointError {
        EgressPolicy::PUBLIC_ONLY.parse(input).expect_err(input)
    }

    fn reason(input: &str) -> &'static str {
        match refused(input) {
            EndpointError::NotPublic(NotPublic { reason, .. }) => reason,
            other => panic!("{input}: {other:?}"),
        }
    }

    #[test]
    fn accepts_http_and_https_to_public_hosts() {
        let policy = EgressPolicy::PUBLIC_ONLY;
        assert_eq!(policy.parse(" https://example.com/hooks?x=1 ").unwrap().as_str(), "https://example.com/hooks?x=1");
        assert_eq!(policy.parse("http://93.184.216.34:8080").unwrap().as_str(), "http://93.184.216.34:8080/");
        assert!(policy.parse("https://[2606:2800:220:1:248:1893:25c8:1946]/in").is_ok());
        assert!(policy.parse("https://hooks.example.se./in").is_ok());
    }

    #[test]
    fn refuses_other_things() {
        assert!(matches!(CallbackUrl::parse("ftp://example.com/"), Err(EndpointError::Scheme(_))));
        assert!(matches!(CallbackUrl::parse("example.com/hook"), Err(EndpointError::NotAUrl(_))));
        assert!(matches!(CallbackUrl::parse("mailto:a@b.se"), Err(EndpointError::Scheme(_))));
        assert!(matches!(CallbackUrl::parse(&format!("https://e.se/{}", "a".repeat(3000))), Err(EndpointError::TooLong)));
    }

    #[test]
    fn refuses_credentials_in_the_url() {
        assert_eq!(CallbackUrl::parse("https://user:secret@example.com/"), Err(EndpointError::Credentials));
        assert_eq!(CallbackUrl::parse("https://user@example.com/"), Err(EndpointError::Credentials));
        assert_eq!(CallbackUrl::parse("https://:secret@example.com/"), Err(EndpointError::Credentials));
    }

    #[test]
    fn refuses_loopback_in_every_ipv4_spelling() {
        for url in [
            "http://127.0.0.1:8080/",
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://017700000001/",
            "http://127.0.0.1./",
            "http://127.255.255.254/",
        ] {
            assert_eq!(reason(url), "a loopback address", "{url}");
        }
    }

    #[test]
    fn refuses_private_link_local_and_other_non_global_ipv4() {
        assert_eq!(reason("http://10.1.2.3/"), "a private network address");
        assert_eq!(reason("http://172.16.0.1/"), "a private network address");
        assert_eq!(reason("http://192.168.1.1/"), "a private network address");
        assert_eq!(reason("http://3232235777/"), "a private network address"); // 192.168.1.1
        assert_eq!(reason("http://169.254.169.254/latest/meta-data/"), "a link-local address (cloud metadata services answer there)");
        assert_eq!(reason("http://0.0.0.0/"), "the unspecified address");
        assert_eq!(reason("http://0/"), "the unspecified address");
        assert_eq!(reason("http://100.64.0.1/"), "not a globally routable address"); // carrier-grade NAT
        assert_eq!(reason("http://192.0.2.1/"), "not a globally routable address"); // documentation
        assert_eq!(reason("http://255.255.255.255/"), "not a globally routable address");
        assert_eq!(reason("http://224.0.0.1/"), "a multicast address");
    }

    #[test]
    fn refuses_non_global_ipv6_and_ipv4_inside_ipv6() {
        assert_eq!(reason("http://[::1]/"), "a loopback address");
        assert_eq!(reason("http://[0:0:0:0:0:0:0:1]/"), "a loopback address");
        assert_eq!(reason("http://[::]/"), "the unspecified address");
        assert_eq!(reason("http://[fd00::1]/"), "a unique-local address (a private network)");
        assert_eq!(reason("http://[fc12:3456::1]/"), "a unique-local address (a private network)");
        assert_eq!(reason("http://[fe80::1]/"), "a link-local address");
        assert_eq!(reason("http://[::ffff:127.0.0.1]/"), "a loopback address");
        assert_eq!(reason("http://[::ffff:7f00:1]/"), "a loopback address");
        assert_eq!(reason("http://[::ffff:169.254.169.254]/"), "a link-local address (cloud metadata services answer there)");
        assert_eq!(reason("http://[::127.0.0.1]/"), "a loopback address");
        assert_eq!(reason("http://[64:ff9b::10.0.0.1]/"), "a private network address");
        assert_eq!(reason("http://[2002:c0a8:0101::1]/"), "a private network address"); // 6to4 of 192.168.1.1
        assert_eq!(reason("http://[fec0::1]/"), "not a globally routable address"); // site-local
        assert_eq!(reason("http://[ff02::1]/"), "a multicast address");
    }

    #[test]
    fn refuses_local_names_and_names_without_a_domain() {
        for url in ["http://localhost:8080/", "http://LOCALHOST/", "http://localhost./", "http://api.localhost/", "http://printer.local/"] {
            assert_eq!(reason(url), "a local name", "{url}");
        }
        assert_eq!(reason("http://metadata.google.internal/computeMetadata/v1/"), "a local name");
        assert_eq!(reason("http://router.home.arpa/"), "a local name");
        assert_eq!(reason("http://metadata/"), "a name without a domain (it would resolve inside our network)");
        assert_eq!(reason("http://carrier./"), "a name without a domain (it would resolve inside our network)");
    }

    #[test]
    fn the_development_setting_lets_private_destinations_through_but_not_credentials() {
        let development = EgressPolicy { allow_private: true };
        assert!(development.parse("http://127.0.0.1:8080/").is_ok());
        assert!(development.parse("http://localhost:3000/in").is_ok());
        assert_eq!(development.parse("http://u:p@127.0.0.1/"), Err(EndpointError::Credentials));
    }

    #[test]
    fn the_reason_names_the_host() {
        assert_eq!(
            refused("http://2130706433/").to_string(),
            "'127.0.0.1' is a loopback address; callbacks go only to public internet addresses"
        );
    }
}
