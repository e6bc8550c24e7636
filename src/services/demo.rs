//! Realistic demo data: a tenant, its users and customers with years of points history.

use super::Core;
use crate::domain::{Email, LoyaltyProgram};
use crate::storage::{ImportedCustomer, ImportedPoints, PointsSource, Tenant};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::accounts::{self, NewUserInput};
use super::{ServiceError, ServiceResult};

const FIRST_NAMES: &[&str] = &[
    "Sari", "Budi", "Dewi", "Agus", "Putri", "Rizky", "Siti", "Andi", "Ayu", "Dimas", "Indah", "Hendra", "Rina",
    "Fajar", "Wulan", "Bayu", "Nurul", "Yusuf", "Lestari", "Eko", "Maya", "Arif", "Fitri", "Galih", "Ratna", "Joko",
    "Intan", "Teguh", "Citra", "Wahyu", "Kartika", "Irfan", "Anisa", "Reza", "Mega", "Doni", "Sinta", "Hadi", "Tari",
    "Ilham", "Michael", "Jessica", "David", "Grace", "Kevin", "Olivia", "Daniel", "Sophie", "Émile", "Zoë", "José",
    "Ngozi", "Hiroshi", "Mei", "Aarav", "Fatima", "Lukas", "Ana", "Chen", "Priya",
];
const LAST_NAMES: &[&str] = &[
    "Wijaya",
    "Santoso",
    "Pratama",
    "Saputra",
    "Kusuma",
    "Hidayat",
    "Nugroho",
    "Lestari",
    "Setiawan",
    "Kurniawan",
    "Wibowo",
    "Permata",
    "Halim",
    "Tanoto",
    "Sutanto",
    "Purnomo",
    "Gunawan",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Harahap",
    "Sitompul",
    "Kusumasari",
    "Anggraini",
    "Rahmawati",
    "Firmansyah",
    "Susanto",
    "Hartono",
    "Salim",
    "Tan",
    "Lim",
    "Wong",
    "Smith",
    "Johnson",
    "Müller",
    "Dubois",
    "García",
    "Rossi",
    "Tanaka",
    "Kim",
    "Nguyen",
    "Okafor",
    "Sharma",
    "Silva",
];
const DOMAINS: &[&str] =
    &["gmail.com", "yahoo.co.id", "outlook.com", "hotmail.com", "icloud.com", "mail.id", "proton.me"];
const PLACES: &[(&str, &str, &str)] = &[
    ("Jakarta", "DKI Jakarta", "10"),
    ("Jakarta Selatan", "DKI Jakarta", "12"),
    ("Bandung", "Jawa Barat", "40"),
    ("Bekasi", "Jawa Barat", "17"),
    ("Bogor", "Jawa Barat", "16"),
    ("Surabaya", "Jawa Timur", "60"),
    ("Malang", "Jawa Timur", "65"),
    ("Semarang", "Jawa Tengah", "50"),
    ("Yogyakarta", "DI Yogyakarta", "55"),
    ("Denpasar", "Bali", "80"),
    ("Medan", "Sumatera Utara", "20"),
    ("Makassar", "Sulawesi Selatan", "90"),
    ("Palembang", "Sumatera Selatan", "30"),
    ("Tangerang", "Banten", "15"),
    ("Balikpapan", "Kalimantan Timur", "76"),
];
const STREETS: &[&str] = &[
    "Jl. Sudirman",
    "Jl. Thamrin",
    "Jl. Gatot Subroto",
    "Jl. Diponegoro",
    "Jl. Ahmad Yani",
    "Jl. Merdeka",
    "Jl. Gajah Mada",
    "Jl. Pahlawan",
    "Jl. Asia Afrika",
    "Jl. Malioboro",
    "Jl. Kartini",
    "Jl. Veteran",
];
const EARN_REASONS: &[&str] =
    &["Purchase", "Birthday bonus", "Welcome bonus", "Referral bonus", "Double points weekend", "Survey reward"];
const SPEND_REASONS: &[&str] =
    &["Redeemed: free coffee", "Redeemed: dessert", "Redeemed: 10% voucher", "Points correction"];
const NOTES: &[&str] = &[
    "",
    "",
    "",
    "",
    "Prefers window seat",
    "Allergic to peanuts",
    "VIP customer",
    "Orders for office lunch",
    "Vegetarian",
];

