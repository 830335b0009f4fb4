//! `customers sync`: one account, one profile, or every profile in parallel, into one
//! database.

use std::time::Duration;

use customers_sync::{
    HeadStart, Store, StoreOptions, SyncError, SyncMode, SyncOptions, SyncReport, sync_with,
};
use futures::future::join_all;
use indicatif::MultiProgress;

use crate::args::SyncArgs;
use crate::config;
use crate::exit::Failure;
use crate::list::report_drift;
use crate::progress::Progress;
use crate::say::say;
use crate::target::Target;

/// `customers sync`.
pub async fn run(args: SyncArgs) -> Result<(), Failure> {
    // Every account is resolved before anything is synced; with --all, one whose
    // configuration is incomplete fails alone.
    let accounts: Vec<(String, Result<Target, Failure>)> = if args.all {
        let profiles = config::load(&args.config)?;
        if profiles.is_empty() {
            return Err(Failure::usage(format!(
                "{} has no profiles to sync",
                args.config.display()
            )));
        }
        profiles
            .into_iter()
            .map(|p| (p.name.clone(), Target::profile(p, args.allow_insecure)))
            .collect()
    } else {
        let target = Target::from_flags(
            args.vendor.map(Into::into),
            args.profile.as_deref(),
            &args.config,
            args.base_url.clone(),
            args.allow_insecure,
        )?;
        let account = args.account.clone().unwrap_or_else(|| target.label.clone());
        vec![(account, Ok(target))]
    };
    if accounts.len() > 1 && args.client.drift_report.is_some() {
        return Err(Failure::usage(
            "--drift-report names one file: use it with one account, not --all",
        ));
    }
    let store_options =
        StoreOptions::default().busy_timeout(Duration::from_secs_f64(args.busy_timeout));
    let options = SyncOptions::new()
        .full(args.full)
        .reconnect_for(Duration::from_secs_f64(args.reconnect_for));
    let bars = (accounts.len() > 1).then(MultiProgress::new);
    let single = accounts.len() == 1;
    // Each account's client (which reads the system's TLS roots) is built while the
    // database answers: both come before the first request.
    let clients = async {
        let prepare = |target: Target| {
            let progress = Progress::labelled(&target.label, args.client.quiet, bars.as_ref());
            let client = target.client(&args.client, None, progress.observer())?;
            Ok::<_, Failure>((progress, client))
        };
        accounts
            .into_iter()
            .map(|(label, target)| (label, target.and_then(prepare)))
            .collect::<Vec<_>>()
    };
    let (opening, clients) = tokio::join!(Store::connect_with(&args.db, &store_options), clients);
    let opening = opening.map_err(failure)?;
    // Into a new database, each account's first pages are requested while its schema is
    // created: every sync there is a first load from the first page.
    let clients: Vec<_> = clients
        .into_iter()
        .map(|(label, prepared)| {
            let prepared = prepared.map(|(progress, client)| {
                let head_start = opening.is_new().then(|| HeadStart::begin(&client));
                (progress, client, head_start)
            });
            (label, prepared)
        })
        .collect();
    let store = opening.migrate().await.map_err(failure)?;
    let runs = clients.into_iter().map(|(label, prepared)| {
        let (store, options) = (&store, &options);
        let drift_report = args.client.drift_report.as_deref();
        async move {
            let result = match prepared {
                Ok((progress, client, head_start)) => {
                    let options = options.clone().account(label.clone());
                    sync_one(
                        store,
                        &client,
                        head_start,
                        &progress,
                        &options,
                        drift_report,
                    )
                    .await
                }
                Err(failure) => Err(failure),
            };
            (label, result)
        }
    });
    let results = tokio::select! {
        biased;
        _ = tokio::signal::ctrl_c() => {
            // Each page commits with its checkpoint: the next sync goes on from the last.
            return Err(Failure::interrupted(
                "interrupted; the next `customers sync` resumes from the last committed page",
            ));
        }
        results = join_all(runs) => results,
    };
    // Closed, not dropped at exit: SQLite copies its log into the file and removes it, so the
    // file alone holds everything; PostgreSQL's sessions end without an error in its log.
    store.close().await;
    let mut failed = Vec::new();
    for (label, result) in results {
        match result {
            Ok(report) => {
                if !args.client.quiet {
                    say!("{label}: {}", describe(&report));
                }
            }
            Err(failure) if single => return Err(failure),
            Err(failure) => {
                say!("error: {label}: {}", failure.message);
                failed.push(label);
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::vendor(format!(
            "{} of the profiles failed: {} (the others synced)",
            failed.len(),
            failed.join(", ")
        )))
    }
}

/// Syncs one account, with its own client (and so its own rate limit).
async fn sync_one(
    store: &Store,
    client: &customers::CustomersClient,
    head_start: Option<HeadStart>,
    progress: &Progress,
    options: &SyncOptions,
    drift_report: Option<&std::path::Path>,
) -> Result<SyncReport, Failure> {
    let result = sync_with(store, client, options, head_start, |page| {
        progress.records(page.customers as u64);
    })
    .await;
    progress.finish();
    report_drift(&client.drift(), drift_report)?;
    result.map_err(failure)
}

fn describe(report: &SyncReport) -> String {
    let mode = match report.mode {
        SyncMode::Full => "full sweep".to_owned(),
        SyncMode::Incremental { since } => format!("changed since {}", since.to_rfc3339()),
    };
    let resumed = report
        .resumed_from
        .map(|c| format!(", resumed at record {}", c.offset()))
        .unwrap_or_default();
    let reconnected = match report.reconnected_after.last() {
        Some(cause) => format!(
            "; reconnected {} time(s) after the database went away (last: {cause})",
            report.reconnected_after.len()
        ),
        None => String::new(),
    };
    format!(
        "{mode}{resumed}: {} customers in {} pages, {} new, {} marked deleted{reconnected}",
        report.customers, report.pages, report.new, report.marked_deleted
    )
}

/// A sync error as the CLI reports it: the vendor's as for `list`, the database's as
/// output that could not be written, a bad address as usage.
fn failure(err: SyncError) -> Failure {
    match err {
        SyncError::Vendor(err) => Failure::from(err),
        SyncError::Address(message) => Failure::usage(message),
        err @ (SyncError::AccountVendor { .. } | SyncError::Busy { .. }) => {
            Failure::usage(err.to_string())
        }
        other => Failure::output(other.to_string()),
    }
}
