//! `customers airbyte`: an Airbyte source (docs.airbyte.com, "Airbyte Protocol"). `spec`,
//! `check --config`, `discover --config` and `read --config --catalog [--state]` write one
//! JSON message a line on stdout: `SPEC`, `CONNECTION_STATUS`, `CATALOG`, `RECORD`, per-stream
//! `STATE`, `LOG`, and `TRACE` errors whose `failure_type` is `config_error` when the
//! credentials or the config are wrong and `system_error` otherwise. The config is the tap's.

use std::io::Write;

use chrono::Utc;
use customers::{Credentials, Customer, ErrorKind, PageCursor, Query, Vendor};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::args::{AirbyteArgs, AirbyteCommand, ClientArgs};
use crate::exit::Failure;
use crate::extract::state::Bookmark;
use crate::extract::{self, ReadError, Sink, catalog, config};

/// `customers airbyte …`. A failure is written as a `TRACE` message and exits 1.
pub async fn run(args: AirbyteArgs) -> Result<(), Failure> {
    let mut out = crate::whole_lines::WholeLines::new(std::io::stdout());
    let result = match args.command {
        AirbyteCommand::Spec => message(&mut out, &json!({"type": "SPEC", "spec": spec()})),
        AirbyteCommand::Check(files) => check(&mut out, &files.config, files.client).await,
        AirbyteCommand::Discover(files) => discover(&mut out, &files.config),
        AirbyteCommand::Read(files) => read(&mut out, files).await,
    };
    let result = match result {
        Err(Error::Config(message)) => trace(&mut out, "config_error", &message),
        Err(Error::System(message)) => trace(&mut out, "system_error", &message),
        Ok(()) => Ok(()),
    };
    out.flush()?;
    result
}

/// Why a command failed, as Airbyte classes it.
enum Error {
    /// The config or the credentials are wrong: the user must fix them.
    Config(String),
    /// Anything else.
    System(String),
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure.code {
            2 => Error::Config(failure.message),
            _ => Error::System(failure.message),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::System(format!("cannot write the output: {err}"))
    }
}

impl From<customers::Error> for Error {
    fn from(err: customers::Error) -> Self {
        let config = matches!(
            err.kind(),
            ErrorKind::Unauthorized
                | ErrorKind::Forbidden { .. }
                | ErrorKind::Configuration
                | ErrorKind::InvalidQuery
        );
        let message = Failure::from(err).message;
        if config {
            Error::Config(message)
        } else {
            Error::System(message)
        }
    }
}

/// The connection specification: the tap's config as JSON Schema, credentials secret.
fn spec() -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert(
        "vendor".into(),
        json!({"type": "string", "title": "Vendor", "enum": Vendor::ALL.map(|v| v.as_str()), "order": 0}),
    );
    properties.insert(
        "base_url".into(),
        json!({"type": "string", "title": "Base URL", "description": "The vendor's server, if not its default (CareCloud: per tenant)"}),
    );
    properties.insert(
        "account".into(),
        json!({"type": "string", "title": "Account", "description": "The account's name in the records (default: the vendor's)"}),
    );
    properties.insert(
        "start_date".into(),
        json!({"type": "string", "format": "date-time", "title": "Start date", "description": "Where the first incremental read starts (Gleantap)"}),
    );
    for (name, title) in [
        ("page_size", "Customers per page"),
        ("rate_limit_per_minute", "Requests a minute"),
    ] {
        properties.insert(
            name.into(),
            json!({"type": "integer", "minimum": 1, "title": title}),
        );
    }
    properties.insert(
        "time_zone".into(),
        json!({"type": "string", "title": "Time zone", "description": "CareCloud's tenant time zone (IANA)"}),
    );
    for vendor in Vendor::ALL {
        for name in Credentials::variables(vendor)
            .iter()
            .flat_map(|set| set.iter())
        {
            properties.insert(
                name.to_lowercase(),
                json!({"type": "string", "airbyte_secret": true, "title": name, "description": format!("{vendor}'s credential (else read from the variable {name})")}),
            );
        }
        if let Some(name) = Credentials::base_url_variable(vendor) {
            properties.insert(
                name.to_lowercase(),
                json!({"type": "string", "title": name, "description": format!("{vendor}'s base URL (else read from the variable {name})")}),
            );
        }
    }
    json!({
        "documentationUrl": "https://github.com/customer-api-clients/customer-api-clients/blob/main/docs/airbyte.md",
        "connectionSpecification": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "Customers of Hoko, CareCloud, BotPenguin, Gleantap or HelpCrunch",
            "type": "object",
            "required": ["vendor"],
            "properties": properties,
        },
        "supportsIncremental": true,
        "supported_destination_sync_modes": ["overwrite", "append", "append_dedup"],
    })
}

/// One real request: the first page.
async fn check(
    out: &mut impl Write,
    path: &std::path::Path,
    mut flags: ClientArgs,
) -> Result<(), Error> {
    let config = config::load(path)?;
    // One customer is enough, where the vendor lets the page size be set.
    flags.page_size = flags
        .page_size
        .or(config.page_size)
        .or(customers::max_page_size(config.vendor).map(|_| 1));
    flags.time_zone = flags.time_zone.or(config.time_zone.clone());
    let client =
        config
            .target()?
            .client(&flags, None, std::sync::Arc::new(|_: &customers::Event| {}))?;
    let first = std::pin::pin!(client.pages(Query::default(), PageCursor::START))
        .next()
        .await;
    let status = match first {
        None | Some(Ok(_)) => json!({"status": "SUCCEEDED"}),
        Some(Err(err)) => json!({"status": "FAILED", "message": Failure::from(err).message}),
    };
    message(
        out,
        &json!({"type": "CONNECTION_STATUS", "connectionStatus": status}),
    )?;
    Ok(())
}

