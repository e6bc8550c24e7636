//! Duplicate customers and merges: why customers look alike, a valid merge request, and what a
//! customer's page says about the merges it survived.

use super::{Customer, FieldErrors};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How many customers one merge absorbs at most.
pub const MAX_ABSORBED: usize = 10;

/// How long a merge can be undone.
pub fn undo_window() -> Duration {
    Duration::days(30)
}

/// Why customers are shown as likely duplicates of each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DuplicateReason {
    /// The same email (lower-cased; at Gmail without dots and `+tags`).
    Email,
    /// The same phone (its last nine digits).
    Phone,
    /// The same name (without case, accents or spaces) in the same city.
    Name,
}

impl DuplicateReason {
    /// Every reason, in the order groups are listed.
    pub const ALL: [DuplicateReason; 3] = [DuplicateReason::Email, DuplicateReason::Phone, DuplicateReason::Name];

    /// The name the API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateReason::Email => "email",
            DuplicateReason::Phone => "phone",
            DuplicateReason::Name => "name",
        }
    }

    /// The reason a stored name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        DuplicateReason::ALL.into_iter().find(|reason| reason.as_str() == name)
    }

    /// A phrase for the page ("Same email").
    pub fn label(self) -> &'static str {
        match self {
            DuplicateReason::Email => "Same email",
            DuplicateReason::Phone => "Same phone",
            DuplicateReason::Name => "Same name and city",
        }
    }
}

/// Customers that look like one person, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// What they share.
    pub reason: DuplicateReason,
    /// The customers (at most [`MAX_ABSORBED`] + 1 of them, the oldest).
    pub customers: Vec<Customer>,
}

/// A merge asked for: the survivor and the customers it absorbs (1 to [`MAX_ABSORBED`],
/// different, none the survivor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeRequest {
    survivor: i64,
    absorbed: Vec<i64>,
}

impl MergeRequest {
    /// Checks the ids; the errors are under `merge_ids`.
    pub fn new(survivor: i64, absorbed: Vec<i64>) -> Result<Self, FieldErrors> {
        let problem = if absorbed.is_empty() {
            Some("Choose at least one customer to merge.".to_owned())
        } else if absorbed.len() > MAX_ABSORBED {
            Some(format!("Merge at most {MAX_ABSORBED} customers at once."))
        } else if absorbed.contains(&survivor) {
            Some("A customer cannot be merged into itself.".to_owned())
        } else if (1..absorbed.len()).any(|i| absorbed[..i].contains(&absorbed[i])) {
            Some("Each customer can be listed once.".to_owned())
        } else {
            None
        };
        match problem {
            Some(message) => {
                let mut errors = FieldErrors::default();
                errors.add("merge_ids", message);
                Err(errors)
            }
            None => Ok(MergeRequest { survivor, absorbed }),
        }
    }

    /// The customer that stays.
    pub fn survivor(&self) -> i64 {
        self.survivor
    }

    /// The customers that go into it.
    pub fn absorbed(&self) -> &[i64] {
        &self.absorbed
    }
}

/// A merge a customer survived, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeSummary {
    /// The merge's id (what undo takes).
    pub id: i64,
    /// When it happened.
    pub created_at: DateTime<Utc>,
    /// The customers it absorbed: id and name as they were.
    pub absorbed: Vec<(i64, String)>,
    /// Whether it was undone.
    pub undone: bool,
}

impl MergeSummary {
    /// Whether it can still be undone at `now`.
    pub fn undoable(&self, now: DateTime<Utc>) -> bool {
        !self.undone && now < self.created_at + undo_window()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(survivor: i64, absorbed: Vec<i64>) -> Option<String> {
        MergeRequest::new(survivor, absorbed).err().map(|errors| format!("{errors:?}"))
    }

    #[test]
    fn a_merge_takes_one_to_ten_other_distinct_customers() {
        assert!(problem(1, vec![2]).is_none());
        assert!(problem(1, (2..12).collect()).is_none());
        assert!(problem(1, vec![]).unwrap().contains("at least one"));
        assert!(problem(1, (2..13).collect()).unwrap().contains("at most 10"));
        assert!(problem(1, vec![2, 1]).unwrap().contains("into itself"));
        assert!(problem(1, vec![2, 3, 2]).unwrap().contains("once"));
    }

    #[test]
    fn reasons_read_back_from_their_names() {
        for reason in DuplicateReason::ALL {
            assert_eq!(DuplicateReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(DuplicateReason::parse("address"), None);
    }
}
