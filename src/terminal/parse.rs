//! The parser of the sandbox's terminal language: one typed line becomes a [`Line`] (a [`Cmd`]
//! plus an optional `| grep` filter). Pure: no I/O, no clock, no randomness, no panics on any input.
//!
//! What it models:
//! - A POSIX-shell-like command line for the sandbox commands and the scripts the seed walkthrough
//!   uses: `'...'`, `"..."` (with `\"` and `\\`), backslash escapes, `#` comments, a leading `$ `
//!   prompt, `bin/`/`./bin/` prefixes and `.sh` suffixes on program names, and pipes.
//! - zkCli as shipped with Kafka 2.8 (ZooKeeper 3.5.9 `ZooKeeperMain`): inside an interactive
//!   `zookeeper-shell` session a line is split by zkCli's own tokenizer (`ARGS_PATTERN`
//!   `\s*([^"']\S*|"[^"]*"|'[^']*')\s*`, then `QUOTED_PATTERN` strips one pair of surrounding
//!   quotes), and every command's options go through commons-cli `PosixParser` rules (options
//!   anywhere, `-sR` bursting, `-v3` attached values, `--` ends options). Usage lines
//!   (`get [-s] [-w] path`), commons-cli exception texts and the uncaught `NumberFormatException`
//!   of `-v abc` are returned as the error text, as zkCli prints them.
//!
//! What it simplifies:
//! - No variables, globbing, redirection, subshells, `;` or `&&` lists; a trailing `&` is ignored.
//! - The only real pipe is a final `| grep [-v] [-i] PATTERN` (a plain substring filter). `|` also
//!   appears in `echo WORD | nc HOST PORT` and as the group separator of `net partition`.
//! - zkCli's deprecation warnings (`get path watch`) and `ls -?` help output are not reproduced;
//!   the deprecated forms parse as upstream parses them. ACLs, containers and TTL nodes are rejected.
//! - Ranges that depend on the running cluster (does server 5 exist?) are checked by the executor.

use crate::sorted::SortedMap;

use crate::sim::time::Duration;
use crate::terminal::ast::{Cmd, Grep, HostPort, KafkaTool, Line, NetCmd, NodeAction, ZkCliCmd};

/// Longest accepted duration: 1000 hours, in microseconds.
const MAX_DURATION_US: u64 = 1000 * 3600 * 1_000_000;
/// Largest `step N`.
const MAX_STEP: u64 = 10_000_000;
/// Largest `net delay` maximum: 60 seconds, in microseconds.
const MAX_DELAY_US: u64 = 60 * 1_000_000;
/// `net loss 100` in parts per million.
const MAX_LOSS_PPM: u64 = 1_000_000;
/// How many characters of user input an error message quotes.
const SHOW_MAX: usize = 60;
/// How many characters of user input a mirrored zkCli/Java message quotes.
const SHOW_MAX_UPSTREAM: usize = 200;
/// Hard cap on the length of any error message, in characters.
const ERROR_MAX: usize = 2000;
/// ZooKeeper's default client port, used when a connect string omits the port.
const ZK_DEFAULT_PORT: u16 = 2181;

/// Program names (after stripping directories and `.sh`) that are sandbox commands. Inside an
/// interactive shell these still run as sandbox commands; `help` is the exception (zkCli's).
const SANDBOX_WORDS: &[&str] = &[
    "help",
    "status",
    "cluster",
    "zk",
    "broker",
    "zookeeper-server-start",
    "zookeeper-server-stop",
    "kafka-server-start",
    "kafka-server-stop",
    "sleep",
    "step",
    "net",
    "echo",
    "nc",
    "ncat",
    "netcat",
    "zookeeper-shell",
    "zkCli",
    "kafka-topics",
    "kafka-console-producer",
    "kafka-console-consumer",
    "kafka-leader-election",
];

/// zkCli commands the sandbox models.
const ZK_MODELED: &[&str] = &["ls", "get", "stat", "create", "set", "delete", "deleteall", "rmr", "quit"];

/// zkCli 3.5.9 commands (`ZooKeeperMain.commandMap`) the sandbox does not model.
const ZK_UNMODELED: &[&str] = &[
    "addauth",
    "close",
    "config",
    "connect",
    "delquota",
    "getAcl",
    "history",
    "listquota",
    "ls2",
    "printwatches",
    "reconfig",
    "redo",
    "removewatches",
    "setAcl",
    "setquota",
    "sync",
];

/// Parse one line. `in_shell` is true while an interactive `zookeeper-shell HOST` session is open:
/// then zkCli command words (ls, get, stat, create, set, delete, deleteall, quit, help, and unknown
/// words that are not sandbox commands either) parse as [`Cmd::ZkCli`], everything else as sandbox
/// commands. Errors are one non-empty line, starting with the command name where there is one;
/// zkCli errors are the text zkCli itself prints (e.g. its usage line `get [-s] [-w] path`).
pub fn parse(line: &str, in_shell: bool) -> Result<Line, String> {
    parse_line(line, in_shell).map_err(|e| one_line(&e))
}

/// Parse a duration: "500ms", "10s", "5m", "1h", "250us", plain number = seconds ("10" = 10s);
/// decimals allowed ("1.5s"). Errors on negatives, junk, overflow (max 1000 hours) and on values
/// finer than one microsecond. Errors have no command prefix (callers add theirs).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let invalid = || format!("invalid duration '{}' (examples: 500ms, 10s, 5m)", show(s));
    if t.starts_with('-') {
        return Err(format!("invalid duration '{}': durations cannot be negative", show(s)));
    }
    let unit_at = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let number = slice(t, 0, unit_at);
    let unit_us: u128 = match slice(t, unit_at, t.len()) {
        "" | "s" => 1_000_000,
        "ms" => 1_000,
        "us" | "µs" | "μs" => 1,
        "m" => 60_000_000,
        "h" => 3_600_000_000,
        _ => return Err(invalid()),
    };
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty()) || !digits_ok(int_part) || !digits_ok(frac_part) {
        return Err(invalid());
    }
    let too_long = || format!("duration '{}' is too long (at most 1000h)", show(s));
    let too_fine = || format!("duration '{}' is finer than 1us", show(s));
    let mut whole: u128 = 0;
    for b in int_part.bytes() {
        whole = whole.checked_mul(10).and_then(|v| v.checked_add(u128::from(b - b'0'))).ok_or_else(too_long)?;
    }
    let mut total = whole.checked_mul(unit_us).ok_or_else(too_long)?;
    let frac = frac_part.trim_end_matches('0');
    if !frac.is_empty() {
        if frac.len() > 20 {
            return Err(too_fine());
        }
        let mut num: u128 = 0;
        let mut den: u128 = 1;
        for b in frac.bytes() {
            num = num * 10 + u128::from(b - b'0');
            den *= 10;
        }
        let scaled = num * unit_us;
        if !scaled.is_multiple_of(den) {
            return Err(too_fine());
        }
        total = total.checked_add(scaled / den).ok_or_else(too_long)?;
    }
    if total > u128::from(MAX_DURATION_US) {
        return Err(too_long());
    }
    u64::try_from(total).map(Duration::from_micros).map_err(|_| too_long())
}

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

// ---------------------------------------------------------------------------------------------
// Line level: prompts, comments, pipes, grep.
// ---------------------------------------------------------------------------------------------

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

/// Strips a leading `$ ` (or a lone `$`) shell prompt.
fn strip_dollar_prompt(line: &str) -> &str {
    let t = line.trim_start();
    match t.strip_prefix('$') {
        Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => rest,
        _ => line,
    }
}

/// Strips a pasted zkCli prompt such as `[zk: localhost:2181(CONNECTED) 3] `.
fn strip_zk_prompt(line: &str) -> &str {
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

fn parse_sandbox(line: &str) -> Result<Line, String> {
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

fn chained_grep() -> String {
    "grep: only one '| grep' filter per line is supported".to_string()
}

fn nothing_to_filter() -> String {
    "grep: nothing to filter: type a command before '| grep'".to_string()
}

/// True when `s` (the text after a pipe) begins with the word `grep`.
fn starts_with_grep(s: &str) -> bool {
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
fn grep_filter(rest: &str) -> Result<Option<Grep>, String> {
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

// ---------------------------------------------------------------------------------------------
// Sandbox commands.
// ---------------------------------------------------------------------------------------------

/// `bin/kafka-topics.sh`, `./bin/kafka-topics.sh` and `kafka-topics` all name `kafka-topics`.
fn program_name(word: &str) -> &str {
    let base = word.rsplit('/').next().unwrap_or(word);
    base.strip_suffix(".sh").unwrap_or(base)
}

fn command(segs: &[Vec<String>]) -> Result<Cmd, String> {
    let words = match segs.first() {
        Some(w) if !w.is_empty() => w,
        _ => return Ok(Cmd::Empty),
    };
    let raw = words[0].as_str();
    let name = program_name(raw);
    let args = &words[1..];
    if segs.len() > 1 {
        let partition = name == "net" && args.first().is_some_and(|a| a == "partition");
        if !(partition || name == "echo") {
            return Err(format!("{}: unexpected '|': the only pipe supported here is a final '| grep PATTERN'", show(name)));
        }
    }
    match name {
        "help" => Ok(Cmd::Help(if args.is_empty() { None } else { Some(args.join(" ")) })),
        "status" => no_args("status", args).map(|()| Cmd::Status),
        "cluster" => parse_cluster(args),
        "zk" => node_command("zk", "server", args).map(|(action, id)| Cmd::Zk { action, id }),
        "broker" => node_command("broker", "broker", args).map(|(action, id)| Cmd::Broker { action, id }),
        "zookeeper-server-start" => server_start(&ZK_START, args).map(|(id, daemon)| Cmd::ZkServerStart { id, daemon }),
        "zookeeper-server-stop" => Ok(Cmd::ZkServerStop),
        "kafka-server-start" => server_start(&KAFKA_START, args).map(|(id, daemon)| Cmd::KafkaServerStart { id, daemon }),
        "kafka-server-stop" => Ok(Cmd::KafkaServerStop),
        "sleep" => parse_sleep(args),
        "step" => parse_step(args),
        "net" => parse_net(segs),
        "echo" => parse_four_letter(segs),
        "nc" | "ncat" | "netcat" => {
            Err(format!("{name}: send a four-letter word with: echo srvr | nc HOST PORT (e.g. echo srvr | nc localhost 2181)"))
        }
        "zookeeper-shell" => parse_zk_shell(args),
        "zkCli" => parse_zkcli_script(args),
        "kafka-topics" => Ok(kafka(KafkaTool::Topics, args)),
        "kafka-console-producer" => Ok(kafka(KafkaTool::ConsoleProducer, args)),
        "kafka-console-consumer" => Ok(kafka(KafkaTool::ConsoleConsumer, args)),
        "kafka-leader-election" => Ok(kafka(KafkaTool::LeaderElection, args)),
        _ => Err(unknown_command(raw, name)),
    }
}

fn kafka(tool: KafkaTool, args: &[String]) -> Cmd {
    Cmd::KafkaTool { tool, args: args.to_vec() }
}

fn unknown_command(raw: &str, name: &str) -> String {
    if raw.is_empty() {
        return "unknown command: '' (type 'help' for the list)".to_string();
    }
    if ZK_MODELED.contains(&name) || ZK_UNMODELED.contains(&name) {
        format!(
            "unknown command: {} (zkCli commands run inside 'zookeeper-shell localhost:2181', or as \
             'zookeeper-shell localhost:2181 {} ...'; type 'help' for the list)",
            show(raw),
            show(name)
        )
    } else {
        format!("unknown command: {} (type 'help' for the list)", show(raw))
    }
}

fn no_args(cmd: &str, args: &[String]) -> Result<(), String> {
    match args.first() {
        None => Ok(()),
        Some(a) => Err(format!("{cmd}: unexpected argument '{}' ({cmd} takes no arguments)", show(a))),
    }
}

enum NumErr {
    Invalid,
    TooBig,
}

/// A non-negative whole number in plain ASCII digits (no sign, no spaces), without overflow.
fn parse_uint(s: &str) -> Result<u64, NumErr> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumErr::Invalid);
    }
    let mut v: u64 = 0;
    for b in s.bytes() {
        v = v.checked_mul(10).and_then(|v| v.checked_add(u64::from(b - b'0'))).ok_or(NumErr::TooBig)?;
    }
    Ok(v)
}

/// A TCP port, 1..=65535.
fn parse_port(s: &str) -> Option<u16> {
    match parse_uint(s) {
        Ok(v) if v >= 1 => u16::try_from(v).ok(),
        _ => None,
    }
}

fn parse_cluster(args: &[String]) -> Result<Cmd, String> {
    let usage = "usage: cluster [--zk N] [--brokers M]";
    let mut zk: Option<u32> = None;
    let mut brokers: Option<u32> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (a, None),
        };
        let (slot, max) = match flag {
            "--zk" => (&mut zk, 7u64),
            "--brokers" => (&mut brokers, 64u64),
            _ => return Err(format!("cluster: unknown option '{}' ({usage})", show(a))),
        };
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                match args.get(i) {
                    Some(v) => v.as_str(),
                    None => return Err(format!("cluster: {flag} needs a value (a number from 1 to {max})")),
                }
            }
        };
        if slot.is_some() {
            return Err(format!("cluster: {flag} given twice"));
        }
        let n = match parse_uint(value) {
            Ok(n) if (1..=max).contains(&n) => n,
            Ok(_) | Err(NumErr::TooBig) => return Err(format!("cluster: {flag} must be between 1 and {max}, got {}", show(value))),
            Err(NumErr::Invalid) => {
                return Err(format!("cluster: invalid {flag} value '{}' (expected a number from 1 to {max})", show(value)))
            }
        };
        *slot = u32::try_from(n).ok();
        i += 1;
    }
    Ok(Cmd::Cluster { zk, brokers })
}

