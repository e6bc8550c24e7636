//! Server functions of the customer page's orders: record one, refund one. Each builds the
//! service's input with the API's rules and messages and calls the same service as the API.

use super::customers::FieldMessages;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The Record order form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderForm {
    /// The till's reference.
    pub reference: String,
    /// The total, a decimal.
    pub total: String,
    /// `YYYY-MM-DDTHH:MM` in UTC (a `datetime-local` input), or empty for now.
    pub ordered_at: String,
}

/// The order's id, or field messages for the form to show (the page is rendered again after a
/// change, so the island needs nothing more).
pub type OrderResult = Result<i64, FieldMessages>;

#[cfg(feature = "ssr")]
mod server {
    use super::OrderForm;
    use crate::domain::{order, FieldErrors, Input, NewOrder, Refund};

    impl OrderForm {
        /// The form as an order to record.
        pub fn new_order(&self) -> Input<NewOrder> {
            let mut errors = FieldErrors::default();
            let reference = errors.check("reference", order::reference(&self.reference));
            let total = errors.check("total", order::amount(&self.total));
            let ordered_at = match self.ordered_at.trim() {
                "" => None,
                typed => errors.check(
                    "ordered_at",
                    chrono::NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M")
                        .map(|at| at.and_utc())
                        .map_err(|_| "Enter a date and time (UTC).".to_owned()),
                ),
            };
            NewOrder::require(reference, total, ordered_at, errors)
        }
    }

    /// A refund as typed: an empty amount refunds the rest.
    pub fn refund(amount: &str, reason: &str) -> Input<Refund> {
        let mut errors = FieldErrors::default();
        let amount_minor = match amount.trim() {
            "" => Some(None),
            typed => errors.check("amount", order::amount(typed)).map(Some),
        };
        let reason = errors.check("reason", order::reason(reason));
        Refund::require(amount_minor, reason, errors)
    }
}

/// Records an order for a customer (any role).
#[server(prefix = "/sfn", endpoint = "orders/record")]
pub async fn record_order(customer_id: i64, form: OrderForm) -> Result<OrderResult, ServerFnError> {
    let (core, ctx) = crate::server_fns::customers::caller().await?;
    let recorded = crate::services::orders::record(&core, &ctx, customer_id, form.new_order()).await;
    crate::server_fns::customers::form_result(recorded.map(|r| r.order.id))
}

/// Refunds an order: `amount` empty for the rest of it (owners and managers).
#[server(prefix = "/sfn", endpoint = "orders/refund")]
pub async fn refund_order(order_id: i64, amount: String, reason: String) -> Result<OrderResult, ServerFnError> {
    let (core, ctx) = crate::server_fns::customers::caller().await?;
    let refunded = crate::services::orders::refund(&core, &ctx, order_id, server::refund(&amount, &reason)).await;
    crate::server_fns::customers::form_result(refunded.map(|order| order.id))
}
