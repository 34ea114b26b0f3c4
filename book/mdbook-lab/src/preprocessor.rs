//! [`LabPreprocessor`]: the mdBook preprocessor itself. It reads the settings, loads the
//! lab files, drops answer chapters from the learner edition and replaces each
//! `{{#lab <id>}}` line with its card. The same value runs in-process (mdbook-driver's
//! `with_preprocessor`) and behind the `mdbook-lab` binary's JSON protocol.

use crate::answer::{is_answer_chapter, remove_answer_chapters, unlink_removed_with_note, ANSWER_SUFFIX};
use crate::card::{progress_block, render_card_in, script_block, style_block, CardOptions, LessonLink};
use crate::config::{LabConfig, PREPROCESSOR_NAME};
use crate::directive::{find_directives, Directive};
use crate::error::{shown_path, BuildError, ChapterError};
use lab_i18n::{words, Language};
use lab_schema::Lab;
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use mdbook_preprocessor::errors::Result as MdResult;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// The preprocessor. [`LabPreprocessor::new`] takes every setting from `book.toml` and the
/// environment; [`LabPreprocessor::with_solutions`] pins the edition (for tests and tools
/// that build both editions in one process).
#[derive(Debug, Clone, Default)]
pub struct LabPreprocessor {
    solutions: Option<bool>,
}

/// A preprocessed book and what the reader should be warned about.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub book: Book,
    pub warnings: Vec<String>,
    /// Source paths (relative to `src`) of the answer chapters that were removed.
    pub removed: Vec<PathBuf>,
}

impl LabPreprocessor {
    pub fn new() -> LabPreprocessor {
        LabPreprocessor::default()
    }

    /// Renders the instructor edition (`true`) or the learner edition (`false`) whatever
    /// `book.toml` and `MDBOOK_LAB_SOLUTIONS` say.
    pub fn with_solutions(solutions: bool) -> LabPreprocessor {
        LabPreprocessor { solutions: Some(solutions) }
    }

    /// The settings this preprocessor would use for a book.
    pub fn config(&self, ctx: &PreprocessorContext) -> Result<(LabConfig, Vec<String>), BuildError> {
        let (mut config, warnings) = LabConfig::from_book_config(&ctx.root, &ctx.config)?;
        if let Some(s) = self.solutions {
            config.solutions = s;
        }
        Ok((config, warnings))
    }

    /// Loads the labs and renders the book, returning warnings instead of printing them.
    pub fn render(&self, ctx: &PreprocessorContext, book: Book) -> Result<Rendered, BuildError> {
        let (config, mut warnings) = self.config(ctx)?;
        let labs = lab_schema::load_dir(&config.labs_dir).map_err(BuildError::Labs)?;
        let smart_punctuation = ctx.config.get::<bool>("output.html.smart-punctuation").ok().flatten().unwrap_or(true);
        let options = CardOptions { solutions: config.solutions, smart_punctuation };
        let src_dir = ctx.root.join(&ctx.config.book.src);
        let language = match ctx.config.book.language.as_deref() {
            None => Language::english(),
            Some(tag) => Language::parse(tag).unwrap_or_else(|e| {
                warnings.push(format!("book.language: {e}; lab cards stay in English"));
                Language::english()
            }),
        };
        let mut rendered = render_book_in(book, &labs, options, &src_dir, language)?;
        warnings.append(&mut rendered.warnings);
        rendered.warnings = warnings;
        Ok(rendered)
    }
}

impl Preprocessor for LabPreprocessor {
    fn name(&self) -> &str {
        PREPROCESSOR_NAME
    }

    fn run(&self, ctx: &PreprocessorContext, book: Book) -> MdResult<Book> {
        let rendered = self.render(ctx, book)?;
        for w in &rendered.warnings {
            eprintln!("warning: mdbook-lab: {w}");
        }
        Ok(rendered.book)
    }

    /// Cards are HTML: other renderers get the book untouched.
    fn supports_renderer(&self, renderer: &str) -> MdResult<bool> {
        Ok(renderer == "html")
    }
}

/// The transformation, on an already-loaded set of labs: `src_dir` is only used to name
/// chapter files in messages. Cards are in English.
pub fn render_book(book: Book, labs: &[Lab], options: CardOptions, src_dir: &Path) -> Result<Rendered, BuildError> {
    render_book_in(book, labs, options, src_dir, Language::english())
}