fn node_action(word: &str) -> Option<NodeAction> {
    match word {
        "start" => Some(NodeAction::Start),
        "stop" => Some(NodeAction::Stop),
        "kill" => Some(NodeAction::Kill),
        "restart" => Some(NodeAction::Restart),
        _ => None,
    }
}

/// A node id: a whole number from 1 to `u32::MAX`.
fn parse_id(s: &str) -> Option<u32> {
    match parse_uint(s) {
        Ok(v) if v >= 1 => u32::try_from(v).ok(),
        _ => None,
    }
}

/// `zk|broker start|stop|kill|restart ID`.
fn node_command(cmd: &str, what: &str, args: &[String]) -> Result<(NodeAction, u32), String> {
    let usage = format!("usage: {cmd} start|stop|kill|restart ID");
    let word = args.first().ok_or_else(|| format!("{cmd}: missing action ({usage})"))?;
    let action = match node_action(word) {
        Some(a) => a,
        None => {
            if let Some(next) = args.get(1) {
                if parse_id(word).is_some() && node_action(next).is_some() {
                    return Err(format!("{cmd}: the action comes first, as in '{cmd} {next} {word}'"));
                }
            }
            return Err(format!("{cmd}: unknown action '{}' (expected start, stop, kill or restart)", show(word)));
        }
    };
    let id_word = args.get(1).ok_or_else(|| format!("{cmd}: missing {what} id (e.g. '{cmd} {word} 1')"))?;
    let id = parse_id(id_word)
        .ok_or_else(|| format!("{cmd}: invalid {what} id '{}' (expected a whole number from 1 to {})", show(id_word), u32::MAX))?;
    if let Some(extra) = args.get(2) {
        return Err(format!("{cmd}: unexpected argument '{}' ({usage})", show(extra)));
    }
    Ok((action, id))
}

/// How a `*-server-start` script names its config file.
struct StartScript {
    cmd: &'static str,
    /// File-name stem before the id: `zookeeper` in `zookeeper2.properties`.
    stem: &'static str,
    /// What the id numbers: `server` or `broker`.
    what: &'static str,
    example: &'static str,
}

const ZK_START: StartScript =
    StartScript { cmd: "zookeeper-server-start", stem: "zookeeper", what: "server", example: "config/zookeeper1.properties" };

const KAFKA_START: StartScript =
    StartScript { cmd: "kafka-server-start", stem: "server", what: "broker", example: "config/server1.properties" };

/// `zookeeper-server-start [-daemon] .../zookeeperN.properties` (and the Kafka twin).
fn server_start(s: &StartScript, args: &[String]) -> Result<(u32, bool), String> {
    let cmd = s.cmd;
    let usage = format!("usage: {cmd} [-daemon] {}", s.example);
    let (daemon, rest) = match args.split_first() {
        Some((first, rest)) if first == "-daemon" => (true, rest),
        _ => (false, args),
    };
    let path = rest.first().ok_or_else(|| format!("{cmd}: missing config file ({usage})"))?;
    if path == "-daemon" {
        return Err(format!("{cmd}: -daemon given twice ({usage})"));
    }
    if path.starts_with('-') {
        return Err(format!("{cmd}: unknown option '{}' ({usage})", show(path)));
    }
    if let Some(extra) = rest.get(1) {
        return Err(match extra.as_str() {
            "-daemon" => format!("{cmd}: -daemon must come before the config file ({usage})"),
            "--override" => format!("{cmd}: --override is not supported in the sandbox ({usage})"),
            _ => format!("{cmd}: unexpected argument '{}' ({usage})", show(extra)),
        });
    }
    let id = config_id(path, s)?;
    Ok((id, daemon))
}

/// The id in `.../zookeeper2.properties` (also `zookeeper-2`, `zookeeper_2`).
fn config_id(path: &str, s: &StartScript) -> Result<u32, String> {
    let (cmd, stem, what) = (s.cmd, s.stem, s.what);
    let unnamed = || {
        format!(
            "{cmd}: cannot tell the {what} id from '{}': name the config file {stem}N.properties, \
             where N is the {what} id (e.g. {})",
            show(path),
            s.example
        )
    };
    let base = path.rsplit('/').next().unwrap_or(path);
    let name = base.strip_suffix(".properties").ok_or_else(unnamed)?;
    let rest = name.strip_prefix(stem).ok_or_else(unnamed)?;
    let digits = rest.strip_prefix(['-', '_']).unwrap_or(rest);
    match parse_uint(digits) {
        Ok(v) if v >= 1 => u32::try_from(v).map_err(|_| format!("{cmd}: {what} id in '{}' is too large", show(path))),
        Ok(_) => Err(format!("{cmd}: {what} ids start at 1, got '{}'", show(path))),
        Err(NumErr::TooBig) => Err(format!("{cmd}: {what} id in '{}' is too large", show(path))),
        Err(NumErr::Invalid) => Err(unnamed()),
    }
}

fn parse_sleep(args: &[String]) -> Result<Cmd, String> {
    let d = args.first().ok_or_else(|| "sleep: missing duration (e.g. sleep 10s, sleep 500ms)".to_string())?;
    if let Some(extra) = args.get(1) {
        return Err(format!("sleep: unexpected argument '{}' (usage: sleep DURATION)", show(extra)));
    }
    parse_duration(d).map(Cmd::Sleep).map_err(|e| format!("sleep: {e}"))
}

fn parse_step(args: &[String]) -> Result<Cmd, String> {
    let n = match args.first() {
        None => 1,
        Some(w) => match parse_uint(w) {
            Ok(n) if (1..=MAX_STEP).contains(&n) => n,
            _ => return Err(format!("step: invalid count '{}' (expected a number from 1 to {MAX_STEP})", show(w))),
        },
    };
    if let Some(extra) = args.get(1) {
        return Err(format!("step: unexpected argument '{}' (usage: step [N])", show(extra)));
    }
    Ok(Cmd::Step(n))
}

// ---------------------------------------------------------------------------------------------
// net
// ---------------------------------------------------------------------------------------------

fn parse_net(segs: &[Vec<String>]) -> Result<Cmd, String> {
    let args = segs.first().map(|w| w.get(1..).unwrap_or(&[])).unwrap_or(&[]);
    let Some((sub, rest)) = args.split_first() else {
        return Ok(Cmd::Net(NetCmd::Status));
    };
    let net = match sub.as_str() {
        "status" => no_args("net status", rest).map(|()| NetCmd::Status)?,
        "heal" => no_args("net heal", rest).map(|()| NetCmd::Heal)?,
        "partition" => net_partition(rest, segs.get(1..).unwrap_or(&[]))?,
        "cut" => net_cut(rest)?,
        "loss" => net_loss(rest)?,
        "delay" => net_delay(rest)?,
        other => return Err(format!("net: unknown subcommand '{}' (expected partition, cut, loss, delay, heal or status)", show(other))),
    };
    Ok(Cmd::Net(net))
}

/// Node names are words like `zk1` or `b2`: ASCII letters, digits, `-`, `_`, `.`.
fn check_node(ctx: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(format!("{ctx}: invalid node name '{}' (expected names like zk1 or b2)", show(name)))
    }
}

fn net_partition(first: &[String], more: &[Vec<String>]) -> Result<NetCmd, String> {
    let ctx = "net partition";
    let example = "e.g. net partition zk1,b1 | zk2,zk3,b2";
    let mut word_groups: Vec<&[String]> = vec![first];
    word_groups.extend(more.iter().map(Vec::as_slice));
    if word_groups.len() < 2 {
        return Err(format!("{ctx}: need at least two groups separated by '|' ({example})"));
    }
    let mut seen: SortedMap<&str, usize> = SortedMap::new();
    let mut groups = Vec::with_capacity(word_groups.len());
    for (gi, words) in word_groups.iter().enumerate() {
        let mut group = Vec::new();
        for w in words.iter() {
            for name in w.split(|c: char| c == ',' || c.is_whitespace()).filter(|n| !n.is_empty()) {
                check_node(ctx, name)?;
                match seen.get(name) {
                    Some(&g) if g != gi => return Err(format!("{ctx}: {name} is in two groups (a node belongs to one side)")),
                    Some(_) => {}
                    None => {
                        seen.insert(name, gi);
                        group.push(name.to_string());
                    }
                }
            }
        }
        if group.is_empty() {
            return Err(format!("{ctx}: group {} is empty ({example})", gi + 1));
        }
        groups.push(group);
    }
    Ok(NetCmd::Partition(groups))
}

fn net_cut(args: &[String]) -> Result<NetCmd, String> {
    let ctx = "net cut";
    let shown = args.join(" ");
    let joined = args.concat();
    if joined.is_empty() {
        return Err(format!("{ctx}: missing FROM->TO (e.g. net cut zk1->zk2)"));
    }
    let bad = || format!("{ctx}: expected FROM->TO, got '{}' (e.g. net cut zk1->zk2)", show(&shown));
    let (from, to) = joined.split_once("->").ok_or_else(bad)?;
    if to.contains("->") {
        return Err(bad());
    }
    check_node(ctx, from)?;
    check_node(ctx, to)?;
    if from == to {
        return Err(format!("{ctx}: cannot cut {from} from itself"));
    }
    Ok(NetCmd::Cut { from: from.to_string(), to: to.to_string() })
}

enum DecErr {
    Invalid,
    TooPrecise,
    TooBig,
}

/// `12.345` with `places` decimals kept exactly: returns value * 10^places.
fn parse_decimal_scaled(s: &str, places: usize) -> Result<u64, DecErr> {
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty()) || !digits_ok(int_part) || !digits_ok(frac_part) {
        return Err(DecErr::Invalid);
    }
    let frac = frac_part.trim_end_matches('0');
    if frac.len() > places {
        return Err(DecErr::TooPrecise);
    }
    let mut v: u64 = 0;
    let padded = frac.bytes().chain(std::iter::repeat(b'0')).take(places);
    for b in int_part.bytes().chain(padded) {
        v = v.checked_mul(10).and_then(|v| v.checked_add(u64::from(b - b'0'))).ok_or(DecErr::TooBig)?;
    }
    Ok(v)
}

fn net_loss(args: &[String]) -> Result<NetCmd, String> {
    let ctx = "net loss";
    let joined = args.concat();
    if joined.is_empty() {
        return Err(format!("{ctx}: missing PERCENT (e.g. net loss 10%, net loss 0.5)"));
    }
    let number = joined.strip_suffix('%').unwrap_or(&joined);
    match parse_decimal_scaled(number, 4) {
        Ok(ppm) if ppm <= MAX_LOSS_PPM => Ok(NetCmd::Loss { ppm: u32::try_from(ppm).unwrap_or(u32::MAX) }),
        Ok(_) | Err(DecErr::TooBig) => Err(format!("{ctx}: must be between 0 and 100 percent, got '{}'", show(&joined))),
        Err(DecErr::TooPrecise) => Err(format!("{ctx}: '{}' is finer than 0.0001%", show(&joined))),
        Err(DecErr::Invalid) => Err(format!("{ctx}: invalid percentage '{}' (expected 0 to 100, e.g. 10%, 0.5)", show(&joined))),
    }
}

fn net_delay(args: &[String]) -> Result<NetCmd, String> {
    let ctx = "net delay";
    let joined = args.concat();
    if joined.is_empty() {
        return Err(format!("{ctx}: missing MIN-MAX (e.g. net delay 1ms-5ms, 2-10ms or 3ms)"));
    }
    let (lo, hi) = match joined.split_once('-') {
        Some((a, b)) => (a, b),
        None => (joined.as_str(), joined.as_str()),
    };
    if lo.is_empty() || hi.is_empty() {
        return Err(format!("{ctx}: invalid range '{}' (e.g. 1ms-5ms, 2-10ms or 3ms; delays cannot be negative)", show(&joined)));
    }
    let is_bare = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '.');
    let hi_unit = hi.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let lo_full = if is_bare(lo) { format!("{lo}{hi_unit}") } else { lo.to_string() };
    let min = parse_duration(&lo_full).map_err(|e| format!("{ctx}: {e}"))?;
    let max = parse_duration(hi).map_err(|e| format!("{ctx}: {e}"))?;
    if min > max {
        return Err(format!("{ctx}: MIN {min} is larger than MAX {max}"));
    }
    if max.as_micros() > MAX_DELAY_US {
        return Err(format!("{ctx}: at most 60s, got {max}"));
    }
    Ok(NetCmd::Delay { min, max })
}

// ---------------------------------------------------------------------------------------------
// echo WORD | nc HOST PORT
// ---------------------------------------------------------------------------------------------

