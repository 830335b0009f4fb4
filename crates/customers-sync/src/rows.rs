//! A customer as a row: its columns, bound to a statement (SQLite) or as `COPY`'s binary
//! format (PostgreSQL), and the upsert's conflict rule both share.

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use customers::Customer;
use sqlx::Any;
use sqlx::query::Query;

use crate::time_text;

/// The columns written from a [`Customer`], in bind order; `first_synced_at` and
/// `last_synced_at` follow them.
pub(crate) const COLUMNS: [&str; 19] = [
    "account",
    "vendor",
    "id",
    "external_id",
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "status",
    "created_at",
    "updated_at",
    "last_seen_at",
    "email_opt_out",
    "sms_opt_out",
    "tags",
    "language",
    "avatar_url",
    "raw",
];

/// Every column a page writes ([`COLUMNS`], then `first_synced_at` and `last_synced_at`),
/// comma-separated, as an `INSERT`'s or a `COPY`'s column list.
pub(crate) fn column_list() -> String {
    COLUMNS
        .iter()
        .chain(&["first_synced_at", "last_synced_at"])
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds per row: the columns, then `first_synced_at` and `last_synced_at`.
const BINDS: usize = COLUMNS.len() + 2;

/// Rows per statement: few enough for SQLite's bind limit, many enough to save hand-offs to
/// its thread.
pub(crate) const CHUNK: usize = 200;

/// [`stage_sql`], built once for a full chunk (all but a page's last): building it for every
/// chunk was 5% of a sync's instructions.
pub(crate) fn stage_sql_for(rows: usize) -> Cow<'static, str> {
    static FULL: OnceLock<String> = OnceLock::new();
    if rows != CHUNK {
        return Cow::Owned(stage_sql(rows));
    }
    Cow::Borrowed(FULL.get_or_init(|| stage_sql(CHUNK)))
}

/// A multi-row `INSERT` of `rows` customers into SQLite's staging table, with anonymous
/// `?` placeholders: looking a numbered one up costs SQLite time in proportion to the
/// statement's parameters, which made a 4,000-parameter statement spend 80% of a sync there.
fn stage_sql(rows: usize) -> String {
    let row = format!("({})", vec!["?"; BINDS].join(", "));
    format!(
        "INSERT INTO temp.sync_page ({}) VALUES {}",
        column_list(),
        vec![row.as_str(); rows].join(", ")
    )
}

/// The upsert's tail: a row already there keeps its key, vendor and `first_synced_at`, takes
/// every other value, and is no longer deleted.
pub(crate) fn on_conflict() -> String {
    let updates: Vec<String> = COLUMNS[3..]
        .iter()
        .chain(&["last_synced_at"])
        .map(|column| format!("{column} = excluded.{column}"))
        .chain(["deleted_at = NULL".to_owned()])
        .collect();
    format!(
        " ON CONFLICT (account, id) DO UPDATE SET {}",
        updates.join(", ")
    )
}

/// When a page was synced: the time, and its text made once for the page's rows.
pub(crate) struct Synced {
    /// The time.
    pub(crate) at: DateTime<Utc>,
    /// [`time_text`] of it.
    pub(crate) text: String,
}

impl Synced {
    /// `at`, with its text.
    pub(crate) fn new(at: DateTime<Utc>) -> Self {
        Synced {
            at,
            text: time_text(at),
        }
    }
}

/// One column's value of a row.
pub(crate) enum Field<'a> {
    /// SQL `NULL`.
    Null,
    /// Text (JSON as text in a `json` column).
    Text(Cow<'a, str>),
    /// A time, and its text where made already.
    Time(DateTime<Utc>, Option<&'a str>),
    /// A boolean.
    Flag(bool),
    /// JSON text for a `jsonb` column (text elsewhere).
    Jsonb(Cow<'a, str>),
}

impl Field<'_> {
    /// The value as SQLite binds it (times as [`time_text`]); `None` for a flag or `NULL`.
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Field::Text(text) | Field::Jsonb(text) => Some(Cow::Borrowed(text.as_ref())),
            Field::Time(_, Some(text)) => Some(Cow::Borrowed(text)),
            Field::Time(time, None) => Some(Cow::Owned(time_text(*time))),
            Field::Null | Field::Flag(_) => None,
        }
    }
}

