//! Schemas of what the handlers read by hand or answer through the one error mapping, for the
//! OpenAPI document. The customer bodies are parsed field by field (`customer_json`) to keep DRF's
//! leniency and messages, so their schemas are declared here; tests in `openapi.rs` check that
//! every property declared is a field the parser reads, and that the limits are the domain's.

#![expect(dead_code, reason = "these types describe request and error bodies; nothing builds them")]

use super::schema_patterns::{EMAIL_PATTERN, NAME_PATTERN};
use crate::domain::customer_actions::MAX_BULK_IDS;
use crate::domain::customer_input as rules;
use crate::domain::Role;
use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};
use utoipa::{IntoParams, IntoResponses, ToSchema};

/// A customer to create, or every writable field of one (PUT).
#[derive(Serialize, ToSchema)]
pub struct CustomerInput {
    /// Full name.
    #[schema(schema_with = name)]
    name: String,
    /// Email, unique per tenant ignoring case.
    #[schema(value_type = EmailAddress)]
    email: String,
    #[serde(flatten)]
    details: CustomerDetailsInput,
}

/// Some of a customer's writable fields (PATCH).
#[derive(Serialize, ToSchema)]
pub struct CustomerChanges {
    /// Full name.
    #[schema(schema_with = name)]
    name: Option<String>,
    /// Email, unique per tenant ignoring case.
    #[schema(value_type = EmailAddress, required = false)]
    email: Option<String>,
    #[serde(flatten)]
    details: CustomerDetailsInput,
}

/// An email address as the API takes it (Django's rules, for ASCII addresses; the service also
/// takes letters of other scripts). Space around it is trimmed, so the pattern allows it, and
/// `format: email` (which does not) is left out.
pub struct EmailAddress;

impl utoipa::PartialSchema for EmailAddress {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(3))
            .max_length(Some(rules::EMAIL_MAX))
            .pattern(Some(EMAIL_PATTERN))
            .into()
    }
}

impl ToSchema for EmailAddress {}

/// The optional writable fields.
#[derive(Serialize, ToSchema)]
pub struct CustomerDetailsInput {
    /// Digits, spaces and `+ - ( ) .`; may be empty.
    #[schema(schema_with = phone)]
    phone: Option<String>,
    /// Street address.
    #[schema(schema_with = long_text)]
    address: Option<String>,
    /// City; the list filters on it exactly.
    #[schema(schema_with = place)]
    city: Option<String>,
    /// Province.
    #[schema(schema_with = place)]
    province: Option<String>,
    /// Postal code.
    #[schema(schema_with = postal_code)]
    postal_code: Option<String>,
    /// Free notes.
    #[schema(schema_with = long_text)]
    notes: Option<String>,
    /// Whether the customer is active.
    #[schema(schema_with = boolean)]
    is_active: Option<bool>,
    /// Consent to marketing by email (each change is kept, see `consents`).
    #[schema(schema_with = boolean)]
    marketing_email: Option<bool>,
    /// Consent to marketing by text message.
    #[schema(schema_with = boolean)]
    marketing_sms: Option<bool>,
    /// A new balance; a change is written to the points history.
    #[schema(schema_with = points_balance)]
    loyalty_points: Option<i64>,
    /// The last order; `null` or `""` clears it.
    #[schema(schema_with = optional_date_time)]
    last_order_date: Option<String>,
}

/// Text without control characters other than line breaks and tabs.
const NO_CONTROLS: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// A text field: a string (trimmed, at most `max` characters, matching `pattern`), or, as DRF's
/// `CharField` takes it, a whole number, whose digits are then the text.
fn text_or_whole_number(max: usize, pattern: &str, integers: Option<(i64, i64)>) -> Schema {
    let text = ObjectBuilder::new().schema_type(Type::String).max_length(Some(max)).pattern(Some(pattern));
    let mut whole = ObjectBuilder::new().schema_type(Type::Integer);
    if let Some((low, high)) = integers {
        whole = whole.minimum(Some(low)).maximum(Some(high));
    }
    OneOfBuilder::new().item(text).item(whole).build().into()
}

