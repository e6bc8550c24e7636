//! Browser-facing plumbing outside Leptos: the session gate and the sign-in form handlers.

pub mod gate;
pub mod login;
