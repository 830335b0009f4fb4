//! `customers tap`: a Singer tap (singer-io/getting-started's SPEC). `--discover` prints a
//! catalog of one stream per account; a run writes `SCHEMA`, then `RECORD`s page by page,
//! each page followed by a `STATE` whose bookmark lets a later run (`--state`) go on from the
//! next page, and a last `STATE` with the high-water mark once the sweep completes. Only
//! Singer messages go to stdout; drift, progress and errors go to stderr.

mod catalog;
mod config;
mod state;

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use customers::{Customer, PageCursor, Query};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::args::TapArgs;
use crate::exit::Failure;
use crate::list::report_drift;
use crate::progress::Progress;
use crate::say::say;
use state::Bookmark;

/// `customers tap`.
pub async fn run(args: TapArgs) -> Result<(), Failure> {
    let config = config::load(&args.config)?;
    let vendor = config.vendor;
    let stream = catalog::stream_name(&config.account);
    let mut out = std::io::BufWriter::new(std::io::stdout());
    if args.discover {
        serde_json::to_writer_pretty(&mut out, &catalog::catalog(&config.account, vendor))
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    if let Some(path) = args.catalog.as_ref().or(args.properties.as_ref())
        && !catalog::selects(&read_json(path, "catalog")?, &stream)?
    {
        say!(
            "{stream} is not selected in {}: nothing to read",
            path.display()
        );
        return Ok(());
    }
    let saved = match &args.state {
        Some(path) => state::bookmark(&read_json(path, "state")?, &stream)?,
        None => Bookmark::default(),
    };
    let mut flags = args.client;
    flags.page_size = flags.page_size.or(config.page_size);
    flags.rate_limit_per_minute = flags.rate_limit_per_minute.or(config.rate_limit_per_minute);
    flags.time_zone = flags.time_zone.or(config.time_zone.clone());
    let progress = Progress::labelled(&config.account, flags.quiet, None);
    let client = config.target()?.client(&flags, None, progress.observer())?;

    let incremental = catalog::incremental(vendor);
    let started = Utc::now();
    let (mut bookmark, from) = match saved.cursor {
        // A sweep under way goes on one page before its cursor, as a sync does: records the
        // vendor shifted back across the cut are read again (targets upsert on the key).
        Some(cursor) => (saved.clone(), client.page_before(cursor)),
        None => {
            let granularity =
                chrono::Duration::from_std(vendor.updated_since_granularity()).unwrap_or_default();
            let since = incremental
                .then(|| {
                    saved
                        .high_water
                        .map(|h| h - granularity)
                        .or(config.start_date)
                })
                .flatten();
            let bookmark = Bookmark {
                since,
                ..saved.clone()
            };
            (bookmark, PageCursor::START)
        }
    };
    let query = Query {
        updated_since: bookmark.since,
        ..Query::default()
    };
    let mut schema = json!({
        "type": "SCHEMA",
        "stream": stream,
        "schema": catalog::schema(),
        "key_properties": catalog::KEY,
    });
    if incremental {
        schema["bookmark_properties"] = json!(["updated_at"]);
    }
    message(&mut out, &schema)?;
    let mut pages = std::pin::pin!(client.pages_ahead(query, from));
    let mut failed = None;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                failed = Some(err);
                break;
            }
        };
        let extracted = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        for customer in &page.customers {
            record(&mut out, &stream, &config.account, customer, &extracted)?;
        }
        progress.records(page.customers.len() as u64);
        bookmark.sweep_high_water = page
            .customers
            .iter()
            .filter_map(|c| c.updated_at)
            .chain(bookmark.sweep_high_water)
            .max();
        bookmark.cursor = page.next;
        if page.next.is_some() {
            message(
                &mut out,
                &json!({"type": "STATE", "value": state::value(&stream, &bookmark, true)}),
            )?;
            out.flush()?;
        }
    }
    progress.finish();
    report_drift(&client.drift(), flags.drift_report.as_deref())?;
    if let Some(err) = failed {
        out.flush()?;
        return Err(err.into());
    }
    let done = Bookmark {
        cursor: None,
        since: None,
        high_water: complete_high_water(incremental, &bookmark, started),
        sweep_high_water: None,
    };
    message(
        &mut out,
        &json!({"type": "STATE", "value": state::value(&stream, &done, false)}),
    )?;
    out.flush()?;
    Ok(())
}

/// The mark a completed sweep leaves: for an incremental stream the latest change time it
/// read (or the earlier mark, or its start when records carry none); elsewhere its start.
fn complete_high_water(
    incremental: bool,
    bookmark: &Bookmark,
    started: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if !incremental {
        return Some(started);
    }
    bookmark
        .sweep_high_water
        .into_iter()
        .chain(bookmark.high_water)
        .max()
        .or(Some(started))
}

/// One Singer message, one line.
fn message(out: &mut impl Write, message: &Value) -> Result<(), Failure> {
    serde_json::to_writer(&mut *out, message).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A `RECORD` of `customer`: its common fields and `raw` as it serializes, with `account`
/// first. The customer is written as serde writes it (its `raw` byte for byte) rather than
/// rebuilt as a `Value`.
fn record(
    out: &mut impl Write,
    stream: &str,
    account: &str,
    customer: &Customer,
    extracted: &str,
) -> Result<(), Failure> {
    let fields = serde_json::to_string(customer).map_err(std::io::Error::from)?;
    let fields = fields.strip_prefix('{').unwrap_or(&fields);
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_default();
    writeln!(
        out,
        "{{\"type\":\"RECORD\",\"stream\":{},\"time_extracted\":{},\"record\":{{\"account\":{},{fields}}}",
        quote(stream),
        quote(extracted),
        quote(account),
    )?;
    Ok(())
}

/// The JSON of a `--state`, `--catalog` or `--properties` file.
fn read_json(path: &std::path::Path, what: &str) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Failure::usage(format!("cannot read the {what} {}: {err}", path.display()))
    })?;
    serde_json::from_str(&text)
        .map_err(|err| Failure::usage(format!("the {what} {} is not JSON: {err}", path.display())))
}