fn name() -> Schema {
    text_or_whole_number(rules::NAME_MAX, NAME_PATTERN, None)
}

fn phone() -> Schema {
    text_or_whole_number(rules::PHONE_MAX, r"^[0-9 +().-]*$", None)
}

fn long_text() -> Schema {
    text_or_whole_number(rules::LONG_TEXT_MAX, NO_CONTROLS, None)
}

fn place() -> Schema {
    text_or_whole_number(rules::PLACE_MAX, NO_CONTROLS, None)
}

fn postal_code() -> Schema {
    text_or_whole_number(rules::POSTAL_MAX, NO_CONTROLS, Some((-999_999_999, 9_999_999_999)))
}

/// A pattern for DRF's spellings of a boolean ([`rules::TRUE_WORDS`], [`rules::FALSE_WORDS`]) in any
/// case, with space around it; an empty value too when `or_empty`.
fn spelled_boolean(or_empty: bool) -> String {
    let any_case = |word: &&str| -> String {
        word.chars()
            .map(|c| if c.is_ascii_alphabetic() { format!("[{}{c}]", c.to_ascii_uppercase()) } else { c.to_string() })
            .collect()
    };
    let words: Vec<String> = rules::TRUE_WORDS.iter().chain(&rules::FALSE_WORDS).map(any_case).collect();
    format!(r"^\s*({}){}\s*$", words.join("|"), if or_empty { "?" } else { "" })
}

/// `true`/`false`, `1`/`0`, or one of DRF's spellings as a string.
fn boolean() -> Schema {
    let spelled = ObjectBuilder::new().schema_type(Type::String).pattern(Some(spelled_boolean(false)));
    let bit = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).maximum(Some(1));
    OneOfBuilder::new().item(ObjectBuilder::new().schema_type(Type::Boolean)).item(bit).item(spelled).build().into()
}

/// A query parameter's boolean: one of DRF's spellings, or empty for "either".
pub(crate) fn query_boolean() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(spelled_boolean(true)))
        .description(Some(
            "Only active (`true`) or inactive (`false`) customers; also 1/0, yes/no, on/off, t/f, y/n, any case; \
             empty means both",
        ))
        .into()
}

/// A balance: 0 to the largest, as a number or a string of digits.
fn points_balance() -> Schema {
    let number = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).maximum(Some(rules::MAX_POINTS));
    let text = ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^\s*\+?0*[0-9]{1,9}\s*$"));
    OneOfBuilder::new().item(number).item(text).build().into()
}

/// A date-time, `""` or `null`.
fn optional_date_time() -> Schema {
    let date_time =
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)));
    let empty = ObjectBuilder::new().schema_type(Type::String).max_length(Some(0));
    let null = ObjectBuilder::new().schema_type(Type::Null);
    OneOfBuilder::new().item(date_time).item(empty).item(null).build().into()
}

/// A non-zero integer within ±1,000,000,000, or a string of one.
fn points_change() -> Schema {
    let range =
        |low: i64, high: i64| ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(low)).maximum(Some(high));
    let text =
        ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^\s*[+-]?0*([1-9][0-9]{0,8}|1000000000)\s*$"));
    OneOfBuilder::new().item(range(-1_000_000_000, -1)).item(range(1, 1_000_000_000)).item(text).build().into()
}

/// A points change.
#[derive(ToSchema)]
pub struct PointsChangeBody {
    /// Points to add (negative: to deduct): not zero, at most a billion either way; an integer
    /// or a string of one.
    #[schema(schema_with = points_change)]
    points: i64,
    /// Why; kept in the points history.
    #[schema(max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    reason: Option<String>,
}

