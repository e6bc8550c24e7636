//! Customers as CSV, the format of exports and imports: the column names (those import reads),
//! one line per customer with values as the API shows them, and cells that a spreadsheet would
//! run as formulas made inert with a leading `'`; and a file read back into rows checked as the
//! API checks a customer.

use super::csv_file::{records, Record};
use super::customer_json;
use super::render::timestamp;
use crate::domain::customer_input::NOT_INTEGER;
use crate::domain::money::{decimal_text, minor_units};
use crate::domain::{Customer, InvalidInput};
use crate::services::export::CustomerExport;
use crate::services::import::{ImportFile, ImportRow, Opening, RowError, MAX_ROWS};
use crate::services::{ServiceError, ServiceResult};
use axum::body::{Body, Bytes};
use serde_json::{Map, Value};

/// The most orders a row may bring from before Patron.
pub const MAX_OPENING_ORDERS: i64 = 1_000_000_000;
/// The most a row may bring as spend from before Patron, minor units (999,999,999,999.99).
pub const MAX_OPENING_SPENT: i64 = 99_999_999_999_999;

/// How a column is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text: a blank cell is a blank value.
    Text,
    /// A boolean, number or time: a blank cell gives no value (a time: none).
    Value,
    /// An opening total.
    Opening,
}

/// The fields import reads, by name, and how.
const READ: [(&str, Kind); 15] = [
    ("name", Kind::Text),
    ("email", Kind::Text),
    ("phone", Kind::Text),
    ("address", Kind::Text),
    ("city", Kind::Text),
    ("province", Kind::Text),
    ("postal_code", Kind::Text),
    ("notes", Kind::Text),
    ("is_active", Kind::Value),
    ("loyalty_points", Kind::Value),
    ("marketing_email", Kind::Value),
    ("marketing_sms", Kind::Value),
    ("last_order_date", Kind::Value),
    ("total_orders", Kind::Opening),
    ("total_spent", Kind::Opening),
];

/// A header cell as compared: lower case, without spaces, `_` and `-`.
fn folded(header: &str) -> String {
    header.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
}

/// A cell as written by an export: `'` before `=`, `+`, `-` or `@` is dropped.
fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// Reads an import file: its columns matched to fields, every row checked. A file without a
/// `name` or `email` column, unreadable or over [`MAX_ROWS`] rows is refused whole.
pub fn read_import(bytes: &[u8]) -> ServiceResult<ImportFile> {
    let mut all = records(bytes).map_err(|unreadable| ServiceError::Malformed(unreadable.0))?.into_iter();
    let Some(header) = all.next() else {
        return Err(ServiceError::Malformed(
            "The file is empty: it needs a header row naming at least the name and email columns.".into(),
        ));
    };
    let mut columns: Vec<Option<(&str, Kind)>> = Vec::with_capacity(header.cells.len());
    let mut ignored_columns = Vec::new();
    for cell in &header.cells {
        let key = folded(cell);
        let field = READ.iter().find(|(name, _)| folded(name) == key).copied();
        let taken = field.is_some_and(|(name, _)| columns.iter().flatten().any(|(seen, _)| *seen == name));
        if field.is_none() || taken {
            if !cell.trim().is_empty() {
                ignored_columns.push(cell.clone());
            }
            columns.push(None);
        } else {
            columns.push(field);
        }
    }
    for required in ["name", "email"] {
        if !columns.iter().flatten().any(|(name, _)| *name == required) {
            return Err(ServiceError::Malformed(format!("The file has no \"{required}\" column.")));
        }
    }
    let rows: Vec<Record> = all.collect();
    if rows.len() > MAX_ROWS {
        return Err(ServiceError::TooLarge(format!(
            "The file has {} rows; at most 100,000 are imported at once. Split it into smaller files.",
            rows.len()
        )));
    }
    let mut file = ImportFile { rows: rows.len(), ignored_columns, ..Default::default() };
    for record in rows {
        match read_row(&columns, &record) {
            Ok(row) => file.valid.push(row),
            Err(errors) => file.errors.extend(errors),
        }
    }
    Ok(file)
}

