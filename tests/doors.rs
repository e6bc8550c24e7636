//! Sign-in that holds under attack: open redirects, hashing exhaustion, per-address and per-email
//! limits that count every attempt, cross-site writes, security headers, rotated refresh tokens,
//! idempotency keys scoped to their caller, and inputs that used to break the server.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{Db, Reply, TestApp, PASSWORD, PEER, SAME_ORIGIN};
use serde_json::json;

const FORM: &str = "application/x-www-form-urlencoded";

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn form_sign_in(app: &TestApp, email: &str, password: &str, next: &str, extra: &[(&str, &str)]) -> Reply {
    let form = format!("email={}&password={}&next={next}", encode(email), encode(password));
    let mut headers = vec![SAME_ORIGIN];
    headers.extend_from_slice(extra);
    app.raw(Method::POST, "/login", None, Some(form), FORM, &headers).await
}

async fn token_attempt(app: &TestApp, email: &str, password: &str, peer: &str) -> Reply {
    let body = json!({ "email": email, "password": password }).to_string();
    app.raw(Method::POST, "/api/auth/token/", None, Some(body), "application/json", &[(PEER, peer)]).await
}

fn location(reply: &Reply) -> String {
    reply.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn after_sign_in_only_paths_on_this_site_are_followed(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    // Each as it appears, already encoded, in the form body.
    for hostile in [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0B/evil.example",
        "/%5C/evil.example",
        "%2F%5Cevil.example",
        "//evil.example",
        "/%2F%2Fevil.example",
        "https:evil.example",
        "https%3A%2F%2Fevil.example",
        "/ok%0D%0ASet-Cookie:x=1",
        "/%20/evil.example",
    ] {
        let reply = form_sign_in(&app, &email, PASSWORD, hostile, &[]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{hostile}: {}", reply.text);
        assert_eq!(location(&reply), "/customers", "{hostile}");
    }
    let good = form_sign_in(&app, &email, PASSWORD, "/customers%3Fsearch%3Dsari%26page%3D2", &[]).await;
    assert_eq!(location(&good), "/customers?search=sari&page=2");
}

async fn a_full_hashing_gate_answers_busy_at_once_with_retry_after(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let mut held = Vec::new();
    while let Some(permit) = app.state.core.hashing.try_enter() {
        held.push(permit);
    }
    let started = std::time::Instant::now();
    let busy = token_attempt(&app, &email, PASSWORD, "192.0.2.1").await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE, "{}", busy.text);
    assert!(busy.headers.contains_key(header::RETRY_AFTER));
    let form = form_sign_in(&app, &email, PASSWORD, "/customers", &[]).await;
    assert_eq!(form.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(form.headers.contains_key(header::RETRY_AFTER));
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "answered at once");
    drop(held);
    assert_eq!(token_attempt(&app, &email, PASSWORD, "192.0.2.1").await.status, StatusCode::OK);
}

async fn fifty_failures_from_one_address_over_any_emails_are_refused_with_retry_after(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    for n in 0..50 {
        let reply = token_attempt(&app, &format!("guess{n}@nowhere.test"), "wrong guess", "198.51.100.7").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let refused = token_attempt(&app, &email, PASSWORD, "198.51.100.7").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.text);
    let wait: u64 = refused.headers[header::RETRY_AFTER].to_str().unwrap_or("0").parse().unwrap_or(0);
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    assert_eq!(token_attempt(&app, &email, PASSWORD, "198.51.100.8").await.status, StatusCode::OK);
}

async fn ten_failures_lock_an_email_from_that_address_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "cashier@warung.test", "cashier").await;
    for _ in 0..10 {
        assert_eq!(token_attempt(&app, &email, "wrong guess", "203.0.113.66").await.status, StatusCode::UNAUTHORIZED);
    }
    let attacker = token_attempt(&app, &email, PASSWORD, "203.0.113.66").await;
    assert_eq!(attacker.status, StatusCode::TOO_MANY_REQUESTS);
    // The cashier at the till signs in: the attacker did not lock them out.
    assert_eq!(token_attempt(&app, &email, PASSWORD, "192.0.2.10").await.status, StatusCode::OK);
    let form = form_sign_in(&app, &email, PASSWORD, "/customers", &[(PEER, "192.0.2.10")]).await;
    assert_eq!(location(&form), "/customers");
}

