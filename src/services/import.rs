//! Importing customers from a file: every row checked as the API checks a customer, rows naming
//! the same email found, existing customers matched by email (ignoring case), and then either a
//! report of what would happen (a dry run, or a file with errors: nothing is written) or all of
//! it written in one transaction.

use super::customers::DUPLICATE_EMAIL;
use super::{Core, ServiceError, ServiceResult};
use crate::domain::customer_input::{CustomerPatch, NewCustomer};
use crate::domain::{Channel, Customer, RequestContext};
use crate::storage::{ExistingCustomer, ImportPlan, ImportUpdate, ImportedCustomer, ImportedPoints, PointsSource};
use std::collections::HashMap;

/// The most rows a file may have.
pub const MAX_ROWS: usize = 100_000;
/// The most bytes a file may have.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Totals from before Patron, as a row gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Opening {
    /// Orders so far.
    pub orders: Option<i64>,
    /// Spent so far, minor units.
    pub spent_minor: Option<i64>,
}

/// A row whose cells are all valid.
#[derive(Clone, Debug)]
pub struct ImportRow {
    /// Its number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The customer it describes; details absent from the file are `None`.
    pub customer: NewCustomer,
    /// Its opening totals.
    pub opening: Opening,
}

/// Something wrong with one cell of one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The row, as a spreadsheet numbers it.
    pub row: usize,
    /// The column, as the API names the field.
    pub field: String,
    /// What is wrong, as the API says it.
    pub message: String,
}

/// A file as the edges read it: its valid rows, the errors of the others, and the columns it
/// has that nothing reads.
#[derive(Clone, Debug, Default)]
pub struct ImportFile {
    /// Rows with something in them (the header not counted).
    pub rows: usize,
    /// The valid rows.
    pub valid: Vec<ImportRow>,
    /// The errors of the other rows.
    pub errors: Vec<RowError>,
    /// Header cells that name no field, as written.
    pub ignored_columns: Vec<String>,
}

/// Whether rows whose email a customer already has update it or are refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportMode {
    /// Update the customer with the same email (ignoring case).
    #[default]
    Upsert,
    /// Report such rows as errors.
    Create,
}

/// Rows of one file naming the same email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateRows {
    /// The email, as its first row writes it.
    pub email: String,
    /// The rows, in order.
    pub rows: Vec<usize>,
}

/// What an import did, or would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Whether this was only a check.
    pub dry_run: bool,
    /// Rows with something in them.
    pub rows: usize,
    /// New customers (written, or that would be).
    pub created: usize,
    /// Changed customers.
    pub updated: usize,
    /// Rows that match their customer exactly.
    pub unchanged: usize,
    /// Header cells that name no field.
    pub ignored_columns: Vec<String>,
    /// Every error, by row.
    pub errors: Vec<RowError>,
    /// Emails on more than one row.
    pub duplicates_in_file: Vec<DuplicateRows>,
}

impl ImportReport {
    /// Whether the file was refused: an import (not a dry run) of a file with errors or
    /// duplicates, of which nothing was written.
    pub fn refused(&self) -> bool {
        let clean = self.errors.is_empty() && self.duplicates_in_file.is_empty();
        !(self.dry_run || clean)
    }
}

