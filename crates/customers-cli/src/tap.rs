//! `customers tap`: a Singer tap (singer-io/getting-started's SPEC). `--discover` prints a
//! catalog of one stream per account; a run writes `SCHEMA`, then `RECORD`s page by page,
//! each page followed by a `STATE` whose bookmark lets a later run (`--state`) go on from the
//! next page, and a last `STATE` with the high-water mark once the sweep completes. Only
//! Singer messages go to stdout; drift, progress and errors go to stderr.

use std::io::Write;

use chrono::{SecondsFormat, Utc};
use customers::Customer;
use serde_json::{Value, json};

use crate::args::TapArgs;
use crate::exit::Failure;
use crate::extract::state::{self, Bookmark};
use crate::extract::{self, ReadError, Sink, catalog, config};
use crate::say::say;

/// `customers tap`.
pub async fn run(args: TapArgs) -> Result<(), Failure> {
    let config = config::load(&args.config)?;
    let stream = catalog::stream_name(&config.account);
    let mut out = crate::whole_lines::WholeLines::new(std::io::stdout());
    if args.discover {
        serde_json::to_writer_pretty(&mut out, &catalog::catalog(&config.account, config.vendor))
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    if let Some(path) = args.catalog.as_ref().or(args.properties.as_ref())
        && !catalog::selects(&extract::read_json(path, "catalog")?, &stream)?
    {
        say!(
            "{stream} is not selected in {}: nothing to read",
            path.display()
        );
        return Ok(());
    }
    let saved = match &args.state {
        Some(path) => state::bookmark(&extract::read_json(path, "state")?, &stream)?,
        None => Bookmark::default(),
    };
    let mut schema = json!({
        "type": "SCHEMA",
        "stream": stream,
        "schema": catalog::schema(),
        "key_properties": catalog::KEY,
    });
    if catalog::incremental(config.vendor) {
        schema["bookmark_properties"] = json!(["updated_at"]);
    }
    message(&mut out, &schema)?;
    let mut sink = Singer {
        out,
        stream: &stream,
        account: &config.account,
    };
    let result = extract::read(&config, args.client, saved, true, &mut sink).await;
    sink.out.flush()?;
    match result {
        Ok(()) => Ok(()),
        Err(ReadError::Vendor(err)) => Err(err.into()),
        Err(ReadError::Other(failure)) => Err(failure),
    }
}

/// Singer messages on stdout.
struct Singer<'a, W: Write> {
    out: W,
    stream: &'a str,
    account: &'a str,
}

impl<W: Write> Sink for Singer<'_, W> {
    fn records(&mut self, customers: &[Customer]) -> Result<(), Failure> {
        let extracted = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        let head = format!(
            "{{\"type\":\"RECORD\",\"stream\":{},\"time_extracted\":{},\"record\":",
            quote(self.stream),
            quote(&extracted)
        );
        for customer in customers {
            let record = extract::record_json(self.account, customer)?;
            writeln!(self.out, "{head}{record}}}")?;
        }
        Ok(())
    }

    fn state(&mut self, bookmark: &Bookmark, complete: bool) -> Result<(), Failure> {
        let value = state::value(self.stream, bookmark, !complete);
        message(&mut self.out, &json!({"type": "STATE", "value": value}))?;
        self.out.flush()?;
        Ok(())
    }
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// One Singer message, one line.
fn message(out: &mut impl Write, message: &Value) -> Result<(), Failure> {
    serde_json::to_writer(&mut *out, message).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}
