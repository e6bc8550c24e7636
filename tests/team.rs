//! The team and its activity: the last active owner, a user's own password and sessions, and the
//! activity log written in the transaction of every change.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{Db, TestApp, PASSWORD, SAME_ORIGIN};
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a brand new till passphrase";

async fn activity(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/api/activity/?page_size=100{query}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["results"].as_array().cloned().unwrap_or_default()
}

fn actions(rows: &[Value]) -> Vec<&str> {
    rows.iter().filter_map(|row| row["action"].as_str()).collect()
}

async fn two_owners_demoting_each_other_at_once_leave_one_owner(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app.user("Warung Sari", "a@warung.test", "owner").await;
    let b = app.user("Warung Sari", "b@warung.test", "owner").await;
    let (token_a, token_b) = (app.tokens_for(&a).await.0, app.tokens_for(&b).await.0);
    let users = app.get("/api/users/", &token_a).await;
    let id_of = |email: &str| {
        users.json.as_array().and_then(|all| all.iter().find(|u| u["email"] == email)).map(|u| u["id"].clone())
    };
    let (id_a, id_b) = (id_of(&a).expect("a"), id_of(&b).expect("b"));
    // Both callers are owners when they ask (as two requests authenticated at the same moment).
    let core = &app.state.core;
    let ctx_a = patron::services::accounts::authenticate_token(core, &token_a, None).await.expect("a");
    let ctx_b = patron::services::accounts::authenticate_token(core, &token_b, None).await.expect("b");
    let demote = |ctx: patron::domain::RequestContext, id: Value| async move {
        let change = patron::services::accounts::UserChangeInput { role: Some("manager".into()), ..Default::default() };
        patron::services::accounts::change_user(core, &ctx, id.as_i64().expect("id"), change).await
    };
    let (one, two) = tokio::join!(demote(ctx_a, id_b), demote(ctx_b, id_a));
    let refused = match (&one, &two) {
        (Ok(_), Err(refused)) | (Err(refused), Ok(_)) => refused,
        _ => panic!("exactly one demotion must pass: {one:?} / {two:?}"),
    };
    assert!(
        matches!(refused, patron::services::ServiceError::Conflict(m) if m.contains("last active owner")),
        "{refused:?}"
    );
    let survivor = if one.is_ok() { &token_a } else { &token_b };
    let users = app.get("/api/users/", survivor).await;
    let owners = users
        .json
        .as_array()
        .map_or(0, |all| all.iter().filter(|u| u["role"] == "owner" && u["is_active"] == true).count());
    assert_eq!(owners, 1, "{}", users.text);
}

async fn a_user_changes_their_own_password_and_every_old_token_ends(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "cashier@warung.test", "cashier").await;
    let (access, refresh) = app.tokens_for(&email).await;
    let change = |current: &str, new: &str| json!({ "current_password": current, "new_password": new });
    let wrong = app.post("/api/auth/password/", &access, change("not my password", NEW_PASSWORD)).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.json["current_password"].is_array(), "{}", wrong.text);
    let short = app.post("/api/auth/password/", &access, change(PASSWORD, "short one")).await;
    assert!(short.json["new_password"][0].as_str().unwrap_or_default().contains("at least 12"), "{}", short.text);
    let common = app.post("/api/auth/password/", &access, change(PASSWORD, "1qaz2wsx3edc")).await;
    assert!(common.json["new_password"][0].as_str().unwrap_or_default().contains("too common"), "{}", common.text);
    let done = app.post("/api/auth/password/", &access, change(PASSWORD, NEW_PASSWORD)).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
    assert_eq!(app.get("/api/customers/", &access).await.status, StatusCode::UNAUTHORIZED);
    let refreshed =
        app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": refresh }))).await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED);
    let old = app
        .request(Method::POST, "/api/auth/token/", None, Some(json!({ "email": email, "password": PASSWORD })))
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app
        .request(Method::POST, "/api/auth/token/", None, Some(json!({ "email": email, "password": NEW_PASSWORD })))
        .await;
    assert_eq!(new.status, StatusCode::OK);
}

