//! Reading lab files: TOML → raw layer → validated [`Lab`], with every problem reported as
//! a diagnostic that names the file, the line and column, and what was expected.

use crate::assertion::ASSERTION_KINDS;
pub use crate::diagnostic::{LabError, LabErrors};
use crate::lab::{Lab, RawLab};
use crate::validate;
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Loads and validates one lab file. The file's stem must be the lab id.
pub fn load_file(path: &Path) -> Result<Lab, LabErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| LabErrors {
        file: path.to_path_buf(),
        errors: vec![LabError::new(
            path,
            &Arc::new(String::new()),
            None,
            format!("cannot read {}: {e}", path.display()),
            "",
            Some("check the path; lab files live in labs/<lab-id>.toml".into()),
        )],
    })?;
    load_str(path, &text)
}

/// Loads and validates lab text as if read from `path` (used for embedded labs and tests).
pub fn load_str(path: &Path, text: &str) -> Result<Lab, LabErrors> {
    let text = Arc::new(text.to_string());
    let one = |error| LabErrors { file: path.to_path_buf(), errors: vec![error] };
    // Parsing first, then deserializing, tells a TOML syntax error from a lab-format one.
    let document = toml::Deserializer::parse(&text).map_err(|e| one(syntax_error(path, &text, &e)))?;
    let raw = RawLab::deserialize(document).map_err(|e| one(format_error(path, &text, &e)))?;
    validate::validate(path, &text, raw).map_err(|errors| LabErrors { file: path.to_path_buf(), errors })
}

/// A TOML syntax error, worded for a lab author.
fn syntax_error(path: &Path, text: &Arc<String>, e: &toml::de::Error) -> LabError {
    let message = e.message().trim().replace('\n', " ");
    let span = e.span();
    let at = span.as_ref().and_then(|s| text.get(s.clone())).unwrap_or("");
    let (message, label, help) = if message == "duplicate key" {
        (
            format!("invalid TOML: `{at}` is set twice in the same table"),
            "second definition",
            Some("each key and each [table] may appear once; every check starts a new [[check]]".to_string()),
        )
    } else if message.starts_with("invalid basic string") || message.starts_with("invalid literal string") {
        (
            "invalid TOML: this string is never closed".to_string(),
            "the line ends here",
            Some("close it on the same line, or use \"\"\"…\"\"\" for text over several lines".to_string()),
        )
    } else if message.starts_with("string values must be quoted") {
        (
            format!("invalid TOML: the value `{at}` is not quoted"),
            "a bare word",
            Some(format!("write it as \"{at}\"; only numbers, true, false, lists and tables go unquoted")),
        )
    } else {
        (format!("invalid TOML: {message}"), "here", None)
    };
    LabError::new(path, text, span, message, label, help)
}

