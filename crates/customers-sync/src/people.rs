//! One person across vendors: customers linked by email (trimmed, case-folded) or by phone
//! number (E.164), grouped transitively.

use std::collections::HashMap;

/// A phone-numbering region (ISO 3166 alpha-2, e.g. `"CZ".parse()`).
pub use phonenumber::country::Id as Region;
use serde::Serialize;

use crate::{Store, SyncError};

/// A customer as far as linking is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The account it was synced from (a profile's name; the vendor's name by default).
    pub account: String,
    /// The vendor's name.
    pub vendor: String,
    /// The vendor's id.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Email as stored.
    pub email: Option<String>,
    /// Phone as stored (as the vendor sent it).
    pub phone: Option<String>,
}

/// Which key linked two customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKey {
    /// The same email, trimmed and case-folded.
    Email,
    /// The same phone number in E.164.
    Phone,
}

impl LinkKey {
    /// `email` or `phone`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKey::Email => "email",
            LinkKey::Phone => "phone",
        }
    }
}

/// Two members of a [`Person`] and the key they share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Index into [`Person::members`].
    pub from: usize,
    /// Index into [`Person::members`].
    pub to: usize,
    /// The key that matched.
    pub key: LinkKey,
    /// Its normalized value (`ana@example.com`, `+420601234567`).
    pub value: String,
}

/// Customers that are one person: two or more members and the links that join them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The customers, ordered by account and id.
    pub members: Vec<Member>,
    /// For every pair linked directly, which key matched.
    pub links: Vec<Link>,
}

/// Every person in `store` with customers in more than one record: deleted customers are
/// left out; phone numbers without a country code are read in `default_region`, or not
/// linked when there is none.
pub async fn people(
    store: &Store,
    default_region: Option<Region>,
) -> Result<Vec<Person>, SyncError> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT account, vendor, id, name, email, phone FROM customers \
         WHERE deleted_at IS NULL AND (email IS NOT NULL OR phone IS NOT NULL) \
         ORDER BY account, id",
    )
    .fetch_all(store.pool())
    .await?;
    let members = rows
        .into_iter()
        .map(|(account, vendor, id, name, email, phone)| Member {
            account,
            vendor,
            id,
            name,
            email,
            phone,
        })
        .collect();
    Ok(group(members, default_region))
}

/// account, vendor, id, name, email, phone.
type MemberRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// `email` trimmed and case-folded, when it looks like an address.
pub fn normalize_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    (!local.is_empty() && !domain.is_empty()).then_some(email)
}

