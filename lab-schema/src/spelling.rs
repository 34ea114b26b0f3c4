//! "Did you mean …?": the one suggestion helper of the workbook (lab ids, check ids, lab-file
//! keys, `{{#lab}}` directives), over strsim's Levenshtein distance.

/// Levenshtein distance between two strings, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
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

/// How many edits a suggestion may be away: a third of the name, at least 2.
pub fn limit_for(name: &str) -> usize {
    (name.chars().count() / 3).max(2)
}

/// The candidate `name` was probably meant as: a typo away, or one name holding the other
/// (`voting` in `day6-voting-app`).
pub fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> Option<&'a str> {
    closest(name, candidates.clone(), limit_for(name))
        .or_else(|| candidates.into_iter().find(|c| name.len() > 2 && (c.contains(name) || name.contains(c))))
}

/// `" Did you mean `x`?"` for the [`suggestion`], or an empty string.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> String {
    suggestion(name, candidates).map(|c| format!(" Did you mean `{c}`?")).unwrap_or_default()
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

    #[test]
    fn did_you_mean_takes_typos_and_parts() {
        let labs = ["day6-voting-app", "day6-first-service"];
        assert_eq!(did_you_mean("day6-votingapp", labs), " Did you mean `day6-voting-app`?");
        assert_eq!(did_you_mean("voting", labs), " Did you mean `day6-voting-app`?");
        assert_eq!(did_you_mean("zzz", labs), "");
        assert_eq!(did_you_mean("a", labs), "");
    }
}
