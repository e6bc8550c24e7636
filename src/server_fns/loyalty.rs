//! Server functions of the loyalty settings page: the program as a form, what new thresholds
//! would do, and saving it (owners).

use super::customers::FieldMessages;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The program as the form shows and sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramForm {
    /// Spend that earns one point, a decimal.
    pub spend_per_point: String,
    /// Days points live, or empty: never expire.
    pub points_expire_after_days: String,
    /// Where Silver starts.
    pub silver: String,
    /// Where Gold starts.
    pub gold: String,
    /// Where Platinum starts.
    pub platinum: String,
}

/// The settings page's data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyView {
    /// The program now.
    pub form: ProgramForm,
    /// Customers per tier now (Bronze first).
    pub counts: [i64; 4],
    /// Whether the caller may change it (owners).
    pub can_edit: bool,
}

/// Customers who changed tier, or field messages for the form.
pub type SaveResult = Result<u64, FieldMessages>;

#[cfg(feature = "ssr")]
mod server {
    use super::ProgramForm;
    use crate::domain::customer_input::NOT_INTEGER;
    use crate::domain::{loyalty, money, FieldErrors, Input, LoyaltyProgram};

    fn whole(errors: &mut FieldErrors, field: &str, text: &str) -> Option<i64> {
        errors.check(field, text.trim().parse::<i64>().map_err(|_| NOT_INTEGER.to_owned()))
    }

    impl ProgramForm {
        /// The form of a program.
        pub fn of(program: LoyaltyProgram) -> Self {
            let tiers = program.tiers();
            ProgramForm {
                spend_per_point: money::decimal_text(program.spend_per_point_minor()),
                points_expire_after_days: program.points_expire_after_days().map(|d| d.to_string()).unwrap_or_default(),
                silver: tiers.silver().to_string(),
                gold: tiers.gold().to_string(),
                platinum: tiers.platinum().to_string(),
            }
        }

        /// The form as a program, with the API's messages (thresholds under `tiers.*`).
        pub fn program(&self) -> Input<LoyaltyProgram> {
            let mut errors = FieldErrors::default();
            let spend =
                errors.check("spend_per_point", money::minor_units(&self.spend_per_point, 1, money::MAX_AMOUNT_MINOR));
            let expiry = match self.points_expire_after_days.trim() {
                "" => Some(None),
                typed => whole(&mut errors, "points_expire_after_days", typed)
                    .and_then(|days| errors.check("points_expire_after_days", loyalty::expiry_days(Some(days)))),
            };
            let thresholds =
                [("tiers.silver", &self.silver), ("tiers.gold", &self.gold), ("tiers.platinum", &self.platinum)]
                    .map(|(field, typed)| whole(&mut errors, field, typed));
            LoyaltyProgram::require(spend, expiry, thresholds, errors)
        }
    }
}

/// The program, the tiers' counts, and whether the caller may change it.
#[server(prefix = "/sfn", endpoint = "loyalty/settings")]
pub async fn loyalty_settings() -> Result<LoyaltyView, ServerFnError> {
    use crate::server_fns::customers::{caller, sentence};
    use crate::services::{customers, loyalty};
    let (core, ctx) = caller().await?;
    let program = loyalty::program(&core, &ctx).await.map_err(sentence)?;
    let stats = customers::stats(&core, &ctx).await.map_err(sentence)?;
    let t = &stats.customers_by_tier;
    Ok(LoyaltyView {
        form: ProgramForm::of(program),
        counts: [t.bronze, t.silver, t.gold, t.platinum],
        can_edit: ctx.role.can_change_program(),
    })
}

/// How many customers each tier would hold with these thresholds (owners).
#[server(prefix = "/sfn", endpoint = "loyalty/preview")]
pub async fn preview_tiers(silver: i64, gold: i64, platinum: i64) -> Result<[i64; 4], ServerFnError> {
    use crate::server_fns::customers::{caller, sentence};
    let (core, ctx) = caller().await?;
    let thresholds = crate::domain::TierThresholds::new(silver, gold, platinum)
        .map_err(|_| ServerFnError::new("Each tier must start above the one before it."))?;
    crate::services::loyalty::preview_tiers(&core, &ctx, thresholds).await.map_err(sentence)
}

/// Saves the program (owners); every customer whose tier changes moves at once.
#[server(prefix = "/sfn", endpoint = "loyalty/save")]
pub async fn save_program(form: ProgramForm) -> Result<SaveResult, ServerFnError> {
    use crate::server_fns::customers::{caller, form_result};
    let (core, ctx) = caller().await?;
    let changed = crate::services::loyalty::set_program(&core, &ctx, form.program()).await;
    form_result(changed.map(|changed| changed.customers_moved))
}
