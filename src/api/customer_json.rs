//! The API's request bodies on customers, read as DRF reads them (a number where a string is
//! expected is its text, booleans and integers may come as strings, `null` is refused where a
//! value is needed) and checked by the domain's rules. Read-only fields (id, tenant, tenant_name,
//! loyalty_tier, total_orders, total_spent, created_at, updated_at) and unknown fields are ignored.

use crate::domain::customer_actions::{BulkAction, BulkUpdate, PointsChange, INVALID_POINTS, NO_CUSTOMERS};
use crate::domain::customer_input::{self as rules, CustomerDetails, CustomerPatch, NewCustomer};
use crate::domain::{Email, FieldErrors, Input, InvalidInput};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// The body of a create or a PUT: name and email required.
pub fn new_customer(body: &Value) -> Input<NewCustomer> {
    let (object, mut errors) = object(body)?;
    let name = read_text(object, "name", &mut errors).and_then(|raw| errors.check("name", rules::name(&raw)));
    let email = read_email(object, &mut errors);
    let details = details(object, &mut errors);
    Ok(NewCustomer::require(name, email, details, errors)?)
}

/// The body of a PATCH: every field optional.
pub fn customer_patch(body: &Value) -> Input<CustomerPatch> {
    let (object, mut errors) = object(body)?;
    let name = read_text(object, "name", &mut errors).and_then(|raw| errors.check("name", rules::name(&raw)));
    let email = read_email(object, &mut errors);
    let details = details(object, &mut errors);
    Ok(errors.or(CustomerPatch { name, email, details })?)
}

/// A whole number: a JSON integer, a number without a fraction (`25.0`, an integer in JSON
/// Schema's eyes and in DRF's), or a string of an integer.
pub(crate) fn whole_number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64))
        }
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// `{"points": N, "reason": "…"}`: points a non-zero integer (or a string of one).
pub fn points_change(body: &Value) -> Input<PointsChange> {
    let points = body.get("points").and_then(whole_number).ok_or(InvalidInput::Request(INVALID_POINTS))?;
    let reason = match body.get("reason") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(FieldErrors::single("reason", rules::NOT_STRING).into()),
    };
    PointsChange::new(points, reason)
}

/// `{"customer_ids": [...], "action": "activate"|"deactivate"}`.
pub fn bulk_update(body: &Value) -> Input<BulkUpdate> {
    let ids: Vec<i64> = match body.get("customer_ids") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(whole_number)
            .collect::<Option<Vec<i64>>>()
            .ok_or(InvalidInput::Request("Invalid customer ids: every id must be an integer"))?,
        Some(_) => return Err(InvalidInput::Request("Invalid customer ids: expected a list of integers")),
    };
    if ids.is_empty() {
        return Err(InvalidInput::Request(NO_CUSTOMERS));
    }
    let action = match body.get("action").and_then(Value::as_str) {
        Some("activate") => BulkAction::Activate,
        Some("deactivate") => BulkAction::Deactivate,
        _ => return Err(InvalidInput::Request("Invalid action")),
    };
    BulkUpdate::new(ids, action)
}

/// The body as a JSON object, or DRF's message for anything else.
pub(crate) fn object(body: &Value) -> Result<(&Map<String, Value>, FieldErrors), InvalidInput> {
    match body.as_object() {
        Some(object) => Ok((object, FieldErrors::default())),
        None => {
            let kind = match body {
                Value::Array(_) => "list",
                Value::String(_) => "str",
                Value::Number(_) => "int",
                Value::Bool(_) => "bool",
                _ => "NoneType",
            };
            let message = format!("Invalid data. Expected a dictionary, but got {kind}.");
            Err(FieldErrors::single("non_field_errors", message).into())
        }
    }
}

fn read_email(object: &Map<String, Value>, errors: &mut FieldErrors) -> Option<Email> {
    read_text(object, "email", errors).and_then(|raw| errors.check("email", rules::email(&raw)))
}

fn details(object: &Map<String, Value>, errors: &mut FieldErrors) -> CustomerDetails {
    let mut field = |name: &str, rule: fn(&str) -> Result<String, String>| {
        read_text(object, name, errors).and_then(|raw| errors.check(name, rule(&raw)))
    };
    CustomerDetails {
        phone: field("phone", rules::phone),
        address: field("address", rules::long_text),
        city: field("city", rules::place),
        province: field("province", rules::place),
        postal_code: field("postal_code", rules::postal_code),
        notes: field("notes", rules::long_text),
        is_active: read_bool(object, "is_active", errors),
        marketing_email: read_bool(object, "marketing_email", errors),
        marketing_sms: read_bool(object, "marketing_sms", errors),
        loyalty_points: read_points(object, errors),
        last_order_date: read_datetime(object, "last_order_date", errors),
    }
}

/// A text field's raw value: a string, or a number's text; `null` and other kinds are refused.
pub(crate) fn read_text(object: &Map<String, Value>, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let text = match object.get(field)? {
        Value::Null => Err(rules::NOT_NULL),
        Value::String(s) => Ok(s.clone()),
        // DRF's CharField takes a number as its text; whole numbers only (`12.0` is the integer
        // 12, as in JSON Schema), so that the text is the number's digits.
        Value::Number(n) if n.is_u64() => Ok(n.to_string()),
        number @ Value::Number(_) => whole_number(number).map(|n| n.to_string()).ok_or(rules::NOT_STRING),
        _ => Err(rules::NOT_STRING),
    };
    errors.check(field, text.map_err(str::to_owned))
}