/// `phone` in E.164 when it is a valid number (read in `default_region` without a country
/// code).
pub fn normalize_phone(phone: &str, default_region: Option<Region>) -> Option<String> {
    let number = phonenumber::parse(default_region, phone.trim()).ok()?;
    phonenumber::is_valid(&number)
        .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

/// Groups `members` transitively by shared keys; only groups of two or more are returned,
/// largest first.
pub fn group(members: Vec<Member>, default_region: Option<Region>) -> Vec<Person> {
    let mut sets = DisjointSets::new(members.len());
    // Each key's first holder; every later holder links to it.
    let mut first: HashMap<(LinkKey, String), usize> = HashMap::new();
    let mut links: Vec<(usize, usize, LinkKey, String)> = Vec::new();
    for (index, member) in members.iter().enumerate() {
        let keys = [
            member
                .email
                .as_deref()
                .and_then(normalize_email)
                .map(|v| (LinkKey::Email, v)),
            member
                .phone
                .as_deref()
                .and_then(|p| normalize_phone(p, default_region))
                .map(|v| (LinkKey::Phone, v)),
        ];
        for key in keys.into_iter().flatten() {
            match first.get(&key) {
                Some(&holder) => {
                    sets.union(holder, index);
                    links.push((holder, index, key.0, key.1));
                }
                None => {
                    first.insert(key, index);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for index in 0..members.len() {
        groups.entry(sets.find(index)).or_default().push(index);
    }
    let mut by_root: HashMap<usize, Vec<(usize, usize, LinkKey, String)>> = HashMap::new();
    for link in links {
        by_root.entry(sets.find(link.0)).or_default().push(link);
    }
    let mut people: Vec<Person> = groups
        .into_iter()
        .filter(|(_, indexes)| indexes.len() > 1)
        .map(|(root, indexes)| {
            let position = |i: usize| indexes.iter().position(|&x| x == i).unwrap_or(0);
            let links = by_root
                .remove(&root)
                .unwrap_or_default()
                .into_iter()
                .map(|(from, to, key, value)| Link {
                    from: position(from),
                    to: position(to),
                    key,
                    value,
                })
                .collect();
            Person {
                members: indexes.iter().map(|&i| members[i].clone()).collect(),
                links,
            }
        })
        .collect();
    people.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| key_of(a).cmp(&key_of(b)))
    });
    people
}

fn key_of(person: &Person) -> (&str, &str) {
    person
        .members
        .first()
        .map_or(("", ""), |m| (m.account.as_str(), m.id.as_str()))
}

/// Union–find over member indexes, with path halving.
struct DisjointSets {
    parent: Vec<usize>,
}

impl DisjointSets {
    fn new(len: usize) -> Self {
        DisjointSets {
            parent: (0..len).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The smaller index stays the root, so members keep their input order.
            let (root, child) = if a < b { (a, b) } else { (b, a) };
            self.parent[child] = root;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(vendor: &str, id: &str, email: Option<&str>, phone: Option<&str>) -> Member {
        Member {
            account: vendor.into(),
            vendor: vendor.into(),
            id: id.into(),
            name: None,
            email: email.map(Into::into),
            phone: phone.map(Into::into),
        }
    }

    fn ids(person: &Person) -> Vec<String> {
        person
            .members
            .iter()
            .map(|m| format!("{}/{}", m.vendor, m.id))
            .collect()
    }

    #[test]
    fn one_email_across_three_vendors_is_one_person() {
        let people = group(
            vec![
                member("hoko", "1", Some("Ana@Example.com "), None),
                member("carecloud", "c9", Some("ana@example.com"), None),
                member("helpcrunch", "77", Some(" ANA@EXAMPLE.COM"), None),
                member("hoko", "2", Some("bob@example.com"), None),
            ],
            None,
        );
        assert_eq!(people.len(), 1);
        assert_eq!(ids(&people[0]), ["hoko/1", "carecloud/c9", "helpcrunch/77"]);
        assert_eq!(people[0].links.len(), 2);
        assert!(
            people[0]
                .links
                .iter()
                .all(|l| l.key == LinkKey::Email && l.value == "ana@example.com")
        );
    }

    #[test]
    fn a_phone_written_three_ways_links_and_two_people_stay_apart() {
        let region = "CZ".parse::<Region>().ok();
        let people = group(
            vec![
                member(
                    "hoko",
                    "1",
                    Some("jan@example.com"),
                    Some("+420 601 234 567"),
                ),
                member("gleantap", "g", None, Some("00420601234567")),
                member("botpenguin", "b", None, Some("601-234-567")),
                // Same name, different email and phone: another person.
                member(
                    "hoko",
                    "3",
                    Some("jan.novak@example.com"),
                    Some("+420 602 000 111"),
                ),
                member(
                    "carecloud",
                    "x",
                    Some("jan.novak2@example.com"),
                    Some("+420 777 123 456"),
                ),
            ],
            region,
        );
        assert_eq!(people.len(), 1, "{people:?}");
        assert_eq!(ids(&people[0]), ["hoko/1", "gleantap/g", "botpenguin/b"]);
        assert!(
            people[0]
                .links
                .iter()
                .all(|l| l.key == LinkKey::Phone && l.value == "+420601234567")
        );
    }

    #[test]
    fn links_are_transitive_and_name_their_key() {
        let people = group(
            vec![
                member("hoko", "1", Some("a@example.com"), None),
                member(
                    "carecloud",
                    "2",
                    Some("a@example.com"),
                    Some("+14155550123"),
                ),
                member(
                    "gleantap",
                    "3",
                    Some("other@example.com"),
                    Some("+1 415-555-0123"),
                ),
            ],
            None,
        );
        assert_eq!(people.len(), 1);
        let keys: Vec<(usize, usize, LinkKey)> = people[0]
            .links
            .iter()
            .map(|l| (l.from, l.to, l.key))
            .collect();
        assert_eq!(keys, [(0, 1, LinkKey::Email), (1, 2, LinkKey::Phone)]);
    }

    #[test]
    fn numbers_without_a_country_code_need_a_region() {
        assert_eq!(normalize_phone("601 234 567", None), None);
        let cz = "CZ".parse::<Region>().ok();
        assert_eq!(
            normalize_phone("601 234 567", cz).as_deref(),
            Some("+420601234567")
        );
        assert_eq!(normalize_phone("not a phone", cz), None);
        assert_eq!(normalize_email("no-at-sign"), None);
    }
}
