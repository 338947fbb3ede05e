//! The shell lexer of the sandbox's command line: prompts, comments, quotes, pipes and the
//! final `| grep` filter, turning one line into the words of each pipe segment.
//!
//! What it models: a POSIX-shell-like command line for the sandbox commands and the scripts the
//! seed walkthrough uses: `'...'`, `"..."` (with `\"` and `\\`), backslash escapes, `#` comments,
//! a leading `$ ` prompt (and a pasted zkCli prompt `[zk: HOST(CONNECTED) N] ` inside a session),
//! and pipes.
//!
//! What it simplifies:
//! - No variables, globbing, redirection, subshells, `;` or `&&` lists; a trailing `&` is ignored.
//! - The only real pipe is a final `| grep [-v] [-i] PATTERN` (a plain substring filter). `|` also
//!   appears in `echo WORD | nc HOST PORT` and as the group separator of `net partition`, which
//!   `commands.rs` reads from the pipe segments.

use super::commands::{command, program_name};
use super::{empty, show, show_char, slice};
use crate::terminal::ast::{Grep, Line};

/// POSIX-shell-like word splitting: whitespace separates, '...' is literal, "..." honours the
/// escapes \" and \\ (other backslashes stay), a backslash outside quotes escapes the next
/// character (a trailing lone backslash stays literal); adjacent pieces join into one word.
/// Errors on an unterminated quote.
pub fn shell_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => {
                in_word = true;
                cur.push(it.next().unwrap_or('\\'));
            }
            '\'' => {
                in_word = true;
                loop {
                    match it.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err("unterminated ' quote".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match it.next() {
                        Some('"') => break,
                        Some('\\') => match it.peek() {
                            Some(&n) if n == '"' || n == '\\' => {
                                cur.push(n);
                                it.next();
                            }
                            _ => cur.push('\\'),
                        },
                        Some(ch) => cur.push(ch),
                        None => return Err("unterminated \" quote".to_string()),
                    }
                }
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
    Ok(words)
}

/// Strips a leading `$ ` (or a lone `$`) shell prompt.
pub(super) fn strip_dollar_prompt(line: &str) -> &str {
    let t = line.trim_start();
    match t.strip_prefix('$') {
        Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => rest,
        _ => line,
    }
}

/// Strips a pasted zkCli prompt such as `[zk: localhost:2181(CONNECTED) 3] `.
pub(super) fn strip_zk_prompt(line: &str) -> &str {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("[zk:") {
        if let Some(p) = rest.find(')') {
            let after = slice(rest, p + 1, rest.len());
            if let Some(q) = after.find(']') {
                let count = slice(after, 0, q).trim();
                if count.bytes().all(|b| b.is_ascii_digit()) {
                    return slice(after, q + 1, after.len());
                }
            }
        }
    }
    line
}

/// What a quote-aware scan of a POSIX line found (byte offsets).
struct Scan {
    /// Where the line ends: the start of a `#` comment, or the line's length.
    end: usize,
    /// Top-level `|` characters.
    pipes: Vec<usize>,
    /// Top-level single `&` characters.
    amps: Vec<usize>,
    semicolon: bool,
    and_and: bool,
}

fn scan_posix(s: &str) -> Scan {
    #[derive(PartialEq)]
    enum Q {
        Plain,
        Single,
        Double,
    }
    let mut scan = Scan { end: s.len(), pipes: Vec::new(), amps: Vec::new(), semicolon: false, and_and: false };
    let mut q = Q::Plain;
    let mut escape = false;
    let mut word_start = true;
    let mut last_was_amp = false;
    for (i, c) in s.char_indices() {
        match q {
            Q::Single => {
                if c == '\'' {
                    q = Q::Plain;
                }
                continue;
            }
            Q::Double => {
                if escape {
                    escape = false;
                } else if c == '\\' {
                    escape = true;
                } else if c == '"' {
                    q = Q::Plain;
                }
                continue;
            }
            Q::Plain => {}
        }
        if escape {
            escape = false;
            word_start = false;
            last_was_amp = false;
            continue;
        }
        let mut amp = false;
        match c {
            '\\' => {
                escape = true;
                word_start = false;
            }
            '\'' => {
                q = Q::Single;
                word_start = false;
            }
            '"' => {
                q = Q::Double;
                word_start = false;
            }
            '#' if word_start => {
                scan.end = i;
                break;
            }
            '|' => {
                scan.pipes.push(i);
                word_start = true;
            }
            ';' => {
                scan.semicolon = true;
                word_start = true;
            }
            '&' => {
                if last_was_amp {
                    scan.and_and = true;
                    scan.amps.pop();
                } else {
                    scan.amps.push(i);
                    amp = true;
                }
                word_start = true;
            }
            c if c.is_whitespace() => word_start = true,
            _ => word_start = false,
        }
        last_was_amp = amp;
    }
    scan
}

pub(super) fn parse_sandbox(line: &str) -> Result<Line, String> {
    let scan = scan_posix(line);
    let mut text = slice(line, 0, scan.end);
    if text.trim().is_empty() {
        return Ok(empty());
    }
    let hint = text.split_whitespace().next().map(program_name).unwrap_or("");
    let prefix = if hint.is_empty() { String::new() } else { format!("{}: ", show(hint)) };
    if scan.semicolon {
        return Err(format!("{prefix}';' is not supported: type one command per line"));
    }
    if scan.and_and {
        return Err(format!("{prefix}'&&' is not supported: type one command per line"));
    }
    if let Some(&a) = scan.amps.last() {
        if slice(text, a + 1, text.len()).trim().is_empty() {
            text = slice(text, 0, a);
        }
    }
    let mut pipes: Vec<usize> = scan.pipes.iter().copied().filter(|&p| p < text.len()).collect();
    let mut grep = None;
    if let Some(&p) = pipes.last() {
        if let Some(g) = grep_filter(slice(text, p + 1, text.len()))? {
            if let Some(&p2) = pipes.iter().rev().nth(1) {
                if starts_with_grep(slice(text, p2 + 1, p)) {
                    return Err(chained_grep());
                }
            }
            grep = Some(g);
            text = slice(text, 0, p);
            pipes.pop();
        }
    }
    if text.trim().is_empty() {
        return match grep {
            Some(_) => Err(nothing_to_filter()),
            None => Ok(empty()),
        };
    }
    let mut segs: Vec<Vec<String>> = Vec::with_capacity(pipes.len() + 1);
    let mut start = 0;
    for end in pipes.iter().copied().chain(std::iter::once(text.len())) {
        let words = shell_words(slice(text, start, end)).map_err(|e| format!("{prefix}{e}"))?;
        if words.is_empty() {
            return Err(format!("{prefix}syntax error near unexpected token '|'"));
        }
        segs.push(words);
        start = end + 1;
    }
    let cmd = command(&segs)?;
    Ok(Line { cmd, grep })
}

pub(super) fn chained_grep() -> String {
    "grep: only one '| grep' filter per line is supported".to_string()
}

pub(super) fn nothing_to_filter() -> String {
    "grep: nothing to filter: type a command before '| grep'".to_string()
}

/// True when `s` (the text after a pipe) begins with the word `grep`.
pub(super) fn starts_with_grep(s: &str) -> bool {
    match shell_words(s) {
        Ok(w) => w.first().is_some_and(|f| program_name(f) == "grep"),
        Err(_) => {
            let t = s.trim_start();
            t.strip_prefix("grep").is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace))
        }
    }
}

