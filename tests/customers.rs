//! The customers REST contract and the server-rendered list, through the real router, on both
//! databases.

mod common;

use axum::http::{Method, StatusCode};
use common::{Db, TestApp};
use serde_json::{json, Value};

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let reply = app.post("/api/customers/", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json
}

fn id_of(customer: &Value) -> i64 {
    customer["id"].as_i64().expect("an id")
}

async fn count(app: &TestApp, token: &str) -> i64 {
    app.get("/api/customers/stats/", token).await.json["total_customers"].as_i64().expect("count")
}

async fn a_created_customer_has_exactly_the_seed_fields_and_its_consents(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let body = json!({
        "name": "Jane Smith", "email": "jane@example.com", "phone": "08987654321",
        "address": "Jl. Thamrin No. 456", "city": "Jakarta", "province": "DKI Jakarta",
        "postal_code": "12346", "notes": "VIP customer", "tenant": 999, "total_spent": "5.00", "loyalty_tier": "Platinum"
    });
    let customer = create(&app, &token, body).await;
    let keys: Vec<&str> = customer.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(
        keys,
        [
            "id",
            "tenant",
            "tenant_name",
            "name",
            "email",
            "phone",
            "address",
            "city",
            "province",
            "postal_code",
            "loyalty_points",
            "loyalty_tier",
            "total_orders",
            "total_spent",
            "notes",
            "is_active",
            "marketing_email",
            "marketing_sms",
            "created_at",
            "updated_at",
            "last_order_date"
        ]
    );
    assert_eq!(customer["tenant_name"], "My Restaurant");
    assert_ne!(customer["tenant"], 999);
    assert_eq!(customer["total_spent"], "0.00");
    assert_eq!(customer["loyalty_tier"], "Bronze");
    assert_eq!(customer["last_order_date"], Value::Null);
    assert!(customer["created_at"].as_str().unwrap_or_default().ends_with('Z'));
    let detail = app.get(&format!("/api/customers/{}/", id_of(&customer)), &token).await;
    assert_eq!(detail.json["average_order_value"], json!(0.0));
}

async fn tiers_change_at_100_500_and_1000_points(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let cases = [(99, "Bronze"), (100, "Silver"), (499, "Silver"), (500, "Gold"), (999, "Gold"), (1000, "Platinum")];
    for (points, tier) in cases {
        let c = create(
            &app,
            &token,
            json!({ "name": format!("P{points}"), "email": format!("p{points}@x.id"), "loyalty_points": points }),
        )
        .await;
        assert_eq!(c["loyalty_tier"], tier, "{points}");
    }
    for (level, expected) in [("bronze", 1), ("silver", 2), ("gold", 2), ("platinum", 1)] {
        let reply = app.get(&format!("/api/customers/?loyalty_level={level}"), &token).await;
        assert_eq!(reply.json["count"], expected, "{level}");
    }
    let stats = app.get("/api/customers/stats/", &token).await.json;
    assert_eq!(
        stats,
        json!({
            "total_customers": 6, "active_customers": 6, "total_loyalty_points": 3197,
            "customers_by_tier": { "platinum": 1, "gold": 2, "silver": 2, "bronze": 1 }
        })
    );
    // An unknown level is ignored, as the seed does.
    assert_eq!(app.get("/api/customers/?loyalty_level=diamond", &token).await.json["count"], 6);
}

async fn search_finds_name_email_and_phone_digits_ignoring_case(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    create(
        &app,
        &token,
        json!({ "name": "Émile Zola", "email": "ez@paris.fr", "phone": "+62 21 555 0199", "city": "Sari" }),
    )
    .await;
    create(&app, &token, json!({ "name": "Sari Wijaya", "email": "sw@x.id", "phone": "081234567890" })).await;
    create(&app, &token, json!({ "name": "Budi", "email": "budi.sarip@x.id" })).await;
    // Holds every trigram of "sari" but not the substring.
    create(&app, &token, json!({ "name": "Sarah Maria", "email": "sm@x.id" })).await;
    let names = |reply: &Value| -> Vec<String> {
        reply["results"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(String::from)).collect()
    };
    let mut found = names(&app.get("/api/customers/?search=SARI", &token).await.json);
    found.sort();
    assert_eq!(found, ["Budi", "Sari Wijaya"], "the city is not searched");
    assert_eq!(names(&app.get("/api/customers/?search=%C3%A9mile", &token).await.json), ["Émile Zola"]);
    assert_eq!(names(&app.get("/api/customers/?search=555%200199", &token).await.json), ["Émile Zola"]);
    assert_eq!(names(&app.get("/api/customers/?search=0812-3456", &token).await.json), ["Sari Wijaya"]);
    assert_eq!(names(&app.get("/api/customers/?search=PARIS.FR", &token).await.json), ["Émile Zola"]);
    assert_eq!(names(&app.get("/api/customers/?search=wi", &token).await.json), ["Sari Wijaya"]);
    assert_eq!(app.get("/api/customers/?search=%25", &token).await.json["count"], 0);
    assert_eq!(app.get("/api/customers/?search=%22%27)%20OR%201%3D1--", &token).await.json["count"], 0);
}

async fn filters_and_search_combine(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    create(&app, &token, json!({ "name": "A Sari", "email": "a@x.id", "city": "Bandung", "province": "Jawa Barat", "loyalty_points": 600 })).await;
    create(&app, &token, json!({ "name": "B Sari", "email": "b@x.id", "city": "Bandung", "province": "Jawa Barat", "is_active": false, "loyalty_points": 600 })).await;
    create(&app, &token, json!({ "name": "C Sari", "email": "c@x.id", "city": "Jakarta", "province": "DKI Jakarta", "loyalty_points": 600 })).await;
    create(&app, &token, json!({ "name": "D Budi", "email": "d@x.id", "city": "Bandung", "province": "Jawa Barat", "loyalty_points": 600 })).await;
    let reply = app
        .get("/api/customers/?search=sari&city=Bandung&is_active=true&loyalty_level=gold&province=Jawa%20Barat", &token)
        .await;
    assert_eq!(reply.json["count"], 1);
    assert_eq!(reply.json["results"][0]["name"], "A Sari");
    assert_eq!(app.get("/api/customers/?is_active=false", &token).await.json["count"], 1);
    assert_eq!(app.get("/api/customers/?city=bandung", &token).await.json["count"], 0, "exact match");
    assert_eq!(app.get("/api/customers/?is_active=maybe", &token).await.status, StatusCode::BAD_REQUEST);
}

