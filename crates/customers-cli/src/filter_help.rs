//! `customers list --help`'s table of which filter each vendor applies, from the facade's
//! registry (the crate docs' table, in columns for a terminal).

use customers::Vendor;
use customers::query::{Filter, Support, support};

/// The table: one row per filter, one column per vendor.
pub fn text() -> String {
    let cell = |vendor, filter| match support(vendor, filter) {
        Support::Server(_) => "server",
        Support::ServerOnly(_) => "server only",
        Support::Client => "client",
        Support::Unsupported(_) => "refused",
    };
    let first = Filter::ALL
        .iter()
        .map(|f| f.name().len())
        .max()
        .unwrap_or(0)
        .max("filter".len());
    let widths: Vec<usize> = Vendor::ALL
        .iter()
        .map(|&vendor| {
            Filter::ALL
                .iter()
                .map(|&filter| cell(vendor, filter).len())
                .chain([vendor.as_str().len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::from(
        "Filters (server: the vendor applies it; client: applied to every customer listed;\n\
         refused: the command stops before any request or output):\n",
    );
    let mut row = |name: &str, cells: Vec<&str>| {
        let mut line = format!("  {name:first$}");
        for (cell, width) in cells.iter().zip(&widths) {
            line.push_str(&format!("  {cell:width$}"));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    };
    row("filter", Vendor::ALL.iter().map(|v| v.as_str()).collect());
    for filter in Filter::ALL {
        row(
            filter.name(),
            Vendor::ALL.iter().map(|&v| cell(v, filter)).collect(),
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_and_filter_has_its_cell() {
        let text = text();
        for vendor in Vendor::ALL {
            assert!(text.contains(vendor.as_str()));
        }
        let rows: Vec<&str> = text.lines().skip(3).collect();
        assert_eq!(rows.len(), Filter::ALL.len());
        for (row, filter) in rows.iter().zip(Filter::ALL) {
            assert!(row.trim_start().starts_with(filter.name()), "{row}");
            let cells = row[filter.name().len() + 2..].split_whitespace().count();
            // "server only" is two words.
            assert!(cells >= Vendor::ALL.len(), "{row}");
        }
    }
}