async fn signing_out_everywhere_ends_every_session_and_token(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "manager@warung.test", "manager").await;
    let cookie = app.session_cookie(&email).await;
    let (access, refresh) = app.tokens_for(&email).await;
    let (other_access, _) = app.tokens_for(&email).await;
    let out = app.request(Method::POST, "/api/auth/logout_all/", Some(&access), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/customers/", &other_access).await.status, StatusCode::UNAUTHORIZED);
    let refreshed =
        app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": refresh }))).await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED);
    let page = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert!(page.status.is_redirection(), "the browser session ended too");
}

async fn every_change_is_logged_with_its_actor_target_details_and_address(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token("Warung Sari", "owner").await;
    let created = app
        .post("/api/customers/", &owner, json!({ "name": "Ana Lim", "email": "ana@example.com", "city": "Ubud" }))
        .await;
    let id = created.json["id"].as_i64().expect("id");
    let edit = app
        .request(
            Method::PATCH,
            &format!("/api/customers/{id}/"),
            Some(&owner),
            Some(json!({ "city": "Denpasar", "phone": "0812" })),
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    app.post(&format!("/api/customers/{id}/update_points/"), &owner, json!({ "points": 40, "reason": "birthday" }))
        .await;
    app.post("/api/customers/bulk_update/", &owner, json!({ "customer_ids": [id], "action": "deactivate" })).await;
    let rows = activity(&app, &owner, "").await;
    assert_eq!(
        actions(&rows),
        ["customer.bulk_updated", "customer.points_changed", "customer.updated", "customer.created", "auth.signed_in"]
    );
    let update = &rows[2];
    assert_eq!(update["details"]["changes"]["city"], json!({ "from": "Ubud", "to": "Denpasar" }));
    assert_eq!(update["details"]["changes"]["phone"], json!({ "from": "", "to": "0812" }));
    assert!(update["details"]["changes"].get("name").is_none(), "unchanged fields are not listed");
    assert_eq!(update["target"], json!({ "type": "customer", "id": id, "label": "Ana Lim" }));
    assert!(update["actor"]["email"].as_str().unwrap_or_default().starts_with("owner."));
    assert_eq!(update["client_address"], "127.0.0.1");
    assert_eq!(rows[1]["details"]["points"], 40);
    assert_eq!(rows[1]["details"]["reason"], "birthday");
    assert_eq!(rows[0]["details"]["count"], 1);
    assert_eq!(rows[0]["details"]["action"], "deactivate");

    let deleted = app.request(Method::DELETE, &format!("/api/customers/{id}/"), Some(&owner), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let timeline = activity(&app, &owner, &format!("&target_type=customer&target_id={id}")).await;
    assert_eq!(timeline.len(), 4, "the deleted customer's rows are kept (the bulk row names no one customer)");
    assert_eq!(timeline[0]["action"], "customer.deleted");
    assert_eq!(timeline[0]["target"]["label"], "Ana Lim");
    let only_edits = activity(&app, &owner, "&action=customer.updated").await;
    assert_eq!(only_edits.len(), 1);
    let bad = app.get("/api/activity/?action=customer.exploded&since=yesterday", &owner).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json["action"].is_array() && bad.json["since"].is_array(), "{}", bad.text);
    let future = activity(&app, &owner, "&since=2999-01-01T00:00:00Z").await;
    assert!(future.is_empty());
}

async fn sign_ins_failures_and_team_changes_are_logged(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token("Warung Sari", "owner").await;
    let added = app
        .post(
            "/api/users/",
            &owner,
            json!({ "email": "new.cashier@warung.test", "password": NEW_PASSWORD, "role": "cashier" }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let id = added.json["id"].as_i64().expect("id");
    let wrong = json!({ "email": "new.cashier@warung.test", "password": "wrong guess" });
    app.request(Method::POST, "/api/auth/token/", None, Some(wrong)).await;
    app.request(
        Method::PATCH,
        &format!("/api/users/{id}/"),
        Some(&owner),
        Some(json!({ "role": "manager", "is_active": false })),
    )
    .await;
    let rows = activity(&app, &owner, &format!("&target_type=user&target_id={id}")).await;
    assert_eq!(actions(&rows), ["user.updated", "auth.sign_in_failed", "user.created"]);
    assert_eq!(rows[0]["details"]["changes"]["role"], json!({ "from": "cashier", "to": "manager" }));
    assert_eq!(rows[0]["details"]["changes"]["is_active"], json!({ "from": true, "to": false }));
    assert_eq!(rows[1]["actor"]["id"], Value::Null, "nobody is signed in when a sign-in fails");
    let users = app.get("/api/users/", &owner).await;
    let me = users.json.as_array().and_then(|all| all.iter().find(|u| u["role"] == "owner").cloned()).expect("owner");
    assert!(me["last_sign_in_at"].is_string(), "{me}");
}

async fn only_owners_read_the_log_and_never_another_tenants(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token("Warung Sari", "owner").await;
    let other = app.token("Toko Lain", "owner").await;
    app.post("/api/customers/", &other, json!({ "name": "Secret", "email": "secret@example.com" })).await;
    for role in ["manager", "cashier"] {
        let token = app.token("Warung Sari", role).await;
        assert_eq!(app.get("/api/activity/", &token).await.status, StatusCode::FORBIDDEN, "{role}");
    }
    let rows = activity(&app, &owner, "").await;
    assert!(rows.iter().all(|row| row["target"]["label"] != "Secret"), "{rows:?}");
    assert_eq!(app.get("/api/activity/", "not a token").await.status, StatusCode::UNAUTHORIZED);
}

/// Makes the database refuse activity rows labelled `Boom`.
async fn refuse_boom_rows(app: &TestApp, db: Db) {
    use sqlx::Connection;
    match db {
        Db::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.db.url).await.expect("sqlite");
            sqlx::query(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON activity WHEN NEW.target_label = 'Boom' \
                 BEGIN SELECT RAISE(ABORT, 'boom'); END",
            )
            .execute(&mut conn)
            .await
            .expect("trigger");
        }
        Db::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.db.url).await.expect("postgres");
            sqlx::raw_sql(
                "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.target_label = 'Boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$; \
                 CREATE TRIGGER refuse_boom BEFORE INSERT ON activity FOR EACH ROW EXECUTE FUNCTION refuse_boom();",
            )
            .execute(&mut conn)
            .await
            .expect("trigger");
        }
    }
}

