//! Command-line front ends of the Kafka 2.8 tools the sandbox offers: `kafka-topics`,
//! `kafka-leader-election`, `kafka-console-producer` and `kafka-console-consumer`: option
//! parsing with the real tools' error texts and checks, and the exact `kafka-topics --describe`
//! output.
//!
//! Follows Kafka 2.8: `core/src/main/scala/kafka/admin/TopicCommand.scala` (`TopicCommandOptions`
//! and `checkArgs`, `CommandTopicPartition`, `TopicDescription`/`PartitionDescription`
//! `.printDescription`, `DescribeOptions`), `kafka/utils/CommandLineUtils.scala`,
//! `kafka/utils/CommandDefaultOptions.scala` (no abbreviations; `--help` and `--version` on every
//! tool), `kafka/admin/LeaderElectionCommand.scala`, `kafka/tools/ConsoleProducer.scala`,
//! `kafka/tools/ConsoleConsumer.scala`, `common/internals/Topic.java` (topic name rules) and
//! jopt-simple 5.0.4 (token rules and exception messages).
//!
//! **Errors.** Every parser returns a [`CliError`] whose `text` is what the real tool prints
//! first, and whose `kind` says how it got there:
//! - [`CliErrorKind::Usage`]: `CommandLineUtils.printUsageAndDie`. The real tool then prints the
//!   whole option table; **we return only the message line(s) that precede it.**
//! - [`CliErrorKind::Uncaught`]: an exception escaping `main`; `text` is the JVM's first line,
//!   `Exception in thread "main" <class>: <message>`. The stack trace that follows is omitted.
//! - [`CliErrorKind::Failed`]: caught and printed by the tool (`kafka-topics`:
//!   `Error while executing topic command : <message>`; the log4j `ERROR` line with the stack
//!   trace that follows it is omitted).
//! - [`CliErrorKind::Version`]: `--version`, exit code 0.
//!
//! The convenience functions (`parse_topics_args`, ...) return just `text` as `String`.
//!
//! Simplified / not modelled:
//! - Files are never read: `--command-config`, `--producer.config`, `--consumer.config`,
//!   `--path-to-json-file` are parsed and handed back for the caller to refuse or emulate.
//! - Topic config values are not validated (only names are, against 2.8's `LogConfig` list).
//! - Which checks need cluster state (topic existence, broker count, `Topic.validate` on create,
//!   which Kafka runs after the broker-count checks) is left to the caller; the helpers
//!   [`validate_topic_name`], [`TopicsCmd::create_warning`] and
//!   [`TopicsCmd::admin_client_precheck`] give the exact texts.
//! - The version line's commit id is not known to us: see [`VERSION_LINE`].
//! - `kafka-console-producer --messages N` is a sandbox shortcut (no stdin in the browser).
//! - The console producer's option defaults (`--request-required-acks 1`, Integer `--timeout`)
//!   are those of the 2.6 help output; 3.x changed them to `-1` and Long. We found no 2.8 copy.
//! - `kafka-console-consumer`'s `Options group and partition cannot be specified together.`
//!   check is taken from the 3.x source; we could not confirm that 2.8 has it.

use crate::kafka::assign::{java_split, java_trim, parse_replica_assignment};
use crate::kafka::json::{java_concurrent_hash_map_order, java_hash_map_order, scala_immutable_hash_order};
use crate::kafka::types::{java_string_hash, BrokerId, TopicId, TopicPartition};
use crate::sorted::SortedMap;
use std::fmt;

// =============================================================================================
// Errors
// =============================================================================================

/// How a command-line error reaches the terminal (see the module notes).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CliErrorKind {
    /// `CommandLineUtils.printUsageAndDie`: message on stderr, then the option table; exit 1.
    Usage,
    /// An exception escaping `main`: `Exception in thread "main" ...` on stderr; exit 1.
    Uncaught,
    /// Caught and printed by the tool; exit 1.
    Failed,
    /// `--version`: the version line on stdout; exit 0.
    Version,
}

/// A refused command line: the first line(s) the real tool prints, and how.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CliError {
    /// How the text reaches the terminal.
    pub kind: CliErrorKind,
    /// Exactly what the tool prints first, without the trailing newline.
    pub text: String,
}

impl CliError {
    fn usage(text: impl Into<String>) -> CliError {
        CliError { kind: CliErrorKind::Usage, text: text.into() }
    }
    fn uncaught(class: &str, message: &str) -> CliError {
        CliError { kind: CliErrorKind::Uncaught, text: format!("Exception in thread \"main\" {class}: {message}") }
    }
    fn failed(text: impl Into<String>) -> CliError {
        CliError { kind: CliErrorKind::Failed, text: text.into() }
    }
    fn version() -> CliError {
        CliError { kind: CliErrorKind::Version, text: VERSION_LINE.to_string() }
    }

    /// The process exit code the real tool ends with.
    pub fn exit_code(&self) -> i32 {
        if self.kind == CliErrorKind::Version {
            0
        } else {
            1
        }
    }

    /// `true` if the text goes to stdout (`--version`, `kafka-topics` command failures).
    pub fn is_stdout(&self) -> bool {
        matches!(self.kind, CliErrorKind::Version)
            || (self.kind == CliErrorKind::Failed && self.text.starts_with(TOPIC_COMMAND_ERROR_PREFIX))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `VersionInfo.getVersionString` for the sandbox's Kafka. The commit id of the 2.8.2 release
/// could not be verified, so it is shown as `unknown`.
pub const VERSION_LINE: &str = "2.8.2 (Commit:unknown)";

/// `TopicCommand.printException`'s prefix.
pub const TOPIC_COMMAND_ERROR_PREFIX: &str = "Error while executing topic command : ";

// =============================================================================================
// A jopt-simple 5 emulation (no abbreviations, as CommandDefaultOptions configures it)
// =============================================================================================

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ArgKind {
    /// `parser.accepts(name)`.
    NoArg,
    /// `.withRequiredArg`.
    Required,
    /// `.withOptionalArg` (String-typed).
    Optional,
}

#[derive(Clone, Copy, Debug)]
struct OptSpec {
    name: &'static str,
    arg: ArgKind,
    /// `.forHelp()`: suppresses "Missing required option(s)".
    for_help: bool,
}

const fn flag(name: &'static str) -> OptSpec {
    OptSpec { name, arg: ArgKind::NoArg, for_help: false }
}
const fn req(name: &'static str) -> OptSpec {
    OptSpec { name, arg: ArgKind::Required, for_help: false }
}
const fn opt_arg(name: &'static str) -> OptSpec {
    OptSpec { name, arg: ArgKind::Optional, for_help: false }
}
const HELP: OptSpec = OptSpec { name: "help", arg: ArgKind::NoArg, for_help: true };
const VERSION: OptSpec = OptSpec { name: "version", arg: ArgKind::NoArg, for_help: true };

/// A jopt-simple `OptionException` raised while parsing.
#[derive(Clone, PartialEq, Eq, Debug)]
struct JoptError {
    class: &'static str,
    message: String,
}

impl JoptError {
    fn unrecognized(option: &str) -> JoptError {
        JoptError { class: "joptsimple.UnrecognizedOptionException", message: format!("{option} is not a recognized option") }
    }
    fn missing_argument(option: &str) -> JoptError {
        JoptError { class: "joptsimple.OptionMissingRequiredArgumentException", message: format!("Option {option} requires an argument") }
    }
    fn missing_required(options: &[&str]) -> JoptError {
        JoptError {
            class: "joptsimple.MissingRequiredOptionsException",
            message: format!("Missing required option(s) [{}]", options.join(", ")),
        }
    }
    fn conversion(option: &str, argument: &str) -> JoptError {
        JoptError {
            class: "joptsimple.OptionArgumentConversionException",
            message: format!("Cannot parse argument '{argument}' of option {option}"),
        }
    }
    fn multiple(option: &str) -> JoptError {
        JoptError {
            class: "joptsimple.MultipleArgumentsForOptionException",
            message: format!("Found multiple arguments for option {option}, but you asked for only one"),
        }
    }
    fn uncaught(&self) -> CliError {
        CliError::uncaught(self.class, &self.message)
    }
}

/// The detected options, in command-line order.
#[derive(Clone, Debug, Default)]
struct OptionSet {
    /// `(option name, argument)`; the argument is `None` for flags and absent optional args.
    detected: Vec<(&'static str, Option<String>)>,
    /// Arguments that are not options (kept, as jopt-simple does; the tools ignore them).
    non_options: Vec<String>,
}

impl OptionSet {
    fn has(&self, name: &str) -> bool {
        self.detected.iter().any(|(n, _)| *n == name)
    }
    fn values(&self, name: &str) -> Vec<&str> {
        self.detected.iter().filter(|(n, _)| *n == name).filter_map(|(_, v)| v.as_deref()).collect()
    }
    /// `OptionSet.valueOf` for a String option.
    fn value_of(&self, name: &str) -> Result<Option<&str>, JoptError> {
        let v = self.values(name);
        match v.len() {
            0 => Ok(None),
            1 => Ok(Some(v[0])),
            _ => Err(JoptError::multiple(name)),
        }
    }
    /// `OptionSet.valueOf` for an `Integer` option: every value is converted first
    /// (`valuesOf`), then the count is checked.
    fn int_value_of(&self, name: &str) -> Result<Option<i32>, JoptError> {
        let mut converted = Vec::new();
        for v in self.values(name) {
            converted.push(java_integer_value_of(v).ok_or_else(|| JoptError::conversion(name, v))?);
        }
        match converted.len() {
            0 => Ok(None),
            1 => Ok(Some(converted[0])),
            _ => Err(JoptError::multiple(name)),
        }
    }
    /// `OptionSet.valueOf` for a `Long` option.
    fn long_value_of(&self, name: &str) -> Result<Option<i64>, JoptError> {
        let mut converted = Vec::new();
        for v in self.values(name) {
            converted.push(java_long_value_of(v).ok_or_else(|| JoptError::conversion(name, v))?);
        }
        match converted.len() {
            0 => Ok(None),
            1 => Ok(Some(converted[0])),
            _ => Err(JoptError::multiple(name)),
        }
    }
}

/// `Integer.valueOf(String)` (ASCII digits only).
fn java_integer_value_of(s: &str) -> Option<i32> {
    java_long_value_of(s).and_then(|v| i32::try_from(v).ok())
}

/// `Long.valueOf(String)` (ASCII digits only).
fn java_long_value_of(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = s.strip_prefix('+').unwrap_or(s);
    body.parse::<i64>().ok()
}

/// jopt-simple's `isShortOptionToken || isLongOptionToken`.
fn looks_like_an_option(arg: &str) -> bool {
    arg.starts_with('-') && arg != "-" && arg != "--"
}

/// jopt-simple's `KeyValuePair.valueOf`: split at the first `=`.
fn key_value(token: &str) -> (&str, Option<&str>) {
    match token.find('=') {
        Some(i) => (&token[..i], Some(&token[i + 1..])),
        None => (token, None),
    }
}

/// `OptionParser.parse` (jopt-simple 5, not POSIXly correct, abbreviations off).
/// `required_unless`: `(option, other)` pairs: `option` is required unless `other` is present.
fn jopt_parse(specs: &[OptSpec], args: &[String], required_unless: &[(&'static str, &'static str)]) -> Result<OptionSet, JoptError> {
    let find = |name: &str| specs.iter().find(|s| s.name == name).copied();
    let mut set = OptionSet::default();
    let mut i = 0;
    let mut more_options = true;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if !more_options {
            set.non_options.push(arg.clone());
            continue;
        }
        if arg == "--" {
            more_options = false;
            continue;
        }
        let spec_and_value = if let Some(body) = arg.strip_prefix("--") {
            let (key, value) = key_value(body);
            match find(key) {
                Some(spec) => Some((spec, value)),
                None => return Err(JoptError::unrecognized(key)),
            }
        } else if arg.starts_with('-') && arg != "-" {
            let body = &arg[1..];
            let (key, value) = key_value(body);
            match find(key) {
                Some(spec) => Some((spec, value)),
                // A short-option cluster: every option here is longer than one character, so
                // its first character is never recognized.
                None => {
                    let first: String = body.chars().take(1).collect();
                    return Err(JoptError::unrecognized(&first));
                }
            }
        } else {
            None
        };
        let Some((spec, value)) = spec_and_value else {
            set.non_options.push(arg.clone());
            continue;
        };
        match spec.arg {
            ArgKind::NoArg => set.detected.push((spec.name, None)),
            ArgKind::Required => match value {
                Some(v) if !v.is_empty() => set.detected.push((spec.name, Some(v.to_string()))),
                _ => {
                    if i < args.len() {
                        set.detected.push((spec.name, Some(args[i].clone())));
                        i += 1;
                    } else {
                        return Err(JoptError::missing_argument(spec.name));
                    }
                }
            },
            ArgKind::Optional => match value {
                Some(v) if !v.is_empty() => set.detected.push((spec.name, Some(v.to_string()))),
                _ => {
                    if i < args.len() && !looks_like_an_option(&args[i]) {
                        set.detected.push((spec.name, Some(args[i].clone())));
                        i += 1;
                    } else {
                        set.detected.push((spec.name, None));
                    }
                }
            },
        }
    }
    let help_present = specs.iter().any(|s| s.for_help && set.has(s.name));
    let missing: Vec<&str> =
        required_unless.iter().filter(|(option, other)| !set.has(option) && !set.has(other)).map(|(option, _)| *option).collect();
    if !missing.is_empty() && !help_present {
        return Err(JoptError::missing_required(&missing));
    }
    Ok(set)
}

/// `OptionSpec.toString`: `[name]`.
fn spec(name: &str) -> String {
    format!("[{name}]")
}

/// The iteration order of a Scala 2.13 immutable `HashSet[OptionSpec[_]]`: an `OptionSpec`'s
/// hash is its `List("name").hashCode` = `31 + name.hashCode`.
fn option_set_order<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let keyed: Vec<(&'a str, i32)> = names.iter().map(|n| (*n, 31i32.wrapping_add(java_string_hash(n)))).collect();
    scala_immutable_hash_order(&keyed)
}

/// `CommandLineUtils.checkRequiredArgs`.
fn check_required(set: &OptionSet, names: &[&str]) -> Result<(), CliError> {
    for n in names {
        if !set.has(n) {
            return Err(CliError::usage(format!("Missing required argument \"{}\"", spec(n))));
        }
    }
    Ok(())
}

/// `CommandLineUtils.checkInvalidArgs` where `invalid` is a Scala immutable `HashSet`.
fn check_invalid(set: &OptionSet, used: &str, invalid: &[&str]) -> Result<(), CliError> {
    check_invalid_in_order(set, used, &option_set_order(invalid))
}

/// `CommandLineUtils.checkInvalidArgs` where `invalid` is iterated in the given order.
fn check_invalid_in_order(set: &OptionSet, used: &str, invalid: &[&str]) -> Result<(), CliError> {
    if set.has(used) {
        for arg in invalid {
            if set.has(arg) {
                return Err(CliError::usage(format!("Option \"{}\" can't be used with option \"{}\"", spec(used), spec(arg))));
            }
        }
    }
    Ok(())
}

/// `CommandLineUtils.parseKeyValueArgs(args, acceptMissingValue = true)`: `k=v` split at the
/// first `=`; a missing value is the empty string; later keys override earlier ones.
pub fn parse_key_value_args(args: &[&str]) -> SortedMap<String, String> {
    let mut props = SortedMap::new();
    for a in args {
        let (k, v) = match a.find('=') {
            Some(i) => (&a[..i], &a[i + 1..]),
            None => (*a, ""),
        };
        props.insert(k.to_string(), v.to_string());
    }
    props
}

// =============================================================================================
// Topic names (org.apache.kafka.common.internals.Topic)
// =============================================================================================

/// `Topic.validate`: the `InvalidTopicException` message for an illegal name.
pub fn validate_topic_name(topic: &str) -> Result<(), String> {
    if topic.is_empty() {
        return Err("Topic name is illegal, it can't be empty".to_string());
    }
    if topic == "." || topic == ".." {
        return Err("Topic name cannot be \".\" or \"..\"".to_string());
    }
    if topic.encode_utf16().count() > 249 {
        return Err(format!("Topic name is illegal, it can't be longer than 249 characters, topic name: {topic}"));
    }
    if !topic.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-') {
        return Err(format!("Topic name \"{topic}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"));
    }
    Ok(())
}

/// `Topic.hasCollisionChars`: the name contains `.` or `_`.
pub fn has_collision_chars(topic: &str) -> bool {
    topic.contains('.') || topic.contains('_')
}

/// `Topic.isInternal`: `__consumer_offsets` and `__transaction_state`.
pub fn is_internal_topic(topic: &str) -> bool {
    topic == "__consumer_offsets" || topic == "__transaction_state"
}

/// The topic-level config names Kafka 2.8 accepts (`LogConfig.configNames`).
pub const TOPIC_CONFIG_NAMES: [&str; 26] = [
    "cleanup.policy",
    "compression.type",
    "delete.retention.ms",
    "file.delete.delay.ms",
    "flush.messages",
    "flush.ms",
    "follower.replication.throttled.replicas",
    "index.interval.bytes",
    "leader.replication.throttled.replicas",
    "max.compaction.lag.ms",
    "max.message.bytes",
    "message.downconversion.enable",
    "message.format.version",
    "message.timestamp.difference.max.ms",
    "message.timestamp.type",
    "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms",
    "min.insync.replicas",
    "preallocate",
    "retention.bytes",
    "retention.ms",
    "segment.bytes",
    "segment.index.bytes",
    "segment.jitter.ms",
    "segment.ms",
    "unclean.leader.election.enable",
];

/// `LogConfig.validateNames` over a `java.util.Properties` filled with `names` in order: the
/// first unknown name in the Properties' iteration order is reported.
fn validate_config_names(names: &[String]) -> Result<(), String> {
    let mut distinct: Vec<(&str, i32)> = Vec::new();
    for n in names {
        if !distinct.iter().any(|(d, _)| d == n) {
            distinct.push((n.as_str(), java_string_hash(n)));
        }
    }
    for name in java_concurrent_hash_map_order(&distinct, 16) {
        if !TOPIC_CONFIG_NAMES.contains(&name) {
            return Err(format!("Unknown topic config name: {name}"));
        }
    }
    Ok(())
}

/// Java's `s.split("\\s*=\\s*")`: split at `=` with surrounding whitespace, dropping trailing
/// empty pieces.
fn split_config_pair(s: &str) -> Vec<String> {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r');
    if !s.contains('=') {
        return vec![s.to_string()];
    }
    let mut parts: Vec<String> = s
        .split('=')
        .enumerate()
        .map(|(i, p)| {
            let p = if i > 0 { p.trim_start_matches(is_ws) } else { p };
            p.to_string()
        })
        .collect();
    // Whitespace before each '=' belongs to the separator.
    let n = parts.len();
    for p in parts.iter_mut().take(n - 1) {
        let t = p.trim_end_matches(is_ws).to_string();
        *p = t;
    }
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

// =============================================================================================
// --topic as a regular expression (kafka.utils.IncludeList)
// =============================================================================================

/// `--topic` for `--list`, `--describe`, `--alter` and `--delete`: Kafka's `IncludeList`, a Java
/// regular expression that must match the whole topic name.
///
/// Supported syntax (a subset of `java.util.regex`): literals, `.`, `[...]`/`[^...]` with
/// ranges, `\d \D \w \W \s \S`, escaped metacharacters, `( )`, `(?: )`, `|`, `* + ? {n} {n,}
/// {n,m}` (lazy and possessive suffixes accepted and treated as greedy), `^`, `$`. Anything
/// else is reported as an invalid regex, and so are (sandbox limits) repetition bounds above
/// 1000, nesting deeper than 200 groups and patterns that compile to more than 20000 steps.
/// Matching is a Pike VM: linear in the name's length. Note that `IncludeList` turns `,` into
/// `|`, so `{n,m}` never reaches the regex engine intact.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TopicFilter {
    regex: String,
    prog: Vec<Inst>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Node {
    Empty,
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
    Start,
    End,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Split(usize, usize),
    Jmp(usize),
    Start,
    End,
    Match,
}

const MAX_PROGRAM: usize = 20_000;
const MAX_REPEAT: u32 = 1_000;

fn class_item_matches(item: &ClassItem, c: char) -> bool {
    match item {
        ClassItem::Range(a, b) => *a <= c && c <= *b,
        ClassItem::Digit(neg) => c.is_ascii_digit() != *neg,
        ClassItem::Word(neg) => (c.is_ascii_alphanumeric() || c == '_') != *neg,
        ClassItem::Space(neg) => matches!(c, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r') != *neg,
    }
}

struct RegexParser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl RegexParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }
    fn alternation(&mut self) -> Result<Node, ()> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(());
        }
        let mut alts = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.concat()?);
        }
        self.depth -= 1;
        Ok(if alts.len() == 1 { alts.pop().unwrap_or(Node::Empty) } else { Node::Alt(alts) })
    }
    fn concat(&mut self) -> Result<Node, ()> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }
    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let s: String = self.chars[start..self.pos].iter().collect();
        s.parse().ok()
    }
    fn quantified(&mut self, atom: Node) -> Result<Node, ()> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.pos += 1;
                let min = self.number().ok_or(())?;
                let max = match self.next() {
                    Some('}') => {
                        self.pos -= 1;
                        Some(min)
                    }
                    Some(',') => {
                        if self.peek() == Some('}') {
                            None
                        } else {
                            Some(self.number().ok_or(())?)
                        }
                    }
                    _ => return Err(()),
                };
                if self.peek() != Some('}') || max.is_some_and(|m| m < min) {
                    return Err(());
                }
                // Sandbox limit: bounds past MAX_REPEAT are refused (Java accepts them).
                if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
                    return Err(());
                }
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        if matches!(self.peek(), Some('?') | Some('+')) {
            self.pos += 1;
        }
        if matches!(atom, Node::Start | Node::End) {
            return Ok(atom);
        }
        Ok(Node::Repeat(Box::new(atom), min, max))
    }
    fn escape(&mut self, in_class: bool) -> Result<ClassOrChar, ()> {
        let c = self.next().ok_or(())?;
        Ok(match c {
            'd' => ClassOrChar::Class(ClassItem::Digit(false)),
            'D' => ClassOrChar::Class(ClassItem::Digit(true)),
            'w' => ClassOrChar::Class(ClassItem::Word(false)),
            'W' => ClassOrChar::Class(ClassItem::Word(true)),
            's' => ClassOrChar::Class(ClassItem::Space(false)),
            'S' => ClassOrChar::Class(ClassItem::Space(true)),
            't' => ClassOrChar::Char('\t'),
            'n' => ClassOrChar::Char('\n'),
            'r' => ClassOrChar::Char('\r'),
            'f' => ClassOrChar::Char('\u{0c}'),
            c if c.is_ascii_alphanumeric() => return Err(()),
            c => {
                let _ = in_class;
                ClassOrChar::Char(c)
            }
        })
    }
    fn class(&mut self) -> Result<Node, ()> {
        let negated = if self.peek() == Some('^') {
            self.pos += 1;
            true
        } else {
            false
        };
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.next().ok_or(())?;
            if c == ']' && !first {
                break;
            }
            if c == ']' || c == '[' || (c == '&' && self.peek() == Some('&')) {
                return Err(());
            }
            first = false;
            let lo = if c == '\\' {
                match self.escape(true)? {
                    ClassOrChar::Class(item) => {
                        items.push(item);
                        continue;
                    }
                    ClassOrChar::Char(ch) => ch,
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']') {
                self.pos += 1;
                let hc = self.next().ok_or(())?;
                let hi = if hc == '\\' {
                    match self.escape(true)? {
                        ClassOrChar::Char(ch) => ch,
                        ClassOrChar::Class(_) => return Err(()),
                    }
                } else {
                    hc
                };
                if hi < lo {
                    return Err(());
                }
                items.push(ClassItem::Range(lo, hi));
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Node::Class(items, negated))
    }
    fn atom(&mut self) -> Result<Node, ()> {
        let c = self.next().ok_or(())?;
        match c {
            '(' => {
                if self.peek() == Some('?') {
                    self.pos += 1;
                    if self.next() != Some(':') {
                        return Err(());
                    }
                }
                let inner = self.alternation()?;
                if self.next() != Some(')') {
                    return Err(());
                }
                Ok(inner)
            }
            '[' => self.class(),
            '.' => Ok(Node::Any),
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '\\' => Ok(match self.escape(false)? {
                ClassOrChar::Char(ch) => Node::Char(ch),
                ClassOrChar::Class(item) => Node::Class(vec![item], false),
            }),
            '*' | '+' | '?' | '{' => Err(()),
            c => Ok(Node::Char(c)),
        }
    }
}

