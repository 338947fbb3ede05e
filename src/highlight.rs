//! Highlights: what mattered, one plain record per important change, derived from the trace
//! (the narrated state changes, user inputs and the typed messages delivered) and never from
//! inside the nodes. The page renders each with the template `highlights.<kind>` filled from
//! `args` (`www/i18n/highlights.*.json`); the timeline marks them; embedding pages subscribe.
//!
//! The narrations read here are the log lines ZooKeeper and Kafka print for these changes:
//! `QuorumPeer`/`Leader.java` ("LEADING → LOOKING", `Leader.lead` establishing an epoch),
//! `SessionTrackerImpl` ("Expiring session 0x…, timeout of …ms exceeded"), Kafka's
//! `KafkaController` (`/controller` created, broker change, partition state written by
//! `PartitionStateMachine`), `Partition.scala` (ISR updated through AlterIsr) and
//! `ReplicaFetcherThread` (truncation). Sessions are matched to their owners by the
//! `ConnectResponse` each client received, and acknowledged records by the `ProduceResponse`.
//!
//! The derivation is a pure function of the trace records in order ([`Highlighter::feed`]); a
//! [`Highlighter`] keeps the little it remembers (the controller, each partition's leader and
//! ISR, session owners) with a history, so that [`Highlighter::rewind`] returns to any earlier
//! trace position after a time-travel seek. Coalescing: a highlight of the same kind and key as
//! one at the same instant (or as the newest one) is merged into it, so a broker leaving ten
//! ISRs at once is one highlight. The newest highlights can therefore still grow: a reader asks
//! again from a few highlights back.
//!
//! Simplified: ephemeral znodes are reported when a watch reports `/controller` deleted or the
//! controller sees a broker's `/brokers/ids/N` gone (other ephemerals are not tracked);
//! violations appear only where the invariant checker runs (tests and swarm, not the page).

use crate::cluster::{Cluster, Msg, Proc};
use crate::json_out::{write_str, ToJson};
use crate::kafka::msg::KafkaMsg;
use crate::sim::trace::{TraceKind, TraceRecord};
use crate::sim::NodeId;
use crate::sorted::SortedMap;
use crate::zk::msg::ZkMsg;
use crate::zk::types::EventType;

/// The kinds, as the templates name them.
pub const KINDS: [&str; 15] = [
    "zk-leader-elected",
    "zk-quorum-lost",
    "zk-new-epoch",
    "controller-elected",
    "session-expired",
    "ephemeral-deleted",
    "broker-registered",
    "broker-gone",
    "partition-leader-changed",
    "isr-shrunk",
    "isr-expanded",
    "records-acked",
    "records-lost",
    "violation",
    "input",
];

/// Named arguments of a highlight, in the order they were set (written as a JSON object).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args(pub Vec<(&'static str, String)>);

impl Args {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
    fn set(&mut self, name: &'static str, value: String) {
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }
}

impl ToJson for Args {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(out, k);
            out.push(':');
            write_str(out, v);
        }
        out.push('}');
    }
}

crate::json_out::json_struct! {
    /// One highlight.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Highlight {
        /// Position in the list of highlights (0-based).
        pub index: u64,
        /// Virtual time of the trace record it comes from.
        pub at_us: u64,
        /// Index of that trace record (where a timeline or a seek goes).
        pub event: u64,
        /// One of [`KINDS`].
        pub kind: &'static str,
        pub args: Args,
    }
}

/// What the derivation remembers between records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Memory {
    controller: Option<(String, String)>,
    /// Partition → (leader, ISR), as the last state written or ISR update said.
    partitions: SortedMap<String, (String, Vec<String>)>,
    /// Registered brokers, as the registrations and the controllers' views said.
    live: Vec<String>,
    /// Session id (`0x…`) → the node that opened it.
    owners: SortedMap<String, String>,
    /// (tool node, correlation id) → records in a produce request.
    produced: SortedMap<(u32, u64), usize>,
}

/// Highlights derived so far, and what is needed to go on (or back).
#[derive(Clone, Debug, Default)]
pub struct Highlighter {
    list: Vec<Highlight>,
    /// The coalescing key of each highlight (same positions as `list`).
    keys: Vec<String>,
    mem: Memory,
    /// The trace index being read.
    cur: u64,
    /// The next trace index to read.
    next: u64,
    /// (trace index, memory before it) whenever a record changed the memory.
    history: Vec<(u64, Memory)>,
    violations_seen: usize,
}

impl Highlighter {
    pub fn new() -> Highlighter {
        Highlighter::default()
    }

    /// The next trace index this highlighter will read.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Highlights with `index >= since`.
    pub fn since(&self, since: u64) -> &[Highlight] {
        let from = (since.min(self.list.len() as u64)) as usize;
        &self.list[from..]
    }