async fn every_ordering_field_sorts_both_ways_with_an_id_tie_breaker(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let names = ["bob", "Alice", "carol", "alice", "Bob"];
    for (i, name) in names.iter().enumerate() {
        let last_order = if i % 2 == 0 { json!(format!("2024-0{}-01T10:00:00Z", i + 1)) } else { Value::Null };
        create(&app, &token, json!({ "name": name, "email": format!("{i}@x.id"), "loyalty_points": (i % 2) * 100, "last_order_date": last_order })).await;
    }
    let all = app.get("/api/customers/?page_size=100&ordering=created_at", &token).await.json["results"].clone();
    let rows: Vec<Value> = all.as_array().cloned().unwrap_or_default();
    for field in ["name", "created_at", "loyalty_points", "total_orders", "total_spent", "last_order_date"] {
        for descending in [false, true] {
            let mut expected = rows.clone();
            expected.sort_by(|a, b| {
                let key = |c: &Value| match field {
                    "name" => json!(c["name"].as_str().unwrap_or_default().to_lowercase()),
                    "total_spent" => json!(c["total_spent"].as_str().unwrap_or_default().parse::<f64>().unwrap_or(0.0)),
                    "last_order_date" => json!(c["last_order_date"].as_str().unwrap_or("9999")),
                    _ => c[field].clone(),
                };
                let ordering = match (key(a), key(b)) {
                    (Value::String(x), Value::String(y)) => x.cmp(&y),
                    (x, y) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal),
                }
                .then(id_of(a).cmp(&id_of(b)));
                if descending {
                    ordering.reverse()
                } else {
                    ordering
                }
            });
            let param = if descending { format!("-{field}") } else { field.to_owned() };
            let got = app.get(&format!("/api/customers/?page_size=100&ordering={param}"), &token).await.json;
            let got_ids: Vec<i64> = got["results"].as_array().into_iter().flatten().map(id_of).collect();
            let want_ids: Vec<i64> = expected.iter().map(id_of).collect();
            assert_eq!(got_ids, want_ids, "ordering={param}");
        }
    }
    let default = app.get("/api/customers/?ordering=password", &token).await.json;
    let newest_first: Vec<i64> = default["results"].as_array().into_iter().flatten().map(id_of).collect();
    let mut sorted = newest_first.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(newest_first, sorted, "unknown fields are ignored: -created_at");
}

/// The ids and count of one list request.
async fn listed(app: &TestApp, token: &str, query: &str) -> (Vec<i64>, Value) {
    let reply = app.get(&format!("/api/customers/?{query}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text);
    let ids = reply.json["results"].as_array().into_iter().flatten().map(id_of).collect();
    (ids, reply.json["count"].clone())
}

async fn a_search_alone_lists_what_the_same_search_with_another_filter_lists(db: Db) {
    // A search with no other filter takes the database's own faster routes (on SQLite, a count
    // from the search index alone and a walk of the ordering's index); with a filter every row
    // passes, the general query answers. Both give the same rows in the same order and count.
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    for i in 0..40 {
        let name = match i % 4 {
            0 => format!("Wawan {i}"),
            1 => format!("Dewi Kurniawan {i}"),
            2 => format!("Ali \"Awan\" {i}"),
            _ => format!("Budi Setiawan {i}"),
        };
        let points = (i * 7) % 5;
        create(&app, &token, json!({ "name": name, "email": format!("c{i}@x.id"), "loyalty_points": points })).await;
    }
    let other = app.token("Other Restaurant", "manager").await;
    for i in 0..30 {
        create(&app, &other, json!({ "name": format!("Wawan Lain {i}"), "email": format!("o{i}@x.id") })).await;
    }
    let orderings =
        ["name", "-name", "loyalty_points", "-loyalty_points", "created_at", "-created_at", "-last_order_date"];
    let terms = ["awa", "wan", "wawan", "kurniawan", "wi", "zzz", "%22awan%22", "n%20k", "x.id", "lain"];
    for term in terms {
        for ordering in orderings {
            for page in 1..=3 {
                let query = format!("search={term}&ordering={ordering}&page_size=4&page={page}");
                let reply = app.get(&format!("/api/customers/?{query}"), &token).await;
                if reply.status == StatusCode::NOT_FOUND {
                    let general = app.get(&format!("/api/customers/?{query}&is_active=true"), &token).await;
                    assert_eq!(general.status, StatusCode::NOT_FOUND, "{query}");
                    continue;
                }
                let alone = listed(&app, &token, &query).await;
                let general = listed(&app, &token, &format!("{query}&is_active=true")).await;
                assert_eq!(alone, general, "{query}");
            }
        }
    }
    let count = |query: &'static str| {
        let (app, token) = (&app, &token);
        async move { listed(app, token, query).await.1 }
    };
    assert_eq!(count("search=wawan").await, 10, "the other tenant's customers are not counted");
    assert_eq!(count("search=awan").await, 40);
    assert_eq!(count("search=%22awan%22").await, 10, "quotes are searched as typed");
    assert_eq!(count("search=lain").await, 0);
    assert_eq!(count("search=c1@x.id").await, 1);
}

async fn pages_link_to_each_other_and_never_repeat_a_row(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    for i in 0..25 {
        create(&app, &token, json!({ "name": "Same Name", "email": format!("{i}@x.id"), "loyalty_points": 5 })).await;
    }
    let first = app.get("/api/customers/?ordering=loyalty_points&search=same&page_size=10", &token).await.json;
    assert_eq!(first["count"], 25);
    assert_eq!(first["previous"], Value::Null);
    let next = first["next"].as_str().expect("next").to_owned();
    assert_eq!(next, "http://testserver/api/customers/?ordering=loyalty_points&search=same&page_size=10&page=2");
    let second = app.get(next.trim_start_matches("http://testserver"), &token).await.json;
    assert_eq!(second["previous"], "http://testserver/api/customers/?ordering=loyalty_points&search=same&page_size=10");
    let third = app.get("/api/customers/?ordering=loyalty_points&search=same&page_size=10&page=3", &token).await.json;
    assert_eq!(third["next"], Value::Null);
    assert_eq!(third["previous"].as_str().map(|s| s.ends_with("page=2")), Some(true));
    let mut ids: Vec<i64> = [&first, &second, &third]
        .iter()
        .flat_map(|p| p["results"].as_array().cloned().unwrap_or_default())
        .map(|c| id_of(&c))
        .collect();
    assert_eq!(ids.len(), 25);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 25);
    for bad in ["4", "0", "abc", "-1"] {
        let reply = app.get(&format!("/api/customers/?page_size=10&page={bad}"), &token).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "page={bad}");
        assert_eq!(reply.json, json!({ "detail": "Invalid page." }));
    }
    assert_eq!(
        app.get("/api/customers/?page_size=1000", &token).await.json["results"].as_array().map(Vec::len),
        Some(25)
    );
    assert_eq!(app.get("/api/customers/?page_size=500&page=1", &token).await.json["next"], Value::Null);
}