/// One row, checked as the API checks a customer, plus its opening totals.
fn read_row(columns: &[Option<(&str, Kind)>], record: &Record) -> Result<ImportRow, Vec<RowError>> {
    let mut object = Map::new();
    let mut errors = Vec::new();
    let mut opening = Opening::default();
    for (i, column) in columns.iter().enumerate() {
        let Some((field, kind)) = *column else { continue };
        let cell = unguarded(record.cells.get(i).map_or("", String::as_str));
        let blank = cell.trim().is_empty();
        match kind {
            Kind::Text => {
                object.insert(field.to_owned(), Value::String(cell.to_owned()));
            }
            Kind::Value if blank && field != "last_order_date" => {}
            Kind::Value => {
                object.insert(field.to_owned(), Value::String(cell.to_owned()));
            }
            Kind::Opening if blank => {}
            Kind::Opening => {
                let read = if field == "total_orders" {
                    whole_orders(cell).map(|n| opening.orders = Some(n))
                } else {
                    minor_units(cell, 0, MAX_OPENING_SPENT).map(|n| opening.spent_minor = Some(n))
                };
                if let Err(message) = read {
                    errors.push(RowError { row: record.row, field: field.to_owned(), message });
                }
            }
        }
    }
    match customer_json::new_customer(&Value::Object(object)) {
        Ok(customer) if errors.is_empty() => return Ok(ImportRow { row: record.row, customer, opening }),
        Ok(_) => {}
        Err(InvalidInput::Fields(fields)) => {
            for (field, messages) in fields.0 {
                for message in messages {
                    errors.push(RowError { row: record.row, field: field.clone(), message });
                }
            }
        }
        Err(other) => errors.push(RowError {
            row: record.row,
            field: "non_field_errors".into(),
            message: ServiceError::from(other).to_string(),
        }),
    }
    errors.sort_by_key(|e| READ.iter().position(|(name, _)| *name == e.field));
    Err(errors)
}

/// A count of orders: a whole number from 0 to [`MAX_OPENING_ORDERS`].
fn whole_orders(cell: &str) -> Result<i64, String> {
    let n: i64 = cell.trim().parse().map_err(|_| NOT_INTEGER.to_owned())?;
    if n < 0 {
        Err("Ensure this value is greater than or equal to 0.".into())
    } else if n > MAX_OPENING_ORDERS {
        Err(format!("Ensure this value is less than or equal to {MAX_OPENING_ORDERS}."))
    } else {
        Ok(n)
    }
}

/// The header row of an export: the customer's fields, named as the API names them.
pub const COLUMNS: [&str; 19] = [
    "id",
    "name",
    "email",
    "phone",
    "address",
    "city",
    "province",
    "postal_code",
    "loyalty_points",
    "loyalty_tier",
    "total_orders",
    "total_spent",
    "notes",
    "is_active",
    "marketing_email",
    "marketing_sms",
    "created_at",
    "updated_at",
    "last_order_date",
];

/// How much CSV is gathered before it is sent.
const CHUNK: usize = 64 * 1024;

