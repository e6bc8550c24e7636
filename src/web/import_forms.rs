//! The import page's forms: plain posts (they work without JavaScript). A file is checked and
//! kept as a job, the job is confirmed and written in the background, and its errors can be
//! downloaded; each answers with a redirect back to the page.

use super::session::SessionContext;
use crate::api::customers_csv::{self, push_line};
use crate::server_fns::team::server::leave_flash;
use crate::server_fns::team::Flash;
use crate::services::import::{ImportMode, MAX_BYTES};
use crate::services::import_jobs::{self, JobState};
use crate::services::{Core, ServiceError};
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

const PAGE: &str = "/customers/import";

/// The page showing a job.
fn job_page(id: &str) -> String {
    format!("{PAGE}?job={id}")
}

/// A refusal as the sentence the page shows (internal causes are logged, not shown).
fn failure(err: ServiceError) -> Flash {
    let text = match err {
        ServiceError::Forbidden => "Only owners and managers import customers.".to_owned(),
        ServiceError::NotFound => "That import is no longer kept: check the file again.".to_owned(),
        internal if internal.is_internal() => {
            tracing::error!(error = %internal.chain(), "import form failed");
            "Something went wrong on our side. Try again.".to_owned()
        }
        other => other.to_string(),
    };
    Flash { ok: false, text, secret: None, undo_merge: None }
}

/// The form's file and mode.
async fn read_form(mut form: Multipart) -> Result<(Bytes, ImportMode), ServiceError> {
    let too_large = || ServiceError::TooLarge("The file is larger than 20 MB: split it into smaller files.".into());
    let unreadable = || ServiceError::Malformed("The form could not be read. Choose the file again.".into());
    let (mut file, mut mode) = (None, ImportMode::Upsert);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(unreadable()),
        };
        match field.name() {
            Some("file") => match field.bytes().await {
                Ok(bytes) if bytes.len() <= MAX_BYTES => file = Some(bytes),
                Ok(_) => return Err(too_large()),
                Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(_) => return Err(unreadable()),
            },
            Some("mode") => {
                let create = field.text().await.is_ok_and(|text| text.trim() == "create");
                mode = if create { ImportMode::Create } else { ImportMode::Upsert };
            }
            _ => {}
        }
    }
    match file {
        Some(bytes) if !bytes.is_empty() => Ok((bytes, mode)),
        _ => Err(ServiceError::Malformed("Choose a CSV file to import.".into())),
    }
}

/// `POST /customers/import/check`: reads the file, checks it (a dry run) and keeps it as a job.
pub async fn check(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    session: Session,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let checked = async {
        crate::services::import::may_import(&ctx)?;
        let form = form.map_err(|_| ServiceError::Malformed("Send the file with the form on the page.".into()))?;
        let (bytes, mode) = read_form(form).await?;
        let file = customers_csv::read_import(&bytes)?;
        import_jobs::check(&core, &ctx, file, mode).await
    };
    match checked.await {
        Ok(id) => Redirect::to(&job_page(&id)).into_response(),
        Err(err) => {
            leave_flash(&session, failure(err)).await;
            Redirect::to(PAGE).into_response()
        }
    }
}

/// `POST /customers/import/{job}/run`: writes a checked job in the background.
pub async fn run(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    if let Err(err) = import_jobs::run(&core, &ctx, &id) {
        leave_flash(&session, failure(err)).await;
    }
    Redirect::to(&job_page(&id)).into_response()
}

/// `GET /customers/import/{job}/errors.csv`: every error of a checked file, as CSV.
pub async fn errors(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    Path(id): Path<String>,
) -> Response {
    let report = match core.import_jobs.state(&ctx, &id) {
        Ok(JobState::Checked(report) | JobState::Done(report)) => report,
        _ => return (StatusCode::NOT_FOUND, "That import is no longer kept: check the file again.").into_response(),
    };
    let mut out = String::new();
    push_line(&mut out, ["row", "column", "problem"]);
    for e in &report.errors {
        push_line(&mut out, [e.row.to_string().as_str(), &e.field, &e.message]);
    }
    for d in &report.duplicates_in_file {
        let rows = d.rows.iter().map(usize::to_string).collect::<Vec<_>>().join(" ");
        push_line(&mut out, [rows.as_str(), "email", &format!("{} is on rows {rows}", d.email)]);
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"import-errors.csv\""),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        out,
    )
        .into_response()
}