/// How many customers `patron demo` makes at a time and, when the load is not one transaction
/// (see [`crate::storage::BulkLoad::load_customers`]), writes per transaction: every commit
/// rewrites the index pages the batch touched, so fewer, larger transactions load faster
/// (1,000,000 customers on SQLite took 64 s in batches of 20,000 and 51–56 s in batches of
/// 100,000). A server sharing the database waits for its writes while a batch commits.
const BATCH: usize = 100_000;

/// Adds `count` demo customers to the tenant named `tenant_name`, creating it if needed.
/// `progress` is called with the running total after each batch.
pub async fn add_demo_customers(
    core: &Core,
    tenant_name: &str,
    count: u64,
    expire_after_days: Option<i64>,
    mut progress: impl FnMut(u64) + Send,
) -> ServiceResult<(Tenant, u64)> {
    let tenant = match accounts::find_tenant(core, tenant_name).await {
        Ok(tenant) => tenant,
        Err(ServiceError::NotFound) => accounts::create_tenant(core, tenant_name).await?,
        Err(other) => return Err(other),
    };
    if let Some(days) = expire_after_days {
        // Points expire from now on: the demo customers' balances become lots.
        let current = core.storage.loyalty_program(tenant.id).await?;
        let program = LoyaltyProgram::new(current.spend_per_point_minor(), Some(days), current.tiers())
            .map_err(ServiceError::Validation)?;
        core.storage.set_loyalty_program(tenant.id, &program, None).await?;
    }
    // Customers are made on a thread of their own while the previous batch is written; at most one
    // finished batch waits, which bounds the memory.
    let (sender, batches) = tokio::sync::mpsc::channel::<Vec<ImportedCustomer>>(1);
    let maker = tokio::task::spawn_blocking(move || {
        let mut rng = StdRng::from_entropy();
        // A run tag keeps emails unique when demo data is added to a tenant more than once.
        let run: u32 = rng.gen_range(1..100_000);
        let now = crate::storage::now();
        let mut serial = 0_u64;
        while serial < count {
            let size = (count - serial).min(BATCH as u64);
            let batch: Vec<ImportedCustomer> = (0..size)
                .filter_map(|_| {
                    serial += 1;
                    demo_customer(&mut rng, run, serial, now)
                })
                .collect();
            if sender.blocking_send(batch).is_err() {
                return;
            }
        }
    });
    let written = core.storage.load_customers(tenant.id, count, batches, &mut progress).await?;
    let _ = maker.await;
    core.storage.after_bulk_load().await?;
    Ok((tenant, written))
}

fn demo_customer(rng: &mut StdRng, run: u32, serial: u64, now: DateTime<Utc>) -> Option<ImportedCustomer> {
    let first = *FIRST_NAMES.choose(rng)?;
    let last = *LAST_NAMES.choose(rng)?;
    let (city, province, postal_prefix) = *PLACES.choose(rng)?;
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'ë' => 'e',
            'ü' => 'u',
            'ö' | 'ó' => 'o',
            'í' => 'i',
            'á' => 'a',
            other => other,
        })
        .collect();
    let email = Email::parse(&format!("{local}.{run}{serial}@{}", DOMAINS.choose(rng)?)).ok()?;
    let created_at = now - Duration::seconds(rng.gen_range(3_600..5 * 365 * 24 * 3_600));
    let age_minutes = (now - created_at).num_minutes().max(1);
    // Most customers are Bronze or Silver; a few reach Gold and Platinum.
    let target: i64 = match rng.gen_range(0..100) {
        0..=44 => rng.gen_range(0..100),
        45..=79 => rng.gen_range(100..500),
        80..=93 => rng.gen_range(500..1000),
        _ => rng.gen_range(1000..5000),
    };
    let history = points_history(rng, target, created_at, age_minutes);
    let total_orders: i64 = if rng.gen_bool(0.1) { 0 } else { rng.gen_range(1..120) };
    let total_spent_minor = total_orders * rng.gen_range(25_000..400_000) * 100;
    let last_order_date = (total_orders > 0).then(|| created_at + Duration::minutes(rng.gen_range(0..age_minutes)));
    let phone = match rng.gen_range(0..4) {
        0 => format!("+62 21 {} {:04}", rng.gen_range(100..999), rng.gen_range(0..10_000)),
        1 => format!("08{}-{:04}-{:04}", rng.gen_range(11..99), rng.gen_range(0..10_000), rng.gen_range(0..10_000)),
        2 => format!("08{:010}", rng.gen_range(0..10_000_000_000_u64)),
        _ => String::new(),
    };
    Some(ImportedCustomer {
        name: format!("{first} {last}"),
        email,
        phone,
        address: format!("{} No. {}", STREETS.choose(rng)?, rng.gen_range(1..300)),
        city: city.to_owned(),
        province: province.to_owned(),
        postal_code: format!("{postal_prefix}{:03}", rng.gen_range(100..1000)),
        notes: (*NOTES.choose(rng)?).to_owned(),
        total_orders,
        total_spent_minor,
        is_active: rng.gen_bool(0.9),
        marketing_email: false,
        marketing_sms: false,
        created_at,
        last_order_date,
        history,
    })
}

