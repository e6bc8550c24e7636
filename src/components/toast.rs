//! Success and error messages that appear for a few seconds, announced to screen readers.

use leptos::prelude::*;

/// One message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    /// Its id.
    pub id: u64,
    /// The sentence.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
}

/// The page's toasts; provide once, use anywhere below.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    /// Creates the toast list and provides it as context.
    pub fn provide() -> Self {
        let toasts = Toasts { items: RwSignal::new(Vec::new()), next: StoredValue::new(0) };
        provide_context(toasts);
        toasts
    }

    /// Shows a success message.
    pub fn success(&self, text: impl Into<String>) {
        self.push(text.into(), false);
    }

    /// Shows an error message.
    pub fn error(&self, text: impl Into<String>) {
        self.push(text.into(), true);
    }

    fn push(&self, text: String, error: bool) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items.update(|items| items.push(Toast { id, text, error }));
        let items = self.items;
        set_timeout(
            move || items.update(|items| items.retain(|t| t.id != id)),
            std::time::Duration::from_millis(if error { 8000 } else { 4000 }),
        );
    }
}

/// Where toasts appear: the newest one, until it expires or the next replaces it (it was
/// announced when it appeared). Not a keyed list: a keyed list would bring its diffing code (and
/// an index map) into the page's WebAssembly for one message at a time.
#[component]
pub fn ToastRegion(toasts: Toasts) -> impl IntoView {
    let newest = move || toasts.items.with(|items| items.last().cloned());
    view! {
        <div role="status" aria-live="polite" class="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center gap-2 px-4">
            {move || newest().map(|toast| view! {
                <div class=if toast.error {
                    "pointer-events-auto max-w-full rounded-lg bg-red-700 px-4 py-3 wrap-anywhere text-sm font-medium text-white shadow-lg"
                } else {
                    "pointer-events-auto max-w-full rounded-lg bg-green-700 px-4 py-3 wrap-anywhere text-sm font-medium text-white shadow-lg"
                }>
                    {toast.text}
                </div>
            })}
        </div>
    }
}
