//! Where a page's records and total sit in its JSON body, as the spec's `x-paging` declares,
//! and a fast count of them: one pass that skips everything else and builds nothing. It
//! lets a client request the next page before it decodes the current one.

use std::fmt;

use serde::Deserializer;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// JSON pointers to a page's records and its reported total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageShape {
    /// The records' array (`""` for a bare array).
    pub items: &'static str,
    /// The total across all pages, if the vendor reports one.
    pub total: Option<&'static str>,
}

/// What a page body holds, by [`PageShape::measure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measured {
    /// Records in the array.
    pub records: usize,
    /// The total, when present as a non-negative integer (anything else counts as none,
    /// so a listing goes on to an empty page rather than stop early).
    pub total: Option<u64>,
}

impl PageShape {
    /// Counts the records and reads the total of `body`; an error when the body is not
    /// JSON or holds no array where the shape says.
    pub fn measure(&self, body: &[u8]) -> Result<Measured, serde_json::Error> {
        let items: Vec<&str> = segments(self.items);
        let total: Option<Vec<&str>> = self.total.map(segments);
        let mut measured = Measured::default();
        let mut found = false;
        let mut de = serde_json::Deserializer::from_slice(body);
        Walk {
            items: Some(&items),
            total: total.as_deref(),
            measured: &mut measured,
            found: &mut found,
        }
        .deserialize(&mut de)?;
        de.end()?;
        if !found {
            return Err(serde::de::Error::custom(format!(
                "no records array at `{}`",
                self.items
            )));
        }
        Ok(measured)
    }
}

fn segments(pointer: &str) -> Vec<&str> {
    pointer.split('/').skip(1).collect()
}

/// The rest of `path` below `key`, when `path` goes through it.
fn follow<'p>(path: Option<&'p [&'p str]>, key: &str) -> Option<&'p [&'p str]> {
    match path?.split_first() {
        Some((first, rest)) if *first == key => Some(rest),
        _ => None,
    }
}

/// One value; `items` and `total` are the rest of each pointer from here (`None`: this
/// value is not on that pointer's way).
struct Walk<'p, 'm> {
    items: Option<&'p [&'p str]>,
    total: Option<&'p [&'p str]>,
    measured: &'m mut Measured,
    found: &'m mut bool,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match (self.items, self.total) {
            (Some([]), _) => deserializer.deserialize_seq(Count(self.measured, self.found)),
            (_, Some([])) => {
                self.measured.total = deserializer.deserialize_any(Total)?;
                Ok(())
            }
            (None, None) => deserializer.deserialize_ignored_any(IgnoredAny).map(|_| ()),
            _ => deserializer.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object on the way to the records")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            map.next_value_seed(Walk {
                items: follow(self.items, &key),
                total: follow(self.total, &key),
                measured: &mut *self.measured,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }

    // Anything but an object where one was expected: the records are not there.
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// Counts an array's elements without building them.
struct Count<'m>(&'m mut Measured, &'m mut bool);

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the records' array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut records = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            records += 1;
        }
        self.0.records = records;
        *self.1 = true;
        Ok(())
    }
}

/// A total: a non-negative integer, else none.
struct Total;

impl<'de> Visitor<'de> for Total {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a total")
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Option<u64>, E> {
        Ok(Some(value))
    }
    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Option<u64>, E> {
        Ok(u64::try_from(value).ok())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u64>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<u64>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_records_and_reads_totals_where_the_pointers_say() {
        let bare = PageShape {
            items: "",
            total: None,
        };
        assert_eq!(
            bare.measure(br#"[{"a":[1,{"b":2}]},{},3]"#)
                .map(|m| m.records)
                .ok(),
            Some(3)
        );
        let nested = PageShape {
            items: "/data/customers",
            total: Some("/data/total_items"),
        };
        let body = br#"{"x":{"customers":[1]},"data":{"total_items":40,"customers":[{"customers":[]},{}]}}"#;
        assert_eq!(
            nested.measure(body).ok(),
            Some(Measured {
                records: 2,
                total: Some(40)
            })
        );
        let negative = br#"{"data":{"customers":[],"total_items":-1}}"#;
        assert_eq!(nested.measure(negative).ok().map(|m| m.total), Some(None));
        let text = br#"{"data":{"customers":[],"total_items":"40"}}"#;
        assert_eq!(nested.measure(text).ok().map(|m| m.total), Some(None));
    }

    #[test]
    fn records_missing_or_not_an_array_and_bad_json_are_errors() {
        let shape = PageShape {
            items: "/data",
            total: None,
        };
        assert!(shape.measure(br#"{"data":{"a":1}}"#).is_err());
        assert!(shape.measure(br#"{"other":[]}"#).is_err());
        assert!(shape.measure(br#"{"data":[1,2]"#).is_err());
        assert!(shape.measure(br#"{"data":[1,2]} x"#).is_err());
        assert_eq!(
            shape.measure(br#"{"data":[]}"#).ok().map(|m| m.records),
            Some(0)
        );
    }
}