/// One to three changes, oldest first, that sum to `target` and never go below zero.
fn points_history(rng: &mut StdRng, target: i64, created_at: DateTime<Utc>, age_minutes: i64) -> Vec<ImportedPoints> {
    let steps = rng.gen_range(1..=3_usize);
    let mut times: Vec<i64> = (0..steps).map(|_| rng.gen_range(0..age_minutes)).collect();
    times.sort_unstable();
    let mut history = Vec::with_capacity(steps);
    let mut balance = 0;
    for (i, minutes) in times.into_iter().enumerate() {
        let remaining = target - balance;
        let delta = if i + 1 == steps {
            remaining
        } else if balance > 50 && rng.gen_bool(0.25) {
            -rng.gen_range(1..=balance.min(200))
        } else {
            rng.gen_range(0..=remaining.max(0) / 2 + 50)
        };
        if delta == 0 {
            continue;
        }
        balance += delta;
        let reasons = if delta > 0 { EARN_REASONS } else { SPEND_REASONS };
        history.push(ImportedPoints {
            delta,
            reason: (*reasons.choose(rng).unwrap_or(&"Purchase")).to_owned(),
            source: if i == 0 { PointsSource::Create } else { PointsSource::Manual },
            at: created_at + Duration::minutes(minutes),
        });
    }
    history
}

/// The demo sign-ins created on first start.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// The demo tenant's name.
    pub tenant: String,
    /// Owner, manager and cashier emails.
    pub emails: [String; 3],
    /// Their shared, randomly generated password.
    pub password: String,
}

/// The demo tenant's name.
pub const DEMO_TENANT: &str = "Demo Bistro";

/// Creates the demo tenant, an owner, a manager and a cashier with a fresh random password, and
/// `customers` demo customers, unless the demo tenant exists already (then `None`).
pub async fn seed_demo_tenant(core: &Core, customers: u64) -> ServiceResult<Option<DemoAccount>> {
    if core.storage.tenant_by_name(DEMO_TENANT).await?.is_some() {
        return Ok(None);
    }
    let tenant = accounts::create_tenant(core, DEMO_TENANT).await?;
    let password = random_password();
    let emails = ["owner@demo.patron.test", "manager@demo.patron.test", "cashier@demo.patron.test"].map(String::from);
    for (email, role) in emails.iter().zip(["owner", "manager", "cashier"]) {
        let input = NewUserInput { email: email.clone(), password: password.clone(), role: role.into() };
        accounts::create_user(core, tenant.id, input).await?;
    }
    add_demo_customers(core, DEMO_TENANT, customers, None, |_| ()).await?;
    Ok(Some(DemoAccount { tenant: tenant.name, emails, password }))
}

fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..16).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_history_sums_to_the_balance_and_never_goes_negative() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..500 {
            let target = rng.gen_range(0..3000);
            let history = points_history(&mut rng, target, Utc::now(), 10_000);
            let mut balance = 0;
            for entry in &history {
                balance += entry.delta;
                assert!(balance >= 0);
            }
            assert_eq!(balance, target);
        }
    }

    #[test]
    fn demo_customers_have_valid_unique_emails() {
        let mut rng = StdRng::seed_from_u64(1);
        let now = Utc::now();
        let emails: std::collections::HashSet<String> =
            (0..1000).filter_map(|i| demo_customer(&mut rng, 5, i, now)).map(|c| c.email.key()).collect();
        assert_eq!(emails.len(), 1000);
    }
}
