//! Patron: the customers and loyalty back office of a multi-tenant point-of-sale system.
//!
//! One crate, two builds: `ssr` (the server: REST API, server-rendered pages, storage) and
//! `hydrate` (the WebAssembly that makes the server-rendered pages interactive).

#![recursion_limit = "512"]

pub mod app;
#[allow(missing_docs, reason = "Leptos' #[component] macro writes props structs without docs")]
pub mod components;
pub mod domain;
#[allow(missing_docs, reason = "Leptos' #[component] macro writes props structs without docs")]
pub mod pages;
#[allow(missing_docs, reason = "Leptos' #[server] macro writes argument structs without docs")]
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod storage;
#[cfg(feature = "ssr")]
pub mod web;

/// The browser entry point: prepares the reactive system; the islands of the page (`#[island]`
/// components) hydrate right after it, each from its own exported function (some after their
/// WebAssembly module is fetched: see [`island_hydrated`]).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    if page_islands() == Some(0) {
        mark_hydrated();
    }
}

/// Called by every island once it has hydrated (from an effect, which runs after that): the last
/// one of the page marks the page interactive. An island of a page other than the customers list
/// is a WebAssembly module of its own, fetched before it hydrates, so the page's buttons do
/// nothing until then.
pub fn island_hydrated() {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static HYDRATED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        }
        let hydrated = HYDRATED.with(|count| {
            count.set(count.get() + 1);
            count.get()
        });
        if page_islands().is_some_and(|islands| hydrated >= islands) {
            mark_hydrated();
        }
    }
}

/// How many islands the page has.
#[cfg(feature = "hydrate")]
fn page_islands() -> Option<u32> {
    let document = web_sys::window()?.document()?;
    Some(document.query_selector_all("leptos-island").ok()?.length())
}

/// Lets end-to-end tests (and curious people) see that the page is interactive now.
#[cfg(feature = "hydrate")]
fn mark_hydrated() {
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
