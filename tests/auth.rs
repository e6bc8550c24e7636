//! Sign-in, tokens, roles and tenant isolation of users, through the real router.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{Db, TestApp, PASSWORD};
use patron::auth::token::{Claims, TokenKind};
use patron::services::accounts;
use serde_json::json;

async fn a_token_pair_is_issued_for_valid_credentials_and_refreshes(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "Owner@Warung.test", "owner").await;
    let (access, refresh) = app.tokens_for(&email.to_lowercase()).await;
    assert_eq!(app.get("/api/users/", &access).await.status, StatusCode::OK);
    let reply = app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": refresh }))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let new_access = reply.json["access"].as_str().unwrap_or_default().to_owned();
    assert_eq!(app.get("/api/users/", &new_access).await.status, StatusCode::OK);
    // A refresh token is not an access token, and the reverse.
    assert_eq!(app.get("/api/users/", &refresh).await.status, StatusCode::UNAUTHORIZED);
    let wrong_kind =
        app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": access }))).await;
    assert_eq!(wrong_kind.status, StatusCode::UNAUTHORIZED);
}

async fn wrong_credentials_are_refused_without_saying_which_part_is_wrong(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let wrong_password = app
        .request(Method::POST, "/api/auth/token/", None, Some(json!({ "email": email, "password": "nope nope" })))
        .await;
    let unknown_email = app
        .request(Method::POST, "/api/auth/token/", None, Some(json!({ "email": "ghost@x.test", "password": PASSWORD })))
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_email.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.json, unknown_email.json);
    // An email with a NUL character is just unknown (PostgreSQL's text cannot hold one).
    for nul in ["owner\u{0}@warung.test", "\u{0}"] {
        let reply = app
            .request(Method::POST, "/api/auth/token/", None, Some(json!({ "email": nul, "password": PASSWORD })))
            .await;
        assert_eq!((reply.status, &reply.json), (StatusCode::UNAUTHORIZED, &unknown_email.json), "{nul:?}");
    }
}

async fn api_routes_need_a_valid_bearer_token(db: Db) {
    let app = TestApp::spawn(db).await;
    let missing = app.request(Method::GET, "/api/users/", None, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.json["detail"], "Authentication credentials were not provided.");
    assert_eq!(app.get("/api/users/", "not-a-token").await.status, StatusCode::UNAUTHORIZED);
}

async fn expired_and_forged_tokens_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (access, _) = app.tokens_for(&email).await;
    let claims = app.state.core.tokens.verify(&access, TokenKind::Access, 0).expect("valid token");
    let expired = app.state.core.tokens.sign(&Claims { exp: chrono::Utc::now().timestamp() - 1, ..claims.clone() });
    assert_eq!(app.get("/api/users/", &expired).await.status, StatusCode::UNAUTHORIZED);
    let forged = patron::auth::TokenKeys::new("some other secret entirely, 32+ chars").sign(&claims);
    let reply = app.get("/api/users/", &forged).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json["code"], "token_not_valid");
}

async fn an_access_token_lasts_fifteen_minutes_by_the_services_clock(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (access, _) = app.tokens_for(&email).await;
    let later = |minutes| {
        let at = chrono::Utc::now() + chrono::Duration::minutes(minutes);
        app.state.core.clone().with_clock(patron::services::Clock::fixed(at))
    };
    assert!(accounts::authenticate_token(&later(14), &access, None).await.is_ok());
    let expired = accounts::authenticate_token(&later(16), &access, None).await;
    assert!(matches!(expired, Err(patron::services::ServiceError::InvalidToken)), "{expired:?}");
}

async fn only_owners_manage_users(db: Db) {
    let app = TestApp::spawn(db).await;
    for role in ["manager", "cashier"] {
        let token = app.token("Warung Sari", role).await;
        let reply = app.get("/api/users/", &token).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
        assert!(reply.json["detail"].is_string());
        let create = app
            .post("/api/users/", &token, json!({ "email": "x@y.test", "password": PASSWORD, "role": "owner" }))
            .await;
        assert_eq!(create.status, StatusCode::FORBIDDEN, "{role}");
    }
}

