//! Serving the portal's static files: which file a request path means (never one outside
//! the folder), its content type, whether a client's cached copy is still good, and how
//! long a copy may be kept.

use sha2::{Digest, Sha256};

/// What a request path resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A file under the static folder, as a relative path of clean segments.
    File(String),
    /// A client-side route (no file extension): the single-page app's index answers it,
    /// unless a file of that name exists.
    Route(String),
    /// Refused: `..`, `.`, a backslash, a NUL or an encoded slash — never looked up.
    Forbidden,
}

/// The page the app's own routes are answered with.
pub const INDEX: &str = "index.html";

/// Resolves a URL path (still percent-encoded, query removed) to a file. Each segment is
/// decoded on its own, so `%2F` cannot smuggle a separator and `%2e%2e` is still `..`.
pub fn resolve(path: &str) -> Resolved {
    let mut clean = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let Some(segment) = decode_segment(raw) else { return Resolved::Forbidden };
        if segment == "." || segment == ".." || segment.contains(['/', '\\', '\0']) || segment.starts_with('.') {
            return Resolved::Forbidden;
        }
        clean.push(segment);
    }
    if clean.is_empty() {
        return Resolved::File(INDEX.to_owned());
    }
    let joined = clean.join("/");
    match clean.last() {
        Some(last) if last.contains('.') => Resolved::File(joined),
        _ => Resolved::Route(joined),
    }
}

/// Percent-decodes one segment; `None` when the bytes are not UTF-8 or an escape is bad.
fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type of a file by its extension (UTF-8 for text).
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A strong ETag of the content.
pub fn etag(content: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(content))[..32])
}

/// Whether an `If-None-Match` header names this ETag (or `*`), so 304 will do.
pub fn not_modified(if_none_match: Option<&str>, etag: &str) -> bool {
    let Some(header) = if_none_match else { return false };
    header.split(',').map(str::trim).any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag))
}

/// How long a copy may be kept: pages are revalidated every time (they name the scripts,
/// so a deploy is seen at once); other files for an hour, then revalidated by ETag.
pub fn cache_control(path: &str) -> &'static str {
    if path.ends_with(".html") {
        "no-cache"
    } else {
        "public, max-age=3600, must-revalidate"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_folder_only() {
        assert_eq!(resolve("/"), Resolved::File("index.html".into()));
        assert_eq!(resolve("/app.js"), Resolved::File("app.js".into()));
        assert_eq!(resolve("/pages/send.js"), Resolved::File("pages/send.js".into()));
        assert_eq!(resolve("/accounts/acc_1"), Resolved::Route("accounts/acc_1".into()));
        assert_eq!(resolve("/my%20file.txt"), Resolved::File("my file.txt".into()));
        for evil in ["/../etc/passwd", "/a/../../x", "/%2e%2e/secret", "/a%2F..%2Fb.js", "/a%5c..%5cb", "/.env", "/x%00.js", "/%zz.js", "/%ff.js"] {
            assert_eq!(resolve(evil), Resolved::Forbidden, "{evil}");
        }
    }

    #[test]
    fn content_types_and_caching() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a/b.JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.svg"), "image/svg+xml");
        assert_eq!(content_type("noext"), "application/octet-stream");
        assert_eq!(cache_control("index.html"), "no-cache");
        assert!(cache_control("app.js").contains("max-age=3600"));
    }

    #[test]
    fn etags_match_if_none_match() {
        let tag = etag(b"hello");
        assert!(tag.starts_with('"') && tag.len() == 34);
        assert_ne!(tag, etag(b"hello!"));
        assert!(not_modified(Some(&tag), &tag));
        assert!(not_modified(Some(&format!("\"other\", W/{tag}")), &tag));
        assert!(not_modified(Some("*"), &tag));
        assert!(!not_modified(Some("\"other\""), &tag));
        assert!(!not_modified(None, &tag));
    }
}
