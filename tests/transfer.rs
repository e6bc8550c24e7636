//! Customers in and out: CSV import (dry run, upsert, errors that write nothing) and the streamed
//! export, through the real router, on both databases.

mod common;

use axum::http::{Method, StatusCode};
use common::{Db, Reply, TestApp};
use serde_json::{json, Value};

const TENANT: &str = "Warung Sari";

async fn import(app: &TestApp, token: &str, query: &str, file: &[u8]) -> Reply {
    let path = format!("/api/customers/import/{query}");
    let body = String::from_utf8_lossy(file).into_owned();
    if std::str::from_utf8(file).is_ok() {
        app.raw(Method::POST, &path, Some(token), Some(body), "text/csv", &[]).await
    } else {
        raw_bytes(app, &path, token, file.to_vec(), "text/csv").await
    }
}

/// A POST whose body is any bytes (not only UTF-8 text).
async fn raw_bytes(app: &TestApp, path: &str, token: &str, body: Vec<u8>, content_type: &str) -> Reply {
    app.raw_bytes(Method::POST, path, Some(token), Some(body), content_type, &[]).await
}

async fn customers(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/api/customers/?page_size=100&{query}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["results"].as_array().cloned().unwrap_or_default()
}

async fn export(app: &TestApp, token: &str, query: &str) -> Reply {
    let reply = app.get(&format!("/api/customers/export/{query}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply
}

fn counts(report: &Value) -> (i64, i64, i64, i64) {
    let n = |k: &str| report[k].as_i64().unwrap_or(-1);
    (n("rows"), n("created"), n("updated"), n("unchanged"))
}

async fn files_with_a_bom_semicolons_tabs_and_quoted_line_breaks_import(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "manager").await;
    let semicolons = "\u{feff}Name;E-mail;Address;Loyalty Points;Favourite\r\n\
                      Sari;sari@x.co;\"Jl. Dago 1;\r\nBandung\";150;rendang\r\n";
    let reply = import(&app, &token, "", semicolons.as_bytes()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(counts(&reply.json), (1, 1, 0, 0));
    assert_eq!(reply.json["ignored_columns"], json!(["Favourite"]));
    let tabs = "name\temail\tphone\tis_active\nBudi\tbudi@x.co\t'+62 812\tfalse\n";
    assert_eq!(counts(&import(&app, &token, "", tabs.as_bytes()).await.json), (1, 1, 0, 0));

    let sari = &customers(&app, &token, "search=sari").await[0];
    assert_eq!(sari["address"], "Jl. Dago 1;\r\nBandung");
    assert_eq!((sari["loyalty_points"].as_i64(), sari["loyalty_tier"].as_str()), (Some(150), Some("Silver")));
    let history = app.get(&format!("/api/customers/{}/points_history/", sari["id"]), &token).await.json;
    assert_eq!(history["results"][0]["source"], "import");
    assert_eq!(history["results"][0]["points"], 150);
    let budi = &customers(&app, &token, "search=budi").await[0];
    assert_eq!((budi["phone"].as_str(), budi["is_active"].as_bool()), (Some("+62 812"), Some(false)));
    let stats = app.get("/api/customers/stats/", &token).await.json;
    assert_eq!((stats["total_customers"].as_i64(), stats["active_customers"].as_i64()), (Some(2), Some(1)));
    assert_eq!(stats["total_loyalty_points"], 150);
}

async fn a_file_with_three_bad_rows_writes_nothing_and_says_where(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "owner").await;
    let file = "name,email,loyalty_points,total_spent\n\
                Ani,ani@x.co,5,10.00\n\
                ,blank@x.co,,\n\
                Bad Email,not-an-email,,\n\
                Dewi,dewi@x.co,-3,1.234\n\
                Eka,eka@x.co,,\n";
    let dry = import(&app, &token, "?dry_run=true", file.as_bytes()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert_eq!(dry.json["dry_run"], true);
    assert_eq!(counts(&dry.json), (5, 2, 0, 0));
    let refused = import(&app, &token, "", file.as_bytes()).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert_eq!(refused.json["dry_run"], false);
    assert_eq!(
        refused.json["errors"],
        json!([
            { "row": 3, "field": "name", "message": "This field may not be blank." },
            { "row": 4, "field": "email", "message": "Enter a valid email address." },
            { "row": 5, "field": "loyalty_points", "message": "Ensure this value is greater than or equal to 0." },
            { "row": 5, "field": "total_spent", "message": "Ensure that there are no more than 2 decimal places." },
        ])
    );
    assert!(customers(&app, &token, "").await.is_empty(), "nothing is written");
    assert_eq!(app.get("/api/customers/stats/", &token).await.json["total_customers"], 0);
}

async fn rows_naming_one_email_twice_are_reported_and_nothing_is_written(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "owner").await;
    let file = "name,email\nAni,ani@x.co\nBudi,budi@x.co\nAni again,ANI@x.co\n";
    let reply = import(&app, &token, "", file.as_bytes()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.json["duplicates_in_file"], json!([{ "email": "ani@x.co", "rows": [2, 4] }]));
    assert!(customers(&app, &token, "").await.is_empty());
}

async fn upsert_changes_what_differs_and_create_refuses_known_emails(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "manager").await;
    for (name, email, phone) in [("Ani", "ani@x.co", "0811"), ("Budi", "budi@x.co", "0812")] {
        let body = json!({ "name": name, "email": email, "phone": phone, "loyalty_points": 20 });
        assert_eq!(app.post("/api/customers/", &token, body).await.status, StatusCode::CREATED);
    }
    let file = "name,email,phone,loyalty_points,total_orders\n\
                Ani,ANI@x.co,0811,20,\n\
                Budi,budi@x.co,0899,120,4\n\
                Citra,citra@x.co,,,\n";
    let created = import(&app, &token, "?mode=create", file.as_bytes()).await;
    assert_eq!(created.status, StatusCode::BAD_REQUEST, "{}", created.text);
    let fields: Vec<(i64, &str)> = created.json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["row"].as_i64().unwrap_or(0), e["field"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(fields, vec![(2, "email"), (3, "email")]);

    let reply = import(&app, &token, "?mode=upsert", file.as_bytes()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(counts(&reply.json), (3, 1, 1, 1));
    let budi = &customers(&app, &token, "search=budi").await[0];
    assert_eq!((budi["phone"].as_str(), budi["loyalty_points"].as_i64()), (Some("0899"), Some(120)));
    assert_eq!(budi["total_orders"], 4, "the total from the file is the opening orders");
    assert_eq!(budi["email"], "budi@x.co");
    let history = app.get(&format!("/api/customers/{}/points_history/", budi["id"]), &token).await.json;
    assert_eq!(
        (history["results"][0]["source"].as_str(), history["results"][0]["points"].as_i64()),
        (Some("import"), Some(100))
    );
    let consent = "name,email,marketing_sms\nBudi,budi@x.co,yes\n";
    assert_eq!(counts(&import(&app, &token, "", consent.as_bytes()).await.json), (1, 0, 1, 0));
    let consents = app.get(&format!("/api/customers/{}/consents/", budi["id"]), &token).await.json;
    assert_eq!(
        (consents["results"][0]["source"].as_str(), consents["results"][0]["granted"].as_bool()),
        (Some("import"), Some(true))
    );
    let ani = &customers(&app, &token, "search=ani").await[0];
    assert_eq!(ani["email"], "ani@x.co", "an unchanged row leaves the email's spelling alone");

    // Again: everything is as the file says.
    assert_eq!(counts(&import(&app, &token, "", file.as_bytes()).await.json), (3, 0, 0, 3));
    let activity = app.get("/api/activity/?action=customers.imported", &app.token(TENANT, "owner").await).await;
    assert_eq!(activity.json["count"], 2, "an import with nothing to write leaves no row: {}", activity.text);
}

async fn cashiers_may_not_import_and_unreadable_files_are_refused_whole(db: Db) {
    let app = TestApp::spawn(db).await;
    let cashier = app.token(TENANT, "cashier").await;
    let reply = import(&app, &cashier, "", b"name,email\nA,a@x.co\n").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let token = app.token(TENANT, "manager").await;
    let no_email = import(&app, &token, "", b"name,phone\nA,1\n").await;
    assert_eq!(no_email.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_email.json["detail"], "The file has no \"email\" column.");
    let no_email_dry = import(&app, &token, "?dry_run=true", b"name,phone\nA,1\n").await;
    assert_eq!(no_email_dry.status, StatusCode::BAD_REQUEST);
    let latin1 = import(&app, &token, "", b"name,email\nAni,ani@x.co\nJos\xe9,jose@x.co\n").await;
    assert_eq!(latin1.status, StatusCode::BAD_REQUEST, "{}", latin1.text);
    assert!(latin1.json["detail"].as_str().is_some_and(|d| d.contains("row 3")), "{}", latin1.text);
    let bad_option = import(&app, &token, "?dry_run=perhaps&mode=merge", b"name,email\n").await;
    assert_eq!(bad_option.status, StatusCode::BAD_REQUEST);
    assert!(bad_option.json["dry_run"].is_array() && bad_option.json["mode"].is_array(), "{}", bad_option.text);
    let mut many = String::from("name,email\n");
    for i in 0..100_001 {
        many.push_str(&format!("C{i},c{i}@x.co\n"));
    }
    let too_many = import(&app, &token, "", many.as_bytes()).await;
    assert_eq!(too_many.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_many.text);
    let huge = format!("name,email,notes\n{}", format!("A,a@x.co,{}\n", "x".repeat(1000)).repeat(21_000));
    let too_big = import(&app, &token, "", huge.as_bytes()).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_big.text);
    assert!(too_big.json["detail"].as_str().is_some_and(|d| d.contains("20 MB")));
    assert!(customers(&app, &token, "").await.is_empty());
}

async fn a_file_sent_as_a_multipart_form_imports_too(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "owner").await;
    let boundary = "patronboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n\
         name,email\nAni,ani@x.co\n\r\n--{boundary}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let reply = raw_bytes(&app, "/api/customers/import/?dry_run=false", &token, body.into_bytes(), &content_type).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(counts(&reply.json), (1, 1, 0, 0));
    let without_file =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--{boundary}--\r\n");
    let reply = raw_bytes(&app, "/api/customers/import/", &token, without_file.into_bytes(), &content_type).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
}

