//! Serves the portal (static/, mounted at /static in the component): files with their
//! content type, a strong ETag (304 on If-None-Match) and caching headers; the
//! single-page app's index.html for its own routes; 404 for a missing file; 403 for a
//! path that tries to leave the folder. The rules are domain::webfiles.

use domain::webfiles::{cache_control, content_type, etag, not_modified, resolve, Resolved, INDEX};
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;

const ROOT: &str = "/static";

/// The portal talks only to this app; nothing is framed or loaded from elsewhere.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

#[http_component]
fn handle(req: Request) -> Response {
    let path = req.path().split('?').next().unwrap_or("/");
    // API paths that no component claims are the API's 404, not the app's index.
    if path.starts_with("/v1/") || path == "/v1" {
        return Response::builder()
            .status(404)
            .header("content-type", "application/json")
            .body(r#"{"error":{"code":null,"name":"NotFound","message":"no such endpoint"}}"#)
            .build();
    }
    if !matches!(req.method(), Method::Get | Method::Head) {
        return plain(405, "use GET or HEAD").tap_header("allow", "GET, HEAD");
    }
    let file = match resolve(path) {
        Resolved::Forbidden => return plain(403, "forbidden path"),
        Resolved::File(file) => file,
        Resolved::Route(route) => {
            if std::fs::metadata(format!("{ROOT}/{route}")).is_ok_and(|m| m.is_file()) {
                route
            } else {
                INDEX.to_owned()
            }
        }
    };
    let Ok(content) = std::fs::read(format!("{ROOT}/{file}")) else {
        return plain(404, "not found");
    };
    let tag = etag(&content);
    let if_none_match = req.header("if-none-match").and_then(|h| h.as_str());
    let head = matches!(req.method(), Method::Head);
    let mut builder = Response::builder();
    builder
        .header("etag", tag.clone())
        .header("cache-control", cache_control(&file))
        .header("content-type", content_type(&file))
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "same-origin")
        .header("content-security-policy", CSP);
    if not_modified(if_none_match, &tag) {
        return builder.status(304).build();
    }
    let length = content.len();
    builder.status(200).header("content-length", length.to_string());
    if head {
        builder.build()
    } else {
        builder.body(content).build()
    }
}

fn plain(status: u16, message: &str) -> Response {
    Response::builder().status(status).header("content-type", "text/plain; charset=utf-8").body(message.to_owned()).build()
}

trait TapHeader {
    fn tap_header(self, name: &str, value: &str) -> Self;
}

impl TapHeader for Response {
    fn tap_header(mut self, name: &str, value: &str) -> Self {
        self.set_header(name, value);
        self
    }
}
