//! `kafka-console-consumer`: its command line and the consumer it runs, printing the records'
//! values and `Processed a total of N messages`.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/tools/ConsoleConsumer.scala`
//! (`ConsumerConfig`, `consumerProps`, `run`, `process`).
//!
//! Simplified: the consumer assigns itself every partition (no group coordinator, no offset
//! commits, so no `__consumer_offsets` topic); without `--timeout-ms` and `--max-messages` it
//! stops after 10 s without a new record, as if interrupted; `--whitelist` is parsed but refused
//! by the terminal; the `Options group and partition cannot be specified together.` check is
//! taken from the 3.x source.

use super::jopt::{check_required, flag, java_long_value_of, jopt_parse, parse_key_value_args, req, JoptError, OptSpec, HELP, VERSION};
use super::process::{time_prefix, KafkaTool, Position, ToolJob};
use super::CliError;
use crate::kafka::broker::{KIo, KOut};
use crate::kafka::msg::{FetchData, FetchPart, KErr, KafkaMsg};
use crate::kafka::types::{BrokerId, TopicPartition};
use crate::sim::time::Duration;
use crate::sorted::SortedMap;

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

impl KafkaTool {
    pub(super) fn consumer_after_metadata(&mut self, io: &mut KIo<'_>, cmd: ConsumerCmd) {
        let topic = cmd.topic.clone().unwrap_or_default();
        let Some(tm) = self.topic_meta(&topic).cloned() else { return };
        for p in &tm.partitions {
            if cmd.partition.map(|x| x == p.partition).unwrap_or(true) {
                let tp = TopicPartition::new(topic.clone(), p.partition);
                let start = match cmd.offset {
                    StartOffset::Earliest => 0,
                    StartOffset::At(o) => o,
                    StartOffset::Latest => -1,
                };
                self.positions.get_or_insert_with(tp, || Position { offset: start.max(0), started: start >= 0 });
            }
        }
        self.consumer_fetch(io);
    }

    pub(super) fn consumer_tick(&mut self, io: &mut KIo<'_>, cmd: &ConsumerCmd, idle: Duration) {
        let limit = cmd.timeout_ms.filter(|t| *t >= 0).map(|t| Duration::from_millis(t as u64));
        let give_up = limit.unwrap_or(Duration::from_secs(10));
        if idle >= give_up {
            if limit.is_some() {
                self.print(format!(
                    "{} ERROR Error processing message, terminating consumer process:  (kafka.tools.ConsoleConsumer$)",
                    time_prefix(io.wall_ms())
                ));
                self.print("org.apache.kafka.common.errors.TimeoutException");
            }
            self.print(format!("Processed a total of {} messages", self.consumed));
            self.finish(io);
            return;
        }
        if self.waiting.is_empty() {
            if self.meta.is_none() {
                self.request_metadata(io);
            } else {
                self.consumer_fetch(io);
            }
        }
    }

    pub(super) fn consumer_fetch(&mut self, io: &mut KIo<'_>) {
        let Some((_, _, topics)) = self.meta.as_ref() else { return };
        let mut per: SortedMap<BrokerId, Vec<FetchPart>> = SortedMap::new();
        for (tp, pos) in &self.positions {
            let Some(p) =
                topics.iter().find(|t| t.name == tp.topic).and_then(|t| t.partitions.iter().find(|p| p.partition == tp.partition))
            else {
                continue;
            };
            if p.leader.0 < 0 {
                continue;
            }
            per.get_or_default(p.leader).push(FetchPart {
                tp: tp.clone(),
                offset: if pos.started { pos.offset } else { 0 },
                last_epoch: -1,
            });
        }
        if per.is_empty() {
            self.meta = None;
            return;
        }
        for (b, parts) in per {
            let Some(node) = self.brokers.get(&b).copied() else { continue };
            let corr = self.corr;
            self.corr += 1;
            self.waiting.insert(corr);
            io.send(node, KOut::Kafka(KafkaMsg::Fetch { replica: BrokerId(-1), corr, parts }));
        }
    }

    pub(super) fn after_fetch(&mut self, io: &mut KIo<'_>, parts: Vec<FetchData>) {
        let ToolJob::Consumer(cmd) = self.job.clone() else { return };
        let max = cmd.max_messages.filter(|m| *m >= 0).map(|m| m as i64);
        for d in parts {
            if d.error == Some(KErr::NotLeaderOrFollower) {
                self.meta = None;
                continue;
            }
            let Some(pos) = self.positions.get_mut(&d.tp) else { continue };
            if !pos.started {
                pos.offset = d.high_watermark.max(0);
                pos.started = true;
                continue;
            }
            for r in d.records {
                if max.map(|m| self.consumed >= m).unwrap_or(false) {
                    break;
                }
                self.out.push(r.value.to_string());
                self.consumed += 1;
                pos.offset += 1;
                self.last_progress = io.now();
            }
        }
        if max.map(|m| self.consumed >= m).unwrap_or(false) {
            self.out.push(format!("Processed a total of {} messages", self.consumed));
            self.finish(io);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

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
    fn consumer_records_whitelist_and_group() {
        assert_eq!(consumer("--bootstrap-server b:1 --whitelist te.*").unwrap().whitelist.as_deref(), Some("te.*"));
        assert_eq!(
            consumer("--bootstrap-server b:1 --topic t --group g1 --consumer-property group.id=g1").unwrap().group.as_deref(),
            Some("g1")
        );
    }
}
