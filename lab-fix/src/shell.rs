//! Shell words: splitting the reference answer's lines, and quoting the words of the
//! commands we print so that a line pastes into bash as one complete command.

/// Splits a command line into words the way `sh` would for the plain lines lab answers
/// hold: whitespace separates, single and double quotes group, a backslash escapes.
pub fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => cur.extend(chars.next()),
                        _ => cur.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// One word as bash reads it back unchanged: bare when it is plain, else in single quotes.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c))
        && !word.starts_with('=');
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Words joined into one command line, each quoted as needed.
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| quote(w.as_ref())).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_group_words_and_round_trip() {
        let words =
            split(r#"docker service create --constraint "node.role == manager" -e 'A=b c' alpine ping 127.0.0.1"#);
        assert_eq!(words[3], "--constraint");
        assert_eq!(words[4], "node.role == manager");
        assert_eq!(words[6], "A=b c");
        assert_eq!(split(&join(&words)), words);
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(
            quote("type=volume,source=db-data,target=/var/lib/postgresql/data"),
            "type=volume,source=db-data,target=/var/lib/postgresql/data"
        );
        assert_eq!(quote(""), "''");
    }
}
