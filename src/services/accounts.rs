//! Tenants and users: the team an owner manages, a user's own password and sessions, and who a
//! session or token belongs to.

use super::sign_in::user_for_token;
use super::{Core, ServiceError, ServiceResult};
use crate::auth::password::{hash_password, verify_password};
use crate::auth::password_policy::check_new_password;
use crate::auth::token::TokenKind;
use crate::domain::FieldErrors;
use crate::domain::{Channel, Email, RequestContext, Role, SessionUser};
use crate::storage::{NewUser, PasswordHash, StorageError, Tenant, User, UserChanges, UserUpdate};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

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
    /// Password (at least 12 characters, not a common one).
    pub password: String,
    /// Role name.
    pub role: String,
}

/// Creates a user in `tenant_id` (the command line, and owners through [`add_user`], who are
/// recorded as its creator).
pub async fn create_user(core: &Core, tenant_id: i64, input: NewUserInput) -> ServiceResult<User> {
    create_user_by(core, tenant_id, input, None).await
}

async fn create_user_by(
    core: &Core,
    tenant_id: i64,
    input: NewUserInput,
    by: Option<&RequestContext>,
) -> ServiceResult<User> {
    let mut errors = FieldErrors::default();
    let email = Email::parse(&input.email).map_err(|e| errors.add("email", e.to_string())).ok();
    let role = input.role.parse::<Role>().map_err(|e| errors.add("role", e.to_string())).ok();
    if let Err(message) = check_new_password(&input.password) {
        errors.add("password", message);
    }
    let (Some(email), Some(role)) = (email, role) else {
        return Err(errors.into());
    };
    errors.or(())?;
    let password_hash = hash(core, input.password).await?;
    let new = NewUser { tenant_id, email, password_hash, role };
    core.storage.create_user(&new, by).await.map_err(|e| match e {
        StorageError::Conflict => {
            ServiceError::Validation(FieldErrors::single("email", "A user with this email already exists."))
        }
        other => other.into(),
    })
}

/// Hashes a password once a hashing slot is free.
async fn hash(core: &Core, password: String) -> ServiceResult<PasswordHash> {
    let _slot = core.hashing.enter().await?;
    Ok(hash_password(password).await?)
}

/// The request context of a valid access token whose user is still active and unchanged,
/// acting from `client`.
pub async fn authenticate_token(core: &Core, access: &str, client: Option<IpAddr>) -> ServiceResult<RequestContext> {
    let (_, user) = user_for_token(core, access, TokenKind::Access).await?;
    Ok(context_of(&user, client, Channel::Api))
}

/// The context and shell view of a session's user, if they are still active and unchanged.
pub async fn authenticate_session(
    core: &Core,
    auth: SessionAuth,
    client: Option<IpAddr>,
) -> ServiceResult<Option<(RequestContext, SessionUser)>> {
    Ok(core
        .storage
        .user_by_id(auth.user_id)
        .await?
        .filter(|user| user.is_active && user.auth_version == auth.ver)
        .map(|user| (context_of(&user, client, Channel::Page), session_user_of(&user))))
}

fn context_of(user: &User, client: Option<IpAddr>, channel: Channel) -> RequestContext {
    RequestContext { tenant_id: user.tenant_id, user_id: user.id, role: user.role, client, channel }
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
    /// The last sign-in (form or token), if any.
    pub last_sign_in_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        UserView {
            id: user.id,
            email: user.email,
            role: user.role,
            is_active: user.is_active,
            created_at: user.created_at,
            last_sign_in_at: user.last_sign_in_at,
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
    create_user_by(core, ctx.tenant_id, input, Some(ctx)).await.map(UserView::from)
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
    if let Some(Err(message)) = input.password.as_deref().map(check_new_password) {
        errors.add("password", message);
    }
    if user_id == ctx.user_id && (input.is_active == Some(false) || role.is_some_and(|r| r != Role::Owner)) {
        errors.add("non_field_errors", "Owners cannot deactivate or demote themselves.");
    }
    errors.or(())?;
    let password_hash = match input.password {
        Some(password) => Some(hash(core, password).await?),
        None => None,
    };
    let changes = UserChanges { role, is_active: input.is_active, password_hash };
    match core.storage.update_user(ctx, user_id, &changes).await? {
        UserUpdate::Updated(user) => Ok(UserView::from(user)),
        UserUpdate::NotFound => Err(ServiceError::NotFound),
        UserUpdate::LastOwner => Err(ServiceError::Conflict(LAST_OWNER)),
    }
}

/// Why a change to the last active owner is refused.
pub const LAST_OWNER: &str =
    "This is the last active owner of the team: make another user an owner before demoting or deactivating this one.";

/// A user's change of their own password.
#[derive(Debug, Clone, Deserialize)]
pub struct PasswordChange {
    /// The password now, to prove it is them at the till.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
}

/// Changes the caller's own password: the current one must match, the new one must pass the
/// policy. Every session and token of theirs ends; the user as they are now (with the new auth
/// version, so the page can keep its own session).
pub async fn change_own_password(core: &Core, ctx: &RequestContext, change: PasswordChange) -> ServiceResult<User> {
    if let Err(message) = check_new_password(&change.new_password) {
        return Err(FieldErrors::single("new_password", message).into());
    }
    let user = core.storage.user_by_id(ctx.user_id).await?.ok_or(ServiceError::NotFound)?;
    let matches = {
        let _slot = core.hashing.enter().await?;
        verify_password(change.current_password, user.password_hash.clone()).await
    };
    if !matches {
        return Err(ServiceError::WrongPassword);
    }
    let new_hash = hash(core, change.new_password).await?;
    core.storage.change_own_password(ctx, &new_hash).await?.ok_or(ServiceError::NotFound)
}

/// Ends every session and refresh token of the caller (and their access tokens with them).
pub async fn sign_out_everywhere(core: &Core, ctx: &RequestContext) -> ServiceResult<()> {
    Ok(core.storage.sign_out_everywhere(ctx).await?)
}
