//! The command line.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use customers::Vendor;

use crate::config;

/// List or sync customers of Hoko, CareCloud, BotPenguin, Gleantap or HelpCrunch in one
/// common model, find one person across them, or serve a local fake of one of them.
#[derive(Parser)]
#[command(name = "customers", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log requests, pages, waits and retries on stderr with timestamps: -v for pages,
    /// waits and retries, -vv for every request too. RUST_LOG overrides it
    /// (pages are logged by `customers`, requests, waits and retries by `client_runtime`).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// How log lines look.
    #[arg(
        long,
        value_enum,
        default_value_t = LogFormat::Text,
        env = "CUSTOMERS_LOG_FORMAT",
        global = true
    )]
    pub log_format: LogFormat,
}

/// How log lines look.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum LogFormat {
    /// For people: time, level, message, fields.
    Text,
    /// One JSON object per line, for machines.
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Write a vendor's customers to stdout. Credentials come from environment variables
    /// (listed below).
    List(ListArgs),
    /// Look one customer up by the vendor's id.
    Get(GetArgs),
    /// Upsert a vendor's customers into a database (SQLite by default), resuming an
    /// interrupted sync, only what changed where the vendor allows it, deletions marked.
    Sync(SyncArgs),
    /// Group the synced customers of all vendors who are the same person (same email or
    /// phone number).
    People(PeopleArgs),
    /// A Singer tap: `--discover` prints the catalog; a run writes SCHEMA, RECORD and STATE
    /// messages to stdout for a Singer target (`customers tap --config tap.json |
    /// target-jsonl`).
    Tap(TapArgs),
    /// An Airbyte source: `spec`, `check`, `discover`, `read`, one JSON message a line on
    /// stdout (also installed as `source-customers`).
    Airbyte(AirbyteArgs),
    /// Serve a fake of a vendor on 127.0.0.1; the first line of stdout is its base URL.
    Mock(MockArgs),
    /// Try the whole chain without an account: start a fake and list it.
    Demo(DemoArgs),
    /// Print a shell completion script, e.g. `customers completions bash >
    /// ~/.local/share/bash-completion/completions/customers`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `customers man > customers.1`.
    Man,
}

/// A vendor on the command line: any name of the facade's registry.
#[derive(Clone, Copy)]
pub struct VendorArg(pub Vendor);

static VENDOR_ARGS: LazyLock<Vec<VendorArg>> =
    LazyLock::new(|| Vendor::ALL.into_iter().map(VendorArg).collect());

impl ValueEnum for VendorArg {
    fn value_variants<'a>() -> &'a [Self] {
        &VENDOR_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()))
    }
}

impl std::fmt::Display for VendorArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<VendorArg> for Vendor {
    fn from(arg: VendorArg) -> Vendor {
        arg.0
    }
}

/// Output format.
#[derive(Clone, Copy, Default, ValueEnum, PartialEq, Eq, Debug)]
pub enum Format {
    /// One JSON `Customer` per line, `raw` included.
    #[default]
    Jsonl,
    /// One JSON array.
    Json,
    /// CSV with a header row; tags joined by `;`, `raw` as JSON text.
    Csv,
    /// An aligned table of the main fields, for reading.
    Table,
}

/// Sort order.
#[derive(Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// Oldest first.
    Asc,
    /// Newest first.
    Desc,
}