/// The account's stream as Airbyte describes one.
fn stream(account: &str, vendor: Vendor) -> Value {
    let incremental = catalog::incremental(vendor);
    let mut stream = json!({
        "name": catalog::stream_name(account),
        "json_schema": catalog::schema(),
        "supported_sync_modes": if incremental { json!(["full_refresh", "incremental"]) } else { json!(["full_refresh"]) },
        "source_defined_primary_key": catalog::KEY.map(|k| [k]),
        "is_resumable": true,
    });
    if incremental {
        stream["source_defined_cursor"] = json!(true);
        stream["default_cursor_field"] = json!(["updated_at"]);
    }
    stream
}

fn discover(out: &mut impl Write, path: &std::path::Path) -> Result<(), Error> {
    let config = config::load(path)?;
    let catalog = json!({"streams": [stream(&config.account, config.vendor)]});
    message(out, &json!({"type": "CATALOG", "catalog": catalog}))
}

async fn read(out: &mut impl Write, files: crate::args::AirbyteRead) -> Result<(), Error> {
    let config = config::load(&files.config)?;
    let name = catalog::stream_name(&config.account);
    let configured = extract::read_json(&files.catalog, "catalog")?;
    let Some(entry) = configured["streams"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["stream"]["name"] == name.as_str()))
    else {
        log(
            out,
            "WARN",
            &format!("{name} is not in the configured catalog: nothing to read"),
        )?;
        return Ok(());
    };
    let incremental = entry["sync_mode"] == "incremental";
    let mut saved = match &files.state {
        Some(path) => stream_state(&extract::read_json(path, "state")?, &name)?,
        None => Bookmark::default(),
    };
    if !incremental && saved.since.is_some() {
        // A full refresh cannot go on with a sweep of changes only: it starts over.
        saved = Bookmark::default();
    }
    let mode = entry["sync_mode"].as_str().unwrap_or("full_refresh");
    log(out, "INFO", &format!("reading {name} ({mode})"))?;
    let mut sink = Airbyte {
        out,
        stream: &name,
        account: &config.account,
        since_state: 0,
    };
    match extract::read(&config, files.client, saved, incremental, &mut sink).await {
        Ok(()) => Ok(()),
        Err(ReadError::Vendor(err)) => Err(err.into()),
        Err(ReadError::Other(failure)) => Err(failure.into()),
    }
}

/// The bookmark of `stream` in a `--state` file: per-stream state messages (a list), or the
/// older single object keyed by stream.
fn stream_state(state: &Value, stream: &str) -> Result<Bookmark, Failure> {
    let found = match state {
        Value::Array(messages) => messages
            .iter()
            .find(|m| m["stream"]["stream_descriptor"]["name"] == stream)
            .map(|m| m["stream"]["stream_state"].clone()),
        Value::Object(_) => state.get(stream).cloned(),
        _ => None,
    };
    match found {
        None | Some(Value::Null) => Ok(Bookmark::default()),
        Some(value) => serde_json::from_value(value)
            .map_err(|err| Failure::usage(format!("the state of {stream} cannot be read: {err}"))),
    }
}

/// Airbyte messages on stdout.
struct Airbyte<'a, W: Write> {
    out: &'a mut W,
    stream: &'a str,
    account: &'a str,
    /// Records since the last state, for its `sourceStats`.
    since_state: u64,
}

impl<W: Write> Sink for Airbyte<'_, W> {
    fn records(&mut self, customers: &[Customer]) -> Result<(), Failure> {
        let emitted = Utc::now().timestamp_millis();
        let stream = serde_json::to_string(self.stream).map_err(std::io::Error::from)?;
        for customer in customers {
            let data = extract::record_json(self.account, customer)?;
            writeln!(
                self.out,
                "{{\"type\":\"RECORD\",\"record\":{{\"stream\":{stream},\"data\":{data},\"emitted_at\":{emitted}}}}}"
            )?;
        }
        self.since_state += customers.len() as u64;
        Ok(())
    }

    fn state(&mut self, bookmark: &Bookmark, _complete: bool) -> Result<(), Failure> {
        let state = json!({
            "type": "STATE",
            "state": {
                "type": "STREAM",
                "stream": {
                    "stream_descriptor": {"name": self.stream},
                    "stream_state": bookmark,
                },
                "sourceStats": {"recordCount": self.since_state as f64},
            },
        });
        self.since_state = 0;
        message(self.out, &state).map_err(|_| Failure::output("cannot write the output"))?;
        self.out.flush()?;
        Ok(())
    }
}

fn log(out: &mut impl Write, level: &str, text: &str) -> Result<(), Error> {
    message(
        out,
        &json!({"type": "LOG", "log": {"level": level, "message": text}}),
    )
}

/// An error as a `TRACE` message; the command then exits 1.
fn trace(out: &mut impl Write, failure_type: &str, text: &str) -> Result<(), Failure> {
    let trace = json!({
        "type": "TRACE",
        "trace": {
            "type": "ERROR",
            "emitted_at": Utc::now().timestamp_millis() as f64,
            "error": {"message": text, "failure_type": failure_type},
        },
    });
    message(out, &trace).map_err(|_| Failure::output("cannot write the output"))?;
    Err(Failure::vendor(text.to_owned()))
}

/// One message, one line.
fn message(out: &mut impl Write, message: &Value) -> Result<(), Error> {
    serde_json::to_writer(&mut *out, message).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}
