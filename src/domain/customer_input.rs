//! What may be written to a customer: checked values, and the checks with DRF's messages per
//! field. Each edge reads its own format (JSON for the API, the form for the page) and runs every
//! field through these checks, so the rules and messages are the same whichever way they came.

use super::email::Email;
use super::input::FieldErrors;
use chrono::{DateTime, Utc};

/// The largest points balance (Django's IntegerField bound).
pub const MAX_POINTS: i64 = 2_147_483_647;
/// Name length limit, in characters.
pub const NAME_MAX: usize = 200;
/// Email length limit, in characters.
pub const EMAIL_MAX: usize = 254;
/// Phone length limit.
pub const PHONE_MAX: usize = 20;
/// City and province length limit.
pub const PLACE_MAX: usize = 100;
/// Postal code length limit.
pub const POSTAL_MAX: usize = 10;
/// Address and notes length limit.
pub const LONG_TEXT_MAX: usize = 2000;

/// A required field is missing.
pub const REQUIRED: &str = "This field is required.";
/// A field is `null` where a value is needed.
pub const NOT_NULL: &str = "This field may not be null.";
/// A required text is empty.
pub const NOT_BLANK: &str = "This field may not be blank.";
/// A text field got another kind of value.
pub const NOT_STRING: &str = "Not a valid string.";
/// A number field got something that is not a whole number.
pub const NOT_INTEGER: &str = "A valid integer is required.";
/// A boolean field got something that is not one.
pub const NOT_BOOLEAN: &str = "Must be a valid boolean.";

/// Checked values of the writable fields other than name and email; `None` leaves a field as it
/// is (or at its default for a new customer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerDetails {
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
    /// Consent to marketing by email.
    pub marketing_email: Option<bool>,
    /// Consent to marketing by text message.
    pub marketing_sms: Option<bool>,
    /// New points balance.
    pub loyalty_points: Option<i64>,
    /// Last order time; `Some(None)` clears it.
    pub last_order_date: Option<Option<DateTime<Utc>>>,
}

/// A customer to create: name and email are always there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCustomer {
    /// Full name, trimmed, not blank.
    pub name: String,
    /// Email.
    pub email: Email,
    /// Everything else.
    pub details: CustomerDetails,
}

/// A change to a customer: only the fields present change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerPatch {
    /// A new name.
    pub name: Option<String>,
    /// A new email.
    pub email: Option<Email>,
    /// The other fields.
    pub details: CustomerDetails,
}

impl From<NewCustomer> for CustomerPatch {
    /// A full replacement (PUT, or the page's edit form) changes every field it carries.
    fn from(new: NewCustomer) -> Self {
        CustomerPatch { name: Some(new.name), email: Some(new.email), details: new.details }
    }
}

impl NewCustomer {
    /// Name and email as checked, or "This field is required." for a missing one (a field that
    /// already has a message gets no second one).
    pub fn require(
        name: Option<String>,
        email: Option<Email>,
        details: CustomerDetails,
        mut errors: FieldErrors,
    ) -> Result<Self, FieldErrors> {
        let name = errors.require("name", name);
        let email = errors.require("email", email);
        match (name, email) {
            (Some(name), Some(email)) if errors.is_empty() => Ok(NewCustomer { name, email, details }),
            _ => Err(errors),
        }
    }
}

/// A text as typed: trimmed, within `max` characters, without control characters other than
/// line breaks and tabs; blank only when `allow_blank`.
pub fn text(raw: &str, allow_blank: bool, max: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() && !allow_blank {
        return Err(NOT_BLANK.into());
    }
    if value.chars().count() > max {
        return Err(format!("Ensure this field has no more than {max} characters."));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err("Control characters are not allowed.".into());
    }
    Ok(value.to_owned())
}

/// A customer's name.
pub fn name(raw: &str) -> Result<String, String> {
    text(raw, false, NAME_MAX)
}

/// A customer's email.
pub fn email(raw: &str) -> Result<Email, String> {
    let raw = text(raw, false, EMAIL_MAX)?;
    Email::parse(&raw).map_err(|err| err.to_string())
}

/// A phone number: digits, spaces and `+ - ( ) .`, or empty.
pub fn phone(raw: &str) -> Result<String, String> {
    let phone = text(raw, true, PHONE_MAX)?;
    if phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        Ok(phone)
    } else {
        Err("Enter a valid phone number: digits, spaces and + - ( ) . only.".into())
    }
}

/// An address or notes.
pub fn long_text(raw: &str) -> Result<String, String> {
    text(raw, true, LONG_TEXT_MAX)
}

/// A city or province.
pub fn place(raw: &str) -> Result<String, String> {
    text(raw, true, PLACE_MAX)
}

/// A postal code.
pub fn postal_code(raw: &str) -> Result<String, String> {
    text(raw, true, POSTAL_MAX)
}

/// A points balance: 0 to [`MAX_POINTS`].
pub fn points_balance(points: i64) -> Result<i64, String> {
    if points < 0 {
        Err("Ensure this value is greater than or equal to 0.".into())
    } else if points > MAX_POINTS {
        Err(format!("Ensure this value is less than or equal to {MAX_POINTS}."))
    } else {
        Ok(points)
    }
}

/// DRF's spellings of `true`, in any case.
pub const TRUE_WORDS: [&str; 6] = ["true", "1", "yes", "on", "t", "y"];
/// DRF's spellings of `false`, in any case.
pub const FALSE_WORDS: [&str; 6] = ["false", "0", "no", "off", "f", "n"];

/// DRF's accepted spellings of a boolean ([`TRUE_WORDS`], [`FALSE_WORDS`]), trimmed, any case.
pub fn parse_bool(text: &str) -> Option<bool> {
    let word = text.trim().to_ascii_lowercase();
    if TRUE_WORDS.contains(&word.as_str()) {
        Some(true)
    } else if FALSE_WORDS.contains(&word.as_str()) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(text("  Sari ", false, 10), Ok("Sari".into()));
        assert_eq!(text("  ", false, 10), Err(NOT_BLANK.into()));
        assert_eq!(text("  ", true, 10), Ok(String::new()));
        assert!(text("x".repeat(11).as_str(), true, 10).is_err());
        assert!(text("a\u{0}b", true, 10).is_err());
        assert_eq!(text("a\nb", true, 10), Ok("a\nb".into()));
    }

    #[test]
    fn phones_take_digits_and_punctuation_only() {
        assert!(phone("+62 (21) 555-0199").is_ok());
        assert!(phone("call me").is_err());
        assert_eq!(phone(""), Ok(String::new()));
    }

    #[test]
    fn balances_stay_within_the_database_bounds() {
        assert!(points_balance(-1).is_err());
        assert!(points_balance(MAX_POINTS + 1).is_err());
        assert_eq!(points_balance(150), Ok(150));
    }

    #[test]
    fn a_new_customer_needs_a_name_and_an_email() {
        let errors = NewCustomer::require(None, None, CustomerDetails::default(), FieldErrors::default());
        let errors = errors.expect_err("both missing");
        assert_eq!(errors.0["name"], vec![REQUIRED]);
        assert_eq!(errors.0["email"], vec![REQUIRED]);
        let blank = FieldErrors::single("name", NOT_BLANK);
        let errors = NewCustomer::require(None, email("a@b.co").ok(), CustomerDetails::default(), blank);
        assert_eq!(errors.expect_err("blank name").0["name"], vec![NOT_BLANK]);
    }
}
