//! No input may produce a 5xx: a property-based test throws arbitrary Unicode, control
//! characters, quotes and very long values at every query parameter, path parameter and body
//! field of every API route (read from the OpenAPI document, so new routes are covered), and at
//! the pages, the sign-in form and the server functions, on both databases.

mod common;

use axum::http::{Method, StatusCode};
use common::{Db, TestApp, SAME_ORIGIN};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

/// A value meant to break something.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\"'\\\\%&=;<>{}\\[\\]]{0,12}",
        "\\PC{0,40}",
        (1usize..20_000).prop_map(|n| "é".repeat(n)),
        Just("\u{0}".to_owned()),
        Just("a\u{0}b".to_owned()),
        Just("' OR 1=1 --".to_owned()),
        Just("\"".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("99999999999999999999999".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("1e309".to_owned()),
        Just("NaN".to_owned()),
        Just("last".to_owned()),
        Just("2026-02-30T25:61:00Z".to_owned()),
        Just("\u{202e}\u{feff}𝔘\u{301}".to_owned()),
    ]
}

/// A JSON value for a body field: mostly hostile text, sometimes another type.
fn hostile_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => hostile_text().prop_map(Value::String),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => any::<f64>().prop_map(|n| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => prop::collection::vec(hostile_text(), 0..4).prop_map(|v| json!(v)),
    ]
}

/// Percent-encodes every byte but unreserved ones.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An operation of the API: method, path template, query parameter names, body property names.
#[derive(Clone, Debug)]
struct Operation {
    method: Method,
    path: String,
    query: Vec<String>,
    body: Vec<String>,
}

/// Every operation the OpenAPI document lists, but signing out everywhere (it would end the
/// token the test uses, and takes no input).
fn operations(doc: &Value) -> Vec<Operation> {
    let schema_properties = |schema: &Value| -> Vec<String> {
        let reference = schema["$ref"].as_str().unwrap_or_default().trim_start_matches("#/components/schemas/");
        let target = if reference.is_empty() { schema } else { &doc["components"]["schemas"][reference] };
        target["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
    };
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            if path == "/api/auth/logout_all/" {
                continue;
            }
            let query = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            let body = schema_properties(&operation["requestBody"]["content"]["application/json"]["schema"]);
            found.push(Operation { method, path: path.clone(), query, body });
        }
    }
    found
}

/// One hostile request: which operation, the path id, query values, body values, and whether
/// the body is sent as a raw text instead of an object.
type Case = (usize, Option<String>, Vec<String>, Vec<Value>, Option<String>);

fn case(operations: usize) -> impl Strategy<Value = Case> {
    (
        0..operations,
        prop::option::of(hostile_text()),
        prop::collection::vec(hostile_text(), 8),
        prop::collection::vec(hostile_json(), 12),
        prop::option::weighted(0.15, hostile_text()),
    )
}

