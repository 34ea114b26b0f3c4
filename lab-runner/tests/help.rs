//! `lab --help` and clap's usage errors in both languages. English is the default and stays
//! byte-identical (insta snapshots of every command's help and of the usage errors, taken
//! before the help became translatable); under a zh-TW locale or `--lang zh-TW` the same
//! help and errors are Chinese, with flags, value names, ids and commands unchanged.

mod support;
use support::*;

/// Every command whose help is pinned, as its words after `lab`.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["list"],
    &["show"],
    &["validate"],
    &["check"],
    &["solve"],
    &["demo"],
    &["grade"],
    &["serve"],
    &["cluster"],
    &["cluster", "up"],
    &["cluster", "env"],
    &["cluster", "shell"],
    &["cluster", "status"],
    &["cluster", "down"],
    &["cluster", "forward"],
    &["completions"],
];

/// `lab ARGS` with a fixed terminal width, no colours and `env`; (stdout, stderr, exit code).
fn run(args: &[&str], env: &[(&str, &str)]) -> (String, String, i32) {
    let mut all = vec![("COLUMNS", "100")];
    all.extend_from_slice(env);
    let o = lab_with_env("unix:///nonexistent.sock", args, &all);
    (stdout(&o), String::from_utf8_lossy(&o.stderr).to_string(), o.status.code().unwrap_or(-1))
}

fn snapshot_name(path: &[&str], flag: &str) -> String {
    let mut name = vec!["lab"];
    name.extend_from_slice(path);
    format!("{}{}", name.join("_"), flag.replace('-', "_"))
}

#[test]
fn english_help_is_unchanged() {
    for path in COMMANDS {
        for flag in ["--help", "-h"] {
            let mut args = path.to_vec();
            args.push(flag);
            let (out, err, code) = run(&args, &[]);
            assert_eq!((code, err.as_str()), (0, ""), "lab {}", args.join(" "));
            insta::assert_snapshot!(snapshot_name(path, flag), out);
        }
    }
}

#[test]
fn english_usage_errors_are_unchanged() {
    let cases: &[(&str, &[&str])] = &[
        ("error_missing_argument", &["check"]),
        ("error_unknown_flag", &["check", "x", "--formt", "json"]),
        ("error_invalid_value", &["check", "x", "--format", "xml"]),
        ("error_bad_duration", &["check", "x", "--wait", "soon"]),
        ("error_unknown_command", &["chek"]),
        ("error_flag_conflict", &["check", "x", "--wait", "1m", "--watch"]),
        ("error_cross_flag_rule", &["cluster", "up", "--nodes", "2", "--managers", "3"]),
        ("error_no_command", &[]),
    ];
    for (name, args) in cases {
        let (out, err, code) = run(args, &[]);
        assert_eq!((code, out.as_str()), (2, ""), "lab {}", args.join(" "));
        insta::assert_snapshot!(*name, err);
    }
}

const ZH: &[(&str, &str)] = &[("LANG", "zh_TW.UTF-8")];

