//! Writing customers in the chosen format, one at a time (memory stays flat).

use std::io::Write;

use customers::Customer;

use crate::args::Format;

/// Writes customers to `out` in one format.
pub struct Output<W: Write> {
    format: Format,
    out: W,
    written: u64,
    /// One customer's JSON, reused from customer to customer.
    buffer: Vec<u8>,
}

const CSV_HEADER: [&str; 18] = [
    "vendor",
    "id",
    "external_id",
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "status",
    "created_at",
    "updated_at",
    "last_seen_at",
    "email_opt_out",
    "sms_opt_out",
    "tags",
    "language",
    "avatar_url",
    "raw",
];

const TABLE_COLUMNS: [(&str, usize); 6] = [
    ("VENDOR", 10),
    ("ID", 36),
    ("NAME", 28),
    ("EMAIL", 32),
    ("STATUS", 9),
    ("CREATED", 20),
];

impl<W: Write> Output<W> {
    pub fn new(format: Format, out: W) -> std::io::Result<Self> {
        let mut output = Output {
            format,
            out,
            written: 0,
            buffer: Vec::new(),
        };
        match format {
            Format::Json => output.out.write_all(b"[")?,
            Format::Table => {
                let header: Vec<String> = TABLE_COLUMNS
                    .iter()
                    .map(|(name, _)| (*name).to_owned())
                    .collect();
                output.table_row(&header)?;
            }
            Format::Jsonl | Format::Csv => {}
        }
        Ok(output)
    }

    pub fn write(&mut self, customer: &Customer) -> std::io::Result<()> {
        match self.format {
            Format::Jsonl => {
                self.buffer.clear();
                customer.append_json(&mut self.buffer);
                self.buffer.push(b'\n');
                self.out.write_all(&self.buffer)?;
            }
            Format::Json => {
                self.buffer.clear();
                if self.written > 0 {
                    self.buffer.push(b',');
                }
                self.buffer.push(b'\n');
                customer.append_json(&mut self.buffer);
                self.out.write_all(&self.buffer)?;
            }
            Format::Csv => {
                let row = csv_row(customer);
                let mut buffer = Vec::new();
                {
                    let mut writer = csv::WriterBuilder::new()
                        .has_headers(false)
                        .from_writer(&mut buffer);
                    if self.written == 0 {
                        writer
                            .write_record(CSV_HEADER)
                            .map_err(std::io::Error::other)?;
                    }
                    writer.write_record(&row).map_err(std::io::Error::other)?;
                    writer.flush()?;
                }
                self.out.write_all(&buffer)?;
            }
            Format::Table => {
                let created = customer
                    .created_at
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string());
                let cells = [
                    customer.vendor.to_string(),
                    customer.id.clone(),
                    customer.name.clone().unwrap_or_default(),
                    customer.email.clone().unwrap_or_default(),
                    customer
                        .status
                        .as_ref()
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    created.unwrap_or_default(),
                ];
                self.table_row(&cells)?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Sends what is buffered on.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// Ends the output (closes the JSON array; writes the CSV header of an empty export).
    pub fn finish(mut self) -> std::io::Result<()> {
        match self.format {
            Format::Json => {
                self.out
                    .write_all(if self.written == 0 { b"]\n" } else { b"\n]\n" })?
            }
            Format::Csv if self.written == 0 => {
                let mut writer = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(&mut self.out);
                writer
                    .write_record(CSV_HEADER)
                    .map_err(std::io::Error::other)?;
                writer.flush()?;
            }
            _ => {}
        }
        self.out.flush()
    }

    fn table_row(&mut self, cells: &[String]) -> std::io::Result<()> {
        let line: Vec<String> = cells
            .iter()
            .zip(TABLE_COLUMNS)
            .map(|(cell, (_, width))| fit(cell, width))
            .collect();
        writeln!(self.out, "{}", line.join("  ").trim_end())
    }
}

/// `text` cut or padded to `width` terminal columns (CJK characters take two).
fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let text = text.replace(['\n', '\t'], " ");
    let mut fitted = String::new();
    let mut used = 0;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    let room = if total > width {
        width.saturating_sub(1)
    } else {
        width
    };
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        fitted.push(c);
        used += w;
    }
    if total > width {
        fitted.push('…');
        used += 1;
    }
    fitted.push_str(&" ".repeat(width.saturating_sub(used)));
    fitted
}

fn csv_row(c: &Customer) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let time = |t: &Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
            .unwrap_or_default()
    };
    let flag = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
    vec![
        c.vendor.to_string(),
        c.id.clone(),
        text(&c.external_id),
        text(&c.name),
        text(&c.first_name),
        text(&c.last_name),
        text(&c.email),
        text(&c.phone),
        c.status.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        time(&c.created_at),
        time(&c.updated_at),
        time(&c.last_seen_at),
        flag(c.email_opt_out),
        flag(c.sms_opt_out),
        c.tags.join(";"),
        text(&c.language),
        text(&c.avatar_url),
        c.raw.get().to_owned(),
    ]
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn cells_are_cut_and_padded_by_display_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("王小明", 7), "王小明 ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("王小明", 4), "王… ");
    }
}
