//! What a merge keeps to be undone: a customer's row as the merge saw it, the rows that moved, and
//! the rules that turn a survivor and the customers it absorbs into one row and back. Pure
//! functions over rows read inside the merge's transaction (`storage::merges`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The tables whose rows belong to a customer and follow it into a merge and back out.
pub(crate) const MOVED_TABLES: [&str; 5] =
    ["orders", "points_ledger", "points_lots", "tier_changes", "consent_changes"];

/// The columns of [`StoredCustomer`].
pub(crate) const STORED_COLUMNS: &str = "id, name, email, phone, address, city, province, postal_code, \
     loyalty_points, total_orders, total_spent_minor, opening_orders, opening_spent_minor, notes, is_active, \
     marketing_email, marketing_sms, created_at, last_order_date, tier";

/// The text fields a survivor fills from the customers it absorbs when its own are blank.
const FILLABLE: [&str; 6] = ["phone", "address", "city", "province", "postal_code", "notes"];

/// A customer's row as a merge keeps it, to write it back as it was.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct StoredCustomer {
    /// Id (kept when an undo brings the customer back).
    pub id: i64,
    /// As stored.
    pub name: String,
    /// As stored.
    pub email: String,
    /// As stored.
    pub phone: String,
    /// As stored.
    pub address: String,
    /// As stored.
    pub city: String,
    /// As stored.
    pub province: String,
    /// As stored.
    pub postal_code: String,
    /// As stored.
    pub loyalty_points: i64,
    /// As stored.
    pub total_orders: i64,
    /// As stored.
    pub total_spent_minor: i64,
    /// As stored.
    pub opening_orders: i64,
    /// As stored.
    pub opening_spent_minor: i64,
    /// As stored.
    pub notes: String,
    /// As stored.
    pub is_active: bool,
    /// As stored.
    pub marketing_email: bool,
    /// As stored.
    pub marketing_sms: bool,
    /// As stored.
    pub created_at: DateTime<Utc>,
    /// As stored.
    pub last_order_date: Option<DateTime<Utc>>,
    /// As stored (the tier's rank).
    pub tier: i64,
}

impl StoredCustomer {
    /// One of the [`FILLABLE`] fields.
    fn text_mut(&mut self, field: &str) -> Option<&mut String> {
        match field {
            "phone" => Some(&mut self.phone),
            "address" => Some(&mut self.address),
            "city" => Some(&mut self.city),
            "province" => Some(&mut self.province),
            "postal_code" => Some(&mut self.postal_code),
            "notes" => Some(&mut self.notes),
            _ => None,
        }
    }
}

/// One absorbed customer: its row as it was, and the ids of its rows that moved to the survivor
/// (one list per [`MOVED_TABLES`] entry, in that order).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AbsorbedCustomer {
    /// The row as it was.
    pub customer: StoredCustomer,
    /// The ids that moved, per table.
    pub moved: Vec<Vec<i64>>,
}

/// What a merge keeps to be undone: the survivor as it was, the fields the merge filled in, and
/// each absorbed customer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MergeSnapshot {
    /// The survivor before the merge.
    pub survivor: StoredCustomer,
    /// The blank fields of the survivor the merge filled, with the value it wrote.
    pub filled: Vec<(String, String)>,
    /// The customers absorbed, oldest first.
    pub absorbed: Vec<AbsorbedCustomer>,
}

/// The survivor after absorbing `others` (oldest first): its own non-blank fields, blank ones
/// filled from the others in that order, points and totals added up, the latest order date and
/// the earliest creation. The fields filled are returned with the values written.
pub fn merged(survivor: &StoredCustomer, others: &[StoredCustomer]) -> (StoredCustomer, Vec<(String, String)>) {
    let mut merged = survivor.clone();
    let mut filled = Vec::new();
    for field in FILLABLE {
        let Some(own) = merged.text_mut(field) else { continue };
        if !own.trim().is_empty() {
            continue;
        }
        let found = others.iter().find_map(|other| {
            let mut other = other.clone();
            other.text_mut(field).filter(|value| !value.trim().is_empty()).map(|value| value.clone())
        });
        if let Some(value) = found {
            own.clone_from(&value);
            filled.push((field.to_owned(), value));
        }
    }
    for other in others {
        merged.loyalty_points += other.loyalty_points;
        merged.total_orders += other.total_orders;
        merged.total_spent_minor += other.total_spent_minor;
        merged.opening_orders += other.opening_orders;
        merged.opening_spent_minor += other.opening_spent_minor;
        merged.last_order_date = merged.last_order_date.max(other.last_order_date);
        merged.created_at = merged.created_at.min(other.created_at);
    }
    (merged, filled)
}