async fn an_export_reads_back_as_all_unchanged_and_defuses_formulas(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "manager").await;
    let people = [
        json!({ "name": "=HYPERLINK(\"http://x\")", "email": "f@x.co", "phone": "+62 812", "notes": "two\nlines, \"quoted\"",
                "loyalty_points": 600, "marketing_email": true }),
        json!({ "name": "Budi", "email": "Budi@X.co", "city": "Bandung", "is_active": false,
                "last_order_date": "2026-03-04T05:06:07.123456Z" }),
        json!({ "name": "Citra", "email": "citra@x.co", "city": "Bandung", "notes": "@home" }),
    ];
    for body in people {
        assert_eq!(app.post("/api/customers/", &token, body).await.status, StatusCode::CREATED);
    }
    let reply = export(&app, &token, "").await;
    assert_eq!(reply.headers["content-type"], "text/csv; charset=utf-8");
    let disposition = reply.headers["content-disposition"].to_str().expect("ascii");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(disposition, format!("attachment; filename=\"customers-{today}.csv\""));
    let mut lines = reply.text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some(
            "id,name,email,phone,address,city,province,postal_code,loyalty_points,loyalty_tier,total_orders,\
             total_spent,notes,is_active,marketing_email,marketing_sms,created_at,updated_at,last_order_date"
        )
    );
    assert!(reply.text.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",f@x.co,'+62 812,"), "{}", reply.text);
    assert!(reply.text.contains(",'@home,"), "{}", reply.text);
    assert!(reply.text.contains(",Gold,0,0.00,\"two\nlines, \"\"quoted\"\"\",true,true,false,"), "{}", reply.text);
    assert!(reply.text.contains(",false,false,false,") && reply.text.contains("2026-03-04T05:06:07.123456Z"));

    let again = import(&app, &token, "", reply.text.as_bytes()).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(counts(&again.json), (3, 0, 0, 3));
    assert_eq!(again.json["ignored_columns"], json!(["id", "loyalty_tier", "created_at", "updated_at"]));
}

