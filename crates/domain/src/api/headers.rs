//! Security headers every response gets, whichever component answers.
//!
//! - `X-Content-Type-Options: nosniff` on everything: a browser never reads JSON or CSV as
//!   HTML.
//! - HTML the app generates (invoices, the unsubscribe page) gets a content security
//!   policy that allows nothing but its own inline styles and cannot be framed; a page
//!   with a policy of its own keeps it, with `frame-ancestors 'none'` added if missing.
//! - `Strict-Transport-Security` when the app's public address (`public_base_url`) is
//!   https — the operator's statement that TLS is in front, since behind a proxy that
//!   terminates TLS the request itself arrives as plain http.

/// The policy of generated HTML documents.
pub const DOCUMENT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Two years, subdomains included (the value hstspreload.org asks for).
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The headers to add to a response with these headers: `(name, value)`, replacing any
/// of the same name.
pub fn security_headers(content_type: Option<&str>, csp: Option<&str>, public_https: bool) -> Vec<(&'static str, String)> {
    let mut add = vec![("x-content-type-options", "nosniff".to_owned())];
    let html = content_type.is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"));
    match csp {
        None if html => add.push(("content-security-policy", DOCUMENT_CSP.to_owned())),
        Some(policy) if !policy.contains("frame-ancestors") => {
            add.push(("content-security-policy", format!("{}; frame-ancestors 'none'", policy.trim_end_matches([';', ' ']))))
        }
        _ => {}
    }
    if public_https {
        add.push(("strict-transport-security", HSTS.to_owned()));
    }
    add
}

/// Whether the app's public address is https (cookies `Secure`, HSTS sent).
pub fn is_https(public_base_url: &str) -> bool {
    public_base_url.trim().to_ascii_lowercase().starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(headers: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
        headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn json_gets_nosniff_and_no_policy() {
        let headers = security_headers(Some("application/json"), None, false);
        assert_eq!(get(&headers, "x-content-type-options"), Some("nosniff"));
        assert_eq!(get(&headers, "content-security-policy"), None);
        assert_eq!(get(&headers, "strict-transport-security"), None);
    }

    #[test]
    fn generated_html_gets_a_locked_down_policy() {
        let headers = security_headers(Some("text/html; charset=utf-8"), None, false);
        assert_eq!(get(&headers, "content-security-policy"), Some(DOCUMENT_CSP));
        assert!(DOCUMENT_CSP.contains("frame-ancestors 'none'") && DOCUMENT_CSP.contains("default-src 'none'"));
    }

    #[test]
    fn a_page_keeps_its_own_policy_and_cannot_be_framed() {
        let portal = "default-src 'self'; frame-ancestors 'none'";
        assert_eq!(get(&security_headers(Some("text/html"), Some(portal), false), "content-security-policy"), None);
        let unsubscribe = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";
        assert_eq!(
            get(&security_headers(Some("text/html"), Some(unsubscribe), false), "content-security-policy"),
            Some("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
        );
    }

    #[test]
    fn hsts_only_behind_an_https_address() {
        assert_eq!(get(&security_headers(None, None, true), "strict-transport-security"), Some(HSTS));
        assert!(is_https("https://sms.example.com"));
        assert!(is_https(" HTTPS://sms.example.com/"));
        assert!(!is_https("http://127.0.0.1:3000"));
    }
}
