//! The compiled-in catalogs against the English sources: `book/po/labs.pot` holds every
//! lab text and word (lab-runner's `labs_pot_is_a_fresh_extraction` also checks the help
//! texts of the command line, which only lab-runner can walk), and every language
//! translates every message of it (none missing, none fuzzy), keeping its placeholders and
//! its `code`. When one fails after an edit of `labs/*.toml`, `words.rs` or `lab`'s help:
//! run `scripts/i18n`, then translate what it reports.

use lab_i18n::catalog::{po_path, EMBEDDED};
use lab_i18n::template;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn labs() -> Vec<lab_schema::Lab> {
    lab_schema::load_dir(&root().join("labs")).unwrap_or_else(|e| panic!("{e:?}"))
}

/// msgid → (msgstr, fuzzy) of a catalog's singular messages.
fn messages(po: &str) -> BTreeMap<String, (String, bool)> {
    polib::po_file::parse_from_reader(po.as_bytes())
        .expect("the catalog parses")
        .messages()
        .filter(|m| m.is_singular())
        .map(|m| (m.msgid().to_string(), (m.msgstr().unwrap_or_default().to_string(), m.is_fuzzy())))
        .collect()
}

fn placeholders(s: &str) -> Vec<&str> {
    let mut out: Vec<&str> = s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name)).collect();
    out.sort();
    out
}

fn code_spans(s: &str) -> Vec<&str> {
    let mut out: Vec<&str> = s.split('`').skip(1).step_by(2).collect();
    out.sort();
    out
}

/// The committed template's messages, with their references.
fn template_entries() -> Vec<template::Entry> {
    let pot = std::fs::read_to_string(root().join("book/po/labs.pot")).unwrap();
    polib::po_file::parse_from_reader(pot.as_bytes())
        .expect("labs.pot parses")
        .messages()
        .filter(|m| m.is_singular())
        .map(|m| template::Entry {
            msgid: m.msgid().to_string(),
            references: m.source().split_whitespace().map(str::to_string).collect(),
        })
        .collect()
}

#[test]
fn labs_pot_holds_every_lab_text_and_word() {
    let committed: Vec<String> = template_entries().into_iter().map(|e| e.msgid).collect();
    let missing: Vec<String> =
        template::entries(&labs(), &[]).into_iter().map(|e| e.msgid).filter(|m| !committed.contains(m)).collect();
    assert!(
        missing.is_empty(),
        "book/po/labs.pot is out of date with labs/*.toml or lab-i18n/src/words.rs: run scripts/i18n\n{missing:#?}"
    );
}

#[test]
fn every_language_translates_every_lab_text_and_word() {
    let entries = template_entries();
    assert!(entries.len() > 80, "only {} messages extracted", entries.len());
    let mut problems = Vec::new();
    for (lang, po) in EMBEDDED {
        let catalog = messages(po);
        for e in &entries {
            let at = format!("{} ({})", po_path(lang), e.references.join(" "));
            match catalog.get(&e.msgid) {
                None => problems.push(format!("{at}: missing {:?}", e.msgid)),
                Some((s, _)) if s.is_empty() => problems.push(format!("{at}: untranslated {:?}", e.msgid)),
                Some((_, true)) => problems.push(format!("{at}: fuzzy {:?}", e.msgid)),
                Some((s, false)) => {
                    if placeholders(s) != placeholders(&e.msgid) {
                        problems.push(format!("{at}: placeholders differ in {s:?}"));
                    }
                    if code_spans(s) != code_spans(&e.msgid) {
                        problems.push(format!("{at}: `code` differs in {s:?}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "run scripts/i18n and translate:\n{}", problems.join("\n"));
}

#[test]
fn a_translated_lab_keeps_ids_points_fixes_and_answer() {
    let zh = lab_i18n::Language::parse("zh-TW").unwrap();
    for lab in labs() {
        let t = zh.lab(&lab);
        assert_ne!(t.title, lab.title, "{}", lab.id);
        assert_eq!(
            (t.id.as_str(), t.max_score(), t.answer.to_shell()),
            (lab.id.as_str(), lab.max_score(), lab.answer.to_shell())
        );
        for (a, b) in t.checks.iter().zip(&lab.checks) {
            assert_eq!((&a.id, a.points, &a.fix), (&b.id, b.points, &b.fix));
            assert_ne!(a.hint, b.hint, "{} {}", lab.id, b.id);
        }
    }
}