/// The `--flags` a help text names, in order of appearance.
fn flags(help: &str) -> Vec<String> {
    let mut out: Vec<String> = help
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '`' | '，' | '（' | '）' | '：' | '、')
        })
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches(['.', ';', ':', '；', '。']).to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `text` with each `--flag` and the lowercase value after it replaced by `§`.
fn without_flags(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("--") {
        out.push_str(&rest[..at]);
        out.push('§');
        let flag_end =
            rest[at + 2..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).map_or(rest.len(), |e| at + 2 + e);
        rest = &rest[flag_end..];
        if let Some(value) = rest.strip_prefix(' ') {
            let end = value.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit())).unwrap_or(value.len());
            if end > 0 {
                rest = &value[end..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Names and terms the Chinese text keeps in English (book/po/GLOSSARY.md).
const KEPT_IN_ENGLISH: &[&str] = &[
    "Worker Node",
    "Manager Node",
    "Docker Desktop",
    "Docker-in-Docker",
    "Docker Swarm",
    "Docker context",
    "Docker engine",
    "docker CLI",
    "network namespace",
    "Engine 29",
    "Node image",
    "Routing Mesh",
];

/// English a Chinese help text left: runs of two or more English words outside `code`,
/// once the usage line, the flag column and what is a value (commands, paths, JSON) are set
/// aside.
fn english_left(help: &str) -> Vec<String> {
    let mut left = Vec::new();
    for line in help.lines() {
        let line = line.trim_start();
        if line.starts_with("用法：")
            || line.starts_with('-') && line.contains("  ") && !line.contains(|c: char| c > '\u{2e80}')
        {
            continue;
        }
        // The flag column: `-H, --host <HOST>  說明` keeps only the description.
        let text = if line.starts_with('-') || line.starts_with('<') {
            line.split_once("  ").map(|(_, d)| d).unwrap_or("")
        } else {
            line
        };
        // Flags and their values (`--format json`, `--only vote`) are typed as they are.
        let mut text = without_flags(text);
        for term in KEPT_IN_ENGLISH {
            text = text.replace(term, "§");
        }
        for run in lab_i18n::untranslated::english_runs(&text) {
            // Commands and their flags quoted as examples stay as typed.
            let command =
                ["lab ", "docker ", "eval "].iter().any(|c| run.starts_with(c)) || text.contains(&format!("$({run}"));
            if !command {
                left.push(format!("{run:?} in {line:?}"));
            }
        }
    }
    left
}

#[test]
fn chinese_help_for_every_command_keeps_its_flags() {
    for path in COMMANDS {
        for flag in ["--help", "-h"] {
            let mut args = path.to_vec();
            args.push(flag);
            let (zh, err, code) = run(&args, ZH);
            assert_eq!((code, err.as_str()), (0, ""), "lab {}", args.join(" "));
            let (en, _, _) = run(&args, &[]);
            assert_ne!(zh, en, "lab {} is English under LANG=zh_TW.UTF-8", args.join(" "));
            assert!(zh.contains("用法：") && !zh.contains("Usage:"), "lab {}:\n{zh}", args.join(" "));
            for word in ["Options:", "Arguments:", "Commands:", "Print help", "[default:", "[possible values:", "[env:"]
            {
                assert!(!zh.contains(word), "{word} in lab {}:\n{zh}", args.join(" "));
            }
            assert_eq!(flags(&zh), flags(&en), "lab {}: the flags differ", args.join(" "));
            let left = english_left(&zh);
            assert!(left.is_empty(), "lab {}: English left:\n{}\n{zh}", args.join(" "), left.join("\n"));
        }
    }
    let (flag, _, _) = run(&["--lang", "zh-TW", "check", "--help"], &[]);
    let (locale, _, _) = run(&["check", "--help"], ZH);
    assert_eq!(flag, locale, "--lang zh-TW and LANG=zh_TW.UTF-8 give the same help");
    let (english, _, _) = run(&["check", "--help"], &[("LC_ALL", "C"), ("LANG", "zh_TW.UTF-8")]);
    assert!(english.starts_with("Grade a lab"), "LC_ALL=C wins:\n{english}");
}

#[test]
fn chinese_help_snapshots() {
    for path in [&[][..], &["check"][..], &["cluster", "up"][..]] {
        let mut args = path.to_vec();
        args.push("--help");
        let (zh, _, _) = run(&args, ZH);
        insta::assert_snapshot!(format!("zh_TW_{}", snapshot_name(path, "--help")), zh);
    }
}

#[test]
fn chinese_usage_errors_name_what_was_wrong() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "error_missing_argument",
            &["check"],
            &["錯誤: 缺少下列必要的引數：", "<LAB>", "用法：lab check <LAB>", "'--help'"],
        ),
        ("error_unknown_flag", &["check", "x", "--formt", "json"], &["'--formt'", "提示：有個相似的引數：'--format'"]),
        ("error_invalid_value", &["check", "x", "--format", "xml"], &["'xml'", "[可用的值：human, json, junit]"]),
        ("error_bad_duration", &["check", "x", "--wait", "soon"], &["'soon'", "不是", "`90s`"]),
        ("error_unknown_command", &["chek"], &["'chek'", "'check'"]),
        ("error_flag_conflict", &["check", "x", "--wait", "1m", "--watch"], &["'--watch'", "不能"]),
        ("error_cross_flag_rule", &["cluster", "up", "--nodes", "2", "--managers", "3"], &["--managers 3", "用法："]),
        ("error_no_command", &[], &["用法：lab [OPTIONS] <COMMAND>", "指令："]),
    ];
    for (name, args, expected) in cases {
        let (out, err, code) = run(args, ZH);
        assert_eq!((code, out.as_str()), (2, ""), "lab {}", args.join(" "));
        for text in *expected {
            assert!(err.contains(text), "no {text:?} in lab {}:\n{err}", args.join(" "));
        }
        for en in ["error:", "Usage:", "tip:", "For more information", "invalid value", "required", "is not a"] {
            assert!(!err.contains(en), "{en:?} in lab {}:\n{err}", args.join(" "));
        }
        insta::assert_snapshot!(format!("zh_TW_{name}"), err);
    }
    // Under --format json the usage error is a JSON object, its message in the language.
    let (out, _, code) = run(&["check", "--format", "json"], ZH);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["kind"], "usage");
    assert!(v["error"]["message"].as_str().unwrap().starts_with("缺少下列必要的引數"), "{out}");
}

#[test]
fn labs_pot_is_a_fresh_extraction() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let labs = lab_schema::load_dir(&root.join("labs")).unwrap_or_else(|e| panic!("{e:?}"));
    let help = lab_runner::help_text::entries(&lab_runner::help_text::lab_command());
    let committed = std::fs::read_to_string(root.join("book/po/labs.pot")).unwrap();
    assert!(
        committed == lab_i18n::template::render(&labs, &help),
        "book/po/labs.pot is out of date with labs/*.toml, lab-i18n/src/words.rs or lab's help: run scripts/i18n"
    );
}