/// [`render_book`] with cards in `language` (the book's `book.language`).
pub fn render_book_in(
    mut book: Book,
    labs: &[Lab],
    options: CardOptions,
    src_dir: &Path,
    language: Language,
) -> Result<Rendered, BuildError> {
    let note = language.tr(words::INSTRUCTOR_EDITION_ONLY);
    let removed = if options.solutions { Vec::new() } else { remove_answer_chapters(&mut book) };
    let by_id: BTreeMap<&str, &Lab> = labs.iter().map(|l| (l.id.as_str(), l)).collect();
    let titles = chapter_titles(&book);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut placed = BTreeSet::new();
    book.for_each_chapter_mut(|ch| {
        let Some(source) = ch.source_path.clone() else { return };
        let file = shown_path(&src_dir.join(&source));
        let (directives, problems) = find_directives(&ch.content);
        errors.extend(problems.into_iter().map(|p| ChapterError {
            file: file.clone(),
            line: p.line,
            message: p.message,
        }));
        let mut cards = Vec::new();
        for d in directives {
            let Some(lab) = by_id.get(d.lab_id.as_str()) else {
                errors.push(ChapterError { file: file.clone(), line: d.line, message: unknown_lab(&d.lab_id, &by_id) });
                continue;
            };
            placed.insert(lab.id.clone());
            if !lesson_matches(&source, &lab.lesson) {
                warnings.push(format!(
                    "{file}:{}: lab \"{}\" belongs to lesson {} (its `lesson` in {}), but its card is in {}; \
                     move the directive there or fix `lesson`",
                    d.line,
                    lab.id,
                    lab.lesson,
                    shown_path(&lab.source),
                    source.display()
                ));
            }
            let lesson = titles
                .get(&normalize_slashes(Path::new(&lab.lesson)))
                .map(|title| LessonLink { title: title.clone(), href: relative_href(&source, Path::new(&lab.lesson)) });
            cards.push((d, render_card_in(lab, lesson.as_ref(), options, language)));
        }
        ch.content = splice_cards(&ch.content, cards);
        let (content, _) = unlink_removed_with_note(&ch.content, &source, &removed, &note);
        ch.content = content;
    });
    if !errors.is_empty() {
        return Err(BuildError::Chapters(errors));
    }
    // The book's first chapter, when it is its introduction, lists the learner's progress
    // under `lab serve`.
    let mut first = true;
    book.for_each_chapter_mut(|ch| {
        let intro = ch.source_path.as_deref().and_then(Path::file_stem).is_some_and(|s| {
            ["introduction", "index", "readme"].contains(&s.to_string_lossy().to_lowercase().as_str())
        });
        if std::mem::take(&mut first) && intro && !labs.is_empty() {
            ch.content = format!("{}\n\n{}\n", ch.content.trim_end(), progress_block());
        }
    });
    for lab in labs.iter().filter(|l| !placed.contains(&l.id)) {
        warnings.push(format!(
            "lab \"{}\" ({}) has no card in the book: add {{{{#lab {}}}}} to {}",
            lab.id,
            shown_path(&lab.source),
            lab.id,
            lab.lesson
        ));
    }
    Ok(Rendered { book, warnings, removed })
}

fn unknown_lab(id: &str, by_id: &BTreeMap<&str, &Lab>) -> String {
    let known = if by_id.is_empty() {
        "none (the labs folder holds no .toml files)".to_string()
    } else {
        by_id.keys().copied().collect::<Vec<_>>().join(", ")
    };
    let suggestion = lab_schema::spelling::closest(id, by_id.keys().copied(), 3)
        .map(|k| format!("did you mean \"{k}\"? "))
        .unwrap_or_default();
    format!("unknown lab \"{id}\"; known labs: {known} ({suggestion}fix the id, or add labs/{id}.toml)")
}

/// A card belongs in its lesson; an answer chapter `x-answer.md` may show the cards of `x.md`.
fn lesson_matches(source: &Path, lesson: &str) -> bool {
    let source = normalize_slashes(source);
    let lesson = normalize_slashes(Path::new(lesson));
    if source == lesson || Path::new(&source).file_name() == Path::new(&lesson).file_name() {
        return true;
    }
    is_answer_chapter(Path::new(&source))
        && source.strip_suffix(ANSWER_SUFFIX).is_some_and(|stem| format!("{stem}.md") == lesson)
}

/// Source path (with `/` separators) → chapter name, for linking lessons from cards.
fn chapter_titles(book: &Book) -> BTreeMap<String, String> {
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(Chapter { source_path: Some(p), name, .. }) => Some((normalize_slashes(p), name.clone())),
            _ => None,
        })
        .collect()
}