async fn users_of_another_tenant_are_invisible_and_untouchable(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner_a = app.token("Tenant A", "owner").await;
    let owner_b = app.token("Tenant B", "owner").await;
    let b_users = app.get("/api/users/", &owner_b).await.json;
    let b_id = b_users[0]["id"].as_i64().expect("id");
    let a_users = app.get("/api/users/", &owner_a).await.json;
    assert_eq!(a_users.as_array().map(Vec::len), Some(1));
    let reply = app
        .request(Method::PATCH, &format!("/api/users/{b_id}/"), Some(&owner_a), Some(json!({ "is_active": false })))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/users/", &owner_b).await.status, StatusCode::OK, "B's owner is untouched");
}

async fn the_tenant_header_is_ignored(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner_a = app.token("Tenant A", "owner").await;
    app.token("Tenant B", "owner").await;
    let b = patron::services::accounts::find_tenant(&app.state.core, "Tenant B").await.expect("tenant");
    let tenant_header = b.id.to_string();
    let reply = app.raw(Method::GET, "/api/users/", Some(&owner_a), None, "", &[("x-tenant-id", &tenant_header)]).await;
    let emails: Vec<String> =
        reply.json.as_array().into_iter().flatten().filter_map(|u| u["email"].as_str().map(String::from)).collect();
    assert!(emails.iter().all(|e| e.ends_with("@tenant-a.test")), "{emails:?}");
}

/// The API path of the user with `email`, as the owner holding `owner` finds it.
async fn user_path(app: &TestApp, owner: &str, email: &str) -> String {
    let users = app.get("/api/users/", owner).await.json;
    let id = users
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["email"] == email)
        .and_then(|u| u["id"].as_i64())
        .expect("id");
    format!("/api/users/{id}/")
}

