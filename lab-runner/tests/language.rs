//! `lab` in the reader's language without an engine: the locale (LC_ALL, then LC_MESSAGES,
//! then LANG) or `--lang` selects Traditional Chinese for `lab show`, `lab list` and errors;
//! an unknown `--lang` is a usage error. (`voting_app_mistakes` grades a swarm in zh-TW.)

mod support;
use support::*;

fn run(args: &[&str], env: &[(&str, &str)]) -> (String, String, i32) {
    let o = lab_with_env("unix:///nonexistent.sock", args, env);
    (stdout(&o), String::from_utf8_lossy(&o.stderr).to_string(), o.status.code().unwrap_or(-1))
}

#[test]
fn lab_show_speaks_traditional_chinese_when_the_locale_says_so() {
    let (out, _, code) = run(&["show", "day6-voting-app"], &[("LANG", "zh_TW.UTF-8")]);
    assert_eq!(code, 0);
    for text in
        ["作業：分散式投票應用程式", "檢查項目（共 100 分）：", "提示：", "[network-frontend]", "check day6-voting-app"]
    {
        assert!(out.contains(text), "no {text:?} in:\n{out}");
    }
    assert!(!out.contains("hint:"), "{out}");
    let (flag, _, _) = run(&["--lang", "zh-TW", "show", "day6-voting-app"], &[]);
    assert_eq!(flag, out, "--lang zh-TW and LANG=zh_TW.UTF-8 agree");
    let (english, _, _) = run(&["show", "day6-voting-app"], &[("LC_ALL", "C"), ("LANG", "zh_TW.UTF-8")]);
    assert!(english.contains("Checks (100 points):") && english.contains("hint:"), "LC_ALL wins:\n{english}");
    let (english, _, _) = run(&["--lang", "en", "show", "day6-voting-app"], &[("LANG", "zh_TW.UTF-8")]);
    assert!(english.contains("Assignment: the distributed voting app"), "--lang wins:\n{english}");
}

#[test]
fn lab_list_and_errors_are_translated_and_a_bad_lang_is_a_usage_error() {
    let (list, _, code) = run(&["list"], &[("LC_MESSAGES", "zh_TW")]);
    assert_eq!(code, 0);
    assert!(list.contains("day6-voting-app") && list.contains("作業：分散式投票應用程式"), "{list}");
    let (_, err, code) = run(&["show", "day6-votingapp"], &[("LANG", "zh_TW.UTF-8")]);
    assert_eq!(code, 2);
    assert!(err.contains("未知的 lab `day6-votingapp`") && err.contains("你是指 `day6-voting-app` 嗎？"), "{err}");
    let (_, err, code) = run(&["--lang", "fr", "list"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown language `fr`") && err.contains("zh-TW"), "{err}");
}