/// A TOML document that is not a lab, worded for a lab author: which field, what it takes,
/// what was found, and the likely name when one is misspelt.
fn format_error(path: &Path, text: &Arc<String>, e: &toml::de::Error) -> LabError {
    let message = e.message().trim().replace('\n', " ");
    let keys = key_path(e);
    let field = keys.join(".");
    let mut span = e.span();
    let at = span.as_ref().and_then(|s| text.get(s.clone())).unwrap_or("");

    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = backticked(expected);
        let header = span
            .as_ref()
            .and_then(|s| text.get(..s.start))
            .is_some_and(|before| before.trim_end().ends_with("[check."));
        if keys == ["check"] && (header || closest(name, ASSERTION_KINDS).is_some()) {
            let help = match closest(name, ASSERTION_KINDS) {
                Some(kind) => format!("did you mean [check.{kind}]?"),
                None => "labs/README.md describes each assertion kind".to_string(),
            };
            return LabError::new(
                path,
                text,
                span,
                format!("`{name}` is not an assertion kind, expected {}", one_of(ASSERTION_KINDS)),
                "unknown assertion kind",
                Some(help),
            );
        }
        let within = match keys.as_slice() {
            [] => "at the top of the lab".to_string(),
            [c] if c == "check" => "in a [[check]]".to_string(),
            [c, kind] if c == "check" => format!("in [check.{kind}]"),
            [d] if d == "drill" => "in a [[drill]]".to_string(),
            _ => format!("in `{field}`"),
        };
        let expected_text = if keys == ["check"] {
            let fields: Vec<&str> = expected.iter().copied().filter(|n| !ASSERTION_KINDS.contains(n)).collect();
            let fields: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            format!("a check takes {} and one assertion table ({})", fields.join(", "), ASSERTION_KINDS.join(", "))
        } else {
            format!("expected {}", one_of(&expected))
        };
        let help = closest(name, &expected)
            .map(|n| format!("did you mean `{n}`?"))
            .unwrap_or_else(|| "labs/README.md lists the fields each table takes".to_string());
        return LabError::new(
            path,
            text,
            span,
            format!("unknown field `{name}` {within}; {expected_text}"),
            "unknown field",
            Some(help),
        );
    }

    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = backticked(expected);
        let help = closest(name, &expected).map(|n| format!("did you mean `{n}`?")).or_else(|| example(&keys, ""));
        return LabError::new(
            path,
            text,
            span,
            format!("`{field}` cannot be `{name}`, expected {}", one_of(&expected)),
            "unknown value",
            help,
        );
    }

    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        let (message, label, help) = match keys.as_slice() {
            [] => (
                format!("the lab has no `{name}`"),
                "in this lab",
                "every lab needs `id`, `title`, `lesson`, `goal` and `answer`, and [[check]] tables".to_string(),
            ),
            [c] if c == "check" => (
                match span.as_ref().and_then(|s| check_id_after(text, s.start)) {
                    Some(id) => format!("check `{id}` has no `{name}`"),
                    None => format!("a [[check]] has no `{name}`"),
                },
                "this check",
                "every check needs `id`, `title`, `points`, `hint` and `fix`, and one assertion table".to_string(),
            ),
            [d] if d == "drill" => (
                format!("a [[drill]] has no `{name}`"),
                "this drill",
                "every drill needs `id`, `title`, `fault` and `hint`, and an `expect` table".to_string(),
            ),
            _ => (
                format!("`{field}` needs `{name}`"),
                if keys.last().is_some_and(|k| k == "mounts") { "this mount" } else { "this table" },
                if name == "target" {
                    "a mount is identified by its `target`, the absolute path inside the container".to_string()
                } else {
                    "labs/README.md lists the fields each table needs".to_string()
                },
            ),
        };
        return LabError::new(path, text, span, message, label, Some(help));
    }

    let invalid = message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "));
    if let Some((found, expected)) = invalid.and_then(|m| m.split_once(", expected ")) {
        let takes = takes(&keys).unwrap_or_else(|| plain_expected(expected));
        let message = if field.is_empty() {
            format!("the lab must be {takes}, found {}", plain_found(found))
        } else {
            format!("`{field}` must be {takes}, found {}", plain_found(found))
        };
        return LabError::new(path, text, span, message, "this value", example(&keys, found));
    }

    // Our own visitors' messages (counts, images, durations) say what is wrong; add where.
    if at.starts_with('[') {
        if let Some(named) = message.strip_prefix('`').and_then(|m| m.split_once('`')).map(|(n, _)| n) {
            span = span.map(|s| narrow_to_quoted(text, s, named));
        }
    }
    let message = if field.is_empty() { message } else { format!("`{field}`: {message}") };
    let help = example(&keys, &format!("string {at}"));
    LabError::new(path, text, span, message, "this value", help)
}

/// The dotted key path toml recorded for a deserialization error (`check.service.ports`).
/// toml keeps it private and prints it only when it has no source text to show, so it is
/// read back from that form of the message.
fn key_path(e: &toml::de::Error) -> Vec<String> {
    let mut bare = e.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    shown
        .trim_end()
        .rsplit_once("\nin `")
        .and_then(|(_, p)| p.strip_suffix('`'))
        .map(|p| p.split('.').map(str::to_string).collect())
        .unwrap_or_default()
}