/// How to talk to the vendor: shared by every command that lists.
#[derive(Args, Clone)]
pub struct ClientArgs {
    /// Customers per page (default: the largest the vendor allows, or --max if smaller).
    #[arg(long, value_name = "N", env = "CUSTOMERS_PAGE_SIZE")]
    pub page_size: Option<u32>,
    /// Fail after N pages if the vendor still announces more (a server that never ends).
    #[arg(long, value_name = "N")]
    pub max_pages: Option<u32>,
    /// CareCloud tenant's time zone (IANA name), for its offset-less timestamps.
    #[arg(long, value_name = "ZONE", env = "CUSTOMERS_TIME_ZONE")]
    pub time_zone: Option<String>,
    /// Client-side limit of requests per minute (default: the vendor's documented limit;
    /// 0: no limit).
    #[arg(long, value_name = "R", env = "CUSTOMERS_RATE_LIMIT_PER_MINUTE")]
    pub rate_limit_per_minute: Option<u32>,
    /// Seconds the vendor counts its rate limit over: the client learns how many requests
    /// the vendor accepts in that window from its 429s.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60.0,
        value_parser = positive_seconds,
        env = "CUSTOMERS_RATE_LIMIT_WINDOW"
    )]
    pub rate_limit_window: f64,
    /// Seconds a response may send nothing before the attempt times out (it is retried).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30.0,
        value_parser = positive_seconds,
        env = "CUSTOMERS_IDLE_TIMEOUT"
    )]
    pub idle_timeout: f64,
    /// Longest one attempt may take in all, in seconds (default: no total; the idle timeout
    /// still applies).
    #[arg(long, value_name = "SECONDS", value_parser = positive_seconds, env = "CUSTOMERS_ATTEMPT_TIMEOUT")]
    pub attempt_timeout: Option<f64>,
    /// An extra header on every request, `NAME: VALUE` (repeatable); never one that carries
    /// the vendor's credentials.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    /// Largest response body accepted, in MiB.
    #[arg(
        long,
        value_name = "MIB",
        default_value_t = 256,
        env = "CUSTOMERS_MAX_BODY_MIB"
    )]
    pub max_body_mib: u64,
    /// Fail on the first value that does not match the vendor's spec, naming its path
    /// (default: list the record, leave the field empty, report the drift at the end).
    #[arg(long)]
    pub strict: bool,
    /// Write every value that did not match the vendor's spec (path, expected and observed
    /// type, count, first record) and every record without a readable id, as JSON.
    #[arg(long, value_name = "FILE")]
    pub drift_report: Option<PathBuf>,
    /// No progress bar or log lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How to list: everything but the vendor and its credentials.
#[derive(Args, Clone)]
pub struct OutputArgs {
    /// Output format (default: from the extension of --output, .jsonl .json .csv or .txt;
    /// else jsonl).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Stop after N customers (pages ask for no more than N).
    #[arg(long, value_name = "N")]
    pub max: Option<u64>,
    /// Only customers with this email.
    #[arg(long)]
    pub email: Option<String>,
    /// Only the customer with this id in your own system.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Only customers created at or after this time: RFC 3339, YYYY-MM-DD (UTC), or a time
    /// ago such as 7d, 12h, 30m, 2w.
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub created_since: Option<DateTime<Utc>>,
    /// Only customers changed at or after this time (as --created-since).
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub updated_since: Option<DateTime<Utc>>,
    /// Order by creation time.
    #[arg(long, value_enum)]
    pub sort: Option<SortArg>,
    #[command(flatten)]
    pub client: ClientArgs,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Which account a command that lists talks to: `--vendor` or `--profile`.
#[derive(Args)]
#[command(group(ArgGroup::new("account").required(true).args(["vendor", "profile"])))]
pub struct AccountArgs {
    /// The vendor (credentials from its standard variables).
    #[arg(long, value_enum)]
    pub vendor: Option<VendorArg>,
    /// A profile of the config file instead: vendor, credential variables, base URL, rate
    /// limit, time zone.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The config file holding the profiles.
    #[arg(long, value_name = "FILE", env = "CUSTOMERS_CONFIG", default_value = config::DEFAULT_PATH)]
    pub config: PathBuf,
    /// Replaces the vendor's server URL (CareCloud: up to and including /v1.0; HelpCrunch:
    /// up to /v1).
    #[arg(long, value_name = "URL", conflicts_with = "profile")]
    pub base_url: Option<String>,
    /// Allow sending credentials over plain http:// to a host that is not loopback.
    #[arg(long)]
    pub allow_insecure: bool,
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args)]
pub struct GetArgs {
    /// The customer's id at the vendor.
    pub id: String,
    #[command(flatten)]
    pub account: AccountArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Args)]
pub struct MockArgs {
    /// The vendor to fake.
    #[arg(long, value_enum)]
    pub vendor: VendorArg,
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// How many customers to serve.
    #[arg(long, default_value_t = 100)]
    pub customers: usize,
    /// Seed of the data and the faults.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Answer 429 the vendor's way above this many requests a minute.
    #[arg(long, value_name = "R")]
    pub rate_limit_per_minute: Option<u32>,
    /// How the rate limit counts: any rolling minute, fixed minutes, or fixed minutes that
    /// announce what is left (`X-RateLimit-Remaining` / `-Reset`).
    #[arg(long, value_enum, default_value_t = RateWindowArg::Sliding)]
    pub rate_limit_window: RateWindowArg,
    /// Share of requests (0..1) answered with 429, 503, a reset, a truncated body or a stall.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,
}

/// `--rate-limit-window` of `customers mock`.
#[derive(Clone, Copy, ValueEnum)]
pub enum RateWindowArg {
    /// Any rolling minute.
    Sliding,
    /// Fixed minutes, no quota announced.
    Fixed,
    /// Fixed minutes announcing what is left.
    Announced,
}

