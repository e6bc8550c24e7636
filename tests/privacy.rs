//! Privacy requests: marketing consents and their history, a customer's whole record, and
//! erasure, through the real router, on both databases.

mod common;

use axum::http::{Method, StatusCode};
use common::{Db, TestApp};
use serde_json::{json, Value};

const TENANT: &str = "Warung Sari";

async fn create(app: &TestApp, token: &str, body: Value) -> i64 {
    let reply = app.post("/api/customers/", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json["id"].as_i64().expect("id")
}

async fn consents_start_off_and_every_change_is_kept_with_its_source_and_actor(db: Db) {
    let app = TestApp::spawn(db).await;
    let manager = app.user(TENANT, "manager@warung.test", "manager").await;
    let (token, _) = app.tokens_for(&manager).await;
    let quiet = create(&app, &token, json!({ "name": "Quiet", "email": "quiet@x.co" })).await;
    let shown = app.get(&format!("/api/customers/{quiet}/"), &token).await.json;
    assert_eq!((shown["marketing_email"].as_bool(), shown["marketing_sms"].as_bool()), (Some(false), Some(false)));
    assert_eq!(app.get(&format!("/api/customers/{quiet}/consents/"), &token).await.json["count"], 0);

    let id = create(&app, &token, json!({ "name": "Sari", "email": "sari@x.co", "marketing_email": true })).await;
    let path = format!("/api/customers/{id}/");
    let reply = app
        .request(Method::PATCH, &path, Some(&token), Some(json!({ "marketing_email": "false", "marketing_sms": true })))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        (reply.json["marketing_email"].as_bool(), reply.json["marketing_sms"].as_bool()),
        (Some(false), Some(true))
    );
    let bad = app.request(Method::PATCH, &path, Some(&token), Some(json!({ "marketing_sms": "maybe" }))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json["marketing_sms"], json!(["Must be a valid boolean."]));

    let history = app.get(&format!("/api/customers/{id}/consents/"), &token).await.json;
    assert_eq!(history["count"], 3);
    let rows: Vec<(String, bool, String, String)> = history["results"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            assert!(r["changed_at"].as_str().is_some_and(|t| t.ends_with('Z')));
            (
                r["channel"].as_str().unwrap_or("").to_owned(),
                r["granted"].as_bool().unwrap_or(false),
                r["source"].as_str().unwrap_or("").to_owned(),
                r["actor"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let row = |channel: &str, granted| (channel.to_owned(), granted, "api".to_owned(), manager.clone());
    assert_eq!(rows, vec![row("sms", true), row("email", false), row("email", true)], "newest first");
    let other = app.token("Other Place", "owner").await;
    assert_eq!(app.get(&format!("/api/customers/{id}/consents/"), &other).await.status, StatusCode::NOT_FOUND);
}

async fn a_data_export_holds_everything_about_the_customer_for_managers_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "manager").await;
    let id = create(
        &app,
        &token,
        json!({ "name": "Sari", "email": "sari@x.co", "marketing_sms": true, "loyalty_points": 40 }),
    )
    .await;
    let order = app
        .post(&format!("/api/customers/{id}/orders/"), &token, json!({ "reference": "R-1", "total": "250000" }))
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.text);
    let points = app
        .post(&format!("/api/customers/{id}/update_points/"), &token, json!({ "points": 5, "reason": "birthday" }))
        .await;
    assert_eq!(points.status, StatusCode::OK, "{}", points.text);

    let export = app.get(&format!("/api/customers/{id}/data_export/"), &token).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text);
    let keys: Vec<&String> = export.json.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["customer", "consents", "orders", "points_history", "tier_history", "activity"]);
    let doc = &export.json;
    assert_eq!(doc["customer"]["email"], "sari@x.co");
    assert_eq!(doc["consents"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["orders"][0]["reference"], "R-1");
    let ledger: i64 =
        doc["points_history"].as_array().expect("ledger").iter().map(|r| r["points"].as_i64().unwrap_or(0)).sum();
    assert_eq!(ledger, doc["customer"]["loyalty_points"].as_i64().expect("points"));
    assert_eq!(doc["points_history"].as_array().map(Vec::len), Some(3), "create, order, manual");
    assert!(!doc["tier_history"].as_array().expect("tiers").is_empty());
    let actions: Vec<&str> =
        doc["activity"].as_array().expect("activity").iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(actions, ["customer.points_changed", "order.recorded", "customer.created"]);

    let cashier = app.token(TENANT, "cashier").await;
    assert_eq!(app.get(&format!("/api/customers/{id}/data_export/"), &cashier).await.status, StatusCode::FORBIDDEN);
    let other = app.token("Other Place", "owner").await;
    assert_eq!(app.get(&format!("/api/customers/{id}/data_export/"), &other).await.status, StatusCode::NOT_FOUND);
}