/// The names serde lists in backticks: "expected one of `a`, `b`" → [a, b].
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
fn one_of(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_string(),
        [a] => format!("`{a}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => format!("one of {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
    }
}

/// The expected name a misspelt or docker-CLI-flavoured `name` most likely meant.
fn closest<'a>(name: &str, expected: &[&'a str]) -> Option<&'a str> {
    const SYNONYMS: &[(&str, &str)] = &[
        ("destination", "target"),
        ("dst", "target"),
        ("dest", "target"),
        ("container", "target"),
        ("src", "source"),
        ("file", "target"),
        ("at_least", "min"),
        ("minimum", "min"),
        ("at_most", "max"),
        ("maximum", "max"),
        ("ro", "readonly"),
        ("read_only", "readonly"),
        ("host", "published"),
        ("failed", "replaced"),
        ("restarted", "replaced"),
        ("constraint", "constraints"),
        ("network", "networks"),
        ("port", "ports"),
        ("mount", "mounts"),
    ];
    let lower = name.to_ascii_lowercase();
    if let Some(&(_, to)) = SYNONYMS.iter().find(|(from, to)| *from == lower && expected.contains(to)) {
        return expected.iter().copied().find(|e| *e == to);
    }
    crate::spelling::closest(&lower, expected.iter().copied(), (name.chars().count() / 3).max(1))
}

const COUNT_FIELDS: &[&str] = &["replicas", "running", "nodes", "ready_nodes", "managers", "count", "replaced"];
const BOOL_FIELDS: &[&str] = &["active", "manager", "leader", "encrypted", "attachable", "internal", "readonly"];

/// What the field at `keys` takes, in the words of labs/README.md, where serde's own
/// wording ("a sequence", "i64", "struct ServiceAssertion") would not help a lab author.
fn takes(keys: &[String]) -> Option<String> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    if let ["check", kind] = keys.as_slice() {
        if ASSERTION_KINDS.contains(kind) {
            return Some(format!("a table ([check.{kind}])"));
        }
    }
    Some(
        match keys.as_slice() {
            ["check"] => "an array of tables ([[check]])",
            ["check", "points"] => "a whole number of points from 1 to 100",
            [.., "ports", "target"] => "a port number from 1 to 65535",
            [.., "published"] => "a port number or a range of ports",
            [.., "published", "min" | "max"] => "a port number from 1 to 65535",
            [.., c, "min" | "max"] if COUNT_FIELDS.contains(c) => "a whole number, 0 or more",
            [.., c] if COUNT_FIELDS.contains(c) => "a count: a whole number or a range table",
            [.., b] if BOOL_FIELDS.contains(b) => "`true` or `false`",
            [.., "service", "ports"] => "a list of port tables",
            [.., "service", "mounts"] => "a list of mount tables",
            [.., "service", "networks"] => "a list of network names",
            [.., "service", "constraints"] => "a list of placement constraints",
            [.., "service", "exact"] => "a list of field names",
            [.., "service", "env"] => "a table of environment variables",
            _ => return None,
        }
        .to_string(),
    )
}

/// An example of the right form for the field at `keys`, given what was `found`.
fn example(keys: &[String], found: &str) -> Option<String> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let quoted_number = found
        .strip_prefix("string \"")
        .and_then(|s| s.strip_suffix('"'))
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()));
    let number = found.strip_prefix("integer `").and_then(|s| s.strip_suffix('`'));
    Some(match keys.as_slice() {
        ["check"] => {
            "start each check with [[check]], two brackets; its assertion table, such as [check.service], follows"
                .to_string()
        }
        ["check", kind] if ASSERTION_KINDS.contains(kind) => {
            format!("write [check.{kind}] on a line of its own, then its fields, one per line")
        }
        [.., leaf @ ("points" | "target" | "published" | "min" | "max")] if quoted_number.is_some() => {
            format!("drop the quotes: `{leaf} = {}`", quoted_number.unwrap_or_default())
        }
        ["check", "points"] => "e.g. `points = 10`; the points of a lab's checks add up to 100".to_string(),
        [.., c] if COUNT_FIELDS.contains(c) => match quoted_number {
            Some(n) => format!("drop the quotes: `{c} = {n}`"),
            None => format!("e.g. `{c} = 3`, `{c} = {{ min = 2 }}` or `{c} = {{ min = 1, max = 5 }}`"),
        },
        [.., "published"] => "e.g. `published = 8080`, or `published = { min = 1024 }` for any high port".to_string(),
        [.., b] if BOOL_FIELDS.contains(b) && matches!(found, "string \"true\"" | "string \"false\"") => {
            format!("drop the quotes: `{b} = {}`", found.trim_start_matches("string ").trim_matches('"'))
        }
        [.., "service", "ports"] => {
            "e.g. `ports = [{ target = 80, published = 8080 }]`; `ports = []` means no published port".to_string()
        }
        [.., "service", "mounts"] => {
            "e.g. `mounts = [{ type = \"volume\", source = \"db-data\", target = \"/data\" }]`".to_string()
        }
        [.., "service", "networks"] => "e.g. `networks = [\"frontend\", \"backend\"]`".to_string(),
        [.., "service", "constraints"] => "e.g. `constraints = [\"node.role == manager\"]`".to_string(),
        [.., "service", "exact"] => {
            "only list fields can be exact, e.g. `exact = [\"ports\", \"networks\"]`".to_string()
        }
        [.., "service", "env"] => "e.g. `env = { POSTGRES_PASSWORD = true, PGDATA = \"/data\" }`".to_string(),
        [.., "env", var] => match number {
            Some(n) => format!("quote the value: `{var} = \"{n}\"`"),
            None => format!("`{var} = true` (set), `{var} = false` (not set) or `{var} = \"value\"`"),
        },
        [.., "wait"] => match (number, quoted_number) {
            (Some(n), _) | (_, Some(n)) => format!("give it a unit: `wait = \"{n}s\"`"),
            _ => return None,
        },
        [.., "image"] => {
            "e.g. `image = \"redis:3.2\"`, `image = \"redis:*\"` (any tag) or a list of alternatives".to_string()
        }
        _ => return None,
    })
}