async fn deactivating_a_user_or_changing_the_password_revokes_their_tokens(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.token("Warung Sari", "owner").await;
    let cashier_email = app.user("Warung Sari", "cashier@warung.test", "cashier").await;
    let (cashier, refresh) = app.tokens_for(&cashier_email).await;
    let path = user_path(&app, &owner, "cashier@warung.test").await;
    let reply =
        app.request(Method::PATCH, &path, Some(&owner), Some(json!({ "password": "a brand new password" }))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let refreshed =
        app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": refresh }))).await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED);
    // The same holds for deactivation, with a token issued after the password change.
    let body = json!({ "email": "cashier@warung.test", "password": "a brand new password" });
    let fresh = app.request(Method::POST, "/api/auth/token/", None, Some(body.clone())).await.json["access"]
        .as_str()
        .map(String::from)
        .expect("token");
    assert_eq!(app.get("/api/users/", &cashier).await.status, StatusCode::UNAUTHORIZED);
    app.request(Method::PATCH, &path, Some(&owner), Some(json!({ "is_active": false }))).await;
    assert_eq!(app.get("/api/users/", &fresh).await.status, StatusCode::UNAUTHORIZED);
    let again = app.request(Method::POST, "/api/auth/token/", None, Some(body)).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

/// Asks `app` for the users with `token` until it answers `status`, for at most two seconds (the
/// time a change made through another instance may take to reach it); the last answer.
async fn users_answer(app: &TestApp, token: &str, status: StatusCode) -> StatusCode {
    let mut answer = app.get("/api/users/", token).await.status;
    for _ in 0..100 {
        if answer == status {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        answer = app.get("/api/users/", token).await.status;
    }
    answer
}

async fn a_user_changed_through_one_instance_is_seen_so_by_another(db: Db) {
    let first = TestApp::spawn(db).await;
    let second = TestApp::on(first.db.shared()).await;
    let owner_email = first.user("Warung Sari", "owner@warung.test", "owner").await;
    let (owner, _) = first.tokens_for(&owner_email).await;
    let manager_email = first.user("Warung Sari", "manager@warung.test", "manager").await;
    let (manager, _) = first.tokens_for(&manager_email).await;
    // The second instance knows both users from their requests.
    assert_eq!(second.get("/api/users/", &owner).await.status, StatusCode::OK);
    assert_eq!(second.get("/api/users/", &manager).await.status, StatusCode::FORBIDDEN, "only owners list users");

    let path = user_path(&first, &owner, "manager@warung.test").await;
    let promoted = first.request(Method::PATCH, &path, Some(&owner), Some(json!({ "role": "owner" }))).await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.text);
    assert_eq!(users_answer(&second, &manager, StatusCode::OK).await, StatusCode::OK, "the new role counts there too");

    let deactivated = first.request(Method::PATCH, &path, Some(&owner), Some(json!({ "is_active": false }))).await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.text);
    assert_eq!(first.get("/api/users/", &manager).await.status, StatusCode::UNAUTHORIZED, "at once where it was made");
    assert_eq!(
        users_answer(&second, &manager, StatusCode::UNAUTHORIZED).await,
        StatusCode::UNAUTHORIZED,
        "and on the other instance"
    );
    assert_eq!(second.get("/api/users/", &owner).await.status, StatusCode::OK, "other users are unaffected");
}

async fn ten_failed_sign_ins_lock_the_email_for_the_window(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    for _ in 0..10 {
        let reply = app
            .request(Method::POST, "/api/auth/token/", None, Some(json!({ "email": email, "password": "wrong guess" })))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let locked = app
        .request(
            Method::POST,
            "/api/auth/token/",
            None,
            Some(json!({ "email": "OWNER@warung.test", "password": PASSWORD })),
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.json["detail"].as_str().unwrap_or_default().contains("Too many attempts"));
}

async fn sign_in(app: &TestApp, email: &str, next: &str) -> common::Reply {
    let form = format!("email={}&password={}&next={}", email.replace('@', "%40"), PASSWORD.replace(' ', "+"), next);
    app.raw(Method::POST, "/login", None, Some(form), "application/x-www-form-urlencoded", &[common::SAME_ORIGIN]).await
}

async fn signed_out_pages_redirect_to_login_and_back_after_sign_in(db: Db) {
    let app = TestApp::spawn(db).await;
    let page = app.request(Method::GET, "/customers?page=2", None, None).await;
    assert!(page.status.is_redirection());
    assert_eq!(page.headers[header::LOCATION], "/login?next=/customers%3Fpage%3D2");
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let reply = sign_in(&app, &email, "/customers%3Fpage%3D2").await;
    assert!(reply.status.is_redirection());
    assert_eq!(reply.headers[header::LOCATION], "/customers?page=2");
    let cookie = reply.cookie();
    let set_cookie = reply.headers[header::SET_COOKIE].to_str().unwrap_or_default().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let signed_in = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert!(signed_in.text.contains("Warung Sari"));
    assert_eq!(signed_in.headers[header::CACHE_CONTROL], "private, no-store", "a signed-in page is never stored");
}

async fn a_wrong_password_on_the_form_says_so_and_an_offsite_next_is_ignored(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let form = format!("email={}&password=wrong&next=https://evil.example", email.replace('@', "%40"));
    let reply = app
        .raw(Method::POST, "/login", None, Some(form), "application/x-www-form-urlencoded", &[common::SAME_ORIGIN])
        .await;
    let location = reply.headers[header::LOCATION].to_str().unwrap_or_default().to_owned();
    assert!(location.starts_with("/login?error=invalid"), "{location}");
    let page = app.request(Method::GET, &location, None, None).await;
    assert!(page.text.contains("Wrong email or password."));
    let ok = sign_in(&app, &email, "https://evil.example").await;
    assert_eq!(ok.headers[header::LOCATION], "/customers");
}

async fn a_session_survives_a_restart_and_ends_at_sign_out(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let cookie = sign_in(&app, &email, "/customers").await.cookie();
    let restarted = TestApp::on(app.db).await;
    let page = restarted.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let out = restarted.raw(Method::POST, "/logout", None, None, "", &[("cookie", &cookie), common::SAME_ORIGIN]).await;
    assert!(out.status.is_redirection());
    let after = restarted.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert!(after.status.is_redirection());
}

async fn the_session_id_changes_at_sign_in(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let first = sign_in(&app, &email, "/customers").await.cookie();
    let form = format!("email={}&password={}", email.replace('@', "%40"), PASSWORD.replace(' ', "+"));
    let again = app
        .raw(
            Method::POST,
            "/login",
            None,
            Some(form),
            "application/x-www-form-urlencoded",
            &[("cookie", &first), common::SAME_ORIGIN],
        )
        .await;
    assert_ne!(again.cookie(), first);
}

async fn unknown_pages_get_a_styled_404(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let cookie = sign_in(&app, &email, "/customers").await.cookie();
    let page = app.raw(Method::GET, "/no-such-page", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text.contains("Page not found"));
    let api = app.get("/api/no-such-thing/", "x").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
}

/// Sets a user's stored hash as an older Patron would have written it, bypassing the services.
async fn store_hash(app: &TestApp, db: Db, email: &str, hash: &str) {
    use sqlx::Connection;
    let sql = "UPDATE users SET password_hash = $1 WHERE email = $2";
    let done = match db {
        Db::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.db.url).await.expect("sqlite");
            sqlx::query(sql).bind(hash).bind(email).execute(&mut conn).await.expect("update").rows_affected()
        }
        Db::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.db.url).await.expect("postgres");
            sqlx::query(sql).bind(hash).bind(email).execute(&mut conn).await.expect("update").rows_affected()
        }
    };
    assert_eq!(done, 1);
}

