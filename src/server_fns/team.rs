//! Server functions of the team, account and activity pages: what they show. Their forms post
//! to plain handlers (`web::team_forms`), which answer with a redirect and leave a [`Flash`].

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A message for the next page the user sees, once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// Whether it reports a success.
    pub ok: bool,
    /// The sentence.
    pub text: String,
    /// A value to show once and never again (a generated first password).
    pub secret: Option<String>,
    /// The merge the message reports, which it offers to undo.
    #[serde(default)]
    pub undo_merge: Option<i64>,
}

/// A user as the team page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// `owner`, `manager` or `cashier`.
    pub role: String,
    /// Whether they can sign in.
    pub is_active: bool,
    /// Last sign-in, RFC 3339, if any.
    pub last_sign_in_at: Option<String>,
}

/// The team page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamData {
    /// The signed-in owner's id (their own row has no role or status controls).
    pub me: i64,
    /// The tenant's users.
    pub members: Vec<Member>,
    /// The outcome of the last form, once.
    pub flash: Option<Flash>,
}

/// One row of the activity log as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLine {
    /// RFC 3339.
    pub at: String,
    /// Who (their email), or "someone" for a failed sign-in by an unknown person.
    pub actor: String,
    /// The action's name (`customer.updated`).
    pub action: String,
    /// The action as a sentence.
    pub label: String,
    /// The record's kind, id and name.
    pub target: String,
    /// A link to the record, when it still has a page.
    pub link: Option<String>,
    /// What changed, one line per field or detail.
    pub details: Vec<String>,
    /// Where the request came from.
    pub client_address: String,
}

/// A page of the activity log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRows {
    /// Rows over every page.
    pub count: u64,
    /// This page's number.
    pub number: u64,
    /// Whether a next page exists.
    pub has_next: bool,
    /// The rows.
    pub lines: Vec<ActivityLine>,
    /// The team, for the actor filter: (id, email).
    pub actors: Vec<(i64, String)>,
}

/// The filters of the activity page, as the URL carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityQuery {
    /// User id.
    pub actor: String,
    /// Action name.
    pub action: String,
    /// `customer`, `user` or `tenant`.
    pub target_type: String,
    /// Record id.
    pub target_id: String,
    /// RFC 3339 or a date (`2026-12-01`).
    pub since: String,
    /// RFC 3339 or a date (the whole day is included).
    pub until: String,
    /// Page number.
    pub page: String,
}

/// The team, or `None` when the caller is not an owner.
#[server(prefix = "/sfn", endpoint = "team")]
pub async fn team_view() -> Result<Option<TeamData>, ServerFnError> {
    use super::customers::{caller, sentence};
    use crate::services::accounts;
    let (core, ctx) = caller().await?;
    if !ctx.role.can_manage_users() {
        return Ok(None);
    }
    let users = accounts::list_users(&core, &ctx).await.map_err(sentence)?;
    let members = users
        .into_iter()
        .map(|u| Member {
            id: u.id,
            email: u.email,
            role: u.role.as_str().to_owned(),
            is_active: u.is_active,
            last_sign_in_at: u.last_sign_in_at.map(|at| at.to_rfc3339()),
        })
        .collect();
    Ok(Some(TeamData { me: ctx.user_id, members, flash: server::take_flash().await }))
}

/// The outcome of the account page's last form, once.
#[server(prefix = "/sfn", endpoint = "account")]
pub async fn account_flash() -> Result<Option<Flash>, ServerFnError> {
    super::customers::caller().await?;
    Ok(server::take_flash().await)
}

/// A page of the tenant's activity, or `None` when the caller is not an owner.
#[server(prefix = "/sfn", endpoint = "activity")]
pub async fn activity_page(query: ActivityQuery) -> Result<Option<ActivityRows>, ServerFnError> {
    use super::customers::{caller, sentence};
    use crate::domain::customer_query::PageRequest;
    use crate::services::{accounts, activity};
    let (core, ctx) = caller().await?;
    if activity::may_read(&ctx).is_err() {
        return Ok(None);
    }
    let filter = query.filter().map_err(|errors| sentence(errors.into()))?;
    let page = PageRequest::parse(Some(&query.page), Some("50")).unwrap_or(PageRequest::first(50));
    let found = match activity::list(&core, &ctx, &filter, page).await {
        Err(crate::services::ServiceError::InvalidPage) => {
            activity::list(&core, &ctx, &filter, PageRequest::first(50)).await
        }
        other => other,
    }
    .map_err(sentence)?;
    let actors =
        accounts::list_users(&core, &ctx).await.map_err(sentence)?.into_iter().map(|u| (u.id, u.email)).collect();
    Ok(Some(ActivityRows {
        count: found.count,
        number: found.number,
        has_next: found.has_next,
        lines: found.items.into_iter().map(server::line).collect(),
        actors,
    }))
}

