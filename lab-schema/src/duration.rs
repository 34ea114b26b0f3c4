//! Durations as lab authors and learners write them: `90s`, `2m`, `1m30s`, `500ms`, `1h`.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A duration parsed from `90s`-style text; displays back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LabDuration(pub Duration);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a duration: {why}; write it like `90s`, `2m`, `1m30s` or `500ms`")]
pub struct DurationError {
    pub text: String,
    pub why: &'static str,
}

impl FromStr for LabDuration {
    type Err = DurationError;
    fn from_str(text: &str) -> Result<Self, DurationError> {
        let err = |why| DurationError { text: text.to_string(), why };
        let s = text.trim();
        if s.is_empty() {
            return Err(err("it is empty"));
        }
        if s == "0" {
            return Ok(LabDuration(Duration::ZERO));
        }
        let mut total = Duration::ZERO;
        let mut rest = s;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return Err(err("each part must start with a number"));
            }
            let n: u64 = rest[..digits].parse().map_err(|_| err("the number is too large"))?;
            rest = &rest[digits..];
            let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let part = match unit {
                "ms" => Duration::from_millis(n),
                "s" => Duration::from_secs(n),
                "m" => Duration::from_secs(n.saturating_mul(60)),
                "h" => Duration::from_secs(n.saturating_mul(3600)),
                "" => return Err(err("a number needs a unit (ms, s, m or h)")),
                _ => return Err(err("the unit must be ms, s, m or h")),
            };
            total = total.saturating_add(part);
        }
        Ok(LabDuration(total))
    }
}

impl fmt::Display for LabDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        if !ms.is_multiple_of(1000) {
            return write!(f, "{ms}ms");
        }
        let secs = ms / 1000;
        let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

impl Serialize for LabDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LabDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LabDuration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration string such as \"90s\" or \"2m\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LabDuration, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_the_docs_promise() {
        let d = |s: &str| s.parse::<LabDuration>().unwrap().0;
        assert_eq!(d("90s"), Duration::from_secs(90));
        assert_eq!(d("2m"), Duration::from_secs(120));
        assert_eq!(d("1m30s"), Duration::from_secs(90));
        assert_eq!(d("500ms"), Duration::from_millis(500));
        assert_eq!(d("1h"), Duration::from_secs(3600));
        assert_eq!(d("0"), Duration::ZERO);
    }

    #[test]
    fn rejects_unitless_and_unknown_units() {
        for bad in ["", "90", "s", "1d", "1.5s", "-3s", "m3"] {
            assert!(bad.parse::<LabDuration>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn displays_round_trip() {
        for s in ["90s", "2m", "1m30s", "500ms", "1h", "0s"] {
            let d: LabDuration = s.parse().unwrap();
            let back = d.to_string();
            assert_eq!(back.parse::<LabDuration>().unwrap(), d);
        }
        assert_eq!("90s".parse::<LabDuration>().unwrap().to_string(), "1m30s");
    }

    #[test]
    fn displays_hours_minutes_seconds_or_milliseconds() {
        let show = |ms: u64| LabDuration(Duration::from_millis(ms)).to_string();
        assert_eq!(show(0), "0s");
        assert_eq!(show(1500), "1500ms");
        assert_eq!(show(3_600_000), "1h");
        assert_eq!(show(3_661_000), "1h1m1s");
        assert_eq!(show(3_601_000), "1h1s");
        assert_eq!(show(60_000), "1m");
        assert_eq!(show(7_260_000), "2h1m");
    }

    #[test]
    fn sums_its_parts_and_says_what_is_wrong() {
        let d = |s: &str| s.parse::<LabDuration>().map(|d| d.0);
        assert_eq!(d(" 1h2m3s "), Ok(Duration::from_secs(3723)));
        assert_eq!(d("1s500ms"), Ok(Duration::from_millis(1500)));
        let why = |s: &str| d(s).unwrap_err().why;
        assert_eq!(why(" "), "it is empty");
        assert_eq!(why("s"), "each part must start with a number");
        assert_eq!(why("90"), "a number needs a unit (ms, s, m or h)");
        assert_eq!(why("1d"), "the unit must be ms, s, m or h");
        assert_eq!(why("99999999999999999999s"), "the number is too large");
        let e = d("1d").unwrap_err().to_string();
        assert_eq!(
            e,
            "`1d` is not a duration: the unit must be ms, s, m or h; write it like `90s`, `2m`, `1m30s` or `500ms`"
        );
        // Huge but valid: saturates instead of overflowing.
        assert_eq!(d("18446744073709551615h"), Ok(Duration::from_secs(u64::MAX)));
    }

    #[test]
    fn serde_reads_and_writes_the_text_form() {
        let d: LabDuration = serde_json::from_str(r#""2m""#).unwrap();
        assert_eq!(d.0, Duration::from_secs(120));
        assert_eq!(serde_json::to_string(&d).unwrap(), r#""2m""#);
        let e = serde_json::from_str::<LabDuration>("120").unwrap_err().to_string();
        assert!(e.contains("a duration string such as"), "{e}");
        let e = serde_json::from_str::<LabDuration>(r#""2x""#).unwrap_err().to_string();
        assert!(e.contains("the unit must be"), "{e}");
    }
}
