//! zkCli as shipped with Kafka 2.8 (ZooKeeper 3.5.9 `ZooKeeperMain`): the `zookeeper-shell` and
//! `zkCli.sh` command lines, the connect string, zkCli's tokenizer and the commons-cli option
//! parsing of every command.
//!
//! What it models: inside an interactive `zookeeper-shell` session a line is split by zkCli's own
//! tokenizer (`ARGS_PATTERN` `\s*([^"']\S*|"[^"]*"|'[^']*')\s*`, then `QUOTED_PATTERN` strips one
//! pair of surrounding quotes), and every command's options go through commons-cli `PosixParser`
//! rules (options anywhere, `-sR` bursting, `-v3` attached values, `--` ends options). Usage lines
//! (`get [-s] [-w] path`), commons-cli exception texts and the uncaught `NumberFormatException`
//! of `-v abc` are returned as the error text, as zkCli prints them.
//!
//! What it simplifies: zkCli's deprecation warnings (`get path watch`) and `ls -?` help output are
//! not reproduced; the deprecated forms parse as upstream parses them. ACLs, containers and TTL
//! nodes are rejected; a connect string's chroot suffix is not supported.

use super::commands::{check_host, parse_port};
use super::shell::{chained_grep, grep_filter, nothing_to_filter, starts_with_grep};
use super::{empty, show, show_upstream, slice};
use crate::terminal::ast::{Cmd, HostPort, Line, ZkCliCmd};

/// ZooKeeper's default client port, used when a connect string omits the port.
const ZK_DEFAULT_PORT: u16 = 2181;

/// zkCli commands the sandbox models.
pub(super) const ZK_MODELED: &[&str] = &["ls", "get", "stat", "create", "set", "delete", "deleteall", "rmr", "quit"];

/// zkCli 3.5.9 commands (`ZooKeeperMain.commandMap`) the sandbox does not model.
pub(super) const ZK_UNMODELED: &[&str] = &[
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

// ---------------------------------------------------------------------------------------------
// zookeeper-shell / zkCli on the sandbox command line
// ---------------------------------------------------------------------------------------------

/// `zookeeper-shell HOST:PORT[,HOST:PORT...] [CMD ARGS...]`: Kafka's script runs
/// `ZooKeeperMain -server "$@"`, so the first argument is the connect string.
pub(super) fn parse_zk_shell(args: &[String]) -> Result<Cmd, String> {
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
pub(super) fn parse_zkcli_script(args: &[String]) -> Result<Cmd, String> {
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
pub(super) struct ZkTok {
    /// The token, with one pair of surrounding quotes removed for quoted tokens.
    pub(super) text: String,
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
pub(super) fn zk_tokens(s: &str) -> Vec<ZkTok> {
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
pub(super) fn parse_zk_line(line: &str, toks: Vec<ZkTok>) -> Result<Line, String> {
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

/// zkCli's tokenizer on its own ([`zk_tokens`]' texts): what `MyCommandOptions.parseCommand`
/// makes of a line, for tests and tools that show how zkCli splits a line.
pub fn zk_cli_tokens(line: &str) -> Vec<String> {
    zk_tokens(line).into_iter().map(|t| t.text).collect()
}
