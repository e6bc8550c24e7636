//! Reading the activity log: owners see their tenant's, newest first; a customer's page shows
//! that customer's own timeline to anyone who may see the customer.

use super::{paged, Core, Paged, ServiceError, ServiceResult};
use crate::domain::activity::{ActivityAction, TargetType};
use crate::domain::customer_query::PageRequest;
use crate::domain::{FieldErrors, RequestContext};
use crate::storage::{ActivityFilter, ActivityRow};

/// Who acted.
#[derive(Clone, Debug, PartialEq)]
pub struct ActorView {
    /// The user's id (null for the system, or for an unknown person's failed sign-in).
    pub id: Option<i64>,
    /// Their email at the time.
    pub email: String,
}

/// What was acted on.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetView {
    /// `customer`, `user` or `tenant`.
    pub kind: String,
    /// The record's id.
    pub id: Option<i64>,
    /// Its name at the time.
    pub label: String,
}

/// One row of the log, for the API and the page to show.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityView {
    /// Its id.
    pub id: i64,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Who.
    pub actor: ActorView,
    /// What: `customer.created`, `customer.updated`, `customer.deleted`, `customer.points_changed`,
    /// `customer.bulk_updated`, `order.recorded`, `order.refunded`, `loyalty.program_changed`,
    /// `user.created`, `user.updated`, `auth.signed_in`, `auth.sign_in_failed`,
    /// `auth.password_changed`, `auth.signed_out_everywhere`.
    pub action: String,
    /// To what.
    pub target: TargetView,
    /// What changed (for an edit, `{"changes": {"field": {"from", "to"}}}`).
    pub details: serde_json::Value,
    /// Where the request came from.
    pub client_address: Option<String>,
}

impl From<ActivityRow> for ActivityView {
    fn from(row: ActivityRow) -> Self {
        ActivityView {
            id: row.id,
            created_at: row.created_at,
            actor: ActorView { id: row.actor_id, email: row.actor_email },
            action: row.action,
            target: TargetView { kind: row.target_type, id: row.target_id, label: row.target_label },
            details: row.details.0,
            client_address: row.client_address,
        }
    }
}

/// A page of the caller's tenant's log (owners only).
pub async fn list(
    core: &Core,
    ctx: &RequestContext,
    filter: &ActivityFilter,
    page: PageRequest,
) -> ServiceResult<Paged<ActivityView>> {
    may_read(ctx)?;
    load(core, ctx, filter, page).await
}

/// Whether the caller may read the whole log (owners); checked before the filters are read.
pub fn may_read(ctx: &RequestContext) -> ServiceResult<()> {
    if ctx.role.can_manage_users() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A page of one customer's timeline, for anyone who may see the customer.
pub async fn customer_timeline(
    core: &Core,
    ctx: &RequestContext,
    customer_id: i64,
    page: PageRequest,
) -> ServiceResult<Paged<ActivityView>> {
    super::customers::get(core, ctx, customer_id).await?;
    let filter =
        ActivityFilter { target_type: Some(TargetType::Customer), target_id: Some(customer_id), ..Default::default() };
    load(core, ctx, &filter, page).await
}

async fn load(
    core: &Core,
    ctx: &RequestContext,
    filter: &ActivityFilter,
    page: PageRequest,
) -> ServiceResult<Paged<ActivityView>> {
    let found =
        paged(page, |offset, limit| async move { core.storage.activity(ctx, filter, offset, limit).await.map(Some) })
            .await?;
    Ok(Paged {
        count: found.count,
        number: found.number,
        has_next: found.has_next,
        items: found.items.into_iter().map(ActivityView::from).collect(),
    })
}

/// The log's filters as typed (query parameters, a form): each one's text, blank for none.
#[derive(Clone, Copy, Debug, Default)]
pub struct FilterText<'a> {
    /// A user's id.
    pub actor: &'a str,
    /// An action's name, such as `customer.updated`.
    pub action: &'a str,
    /// A kind of record, such as `customer`.
    pub target_type: &'a str,
    /// A record's id.
    pub target_id: &'a str,
    /// The earliest time (RFC 3339).
    pub since: &'a str,
    /// The latest time (RFC 3339).
    pub until: &'a str,
}

impl FilterText<'_> {
    /// The filter: blank fields are ignored, bad ones are field errors named after their field.
    pub fn parse(&self) -> Result<ActivityFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        fn given(value: &str) -> Option<&str> {
            Some(value.trim()).filter(|v| !v.is_empty())
        }
        let mut id = |name: &'static str, value: &str| {
            given(value).and_then(|value| {
                value.parse::<i64>().map_err(|_| errors.add(name, "A valid integer is required.")).ok()
            })
        };
        let actor = id("actor", self.actor);
        let target_id = id("target_id", self.target_id);
        let mut choice = |name: &'static str, valid: Option<()>, value: &str| {
            if valid.is_none() {
                errors.add(name, format!("Select a valid choice. {value} is not one of the available choices."));
            }
        };
        let action = given(self.action).and_then(|value| {
            let parsed = value.parse::<ActivityAction>().ok();
            choice("action", parsed.map(|_| ()), value);
            parsed
        });
        let target_type = given(self.target_type).and_then(|value| {
            let parsed = value.parse::<TargetType>().ok();
            choice("target_type", parsed.map(|_| ()), value);
            parsed
        });
        let mut time = |name: &'static str, value: &str| {
            given(value).and_then(|value| {
                chrono::DateTime::parse_from_rfc3339(value)
                    .map(|at| at.with_timezone(&chrono::Utc))
                    .map_err(|_| errors.add(name, "Enter a valid date/time (RFC 3339, such as 2026-12-01T09:00:00Z)."))
                    .ok()
            })
        };
        let since = time("since", self.since);
        let until = time("until", self.until);
        errors.or(ActivityFilter { actor, action, target_type, target_id, since, until })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_is_read_from_its_field() {
        let read = FilterText {
            actor: "7",
            action: "customer.updated",
            target_type: "customer",
            target_id: "12",
            since: "2026-12-01T00:00:00Z",
            until: "",
        }
        .parse()
        .expect("valid");
        assert_eq!(read.actor, Some(7));
        assert_eq!(read.action, Some(ActivityAction::CustomerUpdated));
        assert_eq!(read.target_type, Some(TargetType::Customer));
        assert_eq!(read.target_id, Some(12));
        assert!(read.since.is_some() && read.until.is_none());
    }

    #[test]
    fn bad_values_are_field_errors_not_ignored() {
        let text = FilterText { actor: "me", action: "x.y", since: "yesterday", ..FilterText::default() };
        let errors = text.parse().expect_err("invalid");
        assert_eq!(errors.0.len(), 3, "{errors:?}");
    }
}
