//! The signed-in layout: a sidebar with navigation, the user and tenant, and sign-out; on phones
//! it folds into a menu that opens without JavaScript.
//!
//! The layout is rendered on the server only (outside the islands), on every page: its two copies
//! of the menu are written as HTML text ([`crate::components::html_text`]), the tenant's name and
//! the user's email escaped.

use crate::components::html_text::text;
use crate::domain::{Role, SessionUser};
use crate::server_fns::session::signed_in_user;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

/// The frame around every signed-in page. The user comes from the request as the session gate
/// found it, with nothing to wait for.
#[component]
pub fn AppLayout() -> impl IntoView {
    let menu = Menu::new(signed_in_user(), use_location().pathname.get_untracked());
    view! {
        <div class="min-h-screen md:flex">
            <details class="group border-b border-slate-200 bg-white md:hidden" inner_html=menu.phone()></details>
            <aside class="hidden w-52 min-w-0 shrink-0 border-r border-slate-200 bg-white md:flex md:min-h-screen md:flex-col lg:w-64"
                inner_html=menu.sidebar()></aside>
            <main id="main" class="min-w-0 flex-1 px-4 py-6 md:px-6 lg:px-8">
                <Outlet/>
            </main>
        </div>
    }
}

/// What the menu shows: the signed-in user and the page it is on.
struct Menu {
    email: String,
    tenant: String,
    role: Role,
    path: String,
}

impl Menu {
    /// Without a user (a session that just ended) the menu offers what the least role sees.
    fn new(user: Option<SessionUser>, path: String) -> Self {
        let (email, tenant, role) =
            user.map(|u| (u.email, u.tenant_name, u.role)).unwrap_or((String::new(), String::new(), Role::Cashier));
        Menu { email, tenant, role, path }
    }

    /// The phone's menu: a summary line that opens the links.
    fn phone(&self) -> String {
        let mut html = String::with_capacity(2_400);
        html.push_str(r#"<summary class="flex min-h-12 cursor-pointer list-none items-center justify-between px-4 font-semibold"><span class="text-indigo-600">Patron</span><span dir="auto" title=""#);
        text(&mut html, &self.tenant);
        html.push_str(r#"" class="min-w-0 flex-1 truncate px-3 text-center text-sm text-slate-600">"#);
        text(&mut html, &self.tenant);
        html.push_str(r#"</span><span class="rounded-md px-2 py-1 ring-1 ring-slate-300">Menu</span></summary>"#);
        self.body(&mut html);
        html
    }

    /// The sidebar of wider screens.
    fn sidebar(&self) -> String {
        let mut html = String::with_capacity(2_200);
        html.push_str(r#"<div class="px-6 py-5 text-xl font-black text-indigo-600">Patron</div>"#);
        self.body(&mut html);
        html
    }

    /// The links (the current page's marked, as are the pages under it), the tenant, the user and
    /// sign-out.
    fn body(&self, html: &mut String) {
        html.push_str(r#"<nav aria-label="Main" class="flex-1 px-3 py-2">"#);
        self.link(html, "/customers", "Customers");
        self.link(html, "/settings/loyalty", "Loyalty program");
        if self.role.can_manage_users() {
            self.link(html, "/settings/team", "Team");
            self.link(html, "/settings/activity", "Activity");
        }
        html.push_str(r#"</nav><div class="border-t border-slate-200 px-6 py-4 text-sm"><p dir="auto" class="font-semibold wrap-anywhere">"#);
        text(html, &self.tenant);
        html.push_str(r#"</p><a href="/account" class="block truncate text-indigo-700 underline" title=""#);
        text(html, &self.email);
        html.push_str(r#"">"#);
        text(html, &self.email);
        html.push_str(r#"</a><p class="text-xs uppercase tracking-wide text-slate-500">"#);
        html.push_str(self.role.as_str());
        html.push_str(
            r#"</p><form method="post" action="/logout" class="mt-3"><button type="submit" class="min-h-11 w-full rounded-lg px-3 text-left font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100">Sign out</button></form></div>"#,
        );
    }

    fn link(&self, html: &mut String, href: &str, label: &str) {
        let current = self.path == href || self.path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'));
        html.push_str(r#"<a href=""#);
        html.push_str(href);
        html.push_str(if current { r#"" aria-current="page" class="nav-link">"# } else { r#"" class="nav-link">"# });
        html.push_str(label);
        html.push_str("</a>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menu(role: Role, path: &str) -> Menu {
        Menu {
            email: r#"ana"<b>@example.com"#.to_owned(),
            tenant: "Warung <Sari> & Co".to_owned(),
            role,
            path: path.to_owned(),
        }
    }

    #[test]
    fn the_page_shown_and_the_pages_under_it_mark_their_link_current() {
        let html = menu(Role::Owner, "/customers/12").sidebar();
        assert!(html.contains(r#"<a href="/customers" aria-current="page" class=""#), "{html}");
        assert!(html.contains(r#"<a href="/settings/loyalty" class=""#), "{html}");
        let html = menu(Role::Owner, "/customersx").sidebar();
        assert!(!html.contains("aria-current"), "{html}");
    }

    #[test]
    fn the_tenant_and_email_are_escaped_and_cashiers_see_no_team_links() {
        let html = menu(Role::Cashier, "/customers").phone();
        assert!(html.contains("Warung &lt;Sari&gt; &amp; Co</span>"), "{html}");
        assert!(html.contains(r#"title="ana&quot;&lt;b&gt;@example.com">"#), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(!html.contains("/settings/team"), "{html}");
        assert!(menu(Role::Owner, "/customers").phone().contains(r#"<a href="/settings/team""#));
    }
}
