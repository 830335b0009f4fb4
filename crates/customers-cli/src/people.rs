//! `customers people`: the synced customers of all vendors who are one person.

use std::io::Write;

use customers_sync::{Person, Region, Store};

use crate::args::{PeopleArgs, PeopleFormat};
use crate::exit::Failure;

/// `customers people`.
pub async fn run(args: PeopleArgs) -> Result<(), Failure> {
    let region =
        args.default_region
            .as_deref()
            .map(|code| {
                code.trim().to_ascii_uppercase().parse::<Region>().map_err(|_| {
                Failure::usage(format!(
                    "--default-region `{code}` is not a region code (ISO 3166, e.g. CZ or US)"
                ))
            })
            })
            .transpose()?;
    let store = Store::open(&args.db)
        .await
        .map_err(|err| Failure::usage(format!("cannot open the database: {err}")))?;
    let people = customers_sync::people(&store, region).await;
    // Closed, not dropped at exit (see `sync.rs`).
    store.close().await;
    let people =
        people.map_err(|err| Failure::vendor(format!("cannot read the database: {err}")))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        PeopleFormat::Jsonl => jsonl(&people, &mut out),
        PeopleFormat::Csv => csv(&people, &mut out),
        PeopleFormat::Table => table(&people, &mut out),
    }
    .and_then(|()| out.flush());
    match written {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(()),
    }
}

fn jsonl(people: &[Person], out: &mut impl Write) -> std::io::Result<()> {
    for person in people {
        serde_json::to_writer(&mut *out, person)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The keys that link member `index` of `person`, e.g. `email;phone`.
fn linked_by(person: &Person, index: usize) -> String {
    let mut keys: Vec<&str> = person
        .links
        .iter()
        .filter(|l| l.from == index || l.to == index)
        .map(|l| l.key.as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.join(";")
}

fn csv(people: &[Person], out: &mut impl Write) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "person",
        "account",
        "vendor",
        "id",
        "name",
        "email",
        "phone",
        "linked_by",
    ])?;
    for (number, person) in people.iter().enumerate() {
        for (index, m) in person.members.iter().enumerate() {
            writer.write_record([
                (number + 1).to_string().as_str(),
                &m.account,
                &m.vendor,
                &m.id,
                m.name.as_deref().unwrap_or(""),
                m.email.as_deref().unwrap_or(""),
                m.phone.as_deref().unwrap_or(""),
                &linked_by(person, index),
            ])?;
        }
    }
    writer.flush()
}

fn table(people: &[Person], out: &mut impl Write) -> std::io::Result<()> {
    for (number, person) in people.iter().enumerate() {
        writeln!(
            out,
            "person {} ({} customers)",
            number + 1,
            person.members.len()
        )?;
        for m in &person.members {
            writeln!(
                out,
                "  {:<16} {:<11} {:<26} {:<24} {:<32} {}",
                m.account,
                m.vendor,
                m.id,
                m.name.as_deref().unwrap_or("-"),
                m.email.as_deref().unwrap_or("-"),
                m.phone.as_deref().unwrap_or("-"),
            )?;
        }
        for link in &person.links {
            let id = |i: usize| {
                person
                    .members
                    .get(i)
                    .map_or_else(String::new, |m| format!("{}/{}", m.account, m.id))
            };
            writeln!(
                out,
                "  linked: {} = {} by {} {}",
                id(link.from),
                id(link.to),
                link.key.as_str(),
                link.value
            )?;
        }
    }
    Ok(())
}
