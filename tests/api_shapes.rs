//! The JSON of every API response shape, pinned as snapshots (`tests/snapshots/`), on both
//! databases: a change to a field's name, order, type or message shows up as a diff to review.
//! Ids, tenant ids, times and tokens differ per run and are redacted.

mod common;

use axum::http::{Method, StatusCode};
use common::{Db, TestApp};
use insta::assert_json_snapshot;
use serde_json::{json, Value};

/// Creates the snapshot's customer: fixed values, some points, a last order.
async fn customer(app: &TestApp, token: &str) -> Value {
    let body = json!({
        "name": "Sari Wulandari", "email": "sari@example.id", "phone": "+62 21 555-0199",
        "address": "Jl. Sudirman 1", "city": "Jakarta", "province": "DKI Jakarta", "postal_code": "10210",
        "notes": "Window seat", "loyalty_points": 640, "last_order_date": "2026-11-30T12:00:00Z"
    });
    let reply = app.post("/api/customers/", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json
}

async fn customer_shapes_are_the_seeds(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("Snapshot Bistro", "owner").await;
    let created = customer(&app, &token).await;
    let id = created["id"].as_i64().expect("id");
    assert_json_snapshot!("customer_created", created, {
        ".id" => "[id]", ".tenant" => "[tenant]", ".created_at" => "[time]", ".updated_at" => "[time]"
    });
    let detail = app.get(&format!("/api/customers/{id}/"), &token).await.json;
    assert_json_snapshot!("customer_detail", detail, {
        ".id" => "[id]", ".tenant" => "[tenant]", ".created_at" => "[time]", ".updated_at" => "[time]"
    });
    let list = app.get("/api/customers/?page_size=1&search=sari", &token).await.json;
    assert_json_snapshot!("customer_list", list, {
        ".results[].id" => "[id]", ".results[].tenant" => "[tenant]",
        ".results[].created_at" => "[time]", ".results[].updated_at" => "[time]"
    });
    let stats = app.get("/api/customers/stats/", &token).await.json;
    assert_json_snapshot!("customer_stats", stats);
    let points = app
        .post(&format!("/api/customers/{id}/update_points/"), &token, json!({ "points": 400, "reason": "Birthday" }))
        .await;
    assert_json_snapshot!("points_updated", points.json, {
        ".id" => "[id]", ".tenant" => "[tenant]", ".created_at" => "[time]", ".updated_at" => "[time]"
    });
    let history = app.get(&format!("/api/customers/{id}/points_history/?page_size=1"), &token).await.json;
    assert_json_snapshot!("points_history", history, {
        ".next" => "[link]", ".results[].id" => "[id]", ".results[].created_at" => "[time]", ".results[].user" => "[user]"
    });
    let bulk =
        app.post("/api/customers/bulk_update/", &token, json!({ "customer_ids": [id], "action": "deactivate" })).await;
    assert_json_snapshot!("bulk_updated", bulk.json);
}

async fn error_shapes_are_drfs(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("Snapshot Bistro", "cashier").await;
    let created = customer(&app, &token).await;
    let id = created["id"].as_i64().expect("id");
    let invalid = app.post("/api/customers/", &token, json!({ "email": "not-an-email", "loyalty_points": -1 })).await;
    assert_json_snapshot!("error_fields", (invalid.status.as_u16(), invalid.json));
    let duplicate = app.post("/api/customers/", &token, json!({ "name": "Another", "email": "SARI@example.id" })).await;
    assert_json_snapshot!("error_duplicate_email", (duplicate.status.as_u16(), duplicate.json));
    let points = app.post(&format!("/api/customers/{id}/update_points/"), &token, json!({ "points": 0 })).await;
    assert_json_snapshot!("error_request", (points.status.as_u16(), points.json));
    let malformed =
        app.raw(Method::POST, "/api/customers/", Some(&token), Some("{".into()), "application/json", &[]).await;
    assert_json_snapshot!("error_malformed", (malformed.status.as_u16(), malformed.json));
    let missing = app.get("/api/customers/999999999/", &token).await;
    assert_json_snapshot!("error_not_found", (missing.status.as_u16(), missing.json));
    let page = app.get("/api/customers/?page=99", &token).await;
    assert_json_snapshot!("error_invalid_page", (page.status.as_u16(), page.json));
    let forbidden = app.request(Method::DELETE, &format!("/api/customers/{id}/"), Some(&token), None).await;
    assert_json_snapshot!("error_forbidden", (forbidden.status.as_u16(), forbidden.json));
    let anonymous = app.request(Method::GET, "/api/customers/", None, None).await;
    assert_json_snapshot!("error_not_authenticated", (anonymous.status.as_u16(), anonymous.json));
    let forged = app.get("/api/customers/", "not.a.token").await;
    assert_json_snapshot!("error_invalid_token", (forged.status.as_u16(), forged.json));
    let wrong = app
        .request(
            Method::POST,
            "/api/auth/token/",
            None,
            Some(json!({ "email": "nobody@x.id", "password": "wrong password" })),
        )
        .await;
    assert_json_snapshot!("error_credentials", (wrong.status.as_u16(), wrong.json));
}

async fn account_shapes(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Snapshot Bistro", "owner@snapshot.test", "owner").await;
    let (access, refresh) = app.tokens_for(&email).await;
    let pair = app
        .request(Method::POST, "/api/auth/token/", None, Some(json!({ "email": email, "password": common::PASSWORD })))
        .await;
    assert_json_snapshot!("token_pair", pair.json, { ".access" => "[token]", ".refresh" => "[token]" });
    let refreshed =
        app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": refresh }))).await;
    assert_json_snapshot!("token_refreshed", refreshed.json, { ".access" => "[token]", ".refresh" => "[token]" });
    let added = app
        .post(
            "/api/users/",
            &access,
            json!({ "email": "cashier@snapshot.test", "password": "long enough for a till", "role": "cashier" }),
        )
        .await;
    assert_json_snapshot!("user_created", (added.status.as_u16(), added.json), { "[1].id" => "[id]", "[1].created_at" => "[time]" });
    let users = app.get("/api/users/", &access).await.json;
    assert_json_snapshot!("user_list", users, { "[].id" => "[id]", "[].created_at" => "[time]", "[].last_sign_in_at" => "[time]" });
}

on_both_backends!(customer_shapes_are_the_seeds, error_shapes_are_drfs, account_shapes);
