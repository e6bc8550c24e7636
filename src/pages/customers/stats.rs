//! The statistics cards and the tier distribution bar, written as HTML text on the server (see
//! [`crate::components::html_text`]): about fifty elements with nothing to click, redrawn whole
//! when the statistics change.

use crate::components::html_text::{push_grouped, push_int};
use crate::server_fns::customers::StatsView;

/// Total, active, points and tiers, as the board's statistics section.
pub fn section(stats: &StatsView) -> String {
    let mut html = String::with_capacity(3_200);
    html.push_str(r#"<section aria-label="Statistics" class="grid grid-cols-2 gap-3 lg:grid-cols-4">"#);
    html.push_str(&markup(stats));
    html.push_str("</section>");
    html
}

/// SVG path data of the card icons (24×24, stroked).
const PEOPLE: &str = "M16 19v-1a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v1M9 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6M22 19v-1a4 4 0 0 0-3-3.9M16 4.1a3 3 0 0 1 0 5.8";
const CHECK: &str = "M22 11.1V12a10 10 0 1 1-5.9-9.1M22 4 12 14l-3-3";
const STAR: &str = "m12 2 3.1 6.3 6.9 1-5 4.9 1.2 6.8L12 17.8 5.8 21l1.2-6.8-5-4.9 6.9-1z";

/// The tiers' names, bar colors and swatch classes, Bronze to Platinum.
const TIERS: [(&str, &str, &str); 4] = [
    ("Bronze", "#f97316", "bg-orange-500"),
    ("Silver", "#9ca3af", "bg-gray-400"),
    ("Gold", "#eab308", "bg-yellow-500"),
    ("Platinum", "#a855f7", "bg-purple-500"),
];

/// The cards' markup.
fn markup(stats: &StatsView) -> String {
    let mut html = String::with_capacity(3_000);
    card(&mut html, "Total Customers", stats.total, PEOPLE, "bg-indigo-50 text-indigo-900 ring-indigo-200");
    card(&mut html, "Active Customers", stats.active, CHECK, "bg-green-50 text-green-900 ring-green-200");
    card(&mut html, "Total Loyalty Points", stats.points, STAR, "bg-amber-50 text-amber-900 ring-amber-200");
    tier_card(&mut html, stats.tiers);
    html
}

/// A card with its icon (from the `sm` width: on phones, two cards a row leave the number no room
/// for it) and its number, sized to the card's width (`.stat-value`), which wraps rather than
/// overflow the card if even that is too wide.
fn card(html: &mut String, label: &str, value: i64, icon: &str, tone: &str) {
    html.push_str(r#"<div class="flex items-center gap-3 rounded-xl p-4 ring-1 "#);
    html.push_str(tone);
    html.push_str(
        r#""><svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" class="hidden h-7 w-7 shrink-0 sm:block"><path d=""#,
    );
    html.push_str(icon);
    html.push_str(
        r#""></path></svg><div class="@container min-w-0 flex-1 wrap-anywhere"><p class="text-sm font-medium">"#,
    );
    html.push_str(label);
    html.push_str(r#"</p><p class="stat-value">"#);
    push_grouped(html, value);
    html.push_str("</p></div></div>");
}

fn tier_card(html: &mut String, tiers: [i64; 4]) {
    html.push_str(
        r#"<div class="col-span-2 rounded-xl bg-white p-4 ring-1 ring-slate-200 lg:col-span-1"><p class="text-sm font-medium">Customers by Tier</p><svg viewBox="0 0 1000 10" preserveAspectRatio="none" class="mt-2 h-3 w-full overflow-hidden rounded-full bg-slate-100" role="img" aria-label=""#,
    );
    for (i, (count, (name, _, _))) in tiers.iter().zip(TIERS).enumerate() {
        if i > 0 {
            html.push_str(", ");
        }
        html.push_str(name);
        html.push(' ');
        push_int(html, *count);
    }
    html.push_str(r#"">"#);
    // Widths in thousandths of the bar, in integers.
    let total: i64 = tiers.iter().sum::<i64>().max(1);
    let mut offset = 0;
    for (count, (_, color, _)) in tiers.iter().zip(TIERS) {
        let width = count * 1000 / total;
        html.push_str(r#"<rect x=""#);
        push_int(html, offset);
        html.push_str(r#"" y="0" width=""#);
        push_int(html, width);
        html.push_str(r#"" height="10" fill=""#);
        html.push_str(color);
        html.push_str(r#""></rect>"#);
        offset += width;
    }
    html.push_str(r#"</svg><ul class="mt-2 grid grid-cols-2 gap-x-3 text-xs">"#);
    for (count, (name, _, swatch)) in tiers.iter().zip(TIERS) {
        html.push_str(
            r#"<li class="flex items-center gap-1"><span aria-hidden="true" class="inline-block h-2 w-2 rounded-full "#,
        );
        html.push_str(swatch);
        html.push_str(r#""></span>"#);
        html.push_str(name);
        html.push_str(r#": <span class="font-semibold tabular-nums">"#);
        push_grouped(html, *count);
        html.push_str("</span></li>");
    }
    html.push_str("</ul></div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cards_show_grouped_totals_and_the_tier_bar_in_thousandths() {
        let html = markup(&StatsView { total: 1_000_000, active: 899_698, points: 12, tiers: [500, 250, 200, 50] });
        assert!(html.contains(r#"Total Customers</p><p class="stat-value">1,000,000</p>"#), "{html}");
        assert!(html.contains(">899,698</p>"), "{html}");
        assert!(html.contains(r#"aria-label="Bronze 500, Silver 250, Gold 200, Platinum 50""#), "{html}");
        assert!(html.contains(r##"<rect x="500" y="0" width="250" height="10" fill="#9ca3af"></rect>"##), "{html}");
        assert!(
            html.contains(r#"bg-purple-500"></span>Platinum: <span class="font-semibold tabular-nums">50</span>"#),
            "{html}"
        );
    }

    #[test]
    fn a_tenant_without_customers_gets_empty_bars_not_a_division_by_zero() {
        let html = markup(&StatsView::default());
        assert!(html.contains(r#"<rect x="0" y="0" width="0" height="10""#), "{html}");
        assert!(html.contains(">0</p>"), "{html}");
    }
}
