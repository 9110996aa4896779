//! End-to-end: the security headers of every answer — nosniff everywhere, HSTS and
//! `Secure` session cookies when the public address is https (also behind a proxy that
//! terminates TLS, where the request itself arrives as plain http).

use e2e::*;

fn health(app: &SpinApp) -> FullReply {
    call_full("GET", &app.url("/v1/health"), None, &[])
}

#[test]
fn an_https_deployment_sends_hsts_and_secure_cookies_over_a_proxy_that_terminates_tls() {
    // Spin itself listens on plain http here, as behind a TLS-terminating proxy.
    let app = SpinApp::start(&[("public_base_url", "https://sms.example.com".to_owned())]);
    let (account, key) = app.account("SEK", 10_000, 0);
    let hsts = "max-age=63072000; includeSubDomains";
    for reply in [
        health(&app),
        call_full("GET", &app.url("/v1/messages"), None, &[("Authorization", format!("Bearer {key}"))]),
        call_full("GET", &app.url("/v1/messages"), None, &[]), // an error answer, 401
        call_full("GET", &app.url("/"), None, &[]),            // the portal's page
    ] {
        assert_eq!(reply.header("strict-transport-security"), Some(hsts), "{reply:?}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{reply:?}");
    }
    let _ = app.member(&account, "hsts@example.com", "admin");
    let (login, _) = app.login("hsts@example.com", PASSWORD);
    assert_eq!(login.status, 200, "{}", login.text);
    for name in ["smsedge_session", "smsedge_device"] {
        let cookie = login.set_cookie(name).unwrap_or_else(|| panic!("{name} set: {login:?}"));
        assert!(cookie.split(';').any(|part| part.trim() == "Secure"), "{name} is Secure: {cookie}");
    }
}

#[test]
fn a_plain_http_deployment_sends_no_hsts_and_still_says_nosniff() {
    let app = SpinApp::sandbox();
    let (account, _) = app.account("SEK", 10_000, 0);
    let reply = health(&app);
    assert_eq!(reply.header("strict-transport-security"), None, "{reply:?}");
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    let _ = app.member(&account, "plain@example.com", "admin");
    let (login, _) = app.login("plain@example.com", PASSWORD);
    let cookie = login.set_cookie("smsedge_session").unwrap();
    assert!(!cookie.contains("Secure"), "no Secure cookie over plain http: {cookie}");
}