/// The text after the last top-level `|`: `Some(grep)` if it is a grep command, `None` if it is
/// something else (then the pipe belongs to the command).
pub(super) fn grep_filter(rest: &str) -> Result<Option<Grep>, String> {
    match shell_words(rest) {
        Ok(w) => match w.split_first() {
            Some((first, args)) if program_name(first) == "grep" => parse_grep(args).map(Some),
            _ => Ok(None),
        },
        Err(e) if starts_with_grep(rest) => Err(format!("grep: {e}")),
        Err(_) => Ok(None),
    }
}

fn parse_grep(args: &[String]) -> Result<Grep, String> {
    let usage = "usage: grep [-v] [-i] PATTERN";
    let mut invert = false;
    let mut ignore_case = false;
    let mut pattern: Option<String> = None;
    fn set_pattern(p: &str, pattern: &mut Option<String>) -> Result<(), String> {
        if pattern.is_some() {
            return Err("grep: only one PATTERN is supported (and no files)".to_string());
        }
        *pattern = Some(p.to_string());
        Ok(())
    }
    let mut options_done = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if !options_done && a == "--" {
            options_done = true;
        } else if !options_done && a.starts_with("--") {
            match a {
                "--invert-match" => invert = true,
                "--ignore-case" => ignore_case = true,
                "--fixed-strings" => {}
                _ => return Err(format!("grep: unsupported option '{}' ({usage})", show(a))),
            }
        } else if !options_done && a.len() > 1 && a.starts_with('-') {
            let flags: Vec<char> = a.chars().skip(1).collect();
            for (j, &f) in flags.iter().enumerate() {
                match f {
                    'v' => invert = true,
                    'i' => ignore_case = true,
                    'F' => {}
                    'e' => {
                        let attached: String = flags.iter().skip(j + 1).collect();
                        if attached.is_empty() {
                            i += 1;
                            let p = args.get(i).ok_or_else(|| format!("grep: option -e needs a PATTERN ({usage})"))?;
                            set_pattern(p, &mut pattern)?;
                        } else {
                            set_pattern(&attached, &mut pattern)?;
                        }
                        break;
                    }
                    'E' | 'P' => return Err(format!("grep: -{f} (regular expressions) is not supported: PATTERN is a plain substring")),
                    other => return Err(format!("grep: unsupported option '-{}' ({usage})", show_char(other))),
                }
            }
        } else {
            set_pattern(a, &mut pattern)?;
        }
        i += 1;
    }
    let pattern = pattern.ok_or_else(|| format!("grep: missing PATTERN ({usage})"))?;
    Ok(Grep { pattern, invert, ignore_case })
}
