//! Diagnostics on stderr that never end the run: `eprintln!` panics when stderr is closed
//! (`customers demo 2>&1 | head -3`), and a diagnostic is never worth a crash.

/// `eprintln!` that ignores a stderr that cannot be written.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub(crate) use say;
