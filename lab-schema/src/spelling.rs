//! "Did you mean …?": the edit distance every error message in the workbook uses to
//! suggest the name a learner or lab author probably meant.

/// Levenshtein distance between two strings, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The candidate closest to `name` within `limit` edits, if any (ties: the first).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, limit: usize) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("day6-votingapp", "day6-voting-app"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("vote", "vote"), 0);
        assert_eq!(closest("servce", ["service", "swarm", "node"], 2), Some("service"));
        assert_eq!(closest("xyz", ["service"], 2), None);
    }
}
