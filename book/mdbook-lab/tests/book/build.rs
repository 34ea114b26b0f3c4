//! The whole workbook, built in-process with mdbook-driver (a temp copy, never the real
//! `book/`), in both editions; once through the `mdbook-lab` binary as mdBook runs it.

use crate::harness::{labs, workspace, Attach, BookTest};
use mdbook_lab::card::escape_html;
use std::process::{Command, Stdio};

/// Every chapter's Markdown except answer chapters: what a learner may read anyway.
fn learner_sources() -> String {
    let src = workspace().join("book/src");
    let mut text = String::new();
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && !name.ends_with("-answer.md") {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    for lab in labs() {
        text.push_str(&format!("{}\n{}\n", lab.title, lab.goal));
        for c in &lab.checks {
            text.push_str(&format!("{}\n{}\n", c.title, c.hint));
        }
    }
    text
}

/// Commands only an answer gives away: the labs' fix and answer lines and the `$ ` lines
/// of the answer chapters, minus those a lesson or a hint already shows.
fn answer_only_commands() -> Vec<String> {
    let visible = learner_sources();
    let mut commands: Vec<String> = Vec::new();
    for lab in labs() {
        commands.extend(lab.checks.iter().map(|c| c.fix.trim().to_string()));
        commands.extend(lab.answer.steps.iter().map(|s| s.command.clone()));
    }
    for entry in std::fs::read_dir(workspace().join("book/src")).unwrap().flatten() {
        if entry.file_name().to_string_lossy().ends_with("-answer.md") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            commands.extend(text.lines().filter_map(|l| l.strip_prefix("$ ")).map(str::to_string));
        }
    }
    commands.retain(|c| !visible.contains(c.as_str()));
    commands.sort();
    commands.dedup();
    commands
}