/// What a bulk action does.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum BulkActionName {
    /// Make active.
    Activate,
    /// Make inactive.
    Deactivate,
}

/// 1 to 10,000 customer ids, each a whole number or a string of one.
fn customer_ids() -> Schema {
    let number = ObjectBuilder::new().schema_type(Type::Integer);
    let text = ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^\s*[+-]?[0-9]{1,18}\s*$"));
    let id = OneOfBuilder::new().item(number).item(text);
    utoipa::openapi::schema::ArrayBuilder::new().items(id).min_items(Some(1)).max_items(Some(MAX_BULK_IDS)).into()
}

/// A bulk action.
#[derive(ToSchema)]
pub struct BulkUpdateBody {
    /// The customers (ids of other tenants are skipped): numbers, or strings of them.
    #[schema(schema_with = customer_ids)]
    customer_ids: Vec<i64>,
    /// What to do.
    action: BulkActionName,
}

/// A message for the whole request: `{"detail": "…"}` (with `code` for a refused token).
#[derive(Serialize, ToSchema)]
pub struct Detail {
    /// The message.
    detail: String,
    /// `token_not_valid` for a refused token.
    code: Option<String>,
}

/// A refusal with a fixed message: `{"error": "…"}`; or per-field messages `{"field": ["…"]}`;
/// or a body that is not JSON: `{"detail": "JSON parse error - …"}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub struct BadRequest(serde_json::Value);

/// A user to add.
#[derive(ToSchema)]
pub struct NewUserBody {
    /// Sign-in email, unique ignoring case.
    #[schema(value_type = EmailAddress)]
    email: String,
    /// 12 to 1024 characters, not one of the 1,000 most common passwords.
    #[schema(min_length = 12, max_length = 1024)]
    password: String,
    /// What the user may do.
    role: Role,
}

/// A change to a user; other fields are refused.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeBody {
    /// A new role.
    role: Option<Role>,
    /// Activate or deactivate (deactivating ends their sessions and tokens).
    is_active: Option<bool>,
    /// A new password (ends their sessions and tokens): 12 to 1024 characters, not a common one.
    #[schema(min_length = 12, max_length = 1024)]
    password: Option<String>,
}

/// The path parameter of a customer's routes.
#[derive(IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
pub struct CustomerId(
    /// The customer's id.
    i64,
);

/// The header that makes a write safe to retry.
#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Retries with the same key within 24 hours return the first response and change nothing
    /// (1 to 255 visible ASCII characters).
    #[serde(rename = "Idempotency-Key")]
    #[param(max_length = 255, pattern = r"^[!-~]+$")]
    key: Option<String>,
}

/// Which page of a paginated list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number from 1, or `last`; anything else is an invalid page (404).
    page: Option<String>,
    /// Rows per page, a whole number: larger than 100 is cut to 100, anything else gives the
    /// default of 10.
    page_size: Option<String>,
}

/// The filters and ordering of the customer list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListFilters {
    /// Case-insensitive substring of name, email or phone; phone also by digits alone.
    search: Option<String>,
    /// Only active (`true`) or inactive (`false`) customers (see [`query_boolean`]).
    #[param(schema_with = query_boolean)]
    is_active: Option<String>,
    /// bronze, silver, gold or platinum; other values are ignored.
    loyalty_level: Option<String>,
    /// Exact city (at most 100 characters, no control characters).
    #[param(max_length = 100, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    city: Option<String>,
    /// Exact province (at most 100 characters, no control characters).
    #[param(max_length = 100, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    province: Option<String>,
    /// A field of name, created_at, loyalty_points, total_orders, total_spent, last_order_date;
    /// `-` first for descending; unknown fields are ignored; ties are broken by id.
    ordering: Option<String>,
}

/// Invalid input: per-field messages, `{"error": …}` or `{"detail": …}`.
#[derive(IntoResponses)]
#[response(status = 400)]
pub struct InvalidRequest(BadRequest);