async fn validation_errors_use_drf_shapes_and_write_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    create(&app, &token, json!({ "name": "Taken", "email": "taken@x.id" })).await;
    let cases = [
        (json!({ "email": "a@x.id" }), "name"),
        (json!({ "name": "   ", "email": "a@x.id" }), "name"),
        (json!({ "name": "x".repeat(201), "email": "a@x.id" }), "name"),
        (json!({ "name": "A" }), "email"),
        (json!({ "name": "A", "email": "test@" }), "email"),
        (json!({ "name": "A", "email": "TAKEN@x.id" }), "email"),
        (json!({ "name": "A", "email": "a@x.id", "phone": "12345678901234567890123" }), "phone"),
        (json!({ "name": "A", "email": "a@x.id", "phone": "call me" }), "phone"),
        (json!({ "name": "A", "email": "a@x.id", "city": "c".repeat(101) }), "city"),
        (json!({ "name": "A", "email": "a@x.id", "province": "p".repeat(101) }), "province"),
        (json!({ "name": "A", "email": "a@x.id", "postal_code": "12345678901" }), "postal_code"),
        (json!({ "name": "A", "email": "a@x.id", "loyalty_points": -5 }), "loyalty_points"),
        (json!({ "name": "A", "email": "a@x.id", "is_active": "perhaps" }), "is_active"),
    ];
    for (body, field) in cases {
        let reply = app.post("/api/customers/", &token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(reply.json[field].is_array(), "{field}: {}", reply.text);
    }
    let duplicate = app.post("/api/customers/", &token, json!({ "name": "A", "email": "Taken@X.id" })).await;
    assert_eq!(duplicate.json, json!({ "email": ["Customer with this email already exists"] }));
    let malformed =
        app.raw(Method::POST, "/api/customers/", Some(&token), Some("{not json".into()), "application/json", &[]).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.json["detail"].is_string());
    assert_eq!(count(&app, &token).await, 1);
}

async fn the_same_email_is_fine_in_another_tenant(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app.token("Tenant A", "manager").await;
    let b = app.token("Tenant B", "manager").await;
    create(&app, &a, json!({ "name": "Jane", "email": "jane@x.id" })).await;
    create(&app, &b, json!({ "name": "Jane", "email": "JANE@x.id" })).await;
}

async fn put_needs_name_and_email_and_patch_changes_only_what_is_given(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let c = create(&app, &token, json!({ "name": "John", "email": "john@x.id", "city": "Jakarta" })).await;
    let path = format!("/api/customers/{}/", id_of(&c));
    let put = app.request(Method::PUT, &path, Some(&token), Some(json!({ "phone": "0811" }))).await;
    assert_eq!(put.status, StatusCode::BAD_REQUEST);
    assert!(put.json["name"].is_array() && put.json["email"].is_array());
    let patch =
        app.request(Method::PATCH, &path, Some(&token), Some(json!({ "phone": "08987654321", "tenant": 77 }))).await;
    assert_eq!(patch.status, StatusCode::OK);
    assert_eq!(patch.json["phone"], "08987654321");
    assert_eq!(patch.json["city"], "Jakarta");
    assert_eq!(patch.json["tenant"], c["tenant"]);
    let full =
        app.request(Method::PUT, &path, Some(&token), Some(json!({ "name": "Johnny", "email": "johnny@x.id" }))).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.json["name"], "Johnny");
    assert_eq!(app.get("/api/customers/?search=johnny", &token).await.json["count"], 1, "search follows edits");
    let other = create(&app, &token, json!({ "name": "Other", "email": "other@x.id" })).await;
    let clash = app
        .request(
            Method::PATCH,
            &format!("/api/customers/{}/", id_of(&other)),
            Some(&token),
            Some(json!({ "email": "JOHNNY@x.id" })),
        )
        .await;
    assert_eq!(clash.json, json!({ "email": ["Customer with this email already exists"] }));
    let delete = app.request(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(delete.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &token).await.status, StatusCode::NOT_FOUND);
}

async fn another_tenants_customers_are_not_found_and_unchanged_on_every_endpoint(db: Db) {
    let app = TestApp::spawn(db).await;
    let mine = app.token("Tenant A", "owner").await;
    let theirs = app.token("Tenant B", "owner").await;
    let c = create(&app, &theirs, json!({ "name": "Private", "email": "private@b.id", "loyalty_points": 10 })).await;
    let id = id_of(&c);
    let path = format!("/api/customers/{id}/");
    let attempts = [
        app.get(&path, &mine).await,
        app.request(Method::PUT, &path, Some(&mine), Some(json!({ "name": "X", "email": "x@x.id" }))).await,
        app.request(Method::PATCH, &path, Some(&mine), Some(json!({ "name": "X" }))).await,
        app.request(Method::DELETE, &path, Some(&mine), None).await,
        app.post(&format!("{path}update_points/"), &mine, json!({ "points": 5 })).await,
        app.get(&format!("{path}points_history/"), &mine).await,
        app.get("/api/customers/abc/", &mine).await,
        // Bad input on another tenant's id still says only "not found".
        app.request(Method::PATCH, &path, Some(&mine), Some(json!({ "email": "not-an-email" }))).await,
        app.post(&format!("{path}update_points/"), &mine, json!({ "points": "many" })).await,
        app.raw(Method::PUT, &path, Some(&mine), Some("{broken".into()), "application/json", &[]).await,
    ];
    for reply in attempts {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
    }
    let bulk =
        app.post("/api/customers/bulk_update/", &mine, json!({ "customer_ids": [id], "action": "deactivate" })).await;
    assert_eq!(bulk.json["message"], "0 customers updated successfully");
    assert_eq!(app.get("/api/customers/", &mine).await.json["count"], 0);
    assert_eq!(app.get("/api/customers/stats/", &mine).await.json["total_customers"], 0);
    let after = app.get(&path, &theirs).await.json;
    assert_eq!(
        (after["name"].clone(), after["loyalty_points"].clone(), after["is_active"].clone()),
        (json!("Private"), json!(10), json!(true))
    );
}

