//! The import page's data: where the caller's import job is. Its forms post to plain handlers
//! (`web::import_forms`), which answer with a redirect back to the page.

use super::team::Flash;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many errors the page lists (the rest are in the downloadable file).
pub const ERRORS_SHOWN: usize = 100;

/// An import report as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    /// Rows with something in them.
    pub rows: usize,
    /// New customers.
    pub created: usize,
    /// Changed customers.
    pub updated: usize,
    /// Rows matching their customer exactly.
    pub unchanged: usize,
    /// Header cells that name no field.
    pub ignored_columns: Vec<String>,
    /// The first errors: row, column, message.
    pub errors: Vec<(usize, String, String)>,
    /// How many errors there are in all (duplicates included).
    pub error_count: usize,
    /// Emails on more than one row, with their rows.
    pub duplicates: Vec<(String, Vec<usize>)>,
}

/// Where the caller's import is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportStage {
    /// No file yet (or the job is gone): the upload form.
    Start,
    /// Checked: the report, and the confirmation when it has no errors.
    Checked(ReportView),
    /// Being written.
    Running {
        /// Rows written.
        done: usize,
        /// Rows to write.
        total: usize,
    },
    /// Written.
    Done(ReportView),
    /// Refused or failed: why (nothing was written).
    Failed(String),
}

/// The import page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPageData {
    /// Whether the caller may import (owners and managers).
    pub allowed: bool,
    /// The job named in the URL.
    pub stage: ImportStage,
    /// The outcome of the last form, once.
    pub flash: Option<Flash>,
}

/// The import page's data for the job named in the URL (`job=`, empty for none).
#[server(prefix = "/sfn", endpoint = "customers/import")]
pub async fn import_page(job: String) -> Result<ImportPageData, ServerFnError> {
    use super::customers::caller;
    use crate::services::import::may_import;
    let (core, ctx) = caller().await?;
    if may_import(&ctx).is_err() {
        return Ok(ImportPageData { allowed: false, stage: ImportStage::Start, flash: None });
    }
    let stage = match core.import_jobs.state(&ctx, job.trim()) {
        Ok(state) => server::stage(state),
        Err(_) => ImportStage::Start,
    };
    Ok(ImportPageData { allowed: true, stage, flash: super::team::server::take_flash().await })
}

/// Where a running import is, for the progress bar (`None` when the job is gone).
#[server(prefix = "/sfn", endpoint = "customers/import/progress")]
pub async fn import_progress(job: String) -> Result<Option<ImportStage>, ServerFnError> {
    let (core, ctx) = super::customers::caller().await?;
    Ok(core.import_jobs.state(&ctx, job.trim()).ok().map(server::stage))
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::{ImportStage, ReportView, ERRORS_SHOWN};
    use crate::services::import::ImportReport;
    use crate::services::import_jobs::JobState;

    /// A report as the page shows it.
    pub fn report(report: ImportReport) -> ReportView {
        ReportView {
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            ignored_columns: report.ignored_columns,
            error_count: report.errors.len() + report.duplicates_in_file.len(),
            errors: report.errors.into_iter().take(ERRORS_SHOWN).map(|e| (e.row, e.field, e.message)).collect(),
            duplicates: report.duplicates_in_file.into_iter().map(|d| (d.email, d.rows)).collect(),
        }
    }

    /// A job's state as the page shows it.
    pub fn stage(state: JobState) -> ImportStage {
        match state {
            JobState::Checked(r) => ImportStage::Checked(report(r)),
            JobState::Running { done, total } => ImportStage::Running { done, total },
            JobState::Done(r) => ImportStage::Done(report(r)),
            JobState::Failed(why) => ImportStage::Failed(why),
        }
    }
}