#[derive(Args)]
pub struct DemoArgs {
    /// The vendor to fake and list.
    #[arg(long, value_enum, default_value_t = VendorArg(Vendor::ALL[0]))]
    pub vendor: VendorArg,
    /// How many customers the fake serves.
    #[arg(long, default_value_t = 25)]
    pub customers: usize,
    /// Share of requests (0..1) the fake answers with a fault; the listing still completes.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    parse_time_at(text, Utc::now())
}

/// `text` as a time: RFC 3339, a UTC date, or a time before `now` (`7d`).
fn parse_time_at(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Some(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
    {
        return Ok(date.and_utc());
    }
    if let Some(ago) = parse_ago(text) {
        return now
            .checked_sub_signed(ago)
            .ok_or_else(|| format!("`{text}` ago is before any date this tool can write"));
    }
    Err(format!(
        "`{text}` is neither RFC 3339, YYYY-MM-DD nor a time ago such as 7d, 12h, 30m, 45s or 2w"
    ))
}

/// `7d`, `12h`, `30m`, `45s`, `2w` as a duration.
fn parse_ago(text: &str) -> Option<chrono::TimeDelta> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let count: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    if count < 0 {
        return None;
    }
    match unit {
        's' => chrono::TimeDelta::try_seconds(count),
        'm' => chrono::TimeDelta::try_minutes(count),
        'h' => chrono::TimeDelta::try_hours(count),
        'd' => chrono::TimeDelta::try_days(count),
        'w' => chrono::TimeDelta::try_weeks(count),
        _ => None,
    }
}

/// `Name: value` as a header.
fn parse_header(
    text: &str,
) -> Result<(reqwest::header::HeaderName, reqwest::header::HeaderValue), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not `NAME: VALUE`"))?;
    let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("`{}` is not a header name", name.trim()))?;
    let value = reqwest::header::HeaderValue::from_str(value.trim())
        .map_err(|_| format!("the value of `{name}` is not a valid header value"))?;
    Ok((name, value))
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("`{text}` is not a number between 0 and 1")),
    }
}

/// A number of seconds above zero (fractions allowed).
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a number of seconds between 0 and 86400"
        )),
    }
}

/// Seconds from 0 to a day.
fn seconds_or_zero(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && (0.0..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a number of seconds from 0 to 86400"
        )),
    }
}

/// An account name: not empty, no control characters.
fn account_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err("an account name is a non-empty name without control characters".into());
    }
    Ok(name.to_owned())
}

#[derive(Args)]
#[command(group(ArgGroup::new("accounts").required(true).args(["vendor", "profile", "all"])))]
pub struct SyncArgs {
    /// The vendor (credentials from its standard variables).
    #[arg(long, value_enum)]
    pub vendor: Option<VendorArg>,
    /// A profile of the config file.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Every profile of the config file, in parallel; each is its own account.
    #[arg(long)]
    pub all: bool,
    /// The account the customers are kept under (default: the profile's name, or the
    /// vendor's with --vendor): two accounts of one vendor share a database.
    #[arg(long, value_name = "NAME", conflicts_with = "all", value_parser = account_name)]
    pub account: Option<String>,
    /// The config file holding the profiles.
    #[arg(long, value_name = "FILE", env = "CUSTOMERS_CONFIG", default_value = config::DEFAULT_PATH)]
    pub config: PathBuf,
    /// Replaces the vendor's server URL (with --vendor).
    #[arg(long, value_name = "URL", requires = "vendor")]
    pub base_url: Option<String>,
    /// Allow sending credentials over plain http:// to a host that is not loopback.
    #[arg(long)]
    pub allow_insecure: bool,
    /// The database: a SQLite file path or sqlite://PATH (created if missing), or
    /// postgres://USER:PASSWORD@HOST/DB.
    #[arg(
        long,
        value_name = "URL",
        env = "CUSTOMERS_DB",
        default_value = "customers.db",
        hide_env_values = true
    )]
    pub db: String,
    /// Sweep every customer even where the vendor can list only the changed ones; only a
    /// complete sweep marks the customers it no longer sees as deleted.
    #[arg(long)]
    pub full: bool,
    /// How long to wait for a SQLite file another process has locked before failing.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = positive_seconds)]
    pub busy_timeout: f64,
    /// How long a PostgreSQL server may stay away mid-sync (a restart, a failover, the
    /// sync's sessions ended) while the sync reconnects and goes on from its last committed
    /// page; 0 stops at once (exit 3).
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = seconds_or_zero)]
    pub reconnect_for: f64,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Args)]
