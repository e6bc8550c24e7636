//! An accessible dialog: role=dialog, focus kept inside, Escape and a close button close it, and
//! focus returns to where it was. Full screen on phones.

use leptos::prelude::*;

/// A modal dialog shown while `open` is true.
#[component]
pub fn Modal(
    /// Whether the dialog is shown.
    open: Signal<bool>,
    /// Called to close it.
    on_close: Callback<()>,
    /// The dialog's title (its accessible name).
    title: Signal<String>,
    /// The content.
    children: ChildrenFn,
) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        let opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage> = StoredValue::new_local(None);
        Effect::new(move |was_open: Option<bool>| {
            use wasm_bindgen::JsCast;
            let is_open = open.get();
            let document = document();
            if is_open && was_open != Some(true) {
                opener.set_value(document.active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()));
                request_animation_frame(move || {
                    if let Some(panel) = panel.get_untracked() {
                        // Focus already inside (someone clicked or is typing there) stays put:
                        // moving it now would send their next keys elsewhere.
                        let inside =
                            leptos::prelude::document().active_element().is_some_and(|e| panel.contains(Some(&e)));
                        if inside {
                            return;
                        }
                        // The marked field first, else the first control in the dialog.
                        let first = ["[data-autofocus]", "input, select, textarea, button"]
                            .into_iter()
                            .find_map(|selector| panel.query_selector(selector).ok().flatten())
                            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                        if let Some(first) = first {
                            let _ = first.focus();
                        }
                    }
                });
            } else if !is_open && was_open == Some(true) {
                if let Some(opener) = opener.get_value() {
                    let _ = opener.focus();
                }
            }
            is_open
        });
    }
    // Escape closes the dialog wherever focus is (a button that just became disabled drops it).
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if open.get_untracked() && ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        }
    });
    on_cleanup(move || escape.remove());
    let on_keydown = move |_ev: leptos::ev::KeyboardEvent| {
        #[cfg(feature = "hydrate")]
        if _ev.key() == "Tab" {
            trap_focus(&_ev, panel);
        }
    };
    let title_id = "modal-title";
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex items-end justify-center bg-slate-900/50 sm:items-center sm:p-4">
                <div
                    node_ref=panel
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby=title_id
                    on:keydown=on_keydown
                    class="flex h-full w-full flex-col overflow-y-auto bg-white shadow-xl sm:h-auto sm:max-h-[90vh] sm:max-w-lg sm:rounded-2xl"
                >
                    <div class="flex items-center justify-between gap-2 border-b border-slate-200 px-5 py-3">
                        <h2 id=title_id dir="auto" class="min-w-0 text-lg font-semibold wrap-anywhere">{move || title.get()}</h2>
                        <button type="button" aria-label="Close" on:click=move |_| on_close.run(())
                            class="inline-flex min-h-11 min-w-11 items-center justify-center rounded-lg text-2xl text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600">
                            "×"
                        </button>
                    </div>
                    <div class="px-5 py-4">{children()}</div>
                </div>
            </div>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
fn trap_focus(ev: &leptos::ev::KeyboardEvent, panel: NodeRef<leptos::html::Div>) {
    use wasm_bindgen::JsCast;
    let Some(panel) = panel.get_untracked() else { return };
    let Ok(nodes) =
        panel.query_selector_all("a[href], button:not([disabled]), input:not([disabled]), select, textarea")
    else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> =
        (0..nodes.length()).filter_map(|i| nodes.item(i)).filter_map(|n| n.dyn_into().ok()).collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else { return };
    let active = document().active_element();
    let active = active.as_ref().map(|a| a.unchecked_ref::<web_sys::HtmlElement>());
    if ev.shift_key() && active == Some(first) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && active == Some(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}
