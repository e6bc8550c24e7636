//! The signed-in layout: a sidebar with navigation, the user and tenant, and sign-out; on phones
//! it folds into a menu that opens without JavaScript.

use crate::domain::{Role, SessionUser};
use crate::server_fns::session::signed_in_user;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

/// The frame around every signed-in page. Rendered on the server only: the user comes from the
/// request as the session gate found it, with nothing to wait for.
#[component]
pub fn AppLayout() -> impl IntoView {
    view! {
        <div class="min-h-screen md:flex">
            <Sidebar user=signed_in_user()/>
            <main id="main" class="min-w-0 flex-1 px-4 py-6 md:px-6 lg:px-8">
                <Outlet/>
            </main>
        </div>
    }
}

#[component]
fn Sidebar(user: Option<SessionUser>) -> impl IntoView {
    // Without a user (a session that just ended) the sidebar offers what the least role sees.
    let (email, tenant, role) =
        user.map(|u| (u.email, u.tenant_name, u.role)).unwrap_or((String::new(), String::new(), Role::Cashier));
    view! {
        <details class="group border-b border-slate-200 bg-white md:hidden">
            <summary class="flex min-h-12 cursor-pointer list-none items-center justify-between px-4 font-semibold">
                <span class="text-indigo-600">"Patron"</span>
                <span dir="auto" title=tenant.clone() class="min-w-0 flex-1 truncate px-3 text-center text-sm text-slate-600">{tenant.clone()}</span>
                <span class="rounded-md px-2 py-1 ring-1 ring-slate-300">"Menu"</span>
            </summary>
            <NavBody email=email.clone() tenant=tenant.clone() role/>
        </details>
        <aside class="hidden w-52 min-w-0 shrink-0 border-r border-slate-200 bg-white md:flex md:min-h-screen md:flex-col lg:w-64">
            <div class="px-6 py-5 text-xl font-black text-indigo-600">"Patron"</div>
            <NavBody email tenant role/>
        </aside>
    }
}

#[component]
fn NavBody(email: String, tenant: String, role: Role) -> impl IntoView {
    let title = email.clone();
    // The layout is rendered on the server only (outside the islands): its links are plain links,
    // marked current for the page they lead to and the pages under it.
    let path = use_location().pathname.get_untracked();
    let link = move |href: &'static str, label: &'static str| {
        let current = path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'));
        view! {
            <a href=href aria-current=current.then_some("page")
                class="flex min-h-11 items-center rounded-lg px-3 font-medium text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700">
                {label}
            </a>
        }
    };
    let mut links = vec![link("/customers", "Customers"), link("/settings/loyalty", "Loyalty program")];
    if role.can_manage_users() {
        links.extend([link("/settings/team", "Team"), link("/settings/activity", "Activity")]);
    }
    view! {
        <nav aria-label="Main" class="flex-1 px-3 py-2">
            {links}
        </nav>
        <div class="border-t border-slate-200 px-6 py-4 text-sm">
            <p dir="auto" class="font-semibold wrap-anywhere">{tenant}</p>
            <a href="/account" class="block truncate text-indigo-700 underline" title=title>{email}</a>
            <p class="text-xs uppercase tracking-wide text-slate-500">{role.as_str()}</p>
            <form method="post" action="/logout" class="mt-3">
                <button type="submit" class="min-h-11 w-full rounded-lg px-3 text-left font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100">
                    "Sign out"
                </button>
            </form>
        </div>
    }
}
