//! The API's OpenAPI document (api/openapi.json): served by the app, and in step with the
//! routes of spin.toml. (tests/api-schema.sh tests the app against it.)

use e2e::*;
use serde_json::Value;

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn document() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("api/openapi.json")).expect("api/openapi.json");
    serde_json::from_str(&text).expect("api/openapi.json is JSON")
}

#[test]
fn the_app_serves_its_openapi_document() {
    let reply = call("GET", &app().url("/v1/openapi.json"), None, None, &[]);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json, document(), "the served document is api/openapi.json");
    assert!(reply.json["openapi"].as_str().unwrap().starts_with("3.1."));
    let wrong = call("POST", &app().url("/v1/openapi.json"), None, Some("{}".into()), &[]);
    assert_eq!((wrong.status, wrong.json["error"]["name"].as_str()), (405, Some("MethodNotAllowed")));
}

/// Whether a spin.toml route (`/v1/x/...` a prefix, `:name` one segment) serves `path`.
fn route_serves(route: &str, path: &str) -> bool {
    let (route, wildcard) = match route.strip_suffix("/...") {
        Some(prefix) => (prefix, true),
        None => (route, false),
    };
    let (route, path): (Vec<&str>, Vec<&str>) = (route.split('/').collect(), path.split('/').collect());
    let fixed = route.len() == path.len() || (wildcard && path.len() > route.len());
    fixed && route.iter().zip(&path).all(|(r, p)| r.starts_with(':') || r == p)
}

#[test]
fn every_route_of_the_manifest_is_documented_and_nothing_else() {
    let manifest = std::fs::read_to_string(workspace_root().join("spin.toml")).unwrap();
    let routes: Vec<&str> =
        manifest.lines().filter_map(|l| l.trim().strip_prefix("route = \"")?.strip_suffix('"')).collect();
    assert!(routes.len() >= 10, "routes read from spin.toml: {routes:?}");
    let document = document();
    let paths: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .keys()
        // A path parameter stands for any one segment.
        .map(|p| p.split('/').map(|s| if s.starts_with('{') { "x" } else { s }).collect::<Vec<_>>().join("/"))
        .collect();
    for route in &routes {
        assert!(paths.iter().any(|p| route_serves(route, p)), "spin.toml route {route} has no path in api/openapi.json");
    }
    for path in &paths {
        assert!(routes.iter().any(|r| route_serves(r, path)), "api/openapi.json path {path} is served by no route");
    }
    // Every operation names its security (or none, on purpose) and answers in the one error shape.
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap().iter().filter(|(m, _)| *m != "parameters") {
            let public = ["/v1/health", "/v1/openapi.json", "/u/{token}"].contains(&path.as_str());
            assert!(public || operation["security"].is_array(), "{method} {path} has no security");
            assert!(operation["responses"].as_object().unwrap().keys().any(|c| c.starts_with('2')), "{method} {path}");
        }
    }
}

/// Every operation the API components route, as ("GET", "/v1/messages/{}"), read from
/// their route tables (the web component serves files, not the API).
fn routed_operations() -> Vec<(String, String)> {
    let tables = [
        send::routes(),
        receipts::routes(),
        admin::routes(),
        dispatch::routes(),
        contacts::routes(),
        inbound::routes(),
        portal::routes(),
        billing::routes(),
    ];
    let mut operations: Vec<(String, String)> = tables
        .iter()
        .flat_map(|routes| routes.table().iter())
        .map(|(method, path)| (method.as_str().to_owned(), braces_empty(path)))
        .collect();
    operations.sort();
    operations
}

/// A path with its parameters written `{}`, whatever their names.
fn braces_empty(path: &str) -> String {
    path.split('/').map(|s| if s.starts_with('{') { "{}" } else { s }).collect::<Vec<_>>().join("/")
}

/// The document's operations, path parameters written `{}`.
fn documented_operations() -> Vec<(String, String)> {
    let mut operations = Vec::new();
    for (path, item) in document()["paths"].as_object().unwrap() {
        let path = braces_empty(path);
        for method in item.as_object().unwrap().keys().filter(|m| *m != "parameters") {
            operations.push((method.to_uppercase(), path.clone()));
        }
    }
    operations.sort();
    operations
}

