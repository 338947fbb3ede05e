//! The `until` conditions of a lesson step, parsed from text: `controller-is b3`,
//! `isr-excludes test-2 1`, `all(zk-leader-elected; broker-registered 4)`.
//!
//! Parsing never panics: a bad condition comes back as an error that names the bad part and
//! shows the expected form, as a tool's usage message does. Evaluation is in [`super::eval`].

use std::fmt;

/// A topic partition named as Kafka's tools print it, `test-2` (the partition is after the last
/// `-`, so topic names may contain `-`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tp {
    pub topic: String,
    pub partition: i32,
}

impl fmt::Display for Tp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// A simulated process: ZooKeeper server `zkN` or broker `bN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRef {
    Zk(u32),
    Broker(u32),
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Zk(n) => write!(f, "zk{n}"),
            NodeRef::Broker(n) => write!(f, "b{n}"),
        }
    }
}

/// One condition. Conditions that compare with the moment the wait began (`controller-changed`,
/// `session-expired`) carry what they saw then; [`super::eval::arm`] fills it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    /// Some ZooKeeper server leads and serves (a quorum acknowledged its epoch).
    ZkLeaderElected,
    /// Server N leads and serves.
    ZkLeaderIs(u32),
    /// No running ZooKeeper server serves clients.
    ZkNoQuorum,
    /// A serving server's epoch is at least N.
    ZkEpochAtLeast(u32),
    /// Server N is running and LOOKING.
    ZkLooking(u32),
    /// `/controller` names broker N and broker N acts as controller.
    ControllerIs(u32),
    /// The broker `/controller` names acts as controller, with a higher `/controller_epoch` than
    /// when the wait began.
    ControllerChanged {
        since_epoch: Option<i64>,
    },
    /// `/controller_epoch` is at least N.
    ControllerEpochAtLeast(i64),
    /// `/brokers/ids/N` exists.
    BrokerRegistered(u32),
    /// `/brokers/ids/N` does not exist (in a serving tree).
    BrokerUnregistered(u32),
    /// The partition's state znode names leader N.
    LeaderIs(Tp, u32),
    /// The partition's state znode has leader -1.
    LeaderNone(Tp),
    IsrIncludes(Tp, u32),
    IsrExcludes(Tp, u32),
    /// The partition leader's high watermark is at least N.
    HwAtLeast(Tp, i64),
    ZnodeExists(String),
    ZnodeMissing(String),
    /// The ZooKeeper session broker N held when the wait began is gone from the serving ensemble
    /// (expired, or closed by a controlled shutdown). `session` is that session (None if the
    /// broker had none: then the condition holds once `/brokers/ids/N` is gone).
    SessionExpired {
        broker: u32,
        session: Option<u64>,
    },
    NodeRunning(NodeRef),
    NodeDown(NodeRef),
    All(Vec<Cond>),
    Any(Vec<Cond>),
}

/// Every condition's name and its argument form, for error messages and the docs.
pub const FORMS: &[(&str, &str)] = &[
    ("zk-leader-elected", ""),
    ("zk-leader-is", " zkN"),
    ("zk-no-quorum", ""),
    ("zk-epoch-at-least", " N"),
    ("zk-looking", " zkN"),
    ("controller-is", " bN"),
    ("controller-changed", ""),
    ("controller-epoch-at-least", " N"),
    ("broker-registered", " N"),
    ("broker-unregistered", " N"),
    ("leader-is", " TOPIC-P N"),
    ("leader-none", " TOPIC-P"),
    ("isr-includes", " TOPIC-P N"),
    ("isr-excludes", " TOPIC-P N"),
    ("hw-at-least", " TOPIC-P N"),
    ("znode-exists", " PATH"),
    ("znode-missing", " PATH"),
    ("session-expired", " bN"),
    ("node-running", " NAME"),
    ("node-down", " NAME"),
    ("all", "(A; B; …)"),
    ("any", "(A; B; …)"),
];

/// Longest condition text accepted (a lesson's conditions are one line).
pub const MAX_LEN: usize = 1000;
/// Deepest nesting of `all(…)`/`any(…)` accepted.
pub const MAX_DEPTH: usize = 8;

fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        let mut o: String = s.chars().take(40).collect();
        o.push('…');
        o
    }
}

fn form(name: &str) -> String {
    FORMS.iter().find(|(n, _)| *n == name).map(|(n, a)| format!("{n}{a}")).unwrap_or_else(|| name.to_string())
}

/// Parse a condition.
pub fn parse(text: &str) -> Result<Cond, String> {
    if text.len() > MAX_LEN {
        return Err(format!("condition too long ({} bytes, at most {MAX_LEN})", text.len()));
    }
    parse_depth(text.trim(), 0)
}