enum ClassOrChar {
    Char(char),
    Class(ClassItem),
}

fn compile_node(node: &Node, prog: &mut Vec<Inst>) -> Result<(), ()> {
    if prog.len() > MAX_PROGRAM {
        return Err(());
    }
    match node {
        Node::Empty => {}
        Node::Char(c) => prog.push(Inst::Char(*c)),
        Node::Any => prog.push(Inst::Any),
        Node::Class(items, neg) => prog.push(Inst::Class(items.clone(), *neg)),
        Node::Start => prog.push(Inst::Start),
        Node::End => prog.push(Inst::End),
        Node::Concat(items) => {
            for n in items {
                compile_node(n, prog)?;
            }
        }
        Node::Alt(alts) => {
            let mut jumps = Vec::new();
            for (i, a) in alts.iter().enumerate() {
                if i + 1 < alts.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile_node(a, prog)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    compile_node(a, prog)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                compile_node(inner, prog)?;
                if prog.len() > MAX_PROGRAM {
                    return Err(());
                }
            }
            match max {
                None => {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile_node(inner, prog)?;
                    prog.push(Inst::Jmp(split));
                    let end = prog.len();
                    prog[split] = Inst::Split(split + 1, end);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(prog.len());
                        prog.push(Inst::Split(0, 0));
                        compile_node(inner, prog)?;
                        if prog.len() > MAX_PROGRAM {
                            return Err(());
                        }
                    }
                    let end = prog.len();
                    for s in splits {
                        prog[s] = Inst::Split(s + 1, end);
                    }
                }
            }
        }
    }
    Ok(())
}

impl TopicFilter {
    /// `IncludeList(raw)`: trims, turns `,` into `|`, drops spaces and surrounding quotes, then
    /// compiles. The error is Kafka's `RuntimeException` message: `<regex> is an invalid regex.`
    pub fn new(raw: &str) -> Result<TopicFilter, String> {
        let regex =
            java_trim(raw).replace(',', "|").replace(' ', "").trim_start_matches(['"', '\'']).trim_end_matches(['"', '\'']).to_string();
        let invalid = || format!("{regex} is an invalid regex.");
        let mut parser = RegexParser { chars: regex.chars().collect(), pos: 0, depth: 0 };
        let ast = parser.alternation().map_err(|_| invalid())?;
        if parser.pos != parser.chars.len() {
            return Err(invalid());
        }
        let mut prog = Vec::new();
        compile_node(&ast, &mut prog).map_err(|_| invalid())?;
        prog.push(Inst::Match);
        Ok(TopicFilter { regex, prog })
    }

    /// The normalized regular expression.
    pub fn regex(&self) -> &str {
        &self.regex
    }

    /// `String.matches`: the whole name must match.
    pub fn matches(&self, topic: &str) -> bool {
        let input: Vec<char> = topic.chars().collect();
        let mut current: Vec<usize> = Vec::new();
        let mut seen = vec![usize::MAX; self.prog.len()];
        self.add_thread(&mut current, &mut seen, 0, 0, input.len());
        for (pos, c) in input.iter().enumerate() {
            let mut next = Vec::new();
            for &pc in &current {
                let step = match &self.prog[pc] {
                    Inst::Char(x) => *x == *c,
                    Inst::Any => !matches!(*c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'),
                    Inst::Class(items, neg) => items.iter().any(|i| class_item_matches(i, *c)) != *neg,
                    _ => false,
                };
                if step {
                    self.add_thread(&mut next, &mut seen, pc + 1, pos + 1, input.len());
                }
            }
            current = next;
            if current.is_empty() {
                return false;
            }
        }
        current.iter().any(|pc| self.prog[*pc] == Inst::Match)
    }

    fn add_thread(&self, list: &mut Vec<usize>, seen: &mut [usize], pc: usize, pos: usize, len: usize) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if pc >= self.prog.len() || seen[pc] == pos {
                continue;
            }
            seen[pc] = pos;
            match &self.prog[pc] {
                Inst::Jmp(t) => stack.push(*t),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Start => {
                    if pos == 0 {
                        stack.push(pc + 1);
                    }
                }
                Inst::End => {
                    if pos == len {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }

    /// `IncludeList.isTopicAllowed`: matches, and is not an internal topic when those are
    /// excluded (`--exclude-internal`).
    pub fn is_topic_allowed(&self, topic: &str, exclude_internal: bool) -> bool {
        self.matches(topic) && !(is_internal_topic(topic) && exclude_internal)
    }
}

// =============================================================================================
// kafka-topics
// =============================================================================================

/// The one action a `kafka-topics` command line must have.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TopicsAction {
    Create,
    List,
    Describe,
    Delete,
    Alter,
}

/// How `kafka-topics` reaches the cluster (exactly one is allowed).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Connection {
    /// `--zookeeper HOSTS` (deprecated in 2.8): the raw connect string.
    Zookeeper(String),
    /// `--bootstrap-server HOST:PORT[,...]`: the raw server list.
    BootstrapServer(String),
}

/// A parsed `kafka-topics` command line that passed every check the tool makes before it
/// talks to the cluster.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TopicsCmd {
    /// `--create`, `--list`, `--describe`, `--delete` or `--alter`.
    pub action: TopicsAction,
    /// `--zookeeper` or `--bootstrap-server`.
    pub connection: Connection,
    /// `--command-config FILE` (bootstrap-server only); never read by this module.
    pub command_config: Option<String>,
    /// `--topic`: a name for `--create`, a Java regex otherwise.
    pub topic: Option<String>,
    /// `--topic` compiled as Kafka's `IncludeList` (every action but `--create`).
    pub topic_filter: Option<TopicFilter>,
    /// `--partitions` (read for `--create` and `--alter` only).
    pub partitions: Option<i32>,
    /// `--replication-factor` (read for `--create` only).
    pub replication_factor: Option<i32>,
    /// `--replica-assignment`, parsed (`None` if absent or the empty string).
    pub replica_assignment: Option<SortedMap<i32, Vec<BrokerId>>>,
    /// `--config k=v`, trimmed, in command-line order (a later duplicate key wins).
    pub configs: Vec<(String, String)>,
    /// `--delete-config NAME`, trimmed.
    pub delete_configs: Vec<String>,
    /// `--if-exists` (alter, delete, describe).
    pub if_exists: bool,
    /// `--if-not-exists` (create).
    pub if_not_exists: bool,
    /// `--under-replicated-partitions` (describe).
    pub under_replicated_partitions: bool,
    /// `--unavailable-partitions` (describe).
    pub unavailable_partitions: bool,
    /// `--under-min-isr-partitions` (describe, bootstrap-server only).
    pub under_min_isr_partitions: bool,
    /// `--at-min-isr-partitions` (describe, bootstrap-server only).
    pub at_min_isr_partitions: bool,
    /// `--topics-with-overrides` (describe).
    pub topics_with_overrides: bool,
    /// `--exclude-internal` (list, describe).
    pub exclude_internal: bool,
    /// `--disable-rack-aware` (create, alter).
    pub disable_rack_aware: bool,
}

