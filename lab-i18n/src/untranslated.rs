//! Finding English left in a translated text, for the tests that pin a translation: a run
//! of two or more English words (one space apart) outside `code spans` is a sentence the
//! translation missed, unless it is a value the text carries (a service name, an engine's
//! own message) or a term the translation keeps in English ("Routing Mesh").

/// Runs of two or more English words in `text` (words one space apart), outside `code spans`.
pub fn english_runs(text: &str) -> Vec<String> {
    let prose: String = text.split('`').step_by(2).collect::<Vec<_>>().join("|");
    let mut runs = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut rest = prose.as_str();
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        // Another word of this run only after exactly one space.
        if !run.is_empty() && &rest[..start] != " " {
            if run.len() >= 2 {
                runs.push(run.join(" "));
            }
            run.clear();
        }
        let word = &rest[start..];
        let end = word
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '\'' || c == '-' || c == '_'))
            .unwrap_or(word.len());
        run.push(&word[..end]);
        rest = &word[end..];
    }
    if run.len() >= 2 {
        runs.push(run.join(" "));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::english_runs;

    #[test]
    fn english_runs_are_found_outside_code_and_single_words_are_spared() {
        assert_eq!(english_runs("1 項不符：no such service (services: web, db)"), ["no such service"]);
        assert!(english_runs("`docker node rm ID` 在 node1 上").is_empty());
        assert!(english_runs("已替換 0 個（任務紀錄：1 running、5 failed）").is_empty());
        assert_eq!(english_runs("任務一再失敗：No such image: voet"), ["No such image"]);
        assert_eq!(english_runs("a b\nc d"), ["a b", "c d"], "a line break ends a run");
    }
}
