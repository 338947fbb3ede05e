//! The Kafka tools' command-line error cases, as data: every `tests/cli/*.cases` file lists
//! command lines and what the real 2.8.2 tool prints first for each (the format is described at
//! the top of `tests/cli/kafka-topics.cases`), each under the upstream file it follows. One
//! table-driven test runs them all through the tools' parsers (`src/kafka/cli/`).

use std::fs;
use std::path::Path;

use zkafka_sandbox::kafka::cli::{
    parse_console_consumer_args_detailed, parse_console_producer_args_detailed, parse_leader_election_args_detailed,
    parse_topics_args_detailed, CliError, CliErrorKind,
};

/// One case: where it is, what it cites, the command line, and the expected outcome
/// (`None`: the command line passes).
struct Case {
    at: String,
    cite: String,
    argv: Vec<String>,
    expected: Option<(CliErrorKind, String)>,
}

/// Splits a command line like a shell: whitespace separates words, `'...'` and `"..."` group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unterminated quote in {line:?}");
    if in_word {
        out.push(cur);
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("\\s", " ").replace("\\t", "\t")
}

fn kind_of(word: &str) -> Option<CliErrorKind> {
    Some(match word {
        "usage" => CliErrorKind::Usage,
        "uncaught" => CliErrorKind::Uncaught,
        "failed" => CliErrorKind::Failed,
        "version" => CliErrorKind::Version,
        _ => return None,
    })
}

fn read_cases(path: &Path) -> Vec<Case> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut cases: Vec<Case> = Vec::new();
    let mut cite = String::new();
    let mut open = false;
    for (i, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", i + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(c) = line.strip_prefix("@ ") {
            cite = c.trim().to_string();
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            assert!(!cite.is_empty(), "{at}: a case needs an `@ upstream file` line above it");
            assert!(!open, "{at}: the case above has no expected outcome");
            cases.push(Case { at, cite: cite.clone(), argv: words(cmd), expected: None });
            open = true;
        } else if line == "ok" {
            assert!(open, "{at}: `ok` without a command line");
            open = false;
        } else if let Some((k, t)) = line.split_once(": ").or_else(|| line.strip_suffix(':').map(|k| (k, ""))) {
            let kind = kind_of(k).unwrap_or_else(|| panic!("{at}: unknown outcome kind {k:?}"));
            let case = cases.last_mut().unwrap_or_else(|| panic!("{at}: outcome without a command line"));
            match &mut case.expected {
                Some((prev, text)) => {
                    assert_eq!(*prev, kind, "{at}: one case prints one kind of outcome");
                    text.push('\n');
                    text.push_str(&unescape(t));
                }
                None => {
                    assert!(open, "{at}: outcome after `ok`");
                    case.expected = Some((kind, unescape(t)));
                }
            }
            open = false;
        } else {
            panic!("{at}: cannot read {line:?}");
        }
    }
    assert!(!open, "{name}: the last case has no expected outcome");
    cases
}

/// Runs one command line through its tool's parser: `Ok(())` if it passes.
fn run(argv: &[String]) -> Result<(), CliError> {
    let (tool, args) = argv.split_first().expect("a command line names its tool");
    match tool.as_str() {
        "kafka-topics" => parse_topics_args_detailed(args).map(|_| ()),
        "kafka-leader-election" => parse_leader_election_args_detailed(args).map(|_| ()),
        "kafka-console-producer" => parse_console_producer_args_detailed(args).map(|_| ()),
        "kafka-console-consumer" => parse_console_consumer_args_detailed(args).map(|_| ()),
        other => panic!("no parser for {other}"),
    }
}

#[test]
fn every_tool_refuses_each_listed_command_line_with_the_real_tools_first_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    let mut files: Vec<_> = fs::read_dir(&dir).expect("tests/cli").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|x| x == "cases"));
    files.sort();
    assert!(files.len() >= 4, "one case file per Kafka tool");
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        for case in read_cases(file) {
            count += 1;
            let got = run(&case.argv);
            let ok = match (&case.expected, &got) {
                (None, Ok(())) => true,
                (Some((kind, text)), Err(e)) => e.kind == *kind && e.text == *text,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{} ({}):\n  $ {}\n  expected {:?}\n  got      {:?}",
                    case.at,
                    case.cite,
                    case.argv.join(" "),
                    case.expected,
                    got.map_err(|e| (e.kind, e.text))
                ));
            }
        }
    }
    assert!(count >= 100, "only {count} cases were read");
    assert!(failures.is_empty(), "{} of {count} cases differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_case_reader_splits_words_like_a_shell() {
    assert_eq!(words("a 'b c' \"\" d=''"), vec!["a", "b c", "", "d="]);
    assert_eq!(unescape("x\\s"), "x ");
}