const TOPICS_SPECS: &[OptSpec] = &[
    HELP,
    VERSION,
    req("bootstrap-server"),
    req("command-config"),
    req("zookeeper"),
    flag("list"),
    flag("create"),
    flag("delete"),
    flag("alter"),
    flag("describe"),
    req("topic"),
    req("config"),
    req("delete-config"),
    req("partitions"),
    req("replication-factor"),
    req("replica-assignment"),
    flag("under-replicated-partitions"),
    flag("unavailable-partitions"),
    flag("under-min-isr-partitions"),
    flag("at-min-isr-partitions"),
    flag("topics-with-overrides"),
    flag("if-exists"),
    flag("if-not-exists"),
    flag("disable-rack-aware"),
    flag("force"),
    flag("exclude-internal"),
];

fn topic_failed(message: &str) -> CliError {
    CliError::failed(format!("{TOPIC_COMMAND_ERROR_PREFIX}{message}"))
}

/// Parses a `kafka-topics` command line (arguments after the program name).
/// The error is the text the real tool prints first; see [`parse_topics_args_detailed`].
pub fn parse_topics_args(args: &[String]) -> Result<TopicsCmd, String> {
    parse_topics_args_detailed(args).map_err(|e| e.text)
}

/// Parses a `kafka-topics` command line, in TopicCommand 2.8's order: jopt-simple parsing,
/// `checkArgs`, the connection options `main` reads, then what `CommandTopicPartition` and the
/// topic lookup evaluate inside the `try` (errors printed as `Error while executing topic
/// command : ...`).
pub fn parse_topics_args_detailed(args: &[String]) -> Result<TopicsCmd, CliError> {
    let set = jopt_parse(TOPICS_SPECS, args, &[]).map_err(|e| e.uncaught())?;

    // checkArgs
    if args.is_empty() {
        return Err(CliError::usage("Create, delete, describe, or change a topic."));
    }
    if set.has("help") {
        return Err(CliError::usage("This tool helps to create, delete, describe, or change a topic."));
    }
    if set.has("version") {
        return Err(CliError::version());
    }
    let actions = ["create", "list", "alter", "describe", "delete"];
    if actions.iter().filter(|a| set.has(a)).count() != 1 {
        return Err(CliError::usage("Command must include exactly one action: --list, --describe, --create, --alter or --delete"));
    }
    let has_bootstrap = set.has("bootstrap-server");
    let has_zk = set.has("zookeeper");
    if has_bootstrap == has_zk {
        return Err(CliError::uncaught(
            "java.lang.IllegalArgumentException",
            "Only one of --bootstrap-server or --zookeeper must be specified",
        ));
    }
    if set.has("describe") && set.has("if-exists") {
        check_required(&set, &["topic"])?;
    }
    if !set.has("list") && !set.has("describe") {
        check_required(&set, &["topic"])?;
    }
    if set.has("create") && !set.has("replica-assignment") && has_zk {
        check_required(&set, &["partitions", "replication-factor"])?;
    }
    if has_bootstrap && set.has("alter") && set.has("config") {
        return Err(CliError::usage(format!(
            "Option combination \"{},{}\" can't be used with option \"{}\" (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)",
            spec("bootstrap-server"),
            spec("config"),
            spec("alter")
        )));
    }
    if has_bootstrap && set.has("alter") {
        check_required(&set, &["partitions"])?;
    }
    check_invalid(&set, "config", &["describe", "list", "delete"])?;
    check_invalid(&set, "delete-config", &["create", "describe", "list", "delete", "bootstrap-server"])?;
    check_invalid(&set, "partitions", &["describe", "list", "delete"])?;
    check_invalid(&set, "replication-factor", &["alter", "describe", "list", "delete"])?;
    check_invalid(&set, "replica-assignment", &["describe", "list", "delete"])?;
    if set.has("create") {
        check_invalid_in_order(&set, "replica-assignment", &["partitions", "replication-factor"])?;
    }
    let not_describe = ["alter", "create", "list", "delete"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> { not_describe.iter().copied().chain(extra.iter().copied()).collect() };
    check_invalid(
        &set,
        "under-replicated-partitions",
        &with(&["under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions", "topics-with-overrides"]),
    )?;
    check_invalid(
        &set,
        "under-min-isr-partitions",
        &with(&["under-replicated-partitions", "at-min-isr-partitions", "unavailable-partitions", "topics-with-overrides", "zookeeper"]),
    )?;
    check_invalid(
        &set,
        "at-min-isr-partitions",
        &with(&["under-replicated-partitions", "under-min-isr-partitions", "unavailable-partitions", "topics-with-overrides", "zookeeper"]),
    )?;
    check_invalid(
        &set,
        "unavailable-partitions",
        &with(&["under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "topics-with-overrides"]),
    )?;
    check_invalid(
        &set,
        "topics-with-overrides",
        &with(&["under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions"]),
    )?;
    check_invalid(&set, "if-exists", &["create", "list"])?;
    check_invalid(&set, "if-not-exists", &["alter", "describe", "list", "delete"])?;
    check_invalid(&set, "exclude-internal", &["alter", "create", "delete"])?;

    // main: the service is built before the try.
    let (connection, command_config) = if has_zk {
        let zk = set.value_of("zookeeper").map_err(|e| e.uncaught())?.unwrap_or_default();
        (Connection::Zookeeper(zk.to_string()), None)
    } else {
        let cc = set.value_of("command-config").map_err(|e| e.uncaught())?.map(str::to_string);
        let bs = set.value_of("bootstrap-server").map_err(|e| e.uncaught())?.unwrap_or_default();
        (Connection::BootstrapServer(bs.to_string()), cc)
    };

    let action = if set.has("create") {
        TopicsAction::Create
    } else if set.has("alter") {
        TopicsAction::Alter
    } else if set.has("list") {
        TopicsAction::List
    } else if set.has("describe") {
        TopicsAction::Describe
    } else {
        TopicsAction::Delete
    };

    // Inside the try: opts.topic is read first by every action.
    let as_failed = |e: JoptError| topic_failed(&e.message);
    let topic = set.value_of("topic").map_err(as_failed)?.map(str::to_string);

    let mut cmd = TopicsCmd {
        action,
        connection,
        command_config,
        topic,
        topic_filter: None,
        partitions: None,
        replication_factor: None,
        replica_assignment: None,
        configs: Vec::new(),
        delete_configs: Vec::new(),
        if_exists: set.has("if-exists"),
        if_not_exists: set.has("if-not-exists"),
        under_replicated_partitions: set.has("under-replicated-partitions"),
        unavailable_partitions: set.has("unavailable-partitions"),
        under_min_isr_partitions: set.has("under-min-isr-partitions"),
        at_min_isr_partitions: set.has("at-min-isr-partitions"),
        topics_with_overrides: set.has("topics-with-overrides"),
        exclude_internal: set.has("exclude-internal"),
        disable_rack_aware: set.has("disable-rack-aware"),
    };

    // getTopics builds the IncludeList before CommandTopicPartition everywhere except on the
    // --bootstrap-server --alter path, where it comes after.
    let filter_first = action != TopicsAction::Create && (action != TopicsAction::Alter || cmd.is_zookeeper());
    if filter_first {
        cmd.topic_filter = topic_filter_of(&cmd.topic)?;
    }
    if matches!(action, TopicsAction::Create | TopicsAction::Alter) {
        // new CommandTopicPartition(opts)
        cmd.partitions = set.int_value_of("partitions").map_err(as_failed)?;
        cmd.replication_factor = set.int_value_of("replication-factor").map_err(as_failed)?;
        if let Some(ra) = set.value_of("replica-assignment").map_err(as_failed)? {
            if !ra.is_empty() {
                cmd.replica_assignment = Some(parse_replica_assignment(ra).map_err(|m| topic_failed(&m))?);
            }
        }
        let mut pairs = Vec::new();
        let mut well_formed = true;
        for c in set.values("config") {
            let parts = split_config_pair(c);
            if parts.len() != 2 {
                well_formed = false;
            } else {
                pairs.push((java_trim(&parts[0]).to_string(), java_trim(&parts[1]).to_string()));
            }
        }
        if !well_formed {
            return Err(topic_failed(
                "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
            ));
        }
        let names: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        validate_config_names(&names).map_err(|m| topic_failed(&m))?;
        cmd.configs = pairs;
        let deletes: Vec<String> = set.values("delete-config").iter().map(|d| java_trim(d).to_string()).collect();
        validate_config_names(&deletes).map_err(|m| topic_failed(&m))?;
        cmd.delete_configs = deletes;
    }
    if action == TopicsAction::Alter && !cmd.is_zookeeper() {
        cmd.topic_filter = topic_filter_of(&cmd.topic)?;
    }
    Ok(cmd)
}

fn topic_filter_of(topic: &Option<String>) -> Result<Option<TopicFilter>, CliError> {
    match topic {
        Some(t) => TopicFilter::new(t).map(Some).map_err(|m| topic_failed(&m)),
        None => Ok(None),
    }
}

impl TopicsCmd {
    /// `true` on the deprecated `--zookeeper` path.
    pub fn is_zookeeper(&self) -> bool {
        matches!(self.connection, Connection::Zookeeper(_))
    }

    /// The warning `--create` prints (stdout) before creating a topic whose name contains `.`
    /// or `_`.
    pub fn create_warning(&self) -> Option<&'static str> {
        match (&self.action, &self.topic) {
            (TopicsAction::Create, Some(t)) if has_collision_chars(t) => Some(
                "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.",
            ),
            _ => None,
        }
    }

    /// `AdminClientTopicService.createTopic`'s own checks (after the warning, before the
    /// request): the full `Error while executing topic command : ...` line.
    pub fn admin_client_precheck(&self) -> Result<(), String> {
        if self.action != TopicsAction::Create || self.is_zookeeper() {
            return Ok(());
        }
        if self.replication_factor.is_some_and(|rf| !(1..=i16::MAX as i32).contains(&rf)) {
            return Err(format!("{TOPIC_COMMAND_ERROR_PREFIX}The replication factor must be between 1 and 32767 inclusive"));
        }
        if self.partitions.is_some_and(|p| p < 1) {
            return Err(format!("{TOPIC_COMMAND_ERROR_PREFIX}The partitions must be greater than 0"));
        }
        Ok(())
    }

    /// The describe filters this command line asks for.
    pub fn describe_filter(&self) -> DescribeFilter {
        DescribeFilter {
            under_replicated_partitions: self.under_replicated_partitions,
            unavailable_partitions: self.unavailable_partitions,
            under_min_isr_partitions: self.under_min_isr_partitions,
            at_min_isr_partitions: self.at_min_isr_partitions,
            topics_with_overrides: self.topics_with_overrides,
        }
    }
}

/// `Created topic test.`
pub fn created_topic_line(topic: &str) -> String {
    format!("Created topic {topic}.")
}

/// `ensureTopicExists`' message (without the `Error while executing topic command : ` prefix).
pub fn topic_does_not_exist_message(requested: &str) -> String {
    format!("Topic '{requested}' does not exist as expected")
}

/// The `--zookeeper --delete` output for one topic: two lines.
pub fn zk_marked_for_deletion_lines(topic: &str) -> [String; 2] {
    [
        format!("Topic {topic} is marked for deletion."),
        "Note: This will have no impact if delete.topic.enable is not set to true.".to_string(),
    ]
}

/// `TopicExistsException`'s message for `--create` of an existing topic (both paths).
pub fn topic_already_exists_message(topic: &str) -> String {
    format!("Topic '{topic}' already exists.")
}

/// The `--zookeeper --delete` output for a topic already marked for deletion.
pub fn zk_already_marked_for_deletion_line(topic: &str) -> String {
    format!("Topic {topic} is already marked for deletion.")
}

/// `kafka-topics --list` output for the topics that passed the `--topic` filter, each with
/// whether it is marked for deletion: sorted by name; the `--zookeeper` path prints
/// `name - marked for deletion` for those, the `--bootstrap-server` path prints the names
/// joined by newlines followed by one newline (so an empty list prints an empty line).
pub fn list_topics_output(topics: &[(String, bool)], zookeeper: bool) -> String {
    let mut sorted: Vec<&(String, bool)> = topics.iter().collect();
    crate::sorted::sort(&mut sorted);
    if zookeeper {
        sorted.iter().map(|(t, marked)| if *marked { format!("{t} - marked for deletion\n") } else { format!("{t}\n") }).collect()
    } else {
        let names: Vec<&str> = sorted.iter().map(|(t, _)| t.as_str()).collect();
        format!("{}\n", names.join("\n"))
    }
}

/// A `--zookeeper` connect string, split.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ZkConnectString {
    /// `(host, port)` in the given order.
    pub hosts: Vec<(String, u16)>,
    /// The chroot path (`/kafka`), if any other than `/`.
    pub chroot: Option<String>,
}

/// Splits a `--zookeeper` connect string like ZooKeeper's `ConnectStringParser`: an optional
/// chroot after the first `/`, hosts separated by commas, port 2181 when omitted.
pub fn parse_zk_connect_string(s: &str) -> Result<ZkConnectString, String> {
    let (hosts, chroot) = match s.find('/') {
        Some(i) => (&s[..i], Some(&s[i..])),
        None => (s, None),
    };
    let chroot = match chroot {
        None | Some("/") => None,
        Some(c) => Some(c.to_string()),
    };
    let mut out = Vec::new();
    for h in hosts.split(',') {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        let (host, port) = match h.rfind(':') {
            Some(i) if !h.ends_with(']') => {
                let port = h[i + 1..].parse::<u16>().map_err(|_| format!("Invalid port in connect string: {h}"))?;
                (&h[..i], port)
            }
            _ => (h, 2181),
        };
        out.push((host.trim_start_matches('[').trim_end_matches(']').to_string(), port));
    }
    if out.is_empty() {
        return Err("A HostProvider may not be empty!".to_string());
    }
    Ok(ZkConnectString { hosts: out, chroot })
}

/// Splits a `--bootstrap-server` list into `(host, port)` pairs like
/// `ClientUtils.parseAndValidateAddresses`; the error is Kafka's `ConfigException` message.
pub fn parse_bootstrap_servers(s: &str) -> Result<Vec<(String, u16)>, String> {
    let mut out = Vec::new();
    for url in s.split(',').map(str::trim).filter(|u| !u.is_empty()) {
        let port_ok = url.rfind(':').and_then(|i| url[i + 1..].parse::<u16>().ok().map(|p| (i, p)));
        match port_ok {
            Some((i, p)) if i > 0 => out.push((url[..i].trim_start_matches('[').trim_end_matches(']').to_string(), p)),
            _ => return Err(format!("Invalid url in bootstrap.servers: {url}")),
        }
    }
    if out.is_empty() {
        return Err("No resolvable bootstrap urls given in bootstrap.servers".to_string());
    }
    Ok(out)
}

// =============================================================================================
// kafka-topics --describe output
// =============================================================================================

/// The header line of one topic (`TopicCommand.TopicDescription`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TopicDescription {
    /// The topic name.
    pub topic: String,
    /// `TopicId.ZERO` omits the `TopicId:` field.
    pub topic_id: TopicId,
    /// Number of partitions.
    pub partition_count: i32,
    /// As Kafka computes it: the replica count of the first partition it sees.
    pub replication_factor: i32,
    /// The non-default configs, in the order they were inserted into the `Config` object;
    /// they print in `java.util.HashMap` order. Empty on the `--zookeeper` path without
    /// overrides.
    pub configs: Vec<(String, String)>,
    /// Only the `--zookeeper` path reports it (`/admin/delete_topics/<t>` exists).
    pub marked_for_deletion: bool,
}

