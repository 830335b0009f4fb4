//! A customer as a row: its columns, bound to a statement (SQLite) or as `COPY` text
//! (PostgreSQL), and the upsert's conflict rule both share.

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

/// One column's value of a row.
pub(crate) enum Field<'a> {
    /// SQL `NULL`.
    Null,
    /// Text (a time as UTC text, JSON as text).
    Text(Cow<'a, str>),
    /// A boolean.
    Flag(bool),
}

impl<'a> From<Option<&'a str>> for Field<'a> {
    fn from(text: Option<&'a str>) -> Self {
        text.map_or(Field::Null, |t| Field::Text(Cow::Borrowed(t)))
    }
}

/// `customer`'s row of `account`, synced at `synced` (UTC text): [`COLUMNS`], then
/// `first_synced_at` and `last_synced_at`. Every backend writes these values.
pub(crate) fn fields<'a>(
    account: &'a str,
    customer: &'a Customer,
    synced: &'a str,
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
    let time = |t: &Option<DateTime<Utc>>| {
        t.map_or(Field::Null, |t| Field::Text(Cow::Owned(time_text(t))))
    };
    let flag = |b: &Option<bool>| b.map_or(Field::Null, Field::Flag);
    // A list of strings always serializes.
    let tags = if tags.is_empty() {
        Cow::Borrowed("[]")
    } else {
        Cow::Owned(serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned()))
    };
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
        Field::Text(tags),
        language.as_deref().into(),
        avatar_url.as_deref().into(),
        Some(raw.get()).into(),
        Some(synced).into(),
        Some(synced).into(),
    ]
}

/// Appends `customer`'s row of `account`, synced at `synced` (UTC text), to `out` in
/// PostgreSQL's `COPY` text format: tab-separated [`fields`], one line.
pub(crate) fn copy_row(out: &mut String, account: &str, customer: &Customer, synced: &str) {
    for (i, field) in fields(account, customer, synced).iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match field {
            Field::Null => out.push_str("\\N"),
            Field::Text(text) => copy_escape(out, text),
            Field::Flag(flag) => out.push(if *flag { 't' } else { 'f' }),
        }
    }
    out.push('\n');
}

/// `text` as a `COPY` text-format field: backslash, tab, newline and carriage return
/// escaped.
fn copy_escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Binds `customer`'s row of `account`, synced at `synced` (UTC text), to `query`.
pub(crate) fn bind<'q>(
    query: Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    account: &str,
    customer: &Customer,
    synced: &str,
) -> Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    fields(account, customer, synced)
        .into_iter()
        .fold(query, |query, field| match field {
            Field::Null => query.bind(None::<String>),
            Field::Text(text) => query.bind(text.into_owned()),
            Field::Flag(flag) => query.bind(flag),
        })
}

/// Binds `customer`'s row of `account`, synced at `synced` (UTC text), to `statement`'s
/// parameters 1 to [`BINDS`].
pub(crate) fn bind_sqlite(
    statement: &mut rusqlite::Statement<'_>,
    account: &str,
    customer: &Customer,
    synced: &str,
) -> rusqlite::Result<()> {
    for (i, field) in fields(account, customer, synced).iter().enumerate() {
        let index = i + 1;
        match field {
            Field::Null => statement.raw_bind_parameter(index, rusqlite::types::Null)?,
            Field::Text(text) => statement.raw_bind_parameter(index, text.as_ref())?,
            Field::Flag(flag) => statement.raw_bind_parameter(index, flag)?,
        }
    }
    Ok(())
}

/// The upsert of one row into `customers`.
pub(crate) fn upsert_one_sql() -> String {
    format!(
        "INSERT INTO customers ({}) VALUES ({}){}",
        column_list(),
        vec!["?"; BINDS].join(", "),
        on_conflict()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_escape_what_copy_reads_as_syntax() {
        let mut out = String::new();
        copy_escape(&mut out, "a\tb\nc\\d\re é");
        assert_eq!(out, "a\\tb\\nc\\\\d\\re é");
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
