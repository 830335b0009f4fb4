//! What the one-executable-per-connector entry points share: run `customers SUBCOMMAND
//! ARGS…` with the `customers` installed beside them, as the process itself.

use std::process::{Command, ExitCode};

/// Runs `customers subcommand` with this process's arguments, replacing this process on
/// Unix (signals and the exit code are the command's own).
pub fn run(name: &str, subcommand: &str) -> ExitCode {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|me| me.parent().map(|dir| dir.join("customers")))
        .filter(|path| path.exists());
    let Some(customers) = beside else {
        eprintln!("{name}: `customers` is not installed beside this executable");
        return ExitCode::from(2);
    };
    let mut command = Command::new(customers);
    command.arg(subcommand).args(std::env::args_os().skip(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = command.exec();
        eprintln!("{name}: cannot run `customers`: {err}");
        ExitCode::from(2)
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8),
        Err(err) => {
            eprintln!("{name}: cannot run `customers`: {err}");
            ExitCode::from(2)
        }
    }
}
