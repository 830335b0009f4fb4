//! Diagnostics on stderr that never end the run: `eprintln!` panics when stderr is closed
//! (`customers demo 2>&1 | head -3`), and a diagnostic is never worth a crash.

/// `eprintln!` that ignores a stderr that cannot be written, and writes its line in one
/// piece (stderr is unbuffered: `writeln!` would write each part of the format apart, and a
/// reader that merges stderr into stdout, as PyAirbyte does, could see a message between
/// them).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut line = format!($($arg)*);
        line.push('\n');
        let _ = std::io::stderr().write_all(line.as_bytes());
    }};
}

pub(crate) use say;