fn normalize_slashes(p: &Path) -> String {
    crate::error::normalize(p)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The link from chapter `from` to chapter `to` (both relative to `src`).
fn relative_href(from: &Path, to: &Path) -> String {
    let from = normalize_slashes(from);
    let to = normalize_slashes(to);
    let from_dirs: Vec<&str> = from.split('/').collect::<Vec<_>>().split_last().map_or(vec![], |(_, d)| d.to_vec());
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from_dirs.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// Replaces each directive's line with its card (the chapter's first card is preceded by
/// the stylesheet and the live-card script), keeping the line's container prefix, and ends each card with a blank
/// line so the Markdown after it is read as Markdown again.
fn splice_cards(content: &str, cards: Vec<(Directive, String)>) -> String {
    let mut out = String::with_capacity(content.len() + cards.len() * 4096);
    let mut pos = 0;
    for (i, (d, card)) in cards.into_iter().enumerate() {
        out.push_str(&content[pos..d.line_range.start]);
        let block = if i == 0 { format!("{}\n{}\n{card}", style_block(), script_block()) } else { card };
        let continuation = d.prefix;
        for (n, line) in block.lines().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            out.push_str(&continuation);
            out.push_str(line);
        }
        out.push('\n');
        out.push_str(continuation.trim_end());
        pos = d.line_range.end;
    }
    out.push_str(&content[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_gets_a_suggestion() {
        assert_eq!(lab_schema::spelling::edit_distance("day6-votingapp", "day6-voting-app"), 1);
        assert_eq!(lab_schema::spelling::edit_distance("", "abc"), 3);
        let lab = lab_schema::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../labs"))).unwrap();
        let by_id = lab.iter().map(|l| (l.id.as_str(), l)).collect();
        let m = unknown_lab("day6-votingapp", &by_id);
        assert!(m.starts_with("unknown lab \"day6-votingapp\"; known labs: day6-first-service, "), "{m}");
        assert!(m.contains("did you mean \"day6-voting-app\"?"), "{m}");
    }

    /// Regression guard for "no panics on bad input": byte-offset slicing around
    /// directives, CRLF, multi-byte characters, unclosed code and comments.
    #[test]
    fn arbitrary_markdown_never_panics() {
        const PIECES: &[&str] = &[
            "{{",
            "}}",
            "#lab",
            " ",
            "\n",
            "\r\n",
            "`",
            "```",
            "~~~",
            "\\",
            "<!--",
            "-->",
            "x",
            "day6-voting-app",
            "> ",
            "    ",
            "é",
            "\u{1F600}",
            "[a](x-answer.md)",
            "{{#lab day6-voting-app}}",
            "\n{{#lab day6-voting-app}}\n",
            "[",
            "](",
            ")",
            "- ",
            "<div>",
            "\t",
        ];
        let labs = lab_schema::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../labs"))).unwrap();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut cards = 0;
        for _ in 0..3000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
            let (found, _) = find_directives(&text);
            for d in &found {
                assert!(text.get(d.line_range.clone()).is_some(), "{text:?}");
            }
            let chapters = vec![
                BookItem::Chapter(Chapter::new("x", text.clone(), "x.md", vec![])),
                BookItem::Chapter(Chapter::new("x answer", text.clone(), "x-answer.md", vec![])),
            ];
            let options = CardOptions { solutions: false, smart_punctuation: true };
            if let Ok(r) = render_book(Book::new_with_items(chapters), &labs, options, Path::new("src")) {
                cards += r.book.chapters().map(|c| c.content.matches("class=\"lab-card\"").count()).sum::<usize>();
            }
        }
        assert!(cards > 50, "only {cards} cards rendered: the generator rarely makes a valid directive");
    }

    #[test]
    fn hrefs_between_chapters_are_relative() {
        assert_eq!(relative_href(Path::new("a.md"), Path::new("b.md")), "b.md");
        assert_eq!(relative_href(Path::new("day6/a.md"), Path::new("b.md")), "../b.md");
        assert_eq!(relative_href(Path::new("day6/a.md"), Path::new("day6/b.md")), "b.md");
        assert_eq!(relative_href(Path::new("a.md"), Path::new("day6/b.md")), "day6/b.md");
    }

    #[test]
    fn an_answer_chapter_may_show_its_lessons_card() {
        assert!(lesson_matches(Path::new("voting-app.md"), "voting-app.md"));
        assert!(lesson_matches(Path::new("voting-app-answer.md"), "voting-app.md"));
        assert!(!lesson_matches(Path::new("routing-mesh.md"), "voting-app.md"));
    }

    #[test]
    fn cards_replace_the_directive_line_and_end_with_a_blank_line() {
        let content = "intro\n{{#lab a}}\nafter\n";
        let d = find_directives(content).0.remove(0);
        let out = splice_cards(content, vec![(d, "<div>\ncard\n</div>".into())]);
        assert!(out.starts_with("intro\n<style class=\"mdbook-lab\">"), "{out}");
        assert!(out.ends_with("<div>\ncard\n</div>\n\nafter\n"), "{out}");
    }

    #[test]
    fn a_card_in_a_block_quote_stays_in_it() {
        let content = "> {{#lab a}}\n> after\n";
        let d = find_directives(content).0.remove(0);
        let out = splice_cards(content, vec![(d, "<div>\n</div>".into())]);
        assert!(out.lines().all(|l| l.starts_with('>')), "{out}");
    }
}
