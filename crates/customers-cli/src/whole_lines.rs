//! Standard output in whole lines, for the Airbyte source and the Singer tap, whose every
//! line is a message. PyAirbyte runs a source with its stderr merged into the same pipe as
//! its stdout: an 8 KiB buffer flushed mid-line let a progress line written to stderr land
//! inside a record, which PyAirbyte then dropped as a line that is not JSON (one customer
//! in a CI run). Complete lines are written together, at most [`PIPE_BUF`] bytes a write,
//! which a pipe delivers whole; a longer line is written alone.

use std::io::{self, Write};

/// The most bytes a pipe delivers whole, never interleaved with another writer's (POSIX;
/// Linux's).
pub const PIPE_BUF: usize = 4096;

/// A writer that hands `inner` only whole lines (and, at a flush, what is left).
pub struct WholeLines<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> WholeLines<W> {
    /// Lines to `inner`.
    pub fn new(inner: W) -> Self {
        WholeLines {
            inner,
            pending: Vec::with_capacity(2 * PIPE_BUF),
        }
    }

    /// Writes the complete lines pending, each write as many as fit in [`PIPE_BUF`].
    fn write_lines(&mut self) -> io::Result<()> {
        let mut start = 0;
        while let Some(end) = batch_end(&self.pending[start..]) {
            self.inner.write_all(&self.pending[start..start + end])?;
            start += end;
        }
        self.pending.drain(..start);
        Ok(())
    }
}

/// The length of the next write from `pending`: its complete lines up to [`PIPE_BUF`]
/// bytes, or its first line alone when that is longer; none without a complete line.
fn batch_end(pending: &[u8]) -> Option<usize> {
    let within = &pending[..pending.len().min(PIPE_BUF)];
    match within.iter().rposition(|&b| b == b'\n') {
        Some(last) => Some(last + 1),
        None => pending
            .iter()
            .position(|&b| b == b'\n')
            .map(|first| first + 1),
    }
}

impl<W: Write> Write for WholeLines<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= PIPE_BUF {
            self.write_lines()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_lines()?;
        if !self.pending.is_empty() {
            self.inner.write_all(&self.pending)?;
            self.pending.clear();
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps each write apart.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.push(buf.to_vec());
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_write_is_whole_lines_within_a_pipe_s_atomic_size_unless_one_line_is_longer() {
        let mut lines = Vec::new();
        for (i, length) in [10, 700, 3000, 5000, 1, 4095, 4096, 64, 9000, 12]
            .iter()
            .enumerate()
        {
            let mut line = format!("{i}:").into_bytes();
            line.resize(*length, b'x');
            line.push(b'\n');
            lines.push(line);
        }
        let all: Vec<u8> = lines.concat();
        let mut out = WholeLines::new(Writes::default());
        // Handed over in pieces that cut lines anywhere, as `write!` and a `BufWriter` do.
        for piece in all.chunks(777) {
            out.write_all(piece).expect("written");
        }
        out.flush().expect("flushed");
        let writes = out.inner.0;
        assert_eq!(writes.concat(), all, "every byte, in order");
        for write in &writes {
            assert_eq!(write.last(), Some(&b'\n'), "ends a line");
            let lines_in = write.iter().filter(|&&b| b == b'\n').count();
            assert!(
                write.len() <= PIPE_BUF || lines_in == 1,
                "{} bytes in {lines_in} lines",
                write.len()
            );
        }
        assert!(writes.len() < lines.len(), "short lines share a write");
    }

    #[test]
    fn a_flush_writes_what_is_left_even_without_a_newline() {
        let mut out = WholeLines::new(Writes::default());
        out.write_all(b"{\"a\":1}\n{\"b\"").expect("written");
        assert!(
            out.inner.0.is_empty(),
            "nothing before a flush or a full pipe's worth"
        );
        out.flush().expect("flushed");
        assert_eq!(out.inner.0, [b"{\"a\":1}\n".to_vec(), b"{\"b\"".to_vec()]);
    }
}
