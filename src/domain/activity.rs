//! The activity log's vocabulary: what was done, and to what.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// What a row of the activity log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActivityAction {
    /// A customer was created.
    CustomerCreated,
    /// A customer's fields were edited (details: each changed field's `from` and `to`).
    CustomerUpdated,
    /// A customer was deleted.
    CustomerDeleted,
    /// Points were given or taken (details: delta, balance after, reason).
    CustomerPointsChanged,
    /// Customers were activated or deactivated at once (details: count and action).
    CustomerBulkUpdated,
    /// A customer's personal data was erased for good at their request.
    CustomerErased,
    /// A CSV file of customers was imported (details: rows, created, updated, unchanged).
    CustomersImported,
    /// Customers were merged into this one (details: the merge's id and who was absorbed).
    CustomersMerged,
    /// A merge was undone (details: the merge's id and who came back).
    MergeUndone,
    /// An order was recorded for a customer.
    OrderRecorded,
    /// An order was refunded, in part or whole.
    OrderRefunded,
    /// The tenant's loyalty program changed.
    ProgramChanged,
    /// A user was added to the team.
    UserCreated,
    /// A user's role, status or password was changed by an owner.
    UserUpdated,
    /// A user signed in.
    AuthSignedIn,
    /// A sign-in with a known email failed.
    AuthSignInFailed,
    /// A user changed their own password.
    AuthPasswordChanged,
    /// A user ended every session and token of theirs.
    AuthSignedOutEverywhere,
}

impl ActivityAction {
    /// Every action, in the order the filter lists them.
    pub const ALL: [ActivityAction; 18] = [
        ActivityAction::CustomerCreated,
        ActivityAction::CustomerUpdated,
        ActivityAction::CustomerDeleted,
        ActivityAction::CustomerPointsChanged,
        ActivityAction::CustomerBulkUpdated,
        ActivityAction::CustomerErased,
        ActivityAction::CustomersImported,
        ActivityAction::CustomersMerged,
        ActivityAction::MergeUndone,
        ActivityAction::OrderRecorded,
        ActivityAction::OrderRefunded,
        ActivityAction::ProgramChanged,
        ActivityAction::UserCreated,
        ActivityAction::UserUpdated,
        ActivityAction::AuthSignedIn,
        ActivityAction::AuthSignInFailed,
        ActivityAction::AuthPasswordChanged,
        ActivityAction::AuthSignedOutEverywhere,
    ];

    /// The name the API shows and stores.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityAction::CustomerCreated => "customer.created",
            ActivityAction::CustomerUpdated => "customer.updated",
            ActivityAction::CustomerDeleted => "customer.deleted",
            ActivityAction::CustomerPointsChanged => "customer.points_changed",
            ActivityAction::CustomerBulkUpdated => "customer.bulk_updated",
            ActivityAction::CustomerErased => "customer.erased",
            ActivityAction::CustomersImported => "customers.imported",
            ActivityAction::CustomersMerged => "customers.merged",
            ActivityAction::MergeUndone => "customers.merge_undone",
            ActivityAction::OrderRecorded => "order.recorded",
            ActivityAction::OrderRefunded => "order.refunded",
            ActivityAction::ProgramChanged => "loyalty.program_changed",
            ActivityAction::UserCreated => "user.created",
            ActivityAction::UserUpdated => "user.updated",
            ActivityAction::AuthSignedIn => "auth.signed_in",
            ActivityAction::AuthSignInFailed => "auth.sign_in_failed",
            ActivityAction::AuthPasswordChanged => "auth.password_changed",
            ActivityAction::AuthSignedOutEverywhere => "auth.signed_out_everywhere",
        }
    }

    /// A sentence for the page.
    pub fn label(self) -> &'static str {
        match self {
            ActivityAction::CustomerCreated => "Customer created",
            ActivityAction::CustomerUpdated => "Customer edited",
            ActivityAction::CustomerDeleted => "Customer deleted",
            ActivityAction::CustomerPointsChanged => "Points changed",
            ActivityAction::CustomerBulkUpdated => "Customers updated at once",
            ActivityAction::CustomerErased => "Customer erased",
            ActivityAction::CustomersImported => "Customers imported",
            ActivityAction::CustomersMerged => "Customers merged",
            ActivityAction::MergeUndone => "Merge undone",
            ActivityAction::OrderRecorded => "Order recorded",
            ActivityAction::OrderRefunded => "Order refunded",
            ActivityAction::ProgramChanged => "Loyalty program changed",
            ActivityAction::UserCreated => "User added",
            ActivityAction::UserUpdated => "User changed",
            ActivityAction::AuthSignedIn => "Signed in",
            ActivityAction::AuthSignInFailed => "Sign-in failed",
            ActivityAction::AuthPasswordChanged => "Password changed",
            ActivityAction::AuthSignedOutEverywhere => "Signed out everywhere",
        }
    }
}

impl FromStr for ActivityAction {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|action| action.as_str() == text).ok_or(())
    }
}

/// What kind of record an activity row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TargetType {
    /// A customer (orders and refunds are about their customer, and show on its timeline).
    Customer,
    /// A user of the team.
    User,
    /// The tenant (its loyalty program).
    Tenant,
}

impl TargetType {
    /// Every target type.
    pub const ALL: [TargetType; 3] = [TargetType::Customer, TargetType::User, TargetType::Tenant];

    /// The name the API shows and stores.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Customer => "customer",
            TargetType::User => "user",
            TargetType::Tenant => "tenant",
        }
    }
}

impl FromStr for TargetType {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|target| target.as_str() == text).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_and_target_reads_back_from_its_name() {
        for action in ActivityAction::ALL {
            assert_eq!(action.as_str().parse::<ActivityAction>(), Ok(action));
        }
        for target in TargetType::ALL {
            assert_eq!(target.as_str().parse::<TargetType>(), Ok(target));
        }
        assert!("customer.exploded".parse::<ActivityAction>().is_err());
    }
}
