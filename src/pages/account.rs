//! `/account` (everyone): change one's own password, and sign out on every device. Plain forms
//! posted to the server, so they work without JavaScript.

use crate::components::flash::FlashMessage;
use crate::pages::customers::error_text;
use crate::server_fns::session::signed_in_user;
use crate::server_fns::team::account_flash;
use leptos::prelude::*;
use leptos_meta::Title;

const INPUT: &str =
    "mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 focus:outline-2 focus:outline-indigo-600";

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let user = signed_in_user();
    let taken_flash = account_flash();
    view! {
        <Title text="Your account"/>
        <div class="max-w-xl space-y-4">
            <header>
                <h1 class="text-2xl font-bold">"Your account"</h1>
            </header>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {Suspend::new(async move {
                    match taken_flash.await {
                        Ok(flash) => view! {
                            <FlashMessage flash/>
                            {user.map(|user| view! {
                                <p class="break-all text-slate-700">
                                    "Signed in as "<strong>{user.email}</strong>" ("{user.role.as_str()}") at "{user.tenant_name}"."
                                </p>
                            })}
                            <PasswordForm/>
                            <section aria-labelledby="everywhere" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
                                <h2 id="everywhere" class="text-lg font-semibold">"Sign out everywhere"</h2>
                                <p class="mt-1 text-sm text-slate-600">
                                    "Ends every session of yours, on every till, tablet and phone, and every API token. You sign in again here."
                                </p>
                                <form method="post" action="/account/logout_all" class="mt-3">
                                    <button type="submit" class="min-h-11 rounded-lg bg-red-700 px-4 font-semibold text-white hover:bg-red-800">
                                        "Sign out everywhere"
                                    </button>
                                </form>
                            </section>
                        }
                        .into_any(),
                        Err(err) => view! { <p role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The change-password form.
#[component]
fn PasswordForm() -> impl IntoView {
    view! {
        <section aria-labelledby="password" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="password" class="text-lg font-semibold">"Change password"</h2>
            <form method="post" action="/account/password" class="mt-3 space-y-3">
                <input type="text" name="username" autocomplete="username" hidden/>
                <div>
                    <label for="current-password" class="block text-sm font-medium">"Current password"</label>
                    <input id="current-password" name="current_password" type="password" required autocomplete="current-password" class=INPUT/>
                </div>
                <div>
                    <label for="new-password" class="block text-sm font-medium">"New password"</label>
                    <input id="new-password" name="new_password" type="password" required minlength="12" autocomplete="new-password"
                        aria-describedby="new-password-hint" class=INPUT/>
                    <p id="new-password-hint" class="mt-1 text-sm text-slate-600">
                        "At least 12 characters, not a common password. Your other devices are signed out."
                    </p>
                </div>
                <button type="submit" class="min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700">
                    "Change password"
                </button>
            </form>
        </section>
    }
}
