//! A lesson as the tests see it: the commands a learner is told to type, in order, with the
//! node each one runs on and its line in the chapter, plus the lab the chapter grades.
//!
//! The book's convention (introduction.md, "How to read a lesson"): commands are in fenced
//! blocks with the info string `console`; a command line starts with `$ ` (node1, or the
//! only node) or `nodeN$ ` (node N); lines without a prompt are sample output. Blocks with
//! any other info string (`text`, diagrams, workstation commands) are for reading only.
//! A lab card is a line `{{#lab <lab-id>}}` outside code.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::path::Path;

/// One command line of a `console` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// 1-based line of the chapter the command starts on.
    pub line: usize,
    /// 1-based node number: 1 for `$ `, N for `nodeN$ `.
    pub node: usize,
    /// The command as printed, without its prompt (continuation lines joined with a space).
    pub text: String,
}

/// The runnable part of one chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    /// The chapter's file name, e.g. `first-service.md`.
    pub chapter: String,
    pub commands: Vec<Command>,
    /// The lab of the chapter's `{{#lab …}}` card, if it has one.
    pub lab: Option<String>,
}

impl Lesson {
    /// Extracts the commands and the lab card of `markdown`, a chapter named `chapter`.
    pub fn parse(chapter: &str, markdown: &str) -> Lesson {
        let line_of = |offset: usize| markdown[..offset].matches('\n').count() + 1;
        let mut commands = Vec::new();
        let mut lab = None;
        let mut in_console = false;
        let mut in_other_code = false;
        // A command whose last line ended in `\`: its lines are joined.
        let mut open: Option<Command> = None;
        for (event, range) in Parser::new(markdown).into_offset_iter() {
            match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    let console = matches!(&kind, CodeBlockKind::Fenced(info)
                        if info.split(|c: char| c.is_whitespace() || c == ',').next() == Some("console"));
                    in_console = console;
                    in_other_code = !console;
                }
                Event::End(TagEnd::CodeBlock) => {
                    commands.extend(open.take());
                    in_console = false;
                    in_other_code = false;
                }
                Event::Text(text) if in_console => {
                    let first = line_of(range.start);
                    for (i, raw) in text.lines().enumerate() {
                        let raw = raw.trim_end();
                        if let Some(mut cmd) = open.take() {
                            cmd.text = join_continuation(&cmd.text, raw.trim());
                            if raw.ends_with('\\') {
                                open = Some(cmd);
                            } else {
                                commands.push(cmd);
                            }
                            continue;
                        }
                        let Some((node, text)) = split_prompt(raw) else { continue };
                        let cmd = Command { line: first + i, node, text: text.trim().to_string() };
                        if text.ends_with('\\') {
                            open = Some(cmd);
                        } else {
                            commands.push(cmd);
                        }
                    }
                }
                Event::Text(text) if !in_other_code => {
                    if let Some(id) = lab_card(&text) {
                        lab.get_or_insert(id);
                    }
                }
                _ => {}
            }
        }
        Lesson { chapter: chapter.to_string(), commands, lab }
    }

    /// Reads and parses `src_dir/chapter`.
    pub fn read(src_dir: &Path, chapter: &str) -> std::io::Result<Lesson> {
        let path = src_dir.join(chapter);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(Lesson::parse(chapter, &text))
    }

    /// `chapter.md:LINE`, the way error messages and skip notices name a command.
    pub fn locate(&self, cmd: &Command) -> String {
        format!("{}:{}", self.chapter, cmd.line)
    }
}

/// `$ cmd` → (1, "cmd"); `node2$ cmd` → (2, "cmd"); anything else is output.
pub fn split_prompt(line: &str) -> Option<(usize, &str)> {
    if let Some(rest) = line.strip_prefix("$ ") {
        return Some((1, rest));
    }
    let (host, rest) = line.split_once("$ ")?;
    let n: usize = host.strip_prefix("node")?.parse().ok()?;
    (n >= 1).then_some((n, rest))
}

