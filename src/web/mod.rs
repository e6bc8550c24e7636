//! Browser-facing plumbing outside Leptos: the built assets, the session gate, the signed-in
//! user's extractor and the sign-in form handlers.

pub mod assets;
pub mod client_address;
pub mod compression;
pub mod customer_files;
pub mod customers_board;
pub mod gate;
pub mod health;
pub mod import_forms;
pub mod login;
pub mod merge_forms;
pub mod page_preload;
pub mod same_origin;
pub mod security_headers;
pub mod server_fn_status;
pub mod session;
pub mod team_forms;
pub mod unavailable;