async fn an_export_follows_the_lists_filters_search_and_ordering_across_every_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "owner").await;
    let mut file = String::from("name,email,city,loyalty_points\n");
    for i in 0..250 {
        let city = if i % 2 == 0 { "Bandung" } else { "Medan" };
        file.push_str(&format!("Customer {i},c{i}@x.co,{city},{}\n", i % 7));
    }
    assert_eq!(import(&app, &token, "", file.as_bytes()).await.status, StatusCode::OK);
    let reply = export(&app, &token, "?city=Bandung&ordering=-loyalty_points&page_size=10&page=3").await;
    let lines: Vec<&str> = reply.text.trim_end().split("\r\n").skip(1).collect();
    assert_eq!(lines.len(), 125, "every page, whatever the page asked");
    let points: Vec<i64> =
        lines.iter().map(|l| l.split(',').nth(8).and_then(|p| p.parse().ok()).unwrap_or(-1)).collect();
    assert!(points.windows(2).all(|w| w[0] >= w[1]), "ordered by points, descending");
    assert!(lines.iter().all(|l| l.contains(",Bandung,")));
    let other_tenant = app.token("Other Place", "owner").await;
    assert_eq!(export(&app, &other_tenant, "").await.text.trim_end().lines().count(), 1, "only the header");
    let bad = app.get("/api/customers/export/?is_active=maybe", &token).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn a_file_of_a_hundred_thousand_new_customers_imports_in_one_go(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token(TENANT, "owner").await;
    let mut file = String::from("name,email,phone,city,loyalty_points,total_orders,total_spent\n");
    for i in 0..100_000 {
        file.push_str(&format!(
            "Customer {i},c{i}@x.co,0812{i:07},City {},{},{},{}.50\n",
            i % 50,
            i % 1200,
            i % 9,
            i % 1000
        ));
    }
    let reply = import(&app, &token, "", file.as_bytes()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", &reply.text[..reply.text.len().min(500)]);
    assert_eq!(counts(&reply.json), (100_000, 100_000, 0, 0));
    let stats = app.get("/api/customers/stats/", &token).await.json;
    assert_eq!(stats["total_customers"], 100_000);
    let points: i64 = (0..100_000_i64).map(|i| i % 1200).sum();
    assert_eq!(stats["total_loyalty_points"], points);
    let platinum = (0..100_000_i64).filter(|i| i % 1200 >= 1000).count();
    assert_eq!(stats["customers_by_tier"]["platinum"], platinum as i64);
    let listed = app.get("/api/customers/?search=c99999@x.co", &token).await.json;
    assert_eq!(listed["results"][0]["total_spent"], "999.50");
}

async fn the_page_checks_a_file_then_imports_it_in_the_background_without_javascript(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user(TENANT, "manager@warung.test", "manager").await;
    let cookie = app.session_cookie(&email).await;
    let signed_in = [("cookie", cookie.as_str()), common::SAME_ORIGIN];
    let boundary = "pageboundary";
    let form = |file: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nupsert\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n\
             {file}\r\n--{boundary}--\r\n"
        )
    };
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let post = |body: String, path: &'static str| {
        let content_type = content_type.clone();
        let app = &app;
        async move { app.raw(Method::POST, path, None, Some(body), &content_type, &signed_in).await }
    };

    let bad = post(form("name,email\nAni,ani@x.co\nBudi,nope\n"), "/customers/import/check").await;
    assert_eq!(bad.status, StatusCode::SEE_OTHER, "{}", bad.text);
    let report_page = bad.headers["location"].to_str().expect("location").to_owned();
    assert!(report_page.starts_with("/customers/import?job="), "{report_page}");
    let page = app.raw(Method::GET, &report_page, None, None, "", &signed_in).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Enter a valid email address.") && page.text.contains("Nothing was imported."));
    let job = report_page.trim_start_matches("/customers/import?job=");
    let refused = app.raw(Method::POST, &format!("/customers/import/{job}/run"), None, None, "", &signed_in).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    let errors = app.raw(Method::GET, &format!("/customers/import/{job}/errors.csv"), None, None, "", &signed_in).await;
    assert_eq!(errors.text, "row,column,problem\r\n3,email,Enter a valid email address.\r\n");

    let good =
        post(form("name,email,loyalty_points\nAni,ani@x.co,5\nBudi,budi@x.co,\n"), "/customers/import/check").await;
    let report_page = good.headers["location"].to_str().expect("location").to_owned();
    let page = app.raw(Method::GET, &report_page, None, None, "", &signed_in).await;
    assert!(page.text.contains("Import 2 customers"), "{}", page.text);
    let job = report_page.trim_start_matches("/customers/import?job=").to_owned();
    let other = app.user(TENANT, "other.manager@warung.test", "manager").await;
    let other_cookie = app.session_cookie(&other).await;
    let stranger = [("cookie", other_cookie.as_str()), common::SAME_ORIGIN];
    let errors = app.raw(Method::GET, &format!("/customers/import/{job}/errors.csv"), None, None, "", &stranger).await;
    assert_eq!(errors.status, StatusCode::NOT_FOUND, "another user does not see the job");

    let run = app.raw(Method::POST, &format!("/customers/import/{job}/run"), None, None, "", &signed_in).await;
    assert_eq!(run.status, StatusCode::SEE_OTHER);
    let mut finished = String::new();
    for _ in 0..100 {
        finished = app.raw(Method::GET, &report_page, None, None, "", &signed_in).await.text;
        if finished.contains("Import finished.") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(finished.contains("2 new, 0 updated, 0 unchanged."), "{finished}");
    let token = app.tokens_for(&email).await.0;
    assert_eq!(customers(&app, &token, "").await.len(), 2);
    let cashier = app.user(TENANT, "cashier@warung.test", "cashier").await;
    let cashier_cookie = app.session_cookie(&cashier).await;
    let cashier_page =
        app.raw(Method::GET, "/customers/import", None, None, "", &[("cookie", cashier_cookie.as_str())]).await;
    assert_eq!(cashier_page.status, StatusCode::FORBIDDEN);
}

on_both_backends!(
    the_page_checks_a_file_then_imports_it_in_the_background_without_javascript,
    files_with_a_bom_semicolons_tabs_and_quoted_line_breaks_import,
    a_file_with_three_bad_rows_writes_nothing_and_says_where,
    rows_naming_one_email_twice_are_reported_and_nothing_is_written,
    upsert_changes_what_differs_and_create_refuses_known_emails,
    cashiers_may_not_import_and_unreadable_files_are_refused_whole,
    a_file_sent_as_a_multipart_form_imports_too,
    an_export_reads_back_as_all_unchanged_and_defuses_formulas,
    an_export_follows_the_lists_filters_search_and_ordering_across_every_page,
    a_file_of_a_hundred_thousand_new_customers_imports_in_one_go,
);
