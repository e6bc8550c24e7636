//! Duplicates and merges: the groups found by email, phone and name, a merge of three customers
//! with their orders and ledgers, its exact undo, and what is refused, through the real router,
//! on both databases.

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

async fn order(app: &TestApp, token: &str, id: i64, reference: &str, total: &str) {
    let reply = app
        .post(&format!("/api/customers/{id}/orders/"), token, json!({ "reference": reference, "total": total }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

/// The ids of each group's customers, with its reason.
fn groups(page: &Value) -> Vec<(String, Vec<i64>)> {
    page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|g| {
            let ids = g["customers"].as_array().expect("customers").iter().filter_map(|c| c["id"].as_i64()).collect();
            (g["reason"].as_str().unwrap_or("").to_owned(), ids)
        })
        .collect()
}

/// What a customer is, without the time of its last change or the detail's derived figures.
fn essence(customer: &Value) -> Value {
    let mut customer = customer.clone();
    if let Some(object) = customer.as_object_mut() {
        for derived in ["updated_at", "average_order_value", "points_expiring"] {
            object.remove(derived);
        }
    }
    customer
}

/// A customer's points history, each row without its id.
async fn ledger(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let page = app.get(&format!("/api/customers/{id}/points_history/?page_size=100"), token).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    page.json["results"].as_array().expect("rows").clone()
}

fn ledger_sum(rows: &[Value]) -> i64 {
    rows.iter().filter_map(|r| r["points"].as_i64()).sum()
}

async fn references(app: &TestApp, token: &str, id: i64) -> Vec<String> {
    let page = app.get(&format!("/api/customers/{id}/orders/?page_size=100"), token).await;
    let mut refs: Vec<String> = page.json["results"]
        .as_array()
        .expect("orders")
        .iter()
        .filter_map(|o| o["reference"].as_str().map(str::to_owned))
        .collect();
    refs.sort();
    refs
}

async fn duplicates_are_grouped_by_email_phone_and_name_in_the_same_city(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "manager").await;
    let john =
        create(&app, &token, json!({ "name": "John Smith", "email": "John.Smith@gmail.com", "city": "Jakarta" })).await;
    let johnny = create(
        &app,
        &token,
        json!({ "name": "  john  SMITH", "email": "johnsmith+till2@googlemail.com", "city": "jakarta" }),
    )
    .await;
    let sari =
        create(&app, &token, json!({ "name": "Sari", "email": "sari@x.co", "phone": "+62 812-3456-7890" })).await;
    let dewi = create(&app, &token, json!({ "name": "Dewi", "email": "dewi@x.co", "phone": "0812 3456 7890" })).await;
    create(&app, &token, json!({ "name": "John Smith", "email": "john@elsewhere.co", "city": "Bandung" })).await;
    let emile = create(&app, &token, json!({ "name": "Émile", "email": "emile@x.co", "phone": "555 0199" })).await;
    let emile_2 = create(&app, &token, json!({ "name": "Emile", "email": "emile.2@x.co", "phone": "555 0199" })).await;

    let page = app.get("/api/customers/duplicates/", &token).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(page.json["count"], 4, "{}", page.text);
    let group = |reason: &str, ids: &[i64]| (reason.to_owned(), ids.to_vec());
    // Short phones are no key; the same name with no city is one. Name keys sort "emile" first.
    assert_eq!(
        groups(&page.json),
        vec![
            group("email", &[john, johnny]),
            group("phone", &[sari, dewi]),
            group("name", &[emile, emile_2]),
            group("name", &[john, johnny]),
        ]
    );
    let first = &page.json["results"][0]["customers"][0];
    assert_eq!(first["email"], "John.Smith@gmail.com", "groups hold customer objects");

    let second = app.get("/api/customers/duplicates/?page_size=1&page=2", &token).await;
    assert_eq!(groups(&second.json), vec![("phone".to_owned(), vec![sari, dewi])]);
    assert!(second.json["previous"].is_string() && second.json["next"].is_string());

    let cashier = app.token(TENANT, "cashier").await;
    assert_eq!(app.get("/api/customers/duplicates/", &cashier).await.status, StatusCode::FORBIDDEN);
    let other = app.token("Other Place", "owner").await;
    assert_eq!(app.get("/api/customers/duplicates/", &other).await.json["count"], 0);

    // Erased customers are nobody's duplicates; an edit moves a customer between groups.
    let owner = app.token(TENANT, "owner").await;
    assert_eq!(app.post(&format!("/api/customers/{dewi}/erase/"), &owner, json!({})).await.status, StatusCode::OK);
    let patched = app
        .request(Method::PATCH, &format!("/api/customers/{johnny}/"), Some(&token), Some(json!({ "city": "Bogor" })))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    let reasons: Vec<String> =
        groups(&app.get("/api/customers/duplicates/", &token).await.json).into_iter().map(|(r, _)| r).collect();
    assert_eq!(reasons, ["email", "name"], "no phone group, no Jakarta name group");
}

async fn a_merge_of_three_moves_orders_and_ledgers_and_its_undo_restores_each_customer(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "manager").await;
    let absorbed_a =
        create(&app, &token, json!({ "name": "Sari W", "email": "sari.w@x.co", "phone": "0812 1111 2222", "address": "Jl. Dago 1", "loyalty_points": 40 }))
            .await;
    let absorbed_b = create(
        &app,
        &token,
        json!({ "name": "S. Wijaya", "email": "sariw@x.co", "notes": "Window seat", "loyalty_points": 5 }),
    )
    .await;
    let survivor = create(
        &app,
        &token,
        json!({ "name": "Sari Wijaya", "email": "sari@x.co", "city": "Bandung", "loyalty_points": 10 }),
    )
    .await;
    let bystander = create(&app, &token, json!({ "name": "Budi", "email": "budi@x.co", "loyalty_points": 3 })).await;
    order(&app, &token, survivor, "R-1", "250000").await;
    order(&app, &token, absorbed_a, "R-2", "120000").await;
    order(&app, &token, absorbed_b, "R-3", "80000").await;
    let given = app
        .post(
            &format!("/api/customers/{absorbed_b}/update_points/"),
            &token,
            json!({ "points": 7, "reason": "birthday" }),
        )
        .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.text);

    let stats_before = app.get("/api/customers/stats/", &token).await.json;
    let before_a = app.get(&format!("/api/customers/{absorbed_a}/"), &token).await.json;
    let before_b = app.get(&format!("/api/customers/{absorbed_b}/"), &token).await.json;
    let before_s = app.get(&format!("/api/customers/{survivor}/"), &token).await.json;
    let ledger_a = ledger(&app, &token, absorbed_a).await;
    let ledger_b = ledger(&app, &token, absorbed_b).await;

    let merged = app
        .post(&format!("/api/customers/{survivor}/merge/"), &token, json!({ "merge_ids": [absorbed_b, absorbed_a] }))
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
    let merge_id = merged.json["merge_id"].as_i64().expect("merge_id");
    let c = &merged.json["customer"];
    assert_eq!(c["id"], survivor);
    assert_eq!(
        (c["name"].as_str(), c["email"].as_str(), c["city"].as_str()),
        (Some("Sari Wijaya"), Some("sari@x.co"), Some("Bandung"))
    );
    assert_eq!(
        (c["phone"].as_str(), c["address"].as_str(), c["notes"].as_str()),
        (Some("0812 1111 2222"), Some("Jl. Dago 1"), Some("Window seat"))
    );
    let points = |v: &Value| v["loyalty_points"].as_i64().unwrap_or(-1);
    let orders = |v: &Value| v["total_orders"].as_i64().unwrap_or(-1);
    assert_eq!(points(c), points(&before_a) + points(&before_b) + points(&before_s));
    assert_eq!(orders(c), 3);
    assert_eq!(c["total_spent"], "450000.00");
    assert_eq!(c["created_at"], before_a["created_at"], "the earliest creation");
    assert_eq!(references(&app, &token, survivor).await, ["R-1", "R-2", "R-3"]);
    let merged_ledger = ledger(&app, &token, survivor).await;
    assert_eq!(ledger_sum(&merged_ledger), points(c), "the ledger still adds up to the points");
    for gone in [absorbed_a, absorbed_b] {
        assert_eq!(app.get(&format!("/api/customers/{gone}/"), &token).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(app.get("/api/customers/", &token).await.json["count"], 2);
    assert_eq!(app.get("/api/customers/?search=sari.w", &token).await.json["count"], 0);
    let stats = app.get("/api/customers/stats/", &token).await.json;
    assert_eq!(stats["total_customers"].as_i64(), stats_before["total_customers"].as_i64().map(|n| n - 2));
    assert_eq!(stats["total_loyalty_points"], stats_before["total_loyalty_points"]);

    // Life goes on for the survivor: an order, points, and an edit of a field the merge filled.
    order(&app, &token, survivor, "R-4", "100000").await;
    let extra = app.post(&format!("/api/customers/{survivor}/update_points/"), &token, json!({ "points": 3 })).await;
    assert_eq!(extra.status, StatusCode::OK, "{}", extra.text);
    let edited = app
        .request(
            Method::PATCH,
            &format!("/api/customers/{survivor}/"),
            Some(&token),
            Some(json!({ "notes": "Prefers the terrace" })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    let before_undo = points(&edited.json);
    // A customer created meanwhile never takes an absorbed customer's id.
    let newcomer = create(&app, &token, json!({ "name": "Newcomer", "email": "new@x.co" })).await;
    assert!(newcomer > survivor.max(absorbed_a).max(absorbed_b).max(bystander));

    let undone = app.post(&format!("/api/merges/{merge_id}/undo/"), &token, json!({})).await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text);
    let customers = undone.json["customers"].as_array().expect("customers");
    let ids: Vec<i64> = customers.iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(ids, vec![survivor, absorbed_a, absorbed_b], "survivor, then the absorbed oldest first");
    assert_eq!(essence(&customers[1]), essence(&before_a));
    assert_eq!(essence(&customers[2]), essence(&before_b));
    assert_eq!(essence(&app.get(&format!("/api/customers/{absorbed_a}/"), &token).await.json), essence(&before_a));
    assert_eq!(ledger(&app, &token, absorbed_a).await, ledger_a);
    assert_eq!(ledger(&app, &token, absorbed_b).await, ledger_b);
    assert_eq!(references(&app, &token, absorbed_a).await, ["R-2"]);
    assert_eq!(references(&app, &token, absorbed_b).await, ["R-3"]);
    assert_eq!(references(&app, &token, survivor).await, ["R-1", "R-4"]);
    let s = &customers[0];
    assert_eq!(points(s), before_undo - points(&before_a) - points(&before_b));
    assert_eq!(ledger_sum(&ledger(&app, &token, survivor).await), points(s));
    assert_eq!((s["phone"].as_str(), s["address"].as_str()), (Some(""), Some("")), "filled fields go back to blank");
    assert_eq!(s["notes"], "Prefers the terrace", "an edit made after the merge stays");
    assert_eq!(s["created_at"], before_s["created_at"]);
    assert_eq!(orders(s), 2);
    assert_eq!(s["total_spent"], "350000.00");
    let stats = app.get("/api/customers/stats/", &token).await.json;
    assert_eq!(stats["total_customers"].as_i64(), stats_before["total_customers"].as_i64().map(|n| n + 1));

    let again = app.post(&format!("/api/merges/{merge_id}/undo/"), &token, json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(again.json["detail"], "This merge has already been undone.");
    let log = app
        .get(&format!("/api/activity/?target_type=customer&target_id={survivor}"), &app.token(TENANT, "owner").await)
        .await;
    let actions: Vec<&str> =
        log.json["results"].as_array().expect("rows").iter().filter_map(|r| r["action"].as_str()).collect();
    assert!(actions.contains(&"customers.merged") && actions.contains(&"customers.merge_undone"), "{actions:?}");
}

async fn merges_are_refused_for_cashiers_bad_ids_and_other_tenants(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "owner").await;
    let a = create(&app, &token, json!({ "name": "A", "email": "a@x.co" })).await;
    let b = create(&app, &token, json!({ "name": "B", "email": "b@x.co" })).await;
    let other = app.token("Other Place", "owner").await;
    let theirs = create(&app, &other, json!({ "name": "Theirs", "email": "t@x.co" })).await;
    let path = format!("/api/customers/{a}/merge/");

    let cashier = app.token(TENANT, "cashier").await;
    assert_eq!(app.post(&path, &cashier, json!({ "merge_ids": [b] })).await.status, StatusCode::FORBIDDEN);
    for (body, message) in [
        (json!({}), "This field is required."),
        (json!({ "merge_ids": [] }), "Choose at least one customer to merge."),
        (json!({ "merge_ids": [a] }), "A customer cannot be merged into itself."),
        (json!({ "merge_ids": [b, b] }), "Each customer can be listed once."),
        (json!({ "merge_ids": (100..111).collect::<Vec<i64>>() }), "Merge at most 10 customers at once."),
        (json!({ "merge_ids": ["x"] }), "A valid integer is required."),
    ] {
        let reply = app.post(&path, &token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.text);
        assert_eq!(reply.json["merge_ids"], json!([message]), "{body}");
    }
    let malformed = app.raw(Method::POST, &path, Some(&token), Some("{".into()), "application/json", &[]).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.post(&path, &token, json!({ "merge_ids": [theirs] })).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&format!("/api/customers/{theirs}/merge/"), &token, json!({ "merge_ids": [b] })).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&format!("/api/customers/{b}/"), &token).await.status, StatusCode::OK, "nothing merged");

    let merged = app.post(&path, &token, json!({ "merge_ids": [b] })).await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
    let merge_id = merged.json["merge_id"].as_i64().expect("merge_id");
    let undo = format!("/api/merges/{merge_id}/undo/");
    assert_eq!(app.post(&undo, &other, json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post(&undo, &cashier, json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post("/api/merges/999999/undo/", &token, json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post("/api/merges/x/undo/", &token, json!({})).await.status, StatusCode::NOT_FOUND);

    // Once another customer takes an absorbed customer's email, the undo waits for it to change.
    let taker = create(&app, &token, json!({ "name": "Taker", "email": "B@x.co" })).await;
    let refused = app.post(&undo, &token, json!({})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    let moved = app
        .request(
            Method::PATCH,
            &format!("/api/customers/{taker}/"),
            Some(&token),
            Some(json!({ "email": "taker@x.co" })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_eq!(app.post(&undo, &token, json!({})).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/customers/{b}/"), &token).await.json["email"], "b@x.co");
}

on_both_backends!(
    duplicates_are_grouped_by_email_phone_and_name_in_the_same_city,
    a_merge_of_three_moves_orders_and_ledgers_and_its_undo_restores_each_customer,
    merges_are_refused_for_cashiers_bad_ids_and_other_tenants,
);
