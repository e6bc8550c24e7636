//! `/api/customers/export/` and `/api/customers/import/`: customers out as CSV, and in from a
//! CSV file.

use super::customers_csv;
use super::error::ApiResult;
use super::extract::ApiContext;
use super::query::{filter_and_ordering, Params};
use super::schemas::{query_boolean, Detail, ListFilters, Unauthorized};
use crate::domain::customer_input::{parse_bool, NOT_BOOLEAN};
use crate::domain::FieldErrors;
use crate::services::import::{self, ImportMode, ImportReport, MAX_BYTES};
use crate::services::{export, Core, ServiceError, ServiceResult};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, RawQuery, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

#[utoipa::path(get, path = "/api/customers/export/", tag = "customers", params(ListFilters),
    responses(
        (status = 200, description = "Every matching customer as CSV, in the list's ordering; the header names the fields import reads", content_type = "text/csv", body = String),
        (status = 400, description = "A filter is not valid", body = Object),
        Unauthorized,
    )
)]
/// `GET /api/customers/export/`: the list's filters, search and ordering, every page at once.
pub async fn export(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let (filter, ordering) = filter_and_ordering(&Params::new(raw.as_deref()))?;
    let export = export::export(&core, ctx, filter, ordering).await?;
    Ok(customers_csv::download(core.clock.now(), export))
}

/// `dry_run` and `mode` as the query string gives them.
fn import_options(params: &Params) -> ServiceResult<(ImportMode, bool)> {
    let mut errors = FieldErrors::default();
    let dry_run = match params.get("dry_run").map(str::trim).filter(|v| !v.is_empty()) {
        None => false,
        Some(value) => parse_bool(value).unwrap_or_else(|| {
            errors.add("dry_run", NOT_BOOLEAN);
            false
        }),
    };
    let mode = match params.get("mode").map(str::trim).filter(|v| !v.is_empty()) {
        None | Some("upsert") => ImportMode::Upsert,
        Some("create") => ImportMode::Create,
        Some(other) => {
            errors.add("mode", format!("\"{other}\" is not a valid choice."));
            ImportMode::Upsert
        }
    };
    errors.or((mode, dry_run)).map_err(ServiceError::Validation)
}

/// The file: the body itself, or the `file` field of a multipart form.
async fn file_bytes(request: Request) -> ServiceResult<Bytes> {
    let too_large = || ServiceError::TooLarge("The file is larger than 20 MB; split it into smaller files.".into());
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return axum::body::to_bytes(request.into_body(), MAX_BYTES).await.map_err(|_| too_large());
    }
    let not_a_form = || ServiceError::Malformed("The form could not be read as multipart/form-data.".into());
    let mut form = Multipart::from_request(request, &()).await.map_err(|_| not_a_form())?;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                return match field.bytes().await {
                    Ok(bytes) if bytes.len() <= MAX_BYTES => Ok(bytes),
                    Ok(_) => Err(too_large()),
                    Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
                    Err(_) => Err(not_a_form()),
                };
            }
            Ok(Some(_)) => continue,
            Ok(None) => {
                return Err(ServiceError::Malformed(
                    "The form has no \"file\" field: send the CSV file in it, or as the body (text/csv).".into(),
                ))
            }
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(not_a_form()),
        }
    }
}

/// One error of an import report.
#[derive(Serialize, ToSchema)]
pub struct RowErrorJson {
    /// The row as a spreadsheet numbers it (the header is row 1).
    row: usize,
    /// The field, as the API names it.
    field: String,
    /// The API's message.
    message: String,
}

/// Rows of a file that name the same email.
#[derive(Serialize, ToSchema)]
pub struct DuplicateRowsJson {
    /// The email, as its first row writes it.
    email: String,
    /// The rows, as a spreadsheet numbers them.
    rows: Vec<usize>,
}

/// What an import did, or would do.
#[derive(Serialize, ToSchema)]
pub struct ImportReportJson {
    /// Whether this was only a check.
    dry_run: bool,
    /// Rows with something in them (the header not counted).
    rows: usize,
    /// New customers (written, or that would be).
    created: usize,
    /// Customers changed.
    updated: usize,
    /// Rows that match their customer exactly.
    unchanged: usize,
    /// Header cells that name no field, as written.
    ignored_columns: Vec<String>,
    /// Every error, by row.
    errors: Vec<RowErrorJson>,
    /// Emails on more than one row.
    duplicates_in_file: Vec<DuplicateRowsJson>,
}

impl From<ImportReport> for ImportReportJson {
    fn from(r: ImportReport) -> Self {
        ImportReportJson {
            dry_run: r.dry_run,
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            ignored_columns: r.ignored_columns,
            errors: r
                .errors
                .into_iter()
                .map(|e| RowErrorJson { row: e.row, field: e.field, message: e.message })
                .collect(),
            duplicates_in_file: r
                .duplicates_in_file
                .into_iter()
                .map(|d| DuplicateRowsJson { email: d.email, rows: d.rows })
                .collect(),
        }
    }
}

/// The import's options.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Read by name from the query string; declared for the OpenAPI document.
pub struct ImportParams {
    /// Only check the file and report (default false).
    #[param(schema_with = query_boolean)]
    dry_run: Option<String>,
    /// `upsert` (default) updates the customer with the same email; `create` reports such rows.
    #[param(pattern = "^(upsert|create)?$")]
    mode: Option<String>,
}

#[utoipa::path(post, path = "/api/customers/import/", tag = "customers", params(ImportParams),
    request_body(content = String, description = "The CSV file (UTF-8; `,`, `;` or tab), or a multipart form with it in `file`", content_type = "text/csv"),
    responses(
        (status = 200, description = "The report: written (or, in a dry run, what would be)", body = ImportReportJson),
        (status = 400, description = "The report of a file with errors or duplicate emails (nothing written); `{\"detail\"}` for a file that cannot be read (no name or email column, not UTF-8, an open quote); field errors for a bad `dry_run` or `mode`", body = Object),
        Unauthorized,
        (status = 403, description = "Only owners and managers import", body = Detail),
        (status = 409, description = "Customers changed meanwhile; nothing was written", body = Detail),
        (status = 413, description = "More than 20 MB or 100,000 rows", body = Detail),
    )
)]
/// `POST /api/customers/import/?dry_run=…&mode=…` (owners and managers).
pub async fn import(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Response> {
    import::may_import(&ctx)?;
    let (mode, dry_run) = import_options(&Params::new(raw.as_deref()))?;
    let bytes = file_bytes(request).await?;
    let file = customers_csv::read_import(&bytes)?;
    drop(bytes);
    let report = import::import(&core, &ctx, file, mode, dry_run, &|_| {}).await?;
    let status = if report.refused() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, Json(ImportReportJson::from(report))).into_response())
}
