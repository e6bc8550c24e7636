//! `/settings/activity` (owners): who did what, newest first, with its filters in the URL (a
//! plain GET form, so links can be shared and it works without JavaScript). The customer page
//! shows one customer's own timeline with [`ActivityList`].

use crate::components::flash::NotAllowed;
use crate::domain::activity::{ActivityAction, TargetType};
use crate::domain::form_urlencoded;
use crate::pages::customers::error_text;
use crate::server_fns::team::{activity_page, ActivityLine, ActivityQuery};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const INPUT: &str =
    "mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 focus:outline-2 focus:outline-indigo-600";

/// The activity page.
#[component]
pub fn ActivityLogPage() -> impl IntoView {
    let query = use_query_map();
    let asked = query.with_untracked(|q| {
        let get = |name: &str| q.get(name).unwrap_or_default();
        ActivityQuery {
            actor: get("actor"),
            action: get("action"),
            target_type: get("target_type"),
            target_id: get("target_id"),
            since: get("since"),
            until: get("until"),
            page: get("page"),
        }
    });
    let data = activity_page(asked.clone());
    view! {
        <Title text="Activity"/>
        <div class="max-w-5xl space-y-4">
            <header>
                <h1 class="text-2xl font-bold">"Activity"</h1>
                <p class="text-sm text-slate-600">"Every change to customers, points, orders, the program and the team, and every sign-in."</p>
            </header>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {Suspend::new(async move {
                    match data.await {
                        Ok(Some(page)) => view! {
                            <Filters asked=asked.clone() actors=page.actors/>
                            <p class="text-sm text-slate-600" role="status">{format!("{} entries", page.count)}</p>
                            <ActivityList lines=page.lines/>
                            <Pager asked number=page.number has_next=page.has_next/>
                        }
                        .into_any(),
                        Ok(None) => view! { <NotAllowed text="Only owners read the activity log.".to_owned()/> }.into_any(),
                        Err(err) => view! { <p role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The filter form.
#[component]
fn Filters(asked: ActivityQuery, actors: Vec<(i64, String)>) -> impl IntoView {
    let choice = |value: String, label: String, chosen: &str| {
        let selected = value == chosen;
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <form method="get" action="/settings/activity" class="grid gap-3 rounded-xl *:min-w-0 bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-3">
            <div>
                <label for="actor" class="block text-sm font-medium">"Who"</label>
                <select id="actor" name="actor" class=INPUT>
                    <option value="">"Anyone"</option>
                    {actors.into_iter().map(|(id, email)| choice(id.to_string(), email, &asked.actor)).collect_view()}
                </select>
            </div>
            <div>
                <label for="action" class="block text-sm font-medium">"What"</label>
                <select id="action" name="action" class=INPUT>
                    <option value="">"Anything"</option>
                    {ActivityAction::ALL.into_iter().map(|a| choice(a.as_str().to_owned(), a.label().to_owned(), &asked.action)).collect_view()}
                </select>
            </div>
            <div>
                <label for="target_type" class="block text-sm font-medium">"About"</label>
                <select id="target_type" name="target_type" class=INPUT>
                    <option value="">"Any record"</option>
                    {TargetType::ALL.into_iter().map(|t| choice(t.as_str().to_owned(), t.as_str().to_owned(), &asked.target_type)).collect_view()}
                </select>
            </div>
            <div>
                <label for="target_id" class="block text-sm font-medium">"Record id"</label>
                <input id="target_id" name="target_id" inputmode="numeric" value=asked.target_id class=INPUT/>
            </div>
            <div>
                <label for="since" class="block text-sm font-medium">"From"</label>
                <input id="since" name="since" type="date" value=asked.since class=INPUT/>
            </div>
            <div>
                <label for="until" class="block text-sm font-medium">"To"</label>
                <input id="until" name="until" type="date" value=asked.until class=INPUT/>
            </div>
            <div class="flex gap-3 sm:col-span-3">
                <button type="submit" class="min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700">"Filter"</button>
                <a href="/settings/activity" class="inline-flex min-h-11 items-center rounded-lg px-3 font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100">"Clear"</a>
            </div>
        </form>
    }
}

/// Rows of the log, as cards that wrap on a phone.
#[component]
pub fn ActivityList(lines: Vec<ActivityLine>) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="rounded-xl bg-white p-4 text-slate-600 ring-1 ring-slate-200">"Nothing recorded."</p> }.into_any();
    }
    view! {
        <ol class="space-y-2">
            {lines.into_iter().map(|line| view! {
                <li class="rounded-xl bg-white p-3 ring-1 ring-slate-200">
                    <div class="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
                        <p class="font-semibold">{line.label}</p>
                        <p class="text-sm text-slate-600"><time datetime=line.at.clone()>{line.at.replace('T', " ").replace('Z', " UTC")}</time></p>
                    </div>
                    <p class="break-words text-sm">
                        {match line.link {
                            Some(href) => view! { <a href=href class="text-indigo-700 underline">{line.target}</a> }.into_any(),
                            None => view! { <span>{line.target}</span> }.into_any(),
                        }}
                    </p>
                    <p class="break-all text-sm text-slate-600">
                        "By "{line.actor}{(!line.client_address.is_empty()).then(|| format!(" from {}", line.client_address))}
                    </p>
                    {(!line.details.is_empty()).then(|| view! {
                        <ul class="mt-1 list-inside list-disc break-words text-sm text-slate-700">
                            {line.details.into_iter().map(|detail| view! { <li>{detail}</li> }).collect_view()}
                        </ul>
                    })}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// Previous and next page links that keep the filters.
#[component]
fn Pager(asked: ActivityQuery, number: u64, has_next: bool) -> impl IntoView {
    let link = move |page: u64| {
        let page = page.to_string();
        let pairs = [
            ("actor", asked.actor.as_str()),
            ("action", asked.action.as_str()),
            ("target_type", asked.target_type.as_str()),
            ("target_id", asked.target_id.as_str()),
            ("since", asked.since.as_str()),
            ("until", asked.until.as_str()),
            ("page", page.as_str()),
        ];
        format!("/settings/activity?{}", form_urlencoded::serialize(pairs.into_iter().filter(|(_, v)| !v.is_empty())))
    };
    let class = "inline-flex min-h-11 items-center rounded-lg px-3 font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100";
    view! {
        <nav aria-label="Pages" class="flex items-center gap-3">
            {(number > 1).then(|| view! { <a href=link(number - 1) class=class>"Previous"</a> })}
            <span class="text-sm text-slate-600">{format!("Page {number}")}</span>
            {has_next.then(|| view! { <a href=link(number + 1) class=class>"Next"</a> })}
        </nav>
    }
}
