//! End-to-end: the operator's staff (issue 18). Staff sign in with the portal's sign-in and
//! two-factor, which they must have on to use the operator API; permission groups allow or
//! deny areas; the history names the staff member who made a change; nobody locks
//! themselves out; a disabled staff member is refused; the admin token keeps working; the
//! development operator's two-factor enrolment exists only in development.
//! (tests/e2e/tests/access.rs walks every operator operation for the areas.)

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}.{}.{}@staff.example.com", now(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn error_name(reply: &Reply) -> &str {
    reply.json["error"]["name"].as_str().unwrap_or("")
}

fn browser_of(app: &SpinApp, reply: &FullReply) -> Browser {
    Browser {
        base: app.base.clone(),
        cookie: cookie_pair(reply.set_cookie("smsedge_session").expect("a session cookie")),
        csrf: reply.json["csrf_token"].as_str().unwrap_or_default().to_owned(),
        account: None,
        device: reply.set_cookie("smsedge_device").map(cookie_pair),
    }
}

#[test]
fn staff_sign_in_with_the_portals_sign_in_and_need_two_factor() {
    let app = app();
    let support = app.staff_group(&unique("support"), json!({"customers": "allow", "log": "allow"}));
    let email = unique("ada");
    let made = app.admin("POST", "/v1/admin/staff", Some(json!({"email": email, "name": "Ada Operator", "groups": [support]})));
    assert_eq!(made.status, 201, "{}", made.text);
    let password = made.json["initial_password"].as_str().expect("without a password, one is made and shown once").to_owned();
    assert_eq!((made.json["two_factor_enabled"].as_bool(), made.json["disabled"].as_bool()), (Some(false), Some(false)));
    assert_eq!(made.json["groups"][0]["id"], support.as_str());
    let listed = app.admin("GET", "/v1/admin/staff", None);
    let row = listed.json["staff"].as_array().unwrap().iter().find(|s| s["email"] == email.as_str()).expect("listed").clone();
    assert!(row.get("initial_password").is_none() && !listed.text.contains(&password), "shown once: {row}");

    // The portal's sign-in lets a staff member with no account in; without two-factor the
    // console tells them to turn it on, and the operator API refuses them.
    let (signed_in, browser) = app.login(&email, &password);
    assert_eq!((signed_in.status, signed_in.json["two_factor_required"].as_bool()), (200, Some(false)), "{}", signed_in.text);
    assert_eq!(signed_in.json["user"]["default_account_id"], Value::Null);
    let browser = browser.unwrap();
    let me = browser.call("GET", "/v1/console/me", None);
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!((me.json["name"].as_str(), me.json["two_factor_enabled"].as_bool()), (Some("Ada Operator"), Some(false)));
    assert!(AREAS.iter().all(|a| me.json["areas"][*a] == false), "no area before two-factor: {}", me.text);
    let refused = browser.call("GET", "/v1/admin/accounts", None);
    assert_eq!((refused.status, error_name(&refused)), (403, "TwoFactorRequired"), "{}", refused.text);

    // Two-factor the portal's way, then a fresh sign-in needs the code.
    let begun = browser.call("POST", "/v1/me/2fa", Some(json!({"password": password})));
    assert_eq!(begun.status, 201, "{}", begun.text);
    let secret = begun.json["secret"].as_str().unwrap().to_owned();
    let confirmed = browser.call("POST", "/v1/me/2fa/confirm", Some(json!({"code": totp_code(&secret, now() as u64)})));
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(browser.call("POST", "/v1/auth/logout", None).status, 204);
    let (first_step, half) = app.login(&email, &password);
    assert_eq!(first_step.json["two_factor_required"].as_bool(), Some(true), "{}", first_step.text);
    let half = half.unwrap();
    let pending = half.call("GET", "/v1/console/me", None);
    assert_eq!((pending.status, error_name(&pending)), (401, "TwoFactorRequired"), "{}", pending.text);
    assert_eq!(half.call("GET", "/v1/admin/accounts", None).status, 401, "half signed in is not signed in");
    let second = half.call_full("POST", "/v1/auth/login/2fa", Some(json!({"code": totp_code(&secret, now() as u64 + 30)})));
    assert_eq!(second.status, 200, "{}", second.text);
    let staff = browser_of(app, &second);
    let me = staff.call("GET", "/v1/console/me", None);
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json["two_factor_enabled"], true);
    assert_eq!(me.json["csrf_token"], staff.csrf.as_str());
    assert_eq!(me.json["user_id"], made.json["user_id"]);
    let areas = me.json["areas"].as_object().unwrap();
    assert_eq!(areas.len(), AREAS.len(), "{}", me.text);
    let allowed: Vec<&str> = AREAS.iter().copied().filter(|a| areas[*a] == true).collect();
    assert_eq!(allowed, ["customers", "log"]);

    // In their areas and nowhere else; the CSRF token as for the portal.
    let (account, _) = app.account("SEK", 10_000, 0);
    assert_eq!(staff.call("GET", "/v1/admin/accounts?limit=5", None).status, 200);
    assert_eq!(staff.call("GET", &format!("/v1/admin/accounts/{account}/history"), None).status, 200);
    let ledger = staff.call("GET", &format!("/v1/admin/accounts/{account}/ledger"), None);
    assert_eq!((ledger.status, error_name(&ledger)), (403, "AreaNotPermitted"), "{}", ledger.text);
    assert!(ledger.json["error"]["message"].as_str().unwrap().contains("'billing'"), "{}", ledger.text);
    assert_eq!(ledger.json["error"]["details"][0]["value"], "billing", "{}", ledger.text);
    let forged = staff.without_csrf().call("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"blocked": true})));
    assert_eq!((forged.status, error_name(&forged)), (403, "CsrfTokenInvalid"), "{}", forged.text);
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["blocked"], false);

    // Not signed in, or not staff.
    let nobody = call("GET", &app.url("/v1/console/me"), None, None, &[]);
    assert_eq!(nobody.status, 401, "{}", nobody.text);
    let customer = app.member(&account, &unique("customer"), "admin");
    let not_staff = customer.call("GET", "/v1/console/me", None);
    assert_eq!((not_staff.status, error_name(&not_staff)), (403, "NotStaff"), "{}", not_staff.text);
}

