//! `/settings/team` (owners): the tenant's users, adding one, and changing a role, status or
//! password. Every control is a plain form posted to the server, so it works without JavaScript.

use crate::components::flash::{FlashMessage, NotAllowed};
use crate::pages::customers::error_text;
use crate::server_fns::team::{team_view, Member};
use leptos::prelude::*;
use leptos_meta::Title;

const INPUT: &str =
    "mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 focus:outline-2 focus:outline-indigo-600";
const BUTTON: &str =
    "min-h-11 rounded-lg px-3 font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100 focus:outline-2 focus:outline-indigo-600";

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let data = team_view();
    view! {
        <Title text="Team"/>
        <div class="max-w-4xl space-y-4">
            <header>
                <h1 class="text-2xl font-bold">"Team"</h1>
                <p class="text-sm text-slate-600">"Who can sign in, and what each person may do."</p>
            </header>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {Suspend::new(async move {
                    match data.await {
                        Ok(Some(team)) => {
                            let me = team.me;
                            view! {
                                <FlashMessage flash=team.flash/>
                                <AddUser/>
                                <section aria-labelledby="members" class="space-y-3">
                                    <h2 id="members" class="text-lg font-semibold">{format!("Users ({})", team.members.len())}</h2>
                                    <ul class="space-y-3">
                                        {team.members.into_iter().map(|member| view! { <MemberCard member me/> }).collect_view()}
                                    </ul>
                                </section>
                            }
                            .into_any()
                        }
                        Ok(None) => view! { <NotAllowed text="Only owners manage the team.".to_owned()/> }.into_any(),
                        Err(err) => view! { <p role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The add-user form.
#[component]
fn AddUser() -> impl IntoView {
    view! {
        <section aria-labelledby="add-user" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="add-user" class="text-lg font-semibold">"Add user"</h2>
            <form method="post" action="/settings/team/users" class="mt-3 grid gap-3 sm:grid-cols-2">
                <div>
                    <label for="new-email" class="block text-sm font-medium">"Email"</label>
                    <input id="new-email" name="email" type="email" required autocomplete="off" class=INPUT/>
                </div>
                <div>
                    <label for="new-role" class="block text-sm font-medium">"Role"</label>
                    <select id="new-role" name="role" class=INPUT>
                        <option value="cashier">"Cashier"</option>
                        <option value="manager">"Manager"</option>
                        <option value="owner">"Owner"</option>
                    </select>
                </div>
                <div class="sm:col-span-2">
                    <label for="new-password" class="block text-sm font-medium">"First password"</label>
                    <input id="new-password" name="password" type="password" autocomplete="new-password"
                        aria-describedby="new-password-hint" class=INPUT/>
                    <p id="new-password-hint" class="mt-1 text-sm text-slate-600">
                        "At least 12 characters. Leave it empty to generate one, shown once."
                    </p>
                </div>
                <div class="sm:col-span-2">
                    <button type="submit" class="min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700">
                        "Add user"
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The date and time of an RFC 3339 text, to the minute (UTC).
fn when(at: Option<&str>) -> String {
    match at {
        Some(at) => at.get(..16).unwrap_or(at).replace('T', " ") + " UTC",
        None => "Never".to_owned(),
    }
}

/// One user with the owner's controls (none on the owner's own card).
#[component]
fn MemberCard(member: Member, me: i64) -> impl IntoView {
    let id = member.id;
    let action = format!("/settings/team/users/{id}");
    let own = id == me;
    let status = if member.is_active { "Active" } else { "Deactivated" };
    let heading = format!("user-{id}");
    let labelled_by = heading.clone();
    view! {
        <li aria-labelledby=labelled_by class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h3 id=heading class="min-w-0 break-all font-semibold">
                    {member.email.clone()}{own.then_some(" (you)")}
                </h3>
                <p class="text-sm text-slate-600">
                    <span class="capitalize">{member.role.clone()}</span>" · "{status}" · Last sign-in: "{when(member.last_sign_in_at.as_deref())}
                </p>
            </div>
            {(!own).then(|| view! {
                <div class="mt-3 flex flex-wrap items-end gap-3">
                    <form method="post" action=action.clone() class="flex items-end gap-2">
                        <input type="hidden" name="action" value="role"/>
                        <div>
                            <label for=format!("role-{id}") class="block text-sm font-medium">"Role"</label>
                            <select id=format!("role-{id}") name="role" class=INPUT>
                                {["cashier", "manager", "owner"].into_iter().map(|role| view! {
                                    <option value=role selected=member.role == role>{role}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class=BUTTON aria-label=format!("Change role of {}", member.email)>"Change role"</button>
                    </form>
                    <form method="post" action=action.clone()>
                        <input type="hidden" name="action" value=if member.is_active { "deactivate" } else { "reactivate" }/>
                        <button type="submit" class=BUTTON
                            aria-label=format!("{} {}", if member.is_active { "Deactivate" } else { "Reactivate" }, member.email)>
                            {if member.is_active { "Deactivate" } else { "Reactivate" }}
                        </button>
                    </form>
                    <form method="post" action=action class="flex items-end gap-2">
                        <input type="hidden" name="action" value="password"/>
                        <div>
                            <label for=format!("password-{id}") class="block text-sm font-medium">"New password"</label>
                            <input id=format!("password-{id}") name="password" type="password" required minlength="12"
                                autocomplete="new-password" class=INPUT/>
                        </div>
                        <button type="submit" class=BUTTON aria-label=format!("Set password of {}", member.email)>"Set password"</button>
                    </form>
                </div>
            })}
        </li>
    }
}
