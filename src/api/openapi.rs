//! `GET /api/openapi.json`: the API described in OpenAPI 3.1, derived from the handlers'
//! `#[utoipa::path]` attributes and the request and response types themselves, so the document
//! follows the code. Tests check that every route of the router is in it, that the limits it
//! declares are the domain's, and that every property of a hand-read body is read.

use super::schemas::{BadRequest, Detail};
use super::{activity, auth, customers, loyalty, merges, orders, privacy, transfer, users};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document: every route under `/api/`, bearer-authenticated unless it says otherwise.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Patron API",
        description = "Customers and loyalty for a multi-tenant point of sale. The tenant always comes from the token."
    ),
    paths(
        auth::obtain,
        auth::refresh,
        auth::change_password,
        auth::logout_all,
        activity::list,
        customers::list,
        customers::create,
        customers::stats,
        transfer::export,
        transfer::import,
        customers::bulk_update,
        customers::detail,
        customers::replace,
        customers::change,
        customers::delete,
        customers::update_points,
        customers::points_history,
        orders::record,
        orders::list,
        orders::refund,
        orders::tier_history,
        privacy::consents,
        privacy::data_export,
        privacy::erase,
        merges::duplicates,
        merges::merge,
        merges::undo,
        loyalty::show,
        loyalty::replace,
        users::list,
        users::create,
        users::update,
        serve,
    ),
    components(schemas(BadRequest, Detail)),
    modifiers(&BearerTokens, &PatchBodyIsOptional),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "Tokens for integrations"),
        (name = "customers", description = "The tenant's customers and their points"),
        (name = "orders", description = "Sales recorded by the till, and their refunds"),
        (name = "loyalty", description = "The tenant's loyalty program and customers' tiers"),
        (name = "privacy", description = "Consent history, a customer's data, erasure"),
        (name = "users", description = "The tenant's staff (owners only)")
    )
)]
pub struct ApiDoc;

/// Declares the bearer token scheme the document's `security` names.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// A PATCH without a body changes nothing and succeeds, as DRF's does: its body is optional
/// (but, when sent, an object, never `null`, which `Option<…>` in the attribute would allow).
struct PatchBodyIsOptional;

impl Modify for PatchBodyIsOptional {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let patch = openapi.paths.paths.get_mut("/api/customers/{id}/").and_then(|item| item.patch.as_mut());
        if let Some(body) = patch.and_then(|operation| operation.request_body.as_mut()) {
            body.required = Some(utoipa::openapi::Required::False);
        }
    }
}

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "auth", security(()),
    responses((status = 200, description = "This document", content_type = "application/json")))]
