//! Typed flag values and their limits, shared by every command: clap calls these parsers
//! while it reads the command line, so a bad duration, count or engine address is a usage
//! error (exit 2, naming the flag) before any command starts.

use lab_i18n::{words, Language};
use std::time::Duration;

/// The longest `--wait` or `--timeout` taken: a day is already more than any lab needs.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// Why a flag's value was refused: a message of the catalog and its values, shown in the
/// run's language when clap reports it (`Display` is English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    word: &'static str,
    values: Vec<(&'static str, Value)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Text(String),
    /// A word of the catalog, itself translated.
    Word(&'static str),
}

impl Invalid {
    fn new(word: &'static str, values: &[(&'static str, &dyn std::fmt::Display)]) -> Invalid {
        Invalid { word, values: values.iter().map(|(k, v)| (*k, Value::Text(v.to_string()))).collect() }
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Language) -> String {
        let shown: Vec<(&str, String)> = self
            .values
            .iter()
            .map(|(k, v)| match v {
                Value::Text(t) => (*k, t.clone()),
                Value::Word(w) => (*k, lang.tr(w).into_owned()),
            })
            .collect();
        let values: Vec<(&str, &dyn std::fmt::Display)> =
            shown.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
        lang.fill(self.word, &values)
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Language::english()))
    }
}

impl std::error::Error for Invalid {}

/// A duration written as the labs write them (`90s`, `2m`, `1m30s`, `500ms`), more than 0
/// and at most [`MAX_DURATION`].
pub fn duration(text: &str) -> Result<Duration, Invalid> {
    let d = text
        .parse::<lab_schema::LabDuration>()
        .map_err(|e| Invalid {
            word: words::VALUE_NOT_A_DURATION,
            values: vec![("text", Value::Text(e.text.to_string())), ("why", Value::Word(e.why))],
        })?
        .0;
    if d.is_zero() {
        return Err(Invalid::new(words::VALUE_ZERO, &[("text", &text)]));
    }
    if d > MAX_DURATION {
        return Err(Invalid::new(words::VALUE_TOO_LONG, &[("text", &text)]));
    }
    Ok(d)
}

/// A count between `min` and `max`, as a clap value parser: `count(1, 20)`.
pub fn count(min: usize, max: usize) -> impl Fn(&str) -> Result<usize, Invalid> + Clone + Send + Sync + 'static {
    move |text: &str| {
        let n: usize = text.trim().parse().map_err(|_| Invalid::new(words::VALUE_NOT_A_NUMBER, &[("text", &text)]))?;
        if n < min || n > max {
            return Err(Invalid::new(words::VALUE_OUT_OF_RANGE, &[("n", &n), ("min", &min), ("max", &max)]));
        }
        Ok(n)
    }
}

/// An engine address, as `docker -H` takes it (the one parser: [`lab_engine::endpoint::parse_host`]).
pub fn host(text: &str) -> Result<String, String> {
    lab_engine::endpoint::parse_host(text).map_err(|e| e.to_string())
}

/// A practice-swarm node as the book names it, `node2`, or its number, `2`.
pub fn node(text: &str) -> Result<usize, Invalid> {
    let digits = text.strip_prefix("node").unwrap_or(text);
    match digits.parse::<usize>() {
        Ok(n) if (1..=practice_driver::MAX_NODES).contains(&n) => Ok(n),
        _ => Err(Invalid::new(words::VALUE_NOT_A_NODE, &[("text", &text)])),
    }
}

/// A check or lab id: not empty, no spaces.
pub fn id(text: &str) -> Result<String, Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid::new(words::VALUE_EMPTY_ID, &[]));
    }
    Ok(text.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_must_be_positive_and_at_most_a_day() {
        assert_eq!(duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("24h"), Ok(MAX_DURATION));
        assert!(duration("0").unwrap_err().to_string().contains("zero"));
        assert!(duration("0s").unwrap_err().to_string().contains("zero"));
        assert!(duration("25h").unwrap_err().to_string().contains("more than a day"));
        assert!(duration("soon").unwrap_err().to_string().contains("is not a duration"));
        assert!(duration("30").unwrap_err().to_string().contains("needs a unit"));
    }

    #[test]
    fn counts_keep_to_their_range() {
        let nodes = count(1, 20);
        assert_eq!(nodes("1"), Ok(1));
        assert_eq!(nodes("20"), Ok(20));
        assert!(nodes("0").unwrap_err().to_string().contains("give 1 to 20"));
        assert!(nodes("21").unwrap_err().to_string().contains("give 1 to 20"));
        assert!(nodes("-1").unwrap_err().to_string().contains("not a whole number"));
        assert!(nodes("three").unwrap_err().to_string().contains("not a whole number"));
    }

    #[test]
    fn hosts_go_through_the_one_parser() {
        assert_eq!(host("tcp://10.0.0.1:2376"), Ok("tcp://10.0.0.1:2376".into()));
        assert!(host("http://10.0.0.1:2375").unwrap_err().to_string().contains("http://"));
    }

    #[test]
    fn nodes_are_named_as_the_book_names_them_or_numbered() {
        assert_eq!(node("node2"), Ok(2));
        assert_eq!(node("3"), Ok(3));
        assert!(node("node0").is_err());
        assert!(node("manager").unwrap_err().to_string().contains("give node1, node2"));
    }

    #[test]
    fn ids_are_not_empty() {
        assert_eq!(id(" vote "), Ok("vote".into()));
        assert!(id("").is_err());
    }
}