fn join_continuation(so_far: &str, next: &str) -> String {
    format!("{} {next}", so_far.trim_end_matches('\\').trim_end())
}

/// The lab id of a text that is exactly `{{#lab ID}}`.
fn lab_card(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix("{{#lab ")?.strip_suffix("}}")?.trim();
    (!inner.is_empty() && !inner.contains(char::is_whitespace)).then(|| inner.to_string())
}

/// The chapter files of `SUMMARY.md`, in book order.
pub fn book_order(summary: &str) -> Vec<String> {
    Parser::new(summary)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.ends_with(".md") => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

/// The lab graded after an answer chapter: `X-answer.md` has no card of its own, it is
/// graded by the card of the assignment it answers, `X.md` (mdbook-lab's naming rule).
pub fn assignment_of(answer_chapter: &str) -> Option<String> {
    answer_chapter.strip_suffix("-answer.md").map(|stem| format!("{stem}.md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAPTER: &str = "# Title

Some prose with `$ docker inline` code.

```console
$ docker info
Server:
 Swarm: inactive
$ docker swarm init --advertise-addr <node1-ip>
Swarm initialized: current node (x) is now a manager.
```

```text
$ docker not-run
docker also-not-run
```

- A list item with an indented block:

  ```console
  node2$ docker swarm join --token <worker-token> <node1-ip>:2377
  This node joined a swarm as a worker.
  node3$ docker swarm join \\
      --token <worker-token> <node1-ip>:2377
  ```

```sh
$ docker sh-block-not-run
```

    $ docker indented-code-not-run

{{#lab day6-example}}
";

    #[test]
    fn commands_come_from_console_blocks_with_prompts_and_lines() {
        let lesson = Lesson::parse("x.md", CHAPTER);
        let got: Vec<(usize, usize, &str)> =
            lesson.commands.iter().map(|c| (c.line, c.node, c.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (6, 1, "docker info"),
                (9, 1, "docker swarm init --advertise-addr <node1-ip>"),
                (21, 2, "docker swarm join --token <worker-token> <node1-ip>:2377"),
                (23, 3, "docker swarm join --token <worker-token> <node1-ip>:2377"),
            ]
        );
        assert_eq!(lesson.lab.as_deref(), Some("day6-example"));
        assert_eq!(lesson.locate(&lesson.commands[2]), "x.md:21");
    }

    #[test]
    fn output_lines_and_other_prompts_are_not_commands() {
        assert_eq!(split_prompt("$ docker ps"), Some((1, "docker ps")));
        assert_eq!(split_prompt("node3$ docker ps"), Some((3, "docker ps")));
        assert_eq!(split_prompt("Server:"), None);
        assert_eq!(split_prompt(" Swarm: inactive"), None);
        assert_eq!(split_prompt("$docker"), None);
        assert_eq!(split_prompt("root@node1:~# docker ps"), None);
        assert_eq!(split_prompt("costs $ 5"), None);
        assert_eq!(split_prompt("node$ x"), None);
        assert_eq!(split_prompt("node0$ x"), None);
    }

    #[test]
    fn a_lab_card_inside_code_is_not_the_chapters_lab() {
        let md = "```text\n{{#lab not-this}}\n```\n\nUse `{{#lab nor-this}}`.\n";
        assert_eq!(Lesson::parse("x.md", md).lab, None);
    }

    #[test]
    fn summary_lists_chapters_in_order() {
        let summary = "# Summary\n\n[Intro](introduction.md)\n\n# Part\n\n- [A](a.md)\n- [B](b.md)\n  - [C](c.md)\n";
        assert_eq!(book_order(summary), ["introduction.md", "a.md", "b.md", "c.md"]);
    }

    #[test]
    fn answer_chapters_are_graded_by_their_assignment() {
        assert_eq!(assignment_of("voting-app-answer.md").as_deref(), Some("voting-app.md"));
        assert_eq!(assignment_of("voting-app.md"), None);
    }
}
