//! A [`Customer`] as one JSON object, written by hand: byte for byte what serde_json makes
//! of it (a test compares the two), at a fraction of the cost. An export writes hundreds of
//! thousands of these; serde escapes every key and formats every time through `fmt`, this
//! writes keys as constants, plain strings without a second pass, and times digit by digit.

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::Customer;

/// Appends `customer` as JSON to `out`.
pub(crate) fn write_customer(customer: &Customer, out: &mut Vec<u8>) {
    // Destructured so that a new field of `Customer` fails to compile here.
    let Customer {
        vendor,
        id,
        external_id,
        name,
        first_name,
        last_name,
        email,
        phone,
        status,
        created_at,
        updated_at,
        last_seen_at,
        email_opt_out,
        sms_opt_out,
        tags,
        language,
        avatar_url,
        raw,
    } = customer;
    out.extend_from_slice(b"{\"vendor\":");
    string(out, vendor.as_str());
    out.extend_from_slice(b",\"id\":");
    string(out, id);
    for (key, value) in [
        (&b",\"external_id\":"[..], external_id),
        (b",\"name\":", name),
        (b",\"first_name\":", first_name),
        (b",\"last_name\":", last_name),
        (b",\"email\":", email),
        (b",\"phone\":", phone),
    ] {
        out.extend_from_slice(key);
        optional_string(out, value.as_deref());
    }
    out.extend_from_slice(b",\"status\":");
    optional_string(out, status.as_ref().map(|s| s.as_str()));
    for (key, value) in [
        (&b",\"created_at\":"[..], created_at),
        (b",\"updated_at\":", updated_at),
        (b",\"last_seen_at\":", last_seen_at),
    ] {
        out.extend_from_slice(key);
        match value {
            Some(time) => timestamp(out, time),
            None => out.extend_from_slice(b"null"),
        }
    }
    for (key, value) in [
        (&b",\"email_opt_out\":"[..], email_opt_out),
        (b",\"sms_opt_out\":", sms_opt_out),
    ] {
        out.extend_from_slice(key);
        out.extend_from_slice(match value {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"null",
        });
    }
    out.extend_from_slice(b",\"tags\":[");
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, tag);
    }
    out.extend_from_slice(b"],\"language\":");
    optional_string(out, language.as_deref());
    out.extend_from_slice(b",\"avatar_url\":");
    optional_string(out, avatar_url.as_deref());
    out.extend_from_slice(b",\"raw\":");
    out.extend_from_slice(raw.get().as_bytes());
    out.push(b'}');
}

fn optional_string(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(value) => string(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON string: copied as is when nothing in it needs escaping, else serde_json escapes it.
fn string(out: &mut Vec<u8>, value: &str) {
    // A fold without an early exit, which the compiler turns into wide compares: `all`
    // went byte by byte, and this was 9% of a Hoko export's work.
    let plain = !value.bytes().fold(false, |escape, b| {
        escape | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.push(b'"');
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    } else {
        // Writing a `str` into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, value);
    }
}

/// As chrono serializes a `DateTime<Utc>` (RFC 3339, `Z`, fractions of 0, 3, 6 or 9
/// digits), by hand for years 0 to 9999; chrono itself for the rest and leap seconds.
fn timestamp(out: &mut Vec<u8>, time: &DateTime<Utc>) {
    // Converted once: each accessor of a `DateTime<Utc>` converts it again.
    let naive = time.naive_utc();
    let (year, nanos) = (naive.year(), naive.nanosecond());
    let Ok(year) = u32::try_from(year) else {
        let _ = serde_json::to_writer(&mut *out, time);
        return;
    };
    if year > 9999 || nanos >= 1_000_000_000 {
        let _ = serde_json::to_writer(&mut *out, time);
        return;
    }
    let time = naive;
    out.push(b'"');
    digits(out, year, 4);
    out.push(b'-');
    digits(out, time.month(), 2);
    out.push(b'-');
    digits(out, time.day(), 2);
    out.push(b'T');
    digits(out, time.hour(), 2);
    out.push(b':');
    digits(out, time.minute(), 2);
    out.push(b':');
    digits(out, time.second(), 2);
    if nanos != 0 {
        out.push(b'.');
        if nanos % 1_000_000 == 0 {
            digits(out, nanos / 1_000_000, 3);
        } else if nanos % 1_000 == 0 {
            digits(out, nanos / 1_000, 6);
        } else {
            digits(out, nanos, 9);
        }
    }
    out.extend_from_slice(b"Z\"");
}

/// `value` in decimal, zero-padded to `width` digits (`value` has at most that many).
fn digits(out: &mut Vec<u8>, value: u32, width: usize) {
    let mut buffer = [b'0'; 10];
    let mut rest = value;
    for slot in buffer[..width].iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.extend_from_slice(&buffer[..width]);
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::{Raw, Status, Vendor};

    fn by_hand(customer: &Customer) -> String {
        let mut out = Vec::new();
        write_customer(customer, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn by_serde(customer: &Customer) -> String {
        serde_json::to_string(customer).unwrap_or_default()
    }

    #[test]
    fn every_field_is_written_as_serde_writes_it() {
        let raw = Raw::from_value(&serde_json::json!({"id": "a", "n": [1, 2.50], "s": "é\n"}));
        let mut customer = Customer::new(Vendor::HelpCrunch, "a\"b\\c".to_owned(), raw);
        assert_eq!(by_hand(&customer), by_serde(&customer), "the bare minimum");

        customer.external_id = Some("tab\there".to_owned());
        customer.name = Some("Jiří Novák 👋".to_owned());
        customer.first_name = Some("\u{1}control".to_owned());
        customer.last_name = Some(String::new());
        customer.email = Some("a@example.com".to_owned());
        customer.phone = Some("+420 123".to_owned());
        customer.status = Some(Status::Other("PENDING \"x\"".to_owned()));
        customer.email_opt_out = Some(true);
        customer.sms_opt_out = Some(false);
        customer.tags = vec!["x".to_owned(), "y\"".to_owned()];
        customer.language = Some("cs".to_owned());
        customer.avatar_url = Some("https://x/y?z=1&w=2".to_owned());
        let base = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 58).single();
        customer.created_at = base;
        customer.updated_at = base.map(|t| t + chrono::Duration::milliseconds(120));
        customer.last_seen_at = base.map(|t| t + chrono::Duration::microseconds(7));
        assert_eq!(by_hand(&customer), by_serde(&customer));

        for (year, nanos) in [
            (1, 1),
            (9999, 123_456_789),
            (10_000, 0),
            (-5, 0),
            (0, 5_000),
        ] {
            let time = Utc
                .with_ymd_and_hms(year, 1, 2, 3, 4, 5)
                .single()
                .map(|t| t + chrono::Duration::nanoseconds(nanos));
            customer.created_at = time;
            assert_eq!(by_hand(&customer), by_serde(&customer), "{time:?}");
        }
        customer.status = Some(Status::Active);
        customer.tags.clear();
        assert_eq!(by_hand(&customer), by_serde(&customer));
    }
}
