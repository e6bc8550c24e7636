//! The HTML shell, the router and the page layout.

use crate::components::layout::AppLayout;
use crate::pages::account::AccountPage;
use crate::pages::activity::ActivityLogPage;
use crate::pages::customers::detail::CustomerDetailPage;
use crate::pages::customers::duplicates::DuplicatesPage;
use crate::pages::customers::import::ImportPage;
use crate::pages::customers::CustomersPage;
use crate::pages::login::LoginPage;
use crate::pages::loyalty::LoyaltySettingsPage;
use crate::pages::not_found::NotFound;
use crate::pages::team::TeamPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The document around the app, rendered on the server.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    crate::web::security_headers::set_page_policy();
    let stylesheet = crate::web::assets::site_files().stylesheet.as_str();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <meta name="theme-color" content="#4f46e5"/>
                <link rel="icon" href="/favicon.ico" sizes="32x32"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/icon-192.png"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link id="leptos" rel="stylesheet" href=stylesheet/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

/// The application: routes and their pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Patron".to_owned() } else { format!("{page} · Patron") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <ParentRoute path=path!("") view=AppLayout>
                    <Route path=path!("/") view=|| view! { <Redirect path="/customers"/> }/>
                    <Route path=path!("/customers") view=CustomersPage ssr=SsrMode::Async/>
                    <Route path=path!("/customers/import") view=ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/customers/duplicates") view=DuplicatesPage ssr=SsrMode::Async/>
                    <Route path=path!("/customers/:id") view=CustomerDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/loyalty") view=LoyaltySettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/team") view=TeamPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/activity") view=ActivityLogPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