fn run(db: Db) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (app, token, customer, order, doc) = runtime.block_on(async {
        let app = TestApp::spawn(db).await;
        let token = app.token("Hostile Bistro", "owner").await;
        let created =
            app.post("/api/customers/", &token, json!({ "name": "Target", "email": "target@example.com" })).await;
        let customer = created.json["id"].as_i64().expect("customer").to_string();
        let ordered = app
            .post(
                &format!("/api/customers/{customer}/orders/"),
                &token,
                json!({ "reference": "R-1", "total": "50.00" }),
            )
            .await;
        let order = ordered.json["id"].as_i64().expect("order").to_string();
        let doc = app.request(Method::GET, "/api/openapi.json", None, None).await.json;
        (app, token, customer, order, doc)
    });
    let operations = operations(&doc);
    assert!(operations.len() >= 20, "the document lists the API: {}", operations.len());
    let cookie = runtime.block_on(async {
        let form = format!(
            "email={}&password={}",
            encode(&app.user("Hostile Bistro", "pages@hostile.test", "owner").await),
            encode(common::PASSWORD)
        );
        let reply = app
            .raw(Method::POST, "/login", None, Some(form), "application/x-www-form-urlencoded", &[SAME_ORIGIN])
            .await;
        reply.headers["set-cookie"].to_str().unwrap_or_default().split(';').next().unwrap_or_default().to_owned()
    });
    let cases = std::env::var("HOSTILE_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(400);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&case(operations.len()), |(which, id, query, body, raw)| {
        let operation = &operations[which];
        let id = id.map_or_else(
            || if operation.path.starts_with("/api/orders") { order.clone() } else { customer.clone() },
            |id| encode(&id.chars().take(2_000).collect::<String>()),
        );
        let path = operation.path.replace("{id}", &id).replace("{merge_id}", &id);
        // Within what a URI may hold (64 KB; a real server refuses longer ones before Patron sees them).
        let mut room = 60_000_usize.saturating_sub(path.len());
        let query: Vec<String> = operation
            .query
            .iter()
            .zip(&query)
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .filter(|pair| {
                let fits = pair.len() < room;
                room = room.saturating_sub(if fits { pair.len() + 1 } else { 0 });
                fits
            })
            .collect();
        let uri = if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) };
        let body = match raw {
            Some(raw) => Some(raw),
            None if operation.body.is_empty() && operation.method == Method::GET => None,
            None => Some(Value::Object(operation.body.iter().cloned().zip(body.iter().cloned()).collect()).to_string()),
        };
        let page_value = query_value(&query);
        // A request that never answers fails the case with its request, instead of the run.
        let answered = runtime.block_on(async {
            let limit = std::time::Duration::from_secs(60);
            let api = app.raw(operation.method.clone(), &uri, Some(&token), body, "application/json", &[]);
            let Ok(api) = tokio::time::timeout(limit, api).await else {
                return Err(format!("{} {uri} did not answer", operation.method));
            };
            let pages = page_requests(&app, &cookie, &customer, &page_value);
            let Ok(pages) = tokio::time::timeout(limit, pages).await else {
                return Err(format!("a page with {page_value:?} did not answer"));
            };
            Ok((api, pages))
        });
        let (api, pages) = match answered {
            Ok(answers) => answers,
            Err(hung) => return Err(TestCaseError::fail(hung)),
        };
        prop_assert!(
            api.status < StatusCode::INTERNAL_SERVER_ERROR,
            "{} {uri} answered {}: {}",
            operation.method,
            api.status,
            api.text
        );
        for (what, status, text) in pages {
            prop_assert!(status < StatusCode::INTERNAL_SERVER_ERROR, "{what} answered {status}: {text}");
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// The first generated query value, encoded, for the page requests.
fn query_value(query: &[String]) -> String {
    query.first().and_then(|pair| pair.split_once('=')).map(|(_, v)| v.to_owned()).unwrap_or_default()
}

/// The pages, the board's HTML, the sign-in form and a form with the same hostile value.
async fn page_requests(app: &TestApp, cookie: &str, customer: &str, value: &str) -> Vec<(String, StatusCode, String)> {
    let signed_in = [("cookie", cookie)];
    let value = match value.len() > 9_000 {
        // Cut before a `%xx` escape, never inside one.
        true => &value[..value[..9_000].rfind('%').unwrap_or(9_000)],
        false => value,
    };
    let gets = [
        format!("/customers?search={value}&page={value}&ordering={value}&loyalty_level={value}&status={value}"),
        format!(
            "/sfn/customers/board?search={value}&page={value}&ordering={value}&loyalty_level={value}&status={value}"
        ),
        format!("/customers/{customer}?page={value}&orders_page={value}"),
        format!("/customers/{value}"),
        format!("/settings/activity?actor={value}&action={value}&since={value}&until={value}&page={value}"),
        format!("/login?next={value}&error={value}"),
    ];
    let mut answers = Vec::new();
    for path in gets {
        // A page that never answers is named (as a 504) rather than holding up the run.
        let limit = std::time::Duration::from_secs(20);
        let reply = app.raw(Method::GET, &path, None, None, "", &signed_in);
        let (status, text) = match tokio::time::timeout(limit, reply).await {
            Ok(reply) => (reply.status, reply.text),
            Err(_) => (StatusCode::GATEWAY_TIMEOUT, "did not answer".to_owned()),
        };
        answers.push((format!("GET {path}"), status, text));
    }
    let form = format!("email={value}&password={value}&next={value}");
    let login =
        app.raw(Method::POST, "/login", None, Some(form), "application/x-www-form-urlencoded", &[SAME_ORIGIN]).await;
    answers.push(("POST /login".to_owned(), login.status, login.text));
    let team = format!("email={value}&role={value}&password={value}");
    let added = app
        .raw(
            Method::POST,
            "/settings/team/users",
            None,
            Some(team),
            "application/x-www-form-urlencoded",
            &[("cookie", cookie), SAME_ORIGIN],
        )
        .await;
    answers.push(("POST /settings/team/users".to_owned(), added.status, added.text));
    answers
}

/// One backend after the other (each run is a few hundred requests a second already).
#[test]
fn sqlite_and_postgres_answer_every_hostile_input_without_a_server_error() {
    run(Db::Sqlite);
    run(Db::Postgres);
}