async fn update_points_validates_clamps_and_records_history(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let c = create(&app, &token, json!({ "name": "P", "email": "p@x.id", "loyalty_points": 90 })).await;
    let path = format!("/api/customers/{}/update_points/", id_of(&c));
    for bad in [
        json!({}),
        json!({ "points": 0 }),
        json!({ "points": "ten" }),
        json!({ "points": 1.5 }),
        json!({ "points": 1_000_000_001 }),
        json!({ "points": null }),
        json!({ "points": [1] }),
    ] {
        let reply = app.post(&path, &token, bad.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.json, json!({ "error": "Invalid points value" }));
    }
    let up = app.post(&path, &token, json!({ "points": "10", "reason": "Birthday bonus" })).await;
    assert_eq!((up.json["loyalty_points"].clone(), up.json["loyalty_tier"].clone()), (json!(100), json!("Silver")));
    let down = app.post(&path, &token, json!({ "points": -500, "reason": "Redeemed" })).await;
    assert_eq!(down.json["loyalty_points"], 0, "clamped at zero");
    let history = app.get(&format!("/api/customers/{}/points_history/", id_of(&c)), &token).await.json;
    assert_eq!(history["count"], 3);
    let rows = history["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows[0]["points"], -100, "the delta actually applied");
    assert_eq!(rows[0]["reason"], "Redeemed");
    assert_eq!(rows[1]["reason"], "Birthday bonus");
    assert_eq!(rows[2]["source"], "create");
    let sum: i64 = rows.iter().filter_map(|r| r["points"].as_i64()).sum();
    assert_eq!(sum, 0);
}

async fn fifty_concurrent_increments_add_exactly_fifty(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let c = create(&app, &token, json!({ "name": "Busy", "email": "busy@x.id" })).await;
    let path = format!("/api/customers/{}/update_points/", id_of(&c));
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, path, token) = (app.clone(), path.clone(), token.clone());
            tokio::spawn(async move { app.post(&path, &token, json!({ "points": 1, "reason": "rush" })).await.status })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
    let after = app.get(&format!("/api/customers/{}/", id_of(&c)), &token).await.json;
    assert_eq!(after["loyalty_points"], 50);
    let history = app.get(&format!("/api/customers/{}/points_history/?page_size=100", id_of(&c)), &token).await.json;
    assert_eq!(history["count"], 50);
}

async fn forty_creates_at_once_of_twenty_emails_create_each_once_and_refuse_the_rest_whole(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let before = count(&app, &token).await;
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let (app, token) = (app.clone(), token.clone());
            let body =
                json!({ "name": format!("Twin {n}"), "email": format!("twin{}@x.id", n % 20), "loyalty_points": 7 });
            tokio::spawn(async move {
                let reply = app.post("/api/customers/", &token, body).await;
                (reply.status, reply.json)
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        let (status, json) = task.await.expect("task");
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::BAD_REQUEST => {
                assert_eq!(json, json!({ "email": ["Customer with this email already exists"] }));
            }
            other => panic!("a create answered {other}: {json}"),
        }
    }
    assert_eq!(created, 20, "one create of each email");
    assert_eq!(count(&app, &token).await, before + 20);
    let twins = app.get("/api/customers/?search=twin&page_size=100", &token).await.json;
    assert_eq!(twins["count"], 20);
    for twin in twins["results"].as_array().expect("results") {
        let path = format!("/api/customers/{}/points_history/", id_of(twin));
        let history = app.get(&path, &token).await.json;
        assert_eq!(history["count"], 1, "one opening balance for {}", twin["email"]);
    }
}

async fn cashiers_may_add_points_but_not_deduct_delete_or_bulk_update(db: Db) {
    let app = TestApp::spawn(db).await;
    let cashier = app.token("My Restaurant", "cashier").await;
    let c = create(&app, &cashier, json!({ "name": "C", "email": "c@x.id", "loyalty_points": 50 })).await;
    let id = id_of(&c);
    assert_eq!(
        app.post(&format!("/api/customers/{id}/update_points/"), &cashier, json!({ "points": 5 })).await.status,
        StatusCode::OK
    );
    let forbidden = [
        app.post(&format!("/api/customers/{id}/update_points/"), &cashier, json!({ "points": -5 })).await,
        app.request(Method::DELETE, &format!("/api/customers/{id}/"), Some(&cashier), None).await,
        app.post("/api/customers/bulk_update/", &cashier, json!({ "customer_ids": [id], "action": "deactivate" }))
            .await,
        app.request(
            Method::PATCH,
            &format!("/api/customers/{id}/"),
            Some(&cashier),
            Some(json!({ "loyalty_points": 1 })),
        )
        .await,
    ];
    for reply in forbidden {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
        assert!(reply.json["detail"].is_string());
    }
    let after = app.get(&format!("/api/customers/{id}/"), &cashier).await.json;
    assert_eq!((after["loyalty_points"].clone(), after["is_active"].clone()), (json!(55), json!(true)));
}

async fn bulk_update_counts_the_callers_customers_and_refuses_bad_input(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(id_of(&create(&app, &token, json!({ "name": "B", "email": format!("b{i}@x.id") })).await));
    }
    let body = json!({ "customer_ids": [ids[0], ids[1], ids[2], ids[2], 999_999], "action": "deactivate" });
    let reply = app.post("/api/customers/bulk_update/", &token, body).await;
    assert_eq!(reply.json, json!({ "message": "3 customers updated successfully" }));
    assert_eq!(app.get("/api/customers/stats/", &token).await.json["active_customers"], 0);
    let cases = [
        (json!({ "action": "activate" }), json!({ "error": "No customers selected" })),
        (json!({ "customer_ids": [], "action": "activate" }), json!({ "error": "No customers selected" })),
        (json!({ "customer_ids": [ids[0]], "action": "explode" }), json!({ "error": "Invalid action" })),
    ];
    for (body, expected) in cases {
        let reply = app.post("/api/customers/bulk_update/", &token, body).await;
        assert_eq!((reply.status, reply.json), (StatusCode::BAD_REQUEST, expected));
    }
    let not_ints =
        app.post("/api/customers/bulk_update/", &token, json!({ "customer_ids": ["x"], "action": "activate" })).await;
    assert_eq!(not_ints.status, StatusCode::BAD_REQUEST);
    let too_many: Vec<i64> = (1..=10_001).collect();
    let huge = app
        .post("/api/customers/bulk_update/", &token, json!({ "customer_ids": too_many, "action": "activate" }))
        .await;
    assert_eq!(huge.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/customers/stats/", &token).await.json["active_customers"], 0, "nothing written");
}