async fn a_hundred_failures_from_many_addresses_lock_the_email_everywhere(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    for n in 0..100 {
        let peer = format!("10.9.{}.{}", n / 200, n % 200 + 1);
        assert_eq!(token_attempt(&app, &email, "wrong guess", &peer).await.status, StatusCode::UNAUTHORIZED, "{n}");
    }
    assert_eq!(token_attempt(&app, &email, PASSWORD, "192.0.2.99").await.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn parallel_attempts_are_all_counted_before_any_password_is_checked(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let mut answered_401 = 0;
    // Rounds of 8 at once until more than the limit got a hashing slot (the others are answered
    // 503 at once, uncounted; there are as many slots as cores, two at least).
    let mut counted = 0;
    for _ in 0..20 {
        if counted > 10 {
            break;
        }
        let attempts = (0..8).map(|_| token_attempt(&app, &email, "wrong guess", "203.0.113.9"));
        let replies = futures::future::join_all(attempts).await;
        answered_401 += replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
        counted += replies.iter().filter(|r| r.status != StatusCode::SERVICE_UNAVAILABLE).count();
        for reply in &replies {
            assert!(
                [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS, StatusCode::SERVICE_UNAVAILABLE]
                    .contains(&reply.status),
                "{}",
                reply.status
            );
        }
    }
    assert!(counted > 10, "only {counted} attempts got a hashing slot");
    assert!(answered_401 <= 10, "{answered_401} wrong passwords were checked; at most 10 may be");
    assert_eq!(token_attempt(&app, &email, PASSWORD, "203.0.113.9").await.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn forwarded_for_is_believed_only_from_a_trusted_proxy(db: Db) {
    let app = TestApp::spawn(db).await;
    // Untrusted peer: a different X-Forwarded-For on each attempt changes nothing.
    for n in 0..50 {
        let body = json!({ "email": format!("g{n}@nowhere.test"), "password": "wrong guess" }).to_string();
        let forwarded = format!("203.0.113.{}", n + 1);
        let extra = [(PEER, "198.51.100.20"), ("x-forwarded-for", forwarded.as_str())];
        app.raw(Method::POST, "/api/auth/token/", None, Some(body), "application/json", &extra).await;
    }
    let body = json!({ "email": "x@nowhere.test", "password": "wrong guess" }).to_string();
    let extra = [(PEER, "198.51.100.20"), ("x-forwarded-for", "192.0.2.200")];
    let spoofed = app.raw(Method::POST, "/api/auth/token/", None, Some(body), "application/json", &extra).await;
    assert_eq!(spoofed.status, StatusCode::TOO_MANY_REQUESTS);

    let behind_proxy = TestApp::spawn_with(db, |settings| {
        settings.trusted_proxies =
            patron::web::client_address::TrustedProxies::parse(&["10.0.0.0/8".into()]).expect("valid");
    })
    .await;
    for n in 0..50 {
        let body = json!({ "email": format!("g{n}@nowhere.test"), "password": "wrong guess" }).to_string();
        let extra = [(PEER, "10.0.0.5"), ("x-forwarded-for", "203.0.113.50")];
        behind_proxy.raw(Method::POST, "/api/auth/token/", None, Some(body), "application/json", &extra).await;
    }
    let body = json!({ "email": "x@nowhere.test", "password": "wrong guess" }).to_string();
    let limited = [(PEER, "10.0.0.5"), ("x-forwarded-for", "203.0.113.50")];
    let same_client = behind_proxy
        .raw(Method::POST, "/api/auth/token/", None, Some(body.clone()), "application/json", &limited)
        .await;
    assert_eq!(same_client.status, StatusCode::TOO_MANY_REQUESTS, "the client behind the proxy is limited");
    let other = [(PEER, "10.0.0.5"), ("x-forwarded-for", "203.0.113.51")];
    let other_client =
        behind_proxy.raw(Method::POST, "/api/auth/token/", None, Some(body), "application/json", &other).await;
    assert_eq!(other_client.status, StatusCode::UNAUTHORIZED, "another client behind the same proxy is not");
}

async fn writes_with_the_session_cookie_must_come_from_this_site(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let form = format!("email={}&password={}", encode(&email), encode(PASSWORD));
    for refused in [
        vec![("origin", "https://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![],
        vec![("origin", "null")],
    ] {
        let reply = app.raw(Method::POST, "/login", None, Some(form.clone()), FORM, &refused).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{refused:?}");
    }
    let by_fetch_metadata =
        app.raw(Method::POST, "/login", None, Some(form.clone()), FORM, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(by_fetch_metadata.status, StatusCode::SEE_OTHER);
    let cookie = form_sign_in(&app, &email, PASSWORD, "/customers", &[]).await.cookie();
    // A server function and sign-out, posted from another site with the victim's cookie.
    let evil = [("cookie", cookie.as_str()), ("origin", "https://evil.example")];
    let sfn = app.raw(Method::POST, "/sfn/customers/delete", None, Some(String::new()), FORM, &evil).await;
    assert_eq!(sfn.status, StatusCode::FORBIDDEN);
    let logout = app.raw(Method::POST, "/logout", None, None, "", &evil).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    let still = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(still.status, StatusCode::OK, "the session was not ended from another site");
    // Bearer requests are not concerned.
    let token = app.tokens_for(&email).await.0;
    let body = json!({ "name": "Ana", "email": "ana@example.com" }).to_string();
    let api = app
        .raw(
            Method::POST,
            "/api/customers/",
            Some(&token),
            Some(body),
            "application/json",
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(api.status, StatusCode::CREATED);
}

async fn behind_https_the_cookie_has_the_host_prefix_and_hsts_is_sent(db: Db) {
    let app = TestApp::spawn_with(db, |settings| settings.secure_cookies = true).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let reply = form_sign_in(&app, &email, PASSWORD, "/customers", &[]).await;
    let set_cookie = reply.headers[header::SET_COOKIE].to_str().unwrap_or_default().to_owned();
    assert!(set_cookie.starts_with("__Host-patron_session="), "{set_cookie}");
    assert!(set_cookie.contains("Secure") && set_cookie.contains("Path=/") && !set_cookie.contains("Domain"));
    assert!(reply.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
}

async fn pages_carry_a_nonced_content_security_policy_and_api_data_is_never_cached(db: Db) {
    let app = TestApp::spawn(db).await;
    let page = app.request(Method::GET, "/login", None, None).await;
    let policy = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap_or_default().to_owned();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce");
    assert!(page.text.contains(&format!("nonce=\"{nonce}\"")), "the inline script carries the policy's nonce");
    assert!(policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(page.headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(!page.headers.contains_key(header::STRICT_TRANSPORT_SECURITY), "no HSTS over plain http");
    let again = app.request(Method::GET, "/login", None, None).await;
    assert_ne!(again.headers[header::CONTENT_SECURITY_POLICY], page.headers[header::CONTENT_SECURITY_POLICY]);
    let token = app.token("Warung Sari", "owner").await;
    let list = app.get("/api/customers/", &token).await;
    assert_eq!(list.headers[header::CACHE_CONTROL], "no-store");
}

async fn a_refresh_token_works_once_and_its_reuse_revokes_the_whole_sign_in(db: Db) {
    let app = TestApp::spawn(db).await;
    let email = app.user("Warung Sari", "owner@warung.test", "owner").await;
    let (_, first) = app.tokens_for(&email).await;
    let (_, other_sign_in) = app.tokens_for(&email).await;
    let rotated = app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": first }))).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let second = rotated.json["refresh"].as_str().expect("a new refresh token").to_owned();
    assert!(rotated.json["access"].is_string());
    assert_ne!(second, first);
    let reused = app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": first }))).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    let descendant =
        app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": second }))).await;
    assert_eq!(descendant.status, StatusCode::UNAUTHORIZED, "the family is revoked");
    let unrelated =
        app.request(Method::POST, "/api/auth/token/refresh/", None, Some(json!({ "refresh": other_sign_in }))).await;
    assert_eq!(unrelated.status, StatusCode::OK, "another sign-in's family is untouched");
}

async fn idempotency_keys_belong_to_their_user_and_route(db: Db) {
    let app = TestApp::spawn(db).await;
    let till_one = app.token("Warung Sari", "cashier").await;
    let till_two = app.token("Warung Sari", "cashier").await;
    let key = [("idempotency-key", "till-42")];
    let create = |token: String, email: &'static str| {
        let body = json!({ "name": "Walk-in", "email": email }).to_string();
        let app = &app;
        async move { app.raw(Method::POST, "/api/customers/", Some(&token), Some(body), "application/json", &key).await }
    };
    let one = create(till_one.clone(), "one@example.com").await;
    let two = create(till_two, "two@example.com").await;
    assert_eq!((one.status, two.status), (StatusCode::CREATED, StatusCode::CREATED), "{}", two.text);
    assert_ne!(one.json["id"], two.json["id"], "the second till got its own customer, not the first's response");
    let id = one.json["id"].as_i64().expect("id");
    let points = json!({ "points": 5, "reason": "welcome" }).to_string();
    let path = format!("/api/customers/{id}/update_points/");
    let other_route = app.raw(Method::POST, &path, Some(&till_one), Some(points), "application/json", &key).await;
    assert_eq!(other_route.status, StatusCode::OK, "{}", other_route.text);
}

async fn a_key_whose_request_died_half_way_is_free_again_after_a_minute(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("Warung Sari", "manager").await;
    let ctx = patron::services::accounts::authenticate_token(&app.state.core, &token, None).await.expect("ctx");
    let scope = patron::storage::idempotency::KeyScope {
        tenant_id: ctx.tenant_id,
        user_id: ctx.user_id,
        method: "POST",
        route: "/api/customers/",
        key: "died-half-way",
    };
    let long_ago = chrono::Utc::now() - chrono::Duration::seconds(61);
    app.state.core.storage.reserve_idempotency_key(&scope, "whatever", long_ago).await.expect("claimed");
    let body = json!({ "name": "Walk-in", "email": "walk@example.com" }).to_string();
    let retried = app
        .raw(
            Method::POST,
            "/api/customers/",
            Some(&token),
            Some(body),
            "application/json",
            &[("idempotency-key", "died-half-way")],
        )
        .await;
    assert_eq!(retried.status, StatusCode::CREATED, "{}", retried.text);
    let forgotten = patron::services::housekeeping::forget_expired(
        &app.state.core,
        chrono::Utc::now() + chrono::Duration::hours(25),
    )
    .await
    .expect("housekeeping");
    assert_eq!(forgotten.idempotency_keys, 1);
}

async fn long_place_filters_and_control_characters_in_a_search_are_refused_or_ignored_never_a_500(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("Warung Sari", "owner").await;
    let long = "x".repeat(101);
    let city = app.get(&format!("/api/customers/?city={long}"), &token).await;
    assert_eq!(city.status, StatusCode::BAD_REQUEST);
    assert!(city.json["city"][0].as_str().unwrap_or_default().contains("at most 100 characters"), "{}", city.text);
    let province = app.get(&format!("/api/customers/?province={long}"), &token).await;
    assert_eq!(province.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get(&format!("/api/customers/?city={}", "x".repeat(100)), &token).await.status, StatusCode::OK);
    for search in ["a%00b", "%00", "%22%00%22", "abc%00", "%0B%0C"] {
        let reply = app.get(&format!("/api/customers/?search={search}"), &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{search}: {}", reply.text);
    }
}

on_both_backends!(
    after_sign_in_only_paths_on_this_site_are_followed,
    a_full_hashing_gate_answers_busy_at_once_with_retry_after,
    fifty_failures_from_one_address_over_any_emails_are_refused_with_retry_after,
    ten_failures_lock_an_email_from_that_address_only,
    a_hundred_failures_from_many_addresses_lock_the_email_everywhere,
    parallel_attempts_are_all_counted_before_any_password_is_checked,
    forwarded_for_is_believed_only_from_a_trusted_proxy,
    writes_with_the_session_cookie_must_come_from_this_site,
    behind_https_the_cookie_has_the_host_prefix_and_hsts_is_sent,
    pages_carry_a_nonced_content_security_policy_and_api_data_is_never_cached,
    a_refresh_token_works_once_and_its_reuse_revokes_the_whole_sign_in,
    idempotency_keys_belong_to_their_user_and_route,
    a_key_whose_request_died_half_way_is_free_again_after_a_minute,
    long_place_filters_and_control_characters_in_a_search_are_refused_or_ignored_never_a_500,
);
