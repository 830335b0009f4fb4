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

/// Appends `customer`'s row of `account`, synced at `synced` (UTC text), to `out` in
/// PostgreSQL's `COPY` text format: [`COLUMNS`], then `first_synced_at` and
/// `last_synced_at`, tab-separated, one line.
pub(crate) fn copy_row(out: &mut String, account: &str, customer: &Customer, synced: &str) {
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
    let time = |t: &Option<DateTime<Utc>>| t.map(time_text);
    let flag = |b: &Option<bool>| b.map(|b| if b { "t" } else { "f" });
    // A list of strings always serializes.
    let tags = serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned());
    let (created_at, updated_at, last_seen_at) =
        (time(created_at), time(updated_at), time(last_seen_at));
    let fields: [Option<&str>; BINDS] = [
        Some(account),
        Some(vendor.as_str()),
        Some(id),
        external_id.as_deref(),
        name.as_deref(),
        first_name.as_deref(),
        last_name.as_deref(),
        email.as_deref(),
        phone.as_deref(),
        status.as_ref().map(|s| s.as_str()),
        created_at.as_deref(),
        updated_at.as_deref(),
        last_seen_at.as_deref(),
        flag(email_opt_out),
        flag(sms_opt_out),
        Some(&tags),
        language.as_deref(),
        avatar_url.as_deref(),
        Some(raw.get()),
        Some(synced),
        Some(synced),
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match field {
            None => out.push_str("\\N"),
            Some(text) => copy_escape(out, text),
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

/// Binds `customer`'s row of `account` to `query`, synced at `synced_at`.
pub(crate) fn bind<'q>(
    query: Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    account: &str,
    customer: &Customer,
    synced_at: DateTime<Utc>,
) -> Query<'q, Any, sqlx::any::AnyArguments<'q>> {
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
    let time = |t: &Option<DateTime<Utc>>| t.map(time_text);
    // A list of strings always serializes.
    let tags = serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned());
    let synced = time_text(synced_at);
    query
        .bind(account.to_owned())
        .bind(vendor.as_str().to_owned())
        .bind(id.clone())
        .bind(external_id.clone())
        .bind(name.clone())
        .bind(first_name.clone())
        .bind(last_name.clone())
        .bind(email.clone())
        .bind(phone.clone())
        .bind(status.as_ref().map(|s| s.as_str().to_owned()))
        .bind(time(created_at))
        .bind(time(updated_at))
        .bind(time(last_seen_at))
        .bind(*email_opt_out)
        .bind(*sms_opt_out)
        .bind(tags)
        .bind(language.clone())
        .bind(avatar_url.clone())
        .bind(raw.get().to_owned())
        .bind(synced.clone())
        .bind(synced)
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