fn parse_four_letter(segs: &[Vec<String>]) -> Result<Cmd, String> {
    let form = "echo WORD | nc HOST PORT";
    let (echo, nc) = match segs {
        [echo, nc] => (echo, nc),
        [_] => return Err(format!("echo: the sandbox only runs '{form}' (a four-letter word such as srvr, stat, ruok or mntr)")),
        _ => return Err(format!("echo: expected '{form}' with a single '|'")),
    };
    let mut words =
        echo.iter().skip(1).skip_while(|w| w.len() > 1 && w.starts_with('-') && w.chars().skip(1).all(|c| matches!(c, 'n' | 'e' | 'E')));
    let word = words.next().ok_or_else(|| "echo: missing four-letter word (e.g. echo srvr | nc localhost 2181)".to_string())?;
    if words.next().is_some() {
        return Err(format!("echo: send one four-letter word at a time ({form})"));
    }
    let nc_name = nc.first().map(|w| program_name(w)).unwrap_or("");
    if !matches!(nc_name, "nc" | "ncat" | "netcat") {
        return Err(format!("echo: expected '| nc HOST PORT' after 'echo {}', got '| {}'", show(word), show(nc_name)));
    }
    let (host, port) = parse_nc_args(nc.get(1..).unwrap_or(&[]))?;
    Ok(Cmd::FourLetter { word: word.clone(), host, port })
}

fn parse_nc_args(args: &[String]) -> Result<(String, u16), String> {
    let usage = "usage: echo srvr | nc HOST PORT";
    let mut positional: Vec<&String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a.len() > 1 && a.starts_with('-') {
            let flags: Vec<char> = a.chars().skip(1).collect();
            for (j, &f) in flags.iter().enumerate() {
                match f {
                    'q' | 'w' | 'i' => {
                        if j + 1 == flags.len() {
                            i += 1;
                            if i >= args.len() {
                                return Err(format!("nc: option -{f} needs a value (e.g. nc -q 1 localhost 2181)"));
                            }
                        }
                        break;
                    }
                    'N' | 'C' | 'v' | 'n' | '4' | '6' | 'd' => {}
                    other => return Err(format!("nc: unsupported option '-{}' ({usage})", show_char(other))),
                }
            }
        } else {
            positional.push(a);
        }
        i += 1;
    }
    match positional.as_slice() {
        [] => Err(format!("nc: missing HOST and PORT ({usage})")),
        [one] => {
            if let Some((h, p)) = one.rsplit_once(':') {
                if !h.is_empty() && parse_port(p).is_some() {
                    return Err(format!("nc: expected HOST PORT separated by a space (nc {} {}), not '{}'", show(h), show(p), show(one)));
                }
            }
            Err(format!("nc: missing PORT ({usage})"))
        }
        [host, port] => {
            let port_n =
                parse_port(port).ok_or_else(|| format!("nc: invalid port '{}' (expected a number from 1 to 65535)", show(port)))?;
            check_host("nc", host)?;
            Ok((host.to_string(), port_n))
        }
        [_, _, extra, ..] => Err(format!("nc: unexpected argument '{}' ({usage})", show(extra))),
    }
}

