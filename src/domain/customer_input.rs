//! Customer input, parsed once from a JSON object into checked values with DRF-style messages per
//! field. Read-only fields (id, tenant, tenant_name, loyalty_tier, total_orders, total_spent,
//! created_at, updated_at) and unknown fields are ignored.

use super::email::Email;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The largest points balance (Django's IntegerField bound).
pub const MAX_POINTS: i64 = 2_147_483_647;
/// Limits on text fields, in characters.
pub const NAME_MAX: usize = 200;
/// Phone length limit.
pub const PHONE_MAX: usize = 20;
/// City and province length limit.
pub const PLACE_MAX: usize = 100;
/// Postal code length limit.
pub const POSTAL_MAX: usize = 10;
/// Address and notes length limit.
pub const LONG_TEXT_MAX: usize = 2000;

/// Checked values for the writable fields that were present in the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerFields {
    /// Full name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<Email>,
    /// Phone (may be empty).
    pub phone: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Active flag.
    pub is_active: Option<bool>,
    /// New points balance.
    pub loyalty_points: Option<i64>,
    /// Last order time; `Some(None)` clears it.
    pub last_order_date: Option<Option<DateTime<Utc>>>,
}

/// Per-field messages.
pub type FieldMessages = BTreeMap<String, Vec<String>>;

/// Whether the input must carry name and email (create and PUT) or may omit them (PATCH).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// Create or full update: name and email are required.
    Full,
    /// Partial update: every field optional.
    Partial,
}

const REQUIRED: &str = "This field is required.";
const NOT_NULL: &str = "This field may not be null.";
const NOT_BLANK: &str = "This field may not be blank.";
const NOT_STRING: &str = "Not a valid string.";

/// Parses a JSON value (it must be an object) into checked fields.
pub fn parse_customer(value: &Value, completeness: Completeness) -> Result<CustomerFields, FieldMessages> {
    let mut errors = FieldMessages::new();
    let Some(object) = value.as_object() else {
        let kind = match value {
            Value::Array(_) => "list",
            Value::String(_) => "str",
            Value::Number(_) => "int",
            Value::Bool(_) => "bool",
            _ => "NoneType",
        };
        errors.insert("non_field_errors".into(), vec![format!("Invalid data. Expected a dictionary, but got {kind}.")]);
        return Err(errors);
    };
    let mut add = |field: &str, message: String| errors.entry(field.to_owned()).or_default().push(message);
    let required = completeness == Completeness::Full;

    let name = text(object, "name", required, false, NAME_MAX, &mut add);
    let email = text(object, "email", required, false, 254, &mut add).and_then(|raw| match Email::parse(&raw) {
        Ok(email) => Some(email),
        Err(err) => {
            add("email", err.to_string());
            None
        }
    });
    let phone = text(object, "phone", false, true, PHONE_MAX, &mut add);
    if let Some(phone) = &phone {
        if !phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
            add("phone", "Enter a valid phone number: digits, spaces and + - ( ) . only.".into());
        }
    }
    let fields = CustomerFields {
        name,
        email,
        phone,
        address: text(object, "address", false, true, LONG_TEXT_MAX, &mut add),
        city: text(object, "city", false, true, PLACE_MAX, &mut add),
        province: text(object, "province", false, true, PLACE_MAX, &mut add),
        postal_code: text(object, "postal_code", false, true, POSTAL_MAX, &mut add),
        notes: text(object, "notes", false, true, LONG_TEXT_MAX, &mut add),
        is_active: boolean(object, "is_active", &mut add),
        loyalty_points: points(object, &mut add),
        last_order_date: datetime(object, "last_order_date", &mut add),
    };
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

fn text(
    object: &Map<String, Value>,
    field: &str,
    required: bool,
    allow_blank: bool,
    max: usize,
    add: &mut impl FnMut(&str, String),
) -> Option<String> {
    let value = match object.get(field) {
        None if required => {
            add(field, REQUIRED.into());
            return None;
        }
        None => return None,
        Some(Value::Null) => {
            add(field, NOT_NULL.into());
            return None;
        }
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            add(field, NOT_STRING.into());
            return None;
        }
    };
    if value.is_empty() && !allow_blank {
        add(field, NOT_BLANK.into());
        return None;
    }
    if value.chars().count() > max {
        add(field, format!("Ensure this field has no more than {max} characters."));
        return None;
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        add(field, "Control characters are not allowed.".into());
        return None;
    }
    Some(value)
}

