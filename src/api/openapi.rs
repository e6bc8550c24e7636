//! `GET /api/openapi.json`: the API described in OpenAPI 3, built from the same constants the
//! handlers and services use (ordering fields, tiers, limits, messages).

use crate::domain::customer_actions::{MAX_BULK_IDS, MAX_POINTS_CHANGE, MAX_REASON_LEN};
use crate::domain::customer_input::{LONG_TEXT_MAX, MAX_POINTS, NAME_MAX, PHONE_MAX, PLACE_MAX, POSTAL_MAX};
use crate::domain::customer_query::{SortField, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::domain::LoyaltyTier;
use axum::Json;
use serde_json::{json, Value};

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(name: &str) -> Value {
    json!({ "content": { "application/json": { "schema": schema_ref(name) } } })
}

fn reply(description: &str, schema: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema_ref(schema) } } })
}

fn errors(codes: &[&str]) -> serde_json::Map<String, Value> {
    codes
        .iter()
        .map(|code| {
            let (description, schema) = match *code {
                "400" => ("Invalid input: per-field messages or {\"error\": …}", "BadRequest"),
                "401" => ("Missing, invalid or expired token", "Detail"),
                "403" => ("The role may not do this", "Detail"),
                "404" => ("Not found in the caller's tenant (or an invalid page)", "Detail"),
                "409" => ("A request with the same Idempotency-Key is still running", "Detail"),
                "422" => ("The Idempotency-Key was used for a different request", "Detail"),
                "429" => ("Too many failed sign-ins for this email", "Detail"),
                _ => ("Internal server error", "Detail"),
            };
            ((*code).to_owned(), reply(description, schema))
        })
        .collect()
}

fn operation(summary: &str, ok: (&str, Value), error_codes: &[&str], extra: Value) -> Value {
    let mut responses = errors(error_codes);
    responses.insert(ok.0.to_owned(), ok.1);
    let mut op = json!({ "summary": summary, "responses": responses });
    if let (Some(op), Some(extra)) = (op.as_object_mut(), extra.as_object()) {
        op.extend(extra.clone());
    }
    op
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn idempotency_param() -> Value {
    json!({ "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "Retries with the same key within 24 hours return the first response and change nothing.",
            "schema": { "type": "string", "maxLength": 255 } })
}

fn page_params() -> Vec<Value> {
    vec![
        json!({ "name": "page", "in": "query", "schema": { "type": "string" }, "description": "Page number from 1, or `last`." }),
        json!({ "name": "page_size", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE } }),
    ]
}

fn text(max: usize) -> Value {
    json!({ "type": "string", "maxLength": max })
}

