//! Helpers shared by the terminal parser's tests (`tests/terminal_parse_*.rs`; each includes this
//! file with `#[path = "support/parse.rs"] mod psupport;`).
#![allow(dead_code)]

use zkafka_sandbox::sim::time::Duration;
use zkafka_sandbox::terminal::ast::{Cmd, Grep, HostPort, Line, ZkCliCmd};
use zkafka_sandbox::terminal::parse::parse;

pub fn s(v: &str) -> String {
    v.to_string()
}

pub fn line(cmd: Cmd) -> Line {
    Line { cmd, grep: None }
}

pub fn with_grep(cmd: Cmd, pattern: &str, invert: bool, ignore_case: bool) -> Line {
    Line { cmd, grep: Some(Grep { pattern: s(pattern), invert, ignore_case }) }
}

pub fn hp(host: &str, port: u16) -> HostPort {
    HostPort { host: s(host), port }
}

pub fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

#[track_caller]
pub fn check_ok(cases: &[(&str, Line)], in_shell: bool) {
    for (input, want) in cases {
        match parse(input, in_shell) {
            Ok(got) => assert_eq!(&got, want, "input: {input:?} (in_shell={in_shell})"),
            Err(e) => panic!("input {input:?} (in_shell={in_shell}) failed: {e}"),
        }
    }
}

#[track_caller]
pub fn check_err(cases: &[(&str, &str)], in_shell: bool) {
    for (input, want) in cases {
        match parse(input, in_shell) {
            Ok(got) => panic!("input {input:?} (in_shell={in_shell}) parsed as {got:?}, wanted error {want:?}"),
            Err(e) => assert_eq!(&e, want, "input: {input:?} (in_shell={in_shell})"),
        }
    }
}

pub fn get(path: &str) -> ZkCliCmd {
    ZkCliCmd::Get { path: s(path), stat: false, watch: false }
}

pub fn shell(connect: Vec<HostPort>, cmd: Option<ZkCliCmd>) -> Cmd {
    Cmd::ZkShell { connect, cmd }
}

pub fn words(v: &[&str]) -> Vec<String> {
    v.iter().map(|w| s(w)).collect()
}

/// The empty command (a blank line, a comment, a bare prompt).
pub fn empty() -> Line {
    Line { cmd: Cmd::Empty, grep: None }
}