fn boolean(object: &Map<String, Value>, field: &str, add: &mut impl FnMut(&str, String)) -> Option<bool> {
    let parsed = match object.get(field)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => parse_bool(s),
        _ => None,
    };
    if parsed.is_none() {
        add(field, "Must be a valid boolean.".into());
    }
    parsed
}

/// DRF's accepted spellings of a boolean.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
        "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
        _ => None,
    }
}

fn points(object: &Map<String, Value>, add: &mut impl FnMut(&str, String)) -> Option<i64> {
    let field = "loyalty_points";
    let value = object.get(field)?;
    let parsed = match value {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64))
        }
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match parsed {
        None => {
            add(field, "A valid integer is required.".into());
            None
        }
        Some(p) if p < 0 => {
            add(field, "Ensure this value is greater than or equal to 0.".into());
            None
        }
        Some(p) if p > MAX_POINTS => {
            add(field, format!("Ensure this value is less than or equal to {MAX_POINTS}."));
            None
        }
        Some(p) => Some(p),
    }
}

fn datetime(
    object: &Map<String, Value>,
    field: &str,
    add: &mut impl FnMut(&str, String),
) -> Option<Option<DateTime<Utc>>> {
    match object.get(field)? {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) => match parse_datetime(s.trim()) {
            Some(at) => Some(Some(at)),
            None => {
                add(
                    field,
                    "Datetime has wrong format. Use one of these formats instead: \
                     YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                        .into(),
                );
                None
            }
        },
        _ => {
            add(field, "Datetime has wrong format. Use an RFC 3339 string.".into());
            None
        }
    }
}

fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDateTime, SubsecRound};
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc).trunc_subsecs(6));
    }
    // Without an offset the time is taken as UTC (Django's USE_TZ with UTC).
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc().trunc_subsecs(6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_full_input_needs_name_and_email() {
        let errors = parse_customer(&json!({}), Completeness::Full).unwrap_err();
        assert_eq!(errors["name"], vec![REQUIRED]);
        assert_eq!(errors["email"], vec![REQUIRED]);
        assert!(parse_customer(&json!({}), Completeness::Partial).is_ok());
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let input = json!({
            "name": "  ", "email": "test@", "phone": "call me", "city": "x".repeat(101),
            "postal_code": "12345678901", "is_active": "maybe", "loyalty_points": -1,
            "last_order_date": "yesterday"
        });
        let errors = parse_customer(&input, Completeness::Full).unwrap_err();
        for field in ["name", "email", "phone", "city", "postal_code", "is_active", "loyalty_points", "last_order_date"]
        {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn read_only_and_unknown_fields_are_ignored_and_text_is_trimmed() {
        let input = json!({ "name": " Sari ", "email": "s@x.id", "tenant": 99, "total_spent": "5.00", "id": 4 });
        let fields = parse_customer(&input, Completeness::Full).expect("valid");
        assert_eq!(fields.name.as_deref(), Some("Sari"));
        assert_eq!(fields.loyalty_points, None);
    }

    #[test]
    fn numbers_strings_and_nulls_are_read_as_drf_does() {
        let input = json!({ "phone": 812345, "loyalty_points": "150", "is_active": "false", "last_order_date": null });
        let fields = parse_customer(&input, Completeness::Partial).expect("valid");
        assert_eq!(fields.phone.as_deref(), Some("812345"));
        assert_eq!(fields.loyalty_points, Some(150));
        assert_eq!(fields.is_active, Some(false));
        assert_eq!(fields.last_order_date, Some(None));
        let errors = parse_customer(&json!({ "name": null }), Completeness::Partial).unwrap_err();
        assert_eq!(errors["name"], vec![NOT_NULL]);
    }

    #[test]
    fn a_list_is_not_a_customer() {
        let errors = parse_customer(&json!([1, 2]), Completeness::Full).unwrap_err();
        assert!(errors["non_field_errors"][0].contains("got list"));
    }
}