/// A partition reassignment in progress (the extra columns of a describe line).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Reassignment {
    /// `Adding Replicas:`.
    pub adding: Vec<BrokerId>,
    /// `Removing Replicas:`.
    pub removing: Vec<BrokerId>,
}

/// One partition line (`TopicCommand.PartitionDescription`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PartitionDescription {
    /// The partition number.
    pub partition: i32,
    /// `None` prints `Leader: none` (no leader, i.e. `-1` in ZooKeeper).
    pub leader: Option<BrokerId>,
    /// Assignment order.
    pub replicas: Vec<BrokerId>,
    /// As stored in the `/state` znode (empty if it is missing).
    pub isr: Vec<BrokerId>,
    /// `Some` only on the `--bootstrap-server` path during a reassignment.
    pub reassignment: Option<Reassignment>,
}

impl PartitionDescription {
    /// `getReplicationFactor`: replicas, minus the adding ones while a reassignment runs.
    fn replication_factor(&self) -> usize {
        match &self.reassignment {
            Some(ra) if self.replicas.iter().any(|r| ra.adding.contains(r) || ra.removing.contains(r)) => {
                self.replicas.iter().filter(|r| !ra.adding.contains(r)).count()
            }
            _ => self.replicas.len(),
        }
    }
    /// `isUnderReplicated`.
    pub fn is_under_replicated(&self) -> bool {
        self.replication_factor() > self.isr.len()
    }
    /// `isUnderMinIsr` (`min_isr` is `None` on the `--zookeeper` path).
    pub fn is_under_min_isr(&self, min_isr: Option<i32>) -> bool {
        self.leader.is_none() || min_isr.is_some_and(|m| (self.isr.len() as i64) < m as i64)
    }
    /// `isAtMinIsrPartitions`.
    pub fn is_at_min_isr(&self, min_isr: Option<i32>) -> bool {
        min_isr.is_some_and(|m| self.isr.len() as i64 == m as i64)
    }
    /// `hasUnavailablePartitions`.
    pub fn is_unavailable(&self, live_brokers: &[BrokerId]) -> bool {
        match self.leader {
            None => true,
            Some(l) => !live_brokers.contains(&l),
        }
    }
}

fn join_ids(ids: &[BrokerId]) -> String {
    ids.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(",")
}

/// `TopicDescription.printDescription`: the header line, with its newline.
pub fn format_topic_line(topic: &TopicDescription) -> String {
    let keyed: Vec<(&(String, String), i32)> = topic.configs.iter().map(|kv| (kv, java_string_hash(&kv.0))).collect();
    let configs: Vec<String> = java_hash_map_order(&keyed).iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut s = format!("Topic: {}", topic.topic);
    if !topic.topic_id.is_zero() {
        s.push_str(&format!("\tTopicId: {}", topic.topic_id));
    }
    s.push_str(&format!("\tPartitionCount: {}", topic.partition_count));
    s.push_str(&format!("\tReplicationFactor: {}", topic.replication_factor));
    s.push_str(&format!("\tConfigs: {}", configs.join(",")));
    if topic.marked_for_deletion {
        s.push_str("\tMarkedForDeletion: true");
    }
    s.push('\n');
    s
}

/// `PartitionDescription.printDescription`: one partition line, with its newline.
pub fn format_partition_line(topic: &str, p: &PartitionDescription, marked_for_deletion: bool) -> String {
    let leader = match p.leader {
        Some(l) => l.0.to_string(),
        None => "none".to_string(),
    };
    let mut s = format!(
        "\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}",
        topic,
        p.partition,
        leader,
        join_ids(&p.replicas),
        join_ids(&p.isr)
    );
    if let Some(ra) = &p.reassignment {
        s.push_str(&format!("\tAdding Replicas: {}", join_ids(&ra.adding)));
        s.push_str(&format!("\tRemoving Replicas: {}", join_ids(&ra.removing)));
    }
    if marked_for_deletion {
        s.push_str("\tMarkedForDeletion: true");
    }
    s.push('\n');
    s
}

/// The full `kafka-topics --describe` output of one topic without filters: the header line,
/// then one line per partition sorted by partition id. Every line ends with `\n`.
pub fn format_describe(topic: &TopicDescription, partitions: &[PartitionDescription]) -> String {
    describe_topic_output(topic, partitions, &DescribeFilter::default(), &[], None)
}

/// The describe-only options of a `kafka-topics` command line.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct DescribeFilter {
    /// Only partitions whose ISR is smaller than the replica list.
    pub under_replicated_partitions: bool,
    /// Only partitions without a live leader.
    pub unavailable_partitions: bool,
    /// Only partitions whose ISR is below `min.insync.replicas` (or without a leader).
    pub under_min_isr_partitions: bool,
    /// Only partitions whose ISR size equals `min.insync.replicas`.
    pub at_min_isr_partitions: bool,
    /// Only the header of topics with config overrides.
    pub topics_with_overrides: bool,
}

/// `describeTopic` for one topic with `DescribeOptions`' filtering: the header is printed unless
/// a partition filter is on (and, with `--topics-with-overrides`, only if the topic has
/// overrides); partitions are printed unless `--topics-with-overrides`, filtered by the report
/// options. `min_isr` is the topic's `min.insync.replicas` on the `--bootstrap-server` path and
/// `None` on the `--zookeeper` path.
pub fn describe_topic_output(
    topic: &TopicDescription,
    partitions: &[PartitionDescription],
    filter: &DescribeFilter,
    live_brokers: &[BrokerId],
    min_isr: Option<i32>,
) -> String {
    let describe_configs = !filter.unavailable_partitions
        && !filter.under_replicated_partitions
        && !filter.under_min_isr_partitions
        && !filter.at_min_isr_partitions;
    let describe_partitions = !filter.topics_with_overrides;
    let mut out = String::new();
    if describe_configs && (!filter.topics_with_overrides || !topic.configs.is_empty()) {
        out.push_str(&format_topic_line(topic));
    }
    if describe_partitions {
        let mut sorted: Vec<&PartitionDescription> = partitions.iter().collect();
        crate::sorted::sort_by_key(&mut sorted, |p| p.partition);
        for p in sorted {
            let show = describe_configs
                || (filter.under_replicated_partitions && p.is_under_replicated())
                || (filter.unavailable_partitions && p.is_unavailable(live_brokers))
                || (filter.under_min_isr_partitions && p.is_under_min_isr(min_isr))
                || (filter.at_min_isr_partitions && p.is_at_min_isr(min_isr));
            if show {
                out.push_str(&format_partition_line(&topic.topic, p, topic.marked_for_deletion));
            }
        }
    }
    out
}

/// The `ReplicationFactor` the `--zookeeper` path prints: the replica count of the first entry
/// of the Scala immutable map it decodes the assignment into (insertion order up to 4
/// partitions, CHAMP order of `TopicPartition.hashCode` beyond). `0` for no partitions.
pub fn zk_describe_replication_factor(topic: &str, assignment: &SortedMap<i32, Vec<BrokerId>>) -> i32 {
    let first = if assignment.len() <= 4 {
        assignment.keys().next().copied()
    } else {
        let keyed: Vec<(i32, i32)> = assignment.keys().map(|p| (*p, TopicPartition::new(topic, *p).java_hash_code())).collect();
        scala_immutable_hash_order(&keyed).first().copied()
    };
    first.and_then(|p| assignment.get(&p)).map(|r| r.len() as i32).unwrap_or(0)
}

// =============================================================================================
// kafka-leader-election
// =============================================================================================

/// `--election-type` (`org.apache.kafka.common.ElectionType`; printed upper-case).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ElectionType {
    Preferred,
    Unclean,
}

impl fmt::Display for ElectionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ElectionType::Preferred => "PREFERRED",
            ElectionType::Unclean => "UNCLEAN",
        })
    }
}

/// Which partitions an election targets.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ElectionTarget {
    /// `--topic T --partition P`.
    Partition(TopicPartition),
    /// `--all-topic-partitions`.
    AllTopicPartitions,
    /// `--path-to-json-file F` (never read here).
    JsonFile(String),
}

/// A parsed `kafka-leader-election` command line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LeaderElectionCmd {
    /// `--bootstrap-server` (raw).
    pub bootstrap_server: String,
    /// `--election-type`.
    pub election_type: ElectionType,
    /// `--topic/--partition`, `--all-topic-partitions` or `--path-to-json-file`.
    pub target: ElectionTarget,
    /// `--admin.config FILE` (never read here).
    pub admin_config: Option<String>,
}

const LEADER_ELECTION_SPECS: &[OptSpec] = &[
    HELP,
    VERSION,
    req("bootstrap-server"),
    req("admin.config"),
    req("path-to-json-file"),
    req("topic"),
    req("partition"),
    flag("all-topic-partitions"),
    req("election-type"),
];

/// Parses a `kafka-leader-election` command line; the error is the text the tool prints first.
pub fn parse_leader_election_args(args: &[String]) -> Result<LeaderElectionCmd, String> {
    parse_leader_election_args_detailed(args).map_err(|e| e.text)
}

/// `LeaderElectionCommand.run` up to the admin call: parse, help, `validate`, then the values in
/// the order `run` reads them. Every failure escapes `main` (no try/catch).
pub fn parse_leader_election_args_detailed(args: &[String]) -> Result<LeaderElectionCmd, CliError> {
    let set = jopt_parse(LEADER_ELECTION_SPECS, args, &[]).map_err(|e| e.uncaught())?;
    if args.is_empty() || set.has("help") {
        return Err(CliError::usage(
            "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.",
        ));
    }
    if set.has("version") {
        return Err(CliError::version());
    }
    let failed = |m: String| CliError::uncaught("kafka.common.AdminCommandFailedException", &m);
    // validate: the list is built by prepending, so election-type comes first.
    let mut missing: Vec<&str> = Vec::new();
    if !set.has("bootstrap-server") {
        missing.insert(0, "bootstrap-server");
    }
    if !set.has("election-type") {
        missing.insert(0, "election-type");
    }
    if !missing.is_empty() {
        return Err(failed(format!("Missing required option(s): {}", missing.join(", "))));
    }
    let exclusive = ["topic", "all-topic-partitions", "path-to-json-file"];
    if exclusive.iter().filter(|o| set.has(o)).count() != 1 {
        return Err(failed(format!("One and only one of the following options is required: {}", exclusive.join(", "))));
    }
    match (set.has("topic"), set.has("partition")) {
        (true, false) => return Err(failed("Missing required option(s): partition".to_string())),
        (false, true) => return Err(failed("Option partition is only allowed if topic is used".to_string())),
        _ => {}
    }
    let jopt = |e: JoptError| e.uncaught();
    let election_type = {
        let mut converted = Vec::new();
        for v in set.values("election-type") {
            let t = if v.eq_ignore_ascii_case("preferred") {
                ElectionType::Preferred
            } else if v.eq_ignore_ascii_case("unclean") {
                ElectionType::Unclean
            } else {
                return Err(JoptError::conversion("election-type", v).uncaught());
            };
            converted.push(t);
        }
        if converted.len() > 1 {
            return Err(JoptError::multiple("election-type").uncaught());
        }
        converted.first().copied().unwrap_or(ElectionType::Preferred)
    };
    let json_file = set.value_of("path-to-json-file").map_err(jopt)?;
    let topic = set.value_of("topic").map_err(jopt)?;
    let partition = set.int_value_of("partition").map_err(jopt)?;
    let admin_config = set.value_of("admin.config").map_err(jopt)?.map(str::to_string);
    let bootstrap_server = set.value_of("bootstrap-server").map_err(jopt)?.unwrap_or_default().to_string();
    let target = match (json_file, topic, partition) {
        (Some(f), _, _) => ElectionTarget::JsonFile(f.to_string()),
        (None, Some(t), Some(p)) => ElectionTarget::Partition(TopicPartition::new(t, p)),
        _ => ElectionTarget::AllTopicPartitions,
    };
    Ok(LeaderElectionCmd { bootstrap_server, election_type, target, admin_config })
}

/// `Successfully completed leader election (PREFERRED) for partitions test-0, test-1`
/// (`partitions` in the order the caller wants them listed; Kafka iterates a hash set).
pub fn election_success_line(election_type: ElectionType, partitions: &[TopicPartition]) -> String {
    let list: Vec<String> = partitions.iter().map(|p| p.to_string()).collect();
    format!("Successfully completed leader election ({election_type}) for partitions {}", list.join(", "))
}

/// `Valid replica already elected for partitions test-0`
pub fn election_noop_line(partitions: &[TopicPartition]) -> String {
    let list: Vec<String> = partitions.iter().map(|p| p.to_string()).collect();
    format!("Valid replica already elected for partitions {}", list.join(", "))
}

// =============================================================================================
// kafka-console-producer
// =============================================================================================

/// The producer's `acks`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Acks {
    /// `acks=0`.
    None,
    /// `acks=1` (the 2.8 console producer's default, from `--request-required-acks`).
    Leader,
    /// `acks=all` / `acks=-1`.
    All,
}