fn parse_depth(text: &str, depth: usize) -> Result<Cond, String> {
    if text.is_empty() {
        return Err("empty condition (expected e.g. 'controller-changed' or 'isr-excludes test-2 1')".into());
    }
    for (name, make) in [("all", Cond::All as fn(Vec<Cond>) -> Cond), ("any", Cond::Any as fn(Vec<Cond>) -> Cond)] {
        let Some(rest) = text.strip_prefix(name) else { continue };
        let spaced = rest.is_empty() || rest.starts_with(char::is_whitespace);
        let rest = rest.trim_start();
        if !rest.starts_with('(') {
            if spaced {
                return Err(format!("'{name}' needs its conditions in parentheses: {name}(A; B)"));
            }
            continue;
        }
        if depth >= MAX_DEPTH {
            return Err(format!("conditions nested deeper than {MAX_DEPTH} levels"));
        }
        let Some(inner) = rest[1..].strip_suffix(')') else {
            return Err(format!("'{name}(' is not closed with ')' in '{}'", shorten(text)));
        };
        let parts = split_top(inner).map_err(|e| format!("in '{}': {e}", shorten(text)))?;
        let mut conds = Vec::new();
        for p in parts {
            conds.push(parse_depth(p.trim(), depth + 1)?);
        }
        if conds.is_empty() {
            return Err(format!("'{name}()' needs at least one condition"));
        }
        return Ok(make(conds));
    }
    leaf(text)
}

/// Split on `;` outside parentheses.
fn split_top(s: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err("unbalanced ')'".into());
                }
            }
            ';' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unbalanced '('".into());
    }
    parts.push(&s[start..]);
    if parts.iter().any(|p| p.trim().is_empty()) && parts.len() != 1 {
        return Err("an empty condition between ';'".into());
    }
    Ok(parts.into_iter().filter(|p| !p.trim().is_empty()).collect())
}

fn leaf(text: &str) -> Result<Cond, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let name = words[0];
    let args = &words[1..];
    let Some((_, shape)) = FORMS.iter().find(|(n, _)| *n == name) else {
        let known: Vec<&str> = FORMS.iter().map(|(n, _)| *n).collect();
        return Err(format!("unknown condition '{}' (known: {})", shorten(name), known.join(", ")));
    };
    let want = if shape.is_empty() { 0 } else { shape.split_whitespace().count() };
    if args.len() != want {
        return Err(format!(
            "'{name}' takes {} argument{}, got {}: expected '{}'",
            want,
            if want == 1 { "" } else { "s" },
            args.len(),
            form(name)
        ));
    }
    let bad = |what: &str, got: &str| format!("'{name}': {what}, got '{}' (expected '{}')", shorten(got), form(name));
    let count =
        |s: &str| -> Result<i64, String> { s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| bad("expected a number ≥ 0", s)) };
    let zk = |s: &str| -> Result<u32, String> {
        s.strip_prefix("zk")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| bad("expected a ZooKeeper server like zk1", s))
    };
    let broker = |s: &str| -> Result<u32, String> {
        let n = s.strip_prefix("broker").or_else(|| s.strip_prefix('b')).unwrap_or(s);
        n.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| bad("expected a broker id like 3 or b3", s))
    };
    let node = |s: &str| -> Result<NodeRef, String> {
        if s.starts_with("zk") {
            zk(s).map(NodeRef::Zk)
        } else if s.starts_with('b') {
            broker(s).map(NodeRef::Broker)
        } else {
            Err(bad("expected a node name like zk2 or b1", s))
        }
    };
    let tp = |s: &str| -> Result<Tp, String> {
        let (topic, p) = s.rsplit_once('-').ok_or_else(|| bad("expected a partition like test-2", s))?;
        let partition = p.parse::<i32>().ok().filter(|p| *p >= 0).ok_or_else(|| bad("expected a partition like test-2", s))?;
        if topic.is_empty() {
            return Err(bad("expected a partition like test-2", s));
        }
        Ok(Tp { topic: topic.to_string(), partition })
    };
    let path = |s: &str| -> Result<String, String> {
        if s.starts_with('/') && (s == "/" || !s.ends_with('/')) && !s.contains("//") {
            Ok(s.to_string())
        } else {
            Err(bad("expected a znode path like /controller", s))
        }
    };
    Ok(match name {
        "zk-leader-elected" => Cond::ZkLeaderElected,
        "zk-leader-is" => Cond::ZkLeaderIs(zk(args[0])?),
        "zk-no-quorum" => Cond::ZkNoQuorum,
        "zk-epoch-at-least" => Cond::ZkEpochAtLeast(count(args[0])?.min(u32::MAX as i64) as u32),
        "zk-looking" => Cond::ZkLooking(zk(args[0])?),
        "controller-is" => Cond::ControllerIs(broker(args[0])?),
        "controller-changed" => Cond::ControllerChanged { since_epoch: None },
        "controller-epoch-at-least" => Cond::ControllerEpochAtLeast(count(args[0])?),
        "broker-registered" => Cond::BrokerRegistered(broker(args[0])?),
        "broker-unregistered" => Cond::BrokerUnregistered(broker(args[0])?),
        "leader-is" => Cond::LeaderIs(tp(args[0])?, broker(args[1])?),
        "leader-none" => Cond::LeaderNone(tp(args[0])?),
        "isr-includes" => Cond::IsrIncludes(tp(args[0])?, broker(args[1])?),
        "isr-excludes" => Cond::IsrExcludes(tp(args[0])?, broker(args[1])?),
        "hw-at-least" => Cond::HwAtLeast(tp(args[0])?, count(args[1])?),
        "znode-exists" => Cond::ZnodeExists(path(args[0])?),
        "znode-missing" => Cond::ZnodeMissing(path(args[0])?),
        "session-expired" => Cond::SessionExpired { broker: broker(args[0])?, session: None },
        "node-running" => Cond::NodeRunning(node(args[0])?),
        "node-down" => Cond::NodeDown(node(args[0])?),
        _ => {
            // `all`/`any` without parentheses reach here only with arguments: handled above.
            return Err(format!("'{name}' needs its conditions in parentheses: {name}(A; B)"));
        }
    })
}

