//! The duplicates page's forms and the customer page's Undo: plain posts (they work without
//! JavaScript) that call the merges service, leave a message for the page and redirect back.

use super::session::SessionContext;
use crate::server_fns::team::server::leave_flash;
use crate::server_fns::team::Flash;
use crate::services::{merges, Core, ServiceError};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tower_sessions::Session;

const DUPLICATES: &str = "/customers/duplicates";

/// A failure as the sentence the page shows (internal causes are logged, not shown).
fn failure(err: ServiceError) -> Flash {
    let text = match err {
        ServiceError::Validation(fields) => fields.0.values().flatten().cloned().collect::<Vec<_>>().join(" "),
        ServiceError::Forbidden => "Only owners and managers merge customers.".to_owned(),
        ServiceError::NotFound => "Those customers are no longer there: the list is up to date now.".to_owned(),
        ServiceError::Conflict(message) | ServiceError::Unprocessable(message) => message.to_owned(),
        internal if internal.is_internal() => {
            tracing::error!(error = %internal.chain(), "merge form failed");
            "Something went wrong on our side. Try again.".to_owned()
        }
        other => other.to_string(),
    };
    Flash { ok: false, text, secret: None, undo_merge: None }
}

/// A group's merge: the customer kept and every customer of the group (comma-separated ids).
#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    survivor: String,
    #[serde(default)]
    ids: String,
    #[serde(default)]
    page: String,
}

/// `POST /customers/duplicates/merge`: merges the group's other customers into the one kept.
pub async fn merge(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    session: Session,
    Form(form): Form<MergeForm>,
) -> Response {
    let page = form.page.trim().parse::<u64>().unwrap_or(1).max(1);
    let back = if page > 1 { format!("{DUPLICATES}?page={page}") } else { DUPLICATES.to_owned() };
    let flash = match form.survivor.trim().parse::<i64>() {
        Err(_) => Flash { ok: false, text: "Choose the customer to keep.".into(), secret: None, undo_merge: None },
        Ok(survivor) => {
            let ids: Vec<i64> = form
                .ids
                .split(',')
                .filter_map(|id| id.trim().parse::<i64>().ok())
                .filter(|id| *id != survivor)
                .collect();
            let count = ids.len();
            match merges::merge(&core, &ctx, survivor, Ok(ids)).await {
                Ok(merged) => Flash {
                    ok: true,
                    text: format!(
                        "Merged {count} {} into {}.",
                        if count == 1 { "customer" } else { "customers" },
                        merged.customer.name
                    ),
                    secret: None,
                    undo_merge: Some(merged.merge_id),
                },
                Err(err) => failure(err),
            }
        }
    };
    leave_flash(&session, flash).await;
    Redirect::to(&back).into_response()
}

/// Where to go after an undo: a page of customers, nothing else.
#[derive(Deserialize)]
pub struct UndoForm {
    #[serde(default)]
    next: String,
}

/// `POST /merges/{merge_id}/undo`: undoes a merge, then goes back to the page that offered it.
pub async fn undo(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<UndoForm>,
) -> Response {
    let next = form.next.trim();
    let local = next.starts_with("/customers") && !next.contains("//") && !next.contains('\\');
    let back = if local { next.to_owned() } else { DUPLICATES.to_owned() };
    let result = match id.parse::<i64>() {
        Ok(id) => merges::undo(&core, &ctx, id).await,
        Err(_) => Err(ServiceError::NotFound),
    };
    let flash = match result {
        Ok(customers) => {
            let names: Vec<&str> = customers.iter().skip(1).map(|c| c.name.as_str()).collect();
            Flash {
                ok: true,
                text: format!(
                    "Merge undone: {} {} back.",
                    names.join(", "),
                    if names.len() == 1 { "is" } else { "are" }
                ),
                secret: None,
                undo_merge: None,
            }
        }
        Err(ServiceError::NotFound) => {
            Flash { ok: false, text: "That merge is not there to undo.".into(), secret: None, undo_merge: None }
        }
        Err(err) => failure(err),
    };
    leave_flash(&session, flash).await;
    Redirect::to(&back).into_response()
}