/// Serves the document.
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::document;
    use crate::domain::customer_actions::{MAX_BULK_IDS, MAX_POINTS_CHANGE, MAX_REASON_LEN};
    use crate::domain::customer_input::{
        EMAIL_MAX, LONG_TEXT_MAX, MAX_POINTS, NAME_MAX, PHONE_MAX, PLACE_MAX, POSTAL_MAX,
    };
    use serde_json::{json, Value};

    fn doc() -> Value {
        serde_json::to_value(document()).expect("the document is JSON")
    }

    /// The schema a value refers to, or the value itself.
    fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
        match value["$ref"].as_str() {
            Some(reference) => &doc["components"]["schemas"][reference.trim_start_matches("#/components/schemas/")],
            None => value,
        }
    }

    /// A schema's properties: its own and those of its flattened parts (an `allOf`).
    fn properties(doc: &Value, schema: &str) -> serde_json::Map<String, Value> {
        let target = &doc["components"]["schemas"][schema];
        std::iter::once(target)
            .chain(target["allOf"].as_array().into_iter().flatten().map(|part| resolve(doc, part)))
            .filter_map(|part| part["properties"].as_object())
            .flat_map(|found| found.iter().map(|(name, value)| (name.clone(), value.clone())))
            .collect()
    }

    fn property(doc: &Value, schema: &str, name: &str) -> Value {
        properties(doc, schema).get(name).cloned().unwrap_or_else(|| panic!("{schema}.{name} is not in the document"))
    }

    #[test]
    fn every_reference_points_at_a_defined_schema() {
        let doc = doc();
        let text = doc.to_string();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            assert!(doc["components"]["schemas"].get(&name).is_some(), "{name} is referenced but not defined");
        }
    }

    /// A keyword of a property: its own, or that of the schema it refers to, or of one of its
    /// `oneOf` alternatives.
    fn keyword(doc: &Value, property: &Value, name: &str) -> Value {
        let property = resolve(doc, property);
        if !property[name].is_null() {
            return property[name].clone();
        }
        property["oneOf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|item| keyword(doc, item, name))
            .find(|v| !v.is_null())
            .unwrap_or(Value::Null)
    }

    #[test]
    fn the_declared_limits_are_the_domains() {
        let doc = doc();
        for (field, max) in [
            ("name", NAME_MAX),
            ("email", EMAIL_MAX),
            ("phone", PHONE_MAX),
            ("address", LONG_TEXT_MAX),
            ("notes", LONG_TEXT_MAX),
            ("city", PLACE_MAX),
            ("province", PLACE_MAX),
            ("postal_code", POSTAL_MAX),
        ] {
            assert_eq!(keyword(&doc, &property(&doc, "CustomerInput", field), "maxLength"), json!(max), "{field}");
            assert_eq!(keyword(&doc, &property(&doc, "CustomerChanges", field), "maxLength"), json!(max), "{field}");
        }
        assert_eq!(keyword(&doc, &property(&doc, "CustomerInput", "loyalty_points"), "maximum"), json!(MAX_POINTS));
        assert_eq!(keyword(&doc, &property(&doc, "PointsChangeBody", "reason"), "maxLength"), json!(MAX_REASON_LEN));
        assert_eq!(keyword(&doc, &property(&doc, "BulkUpdateBody", "customer_ids"), "maxItems"), json!(MAX_BULK_IDS));
        let points = property(&doc, "PointsChangeBody", "points").to_string();
        assert!(points.contains(&MAX_POINTS_CHANGE.to_string()), "{points}");
    }

    #[test]
    fn every_property_of_a_customer_body_is_a_field_the_parser_reads() {
        let doc = doc();
        let customer_fields = [
            "name",
            "email",
            "phone",
            "address",
            "city",
            "province",
            "postal_code",
            "notes",
            "is_active",
            "marketing_email",
            "marketing_sms",
            "loyalty_points",
            "last_order_date",
        ];
        for field in customer_fields {
            assert!(!property(&doc, "CustomerInput", field).is_null());
            // The parser reads it: a value of the wrong kind is refused on that field.
            let body = json!({ field: [] });
            match crate::api::customer_json::customer_patch(&body) {
                Err(crate::domain::InvalidInput::Fields(errors)) => assert!(errors.0.contains_key(field), "{field}"),
                other => panic!("{field}: {other:?}"),
            }
        }
        assert_eq!(properties(&doc, "CustomerInput").len(), customer_fields.len());
        assert_eq!(properties(&doc, "CustomerChanges").len(), customer_fields.len());
    }

    #[test]
    fn every_property_of_an_order_refund_or_program_body_is_read_and_bounded_as_the_domain_says() {
        use crate::api::loyalty_json;
        use crate::domain::loyalty::{MAX_EXPIRY_DAYS, MAX_THRESHOLD};
        use crate::domain::order::REFERENCE_MAX;
        let doc = doc();
        type Parse = fn(&Value) -> Result<(), crate::domain::InvalidInput>;
        let bodies: [(&str, Parse); 3] = [
            ("OrderInput", |v| loyalty_json::new_order(v).map(drop)),
            ("RefundInput", |v| loyalty_json::refund(v).map(drop)),
            ("ProgramInput", |v| loyalty_json::program(v).map(drop)),
        ];
        for (schema, parse) in bodies {
            for field in properties(&doc, schema).keys() {
                // The parser reads it: a value of the wrong kind is refused on that field.
                match parse(&json!({ field.as_str(): [] })) {
                    Err(crate::domain::InvalidInput::Fields(errors)) => {
                        assert!(
                            errors.0.keys().any(|k| k.split('.').next() == Some(field.as_str())),
                            "{schema}.{field}: {errors:?}"
                        )
                    }
                    other => panic!("{schema}.{field}: {other:?}"),
                }
            }
        }
        assert_eq!(keyword(&doc, &property(&doc, "OrderInput", "reference"), "maxLength"), json!(REFERENCE_MAX));
        assert_eq!(
            keyword(&doc, &property(&doc, "ProgramInput", "points_expire_after_days"), "maximum"),
            json!(MAX_EXPIRY_DAYS)
        );
        assert_eq!(keyword(&doc, &property(&doc, "TiersInput", "platinum"), "maximum"), json!(MAX_THRESHOLD));
    }

    #[test]
    fn request_bodies_are_required_except_for_a_patch() {
        let doc = doc();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                if let Some(body) = operation.get("requestBody") {
                    let required = method != "patch" || !path.starts_with("/api/customers/");
                    assert_eq!(body["required"], json!(required), "{method} {path}");
                }
            }
        }
    }
}
