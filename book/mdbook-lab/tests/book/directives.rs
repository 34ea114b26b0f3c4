//! Directives on synthetic chapters with the real labs: where they are (not) expanded,
//! and the errors and warnings a writer gets, each naming the chapter file and line.

use crate::harness::{labs, toml_value};
use mdbook_lab::{render_book, BuildError, CardOptions, LabPreprocessor};
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use mdbook_preprocessor::config::Config;
use mdbook_preprocessor::PreprocessorContext;
use std::path::Path;

fn book(chapters: &[(&str, &str)]) -> Book {
    Book::new_with_items(
        chapters
            .iter()
            .map(|(file, content)| BookItem::Chapter(Chapter::new(file, content.to_string(), file, vec![])))
            .collect(),
    )
}

fn render(chapters: &[(&str, &str)], solutions: bool) -> Result<mdbook_lab::Rendered, BuildError> {
    let options = CardOptions { solutions, smart_punctuation: true };
    render_book(book(chapters), &labs(), options, Path::new("/nowhere/book/src"))
}

fn content(r: &mdbook_lab::Rendered, file: &str) -> String {
    r.book
        .chapters()
        .find(|c| c.source_path.as_deref() == Some(Path::new(file)))
        .map(|c| c.content.clone())
        .unwrap_or_else(|| panic!("no chapter {file}"))
}

#[test]
fn a_directive_becomes_the_card_and_the_stylesheet_comes_once() {
    let md = "# Voting app\n\nText.\n\n{{#lab day6-voting-app}}\n\nMore *text*.\n\n{{#lab day6-voting-app}}\n";
    let r = render(&[("voting-app.md", md)], false).unwrap();
    let out = content(&r, "voting-app.md");
    assert_eq!(out.matches(r#"<div class="lab-card" id="lab-day6-voting-app""#).count(), 2);
    assert_eq!(out.matches("<style").count(), 1);
    // The card is followed by a blank line, so what comes next is Markdown again.
    assert!(out.contains("</div>\n\n"), "{out}");
    assert!(out.contains("\nMore *text*."), "{out}");
    assert!(!out.contains("{{#lab"));
}

#[test]
fn directives_in_code_are_left_alone() {
    let md = "Write `{{#lab day6-voting-app}}` on a line.\n\n```md\n{{#lab day6-voting-app}}\n```\n\n    {{#lab nope}}\n\n<!-- {{#lab nope}} -->\n";
    let r = render(&[("voting-app.md", md)], false).unwrap();
    assert_eq!(content(&r, "voting-app.md"), md);
}

#[test]
fn an_unknown_lab_fails_with_the_chapter_file_and_line() {
    let md = "# Voting\n\ntext\n\n{{#lab day6-votingapp}}\n";
    let err = render(&[("voting-app.md", md)], false).unwrap_err().to_string();
    assert!(
        err.starts_with("/nowhere/book/src/voting-app.md:5: unknown lab \"day6-votingapp\"; known labs: day6-first-service, day6-overlay-drupal, day6-routing-mesh, day6-three-node-swarm, day6-voting-app"),
        "{err}"
    );
    assert!(err.contains("did you mean \"day6-voting-app\"?"), "{err}");
}

#[test]
fn malformed_directives_fail_with_file_and_line_all_at_once() {
    let a = "{{#lab}}\n";
    let b = "x\n\n{{#lab day6-voting-app day6-routing-mesh}}\n";
    let c = "x\n\ny\n\n{{#lab day6-voting-app\n";
    let err = render(&[("a.md", a), ("b.md", b), ("c.md", c)], false).unwrap_err();
    let BuildError::Chapters(errors) = &err else { panic!("{err}") };
    let at: Vec<(String, usize)> = errors.iter().map(|e| (e.file.clone(), e.line)).collect();
    assert_eq!(
        at,
        [
            ("/nowhere/book/src/a.md".into(), 1),
            ("/nowhere/book/src/b.md".into(), 3),
            ("/nowhere/book/src/c.md".into(), 5)
        ]
    );
    let text = err.to_string();
    assert!(text.contains("a.md:1: `{{#lab}}` names no lab"), "{text}");
    assert!(text.contains("b.md:3: `{{#lab day6-voting-app day6-routing-mesh}}` names 2 labs"), "{text}");
    assert!(text.contains("c.md:5: `{{#lab` is missing its closing `}}`"), "{text}");
}

#[test]
fn a_card_outside_its_lesson_is_a_warning_not_an_error() {
    let r = render(&[("routing-mesh.md", "{{#lab day6-voting-app}}\n")], false).unwrap();
    let w = r.warnings.iter().find(|w| w.contains("belongs to lesson")).expect("a lesson warning");
    assert!(
        w.starts_with("/nowhere/book/src/routing-mesh.md:1: lab \"day6-voting-app\" belongs to lesson voting-app.md"),
        "{w}"
    );
}

#[test]
fn the_card_links_its_lesson_chapter() {
    let r = render(&[("voting-app.md", "{{#lab day6-voting-app}}\n")], false).unwrap();
    assert!(content(&r, "voting-app.md").contains(r#"lesson <a href="voting-app.md">voting-app.md</a>"#));
}

#[test]
fn the_learner_edition_drops_answer_chapters_and_unlinks_them() {
    let chapters = [
        ("voting-app.md", "{{#lab day6-voting-app}}\n\nStuck? Read [the answer](voting-app-answer.md).\n"),
        ("voting-app-answer.md", "# Answer\n\n{{#lab day6-voting-app}}\n"),
    ];
    let learner = render(&chapters, false).unwrap();
    assert_eq!(learner.book.chapters().count(), 1);
    assert_eq!(learner.removed, [Path::new("voting-app-answer.md")]);
    let out = content(&learner, "voting-app.md");
    assert!(out.contains("Stuck? Read the answer (instructor edition only)."), "{out}");

    let instructor = render(&chapters, true).unwrap();
    assert_eq!(instructor.book.chapters().count(), 2);
    assert!(content(&instructor, "voting-app.md").contains("[the answer](voting-app-answer.md)"));
    assert!(content(&instructor, "voting-app-answer.md").contains("lab-answer"));
    assert!(instructor.warnings.iter().all(|w| !w.contains("belongs to lesson")), "{:?}", instructor.warnings);
}

#[test]
fn a_broken_lab_file_fails_with_its_file_line_and_column() {
    let labs = tempfile::tempdir().unwrap();
    std::fs::write(labs.path().join("day6-bad.toml"), "id = \"day6-bad\"\ntitle = 3\n").unwrap();
    let mut config = Config::default();
    config.set("preprocessor.lab.labs", toml_value::s(labs.path())).unwrap();
    let ctx = PreprocessorContext::new(labs.path().to_path_buf(), config, "html".into());
    let err = LabPreprocessor::with_solutions(false).render(&ctx, Book::new()).unwrap_err().to_string();
    assert!(err.contains("day6-bad.toml:2:9: "), "{err}");
    assert!(err.contains("fix them"), "{err}");
}

#[test]
fn a_missing_labs_folder_says_where_it_looked() {
    let mut config = Config::default();
    config.set("preprocessor.lab.labs", "no-such-labs").unwrap();
    let ctx = PreprocessorContext::new("/tmp".into(), config, "html".into());
    let err = LabPreprocessor::new().render(&ctx, Book::new()).unwrap_err().to_string();
    assert!(err.contains("no-such-labs"), "{err}");
}
