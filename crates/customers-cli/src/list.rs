//! `customers list`: credentials, client, stream, output.

use std::io::{IsTerminal, Write};

use customers::{Customer, DriftReport, PageCursor, Query, SortOrder};
use futures::StreamExt;

use crate::args::{ListArgs, OutputArgs, SortArg};
use crate::exit::Failure;
use crate::output::Output;
use crate::output_file::OutputFile;
use crate::progress::Progress;
use crate::say::say;
use crate::target::Target;

/// Bytes gathered before each write to the output: 8 KiB (the default) meant a system call
/// for every 10 customers.
const OUTPUT_BUFFER: usize = 256 * 1024;

/// `customers list`.
pub async fn run(args: ListArgs) -> Result<(), Failure> {
    let target = Target::from_args(args.account)?;
    export(&target, &args.output).await
}

/// Lists `target` and writes the customers as `options` say. The quickstart's
/// `customers demo` goes through here too.
pub async fn export(target: &Target, options: &OutputArgs) -> Result<(), Failure> {
    let query = Query {
        email: options.email.clone(),
        external_id: options.external_id.clone(),
        created_since: options.created_since,
        updated_since: options.updated_since,
        sort: options.sort.map(|s| match s {
            SortArg::Asc => SortOrder::Ascending,
            SortArg::Desc => SortOrder::Descending,
        }),
    };
    // Refused before anything is written: no header, no empty file.
    query.check(target.vendor)?;
    let progress = Progress::new(target.vendor, options.client.quiet);
    // Pages ask for no more than --max, unless a filter is applied here: then the vendor's
    // pages hold customers that will not be written, and small pages would only be slow.
    let filtered_here = query.filters().into_iter().any(|filter| {
        customers::query::support(target.vendor, filter) == customers::query::Support::Client
    });
    let wanted = options.max.filter(|_| !filtered_here);
    let client = target.client(&options.client, wanted, progress.observer())?;

    let file = options
        .output
        .as_deref()
        .map(OutputFile::create)
        .transpose()?;
    let sink: Box<dyn Write> = match &file {
        Some(file) => Box::new(file.writer()?),
        None => Box::new(std::io::stdout().lock()),
    };
    // Output to the terminal the bar is drawn on is written with the bar lifted, line by
    // line, so that the two never share a line.
    let terminal = file.is_none() && std::io::stdout().is_terminal();
    let mut output = progress.suspend(|| {
        let mut output = Output::new(
            options.format(),
            std::io::BufWriter::with_capacity(OUTPUT_BUFFER, sink),
        )?;
        if terminal {
            output.flush()?;
        }
        Ok::<_, std::io::Error>(output)
    })?;
    let limit = options.max.unwrap_or(u64::MAX);
    // Page by page: the client decodes the next page meanwhile, and per customer there is
    // only the writing (a stream item per customer was 7% of a Hoko export's instructions).
    let mut pages = std::pin::pin!(client.pages_ahead(query, PageCursor::START));
    let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
    let mut failure = None;
    let mut written = 0u64;
    while written < limit {
        let page = tokio::select! {
            biased;
            _ = &mut interrupt => {
                failure = Some(Failure::interrupted(format!(
                    "interrupted after {written} customers"
                )));
                break;
            }
            page = pages.next() => page,
        };
        let page = match page {
            None => break,
            Some(Ok(page)) => page,
            Some(Err(err)) => {
                failure = Some(Failure::from(err));
                break;
            }
        };
        let room = usize::try_from(limit - written).unwrap_or(usize::MAX);
        let customers = &page.customers[..page.customers.len().min(room)];
        match write_page(&mut output, &progress, customers, terminal, &mut written) {
            Ok(()) => {}
            // The reader went away (`customers list | head`): stop quietly.
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(err) => return Err(err.into()),
        }
    }
    // What was listed before an error is still written out.
    match progress.suspend(|| output.finish()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => return Err(err.into()),
        _ => {}
    }
    progress.finish();
    if let Some(file) = file {
        match &mut failure {
            None => file.commit()?,
            // The previous FILE stays; what was listed is kept beside it.
            Some(failure) => {
                if let Some(partial) = file.keep_partial(written > 0) {
                    failure.message.push_str(&format!(
                        "; the {written} customers listed before are in {}",
                        partial.display()
                    ));
                }
            }
        }
    }
    let repeats = client.repeats();
    if repeats > 0 {
        say!(
            "note: {repeats} customer{} came again on a later page (the vendor's data shifted while paging) and {} written once",
            if repeats == 1 { "" } else { "s" },
            if repeats == 1 { "was" } else { "were" }
        );
    }
    report_drift(&client.drift(), options.client.drift_report.as_deref())?;
    failure.map_or(Ok(()), Err)
}

/// Writes one page's `customers`, counting each in `written` and the progress as it goes.
/// To the terminal the bar is drawn on, one line at a time with the bar lifted; elsewhere
/// the page at once.
fn write_page<W: Write>(
    output: &mut Output<W>,
    progress: &Progress,
    customers: &[Customer],
    terminal: bool,
    written: &mut u64,
) -> std::io::Result<()> {
    if terminal {
        for customer in customers {
            progress.suspend(|| {
                output.write(customer)?;
                output.flush()
            })?;
            *written += 1;
            progress.record();
        }
        return Ok(());
    }
    let before = *written;
    let result = customers.iter().try_for_each(|customer| {
        output.write(customer)?;
        *written += 1;
        Ok(())
    });
    progress.records(*written - before);
    result
}

/// Drift is not a failure: a summary on stderr (one line per path) and, with
/// `--drift-report`, the whole report as JSON.
pub fn report_drift(drift: &DriftReport, file: Option<&std::path::Path>) -> Result<(), Failure> {
    let lines = drift.summary();
    if !lines.is_empty() {
        let mut stderr = std::io::stderr().lock();
        // A closed stderr must not end the run: the drift report file still gets written.
        let _ = writeln!(
            stderr,
            "warning: {} path{} did not match the vendor's spec (records kept; raw has the values):",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" }
        );
        for line in &lines {
            let _ = writeln!(stderr, "  {line}");
        }
    }
    if let Some(path) = file {
        let write = || -> std::io::Result<()> {
            let file = std::fs::File::create(path)?;
            let mut out = std::io::BufWriter::new(file);
            serde_json::to_writer_pretty(&mut out, drift)?;
            out.write_all(b"\n")?;
            out.flush()
        };
        write().map_err(|err| {
            Failure::output(format!(
                "cannot write the drift report {}: {err}",
                path.display()
            ))
        })?;
    }
    Ok(())
}