/// Missing, invalid or expired token.
#[derive(IntoResponses)]
#[response(status = 401)]
pub struct Unauthorized(Detail);

/// The role may not do this.
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct Forbidden(Detail);

/// Not found in the caller's tenant.
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NotFound(Detail);

/// A request with this Idempotency-Key is still running.
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct KeyInProgress(Detail);

/// This Idempotency-Key was used for a different request.
#[derive(IntoResponses)]
#[response(status = 422)]
pub struct KeyReused(Detail);

/// The path parameter of an order's routes.
#[derive(IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
pub struct OrderId(
    /// The order's id.
    i64,
);

/// A positive amount with at most two places, at most 9,999,999,999.99, as a string (a JSON
/// number is taken too).
fn amount() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^\s*\+?0*([1-9][0-9]{0,9}(\.[0-9]{0,2})?|0?\.(0[1-9]|[1-9][0-9]?))\s*$"))
        .examples([serde_json::json!("125000.00")])
        .into()
}

/// An order's reference: 1 to 64 printable characters, not only spaces.
fn reference() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(crate::domain::order::REFERENCE_MAX))
        .pattern(Some(r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"))
        .into()
}

/// An order from the till.
#[derive(ToSchema)]
pub struct OrderInput {
    /// The till's reference, unique per tenant; the same reference, customer and total again is
    /// a retry (200 with the first order).
    #[schema(schema_with = reference)]
    reference: String,
    /// The order's total.
    #[schema(schema_with = amount)]
    total: String,
    /// When the sale happened (default now); not more than 5 minutes in the future.
    #[schema(format = DateTime)]
    ordered_at: Option<String>,
}

/// A refund of an order.
#[derive(ToSchema)]
pub struct RefundInput {
    /// How much (default: all that is left of the order).
    #[schema(schema_with = amount)]
    amount: Option<String>,
    /// Why; kept in the points history.
    #[schema(max_length = 255, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    reason: Option<String>,
}

/// The tiers' thresholds: 0 < silver < gold < platinum ≤ 1,000,000,000.
#[derive(ToSchema)]
pub struct TiersInput {
    /// Points where Silver starts.
    #[schema(minimum = 1, maximum = 999_999_998)]
    silver: i64,
    /// Points where Gold starts (above silver).
    #[schema(minimum = 2, maximum = 999_999_999)]
    gold: i64,
    /// Points where Platinum starts (above gold).
    #[schema(minimum = 3, maximum = 1_000_000_000)]
    platinum: i64,
}

/// A loyalty program.
#[derive(ToSchema)]
pub struct ProgramInput {
    /// Spend that earns one point.
    #[schema(schema_with = amount)]
    spend_per_point: String,
    /// Days an added point lives; null (or absent): points never expire.
    #[schema(minimum = 1, maximum = 3650)]
    points_expire_after_days: Option<i64>,
    /// Where each tier starts.
    tiers: TiersInput,
}

/// The customers to merge into the one in the path.
#[derive(ToSchema)]
pub struct MergeBody {
    /// 1 to 10 other customers of the caller's: numbers, or strings of them.
    #[schema(schema_with = merge_ids)]
    merge_ids: Vec<i64>,
}

/// 1 to 10 different ids, each a number or a string of one.
fn merge_ids() -> Schema {
    let number = ObjectBuilder::new().schema_type(Type::Integer);
    let text = ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^\s*[+-]?[0-9]{1,18}\s*$"));
    let id = OneOfBuilder::new().item(number).item(text);
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(id)
        .min_items(Some(1))
        .max_items(Some(crate::domain::merge::MAX_ABSORBED))
        .unique_items(true)
        .into()
}

/// The path parameter of a merge's routes.
#[derive(IntoParams)]
#[into_params(names("merge_id"), parameter_in = Path)]
pub struct MergeId(
    /// The merge's id.
    i64,
);
