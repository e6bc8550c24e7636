//! What the board's dialogs need of the customers shown (their fields to edit, their points) and
//! of the tenant (its tier thresholds), written by the server as JSON into the list's HTML, in a
//! `<script type="application/json" data-board>` that never runs. The dialogs' own WebAssembly
//! reads it when a dialog opens; the page's WebAssembly never decodes it.

use crate::domain::TierThresholds;
use crate::server_fns::customers::CustomerRow;
use serde::{Deserialize, Serialize};

/// The customers shown and the tier thresholds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardData {
    /// The customers the list shows.
    pub items: Vec<CustomerRow>,
    /// The tenant's tier thresholds (for the tier a points change would reach).
    pub tiers: TierThresholds,
}

impl BoardData {
    /// The customer with this id, if the list shows it.
    pub fn customer(&self, id: i64) -> Option<CustomerRow> {
        self.items.iter().find(|c| c.id == id).cloned()
    }

    /// Appends the data element. Every `<` is written as `\u003c` (the same string to JSON), so
    /// no text a user typed can close the element or open a comment inside it.
    #[cfg(feature = "ssr")]
    pub fn write(&self, html: &mut String) {
        html.push_str(r#"<script type="application/json" data-board>"#);
        match serde_json::to_string(self) {
            Ok(json) => html.push_str(&json.replace('<', "\\u003c")),
            Err(err) => tracing::error!(%err, "the board's data could not be written"),
        }
        html.push_str("</script>");
    }

    /// The data of the list shown now; empty when the page holds none (a list that did not load).
    pub fn read() -> BoardData {
        #[cfg(feature = "hydrate")]
        {
            leptos::prelude::document()
                .query_selector("script[data-board]")
                .ok()
                .flatten()
                .and_then(|script| script.text_content())
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        BoardData::default()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn text_a_user_typed_cannot_close_the_data_element() {
        let data = BoardData {
            items: vec![CustomerRow {
                id: 1,
                name: "</script><script>alert(1)</script><!--".into(),
                ..CustomerRow::default()
            }],
            tiers: TierThresholds::default(),
        };
        let mut html = String::new();
        data.write(&mut html);
        let json = html
            .strip_prefix(r#"<script type="application/json" data-board>"#)
            .and_then(|rest| rest.strip_suffix("</script>"))
            .expect("one data element");
        assert!(!json.contains('<'), "{json}");
        assert_eq!(serde_json::from_str::<BoardData>(json).expect("JSON"), data);
    }
}
