//! `customers get`: one customer by the vendor's id.

use std::io::Write;

use crate::args::{Format, GetArgs};
use crate::exit::Failure;
use crate::output::Output;
use crate::progress::Progress;
use crate::target::Target;

/// `customers get`.
pub async fn run(args: GetArgs) -> Result<(), Failure> {
    let target = Target::from_args(args.account)?;
    // A lookup is one request (a listing where the vendor has no lookup): no bar.
    let progress = Progress::new(target.vendor, true);
    let client = target.client(&args.client, None, progress.observer())?;
    let customer = client.get(&args.id).await?;
    let mut stdout = std::io::stdout().lock();
    let written = match args.format {
        // One object, not an array of one.
        Format::Json => customer
            .write_json(&mut stdout)
            .map_err(std::io::Error::from)
            .and_then(|()| stdout.write_all(b"\n")),
        format => Output::new(format, &mut stdout).and_then(|mut output| {
            output.write(&customer)?;
            output.finish()
        }),
    };
    match written.and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => crate::list::report_drift(&client.drift(), args.client.drift_report.as_deref()),
    }
}
