//! `lab` in the reader's language without an engine: the locale (LC_ALL, then LC_MESSAGES,
//! then LANG) or `--lang` selects Traditional Chinese for `lab show`, `lab list` and errors
//! (usage errors, exit 2; an engine that cannot be read, exit 3, also under `--format json`,
//! whose kind does not change) and the practice swarm's errors; an unknown `--lang` is a usage
//! error. (`voting_app_mistakes` grades a swarm in zh-TW; lab-grader's
//! `evaluate::tests::language` every kind of mismatch; lab-runner's `driver_text` every step
//! and error of the practice swarm's drivers.)

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

#[test]
fn lab_list_names_its_columns_and_the_book_chapters_in_chinese() {
    let (list, _, code) = run(&["list"], &[("LANG", "zh_TW.UTF-8")]);
    assert_eq!(code, 0);
    let head = list.lines().next().unwrap_or_default();
    assert!(head.contains("章節") && head.contains("標題") && !head.contains("CHAPTER"), "{list}");
    assert!(list.contains("你的第一個服務 ") && !list.contains("Your first service"), "chapter titles: {list}");
    let (json, _, _) = run(&["list", "--format", "json"], &[("LANG", "zh_TW.UTF-8")]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &rows.as_array().unwrap()[0];
    assert_eq!((first["id"].as_str(), first["chapter"].as_str()), (Some("day6-first-service"), Some("你的第一個服務")));
}

#[test]
fn check_errors_speak_chinese_and_keep_their_exit_codes_and_kinds() {
    let zh = [("LANG", "zh_TW.UTF-8")];
    let (_, err, code) = run(&["check", "day6-voting-app", "--only", "vot"], &zh);
    assert_eq!(code, 2);
    assert!(err.contains("沒有檢查項目 `vot`") && err.contains("你是指 `vote` 嗎？"), "{err}");
    let (_, err, code) = run(&["check", "day6-voting-app"], &zh);
    assert_eq!(code, 3);
    assert!(err.contains("無法連到位於 unix:///nonexistent.sock 的 engine") && err.contains("沒有 socket"), "{err}");
    assert!(!err.contains("cannot reach"), "{err}");
    let (json, _, code) = run(&["check", "day6-voting-app", "--format", "json"], &zh);
    assert_eq!(code, 3);
    let (english, _, _) = run(&["check", "day6-voting-app", "--format", "json"], &[("LANG", "C")]);
    let (zh_error, en_error): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&json).unwrap(), serde_json::from_str(&english).unwrap());
    assert_eq!(zh_error["error"]["kind"], "unreachable");
    assert_eq!(zh_error["error"]["kind"], en_error["error"]["kind"]);
    assert!(zh_error["error"]["message"].as_str().unwrap().contains("無法連到"), "{json}");
    assert!(en_error["error"]["message"].as_str().unwrap().contains("cannot reach the engine"), "{english}");
}

#[test]
fn practice_swarm_errors_speak_chinese_with_their_values() {
    let zh = [("LANG", "zh_TW.UTF-8")];
    let (_, err, code) = run(&["cluster", "up", "--driver", "docker", "--publish", "80,80"], &zh);
    assert_eq!(code, 2);
    assert!(err.contains("--publish：主機 port 80 指定了兩次"), "{err}");
    if cfg!(target_os = "linux") {
        let home = tempfile::tempdir().unwrap();
        let env = [("LANG", "zh_TW.UTF-8"), ("SWARM_LAB_HOME", home.path().to_str().unwrap())];
        let (_, err, code) = run(&["cluster", "env", "--driver", "netns"], &env);
        assert_eq!(code, 3);
        let dir = home.path().join("practice");
        assert!(err.contains(&format!("沒有正在執行的練習用叢集（狀態資料夾 {}）", dir.display())), "{err}");
        assert!(err.contains("`lab cluster up`") && !err.contains("no practice cluster"), "{err}");
    }
}