fn check_host(ctx: &str, host: &str) -> Result<(), String> {
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(format!("{ctx}: invalid host '{}'", show(host)))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// zookeeper-shell / zkCli on the sandbox command line
// ---------------------------------------------------------------------------------------------

/// `zookeeper-shell HOST:PORT[,HOST:PORT...] [CMD ARGS...]`: Kafka's script runs
/// `ZooKeeperMain -server "$@"`, so the first argument is the connect string.
fn parse_zk_shell(args: &[String]) -> Result<Cmd, String> {
    let tool = "zookeeper-shell";
    let usage = "usage: zookeeper-shell HOST:PORT[,HOST:PORT...] [CMD ARGS...]";
    let (first, rest) = args.split_first().ok_or_else(|| format!("{tool}: missing HOST:PORT ({usage})"))?;
    if first.starts_with('-') {
        return Err(format!("{tool}: the first argument must be HOST:PORT, not '{}' ({usage})", show(first)));
    }
    zk_main(tool, first, rest)
}

/// `zkCli.sh [-server HOST:PORT] [CMD ARGS...]` (ZooKeeper's own script; default server
/// localhost:2181).
fn parse_zkcli_script(args: &[String]) -> Result<Cmd, String> {
    zk_main("zkCli", "localhost:2181", args)
}

/// `ZooKeeperMain.MyCommandOptions.parseOptions`: `-server S`, `-timeout T` and `-r` are
/// options, other words starting with `-` are skipped, and the first other word starts the
/// command, which takes every remaining word.
fn zk_main(tool: &str, server: &str, args: &[String]) -> Result<Cmd, String> {
    let mut server = server.to_string();
    let mut cmd_words: Option<&[String]> = None;
    let mut i = 0;
    while i < args.len() {
        let opt = args[i].as_str();
        match opt {
            "-server" | "-timeout" => {
                i += 1;
                let v = args.get(i).ok_or_else(|| format!("{tool}: no argument found for option {opt}"))?;
                if opt == "-server" {
                    server = v.clone();
                }
            }
            "-zk-tls-config-file" => return Err(format!("{tool}: -zk-tls-config-file is not supported in the sandbox")),
            _ => {}
        }
        if !opt.starts_with('-') {
            cmd_words = args.get(i..);
            break;
        }
        i += 1;
    }
    let connect = parse_connect(tool, &server)?;
    let cmd = match cmd_words {
        Some(words) => Some(zk_cli(words)?),
        None => None,
    };
    Ok(Cmd::ZkShell { connect, cmd })
}

/// A ZooKeeper connect string, as `ConnectStringParser` reads it: comma-separated `host[:port]`
/// (port defaults to 2181), trailing empty entries ignored; a chroot suffix is not supported.
fn parse_connect(tool: &str, s: &str) -> Result<Vec<HostPort>, String> {
    let (hosts, chroot) = match s.find('/') {
        Some(i) => (slice(s, 0, i), slice(s, i, s.len())),
        None => (s, ""),
    };
    if chroot.len() > 1 {
        return Err(format!("{tool}: a chroot path ('{}') in the connect string is not supported in the sandbox", show(chroot)));
    }
    let mut parts: Vec<&str> = hosts.split(',').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    if parts.is_empty() {
        return Err(format!("{tool}: empty connect string (expected HOST:PORT, e.g. localhost:2181)"));
    }
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        if p.is_empty() {
            return Err(format!("{tool}: empty host in connect string '{}'", show(s)));
        }
        let (host, port) = match p.rsplit_once(':') {
            Some((h, "")) => (h, ZK_DEFAULT_PORT),
            Some((h, port)) => {
                let n = parse_port(port)
                    .ok_or_else(|| format!("{tool}: invalid port '{}' in '{}' (expected a number from 1 to 65535)", show(port), show(p)))?;
                (h, n)
            }
            None => (p, ZK_DEFAULT_PORT),
        };
        if host.is_empty() {
            return Err(format!("{tool}: missing host in '{}' (expected HOST:PORT, e.g. localhost:2181)", show(p)));
        }
        check_host(tool, host)?;
        out.push(HostPort { host: host.to_string(), port });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// zkCli: tokenizer, commons-cli option parsing, commands.
// ---------------------------------------------------------------------------------------------

/// One token of zkCli's tokenizer, with its byte span in the line.
struct ZkTok {
    /// The token, with one pair of surrounding quotes removed for quoted tokens.
    text: String,
    start: usize,
    end: usize,
    /// Matched the `"[^"]*"` or `'[^']*'` alternative.
    quoted: bool,
}

/// Java's `\s` without UNICODE_CHARACTER_CLASS.
fn is_java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// Characters Java's `.` does not match (without DOTALL).
fn is_java_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `MyCommandOptions.parseCommand` (ZooKeeper 3.5.x): repeated `find()` of
/// `\s*([^"']\S*|"[^"]*"|'[^']*')\s*`, then `^(['"])(.*)(\1)$` strips the surrounding quotes.
/// Reproduced exactly, including its quirks: quotes inside a word are literal (`a"b` is one
/// token), an unterminated quote character is skipped, and a quote right after leading
/// whitespace that never closes makes the regex backtrack into the whitespace.
fn zk_tokens(s: &str) -> Vec<ZkTok> {
    let cs: Vec<(usize, char)> = s.char_indices().collect();
    let n = cs.len();
    let byte_at = |i: usize| cs.get(i).map_or(s.len(), |&(b, _)| b);
    // next_dq[i] / next_sq[i]: the index of the next '"' / '\'' after i.
    let mut next_dq = vec![None; n];
    let mut next_sq = vec![None; n];
    let (mut dq, mut sq) = (None, None);
    for i in (0..n).rev() {
        next_dq[i] = dq;
        next_sq[i] = sq;
        match cs[i].1 {
            '"' => dq = Some(i),
            '\'' => sq = Some(i),
            _ => {}
        }
    }
    // The group of the pattern at index q: Some((end, quoted)).
    let group_at = |q: usize| -> Option<(usize, bool)> {
        let &(_, c) = cs.get(q)?;
        match c {
            '"' => next_dq[q].map(|r| (r + 1, true)),
            '\'' => next_sq[q].map(|r| (r + 1, true)),
            _ => {
                let mut e = q + 1;
                while e < n && !is_java_space(cs[e].1) {
                    e += 1;
                }
                Some((e, false))
            }
        }
    };
    let mut out = Vec::new();
    let mut p = 0;
    while p < n {
        let mut w = 0;
        while p + w < n && is_java_space(cs[p + w].1) {
            w += 1;
        }
        let found = group_at(p + w).map(|g| (p + w, g)).or_else(|| if w > 0 { group_at(p + w - 1).map(|g| (p + w - 1, g)) } else { None });
        match found {
            Some((q, (e, quoted))) => {
                let (start, end) = (byte_at(q), byte_at(e));
                let raw = slice(s, start, end);
                let text = if quoted {
                    let inner = slice(raw, 1, raw.len().saturating_sub(1));
                    if inner.chars().any(is_java_line_terminator) {
                        raw.to_string()
                    } else {
                        inner.to_string()
                    }
                } else {
                    raw.to_string()
                };
                out.push(ZkTok { text, start, end, quoted });
                p = e;
                while p < n && is_java_space(cs[p].1) {
                    p += 1;
                }
            }
            None => p += 1,
        }
    }
    out
}

/// A line typed inside an interactive zkCli session (the first word is not a sandbox command).
fn parse_zk_line(line: &str, toks: Vec<ZkTok>) -> Result<Line, String> {
    let cut = toks
        .iter()
        .find(|t| {
            !t.quoted && t.text.starts_with('#') && (t.start == 0 || slice(line, 0, t.start).chars().next_back().is_some_and(is_java_space))
        })
        .map_or(line.len(), |t| t.start);
    let text = slice(line, 0, cut);
    let toks: Vec<ZkTok> = toks.into_iter().filter(|t| t.end <= cut).collect();
    let pipes: Vec<usize> =
        toks.iter().filter(|t| !t.quoted).flat_map(|t| t.text.match_indices('|').map(move |(i, _)| t.start + i)).collect();
    let mut grep = None;
    let mut words: Vec<String> = Vec::new();
    if let Some(&p) = pipes.last() {
        if let Some(g) = grep_filter(slice(text, p + 1, text.len()))? {
            if let Some(&p2) = pipes.iter().rev().nth(1) {
                if starts_with_grep(slice(text, p2 + 1, p)) {
                    return Err(chained_grep());
                }
            }
            grep = Some(g);
            words = zk_tokens(slice(text, 0, p)).into_iter().map(|t| t.text).collect();
        }
    }
    if grep.is_none() {
        words = toks.into_iter().map(|t| t.text).collect();
    }
    if words.is_empty() {
        return match grep {
            Some(_) => Err(nothing_to_filter()),
            None => Ok(empty()),
        };
    }
    let cmd = zk_cli(&words)?;
    Ok(Line { cmd: Cmd::ZkCli(cmd), grep })
}

/// What commons-cli made of a command's words.
#[derive(Default)]
struct CliParsed {
    /// Non-option words; `args[0]` is the command itself.
    args: Vec<String>,
    /// Options in order, with their value when the option takes one.
    opts: Vec<(char, Option<String>)>,
}

impl CliParsed {
    fn has(&self, c: char) -> bool {
        self.opts.iter().any(|(k, _)| *k == c)
    }
    /// `CommandLine.getOptionValue`: the first occurrence's value.
    fn value(&self, c: char) -> Option<&str> {
        self.opts.iter().find(|(k, _)| *k == c).and_then(|(_, v)| v.as_deref())
    }
}

/// commons-cli `PosixParser.parse(options, args)` (stopAtNonOption = false) for short options
/// only: `spec` lists (letter, takes a value). Errors are the `ParseException.toString()` texts
/// that zkCli prints.
fn cli_parse(tokens: &[String], spec: &[(char, bool)]) -> Result<CliParsed, String> {
    let find = |c: char| spec.iter().find(|(k, _)| *k == c).copied();
    // Options.hasOption: strip "--" or "-", then look the rest up as a short option.
    let key_of = |t: &str| -> Option<(char, bool)> {
        let s = t.strip_prefix("--").or_else(|| t.strip_prefix('-')).unwrap_or(t);
        let mut it = s.chars();
        let c = it.next()?;
        if it.next().is_some() {
            return None;
        }
        find(c)
    };
    // PosixParser.flatten.
    let mut flat: Vec<String> = Vec::with_capacity(tokens.len());
    for t in tokens {
        let plain = t.starts_with("--") || t == "-" || !t.starts_with('-');
        if plain || t.chars().count() == 2 || key_of(t).is_some() {
            flat.push(t.clone());
        } else {
            // burstToken
            let cs: Vec<char> = t.chars().collect();
            for i in 1..cs.len() {
                match find(cs[i]) {
                    Some((c, takes_value)) => {
                        flat.push(format!("-{c}"));
                        if takes_value && i + 1 != cs.len() {
                            flat.push(cs[i + 1..].iter().collect());
                            break;
                        }
                    }
                    None => {
                        flat.push(t.clone());
                        break;
                    }
                }
            }
        }
    }
    // Parser.parse.
    let mut out = CliParsed::default();
    let mut i = 0;
    while i < flat.len() {
        let t = flat[i].as_str();
        if t == "--" {
            out.args.extend(flat[i + 1..].iter().filter(|r| *r != "--").cloned());
            break;
        } else if t == "-" || !t.starts_with('-') {
            out.args.push(t.to_string());
        } else {
            let (c, takes_value) = key_of(t)
                .ok_or_else(|| format!("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: {}", show_upstream(t)))?;
            let mut value = None;
            if takes_value {
                if let Some(next) = flat.get(i + 1) {
                    if !(next.starts_with('-') && key_of(next).is_some()) {
                        value = Some(strip_quotes(next));
                        i += 1;
                    }
                }
                if value.is_none() {
                    return Err(format!("org.apache.commons.cli.MissingArgumentException: Missing argument for option: {c}"));
                }
            }
            out.opts.push((c, value));
        }
        i += 1;
    }
    Ok(out)
}

/// commons-cli `Util.stripLeadingAndTrailingQuotes` (1.4).
fn strip_quotes(s: &str) -> String {
    if s.len() > 1 && s.starts_with('"') && s.ends_with('"') {
        let inner = slice(s, 1, s.len() - 1);
        if !inner.contains('"') {
            return inner.to_string();
        }
    }
    s.to_string()
}

/// `retainCompatibility` of ls/get/stat: with more than one non-option word, zkCli rewrites the
/// raw word at index 2 to `-w` (the old `get path watch` form) and parses again.
fn retain_compatibility(words: &[String], parsed: CliParsed, spec: &[(char, bool)]) -> Result<CliParsed, String> {
    if parsed.args.len() <= 2 {
        return Ok(parsed);
    }
    let mut rewritten = words.to_vec();
    if let Some(w) = rewritten.get_mut(2) {
        *w = "-w".to_string();
    }
    cli_parse(&rewritten, spec)
}

/// `Integer.parseInt` as `SetCommand`/`DeleteCommand` call it on `-v`; the exception is not
/// caught in 3.5.9, so zkCli dies with this line (and a stack trace).
fn java_parse_int(s: &str) -> Result<i32, String> {
    let err = || format!("Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"{}\"", show_upstream(s));
    let (negative, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let mut v: i64 = 0;
    for b in digits.bytes() {
        v = v * 10 + i64::from(b - b'0');
        if v > 1 << 31 {
            return Err(err());
        }
    }
    let v = if negative { -v } else { v };
    i32::try_from(v).map_err(|_| err())
}

/// One zkCli command from its words (`words[0]` is the command), as ZooKeeperMain 3.5.9 parses
/// it. Unknown words are `Help` (zkCli prints its command list).
fn zk_cli(words: &[String]) -> Result<ZkCliCmd, String> {
    let Some(cmd) = words.first() else {
        return Ok(ZkCliCmd::Help);
    };
    let path_at = |p: &CliParsed, usage: &str| p.args.get(1).cloned().ok_or_else(|| usage.to_string());
    match cmd.as_str() {
        "quit" => Ok(ZkCliCmd::Quit),
        "ls" => {
            let spec = [('?', false), ('s', false), ('w', false), ('R', false)];
            let p = cli_parse(words, &spec)?;
            let p = retain_compatibility(words, p, &spec)?;
            let path = path_at(&p, "ls [-s] [-w] [-R] path")?;
            Ok(ZkCliCmd::Ls { path, stat: p.has('s'), recursive: p.has('R'), watch: p.has('w') })
        }
        "get" => {
            let spec = [('s', false), ('w', false)];
            let usage = "get [-s] [-w] path";
            let p = cli_parse(words, &spec)?;
            path_at(&p, usage)?;
            let p = retain_compatibility(words, p, &spec)?;
            let path = path_at(&p, usage)?;
            Ok(ZkCliCmd::Get { path, stat: p.has('s'), watch: p.has('w') })
        }
        "stat" => {
            let spec = [('w', false)];
            let usage = "stat [-w] path";
            let p = cli_parse(words, &spec)?;
            path_at(&p, usage)?;
            let p = retain_compatibility(words, p, &spec)?;
            let path = path_at(&p, usage)?;
            Ok(ZkCliCmd::Stat { path, watch: p.has('w') })
        }
        "create" => {
            let spec = [('e', false), ('s', false), ('c', false), ('t', true)];
            let p = cli_parse(words, &spec)?;
            let path = path_at(&p, "create [-s] [-e] [-c] [-t ttl] path [data] [acl]")?;
            if p.has('c') || p.has('t') {
                return Err("create: container (-c) and TTL (-t) znodes are not modeled in this sandbox; \
                            use create [-s] [-e] path [data]"
                    .to_string());
            }
            if p.args.len() > 3 {
                return Err("create: ACLs are not modeled in this sandbox (every znode is world:anyone); \
                            use create [-s] [-e] path [data]"
                    .to_string());
            }
            Ok(ZkCliCmd::Create { path, data: p.args.get(2).cloned(), ephemeral: p.has('e'), sequential: p.has('s') })
        }
        "set" => {
            let p = cli_parse(words, &[('s', false), ('v', true)])?;
            let usage = "set [-s] [-v version] path data";
            let path = path_at(&p, usage)?;
            let data = p.args.get(2).cloned().ok_or_else(|| usage.to_string())?;
            let version = p.value('v').map(java_parse_int).transpose()?;
            Ok(ZkCliCmd::Set { path, data, version, stat: p.has('s') })
        }
        "delete" => {
            // The deprecated `delete path version` form is parsed again unchanged: its version
            // is ignored, as upstream ignores it.
            let p = cli_parse(words, &[('v', true)])?;
            let path = path_at(&p, "delete [-v version] path")?;
            let version = p.value('v').map(java_parse_int).transpose()?;
            Ok(ZkCliCmd::Delete { path, version })
        }
        "deleteall" | "rmr" => {
            let p = cli_parse(words, &[])?;
            let usage = if cmd == "rmr" { "rmr path" } else { "deleteall path" };
            let path = path_at(&p, usage)?;
            Ok(ZkCliCmd::Deleteall { path })
        }
        other if ZK_UNMODELED.contains(&other) => Err(format!(
            "{other}: not available in the sandbox's zkCli (available: ls, get, stat, create, set, \
             delete, deleteall, quit)"
        )),
        _ => Ok(ZkCliCmd::Help),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        v.to_string()
    }

    fn line(cmd: Cmd) -> Line {
        Line { cmd, grep: None }
    }

    fn with_grep(cmd: Cmd, pattern: &str, invert: bool, ignore_case: bool) -> Line {
        Line { cmd, grep: Some(Grep { pattern: s(pattern), invert, ignore_case }) }
    }

    fn hp(host: &str, port: u16) -> HostPort {
        HostPort { host: s(host), port }
    }

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[track_caller]
    fn check_ok(cases: &[(&str, Line)], in_shell: bool) {
        for (input, want) in cases {
            match parse(input, in_shell) {
                Ok(got) => assert_eq!(&got, want, "input: {input:?} (in_shell={in_shell})"),
                Err(e) => panic!("input {input:?} (in_shell={in_shell}) failed: {e}"),
            }
        }
    }

    #[track_caller]
    fn check_err(cases: &[(&str, &str)], in_shell: bool) {
        for (input, want) in cases {
            match parse(input, in_shell) {
                Ok(got) => panic!("input {input:?} (in_shell={in_shell}) parsed as {got:?}, wanted error {want:?}"),
                Err(e) => assert_eq!(&e, want, "input: {input:?} (in_shell={in_shell})"),
            }
        }
    }

    fn get(path: &str) -> ZkCliCmd {
        ZkCliCmd::Get { path: s(path), stat: false, watch: false }
    }

    fn shell(connect: Vec<HostPort>, cmd: Option<ZkCliCmd>) -> Cmd {
        Cmd::ZkShell { connect, cmd }
    }

    fn words(v: &[&str]) -> Vec<String> {
        v.iter().map(|w| s(w)).collect()
    }

    #[test]
    fn the_seed_walkthrough_lines_parse_to_the_expected_commands() {
        check_ok(
            &[
                ("$ bin/zookeeper-server-start.sh config/zookeeper1.properties", line(Cmd::ZkServerStart { id: 1, daemon: false })),
                (
                    "echo srvr | nc localhost 2182 | grep Mode",
                    with_grep(Cmd::FourLetter { word: s("srvr"), host: s("localhost"), port: 2182 }, "Mode", false, false),
                ),
                (
                    "bin/zookeeper-server-start.sh -daemon /usr/local/etc/kafka/zookeeper2.properties",
                    line(Cmd::ZkServerStart { id: 2, daemon: true }),
                ),
                (
                    "zookeeper-shell localhost:2181 get /controller",
                    line(shell(vec![hp("localhost", 2181)], Some(get("/controller")))),
                ),
                ("zookeeper-shell localhost:2181", line(shell(vec![hp("localhost", 2181)], None))),
                (
                    "kafka-topics --create --zookeeper localhost:2181,localhost:2182,localhost:2183 --replication-factor 4 --partitions 10 --topic test",
                    line(Cmd::KafkaTool {
                        tool: KafkaTool::Topics,
                        args: words(&[
                            "--create",
                            "--zookeeper",
                            "localhost:2181,localhost:2182,localhost:2183",
                            "--replication-factor",
                            "4",
                            "--partitions",
                            "10",
                            "--topic",
                            "test",
                        ]),
                    }),
                ),
                (
                    "kafka-topics --describe --zookeeper localhost:2181 --topic test",
                    line(Cmd::KafkaTool {
                        tool: KafkaTool::Topics,
                        args: words(&["--describe", "--zookeeper", "localhost:2181", "--topic", "test"]),
                    }),
                ),
                ("bin/zookeeper-server-start config/zookeeper3.properties", line(Cmd::ZkServerStart { id: 3, daemon: false })),
            ],
            false,
        );
        // Step 3 of the seed: `get /controller` typed inside the interactive shell.
        check_ok(&[("get /controller", line(Cmd::ZkCli(get("/controller"))))], true);
    }

    #[test]
    fn blank_lines_comments_and_prompts_are_empty_commands() {
        let cases: Vec<(&str, Line)> = ["", "   ", "\t", "# a comment", "   # indented comment", "$", "$ ", "$ # after a prompt"]
            .into_iter()
            .map(|l| (l, empty()))
            .collect();
        check_ok(&cases, false);
        check_ok(&cases, true);
        check_ok(&[("[zk: localhost:2181(CONNECTED) 3] ", empty())], true);
    }

    #[test]
    fn a_hash_starts_a_comment_only_at_a_word_start_outside_quotes() {
        check_ok(
            &[
                ("status # how is everyone", line(Cmd::Status)),
                ("help net#frag", line(Cmd::Help(Some(s("net#frag"))))),
                ("help '# not a comment'", line(Cmd::Help(Some(s("# not a comment"))))),
                ("help \\#x", line(Cmd::Help(Some(s("#x"))))),
            ],
            false,
        );
        check_ok(
            &[
                ("get /a # comment", line(Cmd::ZkCli(get("/a")))),
                (
                    "create /a \"# data\"",
                    line(Cmd::ZkCli(ZkCliCmd::Create { path: s("/a"), data: Some(s("# data")), ephemeral: false, sequential: false })),
                ),
                (
                    "create /a x#y",
                    line(Cmd::ZkCli(ZkCliCmd::Create { path: s("/a"), data: Some(s("x#y")), ephemeral: false, sequential: false })),
                ),
            ],
            true,
        );
    }

    #[test]
    fn program_names_lose_their_directories_and_sh_suffix() {
        let topics = |args: &[&str]| line(Cmd::KafkaTool { tool: KafkaTool::Topics, args: words(args) });
        check_ok(
            &[
                ("./bin/kafka-topics.sh --list", topics(&["--list"])),
                ("bin/kafka-topics.sh --list", topics(&["--list"])),
                ("kafka-topics --list", topics(&["--list"])),
                ("/opt/kafka/bin/kafka-topics.sh --list", topics(&["--list"])),
                ("$ kafka-topics.sh --list", topics(&["--list"])),
                ("bin/zookeeper-server-stop.sh", line(Cmd::ZkServerStop)),
                ("zookeeper-server-stop anything", line(Cmd::ZkServerStop)),
                ("bin/kafka-server-stop.sh", line(Cmd::KafkaServerStop)),
                (
                    "kafka-console-producer --topic test --bootstrap-server localhost:9092",
                    line(Cmd::KafkaTool {
                        tool: KafkaTool::ConsoleProducer,
                        args: words(&["--topic", "test", "--bootstrap-server", "localhost:9092"]),
                    }),
                ),
                (
                    "kafka-console-consumer.sh --topic test --from-beginning",
                    line(Cmd::KafkaTool { tool: KafkaTool::ConsoleConsumer, args: words(&["--topic", "test", "--from-beginning"]) }),
                ),
                (
                    "kafka-leader-election --election-type preferred --all-topic-partitions",
                    line(Cmd::KafkaTool {
                        tool: KafkaTool::LeaderElection,
                        args: words(&["--election-type", "preferred", "--all-topic-partitions"]),
                    }),
                ),
                ("kafka-topics", line(Cmd::KafkaTool { tool: KafkaTool::Topics, args: vec![] })),
            ],
            false,
        );
    }

    #[test]
    fn the_grep_filter_is_the_last_top_level_pipe_followed_by_grep() {
        let fl = |port| Cmd::FourLetter { word: s("srvr"), host: s("localhost"), port };
        let partition = Cmd::Net(NetCmd::Partition(vec![vec![s("zk1")], vec![s("zk2"), s("zk3")]]));
        check_ok(
            &[
                ("echo srvr | nc localhost 2181", line(fl(2181))),
                ("echo srvr|nc localhost 2181|grep Mode", with_grep(fl(2181), "Mode", false, false)),
                ("status | grep zk1", with_grep(Cmd::Status, "zk1", false, false)),
                ("status | grep -v zk1", with_grep(Cmd::Status, "zk1", true, false)),
                ("status | grep -i -v LEADER", with_grep(Cmd::Status, "LEADER", true, true)),
                ("status | grep -vi LEADER", with_grep(Cmd::Status, "LEADER", true, true)),
                ("status | grep 'Mode: leader'", with_grep(Cmd::Status, "Mode: leader", false, false)),
                ("status | grep \"Mode: leader\"", with_grep(Cmd::Status, "Mode: leader", false, false)),
                ("status | grep -e -v", with_grep(Cmd::Status, "-v", false, false)),
                ("status | grep -- -v", with_grep(Cmd::Status, "-v", false, false)),
                ("status | grep ''", with_grep(Cmd::Status, "", false, false)),
                ("status | grep 'a|b'", with_grep(Cmd::Status, "a|b", false, false)),
                ("help 'a | grep b'", line(Cmd::Help(Some(s("a | grep b"))))),
                ("net partition zk1 | zk2,zk3 | grep x", with_grep(partition.clone(), "x", false, false)),
                ("net partition zk1 | zk2,zk3", line(partition)),
                ("status | grep x # trailing comment", with_grep(Cmd::Status, "x", false, false)),
            ],
            false,
        );
        check_ok(
            &[
                (
                    "ls / | grep zoo",
                    with_grep(Cmd::ZkCli(ZkCliCmd::Ls { path: s("/"), stat: false, recursive: false, watch: false }), "zoo", false, false),
                ),
                ("get /controller | grep -i BROKERID", with_grep(Cmd::ZkCli(get("/controller")), "BROKERID", false, true)),
                (
                    "create /a x|y",
                    line(Cmd::ZkCli(ZkCliCmd::Create { path: s("/a"), data: Some(s("x|y")), ephemeral: false, sequential: false })),
                ),
                ("status | grep zk", with_grep(Cmd::Status, "zk", false, false)),
            ],
            true,
        );
    }

    #[test]
    fn grep_mistakes_are_reported_with_the_grep_prefix() {
        let cases = [
            ("status | grep", "grep: missing PATTERN (usage: grep [-v] [-i] PATTERN)"),
            ("status | grep -v", "grep: missing PATTERN (usage: grep [-v] [-i] PATTERN)"),
            ("status | grep a b", "grep: only one PATTERN is supported (and no files)"),
            ("status | grep -x a", "grep: unsupported option '-x' (usage: grep [-v] [-i] PATTERN)"),
            ("status | grep -E 'a|b'", "grep: -E (regular expressions) is not supported: PATTERN is a plain substring"),
            ("status | grep 'open", "grep: unterminated ' quote"),
            ("status | grep a | grep b", "grep: only one '| grep' filter per line is supported"),
            ("| grep x", "grep: nothing to filter: type a command before '| grep'"),
        ];
        check_err(&cases, false);
        check_err(&[("ls / | grep a | grep b", "grep: only one '| grep' filter per line is supported")], true);
    }

    #[test]
    fn help_and_status_parse() {
        check_ok(
            &[
                ("help", line(Cmd::Help(None))),
                ("help net", line(Cmd::Help(Some(s("net"))))),
                ("help net partition", line(Cmd::Help(Some(s("net partition"))))),
                ("status", line(Cmd::Status)),
                ("  status  ", line(Cmd::Status)),
            ],
            false,
        );
        check_err(&[("status now", "status: unexpected argument 'now' (status takes no arguments)")], false);
    }

    #[test]
    fn cluster_accepts_both_flag_forms_and_checks_ranges() {
        check_ok(
            &[
                ("cluster", line(Cmd::Cluster { zk: None, brokers: None })),
                ("cluster --zk 3", line(Cmd::Cluster { zk: Some(3), brokers: None })),
                ("cluster --zk=5 --brokers=4", line(Cmd::Cluster { zk: Some(5), brokers: Some(4) })),
                ("cluster --brokers 64 --zk 1", line(Cmd::Cluster { zk: Some(1), brokers: Some(64) })),
                ("cluster --zk 7", line(Cmd::Cluster { zk: Some(7), brokers: None })),
            ],
            false,
        );
        check_err(
            &[
                ("cluster --zk 0", "cluster: --zk must be between 1 and 7, got 0"),
                ("cluster --zk 8", "cluster: --zk must be between 1 and 7, got 8"),
                ("cluster --brokers 65", "cluster: --brokers must be between 1 and 64, got 65"),
                ("cluster --zk 99999999999999999999", "cluster: --zk must be between 1 and 7, got 99999999999999999999"),
                ("cluster --zk three", "cluster: invalid --zk value 'three' (expected a number from 1 to 7)"),
                ("cluster --zk=-1", "cluster: invalid --zk value '-1' (expected a number from 1 to 7)"),
                ("cluster --zk", "cluster: --zk needs a value (a number from 1 to 7)"),
                ("cluster --brokers", "cluster: --brokers needs a value (a number from 1 to 64)"),
                ("cluster --zk 3 --zk 5", "cluster: --zk given twice"),
                ("cluster --nodes 3", "cluster: unknown option '--nodes' (usage: cluster [--zk N] [--brokers M])"),
                ("cluster 3", "cluster: unknown option '3' (usage: cluster [--zk N] [--brokers M])"),
            ],
            false,
        );
    }

    #[test]
    fn zk_and_broker_commands_parse_every_action() {
        check_ok(
            &[
                ("zk start 1", line(Cmd::Zk { action: NodeAction::Start, id: 1 })),
                ("zk stop 2", line(Cmd::Zk { action: NodeAction::Stop, id: 2 })),
                ("zk kill 3", line(Cmd::Zk { action: NodeAction::Kill, id: 3 })),
                ("zk restart 4294967295", line(Cmd::Zk { action: NodeAction::Restart, id: u32::MAX })),
                ("broker start 1", line(Cmd::Broker { action: NodeAction::Start, id: 1 })),
                ("broker stop 4", line(Cmd::Broker { action: NodeAction::Stop, id: 4 })),
                ("broker kill 1", line(Cmd::Broker { action: NodeAction::Kill, id: 1 })),
                ("broker restart 12", line(Cmd::Broker { action: NodeAction::Restart, id: 12 })),
            ],
            false,
        );
        // Sandbox commands still run while a zkCli session is open.
        check_ok(&[("zk kill 2", line(Cmd::Zk { action: NodeAction::Kill, id: 2 }))], true);
    }

    #[test]
    fn node_command_errors_name_the_command_and_the_problem() {
        check_err(
            &[
                ("zk frobnicate 1", "zk: unknown action 'frobnicate' (expected start, stop, kill or restart)"),
                ("zk", "zk: missing action (usage: zk start|stop|kill|restart ID)"),
                ("zk start", "zk: missing server id (e.g. 'zk start 1')"),
                ("zk start 0", "zk: invalid server id '0' (expected a whole number from 1 to 4294967295)"),
                ("zk start -1", "zk: invalid server id '-1' (expected a whole number from 1 to 4294967295)"),
                ("zk start 4294967296", "zk: invalid server id '4294967296' (expected a whole number from 1 to 4294967295)"),
                ("zk start one", "zk: invalid server id 'one' (expected a whole number from 1 to 4294967295)"),
                ("zk start 1 2", "zk: unexpected argument '2' (usage: zk start|stop|kill|restart ID)"),
                ("zk 1 start", "zk: the action comes first, as in 'zk start 1'"),
                ("broker kill", "broker: missing broker id (e.g. 'broker kill 1')"),
                ("broker explode 1", "broker: unknown action 'explode' (expected start, stop, kill or restart)"),
            ],
            false,
        );
    }

    #[test]
    fn server_scripts_take_the_id_from_the_properties_file_name() {
        check_ok(
            &[
                ("zookeeper-server-start config/zookeeper2.properties", line(Cmd::ZkServerStart { id: 2, daemon: false })),
                ("zookeeper-server-start.sh -daemon config/zookeeper3.properties", line(Cmd::ZkServerStart { id: 3, daemon: true })),
                ("zookeeper-server-start zookeeper12.properties", line(Cmd::ZkServerStart { id: 12, daemon: false })),
                ("zookeeper-server-start config/zookeeper-2.properties", line(Cmd::ZkServerStart { id: 2, daemon: false })),
                ("kafka-server-start config/server1.properties", line(Cmd::KafkaServerStart { id: 1, daemon: false })),
                ("bin/kafka-server-start.sh -daemon config/server4.properties", line(Cmd::KafkaServerStart { id: 4, daemon: true })),
                ("kafka-server-start config/server-2.properties", line(Cmd::KafkaServerStart { id: 2, daemon: false })),
                ("kafka-server-start /usr/local/etc/kafka/server3.properties &", line(Cmd::KafkaServerStart { id: 3, daemon: false })),
            ],
            false,
        );
    }

    #[test]
    fn server_script_errors_explain_the_expected_file_name() {
        check_err(
            &[
                (
                    "zookeeper-server-start config/zookeeper.properties",
                    "zookeeper-server-start: cannot tell the server id from 'config/zookeeper.properties': name the config file zookeeperN.properties, where N is the server id (e.g. config/zookeeper1.properties)",
                ),
                (
                    "kafka-server-start config/server.properties",
                    "kafka-server-start: cannot tell the broker id from 'config/server.properties': name the config file serverN.properties, where N is the broker id (e.g. config/server1.properties)",
                ),
                (
                    "zookeeper-server-start config/zookeeper2.cfg",
                    "zookeeper-server-start: cannot tell the server id from 'config/zookeeper2.cfg': name the config file zookeeperN.properties, where N is the server id (e.g. config/zookeeper1.properties)",
                ),
                ("zookeeper-server-start config/zookeeper0.properties", "zookeeper-server-start: server ids start at 1, got 'config/zookeeper0.properties'"),
                (
                    "zookeeper-server-start zookeeper99999999999999999999.properties",
                    "zookeeper-server-start: server id in 'zookeeper99999999999999999999.properties' is too large",
                ),
                ("zookeeper-server-start", "zookeeper-server-start: missing config file (usage: zookeeper-server-start [-daemon] config/zookeeper1.properties)"),
                ("zookeeper-server-start -daemon", "zookeeper-server-start: missing config file (usage: zookeeper-server-start [-daemon] config/zookeeper1.properties)"),
                (
                    "zookeeper-server-start config/zookeeper1.properties -daemon",
                    "zookeeper-server-start: -daemon must come before the config file (usage: zookeeper-server-start [-daemon] config/zookeeper1.properties)",
                ),
                (
                    "kafka-server-start config/server1.properties --override broker.id=7",
                    "kafka-server-start: --override is not supported in the sandbox (usage: kafka-server-start [-daemon] config/server1.properties)",
                ),
                ("kafka-server-start -x config/server1.properties", "kafka-server-start: unknown option '-x' (usage: kafka-server-start [-daemon] config/server1.properties)"),
            ],
            false,
        );
    }

    #[test]
    fn sleep_and_step_parse_their_arguments() {
        check_ok(
            &[
                ("sleep 500ms", line(Cmd::Sleep(ms(500)))),
                ("sleep 10", line(Cmd::Sleep(Duration::from_secs(10)))),
                ("sleep 1.5s", line(Cmd::Sleep(ms(1500)))),
                ("sleep 5m", line(Cmd::Sleep(Duration::from_secs(300)))),
                ("step", line(Cmd::Step(1))),
                ("step 25", line(Cmd::Step(25))),
                ("step 10000000", line(Cmd::Step(10_000_000))),
            ],
            false,
        );
        check_err(
            &[
                ("sleep abc", "sleep: invalid duration 'abc' (examples: 500ms, 10s, 5m)"),
                ("sleep", "sleep: missing duration (e.g. sleep 10s, sleep 500ms)"),
                ("sleep -5s", "sleep: invalid duration '-5s': durations cannot be negative"),
                ("sleep 1001h", "sleep: duration '1001h' is too long (at most 1000h)"),
                ("sleep 10 s", "sleep: unexpected argument 's' (usage: sleep DURATION)"),
                ("step 0", "step: invalid count '0' (expected a number from 1 to 10000000)"),
                ("step 10000001", "step: invalid count '10000001' (expected a number from 1 to 10000000)"),
                ("step x", "step: invalid count 'x' (expected a number from 1 to 10000000)"),
                ("step 1 2", "step: unexpected argument '2' (usage: step [N])"),
            ],
            false,
        );
    }

    #[test]
    fn parse_duration_accepts_units_decimals_and_plain_seconds() {
        let cases: &[(&str, u64)] = &[
            ("500ms", 500_000),
            ("10s", 10_000_000),
            ("5m", 300_000_000),
            ("1h", 3_600_000_000),
            ("250us", 250),
            ("250µs", 250),
            ("10", 10_000_000),
            ("0", 0),
            ("1.5s", 1_500_000),
            ("1.5", 1_500_000),
            (".5s", 500_000),
            ("2.", 2_000_000),
            ("0.001ms", 1),
            ("1.25m", 75_000_000),
            ("1000h", 3_600_000_000_000),
            ("999.999999h", 3_599_999_996_400),
            (" 3s ", 3_000_000),
            ("1.500000000000000000000000000000s", 1_500_000),
        ];
        for (input, us) in cases {
            assert_eq!(parse_duration(input), Ok(Duration::from_micros(*us)), "input {input:?}");
        }
    }

    #[test]
    fn parse_duration_rejects_negatives_junk_overflow_and_sub_microsecond_values() {
        let cases = [
            ("abc", "invalid duration 'abc' (examples: 500ms, 10s, 5m)"),
            ("", "invalid duration '' (examples: 500ms, 10s, 5m)"),
            ("ms", "invalid duration 'ms' (examples: 500ms, 10s, 5m)"),
            (".", "invalid duration '.' (examples: 500ms, 10s, 5m)"),
            ("1.2.3s", "invalid duration '1.2.3s' (examples: 500ms, 10s, 5m)"),
            ("10 s", "invalid duration '10 s' (examples: 500ms, 10s, 5m)"),
            ("10sec", "invalid duration '10sec' (examples: 500ms, 10s, 5m)"),
            ("+5s", "invalid duration '+5s' (examples: 500ms, 10s, 5m)"),
            ("1e3ms", "invalid duration '1e3ms' (examples: 500ms, 10s, 5m)"),
            ("-5s", "invalid duration '-5s': durations cannot be negative"),
            ("1000.000001h", "duration '1000.000001h' is too long (at most 1000h)"),
            ("3600001s", "duration '3600001s' is too long (at most 1000h)"),
            ("99999999999999999999", "duration '99999999999999999999' is too long (at most 1000h)"),
            (
                "999999999999999999999999999999999999999999999999h",
                "duration '999999999999999999999999999999999999999999999999h' is too long (at most 1000h)",
            ),
            ("0.5us", "duration '0.5us' is finer than 1us"),
            ("0.0000001s", "duration '0.0000001s' is finer than 1us"),
            ("0.000000000000000000000000001s", "duration '0.000000000000000000000000001s' is finer than 1us"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_duration(input), Err(s(want)), "input {input:?}");
        }
    }

    #[test]
    fn net_commands_parse_every_form() {
        let net = |n| line(Cmd::Net(n));
        let groups = |g: &[&[&str]]| NetCmd::Partition(g.iter().map(|x| words(x)).collect());
        let delay = |a, b| NetCmd::Delay { min: Duration::from_micros(a), max: Duration::from_micros(b) };
        check_ok(
            &[
                ("net", net(NetCmd::Status)),
                ("net status", net(NetCmd::Status)),
                ("net heal", net(NetCmd::Heal)),
                ("net partition zk1,b1 | zk2,zk3,b2", net(groups(&[&["zk1", "b1"], &["zk2", "zk3", "b2"]]))),
                ("net partition zk1 | zk2 | zk3", net(groups(&[&["zk1"], &["zk2"], &["zk3"]]))),
                ("net partition zk1, b1 | zk2 zk3", net(groups(&[&["zk1", "b1"], &["zk2", "zk3"]]))),
                ("net partition zk1,zk1 | zk2", net(groups(&[&["zk1"], &["zk2"]]))),
                ("net partition zk1|zk2", net(groups(&[&["zk1"], &["zk2"]]))),
                ("net cut zk1->zk2", net(NetCmd::Cut { from: s("zk1"), to: s("zk2") })),
                ("net cut zk1 -> b2", net(NetCmd::Cut { from: s("zk1"), to: s("b2") })),
                ("net loss 10", net(NetCmd::Loss { ppm: 100_000 })),
                ("net loss 10%", net(NetCmd::Loss { ppm: 100_000 })),
                ("net loss 0.5", net(NetCmd::Loss { ppm: 5_000 })),
                ("net loss 0", net(NetCmd::Loss { ppm: 0 })),
                ("net loss 100", net(NetCmd::Loss { ppm: 1_000_000 })),
                ("net loss 0.0001%", net(NetCmd::Loss { ppm: 1 })),
                ("net loss 10 %", net(NetCmd::Loss { ppm: 100_000 })),
                ("net delay 1ms-5ms", net(delay(1_000, 5_000))),
                ("net delay 2-10ms", net(delay(2_000, 10_000))),
                ("net delay 3ms", net(delay(3_000, 3_000))),
                ("net delay 1ms - 5ms", net(delay(1_000, 5_000))),
                ("net delay 500us-2ms", net(delay(500, 2_000))),
                ("net delay 0", net(delay(0, 0))),
                ("net delay 1-60s", net(delay(1_000_000, 60_000_000))),
                ("net delay 1.5-2.5ms", net(delay(1_500, 2_500))),
            ],
            false,
        );
    }

    #[test]
    fn net_errors_are_clear() {
        check_err(
            &[
                ("net frobnicate", "net: unknown subcommand 'frobnicate' (expected partition, cut, loss, delay, heal or status)"),
                ("net heal now", "net heal: unexpected argument 'now' (net heal takes no arguments)"),
                (
                    "net partition zk1,zk2",
                    "net partition: need at least two groups separated by '|' (e.g. net partition zk1,b1 | zk2,zk3,b2)",
                ),
                ("net partition", "net partition: need at least two groups separated by '|' (e.g. net partition zk1,b1 | zk2,zk3,b2)"),
                ("net partition zk1,zk2 | zk2,zk3", "net partition: zk2 is in two groups (a node belongs to one side)"),
                ("net partition | zk1", "net partition: group 1 is empty (e.g. net partition zk1,b1 | zk2,zk3,b2)"),
                ("net partition zk1 | ,", "net partition: group 2 is empty (e.g. net partition zk1,b1 | zk2,zk3,b2)"),
                ("net partition zk1 | zk2 |", "net: syntax error near unexpected token '|'"),
                ("net partition zk1 | z!", "net partition: invalid node name 'z!' (expected names like zk1 or b2)"),
                ("net cut zk1", "net cut: expected FROM->TO, got 'zk1' (e.g. net cut zk1->zk2)"),
                ("net cut", "net cut: missing FROM->TO (e.g. net cut zk1->zk2)"),
                ("net cut zk1->zk1", "net cut: cannot cut zk1 from itself"),
                ("net cut zk1->zk2->zk3", "net cut: expected FROM->TO, got 'zk1->zk2->zk3' (e.g. net cut zk1->zk2)"),
                ("net cut ->zk2", "net cut: invalid node name '' (expected names like zk1 or b2)"),
                ("net cut zk1->zk2 | zk3", "net: unexpected '|': the only pipe supported here is a final '| grep PATTERN'"),
                ("net loss", "net loss: missing PERCENT (e.g. net loss 10%, net loss 0.5)"),
                ("net loss 101", "net loss: must be between 0 and 100 percent, got '101'"),
                ("net loss 100.01", "net loss: must be between 0 and 100 percent, got '100.01'"),
                ("net loss 99999999999999999999", "net loss: must be between 0 and 100 percent, got '99999999999999999999'"),
                ("net loss -5", "net loss: invalid percentage '-5' (expected 0 to 100, e.g. 10%, 0.5)"),
                ("net loss lots", "net loss: invalid percentage 'lots' (expected 0 to 100, e.g. 10%, 0.5)"),
                ("net loss 0.00001", "net loss: '0.00001' is finer than 0.0001%"),
                ("net delay", "net delay: missing MIN-MAX (e.g. net delay 1ms-5ms, 2-10ms or 3ms)"),
                ("net delay 5ms-1ms", "net delay: MIN 5ms is larger than MAX 1ms"),
                ("net delay 1ms-61s", "net delay: at most 60s, got 61s"),
                ("net delay -5ms", "net delay: invalid range '-5ms' (e.g. 1ms-5ms, 2-10ms or 3ms; delays cannot be negative)"),
                ("net delay 1ms-", "net delay: invalid range '1ms-' (e.g. 1ms-5ms, 2-10ms or 3ms; delays cannot be negative)"),
                ("net delay fast", "net delay: invalid duration 'fast' (examples: 500ms, 10s, 5m)"),
            ],
            false,
        );
    }

    #[test]
    fn four_letter_words_need_echo_word_pipe_nc_host_port() {
        let fl = |word: &str, host: &str, port| line(Cmd::FourLetter { word: s(word), host: s(host), port });
        check_ok(
            &[
                ("echo srvr | nc localhost 2181", fl("srvr", "localhost", 2181)),
                ("echo ruok | nc 127.0.0.1 2183", fl("ruok", "127.0.0.1", 2183)),
                ("echo mntr | nc -q 1 localhost 2182", fl("mntr", "localhost", 2182)),
                ("echo stat | nc -w 1 localhost 2182", fl("stat", "localhost", 2182)),
                ("echo stat | nc -q1 -N localhost 2182", fl("stat", "localhost", 2182)),
                ("echo stat | nc localhost 2182 -q 2", fl("stat", "localhost", 2182)),
                ("echo -n conf | nc localhost 2181", fl("conf", "localhost", 2181)),
                ("echo 'wchs' | nc localhost 2181", fl("wchs", "localhost", 2181)),
                ("echo frob | nc localhost 2181", fl("frob", "localhost", 2181)),
                ("echo srvr | ncat localhost 2181", fl("srvr", "localhost", 2181)),
            ],
            false,
        );
        check_err(
            &[
                ("echo srvr | nc localhost:2181", "nc: expected HOST PORT separated by a space (nc localhost 2181), not 'localhost:2181'"),
                ("echo srvr | nc localhost", "nc: missing PORT (usage: echo srvr | nc HOST PORT)"),
                ("echo srvr | nc", "nc: missing HOST and PORT (usage: echo srvr | nc HOST PORT)"),
                ("echo srvr | nc localhost 99999", "nc: invalid port '99999' (expected a number from 1 to 65535)"),
                ("echo srvr | nc localhost 0", "nc: invalid port '0' (expected a number from 1 to 65535)"),
                ("echo srvr | nc localhost http", "nc: invalid port 'http' (expected a number from 1 to 65535)"),
                ("echo srvr | nc localhost 2181 2182", "nc: unexpected argument '2182' (usage: echo srvr | nc HOST PORT)"),
                ("echo srvr | nc -z localhost 2181", "nc: unsupported option '-z' (usage: echo srvr | nc HOST PORT)"),
                ("echo srvr | nc localhost 2181 -q", "nc: option -q needs a value (e.g. nc -q 1 localhost 2181)"),
                (
                    "echo srvr",
                    "echo: the sandbox only runs 'echo WORD | nc HOST PORT' (a four-letter word such as srvr, stat, ruok or mntr)",
                ),
                ("echo | nc localhost 2181", "echo: missing four-letter word (e.g. echo srvr | nc localhost 2181)"),
                ("echo srvr stat | nc localhost 2181", "echo: send one four-letter word at a time (echo WORD | nc HOST PORT)"),
                ("echo srvr | cat", "echo: expected '| nc HOST PORT' after 'echo srvr', got '| cat'"),
                ("echo srvr | nc localhost 2181 | nc localhost 2182", "echo: expected 'echo WORD | nc HOST PORT' with a single '|'"),
                ("nc localhost 2181", "nc: send a four-letter word with: echo srvr | nc HOST PORT (e.g. echo srvr | nc localhost 2181)"),
            ],
            false,
        );
    }

    #[test]
    fn zookeeper_shell_parses_connect_strings_and_an_optional_command() {
        let three = vec![hp("localhost", 2181), hp("localhost", 2182), hp("localhost", 2183)];
        check_ok(
            &[
                ("bin/zookeeper-shell.sh localhost:2181", line(shell(vec![hp("localhost", 2181)], None))),
                ("zookeeper-shell localhost:2181,localhost:2182,localhost:2183", line(shell(three.clone(), None))),
                (
                    "zookeeper-shell localhost:2181,localhost:2182,localhost:2183, ls /",
                    line(shell(three, Some(ZkCliCmd::Ls { path: s("/"), stat: false, recursive: false, watch: false }))),
                ),
                ("zookeeper-shell localhost", line(shell(vec![hp("localhost", 2181)], None))),
                ("zookeeper-shell localhost:", line(shell(vec![hp("localhost", 2181)], None))),
                ("zookeeper-shell localhost:2181/", line(shell(vec![hp("localhost", 2181)], None))),
                (
                    "zookeeper-shell 10.0.0.1:2182 get -s /controller",
                    line(shell(vec![hp("10.0.0.1", 2182)], Some(ZkCliCmd::Get { path: s("/controller"), stat: true, watch: false }))),
                ),
                ("zookeeper-shell localhost:2181 -timeout 5000 get /a", line(shell(vec![hp("localhost", 2181)], Some(get("/a"))))),
                ("zookeeper-shell localhost:2181 -server localhost:2182 get /a", line(shell(vec![hp("localhost", 2182)], Some(get("/a"))))),
                ("zookeeper-shell localhost:2181 -r", line(shell(vec![hp("localhost", 2181)], None))),
                ("zookeeper-shell localhost:2181 frobnicate", line(shell(vec![hp("localhost", 2181)], Some(ZkCliCmd::Help)))),
                ("zookeeper-shell localhost:2181 quit", line(shell(vec![hp("localhost", 2181)], Some(ZkCliCmd::Quit)))),
                (
                    "zookeeper-shell localhost:2181 create /greeting 'hello world'",
                    line(shell(
                        vec![hp("localhost", 2181)],
                        Some(ZkCliCmd::Create { path: s("/greeting"), data: Some(s("hello world")), ephemeral: false, sequential: false }),
                    )),
                ),
                (
                    "zookeeper-shell localhost:2181 get /controller | grep brokerid",
                    with_grep(shell(vec![hp("localhost", 2181)], Some(get("/controller"))), "brokerid", false, false),
                ),
                ("zkCli.sh -server localhost:2183 get /a", line(shell(vec![hp("localhost", 2183)], Some(get("/a"))))),
                ("bin/zkCli.sh", line(shell(vec![hp("localhost", 2181)], None))),
            ],
            false,
        );
    }

    #[test]
    fn zookeeper_shell_errors_are_clear() {
        check_err(
            &[
                ("zookeeper-shell", "zookeeper-shell: missing HOST:PORT (usage: zookeeper-shell HOST:PORT[,HOST:PORT...] [CMD ARGS...])"),
                (
                    "zookeeper-shell -server localhost:2181",
                    "zookeeper-shell: the first argument must be HOST:PORT, not '-server' (usage: zookeeper-shell HOST:PORT[,HOST:PORT...] [CMD ARGS...])",
                ),
                ("zookeeper-shell localhost:abc", "zookeeper-shell: invalid port 'abc' in 'localhost:abc' (expected a number from 1 to 65535)"),
                ("zookeeper-shell localhost:0", "zookeeper-shell: invalid port '0' in 'localhost:0' (expected a number from 1 to 65535)"),
                ("zookeeper-shell localhost:65536", "zookeeper-shell: invalid port '65536' in 'localhost:65536' (expected a number from 1 to 65535)"),
                ("zookeeper-shell :2181", "zookeeper-shell: missing host in ':2181' (expected HOST:PORT, e.g. localhost:2181)"),
                ("zookeeper-shell localhost:2181,,localhost:2182", "zookeeper-shell: empty host in connect string 'localhost:2181,,localhost:2182'"),
                ("zookeeper-shell ,", "zookeeper-shell: empty connect string (expected HOST:PORT, e.g. localhost:2181)"),
                ("zookeeper-shell localhost:2181/kafka", "zookeeper-shell: a chroot path ('/kafka') in the connect string is not supported in the sandbox"),
                ("zookeeper-shell localhost:2181 -timeout", "zookeeper-shell: no argument found for option -timeout"),
                ("zookeeper-shell localhost:2181 get", "get [-s] [-w] path"),
                ("zookeeper-shell localhost:2181 set /a", "set [-s] [-v version] path data"),
                (
                    "zookeeper-shell localhost:2181 set -v abc /a data",
                    "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"abc\"",
                ),
            ],
            false,
        );
    }

    #[test]
    fn zkcli_commands_follow_commons_cli_option_rules() {
        let ls = |path: &str, stat, recursive, watch| ZkCliCmd::Ls { path: s(path), stat, recursive, watch };
        let create = |path: &str, data: Option<&str>, ephemeral, sequential| ZkCliCmd::Create {
            path: s(path),
            data: data.map(s),
            ephemeral,
            sequential,
        };
        let set = |path: &str, data: &str, version, stat| ZkCliCmd::Set { path: s(path), data: s(data), version, stat };
        let cases: Vec<(&str, ZkCliCmd)> = vec![
            ("ls /", ls("/", false, false, false)),
            ("ls -s /brokers", ls("/brokers", true, false, false)),
            ("ls / -s", ls("/", true, false, false)),
            ("ls -s -R /x", ls("/x", true, true, false)),
            ("ls -sR /x", ls("/x", true, true, false)),
            ("ls -Rsw /x", ls("/x", true, true, true)),
            ("ls -w /brokers/ids", ls("/brokers/ids", false, false, true)),
            ("ls --s /", ls("/", true, false, false)),
            ("ls -? /", ls("/", false, false, false)),
            // `ls path watch`: the deprecated form; zkCli rewrites word 2 to -w.
            ("ls /brokers watch", ls("/brokers", false, false, true)),
            // ... and it rewrites the raw word 2 even when that is not the path (upstream quirk).
            ("ls -s /a /b", ls("/b", true, false, true)),
            ("get /controller", get("/controller")),
            ("get -s /controller", ZkCliCmd::Get { path: s("/controller"), stat: true, watch: false }),
            ("get -w -s /controller", ZkCliCmd::Get { path: s("/controller"), stat: true, watch: true }),
            ("get /controller -sw", ZkCliCmd::Get { path: s("/controller"), stat: true, watch: true }),
            ("get /controller true", ZkCliCmd::Get { path: s("/controller"), stat: false, watch: true }),
            ("get -- -s", get("-s")),
            ("stat /brokers", ZkCliCmd::Stat { path: s("/brokers"), watch: false }),
            ("stat -w /brokers", ZkCliCmd::Stat { path: s("/brokers"), watch: true }),
            ("stat /brokers 1", ZkCliCmd::Stat { path: s("/brokers"), watch: true }),
            ("create /a", create("/a", None, false, false)),
            ("create /a hello", create("/a", Some("hello"), false, false)),
            ("create -e /a hello", create("/a", Some("hello"), true, false)),
            ("create -s /seq- x", create("/seq-", Some("x"), false, true)),
            ("create -es /a", create("/a", None, true, true)),
            ("create /a hello -e", create("/a", Some("hello"), true, false)),
            ("create /a \"hello world\"", create("/a", Some("hello world"), false, false)),
            ("create /a 'hello world'", create("/a", Some("hello world"), false, false)),
            ("create /a ''", create("/a", Some(""), false, false)),
            ("set /a b", set("/a", "b", None, false)),
            ("set -s /a b", set("/a", "b", None, true)),
            ("set -v 3 /a b", set("/a", "b", Some(3), false)),
            ("set -v3 /a b", set("/a", "b", Some(3), false)),
            ("set -sv3 /a b", set("/a", "b", Some(3), true)),
            ("set /a b -v 0", set("/a", "b", Some(0), false)),
            ("set -v -1 /a b", set("/a", "b", Some(-1), false)),
            ("set -v +7 /a b", set("/a", "b", Some(7), false)),
            ("set -v 2147483647 /a b", set("/a", "b", Some(i32::MAX), false)),
            ("set -v -2147483648 /a b", set("/a", "b", Some(i32::MIN), false)),
            ("set -v 1 -v 2 /a b", set("/a", "b", Some(1), false)),
            ("set /a b extra", set("/a", "b", None, false)),
            ("delete /a", ZkCliCmd::Delete { path: s("/a"), version: None }),
            ("delete -v 2 /a", ZkCliCmd::Delete { path: s("/a"), version: Some(2) }),
            ("delete /a -v 2", ZkCliCmd::Delete { path: s("/a"), version: Some(2) }),
            // `delete path version`: deprecated, and the version is ignored (as upstream does).
            ("delete /a 5", ZkCliCmd::Delete { path: s("/a"), version: None }),
            ("deleteall /a", ZkCliCmd::Deleteall { path: s("/a") }),
            ("rmr /a", ZkCliCmd::Deleteall { path: s("/a") }),
            ("quit", ZkCliCmd::Quit),
            ("quit now", ZkCliCmd::Quit),
            ("help", ZkCliCmd::Help),
            ("help get", ZkCliCmd::Help),
            ("frobnicate /a", ZkCliCmd::Help),
            ("exit", ZkCliCmd::Help),
            ("GET /a", ZkCliCmd::Help),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input, true), Ok(line(Cmd::ZkCli(want.clone()))), "input {input:?}");
            // The same words after `zookeeper-shell HOST` on the sandbox command line.
            let via_shell = format!("zookeeper-shell localhost:2181 {input}");
            assert_eq!(parse(&via_shell, false), Ok(line(shell(vec![hp("localhost", 2181)], Some(want)))), "input {via_shell:?}");
        }
    }

    #[test]
    fn zkcli_keeps_quotes_inside_words_while_the_command_line_removes_them() {
        let create = |data: &str| ZkCliCmd::Create { path: s("/a"), data: Some(s(data)), ephemeral: false, sequential: false };
        // zkCli's tokenizer: a word that does not start with a quote keeps its quotes.
        check_ok(&[("create /a {\"version\":1}", line(Cmd::ZkCli(create("{\"version\":1}"))))], true);
        // The sandbox command line is a POSIX shell line: quote it as in bash.
        check_ok(
            &[
                (
                    "zookeeper-shell localhost:2181 create /a {\"version\":1}",
                    line(shell(vec![hp("localhost", 2181)], Some(create("{version:1}")))),
                ),
                (
                    "zookeeper-shell localhost:2181 create /a '{\"version\":1}'",
                    line(shell(vec![hp("localhost", 2181)], Some(create("{\"version\":1}")))),
                ),
            ],
            false,
        );
    }

    #[test]
    fn zkcli_errors_mirror_the_texts_zkcli_prints() {
        check_err(
            &[
                ("get", "get [-s] [-w] path"),
                ("get -s", "get [-s] [-w] path"),
                ("ls", "ls [-s] [-w] [-R] path"),
                ("ls -R", "ls [-s] [-w] [-R] path"),
                ("stat", "stat [-w] path"),
                ("create", "create [-s] [-e] [-c] [-t ttl] path [data] [acl]"),
                ("create -e", "create [-s] [-e] [-c] [-t ttl] path [data] [acl]"),
                ("set /a", "set [-s] [-v version] path data"),
                ("set", "set [-s] [-v version] path data"),
                ("delete", "delete [-v version] path"),
                ("deleteall", "deleteall path"),
                ("rmr", "rmr path"),
                ("get -x /a", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x"),
                ("get -sx /a", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -sx"),
                ("ls --recursive /a", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: --recursive"),
                ("set /a -1", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -1"),
                ("deleteall -r /a", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -r"),
                ("set /a b -v", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v"),
                ("set -v -s /a b", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v"),
                ("delete -v", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v"),
                ("create -t /a", "create [-s] [-e] [-c] [-t ttl] path [data] [acl]"),
                ("create -t", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: t"),
                ("set -v abc /a b", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"abc\""),
                (
                    "set -v 2147483648 /a b",
                    "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"2147483648\"",
                ),
                ("set -v 1.0 /a b", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"1.0\""),
                ("set -v - /a b", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"-\""),
                ("delete -v x1 /a", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"x1\""),
                (
                    "create -c /a",
                    "create: container (-c) and TTL (-t) znodes are not modeled in this sandbox; use create [-s] [-e] path [data]",
                ),
                (
                    "create -t 5000 /a",
                    "create: container (-c) and TTL (-t) znodes are not modeled in this sandbox; use create [-s] [-e] path [data]",
                ),
                (
                    "create /a data world:anyone:r",
                    "create: ACLs are not modeled in this sandbox (every znode is world:anyone); use create [-s] [-e] path [data]",
                ),
                (
                    "getAcl /a",
                    "getAcl: not available in the sandbox's zkCli (available: ls, get, stat, create, set, delete, deleteall, quit)",
                ),
                ("ls2 /a", "ls2: not available in the sandbox's zkCli (available: ls, get, stat, create, set, delete, deleteall, quit)"),
            ],
            true,
        );
    }

    #[test]
    fn the_zkcli_tokenizer_matches_zookeeper_main_args_pattern() {
        let toks = |l: &str| zk_tokens(l).into_iter().map(|t| t.text).collect::<Vec<_>>();
        let cases: &[(&str, &[&str])] = &[
            ("get /a", &["get", "/a"]),
            ("  get   /a  ", &["get", "/a"]),
            ("create /a \"hello world\"", &["create", "/a", "hello world"]),
            // Single quotes group too in 3.5.x (ARGS_PATTERN has a '[^']*' alternative).
            ("create /a 'hello world'", &["create", "/a", "hello world"]),
            // A quote inside a word is literal: the word alternative runs to the next space.
            ("create /a x\"y z\"", &["create", "/a", "x\"y", "z\""]),
            // A quoted token ends at its closing quote; the rest is a new token.
            ("create /a \"ab\"cd", &["create", "/a", "ab", "cd"]),
            // Only one pair of quotes is removed.
            ("create /a '\"x\"'", &["create", "/a", "\"x\""]),
            ("create /a \"\"", &["create", "/a", ""]),
            // An unterminated quote is skipped and the scan restarts after it.
            ("get \"/a", &["get", "/a"]),
            ("get '/a b", &["get", "/a", "b"]),
            // At the very start, the regex backtracks into leading whitespace before a lone quote.
            ("  \"abc", &[" \"abc"]),
            ("get \"  ", &["get", " "]),
            // Java's \s is ASCII only: a no-break space is part of a word.
            ("get /a\u{a0}b", &["get", "/a\u{a0}b"]),
            // A quoted token with a line break keeps its quotes (Java's `.` stops at it).
            ("create /a \"x\ny\"", &["create", "/a", "\"x\ny\""]),
        ];
        for (input, want) in cases {
            assert_eq!(toks(input), words(want), "input {input:?}");
        }
    }

    #[test]
    fn the_interactive_shell_routes_sandbox_words_to_the_sandbox_parser() {
        check_ok(
            &[
                ("status", line(Cmd::Status)),
                ("sleep 1s", line(Cmd::Sleep(Duration::from_secs(1)))),
                ("net heal", line(Cmd::Net(NetCmd::Heal))),
                (
                    "echo srvr | nc localhost 2181 | grep Mode",
                    with_grep(Cmd::FourLetter { word: s("srvr"), host: s("localhost"), port: 2181 }, "Mode", false, false),
                ),
                ("bin/kafka-topics.sh --list", line(Cmd::KafkaTool { tool: KafkaTool::Topics, args: words(&["--list"]) })),
                ("zookeeper-shell localhost:2182", line(shell(vec![hp("localhost", 2182)], None))),
                ("$ zk start 1", line(Cmd::Zk { action: NodeAction::Start, id: 1 })),
                ("help", line(Cmd::ZkCli(ZkCliCmd::Help))),
                ("[zk: localhost:2181(CONNECTED) 0] get /controller", line(Cmd::ZkCli(get("/controller")))),
                ("[zk: localhost:2181(CONNECTED) 12] status", line(Cmd::Status)),
            ],
            true,
        );
        // Outside the shell, `help` is the sandbox's, and zkCli words are unknown commands.
        check_ok(&[("help", line(Cmd::Help(None)))], false);
    }

    #[test]
    fn unknown_commands_are_reported_with_a_hint() {
        check_err(
            &[
                ("foo", "unknown command: foo (type 'help' for the list)"),
                ("foo bar baz", "unknown command: foo (type 'help' for the list)"),
                ("bin/foo.sh", "unknown command: bin/foo.sh (type 'help' for the list)"),
                ("kafka-configs --describe", "unknown command: kafka-configs (type 'help' for the list)"),
                (
                    "get /controller",
                    "unknown command: get (zkCli commands run inside 'zookeeper-shell localhost:2181', or as 'zookeeper-shell localhost:2181 get ...'; type 'help' for the list)",
                ),
                (
                    "quit",
                    "unknown command: quit (zkCli commands run inside 'zookeeper-shell localhost:2181', or as 'zookeeper-shell localhost:2181 quit ...'; type 'help' for the list)",
                ),
                ("status | wc -l", "status: unexpected '|': the only pipe supported here is a final '| grep PATTERN'"),
                ("'' x", "unknown command: '' (type 'help' for the list)"),
            ],
            false,
        );
    }

    #[test]
    fn semicolons_and_double_ampersands_are_rejected_and_a_trailing_ampersand_is_ignored() {
        check_err(
            &[
                ("zk start 1; zk start 2", "zk: ';' is not supported: type one command per line"),
                ("zk start 1 && zk start 2", "zk: '&&' is not supported: type one command per line"),
                ("status || grep x", "status: syntax error near unexpected token '|'"),
            ],
            false,
        );
        check_ok(
            &[
                ("bin/zookeeper-server-start.sh config/zookeeper1.properties &", line(Cmd::ZkServerStart { id: 1, daemon: false })),
                ("help 'a;b'", line(Cmd::Help(Some(s("a;b"))))),
                ("&", empty()),
            ],
            false,
        );
    }

    #[test]
    fn unterminated_quotes_are_errors_that_name_the_command() {
        check_err(
            &[
                ("zk start '1", "zk: unterminated ' quote"),
                ("help \"net", "help: unterminated \" quote"),
                ("zookeeper-shell localhost:2181 create /a 'x", "zookeeper-shell: unterminated ' quote"),
            ],
            false,
        );
    }

    #[test]
    fn shell_words_splits_like_a_posix_shell() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("   ", &[]),
            ("a b  c", &["a", "b", "c"]),
            ("'a b' c", &["a b", "c"]),
            ("\"a b\" c", &["a b", "c"]),
            ("\"a \\\"quoted\\\" b\"", &["a \"quoted\" b"]),
            ("\"back\\\\slash\"", &["back\\slash"]),
            ("\"keep \\n as is\"", &["keep \\n as is"]),
            ("'no \\escapes in single'", &["no \\escapes in single"]),
            ("a\\ b", &["a b"]),
            ("\\'x", &["'x"]),
            ("a'b c'd", &["ab cd"]),
            ("''", &[""]),
            ("\"\" x", &["", "x"]),
            ("trailing\\", &["trailing\\"]),
            ("tab\tsep\u{3000}ideographic", &["tab", "sep", "ideographic"]),
            ("émoji 😀 ok", &["émoji", "😀", "ok"]),
        ];
        for (input, want) in cases {
            assert_eq!(shell_words(input), Ok(words(want)), "input {input:?}");
        }
        assert_eq!(shell_words("'open"), Err(s("unterminated ' quote")));
        assert_eq!(shell_words("\"open"), Err(s("unterminated \" quote")));
        assert_eq!(shell_words("\"ends with escape\\\""), Err(s("unterminated \" quote")));
    }

    #[test]
    fn error_messages_stay_on_one_line_and_quote_long_input_briefly() {
        let e = parse("zk start \"1\n2\"", false).unwrap_err();
        assert_eq!(e, "zk: invalid server id '1\\n2' (expected a whole number from 1 to 4294967295)");
        let long = format!("foo{}", "x".repeat(100_000));
        let e = parse(&long, false).unwrap_err();
        assert!(e.starts_with("unknown command: fooxxx"), "{e}");
        assert!(e.chars().count() < 200, "{e}");
        let e = parse(&format!("set -v {} /a b", "9".repeat(50_000)), true).unwrap_err();
        assert!(e.starts_with("Exception in thread \"main\" java.lang.NumberFormatException"), "{e}");
        assert!(!e.contains('\n') && e.chars().count() <= ERROR_MAX + 1);
    }

    // -----------------------------------------------------------------------------------------
    // Property test: no input panics, and every error is a non-empty single line.
    // -----------------------------------------------------------------------------------------

    /// xorshift64*: a tiny deterministic generator for the fuzz test.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            if n == 0 {
                0
            } else {
                (self.next() % n as u64) as usize
            }
        }
        fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
            &xs[self.below(xs.len())]
        }
    }

    const VALID: &[&str] = &[
        "$ bin/zookeeper-server-start.sh config/zookeeper1.properties",
        "echo srvr | nc localhost 2182 | grep Mode",
        "bin/zookeeper-server-start.sh -daemon /usr/local/etc/kafka/zookeeper2.properties",
        "zookeeper-shell localhost:2181 get /controller",
        "kafka-topics --create --zookeeper localhost:2181,localhost:2182,localhost:2183 --replication-factor 4 --partitions 10 --topic test",
        "cluster --zk 3 --brokers 4",
        "cluster --zk=5",
        "zk kill 2",
        "broker restart 1",
        "kafka-server-start -daemon config/server3.properties",
        "zookeeper-server-stop",
        "sleep 1.5s",
        "step 10",
        "net partition zk1,b1 | zk2,zk3 | grep x",
        "net cut zk1 -> zk2",
        "net loss 0.5%",
        "net delay 2-10ms",
        "net heal",
        "status | grep -vi leader",
        "help net",
        "ls -sR /brokers",
        "get -s -w /controller",
        "stat /brokers/ids/1",
        "create -e -s /lock- \"some data\"",
        "set -v 3 /a 'x y'",
        "delete -v 1 /a",
        "deleteall /a",
        "quit",
        "zkCli.sh -server localhost:2181 ls /",
        "# just a comment",
    ];

    const ODD: &[&str] = &[
        "\u{0}",
        "\u{301}",
        "e\u{301}",
        "\u{202e}",
        "\u{200f}",
        "\u{2028}",
        "\u{2029}",
        "\u{85}",
        "😀",
        "👩‍👩‍👧",
        "\u{feff}",
        "\u{a0}",
        "\u{3000}",
        "\r",
        "\n",
        "\t",
        "\u{b}",
        "\u{c}",
        "|",
        "||",
        "#",
        "'",
        "\"",
        "\\",
        ";",
        "&",
        "&&",
        "->",
        "-",
        "--",
        "-v",
        "-sR",
        "=",
        ",",
        ":",
        "/",
        "%",
        ".",
        "99999999999999999999",
        "18446744073709551616",
        "4294967296",
        "2147483648",
        "-2147483649",
        "0",
        "-0",
        "1e9",
        "NaN",
        "µs",
        "ms",
        "1000h",
        "grep",
        "| grep",
        "$",
        "[zk:",
        "]",
        "(",
        ")",
        "ﾟ",
        "𝟙",
        "٣",
        "zk",
        "net",
        "partition",
        "echo",
        "nc",
        "zookeeper-shell",
        "get",
        "set",
        "create",
    ];

    fn mutate(rng: &mut Rng, base: &str) -> String {
        let mut toks: Vec<String> = base.split(' ').map(str::to_string).collect();
        let i = rng.below(toks.len());
        match rng.below(7) {
            0 => {
                toks.remove(i);
            }
            1 => {
                let t = toks[i].clone();
                toks.insert(i, t);
            }
            2 => toks[i] = rng.pick(ODD).to_string(),
            3 => {
                let odd = rng.pick(ODD).to_string();
                toks[i].push_str(&odd);
            }
            4 => {
                // Cut the token at a random char boundary.
                let n = toks[i].chars().count();
                let k = rng.below(n + 1);
                toks[i] = toks[i].chars().take(k).collect();
            }
            5 => {
                let other = rng.pick(VALID).split(' ').next().unwrap_or("").to_string();
                toks.insert(i, other);
            }
            _ => {
                let odd = rng.pick(ODD).to_string();
                toks.insert(i, odd);
            }
        }
        toks.join(if rng.below(8) == 0 { "  " } else { " " })
    }

    fn random_bytes_line(rng: &mut Rng, max: usize) -> String {
        let n = rng.below(max + 1);
        let bytes: Vec<u8> = (0..n)
            .map(|_| match rng.below(4) {
                0 => (rng.next() & 0xff) as u8,
                1 => *rng.pick(b" \t|#'\"\\;&-,:/%.=>"),
                _ => *rng.pick(b"abcdefghijklmnopqrstuvwxyz0123456789"),
            })
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn odd_line(rng: &mut Rng) -> String {
        let n = 1 + rng.below(12);
        let mut out = String::new();
        for _ in 0..n {
            let t = *rng.pick(ODD);
            out.push_str(t);
            if rng.below(2) == 0 {
                out.push(' ');
            }
        }
        out
    }

    fn long_line(rng: &mut Rng) -> String {
        let unit = match rng.below(6) {
            0 => "a".to_string(),
            1 => "\"".to_string(),
            2 => "' ".to_string(),
            3 => "| ".to_string(),
            4 => "9".to_string(),
            _ => rng.pick(ODD).to_string(),
        };
        let head = rng.pick(VALID).to_string();
        let reps = 100_000 / unit.len().max(1);
        let body = unit.repeat(reps);
        match rng.below(4) {
            0 => format!("{head} {body}"),
            1 => format!("{body} {head}"),
            2 => format!("net partition {} | zk2", "zk1,".repeat(25_000)),
            _ => body,
        }
    }

    #[track_caller]
    fn assert_well_formed(input: &str, in_shell: bool) {
        if let Err(e) = parse(input, in_shell) {
            assert!(!e.trim().is_empty(), "empty error for {input:?}");
            assert!(
                !e.chars().any(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{b}' | '\u{c}')),
                "multi-line error {e:?} for {input:?}"
            );
        }
    }

    #[test]
    fn fuzzed_lines_never_panic_and_every_error_is_one_nonempty_line() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut count = 0usize;
        for i in 0..200_000usize {
            let input = match i % 10 {
                0..=3 => {
                    let base = rng.pick(VALID).to_string();
                    let mut l = mutate(&mut rng, &base);
                    if rng.below(3) == 0 {
                        l = mutate(&mut rng, &l);
                    }
                    l
                }
                4 | 5 => random_bytes_line(&mut rng, 80),
                6 => odd_line(&mut rng),
                7 => rng.pick(VALID).to_string(),
                8 => {
                    let a = rng.pick(VALID).to_string();
                    let b = rng.pick(ODD).to_string();
                    let cut = rng.below(a.len() + 1);
                    // Splice at a byte index: may split nothing (ASCII) but go through a lossy
                    // round trip anyway to keep the line valid UTF-8.
                    let mut bytes = a.into_bytes();
                    bytes.splice(cut..cut, b.into_bytes());
                    String::from_utf8_lossy(&bytes).into_owned()
                }
                _ => {
                    if i % 1000 == 9 {
                        long_line(&mut rng)
                    } else {
                        random_bytes_line(&mut rng, 400)
                    }
                }
            };
            assert_well_formed(&input, false);
            assert_well_formed(&input, true);
            count += 1;
        }
        assert_eq!(count, 200_000);
        // The standalone helpers too.
        let mut rng = Rng(42);
        for _ in 0..20_000 {
            let l = random_bytes_line(&mut rng, 30);
            let _ = shell_words(&l);
            if let Err(e) = parse_duration(&l) {
                assert!(!e.is_empty());
            }
        }
    }
}
