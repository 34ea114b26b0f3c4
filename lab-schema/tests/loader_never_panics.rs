//! No input makes the loader panic: arbitrary bytes and text, TOML-shaped noise, and the
//! shipped labs broken the ways an editor breaks them (lines deleted, duplicated, swapped,
//! values replaced, the file cut short). Every error it returns points inside the file.

use lab_schema::{load_str, LabErrors};
use miette::{GraphicalReportHandler, GraphicalTheme, NarratableReportHandler};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

const FILE: &str = "labs/fuzzed.toml";

/// The shipped labs, read once.
fn labs() -> &'static [String] {
    static LABS: OnceLock<Vec<String>> = OnceLock::new();
    LABS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    })
}

/// Loads `text` and checks what a caller relies on: an error names the file, a line and a
/// column inside the text, and renders in every form the CLI uses.
fn load_and_check(text: &str) -> Result<(), TestCaseError> {
    let Err(errors) = load_str(Path::new(FILE), text) else { return Ok(()) };
    check_errors(text, &errors)
}

fn check_errors(text: &str, errors: &LabErrors) -> Result<(), TestCaseError> {
    prop_assert!(!errors.errors.is_empty());
    let lines: Vec<&str> = text.split('\n').collect();
    for e in &errors.errors {
        prop_assert_eq!(e.file.as_path(), Path::new(FILE));
        prop_assert!(e.line >= 1 && e.line <= lines.len(), "line {} of {}: {}", e.line, lines.len(), e.message);
        let width = lines[e.line - 1].chars().count();
        prop_assert!(e.column >= 1 && e.column <= width + 1, "column {} of {}: {}", e.column, width, e.message);
        prop_assert!(!e.message.trim().is_empty());
    }
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, errors)
        .unwrap();
    NarratableReportHandler::new().render_report(&mut out, errors).unwrap();
    prop_assert!(!errors.one_line_each().is_empty());
    Ok(())
}

