//! A compiled-in gettext catalog turned into a msgid → msgstr table. Untranslated and fuzzy
//! entries are left out, so they fall back to English.

use std::collections::HashMap;

/// The `.po` files compiled into the binaries: language tag and catalog text.
pub const EMBEDDED: &[(&str, &str)] = &[("zh-TW", include_str!("../../book/po/labs.zh-TW.po"))];

/// The book's own catalogs (`book/po/<lang>.po`), for the few book texts `lab` shows
/// outside the book: the chapter titles of `lab list`.
pub const EMBEDDED_BOOK: &[(&str, &str)] = &[("zh-TW", include_str!("../../book/po/zh-TW.po"))];

/// Where the catalog of `lang` lives in the repository (for messages and tools).
pub fn po_path(lang: &str) -> String {
    format!("book/po/labs.{lang}.po")
}

/// A parsed catalog: only translated, non-fuzzy messages.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    messages: HashMap<String, String>,
}

impl Catalog {
    /// Parses `.po` text. A broken catalog is a bug of this repository (the tests parse
    /// every embedded one), so the error names the file to fix.
    pub fn parse(po: &str) -> Result<Catalog, String> {
        let parsed = polib::po_file::parse_from_reader(po.as_bytes()).map_err(|e| e.to_string())?;
        let messages = parsed
            .messages()
            .filter(|m| m.is_singular() && m.is_translated() && !m.is_fuzzy())
            .filter_map(|m| Some((m.msgid().to_string(), m.msgstr().ok()?.to_string())))
            .filter(|(_, s)| !s.is_empty())
            .collect();
        Ok(Catalog { messages })
    }

    pub fn get(&self, msgid: &str) -> Option<&str> {
        self.messages.get(msgid).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_and_empty_entries_fall_back() {
        let po = "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n\
                  msgid \"a\"\nmsgstr \"甲\"\n\n#, fuzzy\nmsgid \"b\"\nmsgstr \"乙\"\n\nmsgid \"c\"\nmsgstr \"\"\n\n\
                  msgid \"multi\\n\"\n\"line\"\nmsgstr \"多\\n\"\n\"行\"\n";
        let c = Catalog::parse(po).unwrap();
        assert_eq!(c.get("a"), Some("甲"));
        assert_eq!(c.get("b"), None);
        assert_eq!(c.get("c"), None);
        assert_eq!(c.get("multi\nline"), Some("多\n行"));
    }
}
