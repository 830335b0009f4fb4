//! `customers mock` and `customers demo`: the fakes of `fake-vendors`.

use std::io::Write;

use customers::{Credentials, Vendor};
use fake_vendors::{FakeConfig, FakeServer, RateWindow};

use crate::args::{DemoArgs, MockArgs, RateWindowArg};
use crate::exit::Failure;

use crate::say::say;

/// `customers mock`: serve until interrupted; the base URL is the first line of stdout.
pub async fn serve(args: MockArgs) -> Result<(), Failure> {
    let vendor = Vendor::from(args.vendor);
    let mut config = FakeConfig::new(crate::vendors::fake(vendor))
        .customers(args.customers)
        .seed(args.seed)
        .fault_rate(args.fault_rate);
    config.port = args.port;
    config.rate_limit_per_minute = args.rate_limit_per_minute;
    config.rate_limit_window = match args.rate_limit_window {
        RateWindowArg::Sliding => RateWindow::Sliding,
        RateWindowArg::Fixed => RateWindow::Fixed,
        RateWindowArg::Announced => RateWindow::FixedAnnounced,
    };
    let fake = FakeServer::start(config)
        .await
        .map_err(|e| Failure::usage(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", fake.base_url())?;
    stdout.flush()?;
    drop(stdout);
    say!(
        "fake {vendor} at {}; credentials: {}",
        fake.base_url(),
        credential_hint(vendor)
    );
    say!("press Ctrl-C to stop");
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}

/// `customers demo`: start a fake and list it through the same path as `customers list`.
pub async fn demo(args: DemoArgs) -> Result<(), Failure> {
    let vendor = Vendor::from(args.vendor);
    let config = FakeConfig::new(crate::vendors::fake(vendor))
        .customers(args.customers)
        .fault_rate(args.fault_rate);
    let fake = FakeServer::start(config)
        .await
        .map_err(|e| Failure::usage(format!("cannot start the fake: {e}")))?;
    if !args.output.client.quiet {
        say!("listing a fake {vendor} at {}", fake.base_url());
    }
    let target = crate::target::Target {
        label: vendor.as_str().to_owned(),
        vendor,
        credentials: fake_credentials(vendor)?,
        base_url: Some(fake.base_url()),
        profile: None,
    };
    crate::list::export(&target, &args.output).await
}

/// The credentials `vendor`'s fake accepts, read the way `customers list` reads them.
pub fn fake_credentials(vendor: Vendor) -> Result<Credentials, Failure> {
    let env = crate::vendors::fake_env(vendor);
    Credentials::from_lookup(vendor, |name| {
        env.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| (*value).to_owned())
    })
    .map_err(|err| Failure::usage(err.to_string()))
}

fn credential_hint(vendor: Vendor) -> String {
    crate::vendors::fake_env(vendor)
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(" ")
}