impl Cond {
    /// The name of the condition (`controller-changed`, `all`, …).
    pub fn name(&self) -> &'static str {
        let text = self.to_string();
        FORMS.iter().map(|(n, _)| *n).filter(|n| text.starts_with(n)).max_by_key(|n| n.len()).unwrap_or("all")
    }

    /// The conditions a learner reads, one per part of an `all(…)`: each as its name and its
    /// arguments as written (an `any(…)` stays one part, its argument the whole text), so that
    /// the page can say each one in words from its string table.
    pub fn parts(&self) -> Vec<Part> {
        match self {
            Cond::All(v) => v.iter().flat_map(|c| c.parts()).collect(),
            Cond::Any(_) => vec![Part { name: "any", args: vec![self.to_string()] }],
            c => {
                let text = c.to_string();
                let name = c.name();
                // Broker ids as numbers (`controller-is b3` prints its broker as `b3`).
                let broker_arg = matches!(c, Cond::ControllerIs(_) | Cond::SessionExpired { .. });
                let args = text[name.len()..]
                    .split_whitespace()
                    .map(|a| if broker_arg { a.trim_start_matches('b') } else { a }.to_string())
                    .collect();
                vec![Part { name, args }]
            }
        }
    }
}

crate::json_out::json_struct! {
    /// One condition a learner reads: `leader-is` with `["test-2", "4"]`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Part {
        pub name: &'static str,
        pub args: Vec<String>,
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, name: &str, v: &[Cond]| {
            write!(f, "{name}(")?;
            for (i, c) in v.iter().enumerate() {
                if i > 0 {
                    write!(f, "; ")?;
                }
                write!(f, "{c}")?;
            }
            write!(f, ")")
        };
        match self {
            Cond::ZkLeaderElected => write!(f, "zk-leader-elected"),
            Cond::ZkLeaderIs(n) => write!(f, "zk-leader-is zk{n}"),
            Cond::ZkNoQuorum => write!(f, "zk-no-quorum"),
            Cond::ZkEpochAtLeast(n) => write!(f, "zk-epoch-at-least {n}"),
            Cond::ZkLooking(n) => write!(f, "zk-looking zk{n}"),
            Cond::ControllerIs(n) => write!(f, "controller-is b{n}"),
            Cond::ControllerChanged { .. } => write!(f, "controller-changed"),
            Cond::ControllerEpochAtLeast(n) => write!(f, "controller-epoch-at-least {n}"),
            Cond::BrokerRegistered(n) => write!(f, "broker-registered {n}"),
            Cond::BrokerUnregistered(n) => write!(f, "broker-unregistered {n}"),
            Cond::LeaderIs(tp, n) => write!(f, "leader-is {tp} {n}"),
            Cond::LeaderNone(tp) => write!(f, "leader-none {tp}"),
            Cond::IsrIncludes(tp, n) => write!(f, "isr-includes {tp} {n}"),
            Cond::IsrExcludes(tp, n) => write!(f, "isr-excludes {tp} {n}"),
            Cond::HwAtLeast(tp, n) => write!(f, "hw-at-least {tp} {n}"),
            Cond::ZnodeExists(p) => write!(f, "znode-exists {p}"),
            Cond::ZnodeMissing(p) => write!(f, "znode-missing {p}"),
            Cond::SessionExpired { broker, .. } => write!(f, "session-expired b{broker}"),
            Cond::NodeRunning(n) => write!(f, "node-running {n}"),
            Cond::NodeDown(n) => write!(f, "node-down {n}"),
            Cond::All(v) => list(f, "all", v),
            Cond::Any(v) => list(f, "any", v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_the_contract_parses_and_prints_back_the_same() {
        for text in [
            "zk-leader-elected",
            "zk-leader-is zk3",
            "zk-no-quorum",
            "zk-epoch-at-least 2",
            "zk-looking zk2",
            "controller-is b3",
            "controller-changed",
            "controller-epoch-at-least 2",
            "broker-registered 4",
            "broker-unregistered 1",
            "leader-is test-2 3",
            "leader-none my-topic-0",
            "isr-includes test-2 1",
            "isr-excludes test-2 1",
            "hw-at-least test-0 5",
            "znode-exists /controller",
            "znode-missing /brokers/ids/1",
            "session-expired b1",
            "node-running zk1",
            "node-down b2",
            "all(controller-changed; isr-excludes test-2 1)",
            "any(zk-looking zk1; all(node-down zk2; zk-no-quorum))",
        ] {
            let c = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(c.to_string(), text);
        }
    }

    #[test]
    fn an_all_condition_reads_as_its_parts_with_their_arguments() {
        let p = parse("all(controller-changed; leader-is my-topic-2 b4; any(zk-looking zk1; zk-no-quorum))").unwrap().parts();
        let names: Vec<&str> = p.iter().map(|x| x.name).collect();
        assert_eq!(names, ["controller-changed", "leader-is", "any"]);
        assert_eq!(p[1].args, ["my-topic-2", "4"]);
        assert_eq!(parse("isr-excludes bar-2 3").unwrap().parts()[0].args, ["bar-2", "3"]);
        assert_eq!(parse("node-down b2").unwrap().parts()[0].args, ["b2"]);
        assert!(p[0].args.is_empty());
        assert_eq!(parse("zk-leader-is zk3").unwrap().parts()[0].args, ["zk3"]);
        assert_eq!(parse("session-expired b1").unwrap().parts()[0].args, ["1"]);
    }

    #[test]
    fn topic_names_with_dashes_split_at_the_last_dash() {
        assert_eq!(parse("leader-none my-topic-12").unwrap(), Cond::LeaderNone(Tp { topic: "my-topic".into(), partition: 12 }));
    }

    #[test]
    fn brokers_may_be_written_as_numbers_or_names() {
        assert_eq!(parse("broker-registered b4").unwrap(), Cond::BrokerRegistered(4));
        assert_eq!(parse("controller-is 3").unwrap(), Cond::ControllerIs(3));
    }

    #[test]
    fn errors_name_the_bad_part_and_the_expected_form() {
        let cases = [
            ("", "empty condition"),
            ("controller-move", "unknown condition 'controller-move'"),
            ("zk-leader-is", "'zk-leader-is' takes 1 argument, got 0: expected 'zk-leader-is zkN'"),
            ("zk-leader-is 3", "'zk-leader-is': expected a ZooKeeper server like zk1, got '3'"),
            ("leader-is test 3", "expected a partition like test-2, got 'test'"),
            ("isr-excludes test-2 x", "expected a broker id like 3 or b3, got 'x'"),
            ("znode-exists controller", "expected a znode path like /controller, got 'controller'"),
            ("node-down kafka1", "expected a node name like zk2 or b1, got 'kafka1'"),
            ("all(zk-no-quorum; bogus 1)", "unknown condition 'bogus'"),
            ("all(zk-no-quorum", "not closed"),
            ("all zk-no-quorum", "in parentheses"),
            ("all(a;;b)", "empty condition"),
            ("all()", "at least one"),
            ("hw-at-least test-0 -1", "expected a number ≥ 0, got '-1'"),
        ];
        for (text, want) in cases {
            let e = parse(text).expect_err(text);
            assert!(e.contains(want), "{text:?}: {e:?} lacks {want:?}");
        }
    }

    #[test]
    fn deep_nesting_and_long_text_are_refused_without_a_panic() {
        let deep = format!("{}zk-no-quorum{}", "all(".repeat(50), ")".repeat(50));
        assert!(parse(&deep).unwrap_err().contains("nested deeper"));
        assert!(parse(&"x".repeat(5000)).unwrap_err().contains("too long"));
        for junk in [")", "(", "all(()", "all(;)", "é", "all(é)", "leader-is -1 2", "leader-is ´-1 2"] {
            let _ = parse(junk);
        }
    }
}