pub struct TapArgs {
    /// The tap's config, a JSON object: `vendor` (or `profile` of `config_file`), `base_url`,
    /// credentials by variable name in lower case (else read from the variables `list`
    /// reads, or those `env` maps them to), `account`, `start_date`, `page_size`,
    /// `rate_limit_per_minute`, `time_zone`.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The last STATE message's value, to go on from.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// A catalog: only its selected streams are read.
    #[arg(long, value_name = "FILE", conflicts_with = "properties")]
    pub catalog: Option<PathBuf>,
    /// The older name of --catalog.
    #[arg(long, value_name = "FILE")]
    pub properties: Option<PathBuf>,
    /// Print the catalog and exit.
    #[arg(long)]
    pub discover: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Args)]
pub struct AirbyteArgs {
    #[command(subcommand)]
    pub command: AirbyteCommand,
}

/// The Airbyte protocol's commands.
#[derive(Subcommand)]
pub enum AirbyteCommand {
    /// The connection specification.
    Spec,
    /// One real request with the config's credentials.
    Check(AirbyteConfig),
    /// The catalog: one stream per account.
    Discover(AirbyteConfig),
    /// The records of the configured catalog's stream, with per-stream state.
    Read(AirbyteRead),
}

#[derive(Args)]
pub struct AirbyteConfig {
    /// The config (the tap's: `vendor`, `base_url`, credentials, …).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Args)]
pub struct AirbyteRead {
    /// The config (the tap's: `vendor`, `base_url`, credentials, …).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The configured catalog.
    #[arg(long, value_name = "FILE")]
    pub catalog: PathBuf,
    /// The last state messages (a list, one per stream).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Args)]
pub struct PeopleArgs {
    /// The database `customers sync` wrote.
    #[arg(
        long,
        value_name = "URL",
        env = "CUSTOMERS_DB",
        default_value = "customers.db",
        hide_env_values = true
    )]
    pub db: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PeopleFormat::Jsonl)]
    pub format: PeopleFormat,
    /// Region (ISO 3166 code, e.g. CZ or US) of phone numbers written without a country
    /// code; without it, such numbers link nobody.
    #[arg(long, value_name = "CC")]
    pub default_region: Option<String>,
}

/// Output format of `customers people`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum PeopleFormat {
    /// One person per line: members and the links between them.
    Jsonl,
    /// One row per member, with its person's number and the keys that link it.
    Csv,
    /// An aligned table, one block per person.
    Table,
}

impl Format {
    /// The format an output file's extension names, if any.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }
}

impl OutputArgs {
    /// `--format`, else the one `--output`'s extension names, else JSON lines.
    pub fn format(&self) -> Format {
        self.format
            .or_else(|| self.output.as_deref().and_then(Format::from_path))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_ago_count_back_from_now() {
        let now = DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let Some(now) = now else {
            panic!("a valid time");
        };
        let at = |text: &str| parse_time_at(text, now).map(|t| t.to_rfc3339());
        assert_eq!(at("7d"), Ok("2026-11-23T12:00:00+00:00".to_owned()));
        assert_eq!(at("12h"), Ok("2026-11-30T00:00:00+00:00".to_owned()));
        assert_eq!(at("30m"), Ok("2026-11-30T11:30:00+00:00".to_owned()));
        assert_eq!(at("45s"), Ok("2026-11-30T11:59:15+00:00".to_owned()));
        assert_eq!(at("2w"), Ok("2026-11-16T12:00:00+00:00".to_owned()));
        assert_eq!(at("2026-01-02"), Ok("2026-01-02T00:00:00+00:00".to_owned()));
        for bad in ["7", "d", "-3d", "7y", "7 days", "", "99999999999999d"] {
            assert!(at(bad).is_err(), "{bad} is refused");
        }
    }

    #[test]
    fn the_output_extension_names_the_format_unless_format_does() {
        let parse = |args: &[&str]| {
            let mut argv = vec!["customers", "list", "--vendor", "hoko"];
            argv.extend_from_slice(args);
            match Cli::try_parse_from(argv).map(|cli| cli.command) {
                Ok(Command::List(list)) => list.output.format(),
                _ => panic!("{args:?} parses"),
            }
        };
        assert_eq!(parse(&["-o", "out.csv"]), Format::Csv);
        assert_eq!(parse(&["-o", "OUT.JSON"]), Format::Json);
        assert_eq!(parse(&["-o", "out.ndjson"]), Format::Jsonl);
        assert_eq!(parse(&["-o", "out.txt"]), Format::Table);
        assert_eq!(parse(&["-o", "out.data"]), Format::Jsonl);
        assert_eq!(parse(&["-o", "out.csv", "--format", "json"]), Format::Json);
        assert_eq!(parse(&[]), Format::Jsonl);
    }
}