async fn an_idempotency_key_applies_a_request_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "manager").await;
    let body = json!({ "name": "Till", "email": "till@x.id" }).to_string();
    let send = |path: &'static str, body: String, key: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            app.raw(Method::POST, path, Some(&token), Some(body), "application/json", &[("idempotency-key", key)]).await
        }
    };
    let first = send("/api/customers/", body.clone(), "k-1").await;
    let again = send("/api/customers/", body.clone(), "k-1").await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!((again.status, again.json.clone()), (StatusCode::CREATED, first.json.clone()));
    assert_eq!(count(&app, &token).await, 1);
    let other = send("/api/customers/", json!({ "name": "Else", "email": "else@x.id" }).to_string(), "k-1").await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    let id = id_of(&first.json);
    let path: &'static str = Box::leak(format!("/api/customers/{id}/update_points/").into_boxed_str());
    let points = json!({ "points": 25, "reason": "sale" }).to_string();
    send(path, points.clone(), "p-1").await;
    let replay = send(path, points, "p-1").await;
    assert_eq!(replay.json["loyalty_points"], 25);
    assert_eq!(app.get(&format!("/api/customers/{id}/"), &token).await.json["loyalty_points"], 25);
}

/// The names and definitions of the customers table's indexes and triggers, and whether each
/// trigger is on, as the database's catalog has them.
async fn customer_schema(url: &str) -> Vec<String> {
    use sqlx::Connection;
    let mut rows: Vec<String> = if url.starts_with("sqlite:") {
        let mut db = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query_scalar("SELECT type || ' ' || name || ' ' || sql FROM sqlite_master WHERE tbl_name = 'customers'")
            .fetch_all(&mut db)
            .await
            .expect("schema")
    } else {
        let mut db = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'customers' UNION ALL \
             SELECT tgname || ' ' || tgenabled::text FROM pg_trigger \
             WHERE tgrelid = 'customers'::regclass AND NOT tgisinternal UNION ALL \
             SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE contype = 'f' AND convalidated",
        )
        .fetch_all(&mut db)
        .await
        .expect("schema")
    };
    rows.sort();
    rows
}

async fn a_demo_load_into_an_empty_table_puts_back_every_index_trigger_and_key_it_set_aside(db: Db) {
    let app = TestApp::spawn(db).await;
    let before = customer_schema(&app.db.url).await;
    assert!(before.len() > 10, "{before:?}");
    let (_, written) = patron::services::demo::add_demo_customers(&app.state.core, "Demo Tenant", 1200, None, |_| ())
        .await
        .expect("demo");
    assert_eq!(written, 1200);
    assert_eq!(
        customer_schema(&app.db.url).await,
        before,
        "the same indexes, triggers and foreign keys, all on and checked"
    );
    let token = app.token("Demo Tenant", "owner").await;
    assert_eq!(count(&app, &token).await, 1200, "the counters were counted again");
    let last = &app.get("/api/customers/?ordering=-name&page_size=1", &token).await.json["results"][0];
    let email = last["email"].as_str().expect("email");
    let found = app.get(&format!("/api/customers/?search={}", email.replace('+', "%2B")), &token).await.json;
    assert_eq!(found["results"][0]["id"], last["id"], "the search index holds the loaded rows");
    // What the load set aside works again for the rows after it.
    create(&app, &token, json!({ "name": "Zuzana Quillfeather", "email": "zq@example.com" })).await;
    assert_eq!(count(&app, &token).await, 1201);
    let found = app.get("/api/customers/?search=quillfeather", &token).await.json;
    assert_eq!(found["count"], 1, "{found}");
    let (_, more) = patron::services::demo::add_demo_customers(&app.state.core, "Demo Tenant", 5, None, |_| ())
        .await
        .expect("demo");
    assert_eq!((more, count(&app, &token).await), (5, 1206), "a smaller load into the table keeps its indexes up");
    assert_eq!(customer_schema(&app.db.url).await, before);
}

/// Customers for a bulk load: one with text that needs escaping and a history that goes below
/// zero, the same email again in capitals, and a plain one.
fn customers_to_load(now: chrono::DateTime<chrono::Utc>) -> Vec<patron::storage::ImportedCustomer> {
    use patron::storage::{ImportedCustomer, ImportedPoints, PointsSource};
    let at = |days| now - chrono::Duration::days(days);
    let customer = |name: &str, email: &str, notes: &str, history: Vec<(i64, PointsSource)>| ImportedCustomer {
        name: name.into(),
        email: patron::domain::Email::parse(email).expect("email"),
        phone: "+62 812-555-0101".into(),
        address: "Jl. Sudirman No. 1".into(),
        city: "Bandung".into(),
        province: "Jawa Barat".into(),
        postal_code: "40111".into(),
        notes: notes.into(),
        total_orders: 3,
        total_spent_minor: 1_234_567,
        is_active: true,
        marketing_email: false,
        marketing_sms: false,
        created_at: at(30),
        last_order_date: Some(at(2)),
        history: history
            .into_iter()
            .zip(1..)
            .map(|((delta, source), n)| ImportedPoints {
                delta,
                reason: format!("step {n}\t\\"),
                source,
                at: at(20 - n),
            })
            .collect(),
    };
    vec![
        customer(
            "Zoë Müller-Dubois",
            "zoe@example.com",
            "tab\there\nnew line\r\\N back\\slash",
            vec![(120, PointsSource::Create), (-500, PointsSource::Manual), (640, PointsSource::Manual)],
        ),
        customer("Zoë Again", "ZOE@Example.com", "", vec![(5, PointsSource::Create)]),
        customer("Budi Santoso", "budi@example.com", "", vec![]),
    ]
}

/// A tenant's customers with their points and tier histories, without ids.
async fn loaded_customers(app: &TestApp, token: &str) -> Vec<Value> {
    fn without_ids(value: &mut Value) {
        if let Some(object) = value.as_object_mut() {
            for key in ["id", "customer", "tenant", "tenant_name"] {
                object.remove(key);
            }
            object.values_mut().for_each(without_ids);
        } else if let Some(items) = value.as_array_mut() {
            items.iter_mut().for_each(without_ids);
        }
    }
    let list = app.get("/api/customers/?ordering=email", token).await.json;
    let mut customers = Vec::new();
    for customer in list["results"].as_array().into_iter().flatten() {
        let id = id_of(customer);
        let mut customer = customer.clone();
        customer["points_history"] = app.get(&format!("/api/customers/{id}/points_history/"), token).await.json;
        customer["tier_history"] = app.get(&format!("/api/customers/{id}/tier_history/"), token).await.json;
        without_ids(&mut customer);
        customers.push(customer);
    }
    customers
}

