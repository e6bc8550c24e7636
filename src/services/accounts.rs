//! Tenants, users, sign-in and the tokens and sessions that follow from it.

use crate::auth::password::{hash_password, verify_password};
use crate::auth::token::{Claims, TokenError, TokenKind, ACCESS_LIFETIME_SECS, REFRESH_LIFETIME_SECS};
use crate::domain::email::email_key;
use crate::domain::{Email, RequestContext, Role, SessionUser};
use crate::storage::{NewUser, StorageError, Tenant, User, UserChanges};
use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::{Core, ServiceError, ServiceResult};
use crate::domain::FieldErrors;

/// Failed sign-ins allowed per email within [`LOCKOUT_WINDOW_MINUTES`].
pub const MAX_FAILED_SIGN_INS: i64 = 10;
/// The window over which failed sign-ins are counted.
pub const LOCKOUT_WINDOW_MINUTES: i64 = 15;
/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 8;
/// The longest password accepted, in characters.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// A pair of API tokens.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenPair {
    /// Short-lived bearer token.
    pub access: String,
    /// Long-lived token to get new access tokens.
    pub refresh: String,
}

/// What a browser session remembers about its user.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionAuth {
    /// The signed-in user.
    pub user_id: i64,
    /// Their auth version at sign-in.
    pub ver: i64,
}

/// Creates a tenant with a unique name (1–200 characters).
pub async fn create_tenant(core: &Core, name: &str) -> ServiceResult<Tenant> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::Validation(FieldErrors::single("name", "Tenant name must be 1 to 200 characters.")));
    }
    core.storage.create_tenant(name).await.map_err(|e| match e {
        StorageError::Conflict => ServiceError::Duplicate(format!("a tenant named {name:?} already exists")),
        other => other.into(),
    })
}

/// Finds a tenant by id (when `key` is a number) or by name.
pub async fn find_tenant(core: &Core, key: &str) -> ServiceResult<Tenant> {
    let by_id = match key.trim().parse::<i64>() {
        Ok(id) => core.storage.tenant_by_id(id).await?,
        Err(_) => None,
    };
    match by_id {
        Some(tenant) => Ok(tenant),
        None => core.storage.tenant_by_name(key).await?.ok_or(ServiceError::NotFound),
    }
}

/// Input for a new user.
#[derive(Debug, Clone, Deserialize)]
pub struct NewUserInput {
    /// Sign-in email.
    pub email: String,
    /// Password (at least 8 characters).
    pub password: String,
    /// Role name.
    pub role: String,
}

/// Creates a user in `tenant_id` (used by the command line and by owners through the API).
pub async fn create_user(core: &Core, tenant_id: i64, input: NewUserInput) -> ServiceResult<User> {
    let mut errors = FieldErrors::default();
    let email = Email::parse(&input.email).map_err(|e| errors.add("email", e.to_string())).ok();
    let role = input.role.parse::<Role>().map_err(|e| errors.add("role", e.to_string())).ok();
    if let Err(message) = check_password(&input.password) {
        errors.add("password", message);
    }
    let (Some(email), Some(role)) = (email, role) else {
        return Err(errors.into());
    };
    errors.or(())?;
    let password_hash = hash_password(input.password).await?;
    let new = NewUser { tenant_id, email, password_hash, role };
    core.storage.create_user(&new).await.map_err(|e| match e {
        StorageError::Conflict => {
            ServiceError::Validation(FieldErrors::single("email", "A user with this email already exists."))
        }
        other => other.into(),
    })
}

fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        Err(format!("Password must be at least {MIN_PASSWORD_LEN} characters."))
    } else if password.chars().count() > MAX_PASSWORD_LEN {
        Err(format!("Password must be at most {MAX_PASSWORD_LEN} characters."))
    } else {
        Ok(())
    }
}

/// Checks an email and password, counting failures per email; after
/// [`MAX_FAILED_SIGN_INS`] failures within the window every attempt is refused.
pub async fn sign_in(core: &Core, email: &str, password: &str) -> ServiceResult<User> {
    let key = email_key(email);
    let now = core.clock.now();
    let since = now - Duration::minutes(LOCKOUT_WINDOW_MINUTES);
    if core.storage.login_failures_since(&key, since).await? >= MAX_FAILED_SIGN_INS {
        return Err(ServiceError::TooManyAttempts);
    }
    let user = core.storage.user_by_email_key(&key).await?;
    // Verify against a real hash even for unknown emails, so timing does not tell which exist.
    let hash = match &user {
        Some(user) => user.password_hash.clone(),
        None => core.dummy_hash().await?,
    };
    let matches = verify_password(password.to_owned(), hash).await;
    match user {
        Some(user) if matches && user.is_active => Ok(user),
        _ => {
            core.storage.record_login_failure(&key, now).await?;
            Err(ServiceError::InvalidCredentials)
        }
    }
}

/// Issues an access and a refresh token for a signed-in user.
pub fn issue_tokens(core: &Core, user: &User) -> TokenPair {
    TokenPair { access: issue(core, user, TokenKind::Access), refresh: issue(core, user, TokenKind::Refresh) }
}

