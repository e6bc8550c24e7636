//! The API's request bodies on orders, refunds and the loyalty program, read as DRF reads them
//! (decimals as strings or numbers, integers possibly as strings) and checked by the domain's
//! rules.

use super::customer_json::{object, read_datetime, read_text, whole_number};
use crate::domain::customer_input::{NOT_INTEGER, NOT_NULL, REQUIRED};
use crate::domain::money::{self, NOT_A_NUMBER};
use crate::domain::{loyalty, order, FieldErrors, Input, LoyaltyProgram, NewOrder, Refund};
use serde_json::{Map, Value};

/// A decimal field's text: a string, or a JSON number written out in full.
fn decimal_text(object: &Map<String, Value>, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let text = match object.get(field)? {
        Value::Null => Err(NOT_NULL),
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        // Rust writes a float out in full (never in exponent form), which the decimal rules read.
        Value::Number(n) => n.as_f64().map(|f| f.to_string()).ok_or(NOT_A_NUMBER),
        _ => Err(NOT_A_NUMBER),
    };
    errors.check(field, text.map_err(str::to_owned))
}

/// `{"reference", "total", "ordered_at"?}`.
pub fn new_order(body: &Value) -> Input<NewOrder> {
    let (object, mut errors) = object(body)?;
    let reference =
        read_text(object, "reference", &mut errors).and_then(|raw| errors.check("reference", order::reference(&raw)));
    let total = decimal_text(object, "total", &mut errors).and_then(|raw| errors.check("total", order::amount(&raw)));
    let ordered_at = read_datetime(object, "ordered_at", &mut errors).flatten();
    NewOrder::require(reference, total, ordered_at, errors)
}

/// `{"amount"?, "reason"?}`: no amount refunds the rest of the order.
pub fn refund(body: &Value) -> Input<Refund> {
    let (object, mut errors) = object(body)?;
    let amount_minor = match object.get("amount") {
        None | Some(Value::Null) => Some(None),
        Some(_) => decimal_text(object, "amount", &mut errors)
            .and_then(|raw| errors.check("amount", order::amount(&raw)))
            .map(Some),
    };
    let reason = match object.get("reason") {
        None | Some(Value::Null) => Some(String::new()),
        Some(_) => read_text(object, "reason", &mut errors).and_then(|raw| errors.check("reason", order::reason(&raw))),
    };
    Refund::require(amount_minor, reason, errors)
}

/// A threshold of `tiers`: a whole number, or its message under `tiers.{name}`.
fn threshold(tiers: &Map<String, Value>, name: &str, errors: &mut FieldErrors) -> Option<i64> {
    let field = format!("tiers.{name}");
    match tiers.get(name) {
        None => errors.add(&field, REQUIRED),
        Some(Value::Null) => errors.add(&field, NOT_NULL),
        Some(value) => match whole_number(value) {
            Some(points) => return Some(points),
            None => errors.add(&field, NOT_INTEGER),
        },
    }
    None
}

/// `{"spend_per_point", "points_expire_after_days", "tiers": {"silver", "gold", "platinum"}}`;
/// a missing expiry means none.
pub fn program(body: &Value) -> Input<LoyaltyProgram> {
    let (object, mut errors) = object(body)?;
    let spend = decimal_text(object, "spend_per_point", &mut errors)
        .and_then(|raw| errors.check("spend_per_point", money::minor_units(&raw, 1, money::MAX_AMOUNT_MINOR)));
    let expiry = match object.get("points_expire_after_days") {
        None | Some(Value::Null) => Some(None),
        Some(value) => match whole_number(value) {
            Some(days) => errors.check("points_expire_after_days", loyalty::expiry_days(Some(days))),
            None => {
                errors.add("points_expire_after_days", NOT_INTEGER);
                None
            }
        },
    };
    let thresholds = match object.get("tiers") {
        Some(Value::Object(tiers)) => ["silver", "gold", "platinum"].map(|name| threshold(tiers, name, &mut errors)),
        missing_or_not_an_object => {
            match missing_or_not_an_object {
                None => errors.add("tiers", REQUIRED),
                Some(Value::Null) => errors.add("tiers", NOT_NULL),
                Some(_) => errors.add("tiers.non_field_errors", "Invalid data. Expected a dictionary."),
            }
            [None; 3]
        }
    };
    LoyaltyProgram::require(spend, expiry, thresholds, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields<T: std::fmt::Debug>(input: Input<T>) -> FieldErrors {
        match input {
            Err(crate::domain::InvalidInput::Fields(errors)) => errors,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn an_order_reads_its_total_from_a_string_or_a_number() {
        let order = new_order(&json!({"reference": "POS-1", "total": "125000.00"})).expect("valid");
        assert_eq!(order.total_minor, 12_500_000);
        let order = new_order(&json!({"reference": "POS-1", "total": 99.5})).expect("valid");
        assert_eq!(order.total_minor, 9950);
        let errors = fields(new_order(&json!({"total": "0.001"})));
        assert_eq!(errors.0["reference"], vec![REQUIRED]);
        assert!(errors.0["total"][0].contains("2 decimal places"));
        let errors = fields(new_order(&json!({"reference": "R", "total": 1e20})));
        assert!(errors.0["total"][0].contains("less than or equal to 9999999999.99"));
    }

    #[test]
    fn a_refund_may_leave_out_its_amount() {
        assert_eq!(refund(&json!({})), Ok(Refund { amount_minor: None, reason: String::new() }));
        assert_eq!(fields(refund(&json!({"amount": "-1"}))).0.len(), 1);
    }

    #[test]
    fn a_program_reports_each_tier_under_tiers() {
        let program = program(&json!({"spend_per_point": "10000.00", "points_expire_after_days": null,
            "tiers": {"silver": 100, "gold": 500, "platinum": 1000}}));
        assert_eq!(program, Ok(LoyaltyProgram::default()));
        let errors = fields(super::program(&json!({"spend_per_point": "0", "tiers": {"silver": "x", "gold": 5}})));
        assert!(errors.0.contains_key("spend_per_point"));
        assert_eq!(errors.0["tiers.silver"], vec![NOT_INTEGER]);
        assert_eq!(errors.0["tiers.platinum"], vec![REQUIRED]);
    }
}