/// The routers and the document list the same operations: a new endpoint is documented
/// (and so tested by tests/api-schema.sh) in the change that adds it.
#[test]
fn every_routed_operation_is_documented_and_nothing_else() {
    let (routed, documented) = (routed_operations(), documented_operations());
    assert!(routed.len() >= 50, "operations read from the components' route tables: {routed:?}");
    let missing: Vec<_> = routed.iter().filter(|o| !documented.contains(o)).collect();
    let extra: Vec<_> = documented.iter().filter(|o| !routed.contains(o)).collect();
    assert!(missing.is_empty(), "routed but not in api/openapi.json: {missing:?}");
    assert!(extra.is_empty(), "in api/openapi.json but routed nowhere: {extra:?}");
}

/// Every operation that reads a JSON body answers 415 to any other content type
/// (platform::http::parse_body), so the document says so; the signed webhooks read their
/// carriers' and Stripe's own formats and are the exceptions.
#[test]
fn every_json_body_documents_the_415_for_other_content_types() {
    let document = document();
    let webhooks = ["carrierReceipt", "carrierInbound", "stripeWebhook"];
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_default();
            // Webhooks take what their senders send; Twilio's API takes forms, as Twilio's does.
            let json_body = operation["requestBody"]["content"].get("application/json").is_some();
            if !json_body || webhooks.contains(&id) {
                continue;
            }
            checked += 1;
            assert_eq!(
                operation["responses"]["415"]["$ref"], "#/components/responses/UnsupportedMediaType",
                "{method} {path} ({id}) takes a JSON body: document its 415"
            );
        }
    }
    assert!(checked >= 40, "{checked} operations with a JSON body");
    let shared = &document["components"]["responses"]["UnsupportedMediaType"];
    assert!(shared["description"].as_str().unwrap().contains("UnsupportedMediaType"), "{shared}");
}

/// Every error name the app can answer with — `ErrorName` and the seed's rejection and
/// error statuses — is listed in the error schema, and nothing else is.
#[test]
fn the_error_schema_lists_every_error_name_and_nothing_else() {
    use domain::api::error::ErrorName;
    use domain::messaging::status::{Status, StatusGroup};
    let mut expected: Vec<&str> = ErrorName::ALL.iter().map(|n| n.as_str()).collect();
    expected.extend(Status::ALL.into_iter().filter(|s| matches!(s.group(), StatusGroup::Rejection | StatusGroup::Error)).map(Status::name));
    expected.sort_unstable();
    expected.dedup();
    let listed = &document()["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["name"]["enum"];
    let mut listed: Vec<&str> = listed.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    listed.sort_unstable();
    assert_eq!(listed, expected, "api/openapi.json's Error.name enum; expected:\n{}", serde_json::to_string(&expected).unwrap());
}

/// Every operator operation is in one area of the operator API (issue 18): its route in the
/// admin component declares it (platform::http::Routes::area, which the guard enforces), and
/// the document says the same in `x-operator-area`, with both credentials (the admin token,
/// a staff member's session). Nothing outside the operator API has an area.
#[test]
fn every_operator_operation_documents_the_area_its_route_declares() {
    use domain::identity::staff::Area;
    let document = document();
    let routes = admin::routes();
    let mut checked = 0;
    for (method, path, area) in routes.areas() {
        let operation = &document["paths"][*path][method.as_str().to_lowercase()];
        assert!(operation.is_object(), "{method} {path} is not documented");
        match area {
            Some(area) => {
                assert!(path.starts_with("/v1/admin/"), "{method} {path} has an area but is not under /v1/admin");
                assert_eq!(operation["x-operator-area"].as_str(), Some(area.as_str()), "{method} {path}");
                assert_eq!(operation["x-access-level"], "operator", "{method} {path}");
                let schemes: Vec<&str> =
                    operation["security"].as_array().unwrap().iter().flat_map(|a| a.as_object().unwrap().keys().map(String::as_str)).collect();
                assert_eq!(schemes, ["adminToken", "session"], "{method} {path}");
                assert_eq!(operation["responses"]["403"]["$ref"], "#/components/responses/Forbidden", "{method} {path}");
                checked += 1;
            }
            None => assert!(!path.starts_with("/v1/admin/"), "{method} {path} is in the operator API without an area"),
        }
    }
    assert!(checked >= 70, "{checked}");
    // Every area name in the document is one the domain knows, and nothing else has one.
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap().iter().filter(|(m, _)| *m != "parameters") {
            if let Some(area) = operation["x-operator-area"].as_str() {
                assert!(Area::parse(area).is_ok(), "{method} {path}: {area}");
                assert!(path.starts_with("/v1/admin/"), "{method} {path}");
            }
        }
    }
}
