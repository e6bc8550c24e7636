//! Browser-facing plumbing outside Leptos: the built assets, the session gate and the sign-in
//! form handlers.

pub mod assets;
pub mod gate;
pub mod login;