/// The survivor's fields after its merge is undone: each field the merge filled goes back to
/// blank unless it was changed since; the opening totals and `points` the absorbed customers
/// brought leave it, and its own creation time comes back (unless a later merge brought an
/// older one). Totals and the tier are the caller's to set.
pub fn unmerged(current: &StoredCustomer, snapshot: &MergeSnapshot, points: i64) -> StoredCustomer {
    let mut restored = current.clone();
    let mut before = snapshot.survivor.clone();
    for (field, value) in &snapshot.filled {
        let original = before.text_mut(field).map(|original| original.clone());
        if let (Some(now), Some(original)) = (restored.text_mut(field), original) {
            if now == value {
                *now = original;
            }
        }
    }
    restored.loyalty_points = current.loyalty_points - points;
    // Later merges may have added their own: only what this one added leaves.
    for absorbed in &snapshot.absorbed {
        restored.opening_orders -= absorbed.customer.opening_orders;
        restored.opening_spent_minor -= absorbed.customer.opening_spent_minor;
    }
    let oldest = snapshot.absorbed.iter().map(|a| a.customer.created_at).min();
    if oldest == Some(current.created_at) && current.created_at < snapshot.survivor.created_at {
        restored.created_at = snapshot.survivor.created_at;
    }
    restored
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn customer(id: i64, day: u32) -> StoredCustomer {
        StoredCustomer {
            id,
            name: format!("Customer {id}"),
            email: format!("c{id}@example.com"),
            phone: String::new(),
            address: String::new(),
            city: String::new(),
            province: String::new(),
            postal_code: String::new(),
            loyalty_points: 10 * id,
            total_orders: id,
            total_spent_minor: 100 * id,
            opening_orders: id,
            opening_spent_minor: 100 * id,
            notes: String::new(),
            is_active: true,
            marketing_email: false,
            marketing_sms: false,
            created_at: Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).single().unwrap_or_default(),
            last_order_date: None,
            tier: 0,
        }
    }

    #[test]
    fn a_merge_keeps_the_survivors_fields_fills_blanks_oldest_first_and_adds_up() {
        let mut survivor = customer(1, 10);
        survivor.city = "Jakarta".into();
        let mut older = customer(2, 2);
        older.city = "Bandung".into();
        older.phone = "0812 0000 0002".into();
        older.last_order_date = Some(older.created_at);
        let mut newer = customer(3, 5);
        newer.phone = "0812 0000 0003".into();
        newer.notes = "Window seat".into();
        let (merged, filled) = merged(&survivor, &[older.clone(), newer]);
        assert_eq!(merged.city, "Jakarta");
        assert_eq!(merged.phone, "0812 0000 0002");
        assert_eq!(merged.notes, "Window seat");
        assert_eq!(merged.loyalty_points, 60);
        assert_eq!((merged.total_orders, merged.total_spent_minor), (6, 600));
        assert_eq!(merged.created_at, older.created_at);
        assert_eq!(merged.last_order_date, older.last_order_date);
        assert_eq!(filled.len(), 2);
    }

    #[test]
    fn an_undo_blanks_filled_fields_unless_they_were_changed_since() {
        let survivor = customer(1, 10);
        let mut other = customer(2, 2);
        other.phone = "0812 0000 0002".into();
        other.notes = "Window seat".into();
        let (mut now, filled) = merged(&survivor, &[other.clone()]);
        now.notes = "Prefers the terrace".into();
        now.loyalty_points += 5;
        let snapshot = MergeSnapshot {
            survivor: survivor.clone(),
            filled,
            absorbed: vec![AbsorbedCustomer { customer: other, moved: Vec::new() }],
        };
        let restored = unmerged(&now, &snapshot, 20);
        assert_eq!(restored.phone, "");
        assert_eq!(restored.notes, "Prefers the terrace");
        assert_eq!(restored.loyalty_points, 15);
        assert_eq!(restored.created_at, survivor.created_at);
        assert_eq!((restored.opening_orders, restored.opening_spent_minor), (1, 100));
    }
}
