//! The WebAssembly that browsers load: Patron's library built with its `hydrate` feature. Its
//! entry point and every island's exported function come from `patron`; this crate only makes
//! them one `cdylib` (see its Cargo.toml for why it is a crate of its own).

#[cfg(feature = "hydrate")]
pub use patron::hydrate;