#[test]
fn the_learner_edition_shows_every_card_and_no_answer_anywhere() {
    let built = BookTest::workbook().solutions(false).build();

    let page = built.page("voting-app.html");
    let lab = crate::harness::lab("day6-voting-app");
    assert_eq!(page.matches(r#"<div class="lab-card" id="lab-day6-voting-app""#).count(), 1);
    for c in &lab.checks {
        assert!(page.contains(&format!(r#"id="lab-day6-voting-app-{}""#, c.id)), "check {} missing", c.id);
    }
    // One hint per check and one per drill (the drills have their own heading on the card).
    assert_eq!(page.matches("<summary>Hint</summary>").count(), lab.checks.len() + lab.drills.len());
    assert!(page.contains("100 points"));
    assert!(page.contains("lab check day6-voting-app"));

    for lab in labs() {
        let lesson = built.page(&lab.lesson.replace(".md", ".html"));
        assert!(lesson.contains(&format!(r#"id="lab-{}""#, lab.id)), "{} has no card in {}", lab.id, lab.lesson);
    }

    assert!(!built.has("voting-app-answer.html"));
    assert_eq!(built.files_containing("voting-app-answer"), Vec::<String>::new());
    assert_eq!(built.files_containing("Answer: the voting app"), Vec::<String>::new());
    for marker in [r#"class="lab-fix""#, r#"class="lab-answer""#, "Reference answer"] {
        assert_eq!(built.files_containing(marker), Vec::<String>::new(), "{marker}");
    }
    let commands = answer_only_commands();
    assert!(commands.len() >= 10, "too few answer-only commands to be a meaningful check: {commands:?}");
    for command in commands {
        let mut leaks = built.files_containing(&command);
        leaks.extend(built.files_containing(&escape_html(&command)));
        assert!(leaks.is_empty(), "answer text `{command}` is in the learner edition: {leaks:?}");
    }
}

#[test]
fn the_instructor_edition_keeps_answer_chapters_fixes_and_answers() {
    let built = BookTest::workbook().solutions(true).build();
    assert!(built.has("voting-app-answer.html"));
    assert!(built.page("print.html").contains("Answer: the voting app"));
    let page = built.page("voting-app.html");
    let lab = crate::harness::lab("day6-voting-app");
    for c in &lab.checks {
        assert!(page.contains(&escape_html(c.fix.trim())), "fix of {} missing", c.id);
    }
    assert!(page.contains(&escape_html(&lab.answer.to_shell())));
    for lab in labs() {
        let lesson = built.page(&lab.lesson.replace(".md", ".html"));
        assert!(lesson.contains(&escape_html(&lab.answer.to_shell())), "{}: no answer", lab.id);
    }
}

#[test]
fn an_unknown_lab_fails_the_build_naming_the_chapter_and_line() {
    let test = BookTest::workbook()
        .edit("src/voting-app.md", |s| s.replace("{{#lab day6-voting-app}}", "{{#lab day6-votingapp}}"));
    let text = std::fs::read_to_string(test.root().join("src/voting-app.md")).unwrap();
    let line = text.lines().position(|l| l.contains("{{#lab day6-votingapp}}")).expect("the directive") + 1;
    let err = test.try_build().err().expect("the build must fail");
    assert!(
        err.contains(&format!(
            "src/voting-app.md:{line}: unknown lab \"day6-votingapp\"; known labs: day6-first-service,"
        )),
        "{err}"
    );
}

#[test]
fn a_malformed_directive_fails_the_build() {
    let err = BookTest::workbook()
        .edit("src/routing-mesh.md", |s| format!("{s}\n{{{{#lab day6-routing-mesh day6-voting-app}}}}\n"))
        .try_build()
        .err()
        .expect("the build must fail");
    assert!(err.contains("src/routing-mesh.md:"), "{err}");
    assert!(err.contains("a directive takes exactly one lab id"), "{err}");
}

#[test]
fn mdbook_runs_the_binary_through_the_preprocessor_protocol() {
    let built = BookTest::workbook().attach(Attach::Binary).build();
    assert!(built.page("voting-app.html").contains(r#"id="lab-day6-voting-app""#));
}

#[test]
fn the_binary_supports_html_only_and_documents_itself() {
    let bin = env!("CARGO_BIN_EXE_mdbook-lab");
    let status = |args: &[&str]| Command::new(bin).args(args).stdin(Stdio::null()).output().unwrap();
    assert!(status(&["supports", "html"]).status.success());
    assert_eq!(status(&["supports", "markdown"]).status.code(), Some(1));
    let help = status(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("MDBOOK_LAB_SOLUTIONS"));
    for help in [&["build", "--help"][..], &["build", "-h"]] {
        let out = status(help);
        assert!(out.status.success(), "{help:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("--dest-dir"), "{help:?}");
    }
    assert_eq!(status(&["frobnicate"]).status.code(), Some(2));
    let garbage = status(&[]);
    assert_eq!(garbage.status.code(), Some(2), "{}", String::from_utf8_lossy(&garbage.stderr));
    assert!(garbage.stdout.is_empty(), "stdout is for the book JSON only");
}

/// `mdbook-lab build BOOK_DIR`: the whole book without the `mdbook` CLI, and the
/// `MDBOOK_LAB_SOLUTIONS` override picking the instructor edition.
#[test]
fn the_build_command_builds_both_editions_without_the_mdbook_cli() {
    let labs = crate::harness::labs_dir();
    let test = BookTest::workbook().edit("book.toml", |s| {
        s.replace("[preprocessor.lab]", &format!("[preprocessor.lab]\nlabs = {:?}", labs.display().to_string()))
    });
    let build = |dest: &str, env: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mdbook-lab"));
        cmd.arg("build")
            .arg(test.root())
            .arg("--dest-dir")
            .arg(test.root().join(dest))
            .env_remove("MDBOOK_LAB_SOLUTIONS");
        if let Some(v) = env {
            cmd.env("MDBOOK_LAB_SOLUTIONS", v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        test.root().join(dest)
    };
    let learner = build("learner", None);
    assert!(std::fs::read_to_string(learner.join("voting-app.html")).unwrap().contains(r#"id="lab-day6-voting-app""#));
    assert!(!learner.join("voting-app-answer.html").exists());
    // The search index, as `mdbook build` writes it (book.toml enables search), holds
    // the lessons and none of the answers.
    let index = std::fs::read_dir(&learner)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("searchindex"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .expect("mdbook-lab build writes a search index");
    assert!(index.contains("overlay") && index.contains("routing"), "the index covers the lessons");
    for command in answer_only_commands() {
        assert!(!index.contains(&command), "the learner's search index gives away `{command}`");
    }
    let instructor = build("instructor", Some("true"));
    assert!(instructor.join("voting-app-answer.html").exists());
    assert!(std::fs::read_to_string(instructor.join("voting-app.html")).unwrap().contains(r#"class="lab-answer""#));
}