#[test]
fn the_history_names_the_staff_member_in_words() {
    let app = app();
    let group = app.staff_group(&unique("accounts"), json!({"customers": "allow", "billing": "allow", "log": "allow"}));
    let (staff, user_id, _) = app.signed_in_staff(&unique("grace"), "Grace Hopper", &[&group]);
    let (account, _) = app.account("SEK", 0, 0);

    let limit = staff.call("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"credit_limit_minor": 50_000})));
    assert_eq!(limit.status, 200, "{}", limit.text);
    let credit = staff.call("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": 12_345, "kind": "topup", "reference": "TOP-STAFF-1"})));
    assert_eq!(credit.status, 201, "{}", credit.text);
    let blocked = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"blocked": true})));
    assert_eq!(blocked.status, 200, "{}", blocked.text);

    let history = staff.call("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    assert_eq!(history.status, 200, "{}", history.text);
    let events = history.json["events"].as_array().unwrap().clone();
    let (block, topup, limit) = (&events[0], &events[1], &events[2]);
    assert_eq!(limit["action"], "account.updated");
    assert_eq!(limit["summary"], "Credit limit changed from SEK 0.00 to SEK 500.00", "{limit}");
    assert_eq!(limit["actor"], json!({"kind": "staff", "id": user_id, "name": "Grace Hopper"}));
    assert_eq!(topup["action"], "balance.topup");
    assert_eq!(topup["summary"], "Top-up of SEK 123.45 (TOP-STAFF-1); balance changed from SEK 0.00 to SEK 123.45", "{topup}");
    assert_eq!(topup["actor"]["name"], "Grace Hopper");
    assert_eq!((block["summary"].as_str(), &block["actor"]), (Some("Blocked"), &json!({"kind": "operator", "id": null, "name": "operator"})), "{block}");
    assert!(events.iter().all(|e| e["at"].is_string() && e["summary"].is_string()), "{}", history.text);
    // As stored: staff:<user id>, whatever they are called later.
    let actors: Vec<String> = app
        .sql()
        .prepare("SELECT actor FROM audit_events WHERE account_id = ? ORDER BY id")
        .unwrap()
        .query_map([&account], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(actors.contains(&format!("staff:{user_id}")), "{actors:?}");
    let renamed = app.admin("PATCH", &format!("/v1/admin/staff/{user_id}"), Some(json!({"name": "Rear Admiral Hopper"})));
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let history = app.admin("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    assert_eq!(history.json["events"][2]["actor"]["name"], "Rear Admiral Hopper", "the history names them as they are named now");
}

#[test]
fn nobody_locks_themselves_out_and_disabled_staff_are_refused() {
    let app = app();
    let admins = app.everything_group(&unique("admins"));
    let (me, my_id, _) = app.signed_in_staff(&unique("me"), "Me Myself", &[&admins]);
    let other_email = unique("other");
    let (other, other_id, other_secret) = app.signed_in_staff(&other_email, "Someone Else", &[&admins]);
    let lock_out = |reply: Reply, what: &str| assert_eq!((reply.status, error_name(&reply)), (409, "WouldLockOut"), "{what}: {}", reply.text);

    lock_out(me.call("PATCH", &format!("/v1/admin/staff-groups/{admins}"), Some(json!({"permissions": {"staff": "deny"}}))), "denying my own staff area");
    lock_out(me.call("PATCH", &format!("/v1/admin/staff-groups/{admins}"), Some(json!({"permissions": {"customers": "allow"}}))), "dropping my staff allow");
    lock_out(me.call("DELETE", &format!("/v1/admin/staff-groups/{admins}"), None), "deleting my only group");
    lock_out(me.call("PATCH", &format!("/v1/admin/staff/{my_id}"), Some(json!({"groups": []}))), "leaving my groups");
    lock_out(me.call("PATCH", &format!("/v1/admin/staff/{my_id}"), Some(json!({"disabled": true}))), "disabling myself");
    // Nothing changed.
    let group = app.admin("GET", "/v1/admin/staff-groups", None).json["groups"].as_array().unwrap().iter().find(|g| g["id"] == admins.as_str()).unwrap().clone();
    assert_eq!(group["permissions"]["staff"], "allow", "{group}");
    assert_eq!(group["members"].as_array().map(Vec::len), Some(2), "{group}");
    assert_eq!(me.call("GET", "/v1/admin/staff", None).status, 200);

    // With the staff area from a second group, the first may change.
    let staff_only = app.staff_group(&unique("staff-only"), json!({"staff": "allow"}));
    let regrouped = me.call("PATCH", &format!("/v1/admin/staff/{my_id}"), Some(json!({"groups": [admins, staff_only]})));
    assert_eq!(regrouped.status, 200, "{}", regrouped.text);
    let narrowed = me.call("PATCH", &format!("/v1/admin/staff-groups/{admins}"), Some(json!({"permissions": {"customers": "allow", "staff": "allow"}})));
    assert_eq!(narrowed.status, 200, "{}", narrowed.text);
    assert_eq!(narrowed.json["permissions"], json!({"customers": "allow", "staff": "allow"}));
    let carriers = other.call("GET", "/v1/admin/carriers", None);
    assert_eq!((carriers.status, error_name(&carriers)), (403, "AreaNotPermitted"), "the group changed for its other member at once: {}", carriers.text);

    // Disabling someone else: refused at once everywhere, until enabled again.
    let disabled = me.call("PATCH", &format!("/v1/admin/staff/{other_id}"), Some(json!({"disabled": true})));
    assert_eq!((disabled.status, disabled.json["disabled"].as_bool()), (200, Some(true)), "{}", disabled.text);
    for (method, path) in [("GET", "/v1/admin/accounts"), ("GET", "/v1/console/me"), ("GET", "/v1/admin/staff")] {
        let refused = other.call(method, path, None);
        assert_eq!((refused.status, error_name(&refused)), (403, "StaffDisabled"), "{path}: {}", refused.text);
    }
    let (relogin, half) = app.login(&other_email, PASSWORD);
    assert_eq!(relogin.status, 200, "signing in still works (the portal's sign-in): {}", relogin.text);
    // The next time step's code (each step's code works once; one step either side is accepted).
    let second = half.unwrap().call_full("POST", "/v1/auth/login/2fa", Some(json!({"code": totp_code(&other_secret, now() as u64 + 30)})));
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(error_name(&browser_of(app, &second).call("GET", "/v1/console/me", None)), "StaffDisabled");
    let enabled = me.call("PATCH", &format!("/v1/admin/staff/{other_id}"), Some(json!({"disabled": false})));
    assert_eq!(enabled.status, 200, "{}", enabled.text);
    assert_eq!(other.call("GET", "/v1/admin/accounts?limit=1", None).status, 200);

    // The admin token has no staff area to lose: it may take anyone's groups away.
    let emptied = app.admin("PATCH", &format!("/v1/admin/staff/{my_id}"), Some(json!({"groups": []})));
    assert_eq!((emptied.status, emptied.json["groups"].as_array().map(Vec::len)), (200, Some(0)), "{}", emptied.text);
    let nothing = me.call("GET", "/v1/admin/staff", None);
    assert_eq!((nothing.status, error_name(&nothing)), (403, "AreaNotPermitted"), "{}", nothing.text);
    // Changes to staff and groups are in the staff history, naming who made them.
    let events: Vec<(String, String)> = app
        .sql()
        .prepare("SELECT actor, action FROM staff_events WHERE target = ? ORDER BY id")
        .unwrap()
        .query_map([&other_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mine = format!("staff:{my_id}");
    assert_eq!(events, [("operator".into(), "staff.created".into()), (mine.clone(), "staff.updated".into()), (mine, "staff.updated".into())]);
}

#[test]
fn staff_and_groups_are_checked() {
    let app = app();
    let name = unique("checked");
    let group = app.staff_group(&name, json!({"billing": "allow"}));
    let duplicate = app.admin("POST", "/v1/admin/staff-groups", Some(json!({"name": name.to_uppercase(), "permissions": {}})));
    assert_eq!((duplicate.status, error_name(&duplicate)), (409, "DuplicateGroup"), "{}", duplicate.text);
    let bad = app.admin("POST", "/v1/admin/staff-groups", Some(json!({"name": unique("bad"), "permissions": {"telepathy": "allow", "billing": "maybe"}})));
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidPermissions"), "{}", bad.text);
    assert!(bad.text.contains("telepathy") && bad.text.contains("maybe"), "every bad entry: {}", bad.text);
    let unnamed = app.admin("POST", "/v1/admin/staff-groups", Some(json!({"permissions": {}})));
    assert_eq!(unnamed.status, 400, "{}", unnamed.text);

    let email = unique("checked-staff");
    app.staff_member(&email, "Checked Staff", &[&group]);
    let taken = app.admin("POST", "/v1/admin/staff", Some(json!({"email": email, "name": "Again"})));
    assert_eq!((taken.status, error_name(&taken)), (409, "EmailTaken"), "{}", taken.text);
    let weak = app.admin("POST", "/v1/admin/staff", Some(json!({"email": unique("weak"), "name": "Weak", "password": "short"})));
    assert_eq!((weak.status, error_name(&weak)), (422, "WeakPassword"), "{}", weak.text);
    let unknown = app.admin("POST", "/v1/admin/staff", Some(json!({"email": unique("unknown"), "name": "Unknown", "groups": ["grp_nosuch"]})));
    assert_eq!((unknown.status, error_name(&unknown)), (404, "NotFound"), "{}", unknown.text);
    assert!(!app.admin("GET", "/v1/admin/staff", None).text.contains("Unknown"), "nothing of a refused staff member was kept");
    let no_one = app.admin("PATCH", "/v1/admin/staff/usr_nosuch", Some(json!({"name": "Nobody"})));
    assert_eq!(no_one.status, 404, "{}", no_one.text);
    let gone = app.admin("DELETE", &format!("/v1/admin/staff-groups/{group}"), None);
    assert_eq!((gone.status, gone.json["deleted"].as_bool()), (200, Some(true)), "{}", gone.text);
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/staff-groups/{group}"), None).status, 404);
    let member = app.admin("GET", "/v1/admin/staff", None);
    let row = member.json["staff"].as_array().unwrap().iter().find(|s| s["email"] == email.as_str()).unwrap().clone();
    assert_eq!(row["groups"], json!([]), "a deleted group's members leave it: {row}");

    // Two-factor at creation is for development only; this app is not in development mode.
    let enrol = app.admin("POST", "/v1/admin/staff", Some(json!({"email": unique("enrol"), "name": "Enrolled", "enrol_two_factor": true})));
    assert_eq!((enrol.status, error_name(&enrol)), (403, "Forbidden"), "{}", enrol.text);
}

/// The console's client list: search by a user's e-mail, sort by the console's columns
/// (a `-` for descending), with the status of each.
#[test]
fn the_client_list_searches_e_mail_and_sorts_by_the_console_columns() {
    let app = app();
    let tag = format!("Sortable {}", unique("").split('@').next().unwrap());
    let mut ids = Vec::new();
    for (n, limit) in [(1, 30_000), (2, 10_000), (3, 20_000)] {
        let made = app.admin("POST", "/v1/admin/accounts", Some(json!({"name": format!("{tag} {n}"), "currency": "SEK", "credit_limit_minor": limit})));
        assert_eq!(made.status, 201, "{}", made.text);
        ids.push(made.json["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(app.admin("PATCH", &format!("/v1/admin/accounts/{}", ids[2]), Some(json!({"blocked": true}))).status, 200);
    let q = tag.replace(' ', "%20");
    let order = |sort: &str| -> Vec<String> {
        let reply = app.admin("GET", &format!("/v1/admin/accounts?q={q}&sort={sort}"), None);
        assert_eq!(reply.status, 200, "{sort}: {}", reply.text);
        reply.json["accounts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(order("credit_limit"), [ids[1].clone(), ids[2].clone(), ids[0].clone()]);
    assert_eq!(order("-credit_limit"), [ids[0].clone(), ids[2].clone(), ids[1].clone()]);
    assert_eq!(order("-name"), [ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    assert_eq!(order("-status")[0], ids[2], "blocked after active, descending first");
    let listed = app.admin("GET", &format!("/v1/admin/accounts?q={q}&sort=name"), None);
    let statuses: Vec<&str> = listed.json["accounts"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["active", "active", "blocked"], "{}", listed.text);
    let first = &listed.json["accounts"][0];
    for field in ["balance_minor", "credit_limit_minor", "kind", "created_at", "currency"] {
        assert!(!first[field].is_null(), "{field}: {first}");
    }
    let contradicting = app.admin("GET", "/v1/admin/accounts?sort=-name&order=asc", None);
    assert_eq!((contradicting.status, contradicting.json["error"]["name"].as_str()), (400, Some("InvalidSort")));

    let email = unique("findable");
    app.member(&ids[1], &email, "user");
    let found = app.admin("GET", &format!("/v1/admin/accounts?q={}", email.to_uppercase().replace('+', "%2B")), None);
    assert_eq!((found.json["total"].as_i64(), found.json["accounts"][0]["id"].as_str()), (Some(1), Some(ids[1].as_str())), "{}", found.text);
}

/// ./run.sh's first operator: in development mode the admin token may make a staff member
/// with two-factor on at once (the secret shown once), who signs in with it; a staff
/// member may not, even there.
#[test]
fn the_development_operator_is_enrolled_only_in_development() {
    build_app();
    let dev = SpinApp::start(&[("development_mode", "true".into())]);
    let everything = dev.everything_group("Administrators");
    let email = "dev-operator@example.com";
    let made = dev.admin("POST", "/v1/admin/staff", Some(json!({"email": email, "name": "Development Operator", "groups": [everything], "enrol_two_factor": true})));
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.json["two_factor_enabled"], true, "{}", made.text);
    let secret = made.json["two_factor"]["secret"].as_str().expect("the secret, once").to_owned();
    assert!(made.json["two_factor"]["provisioning_uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    let password = made.json["initial_password"].as_str().unwrap().to_owned();

    let (first, half) = dev.login(email, &password);
    assert_eq!(first.json["two_factor_required"], true, "{}", first.text);
    let second = half.unwrap().call_full("POST", "/v1/auth/login/2fa", Some(json!({"code": totp_code(&secret, now() as u64)})));
    assert_eq!(second.status, 200, "{}", second.text);
    let staff = browser_of(&dev, &second);
    let me = staff.call("GET", "/v1/console/me", None);
    assert_eq!((me.json["two_factor_enabled"].as_bool(), me.json["areas"]["staff"].as_bool()), (Some(true), Some(true)), "{}", me.text);
    let by_staff = staff.call("POST", "/v1/admin/staff", Some(json!({"email": "second@example.com", "name": "Second", "enrol_two_factor": true})));
    assert_eq!((by_staff.status, error_name(&by_staff)), (403, "Forbidden"), "only the admin token: {}", by_staff.text);
    assert_eq!(staff.call("POST", "/v1/admin/staff", Some(json!({"email": "second@example.com", "name": "Second"}))).status, 201);
}

#[test]
fn a_staff_member_edits_a_clients_profile_with_the_clients_own_checks() {
    let app = app();
    let group = app.staff_group(&unique("profile"), json!({"customers": "allow", "log": "allow"}));
    let (browser, _, _) = app.signed_in_staff(&unique("pia"), "Pia Profile", &[group.as_str()]);
    let (account, key) = app.account("SEK", 0, 0);
    let path = format!("/v1/admin/accounts/{account}/settings");
    let read = browser.call("GET", &path, None);
    assert_eq!((read.status, read.json["time_zone"].as_str()), (200, Some("UTC")), "{}", read.text);
    let changed = browser.call(
        "PATCH",
        &path,
        Some(json!({"time_zone": "Europe/Stockholm", "note": "pays late", "company": {"name": "Profil AB", "organisation_number": "556677-8899"},
                     "contact": {"email": "ekonomi@profil.example"}})),
    );
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!((changed.json["time_zone"].as_str(), changed.json["company"]["name"].as_str()), (Some("Europe/Stockholm"), Some("Profil AB")));
    // The client reads what the operator set, through its own settings.
    let own = app.get(&key, "/v1/account/settings");
    assert_eq!((own.json["time_zone"].as_str(), own.json["contact"]["email"].as_str()), (Some("Europe/Stockholm"), Some("ekonomi@profil.example")));
    // The client's checks hold for the operator too: a bad time zone changes nothing.
    let bad = browser.call("PATCH", &path, Some(json!({"time_zone": "Mars/Olympus", "note": "x"})));
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidTimeZone"), "{}", bad.text);
    assert_eq!(app.get(&key, "/v1/account/settings").json["note"].as_str(), Some("pays late"));
    let history = browser.call("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    let event = history.json["events"].as_array().unwrap().iter().find(|e| e["action"] == "settings.updated").cloned().expect("the change is in the history");
    assert_eq!((event["actor"]["kind"].as_str(), event["actor"]["name"].as_str()), (Some("staff"), Some("Pia Profile")), "{event}");
    assert_eq!(browser.call("GET", "/v1/admin/accounts/acc_nobody/settings", None).status, 404);
}
