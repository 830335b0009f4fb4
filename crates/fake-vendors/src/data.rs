//! Deterministic, realistic customers in each vendor's own shape.

use crate::Vendor;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

/// Names from several scripts, so every consumer meets accents, Arabic and Chinese.
const NAMES: [(&str, &str); 16] = [
    ("Jan", "Novák"),
    ("Jiří", "Dvořák"),
    ("Kateřina", "Procházková"),
    ("محمد", "عبد الله"),
    ("فاطمة", "الزهراء"),
    ("王", "小明"),
    ("李", "娜"),
    ("Anna", "Schmidt"),
    ("María", "García"),
    ("Olena", "Kovalenko"),
    ("John", "Smith"),
    ("Emma", "Johnson"),
    ("Søren", "Kierkegaard"),
    ("Zoë", "Brontë"),
    ("Ngozi", "Okafor"),
    ("Hiroshi", "Tanaka"),
];

const CITIES: [&str; 6] = ["Praha", "Brno", "Dubai", "Shanghai", "Austin, TX", "Kyiv"];

/// The customers a fake of `vendor` serves: `count` records from `seed`, in creation order.
pub fn records(vendor: Vendor, count: usize, seed: u64) -> Vec<Value> {
    let mut rng = fastrand::Rng::with_seed(seed ^ vendor_salt(vendor));
    let start = Utc
        .with_ymd_and_hms(2023, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let mut created = start;
    (0..count)
        .map(|i| {
            // Strictly increasing creation times, minutes to days apart.
            created += Duration::seconds(rng.i64(60..200_000));
            let updated = created + Duration::seconds(rng.i64(0..5_000_000));
            let person = Person::new(&mut rng, i, created, updated);
            match vendor {
                Vendor::Hoko => person.hoko(&mut rng),
                Vendor::CareCloud => person.carecloud(&mut rng),
                Vendor::BotPenguin => person.botpenguin(&mut rng),
                Vendor::Gleantap => person.gleantap(&mut rng),
                Vendor::HelpCrunch => person.helpcrunch(&mut rng),
            }
        })
        .collect()
}

fn vendor_salt(vendor: Vendor) -> u64 {
    match vendor {
        Vendor::Hoko => 0x686f6b6f,
        Vendor::CareCloud => 0x63617265,
        Vendor::BotPenguin => 0x626f7470,
        Vendor::Gleantap => 0x676c6561,
        Vendor::HelpCrunch => 0x68656c70,
    }
}

fn hex(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
        .collect()
}

struct Person {
    index: usize,
    first: &'static str,
    last: &'static str,
    email: String,
    phone_digits: String,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

impl Person {
    fn new(
        rng: &mut fastrand::Rng,
        index: usize,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    ) -> Self {
        let (first, last) = NAMES[rng.usize(..NAMES.len())];
        Person {
            index,
            first,
            last,
            email: format!("customer{index}@example.com"),
            phone_digits: format!("420{:09}", rng.u32(600_000_000..800_000_000)),
            created,
            updated,
        }
    }

    fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    fn hoko(&self, rng: &mut fastrand::Rng) -> Value {
        let id = format!(
            "{}-{}-4{}-a{}-{}",
            hex(rng, 8),
            hex(rng, 4),
            hex(rng, 3),
            hex(rng, 3),
            hex(rng, 12)
        );
        json!({
            "id": id,
            "externalId": if self.index % 7 == 3 { Value::Null } else { format!("ext-{}", self.index).into() },
            "name": self.name(),
            "email": self.email,
            "phone": format!("+{}", self.phone_digits),
            "avatar": if rng.bool() { format!("https://cdn.example.com/avatars/{}.jpg", self.index).into() } else { Value::Null },
            "createdAt": self.created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "updatedAt": self.updated.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        })
    }

    fn carecloud(&self, rng: &mut fastrand::Rng) -> Value {
        let local = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
        let language = ["cs", "en", "ar", "zh"][rng.usize(..4)];
        json!({
            "customer_id": hex(rng, 26),
            "personal_information": {
                "salutation": format!("Dear {}", self.first),
                "gender": rng.u32(1..3),
                "first_name": self.first,
                "last_name": self.last,
                "pre_nominals": "",
                "post_nominals": "",
                "birthdate": format!("19{}-0{}-1{}", rng.u32(50..99), rng.u32(1..9), rng.u32(0..9)),
                "email": self.email,
                "phone": self.phone_digits,
                "language_id": language,
                "store_id": hex(rng, 12),
                "photo_url": "",
                "address": {"address1": "Vodičkova 12", "zip": "11000", "city": CITIES[rng.usize(..CITIES.len())], "country_code": "cz"},
                "consents": [{"consent_id": hex(rng, 26), "consent_value": rng.u32(0..2), "last_change": local(self.created)}],
            },
            "doi_email": rng.bool(),
            "doi_phone": rng.bool(),
            "last_change": local(self.updated),
            "state": if self.index % 11 == 5 { 2 } else { 1 },
        })
    }

    fn botpenguin(&self, rng: &mut fastrand::Rng) -> Value {
        let ms = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        json!({
            "_id": hex(rng, 24),
            "name": self.name(),
            "contact": {"email": self.email},
            "verified": rng.bool(),
            "status": if self.index % 9 == 4 { "INACTIVE" } else { "ACTIVE" },
            "subscriptionType": "v2",
            "createdAt": ms(self.created),
            "updatedAt": ms(self.updated),
            "lastLogin": ms(self.updated),
        })
    }

    fn gleantap(&self, rng: &mut fastrand::Rng) -> Value {
        json!({
            "id": hex(rng, 24),
            "firstname": self.first,
            "lastname": self.last,
            "email": self.email,
            "phone": format!("+{}", self.phone_digits),
            "last_location": CITIES[rng.usize(..CITIES.len())],
            "email_optout": rng.u32(0..2),
            "sms_optout": rng.u32(0..2),
            "created_date": self.created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        })
    }

    fn helpcrunch(&self, rng: &mut fastrand::Rng) -> Value {
        let seen = self.created.timestamp();
        let last = self.updated.timestamp();
        // The vendor's pages disagree on these types; the fake serves all of them.
        let (first_seen, last_seen) = match self.index % 3 {
            0 => (Value::from(seen.to_string()), Value::from(last.to_string())),
            1 => (Value::from(seen), Value::from(last)),
            _ => (Value::from(seen.to_string()), Value::Null),
        };
        let custom_data = if self.index.is_multiple_of(4) {
            json!([{"property": "plan", "value": "pro"}, {"property": "seats", "value": rng.u32(1..50)}])
        } else {
            json!({"plan": "basic", "number_of_payments": rng.u32(0..40)})
        };
        json!({
            "id": 100_000 + self.index,
            "name": self.name(),
            "email": self.email,
            "userId": format!("user-{}", self.index),
            "company": "Example Inc.",
            "phone": format!("+{}", self.phone_digits),
            "firstSeen": first_seen,
            "lastSeen": last_seen,
            "location": {"regionCode": null, "countryCode": "CZ", "city": CITIES[rng.usize(..CITIES.len())]},
            "unsubscribed": rng.bool(),
            "blocked": false,
            "locale": "cs",
            "tags": [{"name": "fake", "color": "#00aa00"}],
            "customData": custom_data,
        })
    }
}