async fn a_change_whose_activity_row_fails_is_undone_with_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token("Warung Sari", "owner").await;
    refuse_boom_rows(&app, db).await;
    let failed = app.post("/api/customers/", &owner, json!({ "name": "Boom", "email": "boom@example.com" })).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    let list = app.get("/api/customers/?search=boom", &owner).await;
    assert_eq!(list.json["count"], 0, "the customer was not kept without its activity row");
    let stats = app.get("/api/customers/stats/", &owner).await;
    assert_eq!(stats.json["total_customers"], 0);
}

/// Signs in through the form; the session cookie.
async fn browser_session(app: &TestApp, email: &str, password: &str) -> String {
    let form = format!("email={}&password={}", email.replace('@', "%40"), password.replace(' ', "+"));
    let reply =
        app.raw(Method::POST, "/login", None, Some(form), "application/x-www-form-urlencoded", &[SAME_ORIGIN]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    reply.cookie()
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &str) -> common::Reply {
    app.raw(
        Method::POST,
        path,
        None,
        Some(form.to_owned()),
        "application/x-www-form-urlencoded",
        &[("cookie", cookie), SAME_ORIGIN],
    )
    .await
}

async fn the_team_and_account_forms_work_as_plain_posts(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let cookie = browser_session(&app, &owner, PASSWORD).await;
    let added =
        post_form(&app, "/settings/team/users", &cookie, "email=till%40warung.test&role=cashier&password=").await;
    assert_eq!(
        (added.status, added.headers[header::LOCATION].to_str().ok()),
        (StatusCode::SEE_OTHER, Some("/settings/team"))
    );
    let page = app.raw(Method::GET, "/settings/team", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Added till@warung.test as cashier."), "the message is shown once");
    let generated = page
        .text
        .split("First password for till@warung.test: ")
        .nth(1)
        .and_then(|rest| rest.get(..24))
        .expect("a password");
    let again = app.raw(Method::GET, "/settings/team", None, None, "", &[("cookie", &cookie)]).await;
    assert!(!again.text.contains(generated), "a generated password is shown once only");

    let cashier = browser_session(&app, "till@warung.test", generated).await;
    let forbidden = app.raw(Method::GET, "/settings/team", None, None, "", &[("cookie", &cashier)]).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let log = app.raw(Method::GET, "/settings/activity", None, None, "", &[("cookie", &cashier)]).await;
    assert_eq!(log.status, StatusCode::FORBIDDEN);
    let refused = post_form(&app, "/settings/team/users", &cashier, "email=x%40warung.test&role=owner&password=").await;
    let shown = app.raw(Method::GET, "/account", None, None, "", &[("cookie", &cashier)]).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(shown.text.contains("Only owners manage the team."), "{}", shown.text);

    let changed = post_form(
        &app,
        "/account/password",
        &cashier,
        &format!("current_password={generated}&new_password=a+new+passphrase+here"),
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let cookie_after = changed
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or(&cashier)
        .to_owned();
    let account = app.raw(Method::GET, "/account", None, None, "", &[("cookie", &cookie_after)]).await;
    assert_eq!(account.status, StatusCode::OK, "this browser stays signed in");
    assert!(account.text.contains("Your password is changed."));

    let users = app.get("/api/users/", &app.tokens_for(&owner).await.0).await;
    let id = users
        .json
        .as_array()
        .and_then(|all| all.iter().find(|u| u["email"] == "till@warung.test"))
        .map(|u| u["id"].clone())
        .expect("id");
    let deactivated = post_form(&app, &format!("/settings/team/users/{id}"), &cookie, "action=deactivate").await;
    assert_eq!(deactivated.status, StatusCode::SEE_OTHER);
    let ended = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie_after)]).await;
    assert!(ended.status.is_redirection(), "the deactivated user's session ended at once");
    let activity_page =
        app.raw(Method::GET, "/settings/activity?action=user.updated", None, None, "", &[("cookie", &cookie)]).await;
    assert!(activity_page.text.contains("is_active: true → false"), "{}", activity_page.text);
    let out = post_form(&app, "/account/logout_all", &cookie, "").await;
    assert_eq!(out.headers[header::LOCATION], "/login");
    let after = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert!(after.status.is_redirection());
}