    pub fn all(&self) -> &[Highlight] {
        &self.list
    }

    /// Read every kept trace record not read yet, and the checker's new violations.
    pub fn update(&mut self, c: &Cluster) {
        let w = &c.world;
        if w.trace.len() < self.next {
            self.rewind(w.trace.len());
        }
        let name = |id: NodeId| w.name(id);
        for r in w.trace.since(self.next) {
            self.feed(r, &name);
        }
        self.next = self.next.max(w.trace.len());
        let v = c.violation_lines();
        for text in v.iter().skip(self.violations_seen) {
            let at = w.now().as_micros();
            self.push(w.trace.len().saturating_sub(1), at, "violation", Args(vec![("text", text.clone())]), "");
        }
        self.violations_seen = v.len();
    }

    /// Forget everything derived from trace records at `index` and later (a seek into the past).
    pub fn rewind(&mut self, index: u64) {
        self.list.retain(|h| h.event < index);
        self.keys.truncate(self.list.len());
        if let Some(i) = self.history.iter().position(|(at, _)| *at >= index) {
            self.mem = self.history[i].1.clone();
            self.history.truncate(i);
        }
        self.next = self.next.min(index);
        self.violations_seen = self.list.iter().filter(|h| h.kind == "violation").count();
    }

    /// Derive from one trace record (records must come in trace order).
    pub fn feed(&mut self, r: &TraceRecord<Proc>, name: &dyn Fn(NodeId) -> String) {
        if r.index < self.next {
            return;
        }
        self.next = r.index + 1;
        self.cur = r.index;
        let at = r.at.as_micros();
        match &r.kind {
            TraceKind::Input(line) => self.push(r.index, at, "input", Args(vec![("line", line.clone())]), ""),
            TraceKind::Note(text) => self.note(r.index, at, &name(r.node), text),
            TraceKind::Deliver { from, msg } => self.deliver(r.index, at, r.node, *from, msg, name),
            _ => {}
        }
    }

    /// The memory, to change it while reading record `cur`: saved first for `rewind`.
    fn mem_mut(&mut self) -> &mut Memory {
        if self.history.last().map(|(i, _)| *i) != Some(self.cur) {
            self.history.push((self.cur, self.mem.clone()));
        }
        &mut self.mem
    }

    fn deliver(&mut self, index: u64, at: u64, to: NodeId, from: NodeId, msg: &Msg, name: &dyn Fn(NodeId) -> String) {
        match msg {
            Msg::Zk(ZkMsg::ConnectResponse { session, timeout_ms }) if *timeout_ms > 0 => {
                self.mem_mut().owners.insert(session.to_string(), name(to));
            }
            Msg::Zk(ZkMsg::WatchEvent { event: EventType::NodeDeleted, path }) if path == "/controller" => {
                self.push(index, at, "ephemeral-deleted", Args(vec![("paths", path.clone())]), path);
            }
            Msg::Kafka(k) => self.kafka(index, at, to, from, k, name),
            _ => {}
        }
    }

    fn kafka(&mut self, index: u64, at: u64, to: NodeId, from: NodeId, msg: &KafkaMsg, name: &dyn Fn(NodeId) -> String) {
        match msg {
            KafkaMsg::Produce { corr, values, .. } => {
                self.mem_mut().produced.insert((from.0, *corr), values.len());
            }
            KafkaMsg::ProduceResponse { corr, tp, result: Ok(base) } => {
                let n = self.mem_mut().produced.remove(&(to.0, *corr)).unwrap_or(1).max(1) as i64;
                let part = tp.to_string();
                let key = format!("{}:{part}", name(to));
                // Batches of one producer to one partition, one after the other, make one highlight.
                if let Some(h) = self.list.last_mut().filter(|h| h.kind == "records-acked" && self.keys.last() == Some(&key)) {
                    h.args.set("last", (base + n - 1).to_string());
                    let count: i64 = h.args.get("count").and_then(|c| c.parse().ok()).unwrap_or(0) + n;
                    h.args.set("count", count.to_string());
                    return;
                }
                let args = vec![
                    ("partition", part),
                    ("first", base.to_string()),
                    ("last", (base + n - 1).to_string()),
                    ("count", n.to_string()),
                    ("producer", name(to)),
                ];
                self.push(index, at, "records-acked", Args(args), &key);
            }
            _ => {}
        }
    }

