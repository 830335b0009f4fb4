//! Progress on stderr: a bar when stderr is a terminal, plain log lines otherwise, nothing
//! with `--quiet`.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use customers::{Event, Observer, Vendor};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::say::say;

/// Counts and how they are shown.
pub struct Progress {
    /// What the lines are about: a vendor, or a profile's name.
    vendor: String,
    mode: Mode,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    records: u64,
    pages: u64,
    /// Values that did not match the vendor's spec.
    drifted: u64,
    /// Customers skipped because an earlier page had them.
    repeats: u64,
}

enum Mode {
    Quiet,
    Lines,
    Bar(ProgressBar),
}

impl Progress {
    pub fn new(vendor: Vendor, quiet: bool) -> Arc<Self> {
        Progress::labelled(vendor.as_str(), quiet, None)
    }

    /// Progress about `label`; on a terminal its bar joins `bars` (several accounts at once).
    pub fn labelled(label: &str, quiet: bool, bars: Option<&MultiProgress>) -> Arc<Self> {
        // With log lines on, they say what the bar would.
        let mode = if quiet || crate::logging::enabled() {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            let bar = match bars {
                Some(bars) => bars.add(bar),
                None => bar,
            };
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            Mode::Bar(bar)
        } else {
            Mode::Lines
        };
        Arc::new(Progress {
            vendor: label.to_owned(),
            mode,
            counts: Mutex::default(),
        })
    }

    /// The observer to give the client.
    pub fn observer(self: &Arc<Self>) -> Observer {
        let progress = self.clone();
        Arc::new(move |event: &Event| progress.on_event(event))
    }

    fn show(&self, line: String) {
        match &self.mode {
            Mode::Quiet => {}
            Mode::Lines => say!("{line}"),
            Mode::Bar(bar) => bar.set_message(line),
        }
    }

    fn summary(&self) -> String {
        let (records, pages, drifted, repeats) = self
            .counts
            .lock()
            .map(|c| (c.records, c.pages, c.drifted, c.repeats))
            .unwrap_or_default();
        let drift = if drifted > 0 {
            format!(", {drifted} values off-spec")
        } else {
            String::new()
        };
        let repeated = if repeats > 0 {
            format!(", {repeats} repeats skipped")
        } else {
            String::new()
        };
        format!(
            "{}: {records} records, {pages} pages{drift}{repeated}",
            self.vendor
        )
    }

    fn on_event(&self, event: &Event) {
        match event {
            Event::Page { records, .. } => {
                let page = self.counts.lock().map(|mut c| {
                    c.pages += 1;
                    c.pages
                });
                match &self.mode {
                    Mode::Lines => say!(
                        "{}: page {} with {records} records",
                        self.vendor,
                        page.unwrap_or(0)
                    ),
                    _ => self.show(self.summary()),
                }
            }
            Event::Retrying {
                attempt,
                wait,
                reason,
                ..
            } => self.show(format!(
                "{}: {reason}; retrying in {:.1} s (attempt {})",
                self.vendor,
                wait.as_secs_f64(),
                attempt + 1
            )),
            Event::Throttled { wait, .. } => {
                if let Mode::Bar(_) = self.mode {
                    self.show(format!(
                        "{}; waiting {:.1} s for the rate limit",
                        self.summary(),
                        wait.as_secs_f64()
                    ));
                }
            }
            Event::Repeated { count, .. } => {
                if let Ok(mut counts) = self.counts.lock() {
                    counts.repeats = *count;
                }
            }
            Event::Drift {
                values, unreadable, ..
            } => {
                if let Ok(mut counts) = self.counts.lock() {
                    counts.drifted += values + *unreadable as u64;
                }
            }
            _ => {}
        }
    }

    /// Runs `write` with the bar taken off the terminal, then draws it again below: for
    /// output to the same terminal, so that no line holds both.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.mode {
            Mode::Bar(bar) => bar.suspend(write),
            _ => write(),
        }
    }

    /// One more record written.
    pub fn record(&self) {
        self.records(1);
    }

    /// `count` more records written.
    pub fn records(&self, count: u64) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.records += count;
        }
        if let Mode::Bar(bar) = &self.mode {
            bar.tick();
        }
    }

    /// The listing ended.
    pub fn finish(&self) {
        let summary = self.summary();
        match &self.mode {
            Mode::Quiet => {}
            Mode::Lines => say!("{summary}"),
            Mode::Bar(bar) => bar.finish_with_message(summary),
        }
    }
}
