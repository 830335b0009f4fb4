//! `source-customers`: the Airbyte source as one executable, for tools that run one per
//! source (PyAirbyte's `local_executable`, a connector image's entry point). It runs
//! `customers airbyte ARGS…` with the `customers` installed beside it.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|me| me.parent().map(|dir| dir.join("customers")))
        .filter(|path| path.exists());
    let Some(customers) = beside else {
        eprintln!("source-customers: `customers` is not installed beside this executable");
        return ExitCode::from(2);
    };
    let mut command = Command::new(customers);
    command.arg("airbyte").args(std::env::args_os().skip(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Replaces this process: signals and the exit code are the source's own.
        let err = command.exec();
        eprintln!("source-customers: cannot run `customers`: {err}");
        ExitCode::from(2)
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8),
        Err(err) => {
            eprintln!("source-customers: cannot run `customers`: {err}");
            ExitCode::from(2)
        }
    }
}