async fn a_customer_page_shows_its_timeline(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let token = app.tokens_for(&owner).await.0;
    let created = app.post("/api/customers/", &token, json!({ "name": "Ana Lim", "email": "ana@example.com" })).await;
    let id = created.json["id"].as_i64().expect("id");
    app.post(&format!("/api/customers/{id}/update_points/"), &token, json!({ "points": 40, "reason": "birthday" }))
        .await;
    let cookie = browser_session(&app, &owner, PASSWORD).await;
    let page = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        app.raw(Method::GET, &format!("/customers/{id}"), None, None, "", &[("cookie", &cookie)]),
    )
    .await
    .expect("the page renders");
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Points changed") && page.text.contains("reason: birthday"), "{}", page.text);
}

on_both_backends!(
    a_customer_page_shows_its_timeline,
    the_team_and_account_forms_work_as_plain_posts,
    two_owners_demoting_each_other_at_once_leave_one_owner,
    a_user_changes_their_own_password_and_every_old_token_ends,
    signing_out_everywhere_ends_every_session_and_token,
    every_change_is_logged_with_its_actor_target_details_and_address,
    sign_ins_failures_and_team_changes_are_logged,
    only_owners_read_the_log_and_never_another_tenants,
    a_change_whose_activity_row_fails_is_undone_with_it,
);