/// The first characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Appends one cell: prefixed with `'` when it would start a formula, quoted when it holds a
/// delimiter, a quote or a line break.
fn push_cell(out: &mut String, value: &str) {
    let inert = value.starts_with(FORMULA_STARTS);
    let quoted = value.contains([',', ';', '"', '\n', '\r', '\t']) || value.starts_with(' ') || value.ends_with(' ');
    if quoted {
        out.push('"');
    }
    if inert {
        out.push('\'');
    }
    if quoted {
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Appends a line of cells (made inert and quoted as needed).
pub fn push_line<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str("\r\n");
}

/// The header line.
pub fn header() -> String {
    let mut out = String::new();
    push_line(&mut out, COLUMNS);
    out
}

/// Appends a customer's line, its values in [`COLUMNS`]' order.
pub fn push_customer(out: &mut String, c: &Customer) {
    let flag = |b: bool| if b { "true" } else { "false" };
    let cells = [
        c.id.to_string(),
        c.name.clone(),
        c.email.clone(),
        c.phone.clone(),
        c.address.clone(),
        c.city.clone(),
        c.province.clone(),
        c.postal_code.clone(),
        c.loyalty_points.to_string(),
        c.tier().label().to_owned(),
        c.total_orders.to_string(),
        decimal_text(c.total_spent_minor),
        c.notes.clone(),
        flag(c.is_active).to_owned(),
        flag(c.marketing_email).to_owned(),
        flag(c.marketing_sms).to_owned(),
        timestamp(c.created_at),
        timestamp(c.updated_at),
        c.last_order_date.map(timestamp).unwrap_or_default(),
    ];
    push_line(out, cells.iter().map(String::as_str));
}

/// The export as a download named after `day` (`customers-YYYY-MM-DD.csv`), the API's and the
/// page's alike.
pub fn download(day: chrono::DateTime<chrono::Utc>, export: CustomerExport) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let name = format!("attachment; filename=\"customers-{}.csv\"", day.format("%Y-%m-%d"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body(export),
    )
        .into_response()
}

/// The export as a response body: the header, then the customers in chunks as they come. When
/// the export fails midway the body ends with an error, so the client sees a broken download
/// rather than a file that looks complete.
pub fn body(export: CustomerExport) -> Body {
    let mut start = header();
    if let Some(first) = &export.first {
        push_customer(&mut start, first);
    }
    let stream = futures_util::stream::unfold(Some((start, export)), |state| async move {
        let (mut out, mut export) = state?;
        while out.len() < CHUNK {
            let Some(customer) = export.rows.recv().await else { break };
            push_customer(&mut out, &customer);
        }
        if !out.is_empty() {
            return Some((Ok(Bytes::from(out)), Some((String::new(), export))));
        }
        match export.outcome.take()?.await {
            Ok(Ok(())) => None,
            _ => Some((Err(std::io::Error::other("the export stopped short")), None)),
        }
    });
    // Fused: whatever wraps the body (compression does) may poll it again after its end.
    Body::from_stream(futures_util::StreamExt::fuse(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> ImportFile {
        read_import(text.as_bytes()).expect("readable")
    }

    #[test]
    fn headers_match_ignoring_case_spaces_underscores_and_dashes() {
        let file = read("Name;E-Mail;Postal Code;LOYALTY_POINTS;favourite dish\nSari;sari@x.co;'-12;5;rendang\n");
        assert_eq!(file.ignored_columns, vec!["favourite dish"]);
        let row = &file.valid[0];
        assert_eq!(row.customer.details.postal_code.as_deref(), Some("-12"));
        assert_eq!(row.customer.details.loyalty_points, Some(5));
        assert_eq!(row.customer.details.phone, None, "a column the file lacks is left alone");
    }

    #[test]
    fn a_file_without_an_email_column_is_refused_whole() {
        let refused = read_import(b"name,phone\nSari,1\n").expect_err("no email column");
        assert!(matches!(refused, ServiceError::Malformed(m) if m.contains("\"email\"")));
    }

    #[test]
    fn bad_cells_are_reported_by_row_and_field_with_the_api_messages() {
        let file = read("name,email,total_orders,is_active\n,bad,x,maybe\nBudi,b@x.co,3,\n");
        let fields: Vec<(usize, &str)> = file.errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(fields, vec![(2, "name"), (2, "email"), (2, "is_active"), (2, "total_orders")]);
        assert_eq!(file.errors[0].message, "This field may not be blank.");
        assert_eq!(file.valid[0].opening.orders, Some(3));
        assert_eq!(file.valid[0].customer.details.is_active, None, "a blank flag is not given");
    }

    #[test]
    fn an_export_line_reads_back_as_the_same_customer() {
        let mut out = header();
        let customer = Customer {
            id: 7,
            tenant_id: 1,
            tenant_name: "T".into(),
            name: "=Sari, \"W\"".into(),
            email: "sari@x.co".into(),
            phone: "+62 812".into(),
            address: "Jl. Dago 1\nBandung".into(),
            city: "Bandung".into(),
            province: String::new(),
            postal_code: "40135".into(),
            loyalty_points: 150,
            total_orders: 3,
            total_spent_minor: 12_345,
            notes: "-".into(),
            is_active: false,
            marketing_email: true,
            marketing_sms: false,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            last_order_date: None,
            tier_rank: 1,
        };
        push_customer(&mut out, &customer);
        let file = read(&out);
        assert_eq!(file.errors, vec![]);
        let row = &file.valid[0];
        let d = &row.customer.details;
        assert_eq!(
            (row.customer.name.as_str(), d.phone.as_deref(), d.notes.as_deref()),
            ("=Sari, \"W\"", Some("+62 812"), Some("-"))
        );
        assert_eq!(d.address.as_deref(), Some("Jl. Dago 1\nBandung"));
        assert_eq!((d.is_active, d.marketing_email, d.loyalty_points), (Some(false), Some(true), Some(150)));
        assert_eq!(row.opening, Opening { orders: Some(3), spent_minor: Some(12_345) });
        assert_eq!(d.last_order_date, Some(None));
        assert_eq!(file.ignored_columns, vec!["id", "loyalty_tier", "created_at", "updated_at"]);
    }

    fn line(cells: &[&str]) -> String {
        let mut out = String::new();
        push_line(&mut out, cells.iter().copied());
        out
    }

    #[test]
    fn cells_that_start_a_formula_are_made_inert() {
        assert_eq!(line(&["=SUM(A1)", "+62 812", "-5", "@x", "plain"]), "'=SUM(A1),'+62 812,'-5,'@x,plain\r\n");
    }

    #[test]
    fn delimiters_quotes_and_line_breaks_are_quoted() {
        assert_eq!(
            line(&["a,b", "say \"hi\"", "two\nlines", "=a,b"]),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=a,b\"\r\n"
        );
    }
}