async fn a_load_into_an_empty_table_writes_what_a_load_into_a_filled_one_writes(db: Db) {
    let app = TestApp::spawn(db).await;
    let core = &app.state.core;
    let now = chrono::Utc::now();
    let mut written = Vec::new();
    // The first load finds no customer at all (the fastest way in); the second finds the first's.
    for tenant in ["First Load", "Second Load"] {
        let token = app.token(tenant, "owner").await;
        let id = core.storage.tenant_by_name(tenant).await.expect("tenant").expect("tenant").id;
        let (sender, batches) = tokio::sync::mpsc::channel(1);
        sender.send(customers_to_load(now)).await.expect("send");
        drop(sender);
        let loaded = core.storage.load_customers(id, 3, batches, &mut |_| ()).await.expect("load");
        assert_eq!(loaded, 2, "the email given twice is skipped the second time");
        written.push(loaded_customers(&app, &token).await);
    }
    let import_times = |customers: &mut Vec<Value>| {
        for customer in customers {
            customer["tier_history"]["results"][0]["changed_at"] = Value::Null;
        }
    };
    written.iter_mut().for_each(import_times);
    assert_eq!(written[0], written[1]);
    let zoe = &written[0][1];
    assert_eq!(zoe["notes"], "tab\there\nnew line\r\\N back\\slash", "{zoe}");
    assert_eq!(zoe["name"], "Zoë Müller-Dubois");
    assert_eq!(zoe["loyalty_points"], 640, "the history's dip below zero is clamped as it was applied");
    assert_eq!(zoe["points_history"]["count"], 3, "the history of the skipped customer is skipped too: {zoe}");
    assert_eq!(zoe["points_history"]["results"][1]["points"], -120, "{zoe}");
    assert_eq!(zoe["points_history"]["results"][1]["reason"], "step 2\t\\");
    assert_eq!(zoe["tier_history"]["results"][0]["tier"], "Gold", "{zoe}");
    assert_eq!(written[0][0]["points_history"]["count"], 0, "{}", written[0][0]);
}

async fn a_create_answers_the_customer_as_stored_and_never_gives_an_id_twice(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "owner").await;
    let body = json!({
        "name": "Ana Lima", "email": "Ana@Example.com", "phone": "0812 555", "address": "Jl. Kenanga 1",
        "city": "Bandung", "province": "Jawa Barat", "postal_code": "40111", "notes": "window seat",
        "loyalty_points": 650, "is_active": false, "marketing_email": true,
        "last_order_date": "2026-11-30T10:11:12.123456789+07:00"
    });
    let created = create(&app, &token, body).await;
    let stored = app.get(&format!("/api/customers/{}/", id_of(&created)), &token).await.json;
    for (field, value) in created.as_object().into_iter().flatten() {
        assert_eq!(&stored[field], value, "{field} as answered and as stored");
    }
    assert_eq!(created["loyalty_tier"], "Gold");
    assert_eq!(created["last_order_date"], "2026-11-30T03:11:12.123456Z");
    let consents = app.get(&format!("/api/customers/{}/consents/", id_of(&created)), &token).await;
    assert_eq!(consents.json["count"], 1, "{}", consents.text);
    let history = app.get(&format!("/api/customers/{}/points_history/", id_of(&created)), &token).await.json;
    assert_eq!(history["results"][0]["points"], 650);

    // The newest customer deleted, the next one still gets a new id.
    let newest = id_of(&create(&app, &token, json!({"name": "Newest", "email": "newest@example.com"})).await);
    let deleted = app.request(Method::DELETE, &format!("/api/customers/{newest}/"), Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let next = id_of(&create(&app, &token, json!({"name": "Next", "email": "next@example.com"})).await);
    assert!(next > newest, "id {next} after the deleted {newest}");

    // A refused create takes nothing with it.
    let again = app.post("/api/customers/", &token, json!({"name": "Twin", "email": "ana@example.com"})).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.text);
    assert_eq!(count(&app, &token).await, 2);
}

async fn a_page_read_again_after_its_customers_changed_shows_them_as_they_are_now(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("My Restaurant", "owner").await;
    let other = app.token("Other Place", "owner").await;
    let mut ids = Vec::new();
    for (name, points) in [("Ana", 10), ("Budi", 20), ("Citra", 30)] {
        let body = json!({"name": name, "email": format!("{name}@example.com"), "loyalty_points": points});
        ids.push(id_of(&create(&app, &token, body).await));
    }
    let page = || async { app.get("/api/customers/?ordering=name", &token).await.json };
    let first = page().await;
    assert_eq!(page().await, first, "read twice, unchanged");

    // Another tenant's change leaves this page as it was.
    create(&app, &other, json!({"name": "Ana", "email": "ana@other.example"})).await;
    assert_eq!(page().await, first);

    let added = app.post(&format!("/api/customers/{}/update_points/", ids[1]), &token, json!({"points": 5})).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text);
    let after_points = page().await;
    assert_eq!(after_points["results"][1]["loyalty_points"], 25, "{after_points}");

    for id in &ids[..2] {
        let deleted = app.request(Method::DELETE, &format!("/api/customers/{id}/"), Some(&token), None).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    }
    let after_deletes = page().await;
    assert_eq!(after_deletes["count"], 1, "{after_deletes}");
    assert_eq!(after_deletes["results"][0]["name"], "Citra");
    let last = app.request(Method::DELETE, &format!("/api/customers/{}/", ids[2]), Some(&token), None).await;
    assert_eq!(last.status, StatusCode::NO_CONTENT);
    assert_eq!(page().await["count"], 0, "every customer of the page gone");
}

async fn the_detail_adds_the_average_order_value(db: Db) {
    let app = TestApp::spawn(db).await;
    patron::services::demo::add_demo_customers(&app.state.core, "Demo Tenant", 30, None, |_| ()).await.expect("demo");
    let token = app.token("Demo Tenant", "owner").await;
    let list = app.get("/api/customers/?ordering=-total_orders&page_size=1", &token).await.json;
    let c = &list["results"][0];
    let detail = app.get(&format!("/api/customers/{}/", id_of(c)), &token).await.json;
    let spent: f64 = detail["total_spent"].as_str().unwrap_or_default().parse().unwrap_or(0.0);
    let orders = detail["total_orders"].as_f64().unwrap_or(1.0);
    assert!((detail["average_order_value"].as_f64().unwrap_or(-1.0) - spent / orders).abs() < 0.01);
    // Demo history always adds up to the balance.
    for c in app.get("/api/customers/?page_size=30", &token).await.json["results"].as_array().into_iter().flatten() {
        let history = app.get(&format!("/api/customers/{}/points_history/?page_size=100", id_of(c)), &token).await.json;
        let sum: i64 = history["results"].as_array().into_iter().flatten().filter_map(|r| r["points"].as_i64()).sum();
        assert_eq!(sum, c["loyalty_points"].as_i64().unwrap_or(-1));
    }
}

