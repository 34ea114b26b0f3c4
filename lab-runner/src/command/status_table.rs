//! The node table of `lab cluster status` and `up`, the same for every driver: column heads
//! in the run's language, each column as wide as its widest cell by display width.

use lab_i18n::words;

/// One node of `lab cluster status` (either driver's), its swarm column already worded.
pub struct StatusRow<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub swarm: String,
    pub role: &'a Option<String>,
    pub state: &'a Option<String>,
    pub availability: &'a Option<String>,
    pub manager_status: &'a Option<String>,
    pub docker_host: &'a str,
}

/// The lines of the node table: the column heads in `lang` (all in it: see
/// book/po/GLOSSARY.md), then one line per node, each column as wide as its widest cell by
/// display width; an unknown field is `-`.
pub fn status_table(lang: lab_i18n::Language, rows: &[StatusRow]) -> Vec<String> {
    let heads = [
        (words::STATUS_NODE, 7),
        (words::STATUS_ADDRESS, 15),
        (words::STATUS_SWARM, 9),
        (words::STATUS_ROLE, 8),
        (words::STATUS_STATE, 8),
        (words::STATUS_AVAILABILITY, 12),
        (words::STATUS_MANAGER, 12),
    ];
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.name.to_string(),
                r.address.to_string(),
                r.swarm.clone(),
                dash(r.role),
                dash(r.state),
                dash(r.availability),
                dash(r.manager_status),
            ]
        })
        .collect();
    let heads: Vec<(String, usize)> = heads
        .iter()
        .enumerate()
        .map(|(i, (w, least))| {
            let head = lang.tr(w).into_owned();
            let widest = cells.iter().map(|c| words::width(&c[i])).chain([words::width(&head), *least]).max();
            (head, widest.unwrap_or(*least))
        })
        .collect();
    let line = |cells: &[String], last: &str| -> String {
        cells.iter().zip(&heads).map(|(c, (_, width))| words::pad(c, *width) + " ").collect::<String>() + last
    };
    let mut lines = vec![line(&heads.iter().map(|(h, _)| h.clone()).collect::<Vec<_>>(), "DOCKER_HOST")];
    for (r, c) in rows.iter().zip(&cells) {
        lines.push(line(c, r.docker_host));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(name: &'a str, swarm: &str, manager: &'a Option<String>, none: &'a Option<String>) -> StatusRow<'a> {
        StatusRow {
            name,
            address: "10.99.0.2",
            swarm: swarm.to_string(),
            role: none,
            state: none,
            availability: none,
            manager_status: manager,
            docker_host: "unix:///x.sock",
        }
    }

    #[test]
    fn the_status_table_is_english_or_chinese_never_both_and_stays_aligned() {
        let (leader, none) = (Some("Leader".to_string()), None);
        let rows = [row("node1", "active", &leader, &none), row("node2", "inactive", &none, &none)];
        let en = status_table(lab_i18n::Language::english(), &rows);
        assert_eq!(en[0], "NODE    ADDRESS         SWARM     ROLE     STATE    AVAILABILITY MANAGER      DOCKER_HOST");
        assert_eq!(
            en[1],
            "node1   10.99.0.2       active    -        -        -            Leader       unix:///x.sock"
        );
        let rows = [row("node1", "active", &leader, &none), row("node2", "沒有 engine", &none, &none)];
        let zh = status_table(lab_i18n::Language::parse("zh-TW").unwrap(), &rows);
        for english in ["NODE", "ADDRESS", "SWARM ", "ROLE", "STATE", "AVAILABILITY", "MANAGER "] {
            assert!(!zh[0].contains(english), "{english} in the zh-TW head: {}", zh[0]);
        }
        assert!(zh[0].starts_with("名稱") && zh[0].contains("位址") && zh[0].ends_with("DOCKER_HOST"), "{}", zh[0]);
        // A column starts at the same display column in the head and in each row.
        let at = |line: &str, text: &str| line.find(text).map(|i| words::width(&line[..i]));
        assert_eq!(at(&zh[0], "Manager"), at(&zh[1], "Leader"), "misaligned:\n{}\n{}", zh[0], zh[1]);
        for line in &zh[1..] {
            assert_eq!(at(&zh[0], "DOCKER_HOST"), at(line, "unix://"), "misaligned:\n{}\n{line}", zh[0]);
        }
    }
}