fn read_bool(object: &Map<String, Value>, field: &str, errors: &mut FieldErrors) -> Option<bool> {
    let parsed = match object.get(field)? {
        Value::Bool(b) => Some(*b),
        number @ Value::Number(_) => match whole_number(number) {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => rules::parse_bool(s),
        _ => None,
    };
    if parsed.is_none() {
        errors.add(field, rules::NOT_BOOLEAN);
    }
    parsed
}

fn read_points(object: &Map<String, Value>, errors: &mut FieldErrors) -> Option<i64> {
    let field = "loyalty_points";
    match whole_number(object.get(field)?) {
        Some(points) => errors.check(field, rules::points_balance(points)),
        None => {
            errors.add(field, rules::NOT_INTEGER);
            None
        }
    }
}

const DATETIME_FORMAT: &str =
    "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

/// A date-time field: RFC 3339 (or Django's forms without an offset), `null` or blank for none.
pub(crate) fn read_datetime(
    object: &Map<String, Value>,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<Option<DateTime<Utc>>> {
    match object.get(field)? {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) => {
            errors.check(field, parse_datetime(s.trim()).ok_or_else(|| DATETIME_FORMAT.to_owned())).map(Some)
        }
        _ => {
            errors.add(field, "Datetime has wrong format. Use an RFC 3339 string.");
            None
        }
    }
}

/// RFC 3339, or the forms Django accepts without an offset (then the time is UTC).
fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDateTime, SubsecRound};
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc).trunc_subsecs(6));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc().trunc_subsecs(6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer_input::{NOT_NULL, REQUIRED};
    use serde_json::json;

    fn fields(input: Input<impl std::fmt::Debug>) -> FieldErrors {
        match input {
            Err(InvalidInput::Fields(fields)) => fields,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_full_input_needs_name_and_email() {
        let errors = fields(new_customer(&json!({})));
        assert_eq!(errors.0["name"], vec![REQUIRED]);
        assert_eq!(errors.0["email"], vec![REQUIRED]);
        assert!(customer_patch(&json!({})).is_ok());
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let input = json!({
            "name": "  ", "email": "test@", "phone": "call me", "city": "x".repeat(101),
            "postal_code": "12345678901", "is_active": "maybe", "loyalty_points": -1,
            "last_order_date": "yesterday"
        });
        let errors = fields(new_customer(&input));
        for field in ["name", "email", "phone", "city", "postal_code", "is_active", "loyalty_points", "last_order_date"]
        {
            assert!(errors.0.contains_key(field), "{field}: {errors:?}");
        }
        assert_eq!(errors.0["name"].len(), 1, "a blank name is not also missing");
    }

    #[test]
    fn read_only_and_unknown_fields_are_ignored_and_text_is_trimmed() {
        let input = json!({ "name": " Sari ", "email": "s@x.id", "tenant": 99, "total_spent": "5.00", "id": 4 });
        let new = new_customer(&input).expect("valid");
        assert_eq!(new.name, "Sari");
        assert_eq!(new.details.loyalty_points, None);
    }

    #[test]
    fn numbers_strings_and_nulls_are_read_as_drf_does() {
        let input = json!({ "phone": 812345, "loyalty_points": "150", "is_active": "false", "last_order_date": null });
        assert_eq!(
            fields(customer_patch(&json!({ "city": 1.5 }))).0["city"],
            vec![crate::domain::customer_input::NOT_STRING]
        );
        let patch = customer_patch(&input).expect("valid");
        assert_eq!(patch.details.phone.as_deref(), Some("812345"));
        assert_eq!(patch.details.loyalty_points, Some(150));
        assert_eq!(patch.details.is_active, Some(false));
        assert_eq!(patch.details.last_order_date, Some(None));
        assert_eq!(fields(customer_patch(&json!({ "name": null }))).0["name"], vec![NOT_NULL]);
    }

    #[test]
    fn a_list_is_not_a_customer() {
        assert!(fields(new_customer(&json!([1, 2]))).0["non_field_errors"][0].contains("got list"));
    }

    #[test]
    fn points_come_as_integers_or_strings_of_one_and_reasons_as_strings() {
        assert_eq!(points_change(&json!({ "points": "25" })).map(|c| c.points()), Ok(25));
        assert_eq!(points_change(&json!({ "points": 25.0 })).map(|c| c.points()), Ok(25));
        assert_eq!(points_change(&json!({ "points": 1.5 })), Err(InvalidInput::Request(INVALID_POINTS)));
        assert!(fields(points_change(&json!({ "points": 5, "reason": 7 }))).0.contains_key("reason"));
    }

    #[test]
    fn bulk_updates_need_integer_ids_and_a_known_action() {
        let update = bulk_update(&json!({ "customer_ids": [2, "1", 3.0], "action": "activate" })).expect("valid");
        assert_eq!(update.ids(), &[1, 2, 3]);
        assert_eq!(
            bulk_update(&json!({ "customer_ids": [], "action": "x" })),
            Err(InvalidInput::Request(NO_CUSTOMERS))
        );
        assert_eq!(
            bulk_update(&json!({ "customer_ids": [1], "action": "x" })),
            Err(InvalidInput::Request("Invalid action"))
        );
    }
}