impl<'a> From<Option<&'a str>> for Field<'a> {
    fn from(text: Option<&'a str>) -> Self {
        text.map_or(Field::Null, |t| Field::Text(Cow::Borrowed(t)))
    }
}

/// `customer`'s row of `account`, synced at `synced`: [`COLUMNS`], then `first_synced_at`
/// and `last_synced_at`. Every backend writes these values.
pub(crate) fn fields<'a>(
    account: &'a str,
    customer: &'a Customer,
    synced: &'a Synced,
) -> [Field<'a>; BINDS] {
    // Destructured so that a new field of `Customer` fails to compile until it has a column.
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
    let time = |t: &Option<DateTime<Utc>>| t.map_or(Field::Null, |t| Field::Time(t, None));
    let flag = |b: &Option<bool>| b.map_or(Field::Null, Field::Flag);
    // A list of strings always serializes.
    let tags = if tags.is_empty() {
        Cow::Borrowed("[]")
    } else {
        Cow::Owned(serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned()))
    };
    let synced = || Field::Time(synced.at, Some(synced.text.as_str()));
    [
        Some(account).into(),
        Some(vendor.as_str()).into(),
        Some(id.as_str()).into(),
        external_id.as_deref().into(),
        name.as_deref().into(),
        first_name.as_deref().into(),
        last_name.as_deref().into(),
        email.as_deref().into(),
        phone.as_deref().into(),
        status.as_ref().map(|s| s.as_str()).into(),
        time(created_at),
        time(updated_at),
        time(last_seen_at),
        flag(email_opt_out),
        flag(sms_opt_out),
        Field::Jsonb(tags),
        language.as_deref().into(),
        avatar_url.as_deref().into(),
        Some(raw.get()).into(),
        synced(),
        synced(),
    ]
}

/// The start of a `COPY … WITH (FORMAT binary)` stream: signature, flags, no extension.
pub(crate) const COPY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// The end of a binary `COPY` stream: a row of -1 fields.
pub(crate) const COPY_TRAILER: &[u8] = &(-1_i16).to_be_bytes();

/// PostgreSQL's epoch (2000-01-01) in Unix microseconds: binary times count from it.
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// Appends `customer`'s row of `account`, synced at `synced`, to `out` in `COPY`'s binary
/// format: the server reads times and flags as they are, where from text it parsed three
/// times a row (a sixth of its time on a first load). A value the server cannot hold is
/// mended (see [`postgres_text`], [`postgres_micros`]) rather than fail the page.
pub(crate) fn copy_row(out: &mut Vec<u8>, account: &str, customer: &Customer, synced: &Synced) {
    let fields = fields(account, customer, synced);
    // 21 columns always fit an i16.
    out.extend_from_slice(&(fields.len() as i16).to_be_bytes());
    for (field, column) in fields.iter().zip(COLUMNS.iter().chain(&SYNCED_COLUMNS)) {
        let surprise = |what: &str| {
            tracing::warn!(
                vendor = %customer.vendor,
                id = %customer.id,
                column,
                "{what}; raw keeps the vendor's value"
            );
        };
        match field {
            Field::Null => out.extend_from_slice(&(-1_i32).to_be_bytes()),
            Field::Text(text) => {
                copy_bytes(out, &[], postgres_text(text, surprise).as_bytes());
            }
            // jsonb's binary input: a version byte, then the text.
            Field::Jsonb(text) => {
                copy_bytes(out, &[1], postgres_json(text, surprise).as_bytes());
            }
            Field::Flag(flag) => copy_bytes(out, &[], &[u8::from(*flag)]),
            Field::Time(time, _) => match postgres_micros(*time) {
                Some(micros) => copy_bytes(out, &[], &micros.to_be_bytes()),
                None => {
                    surprise("a time before 4713 BC, which PostgreSQL cannot hold, left empty");
                    out.extend_from_slice(&(-1_i32).to_be_bytes());
                }
            },
        }
    }
}