async fn erasing_a_customer_removes_personal_data_for_good_and_leaves_the_numbers(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token(TENANT, "owner").await;
    let body = json!({ "name": "Sari Wulandari", "email": "sari@x.co", "phone": "+62 812-555-0199", "address": "Jl. Dago 1",
                       "city": "Bandung", "province": "Jawa Barat", "postal_code": "40135", "notes": "allergic to nuts",
                       "marketing_email": true, "loyalty_points": 700 });
    let id = create(&app, &owner, body).await;
    let kept = create(&app, &owner, json!({ "name": "Budi", "email": "budi@x.co" })).await;
    let path = format!("/api/customers/{id}/");
    let edit = app.request(Method::PATCH, &path, Some(&owner), Some(json!({ "phone": "+62 813-555-0188" }))).await;
    assert_eq!(edit.status, StatusCode::OK);
    let order = app
        .post(&format!("/api/customers/{id}/orders/"), &owner, json!({ "reference": "R-1", "total": "120000" }))
        .await;
    assert_eq!(order.status, StatusCode::CREATED);
    let before = app.get("/api/customers/stats/", &owner).await.json;

    let manager = app.token(TENANT, "manager").await;
    assert_eq!(
        app.post(&format!("/api/customers/{id}/erase/"), &manager, json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let other = app.token("Other Place", "owner").await;
    assert_eq!(app.post(&format!("/api/customers/{id}/erase/"), &other, json!({})).await.status, StatusCode::NOT_FOUND);

    let erased = app.post(&format!("/api/customers/{id}/erase/"), &owner, json!({})).await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text);
    let c = &erased.json;
    assert_eq!(c["name"], "Erased customer");
    assert_eq!(c["email"], format!("erased-{id}@invalid.example"));
    for field in ["phone", "address", "city", "province", "postal_code", "notes"] {
        assert_eq!(c[field], "", "{field}");
    }
    assert_eq!((c["is_active"].as_bool(), c["marketing_email"].as_bool()), (Some(false), Some(false)));
    assert_eq!((c["loyalty_points"].as_i64(), c["total_orders"].as_i64()), (Some(712), Some(1)));

    let after = app.get("/api/customers/stats/", &owner).await.json;
    assert_eq!(after["total_customers"], before["total_customers"]);
    assert_eq!(after["total_loyalty_points"], before["total_loyalty_points"]);
    assert_eq!(after["customers_by_tier"], before["customers_by_tier"]);
    assert_eq!(after["active_customers"].as_i64(), before["active_customers"].as_i64().map(|n| n - 1));
    let log = app.get(&format!("/api/activity/?target_type=customer&target_id={id}&page_size=100"), &owner).await;
    // Whole phone numbers: a bare "0812" can occur in a timestamp's fraction of a second.
    for personal in ["Sari", "sari@x.co", "+62 812-555-0199", "+62 813-555-0188", "Dago", "nuts"] {
        assert!(!log.text.contains(personal), "{personal} is still in the log: {}", log.text);
    }
    assert_eq!(log.json["results"][0]["action"], "customer.erased");
    assert!(app.get("/api/customers/?search=sari", &owner).await.json["count"] == 0);
    let budi = app.get(&format!("/api/customers/{kept}/"), &owner).await.json;
    assert_eq!(budi["name"], "Budi", "only that customer is erased");
    let consents = app.get(&format!("/api/customers/{id}/consents/"), &owner).await.json;
    assert_eq!(consents["results"][0]["granted"], false);
}

on_both_backends!(
    consents_start_off_and_every_change_is_kept_with_its_source_and_actor,
    a_data_export_holds_everything_about_the_customer_for_managers_only,
    erasing_a_customer_removes_personal_data_for_good_and_leaves_the_numbers,
);