/// A parsed `kafka-console-producer` command line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProducerCmd {
    /// `--bootstrap-server` (or the deprecated `--broker-list` when it is absent).
    pub bootstrap_servers: String,
    /// `--topic`.
    pub topic: String,
    /// The effective `acks`: `--request-required-acks`, else `--producer-property acks=`,
    /// else `1` (`CommandLineUtils.maybeMergeOptions`).
    pub acks: Acks,
    /// `--sync`.
    pub sync: bool,
    /// Sandbox shortcut `--messages N`: send N generated lines instead of reading stdin.
    pub messages: Option<u32>,
    /// `--producer-property k=v` (later keys win).
    pub producer_properties: SortedMap<String, String>,
    /// `--property k=v` for the line reader (`parse.key`, `key.separator`, ...).
    pub reader_properties: SortedMap<String, String>,
    /// `--producer.config FILE` (never read here).
    pub producer_config: Option<String>,
}

const PRODUCER_SPECS: &[OptSpec] = &[
    HELP,
    VERSION,
    req("topic"),
    req("broker-list"),
    req("bootstrap-server"),
    flag("sync"),
    opt_arg("compression-codec"),
    req("batch-size"),
    req("message-send-max-retries"),
    req("retry-backoff-ms"),
    req("timeout"),
    req("request-required-acks"),
    req("request-timeout-ms"),
    req("metadata-expiry-ms"),
    req("max-block-ms"),
    req("max-memory-bytes"),
    req("max-partition-memory-bytes"),
    req("line-reader"),
    req("socket-buffer-size"),
    req("property"),
    req("producer-property"),
    req("producer.config"),
    req("messages"),
];

/// `ToolsUtils.validatePortOrDie`'s test (`Utils.getPort != null` for every comma-separated
/// entry). `Err` carries a JVM exception line if a port overflows `Integer.parseInt`.
fn valid_host_ports(list: &str) -> Result<bool, CliError> {
    let entries = if list.contains(',') { java_split(list, ',') } else { vec![list] };
    let mut valid = 0;
    for e in &entries {
        // HOST_PORT_PATTERN = ".*?\[?([0-9a-zA-Z\-%._:]*)\]?:([0-9]+)": anything, ':', digits.
        if let Some(i) = e.rfind(':') {
            let digits = &e[i + 1..];
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                if digits.parse::<i32>().is_err() {
                    return Err(CliError::failed(format!("java.lang.NumberFormatException: For input string: \"{digits}\"")));
                }
                valid += 1;
            }
        }
    }
    Ok(valid > 0 && valid == entries.len())
}

/// Parses a `kafka-console-producer` command line; the error is the text the tool prints first.
pub fn parse_console_producer_args(args: &[String]) -> Result<ProducerCmd, String> {
    parse_console_producer_args_detailed(args).map_err(|e| e.text)
}

/// `ConsoleProducer.ProducerConfig` then `producerProps`/`KafkaProducer` config checks. Option
/// errors after parsing are caught by `main` and printed as their bare message.
pub fn parse_console_producer_args_detailed(args: &[String]) -> Result<ProducerCmd, CliError> {
    let set = jopt_parse(PRODUCER_SPECS, args, &[("bootstrap-server", "broker-list")]).map_err(|e| CliError::usage(e.message))?;
    if args.is_empty() || set.has("help") {
        return Err(CliError::usage("This tool helps to read data from standard input and publish it to Kafka."));
    }
    if set.has("version") {
        return Err(CliError::version());
    }
    check_required(&set, &["topic"])?;
    let caught = |e: JoptError| CliError::failed(e.message);
    let topic = set.value_of("topic").map_err(caught)?.unwrap_or_default().to_string();
    let bootstrap = set.value_of("bootstrap-server").map_err(caught)?;
    let broker_list = set.value_of("broker-list").map_err(caught)?;
    let hosts = if set.has("bootstrap-server") { bootstrap } else { broker_list }.unwrap_or_default();
    if !valid_host_ports(hosts)? {
        return Err(CliError::usage("Please provide valid host:port like host1:9091,host2:9092\n "));
    }
    let sync = set.has("sync");
    let reader_properties = parse_key_value_args(&set.values("property"));
    let producer_properties = parse_key_value_args(&set.values("producer-property"));
    let producer_config = set.value_of("producer.config").map_err(caught)?.map(str::to_string);
    // producerProps: the typed options, in maybeMergeOptions order.
    set.int_value_of("timeout").map_err(caught)?;
    let acks_option = set.value_of("request-required-acks").map_err(caught)?;
    set.int_value_of("request-timeout-ms").map_err(caught)?;
    set.int_value_of("message-send-max-retries").map_err(caught)?;
    set.int_value_of("retry-backoff-ms").map_err(caught)?;
    set.int_value_of("socket-buffer-size").map_err(caught)?;
    set.long_value_of("max-memory-bytes").map_err(caught)?;
    set.int_value_of("batch-size").map_err(caught)?;
    set.long_value_of("max-partition-memory-bytes").map_err(caught)?;
    set.long_value_of("metadata-expiry-ms").map_err(caught)?;
    set.long_value_of("max-block-ms").map_err(caught)?;
    let messages = match set.int_value_of("messages").map_err(caught)? {
        None => None,
        Some(n) if n >= 1 => Some(n as u32),
        Some(_) => return Err(CliError::failed("Option messages must be a positive integer")),
    };
    let acks_text = match acks_option {
        Some(a) => a.to_string(),
        None => producer_properties.get("acks").cloned().unwrap_or_else(|| "1".to_string()),
    };
    let acks = match acks_text.as_str() {
        "all" | "-1" => Acks::All,
        "1" => Acks::Leader,
        "0" => Acks::None,
        other => {
            return Err(CliError::failed(format!(
                "org.apache.kafka.common.config.ConfigException: Invalid value {other} for configuration acks: String must be one of: all, -1, 0, 1"
            )))
        }
    };
    Ok(ProducerCmd {
        bootstrap_servers: hosts.to_string(),
        topic,
        acks,
        sync,
        messages,
        producer_properties,
        reader_properties,
        producer_config,
    })
}

// =============================================================================================
// kafka-console-consumer
// =============================================================================================

/// Where a partition-assigned console consumer starts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StartOffset {
    Earliest,
    Latest,
    At(i64),
}

/// A parsed `kafka-console-consumer` command line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ConsumerCmd {
    /// `--bootstrap-server` (raw).
    pub bootstrap_server: String,
    /// `--topic` (exactly one of `topic` and `whitelist` is set).
    pub topic: Option<String>,
    /// `--whitelist REGEX`.
    pub whitelist: Option<String>,
    /// `--partition P`: assign that partition instead of subscribing.
    pub partition: Option<i32>,
    /// The start offset: `--offset`, else `Earliest` with `--from-beginning`, else `Latest`.
    pub offset: StartOffset,
    /// `--from-beginning`.
    pub from_beginning: bool,
    /// `--max-messages N` (Kafka treats a negative N as "no limit").
    pub max_messages: Option<i32>,
    /// `--timeout-ms`.
    pub timeout_ms: Option<i32>,
    /// The group id from `--group` or `--consumer-property group.id=` (`None`: Kafka picks
    /// `console-consumer-<random>` and disables auto-commit).
    pub group: Option<String>,
    /// `--consumer-property k=v`.
    pub consumer_properties: SortedMap<String, String>,
    /// `--property k=v` for the formatter (`print.key`, ...).
    pub formatter_properties: SortedMap<String, String>,
    /// `--consumer.config FILE` (never read here).
    pub consumer_config: Option<String>,
}

const CONSUMER_SPECS: &[OptSpec] = &[
    HELP,
    VERSION,
    req("topic"),
    req("whitelist"),
    req("partition"),
    req("offset"),
    req("consumer-property"),
    req("consumer.config"),
    req("formatter"),
    req("property"),
    flag("from-beginning"),
    req("max-messages"),
    req("timeout-ms"),
    flag("skip-message-on-error"),
    req("bootstrap-server"),
    req("key-deserializer"),
    req("value-deserializer"),
    flag("enable-systest-events"),
    req("isolation-level"),
    req("group"),
];

/// Parses a `kafka-console-consumer` command line; the error is the text the tool prints first.
pub fn parse_console_consumer_args(args: &[String]) -> Result<ConsumerCmd, String> {
    parse_console_consumer_args_detailed(args).map_err(|e| e.text)
}

