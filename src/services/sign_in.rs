//! Signing in and the tokens that follow: limits that count every attempt and cannot be turned
//! against a user, a bound on password hashing, and refresh tokens that rotate.

use super::{Core, ServiceError, ServiceResult};
use crate::auth::password::{hash_password, is_outdated, verify_password};
use crate::auth::token::{Claims, TokenError, TokenKind, ACCESS_LIFETIME_SECS, REFRESH_LIFETIME_SECS};
use crate::domain::email::email_key;
use crate::storage::{ActivityEntry, LimitKey, RefreshUse, User};
use chrono::Duration;
use sha2::Digest;
use std::net::IpAddr;

/// Failed sign-ins allowed for one email from one address within the window: one attacker
/// cannot lock a cashier out from the till.
pub const MAX_FAILURES_PER_EMAIL_AND_ADDRESS: i64 = 10;
/// Failed sign-ins allowed for one email from all addresses: a distributed attack still stops.
pub const MAX_FAILURES_PER_EMAIL: i64 = 100;
/// Failed sign-ins allowed from one address over all emails.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 50;
/// The window over which failures are counted.
pub const LIMIT_WINDOW_MINUTES: i64 = 15;

/// A pair of API tokens.
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// Short-lived bearer token.
    pub access: String,
    /// Long-lived token to get a new pair, once.
    pub refresh: String,
}

/// The counters one attempt adds to: the email from this address, the email, the address. The
/// email is hashed, so a counter's key is short whatever was typed and names no one.
fn limit_keys(email: &str, client: Option<IpAddr>) -> [LimitKey; 3] {
    let digest = sha2::Sha256::digest(email_key(email).as_bytes());
    let email: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let address = client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    [
        LimitKey { key: format!("pair:{email}|{address}"), limit: MAX_FAILURES_PER_EMAIL_AND_ADDRESS },
        LimitKey { key: format!("email:{email}"), limit: MAX_FAILURES_PER_EMAIL },
        LimitKey { key: format!("address:{address}"), limit: MAX_FAILURES_PER_ADDRESS },
    ]
}

/// Checks an email and password from `client`. In order: a free hashing slot (else
/// [`ServiceError::Busy`] at once), the attempt counted on its counters before the password is
/// checked (a counter past its limit refuses with [`ServiceError::TooManyAttempts`]), then the
/// password, against a real hash even for unknown emails so timing does not tell which exist. A
/// success uncounts the attempt and is logged, and a hash made with older parameters is replaced by
/// one made with today's (still in the hashing slot); a failure for a known email is logged in its
/// tenant.
pub async fn sign_in(core: &Core, email: &str, password: &str, client: Option<IpAddr>) -> ServiceResult<User> {
    let _slot = core.hashing.try_enter().ok_or(ServiceError::Busy)?;
    let keys = limit_keys(email, client);
    let now = core.clock.now();
    let window = Duration::minutes(LIMIT_WINDOW_MINUTES);
    if let Some(ends) = core.storage.count_sign_in_attempt(&keys, now, now - window, window).await? {
        let retry_after = u64::try_from((ends - now).num_seconds()).unwrap_or(0).max(1);
        return Err(ServiceError::TooManyAttempts { retry_after });
    }
    let user = core.storage.user_by_email_key(&email_key(email)).await?;
    let hash = match &user {
        Some(user) => user.password_hash.clone(),
        None => core.dummy_hash().await?,
    };
    let matches = verify_password(password.to_owned(), hash).await;
    match user {
        Some(user) if matches && user.is_active => {
            let [pair, ..] = &keys;
            core.storage.uncount_sign_in_attempt(&keys, &pair.key).await?;
            let rehashed =
                if is_outdated(&user.password_hash) { Some(hash_password(password.to_owned()).await?) } else { None };
            core.storage.record_sign_in(&user, client, rehashed.as_ref()).await?;
            Ok(user)
        }
        Some(user) => {
            core.storage.record_activity(&ActivityEntry::sign_in_failed(&user, client)).await?;
            Err(ServiceError::InvalidCredentials)
        }
        None => Err(ServiceError::InvalidCredentials),
    }
}

/// Issues an access and a refresh token for a signed-in user; the refresh token starts a family.
pub async fn issue_tokens(core: &Core, user: &User) -> ServiceResult<TokenPair> {
    let (refresh, jti, expires_at) = sign(core, user, TokenKind::Refresh);
    core.storage.store_refresh_token(&jti, &jti, user.id, expires_at).await?;
    Ok(TokenPair { access: sign(core, user, TokenKind::Access).0, refresh })
}

/// A signed token, its id and its expiry (unix seconds).
fn sign(core: &Core, user: &User, kind: TokenKind) -> (String, String, i64) {
    let now = core.clock.now().timestamp();
    let lifetime = match kind {
        TokenKind::Access => ACCESS_LIFETIME_SECS,
        TokenKind::Refresh => REFRESH_LIFETIME_SECS,
    };
    let jti = format!("{:032x}", rand::random::<u128>());
    let claims = Claims {
        token_type: kind,
        exp: now + lifetime,
        iat: now,
        jti: jti.clone(),
        user_id: user.id,
        tenant_id: user.tenant_id,
        ver: user.auth_version,
    };
    (core.tokens.sign(&claims), jti, now + lifetime)
}

/// Exchanges a current refresh token for a new pair; the token is spent. A spent token used again
/// has been copied: its whole family is revoked and the answer is [`ServiceError::InvalidToken`].
pub async fn refresh(core: &Core, refresh: &str) -> ServiceResult<TokenPair> {
    let (claims, user) = user_for_token(core, refresh, TokenKind::Refresh).await?;
    let (next, jti, expires_at) = sign(core, &user, TokenKind::Refresh);
    match core.storage.rotate_refresh_token(&claims.jti, user.id, &jti, expires_at).await? {
        RefreshUse::Rotated => Ok(TokenPair { access: sign(core, &user, TokenKind::Access).0, refresh: next }),
        RefreshUse::Reused | RefreshUse::Unknown => Err(ServiceError::InvalidToken),
    }
}

/// The claims and user of a valid token whose user is still active and unchanged.
pub(super) async fn user_for_token(core: &Core, token: &str, kind: TokenKind) -> ServiceResult<(Claims, User)> {
    let claims = core
        .tokens
        .verify(token, kind, core.clock.now().timestamp())
        .map_err(|_: TokenError| ServiceError::InvalidToken)?;
    match core.storage.user_by_id(claims.user_id).await? {
        Some(user) if user.is_active && user.auth_version == claims.ver && user.tenant_id == claims.tenant_id => {
            Ok((claims, user))
        }
        _ => Err(ServiceError::InvalidToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_counts_on_the_pair_the_email_and_the_address() {
        let ip: IpAddr = "192.0.2.7".parse().expect("ip");
        let keys = limit_keys("Cashier@Till.Example", Some(ip));
        let same = limit_keys("cashier@till.example", Some(ip));
        assert_eq!(keys, same, "emails are counted ignoring case");
        assert!(keys[0].key.starts_with("pair:") && keys[0].key.ends_with("|192.0.2.7"));
        assert!(!keys[1].key.contains("cashier"), "the email is not stored as typed");
        assert_eq!(keys[2].key, "address:192.0.2.7");
        assert_eq!(keys.map(|k| k.limit), [10, 100, 50]);
    }
}