/// The latest rows about one customer, for its page.
#[server(prefix = "/sfn", endpoint = "customers/activity")]
pub async fn customer_activity(id: i64) -> Result<Vec<ActivityLine>, ServerFnError> {
    use super::customers::{caller, sentence};
    use crate::domain::customer_query::PageRequest;
    let (core, ctx) = caller().await?;
    let found = crate::services::activity::customer_timeline(&core, &ctx, id, PageRequest::first(20))
        .await
        .map_err(sentence)?;
    Ok(found.items.into_iter().map(server::line).collect())
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::{ActivityLine, ActivityQuery, Flash};
    use crate::domain::activity::ActivityAction;
    use crate::domain::FieldErrors;
    use crate::services::activity::ActivityView;
    use crate::storage::ActivityFilter;
    use serde_json::Value;
    use tower_sessions::Session;

    /// The session key of the flash.
    pub const FLASH_KEY: &str = "flash";

    /// Leaves a message for the next page.
    pub async fn leave_flash(session: &Session, flash: Flash) {
        if let Err(err) = session.insert(FLASH_KEY, flash).await {
            tracing::warn!(%err, "could not store a message for the next page");
        }
    }

    /// The message left for this page, removed as it is read.
    pub async fn take_flash() -> Option<Flash> {
        let session = leptos_axum::extract::<Session>().await.ok()?;
        session.remove::<Flash>(FLASH_KEY).await.ok().flatten()
    }

    impl ActivityQuery {
        /// The filter it names, with the API's rules; a bare date in `until` includes that day.
        pub fn filter(&self) -> Result<ActivityFilter, FieldErrors> {
            let day = |text: &str, end: bool| -> String {
                match chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                    Ok(date) if end => format!("{date}T23:59:59.999999Z"),
                    Ok(date) => format!("{date}T00:00:00Z"),
                    Err(_) => text.to_owned(),
                }
            };
            let (since, until) = (day(&self.since, false), day(&self.until, true));
            crate::services::activity::FilterText {
                actor: &self.actor,
                action: &self.action,
                target_type: &self.target_type,
                target_id: &self.target_id,
                since: &since,
                until: &until,
            }
            .parse()
        }
    }

    /// A detail value as a short text.
    fn shown(value: &Value) -> String {
        match value {
            Value::String(text) if text.is_empty() => "(blank)".to_owned(),
            Value::String(text) => text.clone(),
            Value::Null => "(none)".to_owned(),
            other => other.to_string(),
        }
    }

    /// A row as the pages show it.
    pub fn line(row: ActivityView) -> ActivityLine {
        let label = row.action.parse::<ActivityAction>().map_or("Activity", |a| a.label()).to_owned();
        let mut details = Vec::new();
        if let Some(Value::Object(changes)) = row.details.get("changes") {
            for (field, change) in changes {
                details.push(format!("{field}: {} → {}", shown(&change["from"]), shown(&change["to"])));
            }
        }
        if let Value::Object(rest) = &row.details {
            for (key, value) in rest.iter().filter(|(key, _)| *key != "changes" && *key != "ids") {
                details.push(format!("{key}: {}", shown(value)));
            }
        }
        let link = match (row.target.kind.as_str(), row.target.id) {
            ("customer", Some(id)) if row.action != "customer.deleted" => Some(format!("/customers/{id}")),
            _ => None,
        };
        let target = match row.target.id {
            Some(id) => format!("{} #{id} · {}", row.target.kind, row.target.label),
            None => format!("{} · {}", row.target.kind, row.target.label),
        };
        ActivityLine {
            at: row.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            actor: if row.actor.email.is_empty() { "someone".to_owned() } else { row.actor.email },
            action: row.action,
            label,
            target,
            link,
            details,
            client_address: row.client_address.unwrap_or_default(),
        }
    }
}