/// The columns after [`COLUMNS`] in a row.
const SYNCED_COLUMNS: [&str; 2] = ["first_synced_at", "last_synced_at"];

/// `text` as PostgreSQL can hold it: its text type cannot hold U+0000, so each is replaced by
/// U+FFFD (and `surprise` told), where failing would stop the sync at this customer.
fn postgres_text<'t>(text: &'t str, surprise: impl Fn(&str)) -> Cow<'t, str> {
    if !text.contains('\0') {
        return Cow::Borrowed(text);
    }
    surprise("a NUL character, which PostgreSQL text cannot hold, written as U+FFFD");
    Cow::Owned(text.replace('\0', "\u{fffd}"))
}

/// JSON text as `jsonb` takes it: `jsonb` refuses the escape `\u0000`, so each NUL in a
/// string is replaced by U+FFFD (and `surprise` told).
fn postgres_json<'t>(text: &'t str, surprise: impl Fn(&str)) -> Cow<'t, str> {
    if !text.contains("\\u0000") {
        return Cow::Borrowed(text);
    }
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Cow::Borrowed(text);
    };
    fn mend(value: &mut serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) if s.contains('\0') => {
                *s = s.replace('\0', "\u{fffd}");
                true
            }
            serde_json::Value::Array(items) => items.iter_mut().fold(false, |m, v| mend(v) | m),
            serde_json::Value::Object(map) => map.values_mut().fold(false, |m, v| mend(v) | m),
            _ => false,
        }
    }
    if !mend(&mut value) {
        // Only an escaped backslash before `u0000`: the server takes it as it is.
        return Cow::Borrowed(text);
    }
    surprise("a NUL character, which PostgreSQL jsonb cannot hold, written as U+FFFD");
    Cow::Owned(value.to_string())
}

/// PostgreSQL's earliest time, 4714-11-24 BC, in microseconds from its epoch; its latest is
/// beyond chrono's range.
const POSTGRES_MIN_MICROS: i64 = -211_813_488_000_000_000;

/// `time` in microseconds from PostgreSQL's epoch, or `None` before the earliest it holds.
fn postgres_micros(time: DateTime<Utc>) -> Option<i64> {
    // chrono's range (about ±262,000 years) fits i64 microseconds.
    let micros = time
        .timestamp_micros()
        .saturating_sub(POSTGRES_EPOCH_MICROS);
    (micros >= POSTGRES_MIN_MICROS).then_some(micros)
}

/// One binary `COPY` field: its length, then `prefix` and `bytes`. A field past 2 GiB (no
/// response could carry one) is cut there, so that the stream stays whole and the server
/// refuses the field (it holds at most 1 GiB) with its own error.
fn copy_bytes(out: &mut Vec<u8>, prefix: &[u8], bytes: &[u8]) {
    let length = i32::try_from(prefix.len() + bytes.len()).unwrap_or(i32::MAX);
    let kept = usize::try_from(length)
        .unwrap_or(0)
        .saturating_sub(prefix.len());
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(prefix);
    out.extend_from_slice(&bytes[..kept.min(bytes.len())]);
}

/// Binds `customer`'s row of `account`, synced at `synced`, to `query`.
pub(crate) fn bind<'q>(
    query: Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    account: &str,
    customer: &Customer,
    synced: &Synced,
) -> Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    fields(account, customer, synced)
        .iter()
        .fold(query, |query, field| match (field, field.text()) {
            (Field::Flag(flag), _) => query.bind(*flag),
            (_, Some(text)) => query.bind(text.into_owned()),
            (_, None) => query.bind(None::<String>),
        })
}

