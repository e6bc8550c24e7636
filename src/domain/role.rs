//! What a signed-in user may do.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role inside their tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including managing the tenant's users.
    Owner,
    /// Everything on customers: delete, bulk actions, point deductions.
    Manager,
    /// View, create, edit and add points; no delete, no bulk actions, no deductions.
    Cashier,
}

impl Role {
    /// The lowercase name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Cashier => "cashier",
        }
    }

    /// Whether this role may delete customers, run bulk actions and deduct points.
    pub fn can_manage_customers(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }

    /// Whether this role may erase a customer's personal data for good (owners).
    pub fn can_erase_customers(self) -> bool {
        matches!(self, Role::Owner)
    }

    /// Whether this role may change the tenant's loyalty program (owners).
    pub fn can_change_program(self) -> bool {
        matches!(self, Role::Owner)
    }

    /// Whether this role may create, list and deactivate the tenant's users.
    pub fn can_manage_users(self) -> bool {
        matches!(self, Role::Owner)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a role name that is not one of owner, manager, cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role must be one of owner, manager, cashier")]
pub struct UnknownRole;

impl TryFrom<String> for Role {
    type Error = UnknownRole;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "manager" => Ok(Role::Manager),
            "cashier" => Ok(Role::Cashier),
            _ => Err(UnknownRole),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_parse_in_any_case_and_round_trip() {
        for role in [Role::Owner, Role::Manager, Role::Cashier] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.as_str().to_uppercase().parse::<Role>(), Ok(role));
        }
        assert_eq!("admin".parse::<Role>(), Err(UnknownRole));
    }

    #[test]
    fn only_owners_and_managers_manage_customers() {
        assert!(Role::Owner.can_manage_customers());
        assert!(Role::Manager.can_manage_customers());
        assert!(!Role::Cashier.can_manage_customers());
        assert!(!Role::Manager.can_manage_users());
    }
}
