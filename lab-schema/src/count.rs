//! `Count`: how many of something a lab expects, written as a bare number (`3`, exactly
//! three) or as a range table (`{ min = 2 }`, `{ min = 1024, max = 65535 }`).

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An inclusive range of counts; `exact(n)` is `min = max = n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

impl Count {
    pub const fn exact(n: u64) -> Self {
        Count { min: Some(n), max: Some(n) }
    }
    pub const fn at_least(n: u64) -> Self {
        Count { min: Some(n), max: None }
    }
    pub fn matches(&self, n: u64) -> bool {
        self.min.is_none_or(|m| n >= m) && self.max.is_none_or(|m| n <= m)
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (Some(a), Some(b)) => write!(f, "{a} to {b}"),
            (Some(a), None) => write!(f, "at least {a}"),
            (None, Some(b)) => write!(f, "at most {b}"),
            (None, None) => write!(f, "any number"),
        }
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative number (`3`) or a range table (`{ min = 2 }`, `{ min = 1, max = 5 }`)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
                u64::try_from(v)
                    .map(Count::exact)
                    .map_err(|_| E::custom(format!("a count cannot be negative, found {v}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count, E> {
                Ok(Count::exact(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Count, A::Error> {
                let mut c = Count { min: None, max: None };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "min" => c.min = Some(map.next_value()?),
                        "max" => c.max = Some(map.next_value()?),
                        other => {
                            return Err(de::Error::unknown_field(other, &["min", "max"]));
                        }
                    }
                }
                match (c.min, c.max) {
                    (None, None) => Err(de::Error::custom("a range needs `min`, `max` or both")),
                    (Some(a), Some(b)) if a > b => {
                        Err(de::Error::custom(format!("`min` ({a}) is larger than `max` ({b})")))
                    }
                    _ => Ok(c),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(json: &str) -> Result<Count, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn bounds_are_inclusive() {
        let range = Count { min: Some(2), max: Some(4) };
        assert_eq!([1, 2, 3, 4, 5].map(|n| range.matches(n)), [false, true, true, true, false]);
        assert_eq!([2, 3, 4].map(|n| Count::exact(3).matches(n)), [false, true, false]);
        assert_eq!([0, 1, 99].map(|n| Count::at_least(1).matches(n)), [false, true, true]);
        assert_eq!([0, 5, 6].map(|n| Count { min: None, max: Some(5) }.matches(n)), [true, true, false]);
        assert!(Count { min: None, max: None }.matches(u64::MAX));
    }

    #[test]
    fn displays_as_a_lab_reads() {
        assert_eq!(Count::exact(3).to_string(), "3");
        assert_eq!(Count { min: Some(1), max: Some(5) }.to_string(), "1 to 5");
        assert_eq!(Count::at_least(2).to_string(), "at least 2");
        assert_eq!(Count { min: None, max: Some(5) }.to_string(), "at most 5");
        assert_eq!(Count { min: None, max: None }.to_string(), "any number");
    }

    #[test]
    fn reads_a_number_or_a_range_table() {
        assert_eq!(count("3"), Ok(Count::exact(3)));
        assert_eq!(count(r#"{"min": 2}"#), Ok(Count::at_least(2)));
        assert_eq!(count(r#"{"max": 2}"#), Ok(Count { min: None, max: Some(2) }));
        assert_eq!(count(r#"{"min": 2, "max": 2}"#), Ok(Count::exact(2)));
        // i64 path: TOML integers arrive signed.
        assert_eq!(toml::from_str::<std::collections::BTreeMap<String, Count>>("n = 4").unwrap()["n"], Count::exact(4));
    }

    #[test]
    fn refuses_negative_empty_inverted_and_unknown() {
        let neg = toml::from_str::<std::collections::BTreeMap<String, Count>>("n = -1").unwrap_err().to_string();
        assert!(neg.contains("a count cannot be negative, found -1"), "{neg}");
        assert!(count("{}").unwrap_err().contains("a range needs `min`, `max` or both"));
        assert!(count(r#"{"min": 3, "max": 2}"#).unwrap_err().contains("`min` (3) is larger than `max` (2)"));
        assert!(count(r#"{"least": 3}"#).unwrap_err().contains("unknown field `least`"));
        assert!(count(r#""3""#).unwrap_err().contains("a non-negative number (`3`) or a range table"));
    }
}
