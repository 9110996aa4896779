//! Serves the portal (static/, mounted at /static in the component): files with their
//! content type, a strong ETag (304 on If-None-Match) and caching headers; the
//! single-page app's index.html for its own routes; 404 for a missing file; 403 for a
//! path that tries to leave the folder. The rules are domain::api::webfiles.

use domain::api::error::ApiError;
use domain::api::webfiles::{cache_control, content_type, etag, not_modified, resolve, Resolved, INDEX};
use platform::axum::http::Method;
use platform::http::{respond_with, Reply, Req, Routes};

platform::http_entry!(routes().into_router());

/// Every path no other component claims: GET and HEAD only.
pub fn routes() -> Routes {
    Routes::new().get("/", serve).get("/{*path}", serve)
}

const ROOT: &str = "/static";

/// The portal talks only to this app; nothing is framed or loaded from elsewhere.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

async fn serve(req: Req) -> Reply {
    let path = req.path();
    // API paths that no component claims are the API's 404, not the app's index.
    if path.starts_with("/v1/") || path == "/v1" {
        return Err(ApiError::not_found("no such endpoint"));
    }
    let file = match resolve(path) {
        Resolved::Forbidden => return Ok(plain(403, "forbidden path")),
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
        return Ok(plain(404, "not found"));
    };
    let tag = etag(&content);
    let headers = [
        ("etag", tag.as_str()),
        ("cache-control", cache_control(&file)),
        ("content-type", content_type(&file)),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("content-security-policy", CSP),
    ];
    if not_modified(req.header("if-none-match"), &tag) {
        return Ok(respond_with(304, &headers, Vec::new()));
    }
    // HEAD: the headers a GET has, its content-length included, and no body.
    let body = if *req.method() == Method::HEAD { Vec::new() } else { content.clone() };
    let mut response = respond_with(200, &headers, body);
    response.headers_mut().insert("content-length", content.len().into());
    Ok(response)
}

fn plain(status: u16, message: &str) -> platform::http::Response {
    respond_with(status, &[("content-type", "text/plain; charset=utf-8")], message.to_owned())
}