/// Binds `customer`'s row of `account`, synced at `synced`, to `statement`'s parameters 1
/// to [`BINDS`].
pub(crate) fn bind_sqlite(
    statement: &mut rusqlite::Statement<'_>,
    account: &str,
    customer: &Customer,
    synced: &Synced,
) -> rusqlite::Result<()> {
    for (i, field) in fields(account, customer, synced).iter().enumerate() {
        let index = i + 1;
        match (field, field.text()) {
            (Field::Flag(flag), _) => statement.raw_bind_parameter(index, flag)?,
            (_, Some(text)) => statement.raw_bind_parameter(index, text.as_ref())?,
            (_, None) => statement.raw_bind_parameter(index, rusqlite::types::Null)?,
        }
    }
    Ok(())
}

/// The upsert of one row into `customers` that leaves a row alone when it holds the same
/// values and is not deleted: then the caller only moves its `last_synced_at`
/// ([`touch_sql`]). SQLite rewrites an index for each of its columns an `UPDATE` sets,
/// equal or not; a resync of unchanged customers rewrote the email and phone indexes.
pub(crate) fn upsert_one_sql() -> String {
    let compared = &COLUMNS[3..];
    let theirs: Vec<String> = compared.iter().map(|c| format!("customers.{c}")).collect();
    let ours: Vec<String> = compared.iter().map(|c| format!("excluded.{c}")).collect();
    format!(
        "{}{} WHERE ({}) IS NOT ({}) OR customers.deleted_at IS NOT NULL",
        insert_one_sql(),
        on_conflict(),
        theirs.join(", "),
        ours.join(", ")
    )
}

/// The plain insert of one row into `customers`, for a first load while the table has no key
/// to meet (`primary_key.rs`), binding as [`upsert_one_sql`] does.
pub(crate) fn insert_one_sql() -> String {
    format!(
        "INSERT INTO customers ({}) VALUES ({})",
        column_list(),
        vec!["?"; BINDS].join(", ")
    )
}

/// Moves an unchanged row's `last_synced_at` (`?1`); `?2`, `?3`: its account and id.
pub(crate) const TOUCH: &str =
    "UPDATE customers SET last_synced_at = ?1 WHERE account = ?2 AND id = ?3";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use customers::{Raw, Vendor};

    #[test]
    fn a_binary_copy_row_is_its_fields_lengths_and_bytes() {
        let mut customer = Customer::new(Vendor::Hoko, "c1".to_owned(), Raw::null());
        customer.email = Some("a\tb@example.com".to_owned());
        customer.created_at = Utc.timestamp_opt(946_684_801, 500_000).single();
        customer.email_opt_out = Some(true);
        let synced = Synced::new(Utc.timestamp_opt(946_684_800, 0).single().expect("a time"));
        let mut out = Vec::new();
        copy_row(&mut out, "acct", &customer, &synced);
        let mut expected = 21_i16.to_be_bytes().to_vec();
        let mut field = |bytes: Option<&[u8]>| match bytes {
            None => expected.extend((-1_i32).to_be_bytes()),
            Some(bytes) => {
                expected.extend((bytes.len() as i32).to_be_bytes());
                expected.extend(bytes);
            }
        };
        field(Some(b"acct"));
        field(Some(b"hoko"));
        field(Some(b"c1"));
        for _ in 0..4 {
            field(None);
        }
        field(Some(b"a\tb@example.com"));
        field(None);
        field(None);
        field(Some(&1_000_500_i64.to_be_bytes()));
        field(None);
        field(None);
        field(Some(&[1]));
        field(None);
        field(Some(b"\x01[]"));
        field(None);
        field(None);
        field(Some(b"null"));
        field(Some(&0_i64.to_be_bytes()));
        field(Some(&0_i64.to_be_bytes()));
        assert_eq!(out, expected);
        assert_eq!(COPY_HEADER.len(), 19, "signature, flags, extension length");
    }

    #[test]
    fn the_kept_statement_is_the_one_built_for_each_chunk() {
        for rows in [1, CHUNK - 1, CHUNK, CHUNK, CHUNK + 1] {
            let sql = stage_sql_for(rows);
            assert_eq!(sql, stage_sql(rows), "{rows} rows");
            assert_eq!(matches!(sql, Cow::Borrowed(_)), rows == CHUNK);
            assert_eq!(sql.matches('?').count(), rows * BINDS);
        }
    }
}
