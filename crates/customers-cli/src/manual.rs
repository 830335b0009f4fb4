//! `customers completions SHELL` and `customers man`: generated from the same clap
//! definition as the parser, so they never disagree with it.

use std::io::Write;

use clap::Command;

use crate::exit::Failure;

/// Writes `shell`'s completion script for `command` to stdout.
pub fn completions(mut command: Command, shell: clap_complete::Shell) -> Result<(), Failure> {
    // clap_complete panics on a failed write (`| head`): it writes to memory first.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "customers", &mut script);
    print(&script)
}

/// Writes the man page of `command` (roff) to stdout.
pub fn man(command: Command) -> Result<(), Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    print(&page)
}

/// `text` on stdout; a reader that went away (`| head`) is no failure.
fn print(text: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(()),
    }
}