fn issue(core: &Core, user: &User, kind: TokenKind) -> String {
    let now = core.clock.now().timestamp();
    let lifetime = match kind {
        TokenKind::Access => ACCESS_LIFETIME_SECS,
        TokenKind::Refresh => REFRESH_LIFETIME_SECS,
    };
    let jti: u128 = rand::random();
    core.tokens.sign(&Claims {
        token_type: kind,
        exp: now + lifetime,
        iat: now,
        jti: format!("{jti:032x}"),
        user_id: user.id,
        tenant_id: user.tenant_id,
        ver: user.auth_version,
    })
}

/// Exchanges a valid refresh token for a new access token.
pub async fn refresh_access(core: &Core, refresh: &str) -> ServiceResult<String> {
    let user = user_for_token(core, refresh, TokenKind::Refresh).await?;
    Ok(issue(core, &user, TokenKind::Access))
}

/// The request context of a valid access token whose user is still active and unchanged.
pub async fn authenticate_token(core: &Core, access: &str) -> ServiceResult<RequestContext> {
    let user = user_for_token(core, access, TokenKind::Access).await?;
    Ok(context_of(&user))
}

async fn user_for_token(core: &Core, token: &str, kind: TokenKind) -> ServiceResult<User> {
    let claims = core
        .tokens
        .verify(token, kind, core.clock.now().timestamp())
        .map_err(|_: TokenError| ServiceError::InvalidToken)?;
    match core.storage.user_by_id(claims.user_id).await? {
        Some(user) if user.is_active && user.auth_version == claims.ver && user.tenant_id == claims.tenant_id => {
            Ok(user)
        }
        _ => Err(ServiceError::InvalidToken),
    }
}

/// The context and shell view of a session's user, if they are still active and unchanged.
pub async fn authenticate_session(
    core: &Core,
    auth: SessionAuth,
) -> ServiceResult<Option<(RequestContext, SessionUser)>> {
    Ok(core
        .storage
        .user_by_id(auth.user_id)
        .await?
        .filter(|user| user.is_active && user.auth_version == auth.ver)
        .map(|user| (context_of(&user), session_user_of(&user))))
}

fn context_of(user: &User) -> RequestContext {
    RequestContext { tenant_id: user.tenant_id, user_id: user.id, role: user.role }
}

/// What the browser may know about a user.
pub fn session_user_of(user: &User) -> SessionUser {
    SessionUser {
        user_id: user.id,
        email: user.email.clone(),
        role: user.role,
        tenant_id: user.tenant_id,
        tenant_name: user.tenant_name.clone(),
    }
}

/// A user as owners see them through the API.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Whether they can sign in.
    pub is_active: bool,
    /// Creation time.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        UserView {
            id: user.id,
            email: user.email,
            role: user.role,
            is_active: user.is_active,
            created_at: user.created_at,
        }
    }
}

fn require_owner(ctx: &RequestContext) -> ServiceResult<()> {
    if ctx.role.can_manage_users() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The caller's tenant's users (owners only).
pub async fn list_users(core: &Core, ctx: &RequestContext) -> ServiceResult<Vec<UserView>> {
    require_owner(ctx)?;
    Ok(core.storage.list_users(ctx).await?.into_iter().map(UserView::from).collect())
}

/// Adds a user to the caller's tenant (owners only).
pub async fn add_user(core: &Core, ctx: &RequestContext, input: NewUserInput) -> ServiceResult<UserView> {
    require_owner(ctx)?;
    create_user(core, ctx.tenant_id, input).await.map(UserView::from)
}

/// A change an owner makes to a user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserChangeInput {
    /// New role.
    pub role: Option<String>,
    /// Activate or deactivate (deactivating ends their sessions and tokens).
    pub is_active: Option<bool>,
    /// New password (ends their sessions and tokens).
    pub password: Option<String>,
}

/// Changes a user of the caller's tenant (owners only; another tenant's user is not found).
pub async fn change_user(
    core: &Core,
    ctx: &RequestContext,
    user_id: i64,
    input: UserChangeInput,
) -> ServiceResult<UserView> {
    require_owner(ctx)?;
    let mut errors = FieldErrors::default();
    let role = match input.role.as_deref() {
        Some(text) => text.parse::<Role>().map_err(|e| errors.add("role", e.to_string())).ok(),
        None => None,
    };
    if let Some(Err(message)) = input.password.as_deref().map(check_password) {
        errors.add("password", message);
    }
    if user_id == ctx.user_id && (input.is_active == Some(false) || role.is_some_and(|r| r != Role::Owner)) {
        errors.add("non_field_errors", "Owners cannot deactivate or demote themselves.");
    }
    errors.or(())?;
    let password_hash = match input.password {
        Some(password) => Some(hash_password(password).await?),
        None => None,
    };
    let changes = UserChanges { role, is_active: input.is_active, password_hash };
    core.storage.update_user(ctx, user_id, &changes).await?.map(UserView::from).ok_or(ServiceError::NotFound)
}
