//! The sandbox commands of the terminal language: `help`, `status`, `cluster`, `zk`/`broker`
//! node actions, `zookeeper-server-start`/`kafka-server-start` and their stop scripts, `sleep`,
//! `step`, `net` (partition, cut, loss, delay, heal), `echo WORD | nc HOST PORT` and the Kafka
//! tools' names (their arguments are parsed by the Kafka CLI module).
//!
//! What it models: `bin/`/`./bin/` prefixes and `.sh` suffixes on program names; the start
//! scripts' `-daemon` flag and the id in `config/zookeeperN.properties`, as the seed walkthrough
//! types them.
//!
//! What it simplifies: ranges that depend on the running cluster (does server 5 exist?) are
//! checked by the executor; durations take the units the walkthrough uses (`us`, `ms`, `s`, `m`,
//! `h`).

use super::zkcli::{parse_zk_shell, parse_zkcli_script, ZK_MODELED, ZK_UNMODELED};
use super::{show, show_char, slice};
use crate::sim::time::Duration;
use crate::sorted::SortedMap;
use crate::terminal::ast::{Cmd, KafkaTool, NetCmd, NodeAction};

/// Longest accepted duration: 1000 hours, in microseconds.
const MAX_DURATION_US: u64 = 1000 * 3600 * 1_000_000;
/// Largest `step N`.
const MAX_STEP: u64 = 10_000_000;
/// Largest `net delay` maximum: 60 seconds, in microseconds.
const MAX_DELAY_US: u64 = 60 * 1_000_000;
/// `net loss 100` in parts per million.
const MAX_LOSS_PPM: u64 = 1_000_000;

/// Program names (after stripping directories and `.sh`) that are sandbox commands. Inside an
/// interactive shell these still run as sandbox commands; `help` is the exception (zkCli's).
pub(super) const SANDBOX_WORDS: &[&str] = &[
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

// ---------------------------------------------------------------------------------------------
// Sandbox commands.
// ---------------------------------------------------------------------------------------------

/// `bin/kafka-topics.sh`, `./bin/kafka-topics.sh` and `kafka-topics` all name `kafka-topics`.
pub(super) fn program_name(word: &str) -> &str {
    let base = word.rsplit('/').next().unwrap_or(word);
    base.strip_suffix(".sh").unwrap_or(base)
}

pub(super) fn command(segs: &[Vec<String>]) -> Result<Cmd, String> {
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
pub(super) fn parse_port(s: &str) -> Option<u16> {
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
        "pause" => Some(NodeAction::Pause),
        "resume" => Some(NodeAction::Resume),
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

/// `zk|broker start|stop|kill|restart|pause|resume ID`.
fn node_command(cmd: &str, what: &str, args: &[String]) -> Result<(NodeAction, u32), String> {
    let usage = format!("usage: {cmd} start|stop|kill|restart|pause|resume ID");
    let word = args.first().ok_or_else(|| format!("{cmd}: missing action ({usage})"))?;
    let action = match node_action(word) {
        Some(a) => a,
        None => {
            if let Some(next) = args.get(1) {
                if parse_id(word).is_some() && node_action(next).is_some() {
                    return Err(format!("{cmd}: the action comes first, as in '{cmd} {next} {word}'"));
                }
            }
            return Err(format!("{cmd}: unknown action '{}' (expected start, stop, kill, restart, pause or resume)", show(word)));
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
    /// The script's own `USAGE:` line for no arguments at all (`bin/*-server-start.sh` at Kafka
    /// 2.8.2: `if [ $# -lt 1 ]`), with `$0` as typed.
    script_usage: &'static str,
}

const ZK_START: StartScript = StartScript {
    cmd: "zookeeper-server-start",
    stem: "zookeeper",
    what: "server",
    example: "config/zookeeper1.properties",
    script_usage: "USAGE: zookeeper-server-start [-daemon] zookeeper.properties",
};

const KAFKA_START: StartScript = StartScript {
    cmd: "kafka-server-start",
    stem: "server",
    what: "broker",
    example: "config/server1.properties",
    script_usage: "USAGE: kafka-server-start [-daemon] server.properties [--override property=value]*",
};

/// `zookeeper-server-start [-daemon] .../zookeeperN.properties` (and the Kafka twin).
fn server_start(s: &StartScript, args: &[String]) -> Result<(u32, bool), String> {
    let cmd = s.cmd;
    let usage = format!("usage: {cmd} [-daemon] {}", s.example);
    if args.is_empty() {
        return Err(s.script_usage.to_string());
    }
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

pub(super) fn check_host(ctx: &str, host: &str) -> Result<(), String> {
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(format!("{ctx}: invalid host '{}'", show(host)))
    } else {
        Ok(())
    }
}
