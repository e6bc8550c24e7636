//! The delete confirmation dialog.

use super::{DialogData, PageState};
use crate::components::modal::Modal;
use crate::server_fns::customers::delete_customer;
use leptos::prelude::*;

/// The dialog, open while `state.deleting` is set.
#[component]
pub fn DeleteModal(state: PageState, data: DialogData) -> impl IntoView {
    let saving = RwSignal::new(false);
    let close = Callback::new(move |_| state.deleting.set(None));
    let name = move || data.deleting.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let confirm = move |_| {
        let Some(id) = state.deleting.get_untracked() else { return };
        let who = name();
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = delete_customer(id).await;
            saving.set(false);
            state.deleting.set(None);
            match result {
                Ok(()) => {
                    state.selected.update(|s| {
                        s.remove(&id);
                    });
                    state.changed(format!("{who} was deleted."));
                }
                Err(err) => state.failed(err),
            }
        });
    };
    view! {
        <Modal open=Signal::derive(move || data.deleting.with(Option::is_some)) on_close=close title=Signal::derive(|| "Delete Customer".to_owned())>
            <p class="wrap-anywhere">"Delete "<strong dir="auto">{name}</strong>"? Their points history goes too. This cannot be undone."</p>
            <div class="mt-4 flex justify-end gap-2">
                <button type="button" data-autofocus on:click=move |_| close.run(())
                    class="min-h-11 rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">"Cancel"</button>
                <button type="button" on:click=confirm disabled=move || saving.get()
                    class="min-h-11 rounded-lg bg-red-700 px-4 font-semibold text-white hover:bg-red-800 disabled:opacity-60">"Delete Customer"</button>
            </div>
        </Modal>
    }
}
