//! `/api/customers/duplicates/`, `/api/customers/{id}/merge/` and `/api/merges/{id}/undo/`:
//! thin handlers over the merges service.

use super::customer_json::whole_number;
use super::customers::path_id;
use super::error::ApiResult;
use super::extract::{json_value, ApiContext};
use super::query::Params;
use super::render::{CustomerJson, PageLinks, Paginated};
use super::schemas::{CustomerId, Detail, Forbidden, InvalidRequest, MergeBody, MergeId, PageParams, Unauthorized};
use crate::domain::merge::DuplicateGroup;
use crate::domain::{FieldErrors, InvalidInput};
use crate::services::{merges, Core, ServiceError};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Customers that look like one person.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DuplicateGroupJson {
    /// `email`, `phone` or `name` (the same name in the same city).
    #[schema(pattern = "^(email|phone|name)$")]
    reason: &'static str,
    /// The customers, oldest first (at most 11).
    customers: Vec<CustomerJson>,
}

impl From<DuplicateGroup> for DuplicateGroupJson {
    fn from(group: DuplicateGroup) -> Self {
        DuplicateGroupJson {
            reason: group.reason.as_str(),
            customers: group.customers.into_iter().map(CustomerJson::from).collect(),
        }
    }
}

/// A merge done.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MergedJson {
    /// What `POST /api/merges/{merge_id}/undo/` takes (within 30 days).
    merge_id: i64,
    /// The survivor as it is now.
    customer: CustomerJson,
}

/// A merge undone.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UndoneJson {
    /// The survivor, then each customer it had absorbed, as they are now.
    customers: Vec<CustomerJson>,
}

/// The ids of `{"merge_ids": [...]}`, each a whole number (or a string of one).
fn merge_ids_of(body: &Value) -> Result<Vec<i64>, InvalidInput> {
    let refused = |message: &str| {
        let mut errors = FieldErrors::default();
        errors.add("merge_ids", message);
        InvalidInput::Fields(errors)
    };
    let Some(object) = body.as_object() else {
        return Err(refused("Expected a JSON object with a list of customer ids."));
    };
    match object.get("merge_ids") {
        None | Some(Value::Null) => Err(refused("This field is required.")),
        Some(Value::Array(items)) => items
            .iter()
            .map(whole_number)
            .collect::<Option<Vec<i64>>>()
            .ok_or_else(|| refused("A valid integer is required.")),
        Some(_) => Err(refused("Expected a list of customer ids.")),
    }
}

#[utoipa::path(get, path = "/api/customers/duplicates/", tag = "customers", params(PageParams),
    responses(
        (status = 200, description = "A page of groups of likely duplicates: same email, then phone, then name and city", body = Paginated<DuplicateGroupJson>),
        Unauthorized,
        (status = 403, description = "Only owners and managers merge customers", body = Detail),
        (status = 404, description = "Invalid page", body = Detail),
    )
)]
/// `GET /api/customers/duplicates/` (owners and managers).
pub async fn duplicates(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paginated<DuplicateGroupJson>>> {
    let params = Params::new(raw.as_deref());
    let page = params.page().map_err(ServiceError::from)?;
    let groups = merges::duplicates(&core, &ctx, page).await?;
    Ok(Json(PageLinks { headers: &headers, uri: &uri, params: &params.0 }.rows(groups)))
}

#[utoipa::path(post, path = "/api/customers/{id}/merge/", tag = "customers", params(CustomerId),
    request_body = MergeBody,
    responses(
        (status = 200, description = "Merged into this customer, in one transaction", body = MergedJson),
        InvalidRequest,
        Unauthorized,
        Forbidden,
        (status = 404, description = "This customer or one to merge is not found", body = Detail),
        (status = 422, description = "The points added up pass the most a customer can hold", body = Detail),
    )
)]
/// `POST /api/customers/{id}/merge/` (owners and managers).
pub async fn merge(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<MergedJson>> {
    let id = path_id(&id)?;
    let ids = json_value(&body).and_then(|value| merge_ids_of(&value));
    let merged = merges::merge(&core, &ctx, id, ids).await?;
    Ok(Json(MergedJson { merge_id: merged.merge_id, customer: merged.customer.into() }))
}

#[utoipa::path(post, path = "/api/merges/{merge_id}/undo/", tag = "customers", params(MergeId),
    responses(
        (status = 200, description = "The merge undone: every customer back with its own id, rows and points", body = UndoneJson),
        Unauthorized,
        Forbidden,
        (status = 404, description = "No such merge", body = Detail),
        (status = 409, description = "Undone already, more than 30 days old, or no longer possible", body = Detail),
    )
)]
/// `POST /api/merges/{merge_id}/undo/` (owners and managers).
pub async fn undo(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<Json<UndoneJson>> {
    let customers = merges::undo(&core, &ctx, path_id(&id)?).await?;
    Ok(Json(UndoneJson { customers: customers.into_iter().map(CustomerJson::from).collect() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_ids_are_a_list_of_whole_numbers() {
        assert_eq!(merge_ids_of(&json!({ "merge_ids": [2, "3", 4.0] })), Ok(vec![2, 3, 4]));
        for body in [json!({}), json!({ "merge_ids": "2" }), json!({ "merge_ids": [2.5] }), json!([2])] {
            assert!(matches!(merge_ids_of(&body), Err(InvalidInput::Fields(_))), "{body}");
        }
    }
}
