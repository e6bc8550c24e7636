//! Imports started from the page: a file checked (a dry run) is kept until its user confirms it,
//! then imported in the background while the page follows its progress. Jobs live in this
//! process's memory for an hour (a user's newer file replaces one still waiting); only the user
//! who checked a file sees its job.

use super::import::{self, ImportFile, ImportMode, ImportReport};
use super::{Core, ServiceError, ServiceResult};
use crate::domain::RequestContext;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// How long a job is kept after it was checked.
const KEPT_FOR_MINUTES: i64 = 60;
/// The most jobs kept at once (the oldest go first); a file waiting for confirmation holds its
/// rows in memory.
const MAX_JOBS: usize = 16;

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Checked: the report of the dry run, waiting for confirmation (when it has no errors).
    Checked(ImportReport),
    /// Being written: rows done of rows to write.
    Running {
        /// Rows written so far.
        done: usize,
        /// Rows to write.
        total: usize,
    },
    /// Written: the report.
    Done(ImportReport),
    /// Refused or failed; nothing was written.
    Failed(String),
}

struct Job {
    tenant_id: i64,
    user_id: i64,
    checked_at: DateTime<Utc>,
    file: Option<(ImportFile, ImportMode)>,
    state: JobState,
}

/// The page's import jobs.
#[derive(Clone, Default)]
pub struct ImportJobs(Arc<Mutex<HashMap<String, Job>>>);

impl ImportJobs {
    fn jobs(&self) -> MutexGuard<'_, HashMap<String, Job>> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The state of one of the caller's jobs.
    pub fn state(&self, ctx: &RequestContext, id: &str) -> ServiceResult<JobState> {
        let jobs = self.jobs();
        let job = jobs.get(id).filter(|job| job.tenant_id == ctx.tenant_id && job.user_id == ctx.user_id);
        job.map(|job| job.state.clone()).ok_or(ServiceError::NotFound)
    }

    fn set(&self, id: &str, state: JobState) {
        if let Some(job) = self.jobs().get_mut(id) {
            job.state = state;
        }
    }
}

impl std::fmt::Debug for ImportJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportJobs").field("jobs", &self.jobs().len()).finish()
    }
}

/// Checks a file for the caller (a dry run) and keeps it as a job; its id.
pub async fn check(core: &Core, ctx: &RequestContext, file: ImportFile, mode: ImportMode) -> ServiceResult<String> {
    let report = import::import(core, ctx, file.clone(), mode, true, &|_| {}).await?;
    let now = core.clock.now();
    let id = format!("{:032x}", rand::random::<u128>());
    let mut jobs = core.import_jobs.jobs();
    // A user has one file waiting at most: checking another forgets the one before.
    jobs.retain(|_, job| {
        let waiting_of_caller = job.tenant_id == ctx.tenant_id && job.user_id == ctx.user_id && job.file.is_some();
        !waiting_of_caller && now - job.checked_at < Duration::minutes(KEPT_FOR_MINUTES)
    });
    while jobs.len() >= MAX_JOBS {
        let Some(oldest) = jobs.iter().min_by_key(|(_, job)| job.checked_at).map(|(id, _)| id.clone()) else { break };
        jobs.remove(&oldest);
    }
    let file = Some((file, mode));
    jobs.insert(
        id.clone(),
        Job { tenant_id: ctx.tenant_id, user_id: ctx.user_id, checked_at: now, file, state: JobState::Checked(report) },
    );
    Ok(id)
}

/// Starts writing one of the caller's checked jobs in the background (once: a job already
/// started or done is left as it is).
pub fn run(core: &Core, ctx: &RequestContext, id: &str) -> ServiceResult<()> {
    import::may_import(ctx)?;
    let (file, mode, total) = {
        let mut jobs = core.import_jobs.jobs();
        let job = jobs
            .get_mut(id)
            .filter(|job| job.tenant_id == ctx.tenant_id && job.user_id == ctx.user_id)
            .ok_or(ServiceError::NotFound)?;
        let JobState::Checked(report) = &job.state else { return Ok(()) };
        if !report.errors.is_empty() || !report.duplicates_in_file.is_empty() {
            return Err(ServiceError::Conflict("This file has errors: fix them and check it again."));
        }
        let Some((file, mode)) = job.file.take() else { return Ok(()) };
        let total = report.created + report.updated;
        job.state = JobState::Running { done: 0, total };
        (file, mode, total)
    };
    let (core, ctx, id) = (core.clone(), *ctx, id.to_owned());
    tokio::spawn(async move {
        let jobs = core.import_jobs.clone();
        let progress = |done: usize| jobs.set(&id, JobState::Running { done, total });
        let state = match import::import(&core, &ctx, file, mode, false, &progress).await {
            Ok(report) if report.refused() => JobState::Failed(
                "The customers changed since the file was checked, and some rows no longer fit: check it again.".into(),
            ),
            Ok(report) => JobState::Done(report),
            Err(err) if err.is_internal() => {
                tracing::error!(error = %err.chain(), "page import failed");
                JobState::Failed("Something went wrong on our side; nothing was imported. Try again.".into())
            }
            Err(err) => JobState::Failed(err.to_string()),
        };
        core.import_jobs.set(&id, state);
    });
    Ok(())
}
