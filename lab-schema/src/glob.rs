//! The one pattern syntax labs use for hostnames and command lines: `*` matches any run of
//! characters (spaces included), `?` one character, everything else itself.

/// Whether `text` matches the glob `pattern` as a whole.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("ping *", "ping 127.0.0.1"));
        assert!(matches("ping *", "ping -c 3 127.0.0.1"));
        assert!(!matches("ping *", "ping"));
        assert!(matches("node?", "node2"));
        assert!(!matches("node?", "node12"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
    }

    #[test]
    fn a_star_backtracks_and_trailing_stars_match_nothing() {
        assert!(matches("*b", "abab"));
        assert!(matches("a*", "a"));
        assert!(matches("a**", "a"));
        assert!(!matches("a*x", "abab"));
        assert!(matches("*.*", "a.b.c"));
        assert!(!matches("", "a"));
        assert!(matches("", ""));
        assert!(!matches("abc", "ab"));
        assert!(!matches("ab", "abc"));
        assert!(matches("?*", "x"));
        assert!(!matches("?", ""));
        assert!(matches("é?", "éa"));
    }
}