async fn the_page_shows_each_customer_once_as_a_row_and_its_text_is_never_markup(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (token, _) = app.tokens_for(&email).await;
    let hostile = r#"<img src=x onerror="alert(1)"> Ana & 'Bo'"#;
    let c = create(&app, &token, json!({ "name": hostile, "email": "ana@example.com" })).await;
    let id = id_of(&c);
    let cookie = app.session_cookie(&email).await;
    let page = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.text;
    assert!(!html.contains("<img src=x"), "a name is never markup");
    let escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Ana &amp; &#39;Bo&#39;";
    let name_id = format!("customer-{id}-name");
    let link = format!(r#"<a id="{name_id}" href="/customers/{id}" dir="auto""#);
    assert_eq!(html.matches(&link).count(), 1, "one row links to the customer, in every width");
    let at = html.find(&link).expect("the row links to the customer");
    assert!(html[at..].contains(&format!(">{escaped}</a>")), "the row shows the name as text");
    assert_eq!(html.matches(&format!(r#"data-select="{id}" aria-label="Select {escaped}""#)).count(), 1);
    for action in ["edit", "points", "delete"] {
        let button = format!(r#"data-action="{action}" data-customer="{id}" aria-describedby="{name_id}""#);
        assert_eq!(html.matches(&button).count(), 1, "the row has its {action} button");
    }
}

async fn the_page_shows_the_statistics_and_the_tenants_thresholds_read_together(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (token, _) = app.tokens_for(&email).await;
    let cookie = app.session_cookie(&email).await;
    // A tenant that never had a customer: its statistics are zeros, and its thresholds are there.
    let page = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains(r#"Total Customers</p><p class="stat-value">0</p>"#), "no customers");
    assert!(page.text.contains(r#""tiers":{"silver":100,"gold":500,"platinum":1000}"#), "default tiers");
    let program = json!({ "spend_per_point": "10000.00", "points_expire_after_days": null,
                          "tiers": { "silver": 20, "gold": 40, "platinum": 60 } });
    let reply = app.request(Method::PUT, "/api/loyalty/program/", Some(&token), Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    for (n, points) in [10, 30, 50, 70, 80].into_iter().enumerate() {
        let body = json!({ "name": format!("C{n}"), "email": format!("c{n}@example.com"), "loyalty_points": points,
                           "is_active": n != 4 });
        create(&app, &token, body).await;
    }
    let page = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for (label, value) in [("Total Customers", "5"), ("Active Customers", "4"), ("Total Loyalty Points", "240")] {
        let card = format!(r#"{label}</p><p class="stat-value">{value}</p>"#);
        assert!(page.text.contains(&card), "{label} is {value}");
    }
    assert!(page.text.contains(r#"aria-label="Bronze 1, Silver 1, Gold 1, Platinum 2""#), "the tier bar");
    assert!(page.text.contains(r#""tiers":{"silver":20,"gold":40,"platinum":60}"#), "the new tiers");
    // Another tenant's customers and program never show.
    let other = app.user("Kopi Lain", "owner@kopi.test", "owner").await;
    let page =
        app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &app.session_cookie(&other).await)]).await;
    assert!(page.text.contains(r#"Total Customers</p><p class="stat-value">0</p>"#), "other tenant");
    assert!(page.text.contains(r#""silver":100"#), "other tenant's own tiers");
}

async fn the_page_statistics_follow_every_change_made_after_they_were_shown(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (token, _) = app.tokens_for(&email).await;
    let cookie = app.session_cookie(&email).await;
    let card = |label: &str, value: &str| format!(r#"{label}</p><p class="stat-value">{value}</p>"#);
    let page = || async { app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await.text };
    let program = |silver: i64| {
        json!({ "spend_per_point": "10000.00", "points_expire_after_days": null,
                "tiers": { "silver": silver, "gold": 500, "platinum": 1000 } })
    };
    // A tenant that never had a customer has no change counter yet: a program change still shows.
    assert!(page().await.contains(r#""silver":100,"#));
    let reply = app.request(Method::PUT, "/api/loyalty/program/", Some(&token), Some(program(150))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(page().await.contains(r#""silver":150,"#), "the new program before any customer");
    let ana = id_of(&create(&app, &token, json!({ "name": "Ana", "email": "ana@example.com" })).await);
    let budi = id_of(&create(&app, &token, json!({ "name": "Budi", "email": "budi@example.com" })).await);
    for _ in 0..2 {
        let shown = page().await;
        assert!(shown.contains(&card("Total Customers", "2")) && shown.contains(&card("Total Loyalty Points", "0")));
    }
    let path = format!("/api/customers/{ana}/update_points/");
    let reply =
        app.request(Method::POST, &path, Some(&token), Some(json!({ "points": 120, "reason": "welcome" }))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(page().await.contains(&card("Total Loyalty Points", "120")), "points given");
    let reply = app.request(Method::PUT, "/api/loyalty/program/", Some(&token), Some(program(200))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(page().await.contains(r#""silver":200,"#), "the program changed again");
    let path = format!("/api/customers/{budi}/");
    let reply = app.request(Method::PATCH, &path, Some(&token), Some(json!({ "is_active": false }))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(page().await.contains(&card("Active Customers", "1")), "a customer deactivated");
    let reply = app.request(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    assert!(page().await.contains(&card("Total Customers", "1")), "a customer deleted");
}

async fn the_menu_marks_the_page_shown_and_the_pages_under_it_as_current(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (token, _) = app.tokens_for(&email).await;
    let id = id_of(&create(&app, &token, json!({ "name": "Ana", "email": "ana@example.com" })).await);
    let cookie = app.session_cookie(&email).await;
    let current = |href: &str| format!(r#"<a href="{href}" aria-current="page""#);
    for (path, shown, other) in [
        ("/customers".to_owned(), "/customers", "/settings/loyalty"),
        (format!("/customers/{id}"), "/customers", "/settings/loyalty"),
        ("/settings/loyalty".to_owned(), "/settings/loyalty", "/customers"),
    ] {
        let page = app.raw(Method::GET, &path, None, None, "", &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        // Twice: the phone's menu and the sidebar.
        assert_eq!(page.text.matches(&current(shown)).count(), 2, "{path} marks {shown}");
        assert!(!page.text.contains(&current(other)), "{path} does not mark {other}");
        assert!(page.text.contains(r#"<a href="/settings/team" class="#), "an owner sees the team");
    }
}

async fn the_board_s_html_for_a_view_is_the_html_the_page_shows_for_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (token, _) = app.tokens_for(&email).await;
    for (name, points) in [("Ana Lestari", 700), ("Anak Agung", 20), ("Budi", 5)] {
        let mail = format!("{}@example.com", name.replace(' ', "."));
        create(&app, &token, json!({ "name": name, "email": mail, "loyalty_points": points })).await;
    }
    let cookie = app.session_cookie(&email).await;
    let view = "search=ana&ordering=-loyalty_points";
    let page = app.raw(Method::GET, &format!("/customers?{view}"), None, None, "", &[("cookie", &cookie)]).await;
    let board =
        app.raw(Method::GET, &format!("/sfn/customers/board?{view}"), None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.text);
    assert_eq!(board.headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(board.headers["cache-control"], "private, no-store");
    let (stats, list) = board.text.split_once("<!--list-->").expect("the two parts");
    assert!(stats.starts_with(r#"<section aria-label="Statistics""#), "{stats}");
    assert!(stats.contains(r#"Total Customers</p><p class="stat-value">3</p>"#), "{stats}");
    assert!(page.text.contains(stats), "the page shows the same statistics");
    assert!(page.text.contains(list), "the page shows the same list");
    let (ana, agung) = (list.find(">Ana Lestari</a>"), list.find(">Anak Agung</a>"));
    assert!(ana.is_some() && agung.is_some() && ana < agung, "most points first: {list}");
    assert!(!list.contains("Budi"), "{list}");
    assert!(list.contains(r#"aria-sort="descending""#), "{list}");
    assert!(list.contains("Showing 1–2 of 2"), "{list}");
    assert!(list.contains(r#"<script type="application/json" data-board>{"items":[{"id":"#), "{list}");
    // An empty view says so, and leads back to the whole list.
    let none =
        app.raw(Method::GET, "/sfn/customers/board?search=nobody+here", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.text);
    assert!(none.text.contains("No customers match these filters."), "{}", none.text);
}

async fn the_board_s_html_follows_the_role_and_the_tenant_and_needs_a_session(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (token, _) = app.tokens_for(&owner).await;
    create(&app, &token, json!({ "name": "Ana", "email": "ana@example.com" })).await;
    let app = &app;
    let get = |cookie: String| async move {
        let headers = [("cookie", cookie.as_str())];
        app.raw(Method::GET, "/sfn/customers/board", None, None, "", &headers).await
    };
    let managed = get(app.session_cookie(&owner).await).await;
    assert!(managed.text.contains(r#"data-select="all""#) && managed.text.contains(">Delete</button>"));
    let cashier = app.user("Warung Sari", "kasir@warung.test", "cashier").await;
    let served = get(app.session_cookie(&cashier).await).await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.text);
    assert!(served.text.contains(">Ana</a>") && served.text.contains(">Points</button>"), "{}", served.text);
    assert!(!served.text.contains("data-select") && !served.text.contains(">Delete</button>"), "{}", served.text);
    let other = app.user("Kopi Lain", "owner@kopi.test", "owner").await;
    let elsewhere = get(app.session_cookie(&other).await).await;
    assert!(elsewhere.text.contains("No customers yet.") && !elsewhere.text.contains("Ana"), "{}", elsewhere.text);
    let signed_out = get(String::new()).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED, "{}", signed_out.text);
    let (stats, list) = signed_out.text.split_once("<!--list-->").expect("the two parts");
    assert_eq!(stats, "");
    assert!(list.starts_with(r#"<div role="alert""#), "{list}");
    assert!(list.contains("Your session has ended. Sign in again."), "{list}");
    let view =
        app.raw(Method::GET, "/sfn/customers/board?status=active&page=2", None, None, "", &[("cookie", "")]).await;
    assert!(
        view.text.contains(r#"<a href="/login?next=/customers%3Fstatus%3Dactive%26page%3D2" class="#),
        "the link signs in again and comes back to the view: {}",
        view.text
    );
}

on_both_backends!(
    the_board_s_html_for_a_view_is_the_html_the_page_shows_for_it,
    the_board_s_html_follows_the_role_and_the_tenant_and_needs_a_session,
    the_page_shows_the_statistics_and_the_tenants_thresholds_read_together,
    the_page_statistics_follow_every_change_made_after_they_were_shown,
    the_page_shows_each_customer_once_as_a_row_and_its_text_is_never_markup,
    the_menu_marks_the_page_shown_and_the_pages_under_it_as_current,
    a_created_customer_has_exactly_the_seed_fields_and_its_consents,
    tiers_change_at_100_500_and_1000_points,
    search_finds_name_email_and_phone_digits_ignoring_case,
    a_search_alone_lists_what_the_same_search_with_another_filter_lists,
    filters_and_search_combine,
    every_ordering_field_sorts_both_ways_with_an_id_tie_breaker,
    pages_link_to_each_other_and_never_repeat_a_row,
    validation_errors_use_drf_shapes_and_write_nothing,
    the_same_email_is_fine_in_another_tenant,
    put_needs_name_and_email_and_patch_changes_only_what_is_given,
    another_tenants_customers_are_not_found_and_unchanged_on_every_endpoint,
    update_points_validates_clamps_and_records_history,
    fifty_concurrent_increments_add_exactly_fifty,
    forty_creates_at_once_of_twenty_emails_create_each_once_and_refuse_the_rest_whole,
    cashiers_may_add_points_but_not_deduct_delete_or_bulk_update,
    bulk_update_counts_the_callers_customers_and_refuses_bad_input,
    an_idempotency_key_applies_a_request_once,
    a_create_answers_the_customer_as_stored_and_never_gives_an_id_twice,
    the_detail_adds_the_average_order_value,
    a_page_read_again_after_its_customers_changed_shows_them_as_they_are_now,
    a_demo_load_into_an_empty_table_puts_back_every_index_trigger_and_key_it_set_aside,
    a_load_into_an_empty_table_writes_what_a_load_into_a_filled_one_writes,
);

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_method_the_api_serves() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let reply = app.request(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.json["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", reply.json["openapi"]);
    let paths = reply.json["paths"].as_object().expect("paths");
    assert!(paths.len() >= 10, "{} paths", paths.len());
    for (path, item) in paths {
        let concrete = path.replace("{id}", "1");
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let documented = item.get(method.as_str().to_lowercase()).is_some();
            let answer = app.request(method.clone(), &concrete, None, None).await.status;
            let served = answer != StatusCode::METHOD_NOT_ALLOWED;
            assert_eq!(documented, served, "{method} {path}: documented {documented}, answered {answer}");
        }
    }
}
