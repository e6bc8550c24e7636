//! Signed API tokens: compact JWTs (HS256) with the claims integrators know from DRF simplejwt.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::sync::Arc;

/// How long an access token lives.
pub const ACCESS_LIFETIME_SECS: i64 = 15 * 60;
/// How long a refresh token lives.
pub const REFRESH_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;

/// Which of the two tokens a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// Sent as `Authorization: Bearer …` on every API call.
    Access,
    /// Exchanged for a new access token.
    Refresh,
}

/// What a token says about its holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Access or refresh.
    pub token_type: TokenKind,
    /// Expiry, unix seconds.
    pub exp: i64,
    /// Issue time, unix seconds.
    pub iat: i64,
    /// A unique id for this token.
    pub jti: String,
    /// The user.
    pub user_id: i64,
    /// The user's tenant when the token was issued.
    pub tenant_id: i64,
    /// The user's auth version when the token was issued.
    pub ver: i64,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts, or not our JSON.
    #[error("malformed token")]
    Malformed,
    /// The signature does not match.
    #[error("bad signature")]
    BadSignature,
    /// Past its expiry.
    #[error("expired")]
    Expired,
    /// An access token where a refresh token is needed, or the reverse.
    #[error("wrong token type")]
    WrongKind,
}

/// The HMAC key that signs and checks tokens, set up once: every request clones the services'
/// dependencies, and every token check starts from this state.
#[derive(Clone)]
pub struct TokenKeys {
    keyed: Arc<Hmac<Sha256>>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(<redacted>)")
    }
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

impl TokenKeys {
    /// Keys from a secret.
    pub fn new(secret: &str) -> Self {
        // HMAC accepts keys of any length, so this cannot fail.
        let keyed = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        TokenKeys { keyed: Arc::new(keyed) }
    }

    fn mac(&self) -> Hmac<Sha256> {
        (*self.keyed).clone()
    }

    /// Signs claims into a compact token.
    pub fn sign(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode(payload));
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// Checks a token's signature, kind and expiry at `now` (unix seconds).
    pub fn verify(&self, token: &str, kind: TokenKind, now: i64) -> Result<Claims, TokenError> {
        let mut parts = token.trim().split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;
        let header: serde_json::Value = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(TokenError::Malformed)?;
        if header.get("alg").and_then(|v| v.as_str()) != Some("HS256") {
            return Err(TokenError::Malformed);
        }
        let claims: Claims = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(TokenError::Malformed)?;
        if claims.token_type != kind {
            return Err(TokenError::WrongKind);
        }
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(kind: TokenKind, exp: i64) -> Claims {
        Claims { token_type: kind, exp, iat: 0, jti: "j".into(), user_id: 7, tenant_id: 3, ver: 1 }
    }

    #[test]
    fn a_signed_token_verifies_with_the_same_key() {
        let keys = TokenKeys::new("a secret long enough for the test suite");
        let token = keys.sign(&claims(TokenKind::Access, 100));
        assert_eq!(keys.verify(&token, TokenKind::Access, 99).map(|c| c.user_id), Ok(7));
    }

    #[test]
    fn another_key_expiry_or_kind_is_refused() {
        let keys = TokenKeys::new("one secret long enough for the tests");
        let token = keys.sign(&claims(TokenKind::Access, 100));
        assert_eq!(TokenKeys::new("another").verify(&token, TokenKind::Access, 0), Err(TokenError::BadSignature));
        assert_eq!(keys.verify(&token, TokenKind::Access, 100), Err(TokenError::Expired));
        assert_eq!(keys.verify(&token, TokenKind::Refresh, 0), Err(TokenError::WrongKind));
        assert_eq!(keys.verify("a.b", TokenKind::Access, 0), Err(TokenError::Malformed));
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let keys = TokenKeys::new("one secret long enough for the tests");
        let token = keys.sign(&claims(TokenKind::Access, 100));
        let forged = keys.sign(&Claims { tenant_id: 4, ..claims(TokenKind::Access, 100) });
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_payload = forged.split('.').nth(1).unwrap_or_default();
        parts[1] = forged_payload;
        assert_eq!(keys.verify(&parts.join("."), TokenKind::Access, 0), Err(TokenError::BadSignature));
    }
}