/// The OpenAPI document.
pub fn document() -> Value {
    let orderings: Vec<String> =
        SortField::ALL.iter().flat_map(|f| [f.key().to_owned(), format!("-{}", f.key())]).collect();
    let tiers: Vec<&str> = LoyaltyTier::ALL.iter().map(|t| t.key()).collect();
    let labels: Vec<&str> = LoyaltyTier::ALL.iter().map(|t| t.label()).collect();
    let mut list_params = vec![
        json!({ "name": "search", "in": "query", "schema": { "type": "string" }, "description": "Case-insensitive substring of name, email or phone; phone also by digits alone." }),
        json!({ "name": "is_active", "in": "query", "schema": { "type": "boolean" } }),
        json!({ "name": "loyalty_level", "in": "query", "schema": { "type": "string", "enum": tiers } }),
        json!({ "name": "city", "in": "query", "schema": { "type": "string" }, "description": "Exact match." }),
        json!({ "name": "province", "in": "query", "schema": { "type": "string" }, "description": "Exact match." }),
        json!({ "name": "ordering", "in": "query", "schema": { "type": "string", "enum": orderings, "default": "-created_at" }, "description": "Unknown fields are ignored; ties are broken by id." }),
    ];
    list_params.extend(page_params());
    let history_params: Vec<Value> = std::iter::once(id_param()).chain(page_params()).collect();
    let customer_properties = json!({
        "id": { "type": "integer", "readOnly": true },
        "tenant": { "type": "integer", "readOnly": true },
        "tenant_name": { "type": "string", "readOnly": true },
        "name": text(NAME_MAX),
        "email": { "type": "string", "format": "email", "maxLength": 254 },
        "phone": { "type": "string", "maxLength": PHONE_MAX, "pattern": "^[0-9 +().-]*$" },
        "address": text(LONG_TEXT_MAX),
        "city": text(PLACE_MAX),
        "province": text(PLACE_MAX),
        "postal_code": text(POSTAL_MAX),
        "loyalty_points": { "type": "integer", "minimum": 0, "maximum": MAX_POINTS },
        "loyalty_tier": { "type": "string", "enum": labels, "readOnly": true },
        "total_orders": { "type": "integer", "readOnly": true },
        "total_spent": { "type": "string", "example": "2500000.00", "readOnly": true },
        "notes": text(LONG_TEXT_MAX),
        "is_active": { "type": "boolean" },
        "created_at": { "type": "string", "format": "date-time", "readOnly": true },
        "updated_at": { "type": "string", "format": "date-time", "readOnly": true },
        "last_order_date": { "type": "string", "format": "date-time", "nullable": true }
    });
    let mut detail_properties = customer_properties.clone();
    if let Some(map) = detail_properties.as_object_mut() {
        map.insert("average_order_value".into(), json!({ "type": "number", "readOnly": true }));
    }
    let page_of = |item: &str| {
        json!({ "type": "object", "required": ["count", "next", "previous", "results"], "properties": {
            "count": { "type": "integer" },
            "next": { "type": "string", "format": "uri", "nullable": true },
            "previous": { "type": "string", "format": "uri", "nullable": true },
            "results": { "type": "array", "items": schema_ref(item) }
        } })
    };
    json!({
        "openapi": "3.0.3",
        "info": { "title": "Patron API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Customers and loyalty for a multi-tenant point of sale. The tenant always comes from the token." },
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/auth/token/": { "post": operation("Obtain an access and a refresh token",
                ("200", reply("Token pair", "TokenPair")), &["400", "401", "429"],
                json!({ "security": [], "requestBody": body("Credentials") })) },
            "/api/auth/token/refresh/": { "post": operation("Exchange a refresh token for an access token",
                ("200", reply("New access token", "Access")), &["400", "401"],
                json!({ "security": [], "requestBody": body("Refresh") })) },
            "/api/customers/": {
                "get": operation("List customers", ("200", reply("A page of customers", "CustomerPage")), &["400", "401", "404"], json!({ "parameters": list_params })),
                "post": operation("Create a customer", ("201", reply("Created", "Customer")), &["400", "401", "409", "422"],
                    json!({ "parameters": [idempotency_param()], "requestBody": body("CustomerInput") }))
            },
            "/api/customers/stats/": { "get": operation("Customer statistics", ("200", reply("Statistics", "Stats")), &["401"], json!({})) },
            "/api/customers/bulk_update/": { "post": operation("Activate or deactivate many customers",
                ("200", reply("How many of the caller's customers were updated", "Message")), &["400", "401", "403"],
                json!({ "requestBody": body("BulkUpdate") })) },
            "/api/customers/{id}/": {
                "get": operation("Read a customer", ("200", reply("The customer", "CustomerDetail")), &["401", "404"], json!({ "parameters": [id_param()] })),
                "put": operation("Replace a customer's writable fields (name and email required)", ("200", reply("Updated", "Customer")), &["400", "401", "403", "404"],
                    json!({ "parameters": [id_param()], "requestBody": body("CustomerInput") })),
                "patch": operation("Change some of a customer's fields", ("200", reply("Updated", "Customer")), &["400", "401", "403", "404"],
                    json!({ "parameters": [id_param()], "requestBody": body("CustomerPatch") })),
                "delete": operation("Delete a customer (owners and managers)", ("204", json!({ "description": "Deleted" })), &["401", "403", "404"], json!({ "parameters": [id_param()] }))
            },
            "/api/customers/{id}/update_points/": { "post": operation("Add or deduct points (cashiers may only add)",
                ("200", reply("The customer after the change", "Customer")), &["400", "401", "403", "404", "409", "422"],
                json!({ "parameters": [id_param(), idempotency_param()], "requestBody": body("PointsChange") })) },
            "/api/customers/{id}/points_history/": { "get": operation("A customer's points history, newest first",
                ("200", reply("A page of points changes", "PointsPage")), &["401", "404"],
                json!({ "parameters": history_params })) },
            "/api/users/": {
                "get": operation("The tenant's users (owners)", ("200", json!({ "description": "Users", "content": { "application/json": { "schema": { "type": "array", "items": schema_ref("User") } } } })), &["401", "403"], json!({})),
                "post": operation("Add a user (owners)", ("201", reply("Created", "User")), &["400", "401", "403"], json!({ "requestBody": body("UserInput") }))
            },
            "/api/users/{id}/": { "patch": operation("Change a user's role, activity or password (owners); deactivation and a new password revoke their tokens",
                ("200", reply("Updated", "User")), &["400", "401", "403", "404"],
                json!({ "parameters": [id_param()], "requestBody": body("UserPatch") })) },
            "/api/openapi.json": { "get": operation("This document", ("200", json!({ "description": "OpenAPI 3 document" })), &[], json!({ "security": [] })) }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } },
            "schemas": {
                "Detail": { "type": "object", "properties": { "detail": { "type": "string" }, "code": { "type": "string" } } },
                "BadRequest": { "type": "object", "description": "Either {\"field\": [\"message\", …]} or {\"error\": \"…\"} or {\"detail\": \"…\"}.",
                    "additionalProperties": true },
                "Credentials": { "type": "object", "required": ["email", "password"], "properties": { "email": { "type": "string" }, "password": { "type": "string" } } },
                "Refresh": { "type": "object", "required": ["refresh"], "properties": { "refresh": { "type": "string" } } },
                "TokenPair": { "type": "object", "properties": { "access": { "type": "string" }, "refresh": { "type": "string" } } },
                "Access": { "type": "object", "properties": { "access": { "type": "string" } } },
                "Customer": { "type": "object", "properties": customer_properties },
                "CustomerDetail": { "type": "object", "properties": detail_properties },
                "CustomerInput": { "type": "object", "required": ["name", "email"], "properties": customer_properties },
                "CustomerPatch": { "type": "object", "properties": customer_properties },
                "CustomerPage": page_of("Customer"),
                "Stats": { "type": "object", "properties": {
                    "total_customers": { "type": "integer" }, "active_customers": { "type": "integer" },
                    "total_loyalty_points": { "type": "integer" },
                    "customers_by_tier": { "type": "object", "properties": {
                        "platinum": { "type": "integer" }, "gold": { "type": "integer" },
                        "silver": { "type": "integer" }, "bronze": { "type": "integer" } } } } },
                "PointsChange": { "type": "object", "required": ["points"], "properties": {
                    "points": { "description": "A non-zero integer (or a string of one)", "oneOf": [
                        { "type": "integer", "minimum": -MAX_POINTS_CHANGE, "maximum": MAX_POINTS_CHANGE }, { "type": "string" }] },
                    "reason": text(MAX_REASON_LEN) } },
                "PointsEntry": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "points": { "type": "integer", "description": "The change actually applied" },
                    "balance_after": { "type": "integer" }, "reason": { "type": "string" },
                    "source": { "type": "string", "enum": ["manual", "edit", "create"] },
                    "user": { "type": "string", "nullable": true }, "created_at": { "type": "string", "format": "date-time" } } },
                "PointsPage": page_of("PointsEntry"),
                "BulkUpdate": { "type": "object", "required": ["customer_ids", "action"], "properties": {
                    "customer_ids": { "type": "array", "maxItems": MAX_BULK_IDS, "items": { "type": "integer" } },
                    "action": { "type": "string", "enum": ["activate", "deactivate"] } } },
                "Message": { "type": "object", "properties": { "message": { "type": "string", "example": "5 customers updated successfully" } } },
                "User": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "email": { "type": "string" },
                    "role": { "type": "string", "enum": ["owner", "manager", "cashier"] },
                    "is_active": { "type": "boolean" }, "created_at": { "type": "string", "format": "date-time" } } },
                "UserInput": { "type": "object", "required": ["email", "password", "role"], "properties": {
                    "email": { "type": "string" }, "password": { "type": "string", "minLength": 8 },
                    "role": { "type": "string", "enum": ["owner", "manager", "cashier"] } } },
                "UserPatch": { "type": "object", "properties": {
                    "role": { "type": "string", "enum": ["owner", "manager", "cashier"] }, "is_active": { "type": "boolean" },
                    "password": { "type": "string", "minLength": 8 } } }
            }
        }
    })
}

/// Serves the document.
pub async fn serve() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reference_points_at_a_defined_schema() {
        let doc = super::document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().map(|m| m.len()).unwrap_or(0);
        assert!(schemas > 10);
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(doc["components"]["schemas"].get(&name).is_some(), "{name} is referenced but not defined");
        }
    }
}
