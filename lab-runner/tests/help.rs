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