async fn a_hash_made_with_older_parameters_is_replaced_at_the_next_sign_in(db: Db) {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (before, _) = app.tokens_for(&email).await;
    let salt = SaltString::generate(&mut OsRng);
    let old = argon2::Argon2::default().hash_password(PASSWORD.as_bytes(), &salt).expect("hash").to_string();
    assert!(old.contains("$m=19456,t=2,p=1$"), "{old}");
    store_hash(&app, db, &email, &old).await;
    let stored = || async {
        let user = app.state.core.storage.user_by_email_key(&email).await.expect("read").expect("user");
        user.password_hash.0
    };

    // A wrong password proves nothing: the old hash stays.
    let wrong = app
        .request(Method::POST, "/api/auth/token/", None, Some(json!({ "email": email, "password": "nope nope" })))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stored().await, old);

    // The right one signs in against the old hash and leaves a new one behind.
    let (after, _) = app.tokens_for(&email).await;
    let new = stored().await;
    assert!(new.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{new}");
    assert!(!patron::auth::password::is_outdated(&patron::storage::PasswordHash(new.clone())));

    // Same password, so nothing of the user's ends; the new hash signs in and stays.
    assert_eq!(app.get("/api/users/", &before).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/users/", &after).await.status, StatusCode::OK);
    app.tokens_for(&email).await;
    assert_eq!(stored().await, new);
}

on_both_backends!(
    a_token_pair_is_issued_for_valid_credentials_and_refreshes,
    a_hash_made_with_older_parameters_is_replaced_at_the_next_sign_in,
    wrong_credentials_are_refused_without_saying_which_part_is_wrong,
    api_routes_need_a_valid_bearer_token,
    expired_and_forged_tokens_are_refused,
    an_access_token_lasts_fifteen_minutes_by_the_services_clock,
    only_owners_manage_users,
    users_of_another_tenant_are_invisible_and_untouchable,
    the_tenant_header_is_ignored,
    deactivating_a_user_or_changing_the_password_revokes_their_tokens,
    a_user_changed_through_one_instance_is_seen_so_by_another,
    ten_failed_sign_ins_lock_the_email_for_the_window,
    signed_out_pages_redirect_to_login_and_back_after_sign_in,
    a_wrong_password_on_the_form_says_so_and_an_offsite_next_is_ignored,
    a_session_survives_a_restart_and_ends_at_sign_out,
    the_session_id_changes_at_sign_in,
    unknown_pages_get_a_styled_404,
);
