//! `/customers/import` (owners and managers): pick a CSV file, read the server's check of it
//! (counts, the first errors, all of them as a file), then **Import N customers** and follow
//! the progress to a summary. Every step is a plain form posted to the server, so it works
//! without JavaScript; with it, the progress bar moves by itself.

use crate::components::flash::{FlashMessage, NotAllowed};
use crate::pages::customers::error_text;
use crate::server_fns::import::{import_page, ImportStage, ReportView, ERRORS_SHOWN};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const INPUT: &str =
    "mt-1 block min-h-11 w-full rounded-lg border border-slate-300 bg-white px-3 py-2 focus:outline-2 focus:outline-indigo-600";
const PRIMARY: &str = "min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700";

/// The import page.
#[component]
pub fn ImportPage() -> impl IntoView {
    let query = use_query_map();
    let job = query.with_untracked(|q| q.get("job").unwrap_or_default());
    let data = import_page(job.clone());
    view! {
        <Title text="Import customers"/>
        <div class="max-w-4xl space-y-4">
            <a href="/customers" class="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">"← Customers"</a>
            <header>
                <h1 class="text-2xl font-bold">"Import customers"</h1>
                <p class="text-sm text-slate-600">"Bring your customers from a spreadsheet: check the file first, then import it."</p>
            </header>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {Suspend::new(async move {
                    match data.await {
                        Ok(page) if !page.allowed => {
                            view! { <NotAllowed text="Only owners and managers import customers.".to_owned()/> }.into_any()
                        }
                        Ok(page) => view! {
                            <FlashMessage flash=page.flash/>
                            <Stage stage=page.stage job/>
                        }.into_any(),
                        Err(err) => view! {
                            <p role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">{error_text(&err)}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// What the page shows for where the import is.
#[component]
fn Stage(stage: ImportStage, job: String) -> impl IntoView {
    match stage {
        ImportStage::Start => view! { <Upload/> }.into_any(),
        ImportStage::Checked(report) => {
            let clean = report.error_count == 0;
            let to_write = report.created + report.updated;
            view! {
                <Report report=report.clone() job=job.clone() title="Check of your file"/>
                {if !clean {
                    view! {
                        <p class="rounded-xl bg-amber-50 p-4 text-amber-900 ring-1 ring-amber-200">
                            "Nothing was imported. Fix these rows in your spreadsheet, save it as CSV and check it again."
                        </p>
                        <Upload/>
                    }.into_any()
                } else if to_write == 0 {
                    view! {
                        <p role="status" class="rounded-xl bg-emerald-50 p-4 text-emerald-900 ring-1 ring-emerald-200">
                            "Every row already matches its customer: there is nothing to import."
                        </p>
                        <Upload/>
                    }.into_any()
                } else {
                    let noun = if to_write == 1 { "customer" } else { "customers" };
                    view! {
                        <form method="post" action=format!("/customers/import/{job}/run")>
                            <button type="submit" class=PRIMARY>{format!("Import {to_write} {noun}")}</button>
                        </form>
                    }.into_any()
                }}
            }
            .into_any()
        }
        ImportStage::Running { done, total } => view! { <ImportProgress job done total/> }.into_any(),
        ImportStage::Done(report) => view! {
            <div role="status" class="rounded-xl bg-emerald-50 p-4 text-emerald-900 ring-1 ring-emerald-200">
                <p class="font-semibold">"Import finished."</p>
                <p>{format!("{} new, {} updated, {} unchanged.", report.created, report.updated, report.unchanged)}</p>
            </div>
            <a href="/customers" class=format!("inline-flex items-center {PRIMARY}")>"See your customers"</a>
        }
        .into_any(),
        ImportStage::Failed(why) => view! {
            <p role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">{why}</p>
            <Upload/>
        }
        .into_any(),
    }
}

/// The file form.
#[component]
fn Upload() -> impl IntoView {
    view! {
        <section aria-labelledby="upload" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="upload" class="text-lg font-semibold">"Choose a file"</h2>
            <form method="post" action="/customers/import/check" enctype="multipart/form-data" class="mt-3 grid gap-3">
                <div>
                    <label for="import-file" class="block text-sm font-medium">"CSV file"</label>
                    <input id="import-file" name="file" type="file" accept=".csv,text/csv" required
                        aria-describedby="import-file-hint" class=INPUT/>
                    <p id="import-file-hint" class="mt-1 text-sm text-slate-600">
                        "UTF-8, with a header row. name and email are needed; phone, address, city, province, postal_code, \
                         notes, is_active, loyalty_points, marketing_email, marketing_sms, total_orders, total_spent and \
                         last_order_date are read too. At most 100,000 rows and 20 MB."
                    </p>
                </div>
                <div>
                    <label for="import-mode" class="block text-sm font-medium">"Rows with an email you already have"</label>
                    <select id="import-mode" name="mode" class=INPUT>
                        <option value="upsert">"Update that customer"</option>
                        <option value="create">"Report as an error"</option>
                    </select>
                </div>
                <div>
                    <button type="submit" class=PRIMARY>"Check file"</button>
                </div>
            </form>
        </section>
    }
}

/// The counts, ignored columns, the first errors and the duplicate emails of a report.
#[component]
fn Report(report: ReportView, job: String, title: &'static str) -> impl IntoView {
    let ReportView { rows, created, updated, unchanged, ignored_columns, errors, error_count, duplicates } = report;
    let count = |label: &'static str, n: usize| {
        view! {
            <div class="rounded-lg bg-slate-50 p-3">
                <dt class="text-sm text-slate-600">{label}</dt>
                <dd class="text-xl font-semibold">{n}</dd>
            </div>
        }
    };
    view! {
        <section aria-labelledby="report" class="space-y-3 rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="report" class="text-lg font-semibold">{title}</h2>
            <dl class="grid grid-cols-2 gap-3 sm:grid-cols-5">
                {count("Rows", rows)}
                {count("New", created)}
                {count("Updated", updated)}
                {count("Unchanged", unchanged)}
                {count("Errors", error_count)}
            </dl>
            {(!ignored_columns.is_empty()).then(|| view! {
                <p class="text-sm text-slate-600">"Columns not read: "{ignored_columns.join(", ")}</p>
            })}
            {(!duplicates.is_empty()).then(|| view! {
                <div>
                    <h3 class="font-semibold">"Emails on more than one row"</h3>
                    <ul class="list-disc pl-5 text-sm">
                        {duplicates.into_iter().map(|(email, rows)| {
                            let rows = rows.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
                            view! { <li class="break-all">{format!("{email}: rows {rows}")}</li> }
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {(!errors.is_empty()).then(|| {
                let shown = errors.len();
                view! {
                    <div class="overflow-x-auto">
                        <table class="w-full text-left text-sm">
                            <caption class="mb-2 text-left font-semibold">
                                {if error_count > shown { format!("The first {ERRORS_SHOWN} problems") } else { "Problems".to_owned() }}
                            </caption>
                            <thead>
                                <tr class="border-b border-slate-200">
                                    <th scope="col" class="py-2 pr-3">"Row"</th>
                                    <th scope="col" class="py-2 pr-3">"Column"</th>
                                    <th scope="col" class="py-2">"Problem"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {errors.into_iter().map(|(row, field, message)| view! {
                                    <tr class="border-b border-slate-100">
                                        <td class="py-2 pr-3 tabular-nums">{row}</td>
                                        <td class="py-2 pr-3">{field}</td>
                                        <td class="py-2">{message}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            })}
            {(error_count > 0).then(|| view! {
                <a href=format!("/customers/import/{job}/errors.csv") download class="inline-flex min-h-11 items-center text-indigo-700 underline">
                    "Download all problems (CSV)"
                </a>
            })}
        </section>
    }
}

/// The progress of an import being written; in the browser it follows the server until the
/// import ends, then shows the page's summary.
///
/// `lazy`: its code is a WebAssembly module of its own, fetched where it is shown, so the
/// customers page's WebAssembly does not carry it.
#[island(lazy)]
fn ImportProgress(job: String, done: usize, total: usize) -> impl IntoView {
    Effect::new(|_| crate::island_hydrated());
    let progress = RwSignal::new((done, total));
    #[cfg(feature = "hydrate")]
    {
        let job = job.clone();
        let busy = RwSignal::new(false);
        let poll = move || {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            let job = job.clone();
            leptos::task::spawn_local(async move {
                match crate::server_fns::import::import_progress(job).await {
                    Ok(Some(ImportStage::Running { done, total })) => progress.set((done, total)),
                    // Finished, failed or gone: the page says which.
                    Ok(_) => {
                        let _ = window().location().reload();
                    }
                    Err(_) => {}
                }
                busy.set(false);
            });
        };
        if let Ok(handle) = set_interval_with_handle(poll, std::time::Duration::from_millis(500)) {
            on_cleanup(move || handle.clear());
        }
    }
    view! {
        <section aria-labelledby="importing" class="space-y-2 rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="importing" class="text-lg font-semibold">"Importing…"</h2>
            <progress class="h-3 w-full" aria-labelledby="importing"
                max=move || progress.get().1.max(1) value=move || progress.get().0></progress>
            <p class="tabular-nums" aria-live="polite">{move || {
                let (done, total) = progress.get();
                format!("{done} of {total} rows")
            }}</p>
            <a href=format!("/customers/import?job={job}") class="inline-flex min-h-11 items-center text-indigo-700 underline">"Refresh"</a>
        </section>
    }
}