/// `ConsoleConsumer.ConsumerConfig` (constructed outside `main`'s try, so value errors escape),
/// then the `auto.offset.reset` check of `consumerProps`.
pub fn parse_console_consumer_args_detailed(args: &[String]) -> Result<ConsumerCmd, CliError> {
    let set = jopt_parse(CONSUMER_SPECS, args, &[]).map_err(|e| CliError::usage(e.message))?;
    if args.is_empty() || set.has("help") {
        return Err(CliError::usage("This tool helps to read data from Kafka topics and outputs it to standard output."));
    }
    if set.has("version") {
        return Err(CliError::version());
    }
    let jopt = |e: JoptError| e.uncaught();
    let consumer_properties = parse_key_value_args(&set.values("consumer-property"));
    let consumer_config = set.value_of("consumer.config").map_err(jopt)?.map(str::to_string);
    let from_beginning = set.has("from-beginning");
    let partition = set.int_value_of("partition").map_err(jopt)?;
    set.value_of("formatter").map_err(jopt)?;
    let formatter_properties = parse_key_value_args(&set.values("property"));
    let max_messages = set.int_value_of("max-messages").map_err(jopt)?;
    let timeout_ms = set.int_value_of("timeout-ms").map_err(jopt)?;
    let bootstrap_server = set.value_of("bootstrap-server").map_err(jopt)?.map(str::to_string);
    set.value_of("key-deserializer").map_err(jopt)?;
    set.value_of("value-deserializer").map_err(jopt)?;
    set.value_of("isolation-level").map_err(jopt)?;

    if ["topic", "whitelist"].iter().filter(|o| set.has(o)).count() != 1 {
        return Err(CliError::usage("Exactly one of whitelist/topic is required."));
    }
    let topic = set.value_of("topic").map_err(jopt)?.map(str::to_string);
    let whitelist = set.value_of("whitelist").map_err(jopt)?.map(str::to_string);

    if partition.is_some() {
        if !set.has("topic") {
            return Err(CliError::usage("The topic is required when partition is specified."));
        }
        if from_beginning && set.has("offset") {
            return Err(CliError::usage("Options from-beginning and offset cannot be specified together."));
        }
    } else if set.has("offset") {
        return Err(CliError::usage("The partition is required when offset is specified."));
    }
    let offset = if set.has("offset") {
        let raw = set.value_of("offset").map_err(jopt)?.unwrap_or("latest").to_lowercase();
        let invalid = |o: &str| {
            CliError::usage(format!(
                "The provided offset value '{o}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
            ))
        };
        match raw.as_str() {
            "earliest" => StartOffset::Earliest,
            "latest" => StartOffset::Latest,
            other => match java_long_value_of(other) {
                Some(v) if v >= 0 => StartOffset::At(v),
                _ => return Err(invalid(other)),
            },
        }
    } else if from_beginning {
        StartOffset::Earliest
    } else {
        StartOffset::Latest
    };

    check_required(&set, &["bootstrap-server"])?;

    // Group ids from --group and --consumer-property must agree (a Scala Set keeps them in
    // insertion order and drops duplicates).
    let mut groups: Vec<String> = Vec::new();
    for g in [set.value_of("group").map_err(jopt)?.map(str::to_string), consumer_properties.get("group.id").cloned()].into_iter().flatten()
    {
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    if groups.len() > 1 {
        let detected: Vec<String> = groups.iter().map(|g| format!("'{g}'")).collect();
        return Err(CliError::usage(format!(
            "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: {}",
            detected.join(", ")
        )));
    }
    let group = groups.into_iter().next();
    if group.is_some() && partition.is_some() {
        return Err(CliError::usage("Options group and partition cannot be specified together."));
    }
    // consumerProps -> setAutoOffsetResetValue
    if let Some(reset) = consumer_properties.get("auto.offset.reset") {
        if from_beginning && reset != "earliest" {
            return Err(CliError::failed(format!(
                "Can't simultaneously specify --from-beginning and 'auto.offset.reset={reset}', please remove one option"
            )));
        }
    }
    Ok(ConsumerCmd {
        bootstrap_server: bootstrap_server.unwrap_or_default(),
        topic,
        whitelist,
        partition,
        offset,
        from_beginning,
        max_messages,
        timeout_ms,
        group,
        consumer_properties,
        formatter_properties,
        consumer_config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn topics(s: &str) -> Result<TopicsCmd, CliError> {
        parse_topics_args_detailed(&argv(s))
    }

    fn topics_err(s: &str) -> CliError {
        match topics(s) {
            Ok(c) => panic!("expected an error for {s:?}, got {c:?}"),
            Err(e) => e,
        }
    }

    fn ids(v: &[i32]) -> Vec<BrokerId> {
        v.iter().map(|b| BrokerId(*b)).collect()
    }

    const ZK: &str = "--zookeeper localhost:2181,localhost:2182,localhost:2183";

    // ---- kafka-topics: parsing and checkArgs ------------------------------------------------

    #[test]
    fn seed_create_command_parses() {
        let c = topics(&format!("--create {ZK} --replication-factor 4 --partitions 10 --topic test")).unwrap();
        assert_eq!(c.action, TopicsAction::Create);
        assert_eq!(c.connection, Connection::Zookeeper("localhost:2181,localhost:2182,localhost:2183".into()));
        assert_eq!(c.partitions, Some(10));
        assert_eq!(c.replication_factor, Some(4));
        assert_eq!(c.topic.as_deref(), Some("test"));
        assert!(c.topic_filter.is_none(), "create takes a literal name");
        assert!(c.is_zookeeper());
    }

    #[test]
    fn seed_describe_command_parses_without_a_topic() {
        let c = topics(&format!("--describe {ZK}")).unwrap();
        assert_eq!(c.action, TopicsAction::Describe);
        assert_eq!(c.topic, None);
    }

    #[test]
    fn no_arguments_print_the_short_usage_message() {
        let e = topics_err("");
        assert_eq!(e.kind, CliErrorKind::Usage);
        assert_eq!(e.text, "Create, delete, describe, or change a topic.");
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn help_and_version_are_answered_before_other_checks() {
        let e = topics_err("--help --create");
        assert_eq!(e.text, "This tool helps to create, delete, describe, or change a topic.");
        let v = topics_err("--version");
        assert_eq!(v.kind, CliErrorKind::Version);
        assert_eq!(v.exit_code(), 0);
        assert!(v.is_stdout());
        assert_eq!(v.text, VERSION_LINE);
    }

    #[test]
    fn exactly_one_action_is_required() {
        let text = "Command must include exactly one action: --list, --describe, --create, --alter or --delete";
        assert_eq!(topics_err(&format!("{ZK} --topic t")).text, text);
        assert_eq!(topics_err(&format!("--list --describe {ZK}")).text, text);
        assert_eq!(topics_err(&format!("--list --describe {ZK}")).kind, CliErrorKind::Usage);
    }

    #[test]
    fn exactly_one_connection_option_is_required_and_escapes_main() {
        let text = "Exception in thread \"main\" java.lang.IllegalArgumentException: Only one of --bootstrap-server or --zookeeper must be specified";
        let e = topics_err("--list");
        assert_eq!(e.text, text);
        assert_eq!(e.kind, CliErrorKind::Uncaught);
        assert_eq!(topics_err("--list --zookeeper z:2181 --bootstrap-server b:9092").text, text);
    }

    #[test]
    fn zookeeper_create_requires_partitions_then_replication_factor() {
        assert_eq!(topics_err(&format!("--create {ZK} --topic t")).text, "Missing required argument \"[partitions]\"");
        assert_eq!(
            topics_err(&format!("--create {ZK} --topic t --partitions 3")).text,
            "Missing required argument \"[replication-factor]\""
        );
    }

    #[test]
    fn bootstrap_create_may_omit_partitions_and_replication_factor() {
        let c = topics("--create --bootstrap-server localhost:9092 --topic t").unwrap();
        assert_eq!(c.partitions, None);
        assert_eq!(c.replication_factor, None);
        assert_eq!(c.connection, Connection::BootstrapServer("localhost:9092".into()));
    }

    #[test]
    fn every_action_but_list_and_describe_needs_a_topic() {
        for action in ["--create", "--delete", "--alter"] {
            assert_eq!(
                topics_err(&format!("{action} {ZK} --partitions 1 --replication-factor 1")).text,
                "Missing required argument \"[topic]\"",
                "{action}"
            );
        }
        assert_eq!(topics_err(&format!("--describe --if-exists {ZK}")).text, "Missing required argument \"[topic]\"");
    }

    #[test]
    fn replica_assignment_excludes_partitions_on_create() {
        assert_eq!(
            topics_err(&format!("--create {ZK} --topic t --replica-assignment 1:2 --partitions 1")).text,
            "Option \"[replica-assignment]\" can't be used with option \"[partitions]\""
        );
        assert_eq!(
            topics_err(&format!("--create {ZK} --topic t --replica-assignment 1:2 --replication-factor 2")).text,
            "Option \"[replica-assignment]\" can't be used with option \"[replication-factor]\""
        );
    }

    #[test]
    fn replica_assignment_is_parsed_for_create() {
        let c = topics(&format!("--create {ZK} --topic t --replica-assignment 3:2:4:1,4:3:1:2")).unwrap();
        let ra = c.replica_assignment.unwrap();
        assert_eq!(ra[&0], ids(&[3, 2, 4, 1]));
        assert_eq!(ra[&1], ids(&[4, 3, 1, 2]));
        let empty = topics(&format!("--create {ZK} --topic t --replica-assignment=")).unwrap_err();
        // `--replica-assignment=` takes the next argument; with none left it is missing.
        assert_eq!(empty.text, "Exception in thread \"main\" joptsimple.OptionMissingRequiredArgumentException: Option replica-assignment requires an argument");
        let c = parse_topics_args_detailed(&[
            "--create".into(),
            "--zookeeper".into(),
            "z".into(),
            "--topic".into(),
            "t".into(),
            "--replica-assignment".into(),
            "".into(),
        ])
        .unwrap();
        assert_eq!(c.replica_assignment, None, "an empty assignment counts as absent");
    }

    #[test]
    fn replica_assignment_errors_are_command_failures() {
        let e = topics_err(&format!("--create {ZK} --topic t --replica-assignment 1:1"));
        assert_eq!(e.kind, CliErrorKind::Failed);
        assert!(e.is_stdout());
        assert_eq!(e.text, "Error while executing topic command : Partition replica lists may not contain duplicate entries: 1");
        assert_eq!(
            topics_err(&format!("--create {ZK} --topic t --replica-assignment 1:a")).text,
            "Error while executing topic command : For input string: \"a\""
        );
    }

    #[test]
    fn unknown_options_escape_main_with_joptsimples_text() {
        let e = topics_err(&format!("--list {ZK} --foo"));
        assert_eq!(e.kind, CliErrorKind::Uncaught);
        assert_eq!(e.text, "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: foo is not a recognized option");
        // A space inside one argument becomes part of the option name (the KAFKA_CREATE_TOPICS bug).
        let args = vec!["--create".to_string(), "--config cleanup.policy=compact".to_string()];
        assert_eq!(
            parse_topics_args(&args).unwrap_err(),
            "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: config cleanup.policy is not a recognized option"
        );
    }

    #[test]
    fn abbreviations_are_not_accepted() {
        assert_eq!(
            topics_err(&format!("--list {ZK} --top t")).text,
            "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: top is not a recognized option"
        );
    }

    #[test]
    fn single_dash_long_options_work_and_unknown_clusters_report_their_first_letter() {
        let c = topics(&format!("-list {ZK} -topic=t")).unwrap();
        assert_eq!(c.action, TopicsAction::List);
        assert_eq!(c.topic.as_deref(), Some("t"));
        assert_eq!(
            topics_err(&format!("--list {ZK} -xyz")).text,
            "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: x is not a recognized option"
        );
    }

    #[test]
    fn a_required_argument_may_look_like_an_option() {
        let c = topics(&format!("--describe {ZK} --topic --list")).unwrap();
        assert_eq!(c.topic.as_deref(), Some("--list"));
    }

    #[test]
    fn missing_argument_at_the_end_escapes_main() {
        assert_eq!(
            topics_err(&format!("--describe {ZK} --topic")).text,
            "Exception in thread \"main\" joptsimple.OptionMissingRequiredArgumentException: Option topic requires an argument"
        );
    }

    #[test]
    fn double_dash_ends_options_and_non_options_are_ignored() {
        let c = topics(&format!("--list {ZK} stray -- --foo")).unwrap();
        assert_eq!(c.action, TopicsAction::List);
    }

    #[test]
    fn equals_syntax_and_flags_with_values() {
        let c = topics("--create=yes --zookeeper=z:2181 --topic=t --partitions=2 --replication-factor=1").unwrap();
        assert_eq!(c.action, TopicsAction::Create);
        assert_eq!(c.partitions, Some(2));
        assert_eq!(c.connection, Connection::Zookeeper("z:2181".into()));
    }

    #[test]
    fn non_numeric_partitions_fail_inside_the_command() {
        let e = topics_err(&format!("--create {ZK} --topic t --partitions abc --replication-factor 1"));
        assert_eq!(e.kind, CliErrorKind::Failed);
        assert_eq!(e.text, "Error while executing topic command : Cannot parse argument 'abc' of option partitions");
        assert_eq!(
            topics_err(&format!("--create {ZK} --topic t --partitions 1 --replication-factor 99999999999")).text,
            "Error while executing topic command : Cannot parse argument '99999999999' of option replication-factor"
        );
    }

    #[test]
    fn repeated_single_valued_options_are_reported_where_kafka_reads_them() {
        assert_eq!(
            topics_err(&format!("--create {ZK} --topic a --topic b --partitions 1 --replication-factor 1")).text,
            "Error while executing topic command : Found multiple arguments for option topic, but you asked for only one"
        );
        let e = topics_err("--list --zookeeper a:1 --zookeeper b:2");
        assert_eq!(e.kind, CliErrorKind::Uncaught);
        assert_eq!(
            e.text,
            "Exception in thread \"main\" joptsimple.MultipleArgumentsForOptionException: Found multiple arguments for option zookeeper, but you asked for only one"
        );
        // Conversion of every value comes before the count check.
        assert_eq!(
            topics_err(&format!("--create {ZK} --topic a --partitions 1 --partitions x --replication-factor 1")).text,
            "Error while executing topic command : Cannot parse argument 'x' of option partitions"
        );
    }

    #[test]
    fn configs_are_split_trimmed_and_name_checked() {
        let c = topics(&format!(
            "--create {ZK} --topic t --partitions 1 --replication-factor 1 --config retention.ms=1000 --config cleanup.policy=compact"
        ))
        .unwrap();
        assert_eq!(c.configs, vec![("retention.ms".into(), "1000".into()), ("cleanup.policy".into(), "compact".into())]);
        let spaced = parse_topics_args_detailed(&[
            "--create".into(),
            "--zookeeper".into(),
            "z".into(),
            "--topic".into(),
            "t".into(),
            "--partitions".into(),
            "1".into(),
            "--replication-factor".into(),
            "1".into(),
            "--config".into(),
            " segment.bytes = 1024 ".into(),
        ])
        .unwrap();
        assert_eq!(spaced.configs, vec![("segment.bytes".into(), "1024".into())]);
    }

    #[test]
    fn malformed_configs_fail_with_the_scala_require_text() {
        for bad in ["retention.ms", "a=b=c", "retention.ms=", "="] {
            let args =
                vec!["--create", "--zookeeper", "z", "--topic", "t", "--partitions", "1", "--replication-factor", "1", "--config", bad];
            let args: Vec<String> = args.into_iter().map(str::to_string).collect();
            assert_eq!(
                parse_topics_args(&args).unwrap_err(),
                "Error while executing topic command : requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_config_names_are_rejected() {
        assert_eq!(
            topics_err(&format!("--create {ZK} --topic t --partitions 1 --replication-factor 1 --config foo=1")).text,
            "Error while executing topic command : Unknown topic config name: foo"
        );
        assert_eq!(
            topics_err(&format!("--alter {ZK} --topic t --delete-config bar")).text,
            "Error while executing topic command : Unknown topic config name: bar"
        );
    }

    #[test]
    fn bootstrap_alter_cannot_change_configs_and_needs_partitions() {
        assert_eq!(
            topics_err("--alter --bootstrap-server b:9092 --topic t --config retention.ms=1").text,
            "Option combination \"[bootstrap-server],[config]\" can't be used with option \"[alter]\" (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)"
        );
        assert_eq!(topics_err("--alter --bootstrap-server b:9092 --topic t").text, "Missing required argument \"[partitions]\"");
        assert_eq!(
            topics_err("--alter --bootstrap-server b:9092 --topic t --partitions 3 --delete-config retention.ms").text,
            "Option \"[delete-config]\" can't be used with option \"[bootstrap-server]\""
        );
    }

    #[test]
    fn options_that_do_not_fit_the_action_are_refused() {
        let cases = [
            ("--describe --partitions 3", "Option \"[partitions]\" can't be used with option \"[describe]\""),
            ("--list --config a=b", "Option \"[config]\" can't be used with option \"[list]\""),
            ("--alter --topic t --replication-factor 3", "Option \"[replication-factor]\" can't be used with option \"[alter]\""),
            ("--delete --topic t --replica-assignment 1", "Option \"[replica-assignment]\" can't be used with option \"[delete]\""),
            ("--describe --if-not-exists", "Option \"[if-not-exists]\" can't be used with option \"[describe]\""),
            ("--list --if-exists", "Option \"[if-exists]\" can't be used with option \"[list]\""),
            ("--delete --topic t --exclude-internal", "Option \"[exclude-internal]\" can't be used with option \"[delete]\""),
            ("--list --under-replicated-partitions", "Option \"[under-replicated-partitions]\" can't be used with option \"[list]\""),
            ("--describe --under-min-isr-partitions", "Option \"[under-min-isr-partitions]\" can't be used with option \"[zookeeper]\""),
            ("--describe --at-min-isr-partitions", "Option \"[at-min-isr-partitions]\" can't be used with option \"[zookeeper]\""),
            (
                "--describe --topics-with-overrides --unavailable-partitions",
                "Option \"[unavailable-partitions]\" can't be used with option \"[topics-with-overrides]\"",
            ),
        ];
        for (args, text) in cases {
            let e = topics_err(&format!("{args} {ZK}"));
            assert_eq!(e.kind, CliErrorKind::Usage, "{args}");
            assert_eq!(e.text, text, "{args}");
        }
    }

    #[test]
    fn conflicting_report_options_are_reported_in_scala_hash_set_order() {
        // The invalid set of --under-replicated-partitions iterates (CHAMP order):
        // create, unavailable-partitions, delete, list, at-min-isr-partitions, alter,
        // topics-with-overrides, under-min-isr-partitions.
        assert_eq!(
            option_set_order(&[
                "alter",
                "create",
                "list",
                "delete",
                "under-min-isr-partitions",
                "at-min-isr-partitions",
                "unavailable-partitions",
                "topics-with-overrides",
            ]),
            vec![
                "create",
                "unavailable-partitions",
                "delete",
                "list",
                "at-min-isr-partitions",
                "alter",
                "topics-with-overrides",
                "under-min-isr-partitions",
            ]
        );
        let e = topics_err(
            "--describe --bootstrap-server b:9092 --under-replicated-partitions --under-min-isr-partitions --unavailable-partitions",
        );
        assert_eq!(e.text, "Option \"[under-replicated-partitions]\" can't be used with option \"[unavailable-partitions]\"");
    }

    #[test]
    fn describe_flags_are_recorded() {
        let c = topics(&format!("--describe {ZK} --under-replicated-partitions --exclude-internal")).unwrap();
        assert!(c.under_replicated_partitions && c.exclude_internal);
        let f = c.describe_filter();
        assert!(f.under_replicated_partitions && !f.unavailable_partitions);
    }

    #[test]
    fn topic_regex_is_compiled_for_non_create_actions() {
        let c = topics(&format!("--describe {ZK} --topic te.*")).unwrap();
        let f = c.topic_filter.unwrap();
        assert!(f.matches("test"));
        assert!(!f.matches("xtest"));
        assert_eq!(
            topics_err(&format!("--describe {ZK} --topic test[")).text,
            "Error while executing topic command : test[ is an invalid regex."
        );
        // Kafka validates the regex before the partitions value on the ZooKeeper path ...
        assert_eq!(
            topics_err(&format!("--alter {ZK} --topic ( --partitions x")).text,
            "Error while executing topic command : ( is an invalid regex."
        );
        // ... and after it on the bootstrap path.
        assert_eq!(
            topics_err("--alter --bootstrap-server b:9092 --topic ( --partitions x").text,
            "Error while executing topic command : Cannot parse argument 'x' of option partitions"
        );
    }

    #[test]
    fn topic_filters_follow_include_list_normalisation() {
        let f = TopicFilter::new(" \"a, b\" ").unwrap();
        assert_eq!(f.regex(), "a|b");
        assert!(f.matches("a") && f.matches("b") && !f.matches("ab"));
        let f = TopicFilter::new("test").unwrap();
        assert!(f.matches("test") && !f.matches("test2") && !f.matches("tes"));
        let f = TopicFilter::new(".*").unwrap();
        assert!(f.is_topic_allowed("__consumer_offsets", false));
        assert!(!f.is_topic_allowed("__consumer_offsets", true));
        assert!(f.is_topic_allowed("test", true));
    }

    #[test]
    fn topic_filter_supports_common_java_regex_syntax() {
        let ok = |re: &str, yes: &[&str], no: &[&str]| {
            let f = TopicFilter::new(re).unwrap_or_else(|e| panic!("{re}: {e}"));
            for y in yes {
                assert!(f.matches(y), "{re} should match {y}");
            }
            for n in no {
                assert!(!f.matches(n), "{re} should not match {n}");
            }
        };
        ok("test\\.topic", &["test.topic"], &["testxtopic"]);
        ok("[a-c]+-\\d{2}", &["abc-12", "a-12"], &["abc-123", "d-12", "-1"]);
        ok("[^x]*", &["", "abc"], &["axb"]);
        ok("(foo|bar)?baz", &["baz", "foobaz", "barbaz"], &["fbaz"]);
        ok("(?:ab)+", &["ab", "abab"], &["aba", ""]);
        ok("^t.st$", &["test", "tost"], &["tests"]);
        ok("a{2}b?", &["aa", "aab"], &["a", "aaa"]);
        ok("a*?b", &["b", "aab"], &["aa"]);
        ok("\\w+_\\W?", &["my_", "my_."], &["my"]);
        ok("(a*)*b", &["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"], &["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"]);
        // IncludeList turns every ',' into '|', so Kafka cannot use {n,m} bounds at all.
        assert_eq!(TopicFilter::new("a{1,2}").unwrap_err(), "a{1|2} is an invalid regex.");
        for bad in ["*a", "a{", "a{2", "(a", "a)", "[a", "[]", "\\y", "(?=a)", "[b-a]", "a{x}"] {
            assert!(TopicFilter::new(bad).is_err(), "{bad} should be invalid");
        }
    }

    #[test]
    fn huge_repetitions_are_refused_instead_of_exhausting_memory() {
        assert!(TopicFilter::new("(a{1000}){1000}").is_err());
        let deep = "(".repeat(500) + &")".repeat(500);
        assert!(TopicFilter::new(&deep).is_err());
        assert!(TopicFilter::new("(?:){4000000000}").is_err());
        assert!(TopicFilter::new("a{1000}").is_ok());
    }

    // ---- topic names and create helpers -------------------------------------------------------

    #[test]
    fn topic_names_are_validated_with_kafkas_texts() {
        assert_eq!(validate_topic_name(""), Err("Topic name is illegal, it can't be empty".into()));
        assert_eq!(validate_topic_name("."), Err("Topic name cannot be \".\" or \"..\"".into()));
        assert_eq!(validate_topic_name(".."), Err("Topic name cannot be \".\" or \"..\"".into()));
        assert_eq!(
            validate_topic_name("a b"),
            Err("Topic name \"a b\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'".into())
        );
        let long = "a".repeat(250);
        assert_eq!(
            validate_topic_name(&long),
            Err(format!("Topic name is illegal, it can't be longer than 249 characters, topic name: {long}"))
        );
        assert_eq!(validate_topic_name(&"a".repeat(249)), Ok(()));
        assert_eq!(validate_topic_name("My.topic_1-x"), Ok(()));
        assert!(validate_topic_name("tést").is_err());
    }

    #[test]
    fn collision_warning_is_for_create_with_dot_or_underscore() {
        let c = topics("--create --bootstrap-server b:9092 --topic first_topic").unwrap();
        assert_eq!(
            c.create_warning(),
            Some("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.")
        );
        assert_eq!(topics("--create --bootstrap-server b:9092 --topic test").unwrap().create_warning(), None);
        assert_eq!(topics("--delete --bootstrap-server b:9092 --topic a.b").unwrap().create_warning(), None);
        assert!(is_internal_topic("__consumer_offsets") && !is_internal_topic("test"));
    }

    #[test]
    fn admin_client_checks_partitions_and_replication_factor_ranges() {
        let c = topics("--create --bootstrap-server b:9092 --topic t --replication-factor 0").unwrap();
        assert_eq!(
            c.admin_client_precheck(),
            Err("Error while executing topic command : The replication factor must be between 1 and 32767 inclusive".into())
        );
        let c = topics("--create --bootstrap-server b:9092 --topic t --partitions 0").unwrap();
        assert_eq!(c.admin_client_precheck(), Err("Error while executing topic command : The partitions must be greater than 0".into()));
        let c = topics(&format!("--create {ZK} --topic t --partitions 0 --replication-factor 0")).unwrap();
        assert_eq!(c.admin_client_precheck(), Ok(()), "the ZooKeeper path leaves this to AdminUtils");
    }

    #[test]
    fn output_helpers_use_kafkas_texts() {
        assert_eq!(created_topic_line("test"), "Created topic test.");
        assert_eq!(topic_does_not_exist_message("nope"), "Topic 'nope' does not exist as expected");
        assert_eq!(
            zk_marked_for_deletion_lines("test"),
            [
                "Topic test is marked for deletion.".to_string(),
                "Note: This will have no impact if delete.topic.enable is not set to true.".to_string()
            ]
        );
    }

    #[test]
    fn list_output_differs_between_the_two_paths() {
        let topics = vec![("test".to_string(), false), ("old".to_string(), true)];
        assert_eq!(list_topics_output(&topics, true), "old - marked for deletion\ntest\n");
        assert_eq!(list_topics_output(&topics, false), "old\ntest\n");
        assert_eq!(list_topics_output(&[], false), "\n");
        assert_eq!(list_topics_output(&[], true), "");
        assert_eq!(topic_already_exists_message("test"), "Topic 'test' already exists.");
        assert_eq!(zk_already_marked_for_deletion_line("t"), "Topic t is already marked for deletion.");
    }

    #[test]
    fn connect_strings_split_into_hosts() {
        assert_eq!(
            parse_zk_connect_string("localhost:2181,localhost:2182/kafka").unwrap(),
            ZkConnectString { hosts: vec![("localhost".into(), 2181), ("localhost".into(), 2182)], chroot: Some("/kafka".into()) }
        );
        assert_eq!(parse_zk_connect_string("zk").unwrap(), ZkConnectString { hosts: vec![("zk".into(), 2181)], chroot: None });
        assert!(parse_zk_connect_string("zk:x").is_err());
        assert!(parse_zk_connect_string("").is_err());
        assert_eq!(parse_bootstrap_servers("a:9092, b:9093").unwrap(), vec![("a".into(), 9092), ("b".into(), 9093)]);
        assert_eq!(parse_bootstrap_servers("a").unwrap_err(), "Invalid url in bootstrap.servers: a");
        assert!(parse_bootstrap_servers("").is_err());
    }

    // ---- kafka-topics --describe -------------------------------------------------------------

    fn seed_topic() -> TopicDescription {
        TopicDescription {
            topic: "test".into(),
            topic_id: TopicId::parse("JNzi3mkbQqG0P6AEwPiATA").unwrap(),
            partition_count: 10,
            replication_factor: 4,
            configs: vec![],
            marked_for_deletion: false,
        }
    }

    fn seed_partitions() -> Vec<PartitionDescription> {
        let rows = crate::kafka::assign::SEED_ASSIGNMENT;
        rows.iter()
            .enumerate()
            .map(|(p, r)| PartitionDescription {
                partition: p as i32,
                leader: Some(BrokerId(r[0])),
                replicas: ids(r),
                isr: ids(r),
                reassignment: None,
            })
            .collect()
    }

    #[test]
    fn seed_describe_output_is_byte_exact() {
        let expected = concat!(
            "Topic: test\tTopicId: JNzi3mkbQqG0P6AEwPiATA\tPartitionCount: 10\tReplicationFactor: 4\tConfigs: \n",
            "\tTopic: test\tPartition: 0\tLeader: 3\tReplicas: 3,2,4,1\tIsr: 3,2,4,1\n",
            "\tTopic: test\tPartition: 1\tLeader: 4\tReplicas: 4,3,1,2\tIsr: 4,3,1,2\n",
            "\tTopic: test\tPartition: 2\tLeader: 1\tReplicas: 1,4,2,3\tIsr: 1,4,2,3\n",
            "\tTopic: test\tPartition: 3\tLeader: 2\tReplicas: 2,1,3,4\tIsr: 2,1,3,4\n",
            "\tTopic: test\tPartition: 4\tLeader: 3\tReplicas: 3,4,1,2\tIsr: 3,4,1,2\n",
            "\tTopic: test\tPartition: 5\tLeader: 4\tReplicas: 4,1,2,3\tIsr: 4,1,2,3\n",
            "\tTopic: test\tPartition: 6\tLeader: 1\tReplicas: 1,2,3,4\tIsr: 1,2,3,4\n",
            "\tTopic: test\tPartition: 7\tLeader: 2\tReplicas: 2,3,4,1\tIsr: 2,3,4,1\n",
            "\tTopic: test\tPartition: 8\tLeader: 3\tReplicas: 3,1,2,4\tIsr: 3,1,2,4\n",
            "\tTopic: test\tPartition: 9\tLeader: 4\tReplicas: 4,2,3,1\tIsr: 4,2,3,1\n",
        );
        let mut parts = seed_partitions();
        parts.reverse(); // Input order does not matter: lines are sorted by partition.
        assert_eq!(format_describe(&seed_topic(), &parts), expected);
    }

    #[test]
    fn seed_describe_after_broker_1_died_matches_the_walkthrough() {
        let after: [(i32, [i32; 3]); 6] = [(3, [3, 2, 4]), (4, [4, 3, 2]), (4, [4, 2, 3]), (2, [2, 3, 4]), (3, [3, 4, 2]), (4, [4, 2, 3])];
        let mut parts = seed_partitions();
        parts.truncate(6);
        for (p, (leader, isr)) in parts.iter_mut().zip(after.iter()) {
            p.leader = Some(BrokerId(*leader));
            p.isr = ids(isr);
        }
        let out = format_describe(&seed_topic(), &parts);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[1], "\tTopic: test\tPartition: 0\tLeader: 3\tReplicas: 3,2,4,1\tIsr: 3,2,4");
        assert_eq!(lines[3], "\tTopic: test\tPartition: 2\tLeader: 4\tReplicas: 1,4,2,3\tIsr: 4,2,3");
        assert_eq!(lines[6], "\tTopic: test\tPartition: 5\tLeader: 4\tReplicas: 4,1,2,3\tIsr: 4,2,3");
    }

    #[test]
    fn leaderless_partition_prints_none_and_empty_isr_is_allowed() {
        let p = PartitionDescription { partition: 0, leader: None, replicas: ids(&[0]), isr: vec![], reassignment: None };
        assert_eq!(format_partition_line("t", &p, false), "\tTopic: t\tPartition: 0\tLeader: none\tReplicas: 0\tIsr: \n");
    }

    #[test]
    fn zero_topic_id_is_omitted_and_deletion_is_marked_on_every_line() {
        let mut t = seed_topic();
        t.topic_id = TopicId::ZERO;
        t.marked_for_deletion = true;
        t.partition_count = 1;
        let mut parts = seed_partitions();
        parts.truncate(1);
        assert_eq!(
            format_describe(&t, &parts),
            concat!(
                "Topic: test\tPartitionCount: 1\tReplicationFactor: 4\tConfigs: \tMarkedForDeletion: true\n",
                "\tTopic: test\tPartition: 0\tLeader: 3\tReplicas: 3,2,4,1\tIsr: 3,2,4,1\tMarkedForDeletion: true\n"
            )
        );
    }

    #[test]
    fn reassignment_columns_follow_isr() {
        let p = PartitionDescription {
            partition: 3,
            leader: Some(BrokerId(1)),
            replicas: ids(&[1, 2, 3]),
            isr: ids(&[1, 2]),
            reassignment: Some(Reassignment { adding: ids(&[3]), removing: ids(&[4]) }),
        };
        assert_eq!(
            format_partition_line("t", &p, false),
            "\tTopic: t\tPartition: 3\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2\tAdding Replicas: 3\tRemoving Replicas: 4\n"
        );
        // Replication factor during a reassignment excludes the adding replicas.
        assert!(!p.is_under_replicated());
    }

    #[test]
    fn configs_print_in_java_hash_map_order() {
        let mut t = seed_topic();
        t.configs = vec![("segment.bytes".into(), "1073741824".into())];
        assert!(format_topic_line(&t).ends_with("\tConfigs: segment.bytes=1073741824\n"));
        t.configs = vec![("retention.ms".into(), "1".into()), ("cleanup.policy".into(), "compact".into())];
        let keyed: Vec<(&str, i32)> = ["retention.ms", "cleanup.policy"].iter().map(|k| (*k, java_string_hash(k))).collect();
        let order = java_hash_map_order(&keyed);
        let expected: Vec<String> = order
            .iter()
            .map(|k| if *k == "retention.ms" { "retention.ms=1".to_string() } else { "cleanup.policy=compact".to_string() })
            .collect();
        assert!(format_topic_line(&t).ends_with(&format!("\tConfigs: {}\n", expected.join(","))));
    }

    #[test]
    fn under_replicated_filter_hides_the_header_and_healthy_partitions() {
        let mut parts = seed_partitions();
        parts[1].isr = ids(&[4, 3, 2]);
        let f = DescribeFilter { under_replicated_partitions: true, ..Default::default() };
        let out = describe_topic_output(&seed_topic(), &parts, &f, &ids(&[2, 3, 4]), None);
        assert_eq!(out, "\tTopic: test\tPartition: 1\tLeader: 4\tReplicas: 4,3,1,2\tIsr: 4,3,2\n");
    }

    #[test]
    fn unavailable_filter_shows_leaderless_and_dead_leader_partitions() {
        let mut parts = seed_partitions();
        parts[0].leader = None;
        let f = DescribeFilter { unavailable_partitions: true, ..Default::default() };
        let out = describe_topic_output(&seed_topic(), &parts, &f, &ids(&[2, 3, 4]), None);
        let shown: Vec<&str> = out.lines().map(|l| l.split('\t').nth(2).unwrap_or("")).collect();
        assert_eq!(shown, vec!["Partition: 0", "Partition: 2", "Partition: 6"]);
    }

    #[test]
    fn topics_with_overrides_prints_only_headers_of_overridden_topics() {
        let f = DescribeFilter { topics_with_overrides: true, ..Default::default() };
        assert_eq!(describe_topic_output(&seed_topic(), &seed_partitions(), &f, &[], None), "");
        let mut t = seed_topic();
        t.configs = vec![("retention.ms".into(), "5".into())];
        let out = describe_topic_output(&t, &seed_partitions(), &f, &[], None);
        assert_eq!(out.lines().count(), 1);
        assert!(out.starts_with("Topic: test\t"));
    }

    #[test]
    fn min_isr_filters_use_the_topic_setting() {
        let mut parts = seed_partitions();
        parts[0].isr = ids(&[3]);
        parts[1].isr = ids(&[4, 3]);
        let under = DescribeFilter { under_min_isr_partitions: true, ..Default::default() };
        let at = DescribeFilter { at_min_isr_partitions: true, ..Default::default() };
        let out = describe_topic_output(&seed_topic(), &parts, &under, &[], Some(2));
        assert_eq!(out.lines().count(), 1);
        assert!(out.contains("Partition: 0\t"));
        let out = describe_topic_output(&seed_topic(), &parts, &at, &[], Some(2));
        assert_eq!(out.lines().count(), 1);
        assert!(out.contains("Partition: 1\t"));
        assert_eq!(describe_topic_output(&seed_topic(), &parts, &at, &[], None), "");
    }

    #[test]
    fn zookeeper_replication_factor_comes_from_the_first_partition_kafka_iterates() {
        let uniform: SortedMap<i32, Vec<BrokerId>> = (0..10).map(|p| (p, ids(&[1, 2, 3, 4]))).collect();
        assert_eq!(zk_describe_replication_factor("test", &uniform), 4);
        let mut small: SortedMap<i32, Vec<BrokerId>> = SortedMap::new();
        small.insert(0, ids(&[1]));
        small.insert(1, ids(&[1, 2]));
        assert_eq!(zk_describe_replication_factor("t", &small), 1);
        assert_eq!(zk_describe_replication_factor("t", &SortedMap::new()), 0);
    }

    // ---- kafka-leader-election --------------------------------------------------------------

    fn election(s: &str) -> Result<LeaderElectionCmd, CliError> {
        parse_leader_election_args_detailed(&argv(s))
    }

    #[test]
    fn preferred_election_for_one_partition() {
        let c = election("--bootstrap-server localhost:9092 --election-type preferred --topic test --partition 2").unwrap();
        assert_eq!(c.election_type, ElectionType::Preferred);
        assert_eq!(c.target, ElectionTarget::Partition(TopicPartition::new("test", 2)));
        assert_eq!(c.bootstrap_server, "localhost:9092");
        let c = election("--bootstrap-server b:1 --election-type UNCLEAN --all-topic-partitions").unwrap();
        assert_eq!(c.election_type, ElectionType::Unclean);
        assert_eq!(c.target, ElectionTarget::AllTopicPartitions);
    }

    #[test]
    fn election_usage_and_required_options() {
        assert_eq!(
            election("").unwrap_err().text,
            "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas."
        );
        let e = election("--all-topic-partitions").unwrap_err();
        assert_eq!(e.kind, CliErrorKind::Uncaught);
        assert_eq!(
            e.text,
            "Exception in thread \"main\" kafka.common.AdminCommandFailedException: Missing required option(s): election-type, bootstrap-server"
        );
        assert_eq!(
            election("--bootstrap-server b:1 --all-topic-partitions").unwrap_err().text,
            "Exception in thread \"main\" kafka.common.AdminCommandFailedException: Missing required option(s): election-type"
        );
    }

    #[test]
    fn election_needs_exactly_one_target_and_partition_with_topic() {
        let one = "Exception in thread \"main\" kafka.common.AdminCommandFailedException: One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file";
        assert_eq!(election("--bootstrap-server b:1 --election-type preferred").unwrap_err().text, one);
        assert_eq!(
            election("--bootstrap-server b:1 --election-type preferred --topic t --partition 0 --all-topic-partitions").unwrap_err().text,
            one
        );
        assert_eq!(
            election("--bootstrap-server b:1 --election-type preferred --topic t").unwrap_err().text,
            "Exception in thread \"main\" kafka.common.AdminCommandFailedException: Missing required option(s): partition"
        );
        assert_eq!(
            election("--bootstrap-server b:1 --election-type preferred --all-topic-partitions --partition 1").unwrap_err().text,
            "Exception in thread \"main\" kafka.common.AdminCommandFailedException: Option partition is only allowed if topic is used"
        );
    }

    #[test]
    fn election_values_are_converted_after_validation() {
        assert_eq!(
            election("--bootstrap-server b:1 --election-type fast --all-topic-partitions").unwrap_err().text,
            "Exception in thread \"main\" joptsimple.OptionArgumentConversionException: Cannot parse argument 'fast' of option election-type"
        );
        assert_eq!(
            election("--bootstrap-server b:1 --election-type preferred --topic t --partition x").unwrap_err().text,
            "Exception in thread \"main\" joptsimple.OptionArgumentConversionException: Cannot parse argument 'x' of option partition"
        );
        let f = election("--bootstrap-server b:1 --election-type preferred --path-to-json-file /tmp/e.json").unwrap();
        assert_eq!(f.target, ElectionTarget::JsonFile("/tmp/e.json".into()));
        assert_eq!(parse_leader_election_args(&argv("--version")).unwrap_err(), VERSION_LINE);
    }

    #[test]
    fn election_result_lines() {
        let parts = [TopicPartition::new("test", 2), TopicPartition::new("test", 6)];
        assert_eq!(
            election_success_line(ElectionType::Preferred, &parts),
            "Successfully completed leader election (PREFERRED) for partitions test-2, test-6"
        );
        assert_eq!(election_noop_line(&parts[..1]), "Valid replica already elected for partitions test-2");
    }

    // ---- kafka-console-producer -------------------------------------------------------------

    fn producer(s: &str) -> Result<ProducerCmd, CliError> {
        parse_console_producer_args_detailed(&argv(s))
    }

    #[test]
    fn producer_defaults_to_acks_1() {
        let c = producer("--bootstrap-server localhost:9092 --topic test").unwrap();
        assert_eq!(c.acks, Acks::Leader);
        assert_eq!(c.topic, "test");
        assert_eq!(c.bootstrap_servers, "localhost:9092");
        assert_eq!(c.messages, None);
        assert!(!c.sync);
    }

    #[test]
    fn producer_acks_come_from_the_option_then_the_property() {
        assert_eq!(producer("--bootstrap-server b:1 --topic t --producer-property acks=1").unwrap().acks, Acks::Leader);
        assert_eq!(producer("--bootstrap-server b:1 --topic t --producer-property acks=all").unwrap().acks, Acks::All);
        assert_eq!(
            producer("--bootstrap-server b:1 --topic t --producer-property acks=1 --request-required-acks 0").unwrap().acks,
            Acks::None
        );
        let e = producer("--bootstrap-server b:1 --topic t --producer-property acks=2").unwrap_err();
        assert_eq!(e.kind, CliErrorKind::Failed);
        assert_eq!(
            e.text,
            "org.apache.kafka.common.config.ConfigException: Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1"
        );
    }

    #[test]
    fn producer_requires_a_server_and_a_topic() {
        let e = producer("--topic t").unwrap_err();
        assert_eq!(e.kind, CliErrorKind::Usage);
        assert_eq!(e.text, "Missing required option(s) [bootstrap-server]");
        assert_eq!(producer("").unwrap_err().text, "Missing required option(s) [bootstrap-server]");
        assert_eq!(producer("--bootstrap-server b:1").unwrap_err().text, "Missing required argument \"[topic]\"");
        assert_eq!(producer("--broker-list b:1 --topic t").unwrap().bootstrap_servers, "b:1");
        assert_eq!(producer("--help").unwrap_err().text, "This tool helps to read data from standard input and publish it to Kafka.");
    }

    #[test]
    fn producer_checks_host_port_syntax() {
        let text = "Please provide valid host:port like host1:9091,host2:9092\n ";
        assert_eq!(producer("--bootstrap-server localhost --topic t").unwrap_err().text, text);
        assert_eq!(producer("--bootstrap-server a:1,b --topic t").unwrap_err().text, text);
        assert!(producer("--bootstrap-server a:1,b:2, --topic t").is_ok(), "trailing comma is dropped by split");
        assert!(producer("--bootstrap-server [::1]:9092 --topic t").is_ok());
    }

    #[test]
    fn producer_messages_shortcut_is_a_positive_integer() {
        assert_eq!(producer("--bootstrap-server b:1 --topic t --messages 5").unwrap().messages, Some(5));
        assert_eq!(
            producer("--bootstrap-server b:1 --topic t --messages x").unwrap_err().text,
            "Cannot parse argument 'x' of option messages"
        );
        assert_eq!(
            producer("--bootstrap-server b:1 --topic t --messages 0").unwrap_err().text,
            "Option messages must be a positive integer"
        );
    }

    #[test]
    fn producer_typed_options_report_bad_numbers() {
        assert_eq!(
            producer("--bootstrap-server b:1 --topic t --timeout soon").unwrap_err().text,
            "Cannot parse argument 'soon' of option timeout"
        );
    }

    #[test]
    fn producer_compression_codec_does_not_swallow_the_next_option() {
        let c = producer("--bootstrap-server b:1 --compression-codec --topic t --sync").unwrap();
        assert_eq!(c.topic, "t");
        assert!(c.sync);
        let c = producer("--bootstrap-server b:1 --topic t --compression-codec gzip --property parse.key=true").unwrap();
        assert_eq!(c.reader_properties.get("parse.key").map(String::as_str), Some("true"));
    }

    #[test]
    fn producer_parse_errors_are_usage_errors_with_the_bare_message() {
        let e = producer("--bootstrap-server b:1 --topic t --foo").unwrap_err();
        assert_eq!(e.kind, CliErrorKind::Usage);
        assert_eq!(e.text, "foo is not a recognized option");
    }

    // ---- kafka-console-consumer -------------------------------------------------------------

    fn consumer(s: &str) -> Result<ConsumerCmd, CliError> {
        parse_console_consumer_args_detailed(&argv(s))
    }

    #[test]
    fn consumer_from_beginning_starts_at_earliest() {
        let c = consumer("--bootstrap-server localhost:9092 --topic test --from-beginning").unwrap();
        assert_eq!(c.offset, StartOffset::Earliest);
        assert_eq!(c.topic.as_deref(), Some("test"));
        assert_eq!(c.partition, None);
        assert_eq!(c.max_messages, None);
        assert_eq!(c.group, None);
        let c = consumer("--bootstrap-server b:1 --topic test").unwrap();
        assert_eq!(c.offset, StartOffset::Latest);
    }

    #[test]
    fn consumer_partition_and_offset() {
        let c = consumer("--bootstrap-server b:1 --topic t --partition 3 --offset 5 --max-messages 10").unwrap();
        assert_eq!(c.partition, Some(3));
        assert_eq!(c.offset, StartOffset::At(5));
        assert_eq!(c.max_messages, Some(10));
        assert_eq!(consumer("--bootstrap-server b:1 --topic t --partition 0 --offset EARLIEST").unwrap().offset, StartOffset::Earliest);
        assert_eq!(consumer("--bootstrap-server b:1 --topic t --partition 0 --from-beginning").unwrap().offset, StartOffset::Earliest);
    }

    #[test]
    fn consumer_needs_exactly_one_of_topic_and_whitelist() {
        let text = "Exactly one of whitelist/topic is required.";
        assert_eq!(consumer("--bootstrap-server b:1").unwrap_err().text, text);
        assert_eq!(consumer("--bootstrap-server b:1 --topic t --whitelist .*").unwrap_err().text, text);
        assert_eq!(consumer("--bootstrap-server b:1 --whitelist te.*").unwrap().whitelist.as_deref(), Some("te.*"));
    }

    #[test]
    fn consumer_partition_and_offset_rules() {
        assert_eq!(
            consumer("--bootstrap-server b:1 --whitelist t --partition 0").unwrap_err().text,
            "The topic is required when partition is specified."
        );
        assert_eq!(
            consumer("--bootstrap-server b:1 --topic t --partition 0 --offset 1 --from-beginning").unwrap_err().text,
            "Options from-beginning and offset cannot be specified together."
        );
        assert_eq!(
            consumer("--bootstrap-server b:1 --topic t --offset 1").unwrap_err().text,
            "The partition is required when offset is specified."
        );
        assert_eq!(
            consumer("--bootstrap-server b:1 --topic t --partition 0 --offset ABC").unwrap_err().text,
            "The provided offset value 'abc' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
        );
        assert_eq!(
            consumer("--bootstrap-server b:1 --topic t --partition 0 --offset -1").unwrap_err().text,
            "The provided offset value '-1' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
        );
    }

    #[test]
    fn consumer_requires_bootstrap_server_after_the_topic_checks() {
        assert_eq!(consumer("--topic t").unwrap_err().text, "Missing required argument \"[bootstrap-server]\"");
        assert_eq!(consumer("--partition 1").unwrap_err().text, "Exactly one of whitelist/topic is required.");
        assert_eq!(consumer("").unwrap_err().text, "This tool helps to read data from Kafka topics and outputs it to standard output.");
    }

    #[test]
    fn consumer_value_errors_escape_main() {
        let e = consumer("--bootstrap-server b:1 --topic t --partition x").unwrap_err();
        assert_eq!(e.kind, CliErrorKind::Uncaught);
        assert_eq!(
            e.text,
            "Exception in thread \"main\" joptsimple.OptionArgumentConversionException: Cannot parse argument 'x' of option partition"
        );
        let e = consumer("--bootstrap-server b:1 --topic t --bogus").unwrap_err();
        assert_eq!(e.kind, CliErrorKind::Usage);
        assert_eq!(e.text, "bogus is not a recognized option");
    }

    #[test]
    fn consumer_group_rules() {
        assert_eq!(
            consumer("--bootstrap-server b:1 --topic t --group g1 --consumer-property group.id=g2").unwrap_err().text,
            "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: 'g1', 'g2'"
        );
        assert_eq!(
            consumer("--bootstrap-server b:1 --topic t --group g1 --consumer-property group.id=g1").unwrap().group.as_deref(),
            Some("g1")
        );
        assert_eq!(
            consumer("--bootstrap-server b:1 --topic t --group g --partition 0").unwrap_err().text,
            "Options group and partition cannot be specified together."
        );
    }

    #[test]
    fn consumer_from_beginning_conflicts_with_a_latest_reset_property() {
        let e = consumer("--bootstrap-server b:1 --topic t --from-beginning --consumer-property auto.offset.reset=latest").unwrap_err();
        assert_eq!(e.kind, CliErrorKind::Failed);
        assert_eq!(e.text, "Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest', please remove one option");
        assert!(consumer("--bootstrap-server b:1 --topic t --from-beginning --consumer-property auto.offset.reset=earliest").is_ok());
    }

    // ---- shared helpers ---------------------------------------------------------------------

    #[test]
    fn key_value_args_split_at_the_first_equals_sign() {
        let m = parse_key_value_args(&["a=b=c", "flag", "x=", "a2=1"]);
        assert_eq!(m.get("a").map(String::as_str), Some("b=c"));
        assert_eq!(m.get("flag").map(String::as_str), Some(""));
        assert_eq!(m.get("x").map(String::as_str), Some(""));
    }

    #[test]
    fn config_pairs_split_like_the_java_regex() {
        assert_eq!(split_config_pair("a = b"), vec!["a", "b"]);
        assert_eq!(split_config_pair("a = = b"), vec!["a", "", "b"]);
        assert_eq!(split_config_pair("=b"), vec!["", "b"]);
        assert_eq!(split_config_pair("="), Vec::<String>::new());
        assert_eq!(split_config_pair("ab"), vec!["ab"]);
    }

    #[test]
    fn no_input_panics_the_parsers() {
        let tokens = [
            "--create",
            "--list",
            "--describe",
            "--alter",
            "--delete",
            "--zookeeper",
            "z:1",
            "--bootstrap-server",
            "b:1",
            "--topic",
            "t",
            "--partitions",
            "3",
            "--replication-factor",
            "x",
            "--replica-assignment",
            "1:2,3",
            "--config",
            "a=b",
            "-",
            "--",
            "-x",
            "--partition",
            "--offset",
            "--election-type",
            "preferred",
            "--from-beginning",
            "--messages",
            "",
            "=",
            "--topic=",
            "é",
            "--group",
            "g",
        ];
        // A deterministic walk over token combinations.
        let mut seed: u32 = 12345;
        for _ in 0..3000 {
            let mut args = Vec::new();
            for _ in 0..(seed % 9) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                args.push(tokens[(seed >> 8) as usize % tokens.len()].to_string());
            }
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let _ = parse_topics_args(&args);
            let _ = parse_leader_election_args(&args);
            let _ = parse_console_producer_args(&args);
            let _ = parse_console_consumer_args(&args);
        }
    }
}