    fn note(&mut self, index: u64, at: u64, node: &str, text: &str) {
        // ZooKeeper servers.
        if let Some(reason) = text.strip_prefix("LEADING → LOOKING (") {
            let reason = reason.split(')').next().unwrap_or("").to_string();
            return self.push(index, at, "zk-quorum-lost", Args(vec![("server", node.to_string()), ("reason", reason)]), node);
        }
        if let Some(rest) = text.strip_prefix("new epoch ") {
            let epoch = word(rest);
            return self.push(index, at, "zk-new-epoch", Args(vec![("server", node.to_string()), ("epoch", epoch)]), node);
        }
        if let Some(rest) = text.strip_prefix("established epoch ") {
            let epoch = rest.split(':').next().unwrap_or("").to_string();
            return self.push(index, at, "zk-leader-elected", Args(vec![("server", node.to_string()), ("epoch", epoch)]), node);
        }
        if let Some(rest) = text.strip_prefix("Expiring session ") {
            let session = rest.split(',').next().unwrap_or("").to_string();
            let owner = self.mem.owners.get(&session).cloned().unwrap_or_else(|| "?".to_string());
            let args = vec![("session", session.clone()), ("owner", owner), ("server", node.to_string())];
            return self.push(index, at, "session-expired", Args(args), &session);
        }
        // Kafka brokers and their controller.
        if let Some(rest) = text.strip_prefix("broker ") {
            let (id, rest) = split_colon(rest);
            if let Some(r) = rest.strip_prefix("created /controller — now the controller, controller epoch ") {
                let epoch = word(r);
                let previous = self.mem.controller.as_ref().map_or_else(|| "-".to_string(), |(b, _)| b.clone());
                self.mem_mut().controller = Some((id.to_string(), epoch.clone()));
                let args = vec![("broker", id.to_string()), ("epoch", epoch), ("previous", previous)];
                return self.push(index, at, "controller-elected", Args(args), "");
            }
            if rest.starts_with("registered /brokers/ids/") {
                self.set_live(id, true);
                return self.push_merged(index, at, "broker-registered", Args(vec![("brokers", id.to_string())]), "", &["brokers"]);
            }
            if let Some(r) = rest.strip_prefix("truncating ") {
                // `{tp} from {leo} to {end} (diverged from leader {l}'s log)`
                let mut w = r.split_whitespace();
                let (tp, from, to) = (w.next().unwrap_or(""), w.nth(1).unwrap_or(""), w.nth(1).unwrap_or(""));
                let leader = r.split("leader ").nth(1).map(|l| l.split('\'').next().unwrap_or("").to_string()).unwrap_or_default();
                let (Ok(from), Ok(to)) = (from.parse::<i64>(), to.parse::<i64>()) else { return };
                let args = vec![
                    ("partition", tp.to_string()),
                    ("broker", id.to_string()),
                    ("first", to.to_string()),
                    ("last", (from - 1).to_string()),
                    ("count", (from - to).to_string()),
                    ("leader", leader),
                ];
                let key = format!("{tp}:{id}");
                return self.push(index, at, "records-lost", Args(args), &key);
            }
            // `{tp}: ISR now [..] (zkVersion v)`: the leader's AlterIsr went through.
            if let Some((tp, r)) = rest.split_once(": ISR now [") {
                let isr = list(r.split(']').next().unwrap_or(""));
                let leader = self.mem.partitions.get(&tp.to_string()).map_or_else(|| id.to_string(), |(l, _)| l.clone());
                return self.partition_state(index, at, tp, leader, isr, false);
            }
            return;
        }
        if let Some(rest) = text.strip_prefix("controller ") {
            let (head, rest) = split_colon(rest);
            let controller = head.split_whitespace().next().unwrap_or("").to_string();
            // A controller's view of /brokers/ids: a new controller reads it whole, a running one
            // is told the changes.
            let dead: Vec<String> = if let Some(r) = rest.strip_prefix("broker change — new [") {
                let born = list(r.split(']').next().unwrap_or(""));
                for b in &born {
                    self.set_live(b, true);
                }
                list(r.split("dead [").nth(1).map(|d| d.trim_end_matches(']')).unwrap_or(""))
            } else if let Some(r) = rest.strip_prefix("context loaded — live brokers [") {
                let live = list(r.trim_end_matches(']'));
                self.mem.live.iter().filter(|b| !live.contains(b)).cloned().collect()
            } else {
                Vec::new()
            };
            if !dead.is_empty() {
                for b in &dead {
                    self.set_live(b, false);
                }
                let paths = dead.iter().map(|b| format!("/brokers/ids/{b}")).collect::<Vec<_>>().join(", ");
                self.push(index, at, "ephemeral-deleted", Args(vec![("paths", paths)]), "");
                let args = vec![("brokers", dead.join(", ")), ("controller", controller)];
                self.push(index, at, "broker-gone", Args(args), "");
            }
            if rest.starts_with("broker change") || rest.starts_with("context loaded") {
                return;
            }
            // `{tp} created: leader L, ISR [..] — …`, `{tp} leader A → B, ISR [..] → [..]{ (UNCLEAN election)} — …`,
            // `{tp} ISR [..] → [..] — …`
            let Some((tp, what)) = rest.split_once(' ') else { return };
            let unclean = what.contains("(UNCLEAN election)");
            if let Some(r) = what.strip_prefix("created: leader ") {
                let leader = r.split(',').next().unwrap_or("").to_string();
                let isr = list(r.split("ISR [").nth(1).and_then(|x| x.split(']').next()).unwrap_or(""));
                self.mem_mut().partitions.insert(tp.to_string(), (leader, isr));
                return;
            }
            let leader = match what.strip_prefix("leader ") {
                Some(r) => r.split(" → ").nth(1).map(|l| l.split(',').next().unwrap_or("").to_string()).unwrap_or_default(),
                None => self.mem.partitions.get(&tp.to_string()).map(|(l, _)| l.clone()).unwrap_or_default(),
            };
            let new_isr = what.rsplit(" → [").next().and_then(|x| x.split(']').next()).unwrap_or("");
            if what.starts_with("leader ") || what.starts_with("ISR [") {
                self.partition_state(index, at, tp, leader, list(new_isr), unclean);
            }
        }
    }

