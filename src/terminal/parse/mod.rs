//! The parser of the sandbox's terminal language: one typed line becomes a [`Line`] (a [`Cmd`]
//! plus an optional `| grep` filter). Pure: no I/O, no clock, no randomness, no panics on any input.
//!
//! What it models, file by file:
//! - `shell.rs`, the shell lexer: a POSIX-shell-like command line (quotes, escapes, `#` comments,
//!   prompts, pipes and the final `| grep` filter), split into words;
//! - `commands.rs`, the sandbox commands: `cluster`, `zk`/`broker`, the server scripts, `sleep`,
//!   `step`, `net`, `echo WORD | nc HOST PORT` and the Kafka tools' names;
//! - `zkcli.rs`, zkCli as shipped with Kafka 2.8 (ZooKeeper 3.5.9 `ZooKeeperMain`): its
//!   tokenizer, commons-cli option parsing and every command's arguments, typed either after
//!   `zookeeper-shell HOST` or inside an interactive session.
//!
//! This file holds the entry point (which of the two languages a line is in) and the shape of
//! every error message: one line, non-empty, bounded, with user text quoted briefly.
//!
//! What it simplifies (details in each file's header): no variables, globbing, redirection,
//! subshells or command lists; ranges that depend on the running cluster (does server 5 exist?)
//! are checked by the executor.

mod commands;
mod shell;
mod zkcli;

pub use commands::parse_duration;
pub use shell::shell_words;
pub use zkcli::zk_cli_tokens;

use commands::{program_name, SANDBOX_WORDS};
use shell::{parse_sandbox, strip_dollar_prompt, strip_zk_prompt};
use zkcli::{parse_zk_line, zk_tokens};

use crate::terminal::ast::{Cmd, Line};

/// How many characters of user input an error message quotes.
const SHOW_MAX: usize = 60;
/// How many characters of user input a mirrored zkCli/Java message quotes.
const SHOW_MAX_UPSTREAM: usize = 200;
/// Hard cap on the length of any error message, in characters.
pub const ERROR_MAX: usize = 2000;

/// Parse one line. `in_shell` is true while an interactive `zookeeper-shell HOST` session is open:
/// then zkCli command words (ls, get, stat, create, set, delete, deleteall, quit, help, and unknown
/// words that are not sandbox commands either) parse as [`Cmd::ZkCli`], everything else as sandbox
/// commands. Errors are one non-empty line, starting with the command name where there is one;
/// zkCli errors are the text zkCli itself prints (e.g. its usage line `get [-s] [-w] path`).
pub fn parse(line: &str, in_shell: bool) -> Result<Line, String> {
    parse_line(line, in_shell).map_err(|e| one_line(&e))
}

fn empty() -> Line {
    Line { cmd: Cmd::Empty, grep: None }
}

fn parse_line(line: &str, in_shell: bool) -> Result<Line, String> {
    let mut line = strip_dollar_prompt(line);
    if in_shell {
        line = strip_dollar_prompt(strip_zk_prompt(line));
    }
    if line.trim().is_empty() {
        return Ok(empty());
    }
    if !in_shell {
        return parse_sandbox(line);
    }
    let toks = zk_tokens(line);
    let is_sandbox = match toks.first() {
        Some(first) => {
            let name = program_name(&first.text);
            name != "help" && SANDBOX_WORDS.contains(&name)
        }
        None => false,
    };
    if is_sandbox {
        parse_sandbox(line)
    } else {
        parse_zk_line(line, toks)
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers.
// ---------------------------------------------------------------------------------------------

/// `&s[a..b]` that never panics (empty on a bad range).
fn slice(s: &str, a: usize, b: usize) -> &str {
    s.get(a..b).unwrap_or("")
}

/// User text quoted in an error: control characters escaped, at most `SHOW_MAX` characters.
fn show(s: &str) -> String {
    show_n(s, SHOW_MAX)
}

/// Like [`show`], with a longer limit, for the texts that mirror zkCli and Java.
fn show_upstream(s: &str) -> String {
    show_n(s, SHOW_MAX_UPSTREAM)
}

fn show_char(c: char) -> String {
    show(c.encode_utf8(&mut [0u8; 4]))
}

fn show_n(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        push_visible(&mut out, c);
    }
    out
}

fn push_visible(out: &mut String, c: char) {
    if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// The final shape of every error: one line, non-empty, bounded.
fn one_line(e: &str) -> String {
    let mut out = String::new();
    for (i, c) in e.chars().enumerate() {
        if i == ERROR_MAX {
            out.push('…');
            break;
        }
        push_visible(&mut out, c);
    }
    if out.trim().is_empty() {
        out = "error: could not parse the line".to_string();
    }
    out
}