/// Values that stress a field: wrong types, edge numbers, odd strings, nested tables, and
/// some that are fine for many fields, so that edited labs also reach validation.
fn odd_value() -> impl Strategy<Value = String> {
    let fine = prop_oneof![
        Just("3".to_string()),
        Just("50".to_string()),
        Just("{ min = 1 }".to_string()),
        Just("\"30s\"".to_string()),
        Just("\"alpine:*\"".to_string()),
        Just("[\"frontend\"]".to_string()),
        Just("\"replicated\"".to_string()),
        Just("\"day6-first-service\"".to_string()),
    ];
    let odd = prop_oneof![
        Just("\"\"".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("1e400".to_string()),
        Just("nan".to_string()),
        Just("true".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("{ min = 5, max = 2 }".to_string()),
        Just("{ min = 18446744073709551615 }".to_string()),
        Just("[\"redis@sha256:00\", \"Redis\"]".to_string()),
        Just("\"ingress\"".to_string()),
        Just("\"é漢字🙂\"".to_string()),
        Just("\"\"\"\nline\n\"\"\"".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        "[a-z0-9 :*@./_=-]{0,12}".prop_map(|s| format!("\"{s}\"")),
    ];
    prop_oneof![3 => odd, 2 => fine, 1 => "[\\PC]{0,12}"]
}

/// Lines a lab author might paste in the wrong place.
fn stray_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[[check]]".to_string()),
        Just("[check]".to_string()),
        Just("[check.service]".to_string()),
        Just("[check.tasks]".to_string()),
        Just("[check.volume]".to_string()),
        Just("[check.network]".to_string()),
        Just("[check.servce]".to_string()),
        Just("id = \"vote\"".to_string()),
        Just("points = 100".to_string()),
        Just("exact = [\"ports\", \"mounts\", \"env\"]".to_string()),
        Just("networks = [\"nowhere\"]".to_string()),
        Just("mounts = [{ type = \"volume\", source = \"x\", target = \"rel\" }]".to_string()),
        Just("ports = [{ published = { min = 0, max = 0 } }, { target = 0 }]".to_string()),
        Just("env = { \"A=B\" = true, \"\" = \"x\" }".to_string()),
        Just("service = \"nobody\"".to_string()),
        Just("name = \"\"".to_string()),
        Just("hostname = \"\"".to_string()),
        Just("wait = \"1d\"".to_string()),
        odd_value().prop_map(|v| format!("x = {v}")),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceValue(usize, String),
    InsertLine(usize, String),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    prop_oneof![
        2 => at.prop_map(Edit::DeleteLine),
        1 => at.prop_map(Edit::DuplicateLine),
        1 => (at, any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        5 => (at, odd_value()).prop_map(|(a, v)| Edit::ReplaceValue(a, v)),
        3 => (at, stray_line()).prop_map(|(a, l)| Edit::InsertLine(a, l)),
        1 => at.prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match edit {
        Edit::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i % n);
        }
        Edit::DuplicateLine(i) if !lines.is_empty() => {
            let l = lines[i % n].clone();
            lines.insert(i % n, l);
        }
        Edit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
        Edit::ReplaceValue(i, v) => {
            // The value of the i-th `key = value` line, whatever it was.
            let keyed: Vec<usize> =
                (0..lines.len()).filter(|&k| lines[k].contains(" = ") && !lines[k].ends_with("\"\"\"")).collect();
            if !keyed.is_empty() {
                let k = keyed[i % keyed.len()];
                let key = lines[k].split(" = ").next().unwrap_or("").to_string();
                lines[k] = format!("{key} = {v}");
            }
        }
        Edit::InsertLine(i, l) => lines.insert(i % (lines.len() + 1), l.clone()),
        Edit::Truncate(at) => {
            let mut cut = at % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return text[..cut].to_string();
        }
        _ => {}
    }
    lines.join("\n") + "\n"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn edited_labs_load_or_fail_cleanly(lab in 0..5usize, edits in prop::collection::vec(edit(), 1..3)) {
        let labs = labs();
        let mut text = labs[lab % labs.len()].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        load_and_check(&text)?;
    }

    /// Only values change, so the file stays TOML and most cases reach validation.
    #[test]
    fn labs_with_other_values_load_or_fail_cleanly(lab in 0..5usize, values in prop::collection::vec((any::<usize>(), odd_value()), 1..5)) {
        let labs = labs();
        let mut text = labs[lab % labs.len()].clone();
        for (at, v) in values {
            text = apply(&text, &Edit::ReplaceValue(at, v));
        }
        load_and_check(&text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_load_or_fail_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        load_and_check(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn arbitrary_text_loads_or_fails_cleanly(text in "\\PC{0,300}") {
        load_and_check(&text)?;
    }

    #[test]
    fn toml_shaped_noise_loads_or_fails_cleanly(text in "([a-z_\\[\\]{}\"'=.,:*@0-9 #-]{0,40}\n){0,20}") {
        load_and_check(&text)?;
    }

    #[test]
    fn a_lab_cut_anywhere_loads_or_fails_cleanly(lab in 0..5usize, at in any::<usize>()) {
        let labs = labs();
        let text = apply(&labs[lab % labs.len()], &Edit::Truncate(at));
        load_and_check(&text)?;
    }
}

/// Regression: the points were summed with `+=`, so two checks of i64::MAX points
/// overflowed (a panic in debug builds) instead of being reported.
#[test]
fn points_past_i64_max_are_reported_not_overflowed() {
    let check = |id: &str| {
        format!(
            "[[check]]\nid = \"{id}\"\ntitle = \"t\"\npoints = 9223372036854775807\nhint = \"h\"\nfix = \"f\"\n[check.swarm]\nactive = true\n"
        )
    };
    let text = format!(
        "id = \"fuzzed\"\ntitle = \"t\"\nlesson = \"l.md\"\ngoal = \"g\"\nanswer = \"docker swarm init\"\n{}{}",
        check("a"),
        check("b")
    );
    let errors = load_str(Path::new(FILE), &text).expect_err("huge points must be rejected");
    assert!(errors.one_line_each().contains("a check is worth 1 to 100 points"), "{}", errors.one_line_each());
}