/// serde's "expected" wording, in a lab author's words.
fn plain_expected(expected: &str) -> String {
    match expected {
        "a sequence" => "a list".to_string(),
        "a map" => "a table".to_string(),
        "a boolean" => "`true` or `false`".to_string(),
        "i64" | "u64" | "u32" | "i32" => "a whole number".to_string(),
        "u16" => "a whole number from 0 to 65535".to_string(),
        e if e.starts_with("struct ") => "a table".to_string(),
        e => e.to_string(),
    }
}

/// serde's description of what was found ("map", "string \"x\""), in a lab author's words.
fn plain_found(found: &str) -> String {
    if found == "map" {
        return "a table".to_string();
    }
    if found == "sequence" {
        return "a list".to_string();
    }
    if let Some(s) = found.strip_prefix("string ") {
        return format!("the string {s}");
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(n) = found.strip_prefix(prefix) {
            return format!("the number {}", n.trim_matches('`'));
        }
    }
    if let Some(b) = found.strip_prefix("boolean ") {
        return b.to_string();
    }
    found.to_string()
}

/// Within a list's span, the span of the entry `"needle"`, so a bad entry is underlined
/// rather than the whole list.
fn narrow_to_quoted(text: &str, span: Range<usize>, needle: &str) -> Range<usize> {
    let Some(hay) = text.get(span.clone()) else { return span };
    for q in ['"', '\''] {
        if let Some(i) = hay.find(&format!("{q}{needle}{q}")) {
            return span.start + i..span.start + i + needle.len() + 2;
        }
    }
    span
}

/// The `id` of the check whose `[[check]]` header starts at `header`, read from the text
/// (used when the check could not be deserialized).
fn check_id_after(text: &str, header: usize) -> Option<String> {
    let rest = text.get(header..)?;
    rest.lines().skip(1).take_while(|l| !l.trim_start().starts_with('[')).find_map(|l| {
        let value = l.trim().strip_prefix("id")?.trim_start().strip_prefix('=')?.trim();
        let q = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        value[1..].split(q).next().map(str::to_string)
    })
}

/// The lab files in a directory, sorted by id, each loaded and validated.
pub fn load_dir(dir: &Path) -> Result<Vec<Lab>, Vec<LabErrors>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect()
        }
        Err(e) => {
            return Err(vec![LabErrors {
                file: dir.to_path_buf(),
                errors: vec![LabError::new(
                    dir,
                    &Arc::new(String::new()),
                    None,
                    format!("cannot read the lab directory {}: {e}", dir.display()),
                    "",
                    Some("pass --labs DIR or set SWARM_LAB_LABS to the folder holding <lab-id>.toml files".into()),
                )],
            }])
        }
    };
    files.sort();
    let (mut labs, mut errors) = (Vec::new(), Vec::new());
    for f in files {
        match load_file(&f) {
            Ok(l) => labs.push(l),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(labs)
    } else {
        Err(errors)
    }
}

impl fmt::Display for crate::lab::AnswerStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Some(n) => write!(f, "{n}$ {}", self.command),
            None => f.write_str(&self.command),
        }
    }
}
