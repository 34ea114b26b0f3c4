//! One term per concept: `book/po/GLOSSARY.md` lists, for each English term, the zh-TW term
//! both catalogs use and the renderings they must not use (its **Not** column). A second
//! rendering found in any translated message of `book/po/zh-TW.po` (the book) or
//! `book/po/labs.zh-TW.po` (lab texts, program words, `lab --help`) fails, naming the
//! message; fix the message, or the glossary if the term itself changes.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A row of the glossary's table.
#[derive(Debug)]
struct Term {
    english: String,
    /// The preferred renderings (`旗標 / 選項` is two).
    preferred: Vec<String>,
    /// The renderings that must not appear, each written as `code` in the Not column.
    not: Vec<String>,
}

/// The rows of the table under `## Terms`.
fn terms(glossary: &str) -> Vec<Term> {
    let table = glossary.split("## Terms").nth(1).expect("GLOSSARY.md has a `## Terms` section");
    table
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with('|'))
        .map(|l| l.trim().trim_matches('|').split('|').map(str::trim).collect::<Vec<_>>())
        .filter(|cells| cells.len() >= 3 && cells[0] != "English" && !cells[0].starts_with("---"))
        .map(|cells| Term {
            english: cells[0].to_string(),
            preferred: cells[1].split(" / ").map(|t| t.trim().to_string()).collect(),
            not: cells[2].split('`').skip(1).step_by(2).map(str::to_string).collect(),
        })
        .collect()
}

/// The second renderings in `text`: every Not variant left once all the preferred terms
/// are taken out (命令列 is preferred; 命令 in it is not a second rendering of "command").
fn second_renderings<'a>(text: &str, terms: &'a [Term]) -> Vec<(&'a Term, &'a str)> {
    let mut preferred: Vec<&str> = terms.iter().flat_map(|t| t.preferred.iter().map(String::as_str)).collect();
    // Longest first, so that a term inside another is not taken out of it first.
    preferred.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    let mut rest = text.to_string();
    for p in preferred {
        // A preferred term only protects the variants it contains.
        if terms.iter().any(|t| t.not.iter().any(|n| p.contains(n.as_str()) && p != n)) {
            rest = rest.replace(p, "§");
        }
    }
    let found: Vec<(&Term, &str)> = terms
        .iter()
        .flat_map(|t| t.not.iter().filter(|n| rest.contains(n.as_str())).map(move |n| (t, n.as_str())))
        .collect();
    // 用戶 inside 用戶端 is one finding, the longer one.
    found.iter().filter(|(_, n)| !found.iter().any(|(_, m)| m != n && m.contains(n))).copied().collect()
}

/// (msgid, msgstr) of every translated message of a catalog.
fn translations(po: &Path) -> Vec<(String, String)> {
    polib::po_file::parse(po)
        .unwrap_or_else(|e| panic!("{}: {e}", po.display()))
        .messages()
        .filter(|m| m.is_singular() && m.is_translated())
        .map(|m| (m.msgid().to_string(), m.msgstr().unwrap_or_default().to_string()))
        .collect()
}

fn glossary() -> Vec<Term> {
    let text = std::fs::read_to_string(root().join("book/po/GLOSSARY.md")).expect("book/po/GLOSSARY.md");
    terms(&text)
}

#[test]
fn the_glossary_names_the_seed_terms_and_their_variants() {
    let terms = glossary();
    assert!(terms.len() >= 40, "only {} terms", terms.len());
    let zh = |en: &str| terms.iter().find(|t| t.english == en).map(|t| t.preferred.join(" / "));
    // The course notes' own choices.
    assert_eq!(zh("service").as_deref(), Some("服務"));
    assert_eq!(zh("task").as_deref(), Some("任務"));
    assert_eq!(zh("cluster").as_deref(), Some("叢集"));
    assert_eq!(zh("load balancing").as_deref(), Some("負載平衡"));
    assert_eq!(zh("Routing Mesh").as_deref(), Some("Routing Mesh"));
    for t in &terms {
        for n in &t.not {
            assert!(!t.preferred.contains(n), "{}: {n} is both preferred and not", t.english);
        }
    }
}

#[test]
fn a_variant_is_found_and_a_preferred_term_that_contains_one_is_not() {
    let terms = glossary();
    let found =
        |text: &str| second_renderings(text, &terms).into_iter().map(|(_, n)| n.to_string()).collect::<Vec<_>>();
    assert_eq!(found("engine 不接受用戶端憑證"), ["用戶端"]);
    assert_eq!(found("每個 Node 都在 port 80 上等待連線"), ["等待連線"]);
    assert!(found("在命令列上輸入的環境變數").is_empty());
    assert!(found("客戶端憑證、監聽 port 80、占用").is_empty());
    assert_eq!(found("佔用 port 80 的 endpoint 模式"), ["endpoint 模式", "佔用"]);
}

#[test]
fn both_catalogs_use_one_term_per_concept() {
    let terms = glossary();
    let mut problems = Vec::new();
    for po in ["book/po/zh-TW.po", "book/po/labs.zh-TW.po"] {
        for (msgid, msgstr) in translations(&root().join(po)) {
            for (term, variant) in second_renderings(&msgstr, &terms) {
                let en: String = msgid.chars().take(70).collect();
                problems.push(format!(
                    "{po}: `{variant}` for \"{}\" (use {}) in the translation of {en:?}",
                    term.english,
                    term.preferred.join(" / ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "second renderings of glossary terms (book/po/GLOSSARY.md):\n{}", problems.join("\n"));
}