/// Whether the caller may import (owners and managers); checked before the file is read.
pub fn may_import(ctx: &RequestContext) -> ServiceResult<()> {
    if ctx.role.can_manage_customers() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Checks a file against the caller's customers and, unless `dry_run` or the file has errors,
/// writes it in one transaction; `progress` hears how many rows are written as it goes.
pub async fn import(
    core: &Core,
    ctx: &RequestContext,
    file: ImportFile,
    mode: ImportMode,
    dry_run: bool,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> ServiceResult<ImportReport> {
    may_import(ctx)?;
    let mut report = ImportReport {
        dry_run,
        rows: file.rows,
        ignored_columns: file.ignored_columns,
        errors: file.errors,
        ..Default::default()
    };
    let rows = without_duplicates(file.valid, &mut report);
    let keys: Vec<String> = rows.iter().map(|r| r.customer.email.key()).collect();
    let existing: HashMap<String, ExistingCustomer> = core
        .storage
        .customers_by_email(ctx, &keys)
        .await?
        .into_iter()
        .map(|found| (crate::domain::email::email_key(&found.customer.email), found))
        .collect();
    let now = core.clock.now();
    let mut plan = ImportPlan::default();
    for row in rows {
        match existing.get(&row.customer.email.key()) {
            None => plan.creates.push(imported(row, now)),
            Some(_) if mode == ImportMode::Create => {
                report.errors.push(RowError { row: row.row, field: "email".into(), message: DUPLICATE_EMAIL.into() })
            }
            Some(found) => match update_of(&row, found) {
                Err(error) => report.errors.push(error),
                Ok(None) => plan.unchanged += 1,
                Ok(Some(update)) => plan.updates.push(update),
            },
        }
    }
    (report.created, report.updated, report.unchanged) = (plan.creates.len(), plan.updates.len(), plan.unchanged);
    report.errors.sort_by_key(|e| e.row);
    if dry_run || report.refused() {
        return Ok(report);
    }
    if !(plan.creates.is_empty() && plan.updates.is_empty()) {
        // What the file changes is recorded as coming from an import (consents say so).
        let ctx = &RequestContext { channel: Channel::Import, ..*ctx };
        core.storage.apply_import(ctx, &plan, progress).await.map_err(|err| match err {
            crate::storage::StorageError::Conflict => {
                ServiceError::Conflict("Customers changed while the file was imported; nothing was written. Try again.")
            }
            other => other.into(),
        })?;
        if report.created >= REFRESH_STATISTICS_AFTER {
            // The import is done either way; stale statistics only slow the next queries down.
            if let Err(err) = core.storage.after_bulk_load().await {
                tracing::warn!(error = %err, "could not refresh statistics after an import");
            }
        }
    }
    Ok(report)
}

/// From how many new customers on an import refreshes what the query planner knows.
const REFRESH_STATISTICS_AFTER: usize = 10_000;

/// The rows whose email no other row has; the others are reported.
fn without_duplicates(rows: Vec<ImportRow>, report: &mut ImportReport) -> Vec<ImportRow> {
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        by_key.entry(row.customer.email.key()).or_default().push(i);
    }
    let mut duplicated = vec![false; rows.len()];
    let mut groups: Vec<&Vec<usize>> = by_key.values().filter(|at| at.len() > 1).collect();
    groups.sort_by_key(|at| at[0]);
    for at in groups {
        at.iter().for_each(|&i| duplicated[i] = true);
        report.duplicates_in_file.push(DuplicateRows {
            email: rows[at[0]].customer.email.as_str().to_owned(),
            rows: at.iter().map(|&i| rows[i].row).collect(),
        });
    }
    rows.into_iter().zip(duplicated).filter(|(_, d)| !d).map(|(row, _)| row).collect()
}

/// A new customer from a row: its balance is one imported ledger row.
fn imported(row: ImportRow, now: chrono::DateTime<chrono::Utc>) -> ImportedCustomer {
    let NewCustomer { name, email, details } = row.customer;
    let points = details.loyalty_points.unwrap_or(0);
    let history = (points > 0)
        .then(|| ImportedPoints { delta: points, reason: "Imported".into(), source: PointsSource::Import, at: now })
        .into_iter()
        .collect();
    ImportedCustomer {
        name,
        email,
        phone: details.phone.unwrap_or_default(),
        address: details.address.unwrap_or_default(),
        city: details.city.unwrap_or_default(),
        province: details.province.unwrap_or_default(),
        postal_code: details.postal_code.unwrap_or_default(),
        notes: details.notes.unwrap_or_default(),
        total_orders: row.opening.orders.unwrap_or(0),
        total_spent_minor: row.opening.spent_minor.unwrap_or(0),
        is_active: details.is_active.unwrap_or(true),
        marketing_email: details.marketing_email.unwrap_or(false),
        marketing_sms: details.marketing_sms.unwrap_or(false),
        created_at: now,
        last_order_date: details.last_order_date.flatten(),
        history,
    }
}

/// What a row changes in its customer (`None`: nothing), or why its totals cannot be taken
/// (below what was recorded in Patron since).
fn update_of(row: &ImportRow, found: &ExistingCustomer) -> Result<Option<ImportUpdate>, RowError> {
    let c: &Customer = &found.customer;
    let new = &row.customer;
    let d = &new.details;
    fn changed<T: PartialEq + Clone>(new: &Option<T>, old: &T) -> Option<T> {
        new.as_ref().filter(|value| *value != old).cloned()
    }
    // The row was matched by its email ignoring case: its spelling of it changes nothing.
    let mut patch = CustomerPatch { name: changed(&Some(new.name.clone()), &c.name), ..Default::default() };
    let p = &mut patch.details;
    p.phone = changed(&d.phone, &c.phone);
    p.address = changed(&d.address, &c.address);
    p.city = changed(&d.city, &c.city);
    p.province = changed(&d.province, &c.province);
    p.postal_code = changed(&d.postal_code, &c.postal_code);
    p.notes = changed(&d.notes, &c.notes);
    p.is_active = changed(&d.is_active, &c.is_active);
    p.marketing_email = changed(&d.marketing_email, &c.marketing_email);
    p.marketing_sms = changed(&d.marketing_sms, &c.marketing_sms);
    p.loyalty_points = changed(&d.loyalty_points, &c.loyalty_points);
    p.last_order_date = changed(&d.last_order_date, &c.last_order_date);
    let orders_delta =
        opening_delta(row, "total_orders", row.opening.orders, c.total_orders, found.opening_orders, |n| {
            n.to_string()
        })?;
    let spent_delta = opening_delta(
        row,
        "total_spent",
        row.opening.spent_minor,
        c.total_spent_minor,
        found.opening_spent_minor,
        crate::domain::money::decimal_text,
    )?;
    if patch == CustomerPatch::default() && orders_delta == 0 && spent_delta == 0 {
        return Ok(None);
    }
    Ok(Some(ImportUpdate { id: c.id, patch, orders_delta, spent_delta }))
}

/// How much a total from the file moves the opening total; a total below what Patron recorded
/// itself is refused.
fn opening_delta(
    row: &ImportRow,
    field: &str,
    wanted: Option<i64>,
    total: i64,
    opening: i64,
    show: fn(i64) -> String,
) -> Result<i64, RowError> {
    let Some(wanted) = wanted else { return Ok(0) };
    let recorded = total - opening;
    if wanted < recorded {
        let message = format!("Ensure this value is greater than or equal to {} (recorded in Patron).", show(recorded));
        return Err(RowError { row: row.row, field: field.into(), message });
    }
    Ok(wanted - total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer_input::CustomerDetails;
    use crate::domain::Email;

    fn row(n: usize, email: &str) -> ImportRow {
        let email = Email::parse(email).expect("valid");
        let customer = NewCustomer { name: "A".into(), email, details: CustomerDetails::default() };
        ImportRow { row: n, customer, opening: Opening::default() }
    }

    #[test]
    fn rows_naming_the_same_email_ignoring_case_are_reported_together() {
        let mut report = ImportReport::default();
        let rows = vec![row(2, "a@x.co"), row(3, "b@x.co"), row(4, "A@X.co"), row(5, "c@x.co"), row(6, "c@x.co")];
        let kept = without_duplicates(rows, &mut report);
        assert_eq!(kept.iter().map(|r| r.row).collect::<Vec<_>>(), vec![3]);
        assert_eq!(
            report.duplicates_in_file,
            vec![
                DuplicateRows { email: "a@x.co".into(), rows: vec![2, 4] },
                DuplicateRows { email: "c@x.co".into(), rows: vec![5, 6] }
            ]
        );
    }

    #[test]
    fn a_dry_run_is_never_refused_and_a_clean_import_is_not() {
        let mut report = ImportReport { dry_run: true, ..Default::default() };
        report.errors.push(RowError { row: 2, field: "email".into(), message: "x".into() });
        assert!(!report.refused());
        report.dry_run = false;
        assert!(report.refused());
        assert!(!ImportReport::default().refused());
    }
}