    /// A partition's new leader and ISR: highlights for what changed.
    fn partition_state(&mut self, index: u64, at: u64, tp: &str, leader: String, isr: Vec<String>, unclean: bool) {
        let (old_leader, old_isr) = self.mem.partitions.get(&tp.to_string()).cloned().unwrap_or_default();
        if !old_leader.is_empty() && old_leader != leader {
            let mut args = vec![("partitions", tp.to_string()), ("from", old_leader.clone()), ("to", leader.clone())];
            let key = format!("{old_leader}>{leader}{}", if unclean { "!" } else { "" });
            if unclean {
                args.push(("unclean", "true".to_string()));
            }
            self.push_merged(index, at, "partition-leader-changed", Args(args), &key, &["partitions"]);
        }
        let out: Vec<String> = old_isr.iter().filter(|b| !isr.contains(b)).cloned().collect();
        let joined: Vec<String> = isr.iter().filter(|b| !old_isr.contains(b)).cloned().collect();
        if !out.is_empty() {
            let b = out.join(", ");
            let args = vec![("partitions", tp.to_string()), ("brokers", b.clone())];
            self.push_merged(index, at, "isr-shrunk", Args(args), &b, &["partitions"]);
        }
        if !joined.is_empty() && !old_isr.is_empty() {
            let b = joined.join(", ");
            let args = vec![("partitions", tp.to_string()), ("brokers", b.clone())];
            self.push_merged(index, at, "isr-expanded", Args(args), &b, &["partitions"]);
        }
        if old_leader != leader || old_isr != isr {
            self.mem_mut().partitions.insert(tp.to_string(), (leader, isr));
        }
    }

    fn set_live(&mut self, broker: &str, up: bool) {
        if self.mem.live.iter().any(|b| b == broker) != up {
            let live = &mut self.mem_mut().live;
            if up {
                live.push(broker.to_string());
                crate::sorted::sort(live);
            } else {
                live.retain(|b| b != broker);
            }
        }
    }

    /// Append a highlight, or merge it into the same kind and key at the same instant or newest.
    fn push(&mut self, event: u64, at_us: u64, kind: &'static str, args: Args, key: &str) {
        self.push_merged(event, at_us, kind, args, key, &[]);
    }

    /// Like `push`; a merge appends the `lists` arguments (comma-separated, without repeats)
    /// and keeps the first's others. Without `lists`, a repeat is dropped. Inputs and
    /// violations are never merged.
    fn push_merged(&mut self, event: u64, at_us: u64, kind: &'static str, args: Args, key: &str, lists: &[&'static str]) {
        let n = self.list.len();
        if kind != "input" && kind != "violation" {
            let hit = (0..n)
                .rev()
                .take_while(|&i| i + 1 == n || self.list[i].at_us == at_us)
                .find(|&i| self.list[i].kind == kind && self.keys[i] == key);
            if let Some(i) = hit {
                let h = &mut self.list[i];
                for l in lists {
                    let mut items = list(h.args.get(l).unwrap_or(""));
                    for x in list(args.get(l).unwrap_or("")) {
                        if !items.contains(&x) {
                            items.push(x);
                        }
                    }
                    h.args.set(l, items.join(", "));
                }
                return;
            }
        }
        self.list.push(Highlight { index: n as u64, at_us, event, kind, args });
        self.keys.push(key.to_string());
    }
}

/// The first whitespace-separated word.
fn word(s: &str) -> String {
    s.split_whitespace().next().unwrap_or("").to_string()
}

/// `"3: rest"` → (`"3"`, `"rest"`); `"3 (epoch 2): rest"` → (`"3 (epoch 2)"`, `"rest"`).
fn split_colon(s: &str) -> (&str, &str) {
    s.split_once(": ").unwrap_or((s, ""))
}

/// `"1,2, 3"` → `["1", "2", "3"]`.
fn list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}
