//! Orders, refunds, the loyalty program, expiry and tier history, through the real router, on
//! both databases.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::{Db, TestApp};
use serde_json::{json, Value};
use std::sync::Arc;

const TENANT: &str = "Warung Sari";

async fn customer(app: &TestApp, token: &str, email: &str, points: i64) -> i64 {
    let body = json!({ "name": email, "email": email, "loyalty_points": points });
    let reply = app.post("/api/customers/", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json["id"].as_i64().expect("id")
}

async fn order(app: &TestApp, token: &str, id: i64, reference: &str, total: &str) -> Value {
    let reply = app
        .post(&format!("/api/customers/{id}/orders/"), token, json!({ "reference": reference, "total": total }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json
}

async fn show(app: &TestApp, token: &str, id: i64) -> Value {
    let reply = app.get(&format!("/api/customers/{id}/"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json
}

async fn rows(app: &TestApp, token: &str, path: String) -> Vec<Value> {
    let reply = app.get(&format!("{path}?page_size=100"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["results"].as_array().cloned().unwrap_or_default()
}

async fn put_program(app: &TestApp, token: &str, body: Value) -> axum::http::Response<()> {
    let reply = app.request(Method::PUT, "/api/loyalty/program/", Some(token), Some(body)).await;
    let mut response = axum::http::Response::new(());
    *response.status_mut() = reply.status;
    assert!(reply.status == StatusCode::OK || reply.status.is_client_error(), "{}", reply.text);
    response
}

fn program(silver: i64, gold: i64, platinum: i64, expire: Option<i64>) -> Value {
    json!({ "spend_per_point": "10000.00", "points_expire_after_days": expire,
            "tiers": { "silver": silver, "gold": gold, "platinum": platinum } })
}

fn cents(text: &Value) -> i64 {
    let text = text.as_str().expect("a decimal string");
    let (whole, fraction) = text.split_once('.').expect("two places");
    whole.parse::<i64>().expect("whole") * 100 + fraction.parse::<i64>().expect("fraction")
}

/// Σ ledger deltas = balance, for one customer.
async fn ledger_matches_balance(app: &TestApp, token: &str, id: i64) {
    let history = rows(app, token, format!("/api/customers/{id}/points_history/")).await;
    let sum: i64 = history.iter().filter_map(|r| r["points"].as_i64()).sum();
    assert_eq!(sum, show(app, token, id).await["loyalty_points"].as_i64().expect("points"), "customer {id}");
}

async fn the_default_program_is_the_seeds_and_only_owners_change_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let cashier = app.token(TENANT, "cashier").await;
    let manager = app.token(TENANT, "manager").await;
    let owner = app.token(TENANT, "owner").await;
    let reply = app.get("/api/loyalty/program/", &cashier).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json,
        json!({"spend_per_point": "10000.00", "points_expire_after_days": null,
               "tiers": {"silver": 100, "gold": 500, "platinum": 1000}})
    );
    assert_eq!(put_program(&app, &manager, program(50, 200, 900, None)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(put_program(&app, &cashier, program(50, 200, 900, None)).await.status(), StatusCode::FORBIDDEN);
    let body = json!({ "spend_per_point": 2500.5, "points_expire_after_days": 365,
                       "tiers": { "silver": "50", "gold": 200, "platinum": 900 } });
    let reply = app.request(Method::PUT, "/api/loyalty/program/", Some(&owner), Some(body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json,
        json!({"spend_per_point": "2500.50", "points_expire_after_days": 365,
               "tiers": {"silver": 50, "gold": 200, "platinum": 900}})
    );
    assert_eq!(app.get("/api/loyalty/program/", &manager).await.json, reply.json);
}

async fn a_bad_program_is_refused_per_field_and_nothing_changes(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token(TENANT, "owner").await;
    let body = json!({ "spend_per_point": "0.001", "points_expire_after_days": 0,
                       "tiers": { "silver": 500, "gold": 100, "platinum": "x" } });
    let reply = app.request(Method::PUT, "/api/loyalty/program/", Some(&owner), Some(body)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.json["spend_per_point"], json!(["Ensure that there are no more than 2 decimal places."]));
    assert_eq!(reply.json["points_expire_after_days"], json!(["Ensure this value is greater than or equal to 1."]));
    assert_eq!(reply.json["tiers"]["platinum"], json!(["A valid integer is required."]));
    let reply = app
        .request(Method::PUT, "/api/loyalty/program/", Some(&owner), Some(program(500, 100, 2_000_000_000, None)))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.json["tiers"]["gold"][0].as_str().is_some_and(|m| m.contains("above Silver")), "{}", reply.text);
    assert!(reply.json["tiers"]["platinum"].is_array(), "{}", reply.text);
    let reply = app.request(Method::PUT, "/api/loyalty/program/", Some(&owner), Some(json!({}))).await;
    assert_eq!(
        reply.json,
        json!({"spend_per_point": ["This field is required."], "tiers": ["This field is required."]})
    );
    assert_eq!(app.get("/api/loyalty/program/", &owner).await.json["tiers"]["silver"], 100);
}

async fn an_order_moves_totals_points_ledger_and_tier(db: Db) {
    let app = TestApp::spawn(db).await;
    let cashier = app.token(TENANT, "cashier").await;
    let id = customer(&app, &cashier, "budi@x.id", 95).await;
    let reply = app
        .post(
            &format!("/api/customers/{id}/orders/"),
            &cashier,
            json!({ "reference": "POS-1042", "total": "125000.00", "ordered_at": "2026-11-30T10:00:00Z" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let created = reply.json;
    let keys: Vec<&str> = created.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "customer", "reference", "total", "refunded", "points_earned", "ordered_at", "created_at"]);
    assert_eq!(created["customer"], id);
    assert_eq!(created["total"], "125000.00");
    assert_eq!(created["refunded"], "0.00");
    assert_eq!(created["points_earned"], 12);
    assert_eq!(created["ordered_at"], "2026-11-30T10:00:00Z");
    let after = show(&app, &cashier, id).await;
    assert_eq!(after["total_orders"], 1);
    assert_eq!(after["total_spent"], "125000.00");
    assert_eq!(after["loyalty_points"], 107);
    assert_eq!(after["loyalty_tier"], "Silver");
    assert_eq!(after["last_order_date"], "2026-11-30T10:00:00Z");
    // An older order does not move the last order date back.
    let reply = app
        .post(
            &format!("/api/customers/{id}/orders/"),
            &cashier,
            json!({ "reference": "POS-0001", "total": 5000, "ordered_at": "2026-01-01T08:00:00Z" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.json["points_earned"], 0);
    let after = show(&app, &cashier, id).await;
    assert_eq!(after["last_order_date"], "2026-11-30T10:00:00Z");
    assert_eq!(after["total_spent"], "130000.00");
    let ledger = rows(&app, &cashier, format!("/api/customers/{id}/points_history/")).await;
    assert_eq!(
        (ledger[0]["source"].as_str(), ledger[0]["reason"].as_str(), ledger[0]["points"].as_i64()),
        (Some("order"), Some("POS-1042"), Some(12))
    );
    let tiers = rows(&app, &cashier, format!("/api/customers/{id}/tier_history/")).await;
    assert_eq!(tiers.len(), 2);
    assert_eq!(tiers[0]["tier"], "Silver");
    assert_eq!(tiers[0]["previous_tier"], "Bronze");
    assert_eq!(tiers[0]["cause"], "order");
    assert_eq!(
        tiers[1],
        json!({"tier": "Bronze", "previous_tier": null, "changed_at": tiers[1]["changed_at"], "cause": "create"})
    );
    let orders = rows(&app, &cashier, format!("/api/customers/{id}/orders/")).await;
    let references: Vec<&str> = orders.iter().filter_map(|o| o["reference"].as_str()).collect();
    assert_eq!(references, ["POS-1042", "POS-0001"], "newest first by ordered_at");
}

async fn a_tills_retry_returns_the_first_order_and_another_use_of_the_reference_conflicts(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "cashier").await;
    let a = customer(&app, &token, "a@x.id", 0).await;
    let b = customer(&app, &token, "b@x.id", 0).await;
    let first = order(&app, &token, a, "POS-7", "20000.00").await;
    let retry = app
        .post(&format!("/api/customers/{a}/orders/"), &token, json!({ "reference": "POS-7", "total": "20000" }))
        .await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.text);
    assert_eq!(retry.json, first);
    let conflict = json!({"reference": ["An order with this reference already exists."]});
    let other_total = app
        .post(&format!("/api/customers/{a}/orders/"), &token, json!({ "reference": "POS-7", "total": "1.00" }))
        .await;
    assert_eq!((other_total.status, other_total.json), (StatusCode::CONFLICT, conflict.clone()));
    let other_customer = app
        .post(&format!("/api/customers/{b}/orders/"), &token, json!({ "reference": "POS-7", "total": "20000.00" }))
        .await;
    assert_eq!((other_customer.status, other_customer.json), (StatusCode::CONFLICT, conflict));
    let after = show(&app, &token, a).await;
    assert_eq!((after["total_orders"].as_i64(), after["loyalty_points"].as_i64()), (Some(1), Some(2)));
    // References are per tenant.
    let elsewhere = app.token("Other Place", "cashier").await;
    let c = customer(&app, &elsewhere, "c@x.id", 0).await;
    order(&app, &elsewhere, c, "POS-7", "20000.00").await;
}

async fn an_inactive_customers_order_counts_but_earns_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "manager").await;
    let id = customer(&app, &token, "sleepy@x.id", 10).await;
    let reply = app
        .request(Method::PATCH, &format!("/api/customers/{id}/"), Some(&token), Some(json!({"is_active": false})))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let created = order(&app, &token, id, "POS-9", "990000.00").await;
    assert_eq!(created["points_earned"], 0);
    let after = show(&app, &token, id).await;
    assert_eq!(
        (after["total_orders"].as_i64(), after["total_spent"].as_str(), after["loyalty_points"].as_i64()),
        (Some(1), Some("990000.00"), Some(10))
    );
}

async fn bad_orders_are_refused_per_field_and_write_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "cashier").await;
    let id = customer(&app, &token, "x@x.id", 0).await;
    let path = format!("/api/customers/{id}/orders/");
    let future = (Utc::now() + Duration::minutes(10)).to_rfc3339();
    let cases = [
        (json!({ "total": "10.00" }), "reference", "This field is required."),
        (json!({ "reference": "  ", "total": "10.00" }), "reference", "This field may not be blank."),
        (
            json!({ "reference": "x".repeat(65), "total": "10.00" }),
            "reference",
            "Ensure this field has no more than 64 characters.",
        ),
        (json!({ "reference": "A\u{1}", "total": "10.00" }), "reference", "Use printable characters only."),
        (json!({ "reference": "R" }), "total", "This field is required."),
        (json!({ "reference": "R", "total": "0" }), "total", "Ensure this value is greater than or equal to 0.01."),
        (json!({ "reference": "R", "total": "-5" }), "total", "Ensure this value is greater than or equal to 0.01."),
        (
            json!({ "reference": "R", "total": "1.001" }),
            "total",
            "Ensure that there are no more than 2 decimal places.",
        ),
        (
            json!({ "reference": "R", "total": "10000000000.00" }),
            "total",
            "Ensure this value is less than or equal to 9999999999.99.",
        ),
        (json!({ "reference": "R", "total": "ten" }), "total", "A valid number is required."),
        (json!({ "reference": "R", "total": [] }), "total", "A valid number is required."),
        (
            json!({ "reference": "R", "total": "10", "ordered_at": future }),
            "ordered_at",
            "Ensure this value is not more than 5 minutes in the future.",
        ),
        (
            json!({ "reference": "R", "total": "10", "ordered_at": "yesterday" }),
            "ordered_at",
            "Datetime has wrong format.",
        ),
    ];
    for (body, field, message) in cases {
        let reply = app.post(&path, &token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.text);
        assert!(reply.json[field][0].as_str().is_some_and(|m| m.starts_with(message)), "{body}: {}", reply.text);
    }
    let malformed = app.raw(Method::POST, &path, Some(&token), Some("{".into()), "application/json", &[]).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let after = show(&app, &token, id).await;
    assert_eq!((after["total_orders"].as_i64(), after["total_spent"].as_str()), (Some(0), Some("0.00")));
    assert!(rows(&app, &token, path).await.is_empty());
}

async fn refunds_take_back_points_in_proportion_and_the_last_takes_the_rest(db: Db) {
    let app = TestApp::spawn(db).await;
    let manager = app.token(TENANT, "manager").await;
    let cashier = app.token(TENANT, "cashier").await;
    let id = customer(&app, &manager, "r@x.id", 0).await;
    let created = order(&app, &cashier, id, "POS-1", "125000.00").await;
    let refund = format!("/api/orders/{}/refund/", created["id"]);
    let reply = app.post(&refund, &cashier, json!({ "amount": "1.00" })).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app.post(&refund, &manager, json!({ "amount": "25000.00", "reason": "Cold soup" })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["refunded"], "25000.00");
    let after = show(&app, &manager, id).await;
    assert_eq!(
        (after["loyalty_points"].as_i64(), after["total_spent"].as_str(), after["total_orders"].as_i64()),
        (Some(10), Some("100000.00"), Some(1))
    );
    let reply = app.post(&refund, &manager, json!({ "amount": "100000.01" })).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json["amount"], json!(["Ensure this value is less than or equal to 100000.00."]));
    let reply = app.post(&refund, &manager, json!({ "amount": "33333.33" })).await;
    assert_eq!(reply.status, StatusCode::OK);
    // 58333.33 of 125000.00 refunded: floor(12 × 58333.33 / 125000) = 5 taken in all.
    assert_eq!(show(&app, &manager, id).await["loyalty_points"], 7);
    let reply = app.post(&refund, &manager, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["refunded"], "125000.00");
    let after = show(&app, &manager, id).await;
    assert_eq!(
        (after["loyalty_points"].as_i64(), after["total_spent"].as_str(), after["total_orders"].as_i64()),
        (Some(0), Some("0.00"), Some(0))
    );
    let reply = app.post(&refund, &manager, json!({})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json["amount"], json!(["This order has already been fully refunded."]));
    let ledger = rows(&app, &manager, format!("/api/customers/{id}/points_history/")).await;
    let refunds: Vec<(i64, &str)> = ledger
        .iter()
        .filter(|r| r["source"] == "refund")
        .map(|r| (r["points"].as_i64().unwrap_or(0), r["reason"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(refunds, [(-7, "Refund of POS-1"), (-3, "Refund of POS-1"), (-2, "Cold soup")]);
    ledger_matches_balance(&app, &manager, id).await;
}

async fn a_refund_meeting_a_spent_balance_takes_only_what_is_left(db: Db) {
    let app = TestApp::spawn(db).await;
    let manager = app.token(TENANT, "manager").await;
    let id = customer(&app, &manager, "spent@x.id", 0).await;
    let created = order(&app, &manager, id, "POS-2", "125000.00").await;
    let reply = app
        .post(&format!("/api/customers/{id}/update_points/"), &manager, json!({ "points": -10, "reason": "Redeemed" }))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = app.post(&format!("/api/orders/{}/refund/", created["id"]), &manager, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let ledger = rows(&app, &manager, format!("/api/customers/{id}/points_history/")).await;
    assert_eq!(
        (ledger[0]["source"].as_str(), ledger[0]["points"].as_i64(), ledger[0]["balance_after"].as_i64()),
        (Some("refund"), Some(-2), Some(0))
    );
    ledger_matches_balance(&app, &manager, id).await;
}

async fn a_hundred_concurrent_orders_leave_every_invariant_exact(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "cashier").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(customer(&app, &token, &format!("c{i}@x.id"), 0).await);
    }
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..100_i64)
        .map(|n| {
            let (app, token, id) = (app.clone(), token.clone(), ids[(n % 5) as usize]);
            tokio::spawn(async move {
                let body =
                    json!({ "reference": format!("POS-{n}"), "total": format!("{}.{:02}", 10_000 + n * 137, n) });
                let reply = app.post(&format!("/api/customers/{id}/orders/"), &token, body).await;
                (reply.status, reply.text)
            })
        })
        .collect();
    for task in tasks {
        let (status, text) = task.await.expect("task");
        assert_eq!(status, StatusCode::CREATED, "{text}");
    }
    let mut all_earned = 0;
    for id in ids {
        let orders = rows(&app, &token, format!("/api/customers/{id}/orders/")).await;
        assert_eq!(orders.len(), 20);
        let spent: i64 = orders.iter().map(|o| cents(&o["total"])).sum();
        let earned: i64 = orders.iter().filter_map(|o| o["points_earned"].as_i64()).sum();
        let after = show(&app, &token, id).await;
        assert_eq!(cents(&after["total_spent"]), spent);
        assert_eq!(after["total_orders"], 20);
        assert_eq!(after["loyalty_points"], earned);
        ledger_matches_balance(&app, &token, id).await;
        all_earned += earned;
    }
    let stats = app.get("/api/customers/stats/", &token).await.json;
    assert_eq!(stats["total_loyalty_points"], all_earned);
}

async fn fifty_concurrent_refunds_of_one_order_succeed_only_while_they_fit(db: Db) {
    let app = TestApp::spawn(db).await;
    let manager = app.token(TENANT, "manager").await;
    let id = customer(&app, &manager, "many@x.id", 0).await;
    let created = order(&app, &manager, id, "POS-50", "50000.00").await;
    let path = format!("/api/orders/{}/refund/", created["id"]);
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, path, token) = (app.clone(), path.clone(), manager.clone());
            tokio::spawn(async move { app.post(&path, &token, json!({ "amount": "2000.00" })).await.status })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("task") {
            StatusCode::OK => ok += 1,
            StatusCode::BAD_REQUEST => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 25);
    let after = show(&app, &manager, id).await;
    assert_eq!(
        (after["total_spent"].as_str(), after["total_orders"].as_i64(), after["loyalty_points"].as_i64()),
        (Some("0.00"), Some(0), Some(0))
    );
    let orders = rows(&app, &manager, format!("/api/customers/{id}/orders/")).await;
    assert_eq!(orders[0]["refunded"], "50000.00");
    ledger_matches_balance(&app, &manager, id).await;
}

async fn changing_thresholds_re_tiers_customers_and_keeps_stats_exact(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token(TENANT, "owner").await;
    let low = customer(&app, &owner, "low@x.id", 50).await;
    let mid = customer(&app, &owner, "mid@x.id", 150).await;
    let high = customer(&app, &owner, "high@x.id", 600).await;
    let elsewhere = app.token("Other Place", "owner").await;
    let other = customer(&app, &elsewhere, "other@x.id", 150).await;
    assert_eq!(put_program(&app, &owner, program(50, 100, 500, None)).await.status(), StatusCode::OK);
    let tiers = |c: &Value| c["loyalty_tier"].as_str().map(str::to_owned);
    assert_eq!(tiers(&show(&app, &owner, low).await).as_deref(), Some("Silver"));
    assert_eq!(tiers(&show(&app, &owner, mid).await).as_deref(), Some("Gold"));
    assert_eq!(tiers(&show(&app, &owner, high).await).as_deref(), Some("Platinum"));
    assert_eq!(
        tiers(&show(&app, &elsewhere, other).await).as_deref(),
        Some("Silver"),
        "another tenant keeps its tiers"
    );
    let stats = app.get("/api/customers/stats/", &owner).await.json;
    assert_eq!(stats["customers_by_tier"], json!({"platinum": 1, "gold": 1, "silver": 1, "bronze": 0}));
    // What the settings page previews for other thresholds, before saving them.
    let ctx = patron::services::accounts::authenticate_token(&app.state.core, &owner, None).await.expect("owner");
    let thresholds = patron::domain::TierThresholds::new(200, 550, 700).expect("rising");
    let preview = patron::services::loyalty::preview_tiers(&app.state.core, &ctx, thresholds).await.expect("preview");
    assert_eq!(preview, [2, 0, 1, 0], "50 and 150 in Bronze, 600 in Gold");
    let gold = app.get("/api/customers/?loyalty_level=gold", &owner).await.json;
    assert_eq!((gold["count"].as_i64(), gold["results"][0]["id"].as_i64()), (Some(1), Some(mid)));
    let gold_by_points = app.get("/api/customers/?loyalty_level=gold&ordering=-loyalty_points", &owner).await.json;
    assert_eq!(gold_by_points["results"][0]["id"], mid);
    let history = rows(&app, &owner, format!("/api/customers/{mid}/tier_history/")).await;
    assert_eq!(
        (history[0]["tier"].as_str(), history[0]["previous_tier"].as_str(), history[0]["cause"].as_str()),
        (Some("Gold"), Some("Silver"), Some("program"))
    );
    // An order now tiers with the new thresholds.
    let fresh = customer(&app, &owner, "fresh@x.id", 0).await;
    order(&app, &owner, fresh, "POS-T", "500000.00").await;
    assert_eq!(tiers(&show(&app, &owner, fresh).await).as_deref(), Some("Silver"));
}

async fn thresholds_changed_under_load_leave_stats_exact(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token(TENANT, "owner").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(customer(&app, &owner, &format!("l{i}@x.id"), i * 40).await);
    }
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for n in 0..60_i64 {
        let (app, token, id) = (app.clone(), owner.clone(), ids[(n % 8) as usize]);
        tasks.push(tokio::spawn(async move {
            let body = json!({ "reference": format!("L-{n}"), "total": "150000.00" });
            app.post(&format!("/api/customers/{id}/orders/"), &token, body).await.status
        }));
    }
    for (silver, gold, platinum) in [(20, 90, 200), (120, 130, 140), (60, 100, 300)] {
        let (app, token) = (app.clone(), owner.clone());
        tasks.push(tokio::spawn(async move {
            let body = program(silver, gold, platinum, None);
            app.request(Method::PUT, "/api/loyalty/program/", Some(&token), Some(body)).await.status
        }));
    }
    for task in tasks {
        let status = task.await.expect("task");
        assert!(status == StatusCode::CREATED || status == StatusCode::OK, "{status}");
    }
    let program_now = app.get("/api/loyalty/program/", &owner).await.json;
    let thresholds =
        [&program_now["tiers"]["silver"], &program_now["tiers"]["gold"], &program_now["tiers"]["platinum"]]
            .map(|v| v.as_i64().expect("threshold"));
    let mut expected = [0_i64; 4];
    for id in &ids {
        let c = show(&app, &owner, *id).await;
        let points = c["loyalty_points"].as_i64().expect("points");
        let rank = thresholds.iter().filter(|t| points >= **t).count();
        assert_eq!(c["loyalty_tier"], ["Bronze", "Silver", "Gold", "Platinum"][rank], "{c}");
        expected[rank] += 1;
    }
    let stats = app.get("/api/customers/stats/", &owner).await.json;
    let by_tier = &stats["customers_by_tier"];
    assert_eq!(
        [&by_tier["bronze"], &by_tier["silver"], &by_tier["gold"], &by_tier["platinum"]]
            .map(|v| v.as_i64().unwrap_or(-1)),
        expected
    );
}

async fn points_expire_oldest_first_and_never_twice(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token(TENANT, "owner").await;
    let id = customer(&app, &owner, "lots@x.id", 100).await;
    assert_eq!(show(&app, &owner, id).await["points_expiring"], Value::Null);
    put_program(&app, &owner, program(100, 500, 1000, Some(30))).await;
    let add = |points: i64| {
        let app = &app;
        let owner = &owner;
        async move {
            let reply = app
                .post(&format!("/api/customers/{id}/update_points/"), owner, json!({ "points": points, "reason": "t" }))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        }
    };
    add(50).await; // a lot expiring in 30 days
    put_program(&app, &owner, program(100, 500, 1000, Some(60))).await;
    add(20).await; // a lot expiring in 60 days
    add(-120).await; // 100 points that never expire go first, then 20 of the oldest lot
    let now = Utc::now();
    let expiring = show(&app, &owner, id).await["points_expiring"].clone();
    assert_eq!(expiring, json!({ "points": 30, "on": (now + Duration::days(30)).format("%Y-%m-%d").to_string() }));
    let core = &app.state.core;
    let first = patron::services::loyalty::expire_points(core, now + Duration::days(31)).await.expect("expire");
    assert_eq!((first.points, first.customers), (30, 1));
    let again = patron::services::loyalty::expire_points(core, now + Duration::days(31)).await.expect("expire");
    assert_eq!((again.points, again.customers), (0, 0));
    let after = show(&app, &owner, id).await;
    assert_eq!(after["loyalty_points"], 20);
    assert_eq!(after["points_expiring"]["points"], 20);
    let last = patron::services::loyalty::expire_points(core, now + Duration::days(61)).await.expect("expire");
    assert_eq!(last.points, 20);
    let after = show(&app, &owner, id).await;
    assert_eq!((after["loyalty_points"].as_i64(), &after["points_expiring"]), (Some(0), &Value::Null));
    let ledger = rows(&app, &owner, format!("/api/customers/{id}/points_history/")).await;
    let expired: Vec<i64> =
        ledger.iter().filter(|r| r["source"] == "expiry").filter_map(|r| r["points"].as_i64()).collect();
    assert_eq!(expired, [-20, -30]);
    ledger_matches_balance(&app, &owner, id).await;
    let tiers = rows(&app, &owner, format!("/api/customers/{id}/tier_history/")).await;
    assert_eq!((tiers[0]["tier"].as_str(), tiers[0]["cause"].as_str()), (Some("Bronze"), Some("manual")));
}

async fn other_tenants_orders_and_customers_are_not_found_on_every_route(db: Db) {
    let app = TestApp::spawn(db).await;
    let mine = app.token(TENANT, "owner").await;
    let theirs = app.token("Other Place", "manager").await;
    let their_cashier = app.token("Other Place", "cashier").await;
    let id = customer(&app, &mine, "mine@x.id", 0).await;
    let created = order(&app, &mine, id, "POS-M", "10000.00").await;
    for token in [&theirs, &their_cashier] {
        let refund = app.post(&format!("/api/orders/{}/refund/", created["id"]), token, json!({})).await;
        assert_eq!(refund.status, StatusCode::NOT_FOUND, "refund");
        let bad_refund =
            app.post(&format!("/api/orders/{}/refund/", created["id"]), token, json!({ "amount": "x" })).await;
        assert_eq!(bad_refund.status, StatusCode::NOT_FOUND, "refund with bad input");
        for path in [format!("/api/customers/{id}/orders/"), format!("/api/customers/{id}/tier_history/")] {
            assert_eq!(app.get(&path, token).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        let post =
            app.post(&format!("/api/customers/{id}/orders/"), token, json!({ "reference": "X", "total": "1" })).await;
        assert_eq!(post.status, StatusCode::NOT_FOUND);
        let bad = app.post(&format!("/api/customers/{id}/orders/"), token, json!({ "total": "-1" })).await;
        assert_eq!(bad.status, StatusCode::NOT_FOUND, "not found before invalid input");
    }
    assert_eq!(app.get("/api/customers/abc/orders/", &mine).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post("/api/orders/abc/refund/", &mine, json!({})).await.status, StatusCode::NOT_FOUND);
    let after = show(&app, &mine, id).await;
    assert_eq!((after["total_orders"].as_i64(), after["total_spent"].as_str()), (Some(1), Some("10000.00")));
}

async fn demo_customers_loaded_while_points_expire_hold_expiring_lots(db: Db) {
    let app = TestApp::spawn(db).await;
    let core = &app.state.core;
    let (tenant, written) =
        patron::services::demo::add_demo_customers(core, "Expiring Demo", 2500, Some(7), |_| ()).await.expect("demo");
    assert_eq!(written, 2500, "more lots than one expiry batch");
    let owner = app.token("Expiring Demo", "owner").await;
    assert_eq!(app.get("/api/loyalty/program/", &owner).await.json["points_expire_after_days"], 7);
    let before = app.get("/api/customers/stats/", &owner).await.json["total_loyalty_points"].as_i64().expect("points");
    assert!(before > 0);
    let expired = patron::services::loyalty::expire_points(core, Utc::now() + Duration::days(8)).await.expect("expire");
    assert_eq!(expired.points, before, "tenant {}", tenant.id);
    assert_eq!(app.get("/api/customers/stats/", &owner).await.json["total_loyalty_points"], 0);
    let bad = patron::services::demo::add_demo_customers(core, "Expiring Demo", 1, Some(0), |_| ()).await;
    assert!(bad.is_err(), "0 days is refused");
}

async fn customers_crossing_a_tier_both_ways_at_once_all_succeed(db: Db) {
    let app = TestApp::spawn(db).await;
    let manager = app.token(TENANT, "manager").await;
    let mut rising = Vec::new();
    let mut falling = Vec::new();
    for i in 0..15 {
        rising.push(customer(&app, &manager, &format!("up{i}@x.id"), 95).await);
        falling.push(customer(&app, &manager, &format!("down{i}@x.id"), 105).await);
    }
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for (i, (up, down)) in rising.iter().zip(&falling).enumerate() {
        let (a, t, up) = (app.clone(), manager.clone(), *up);
        tasks.push(tokio::spawn(async move {
            let body = json!({ "reference": format!("UP-{i}"), "total": "100000.00" });
            a.post(&format!("/api/customers/{up}/orders/"), &t, body).await.status
        }));
        let (a, t, down) = (app.clone(), manager.clone(), *down);
        tasks.push(tokio::spawn(async move {
            a.post(&format!("/api/customers/{down}/update_points/"), &t, json!({ "points": -10 })).await.status
        }));
    }
    for task in tasks {
        let status = task.await.expect("task");
        assert!(status == StatusCode::CREATED || status == StatusCode::OK, "{status}");
    }
    let stats = app.get("/api/customers/stats/", &manager).await.json;
    assert_eq!(stats["customers_by_tier"], json!({"platinum": 0, "gold": 0, "silver": 15, "bronze": 15}));
    assert_eq!(stats["total_loyalty_points"], 15 * 105 + 15 * 95);
}

async fn orders_add_to_the_opening_totals_of_loaded_customers(db: Db) {
    let app = TestApp::spawn(db).await;
    let core = &app.state.core;
    patron::services::demo::add_demo_customers(core, TENANT, 20, None, |_| ()).await.expect("demo");
    let manager = app.token(TENANT, "manager").await;
    let list = app.get("/api/customers/?ordering=-total_orders&page_size=3", &manager).await.json;
    for (n, opening) in list["results"].as_array().expect("results").iter().enumerate() {
        let id = opening["id"].as_i64().expect("id");
        assert!(opening["total_orders"].as_i64() > Some(0), "demo customers come with orders: {opening}");
        let first = order(&app, &manager, id, &format!("OPEN-{n}-A"), "1000.25").await;
        order(&app, &manager, id, &format!("OPEN-{n}-B"), "500.00").await;
        let refund = app.post(&format!("/api/orders/{}/refund/", first["id"]), &manager, json!({})).await;
        assert_eq!(refund.status, StatusCode::OK);
        let after = show(&app, &manager, id).await;
        // Opening totals plus the orders not fully refunded, and their net total.
        assert_eq!(after["total_orders"].as_i64(), opening["total_orders"].as_i64().map(|o| o + 1));
        assert_eq!(cents(&after["total_spent"]), cents(&opening["total_spent"]) + 50_000);
        assert_eq!(after["last_order_date"].as_str().map(|d| d >= "2026"), Some(true));
        ledger_matches_balance(&app, &manager, id).await;
    }
}

/// Gives a customer `count` open lots of one point each, straight into the database.
async fn add_lots(app: &TestApp, db: Db, customer_id: i64, count: i32) {
    use sqlx::Connection;
    let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3) \
               INSERT INTO points_lots (tenant_id, customer_id, remaining, expires_at, created_at) \
               SELECT c.tenant_id, c.id, 1, $2, $2 FROM customers c, n WHERE c.id = $1";
    let expires = Utc::now() + Duration::days(30);
    // The same statement through either database's own connection type.
    macro_rules! add_with {
        ($connection:ty) => {{
            let mut conn = <$connection>::connect(&app.db.url).await.expect("connect");
            sqlx::query(sql).bind(customer_id).bind(expires).bind(count).execute(&mut conn).await.expect("lots")
        }};
    }
    let added = match db {
        Db::Sqlite => add_with!(sqlx::SqliteConnection).rows_affected(),
        Db::Postgres => add_with!(sqlx::PgConnection).rows_affected(),
    };
    assert_eq!(added, u64::try_from(count).expect("count"));
}

async fn taking_points_from_forty_thousand_lots_at_once_is_written_whole(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "owner").await;
    let id = customer(&app, &token, "many.lots@x.co", 40_000).await;
    // Each lot taken is a statement with two values: more than one request to PostgreSQL takes.
    add_lots(&app, db, id, 40_000).await;
    assert!(show(&app, &token, id).await["points_expiring"].is_object(), "the lots are open");
    let body = json!({ "points": -40_000, "reason": "all of them" });
    let reply = app.post(&format!("/api/customers/{id}/update_points/"), &token, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["loyalty_points"], 0);
    assert_eq!(show(&app, &token, id).await["points_expiring"], Value::Null, "no lot is left open");
    ledger_matches_balance(&app, &token, id).await;
}

on_both_backends!(
    taking_points_from_forty_thousand_lots_at_once_is_written_whole,
    orders_add_to_the_opening_totals_of_loaded_customers,
    customers_crossing_a_tier_both_ways_at_once_all_succeed,
    demo_customers_loaded_while_points_expire_hold_expiring_lots,
    the_default_program_is_the_seeds_and_only_owners_change_it,
    a_bad_program_is_refused_per_field_and_nothing_changes,
    an_order_moves_totals_points_ledger_and_tier,
    a_tills_retry_returns_the_first_order_and_another_use_of_the_reference_conflicts,
    an_inactive_customers_order_counts_but_earns_nothing,
    bad_orders_are_refused_per_field_and_write_nothing,
    refunds_take_back_points_in_proportion_and_the_last_takes_the_rest,
    a_refund_meeting_a_spent_balance_takes_only_what_is_left,
    a_hundred_concurrent_orders_leave_every_invariant_exact,
    fifty_concurrent_refunds_of_one_order_succeed_only_while_they_fit,
    changing_thresholds_re_tiers_customers_and_keeps_stats_exact,
    thresholds_changed_under_load_leave_stats_exact,
    points_expire_oldest_first_and_never_twice,
    other_tenants_orders_and_customers_are_not_found_on_every_route,
);

/// On PostgreSQL a statement that moves many customers between tiers moves each counter bucket
/// once: a trigger per customer updated the same few rows once or twice per customer in one
/// transaction, leaving dead versions that only VACUUM takes away (issue #12, part nineteen).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_statement_moving_many_customers_updates_each_counter_bucket_once() {
    use sqlx::Connection;
    common::within_limit("a_statement_moving_many_customers_updates_each_counter_bucket_once", async {
        let app = TestApp::spawn(Db::Postgres).await;
        let owner = app.token(TENANT, "owner").await;
        for n in 0..40 {
            customer(&app, &owner, &format!("silver{n}@x.id"), 150).await;
        }
        let mut conn = sqlx::PgConnection::connect(&app.db.url).await.expect("connect");
        let mut tx = conn.begin().await.expect("begin");
        // Silver (rank 1) to Platinum (rank 3), as a change of thresholds does.
        let moved = sqlx::query("UPDATE customers SET tier = 3 WHERE tier = 1")
            .execute(&mut *tx)
            .await
            .expect("re-tier")
            .rows_affected();
        assert_eq!(moved, 40);
        // What this transaction did to the counter rows so far.
        let (updated, inserted): (i64, i64) = sqlx::query_as(
            "SELECT n_tup_upd, n_tup_ins FROM pg_stat_xact_user_tables WHERE relname = 'customer_counters'",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("counter statistics");
        // 40 customers over 16 shards: at most 16 Silver buckets lose them and 16 Platinum ones
        // gain them (one row per customer and direction would be 80), and the Platinum buckets
        // are new.
        assert!(
            (16..=32).contains(&(updated + inserted)) && inserted > 0,
            "{updated} updates and {inserted} inserts of counter rows"
        );
        tx.commit().await.expect("commit");
        let stats = app.get("/api/customers/stats/", &owner).await.json;
        assert_eq!(stats["customers_by_tier"], json!({"platinum": 40, "gold": 0, "silver": 0, "bronze": 0}));
        assert_eq!(stats["total_loyalty_points"], 40 * 150);
    })
    .await;
}
