//! The translated editions against the English book, the single source of truth:
//! `po/messages.pot` is a fresh extraction, `po/zh-TW.po` translates every message (none
//! missing, none fuzzy, `msgfmt -c` clean), every code block of the zh-TW edition is the
//! English one byte for byte but for its `#` comments (the lessons run as doctests from the
//! English text), its diagrams are the Chinese copies `images/NAME.zh-TW.svg`, and the
//! built zh-TW edition reads in Chinese and links to the English one on every page.
//! When one fails after an edit of `book/src`: run `scripts/i18n`, then translate.

use crate::harness::{workspace, Attach, BookTest};
use mdbook_lab::i18n::{book_template, load_edition, translations, PO_DIR};
use mdbook_lab::LabPreprocessor;
use mdbook_preprocessor::book::BookItem;
use mdbook_renderer::{RenderContext, Renderer};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn book_dir() -> std::path::PathBuf {
    workspace().join("book")
}

fn catalog(path: &Path) -> polib::catalog::Catalog {
    polib::po_file::parse(path).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

fn msgids(c: &polib::catalog::Catalog) -> Vec<String> {
    let mut ids: Vec<String> = c.messages().map(|m| m.msgid().to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn messages_pot_is_a_fresh_extraction_of_the_english_book() {
    let fresh = book_template(&book_dir()).expect("extract the book's messages");
    let committed = catalog(&book_dir().join(PO_DIR).join("messages.pot"));
    assert!(msgids(&fresh).len() > 400, "only {} messages extracted", msgids(&fresh).len());
    assert!(
        msgids(&fresh) == msgids(&committed),
        "book/po/messages.pot is out of date with book/src: run scripts/i18n (then translate what it reports)"
    );
}

#[test]
fn every_translation_translates_every_message_of_the_english_book() {
    let fresh = book_template(&book_dir()).expect("extract the book's messages");
    let languages = translations(&book_dir());
    assert_eq!(languages, ["zh-TW"]);
    let mut problems = Vec::new();
    for language in languages {
        let file = book_dir().join(PO_DIR).join(format!("{language}.po"));
        let po = catalog(&file);
        let translated: BTreeMap<&str, (&str, bool)> =
            po.messages().map(|m| (m.msgid(), (m.msgstr().unwrap_or_default(), m.is_fuzzy()))).collect();
        for m in fresh.messages() {
            let at = format!("book/po/{language}.po ({})", m.source().replace('\n', " "));
            match translated.get(m.msgid()) {
                None => problems.push(format!("{at}: missing {:?}", m.msgid())),
                Some(("", _)) => problems.push(format!("{at}: untranslated {:?}", m.msgid())),
                Some((_, true)) => problems.push(format!("{at}: fuzzy {:?}", m.msgid())),
                Some(_) => {}
            }
        }
        for m in po.messages().filter(|m| m.is_fuzzy()) {
            problems.push(format!("book/po/{language}.po: fuzzy entry {:?}", m.msgid()));
        }
    }
    assert!(problems.is_empty(), "run scripts/i18n and translate:\n{}", problems.join("\n"));
}

#[test]
fn msgfmt_check_accepts_every_catalog() {
    let po = book_dir().join(PO_DIR);
    for file in ["zh-TW.po", "labs.zh-TW.po"] {
        let out = Command::new("msgfmt").args(["-c", "-o", "/dev/null"]).arg(po.join(file)).output().unwrap_or_else(|e| {
            panic!("cannot run msgfmt ({e}): install GNU gettext (`apt-get install -y gettext`, or scripts/setup --test-tools)")
        });
        assert!(out.status.success(), "msgfmt -c {file}:\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "msgfmt -c {file} warns:\n{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The preprocessors run for "html" without rendering anything.
struct Html;

impl Renderer for Html {
    fn name(&self) -> &str {
        "html"
    }
    fn render(&self, _: &RenderContext) -> mdbook_preprocessor::errors::Result<()> {
        Ok(())
    }
}

/// Chapter source path → (name, Markdown) of an edition after gettext and lab
/// (instructor edition: every card's fix commands and answer included).
fn chapters(language: &str) -> BTreeMap<String, (String, String)> {
    let book = load_edition(&book_dir(), Some(language), LabPreprocessor::with_solutions(true)).expect("load book");
    let (book, _) = book.preprocess_book(&Html).expect("preprocess");
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(ch) => {
                Some((ch.source_path.as_ref()?.display().to_string(), (ch.name.clone(), ch.content.clone())))
            }
            _ => None,
        })
        .collect()
}

/// Every code block (fenced or indented) and every `<pre>` of the cards, in order.
fn code(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut open: Option<String> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(i) => i.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                open = Some(format!("[{info}]\n"));
            }
            Event::Text(t) if open.is_some() => open.as_mut().unwrap().push_str(&t),
            Event::End(TagEnd::CodeBlock) => blocks.extend(open.take()),
            Event::Html(h) | Event::InlineHtml(h) => {
                let mut rest: &str = &h;
                while let Some(start) = rest.find("<pre>") {
                    let end = rest[start..].find("</pre>").map_or(rest.len(), |e| start + e);
                    blocks.push(rest[start..end].to_string());
                    rest = &rest[end..];
                }
            }
            _ => {}
        }
    }
    blocks
}

/// A code block with its shell comments (`# …` after white space, or a line that is one)
/// taken out: the commands, which the zh-TW edition keeps byte for byte, and where each
/// comment stands. Only a comment's words may be translated.
fn commands(block: &str) -> Vec<(String, bool)> {
    block
        .lines()
        .map(|line| {
            let at = line
                .char_indices()
                .find(|&(i, c)| {
                    c == '#' && line[i..].starts_with("# ") && line[..i].chars().all(char::is_whitespace)
                        || c == '#' && i > 0 && line[..i].ends_with(char::is_whitespace) && line[i..].starts_with("# ")
                })
                .map(|(i, _)| i);
            match at {
                Some(i) => (line[..i].to_string(), true),
                None => (line.to_string(), false),
            }
        })
        .collect()
}

#[test]
fn only_comments_may_differ_in_a_code_block() {
    let en = "docker service ls   # the services\ncurl http://x/#top\n# a note\necho '#x'";
    let zh = "docker service ls   # 服務\ncurl http://x/#top\n# 註記\necho '#x'";
    assert_eq!(commands(en), commands(zh));
    assert_ne!(commands(en), commands("docker service ps   # 服務\ncurl http://x/#top\n# 註記\necho '#x'"));
    assert_ne!(commands(en), commands("docker service ls\ncurl http://x/#top\n# 註記\necho '#x'"), "a comment dropped");
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

#[test]
fn zh_tw_code_blocks_equal_the_english_ones() {
    let english = chapters("en");
    let chinese = chapters("zh-TW");
    assert_eq!(english.keys().collect::<Vec<_>>(), chinese.keys().collect::<Vec<_>>());
    let mut blocks = 0;
    for (path, (name, en)) in &english {
        let (_, zh) = &chinese[path];
        // Some titles stay English, as the seed keeps them ("Overlay Network").
        assert!(has_cjk(zh), "{path} ({name}) is not translated");
        let (en_code, zh_code) = (code(en), code(zh));
        assert_eq!(en_code.len(), zh_code.len(), "{path}: the zh-TW edition has another number of code blocks");
        for (a, b) in en_code.iter().zip(&zh_code) {
            assert_eq!(
                commands(a),
                commands(b),
                "{path}: a code block differs in the zh-TW edition (only `#` comments may)"
            );
        }
        blocks += en_code.len();
    }
    assert!(blocks > 50, "only {blocks} code blocks compared: is the scanner finding them?");
}

/// The `images/….svg` a chapter shows.
fn diagrams(markdown: &str) -> Vec<String> {
    Parser::new(markdown)
        .filter_map(|e| match e {
            Event::Start(Tag::Image { dest_url, .. }) if dest_url.ends_with(".svg") => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_zh_tw_edition_shows_chinese_copies_of_the_diagrams() {
    let english = chapters("en");
    let chinese = chapters("zh-TW");
    let mut shown = 0;
    for (path, (_, en)) in &english {
        let zh = diagrams(&chinese[path].1);
        let en = diagrams(en);
        assert_eq!(en.len(), zh.len(), "{path}: another number of diagrams");
        for (a, b) in en.iter().zip(&zh) {
            assert_eq!(b, &a.replace(".svg", ".zh-TW.svg"), "{path}: the zh-TW edition shows {b} for {a}");
            let read = |f: &str| {
                std::fs::read_to_string(book_dir().join("src").join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
            };
            let (en_svg, zh_svg) = (read(a), read(b));
            let texts = |svg: &str| {
                svg.split("<text")
                    .skip(1)
                    .map(|t| t.split_once('>').map_or("", |(_, r)| r.split('<').next().unwrap_or("")).to_string())
                    .collect::<Vec<_>>()
            };
            let (en_texts, zh_texts) = (texts(&en_svg), texts(&zh_svg));
            assert_eq!(en_texts.len(), zh_texts.len(), "{b}: another number of labels than {a}");
            let viewbox =
                |svg: &str| svg.split("viewBox=\"").nth(1).and_then(|v| v.split('"').next()).map(str::to_string);
            assert_eq!(viewbox(&en_svg), viewbox(&zh_svg), "{b}: another size than {a}");
            for (en_label, zh_label) in en_texts.iter().zip(&zh_texts) {
                // Two English words in a row are a phrase left untranslated, unless they
                // are a name the zh-TW edition keeps (book/po/GLOSSARY.md).
                const NAMES: &[&str] = &[
                    "Raft replica",
                    "Raft log",
                    "Worker Node",
                    "root CA",
                    "mutual TLS",
                    "docker CLI",
                    "Overlay Network",
                ];
                let runs: Vec<String> = lab_i18n::untranslated::english_runs(zh_label)
                    .into_iter()
                    .filter(|r| !NAMES.contains(&r.as_str()))
                    .collect();
                assert!(runs.is_empty(), "{b}: label {zh_label:?} (for {en_label:?}) keeps English: {runs:?}");
            }
            // Component names (API, Scheduler, Executor, container) stay English, as the seed
            // writes them; the rest is translated.
            let translated = en_texts.iter().zip(&zh_texts).filter(|(e, z)| e != z).count();
            assert!(
                translated * 3 >= zh_texts.len(),
                "{b}: only {translated} of {} labels are translated",
                zh_texts.len()
            );
            assert!(has_cjk(&zh_texts[0]), "{b}: its heading {:?} is not Chinese", zh_texts[0]);
            for tag in ["<title", "<desc"] {
                let part = zh_svg.split(tag).nth(1).unwrap_or("");
                assert!(has_cjk(part.split("</").next().unwrap_or("")), "{b}: its {tag}> is not Chinese");
            }
            shown += 1;
        }
    }
    assert!(shown >= 2, "only {shown} diagrams compared");
}

#[test]
fn the_zh_tw_edition_reads_in_chinese_and_links_to_english_on_every_page() {
    let built = BookTest::workbook().all_editions().build();
    let pages: Vec<String> = built.html_pages().into_iter().filter(|p| !p.starts_with("zh-TW/")).collect();
    assert!(pages.len() > 8, "{pages:?}");
    for page in &pages {
        let zh = format!("zh-TW/{page}");
        let (en_html, zh_html) = (built.page(page), built.page(&zh));
        if page == "toc.html" {
            continue;
        }
        assert!(en_html.contains(">繁體中文</a>"), "{page} has no link to the zh-TW edition");
        assert!(zh_html.contains(">English</a>"), "{zh} has no link to the English edition");
        let chapter = page.replace(".html", ".md");
        assert!(zh_html.contains(&format!("data-edition-path=\"../{chapter}\"")), "{zh}: link to the same page");
    }
    let zh = built.page("zh-TW/voting-app.html");
    assert!(zh.contains("<html lang=\"zh-TW\""));
    assert!(zh.contains("作業：投票應用程式"), "chapter title");
    // The card: its words and the lab's texts in Chinese, ids and commands unchanged.
    for text in ["檢查項目", "為你的成果評分", "Overlay Network <code>frontend</code> 已存在", "提示", "100 分"]
    {
        assert!(zh.contains(text), "the zh-TW card lacks {text:?}");
    }
    assert!(zh.contains("id=\"lab-day6-voting-app-network-frontend\"") && zh.contains("lab check day6-voting-app"));
    assert!(!built.page("zh-TW/first-service.html").contains("Grade your work"));
}

/// As `MDBOOK_BOOK__LANGUAGE=zh-TW mdbook build book` runs it: both preprocessors spawned
/// as commands (`mdbook-lab gettext`, then `mdbook-lab`), speaking mdBook's JSON protocol.
#[test]
fn the_zh_tw_edition_builds_through_the_command_preprocessors() {
    let built = BookTest::workbook().language("zh-TW").attach(Attach::Binary).build();
    let page = built.page("overlay-networks.html");
    assert!(page.contains("<html lang=\"zh-TW\""));
    assert!(page.contains("Overlay Network 是什麼"), "the chapter is not translated");
    assert!(page.contains("檢查項目") && page.contains("Overlay Network <code>mydrupal</code> 已存在"), "the card");
}
