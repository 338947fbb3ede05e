//! `kafka-console-producer`: its command line and the producer it runs. The lines given to it
//! are sent as one batch to one partition, and it prints the client's WARN/ERROR lines.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/tools/ConsoleProducer.scala`
//! (`ProducerConfig`, `producerProps`), `kafka/utils/CommandLineUtils.scala`
//! (`maybeMergeOptions`), `kafka/utils/ToolsUtils.scala` (`validatePortOrDie`) and the clients'
//! `producer/internals/Sender.java` (retries of retriable errors until `delivery.timeout.ms`)
//! and `producer/internals/StickyPartitionCache.java`.
//!
//! Simplified:
//! - `--messages N` is a sandbox shortcut (no stdin in the browser);
//! - the lines are one batch to one partition (what the sticky partitioner does with lines typed
//!   within `linger.ms`); retries of the same error are summarised in one line; topics are not
//!   auto-created;
//! - the option defaults (`--request-required-acks 1`, Integer `--timeout`) are those of the
//!   2.6 help output; 3.x changed them to `-1` and Long.

use std::rc::Rc;

use super::jopt::{check_required, flag, jopt_parse, opt_arg, parse_key_value_args, req, JoptError, OptSpec, HELP, VERSION};
use super::process::{time_prefix, KafkaTool, ToolJob};
use super::CliError;
use crate::kafka::assign::java_split;
use crate::kafka::broker::{KIo, KOut};
use crate::kafka::msg::{KErr, KafkaMsg};
use crate::kafka::types::{BrokerId, TopicPartition};
use crate::sim::time::Duration;
use crate::sorted::SortedMap;

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

impl KafkaTool {
    pub(super) fn producer_after_metadata(&mut self, io: &mut KIo<'_>, cmd: ProducerCmd) {
        if self.topic_meta(&cmd.topic).map(|t| t.partitions.is_empty()).unwrap_or(true) {
            if self.retries == 0 {
                self.print(format!(
                    "{} WARN [Producer clientId=console-producer] Error while fetching metadata with correlation id {} : {{{}=UNKNOWN_TOPIC_OR_PARTITION}} (org.apache.kafka.clients.NetworkClient)",
                    time_prefix(io.wall_ms()),
                    self.corr - 1,
                    cmd.topic
                ));
            }
            self.retries += 1;
            return;
        }
        self.produce(io);
    }

    pub(super) fn producer_tick(&mut self, io: &mut KIo<'_>, waited: Duration, idle: Duration) {
        if waited >= Duration::from_millis(120_000) {
            self.producer_expire(io);
            return;
        }
        if self.waiting.is_empty() && idle >= Duration::from_millis(100) {
            self.request_metadata(io);
        }
    }

    pub(super) fn produce(&mut self, io: &mut KIo<'_>) {
        let ToolJob::Producer { cmd, values } = self.job.clone() else { return };
        let Some(tm) = self.topic_meta(&cmd.topic).cloned() else { return };
        // StickyPartitionCache: a random partition with a leader, kept for the batch.
        let tp = match &self.produce_target {
            Some(tp) => tp.clone(),
            None => {
                let avail: Vec<i32> = tm.partitions.iter().filter(|p| p.leader.0 >= 0).map(|p| p.partition).collect();
                let pool: Vec<i32> = if avail.is_empty() { tm.partitions.iter().map(|p| p.partition).collect() } else { avail };
                let pick = pool[io.rng().below(pool.len() as u64) as usize];
                let tp = TopicPartition::new(cmd.topic.clone(), pick);
                self.produce_target = Some(tp.clone());
                tp
            }
        };
        let leader = tm.partitions.iter().find(|p| p.partition == tp.partition).map(|p| p.leader).unwrap_or(BrokerId::NO_LEADER);
        let Some(node) = self.brokers.get(&leader).copied() else {
            // No leader known: refresh metadata at the next tick.
            self.meta = None;
            return;
        };
        let acks: i16 = match cmd.acks {
            Acks::None => 0,
            Acks::Leader => 1,
            Acks::All => -1,
        };
        let corr = self.corr;
        self.corr += 1;
        let vals: Vec<Rc<str>> = values.iter().map(|v| Rc::from(v.as_str())).collect();
        io.send(node, KOut::Kafka(KafkaMsg::Produce { corr, acks, tp: tp.clone(), values: vals }));
        if acks == 0 {
            self.print(format!("# sandbox: {} record(s) sent to {tp} with acks=0 (no acknowledgement is awaited)", values.len()));
            self.finish(io);
        } else {
            self.waiting.insert(corr);
        }
    }

    pub(super) fn after_produce(&mut self, io: &mut KIo<'_>, tp: TopicPartition, result: Result<i64, KErr>) {
        self.last_progress = io.now();
        if let ToolJob::Load { .. } = self.job {
            match result {
                Ok(_) => self.acked += 1,
                Err(_) => {
                    self.failed += 1;
                    self.meta = None;
                }
            }
            return;
        }
        let ToolJob::Producer { cmd, values } = self.job.clone() else { return };
        match result {
            Ok(base) => {
                if self.retries > 1 {
                    self.print(format!(
                        "# sandbox: {} more retr{} of the same error before it succeeded",
                        self.retries - 1,
                        if self.retries == 2 { "y" } else { "ies" }
                    ));
                }
                let acks = match cmd.acks {
                    Acks::All => "all",
                    Acks::Leader => "1",
                    Acks::None => "0",
                };
                let last = base + values.len() as i64 - 1;
                self.print(format!(
                    "# sandbox: {} record(s) acknowledged (acks={acks}) by the leader of {tp}, offsets {base}..{last}",
                    values.len()
                ));
                self.finish(io);
            }
            Err(e) if e.retriable() => {
                if self.last_error != Some(e) {
                    self.print(format!(
                        "{} WARN [Producer clientId=console-producer] Got error produce response with correlation id {} on topic-partition {tp}, retrying ({} attempts left). Error: {} (org.apache.kafka.clients.producer.internals.Sender)",
                        time_prefix(io.wall_ms()),
                        self.corr - 1,
                        2147483646 - self.retries.min(1_000_000) as i64,
                        e.name()
                    ));
                    self.last_error = Some(e);
                    self.retries = 1;
                } else {
                    self.retries += 1;
                }
                if e == KErr::NotLeaderOrFollower {
                    self.meta = None;
                    self.print(format!(
                        "{} WARN [Producer clientId=console-producer] Received invalid metadata error in produce request on partition {tp} due to org.apache.kafka.common.errors.NotLeaderOrFollowerException: For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.. Going to request metadata update now (org.apache.kafka.clients.producer.internals.Sender)",
                        time_prefix(io.wall_ms())
                    ));
                } else {
                    // retry.backoff.ms, then resend with fresh metadata.
                    self.meta = None;
                }
            }
            Err(e) => {
                self.print(format!(
                    "{} ERROR Error when sending message to topic {} with key: null, value: {} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)",
                    time_prefix(io.wall_ms()),
                    cmd.topic,
                    values.first().map(|v| v.len()).unwrap_or(0)
                ));
                self.print(format!("{}: {}", e.exception(), e.name()));
                self.finish(io);
            }
        }
    }

    pub(super) fn producer_expire(&mut self, io: &mut KIo<'_>) {
        let ToolJob::Producer { cmd, values } = self.job.clone() else { return };
        if self.retries > 1 {
            self.print(format!("# sandbox: {} more retries of the same error", self.retries - 1));
        }
        let tp = self.produce_target.clone().map(|t| t.to_string()).unwrap_or_else(|| format!("{}-0", cmd.topic));
        self.print(format!(
            "{} ERROR Error when sending message to topic {} with key: null, value: {} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)",
            time_prefix(io.wall_ms()),
            cmd.topic,
            values.first().map(|v| v.len()).unwrap_or(0)
        ));
        self.print(format!(
            "org.apache.kafka.common.errors.TimeoutException: Expiring {} record(s) for {tp}:120000 ms has passed since batch creation",
            values.len()
        ));
        self.finish(io);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

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
    fn producer_compression_codec_does_not_swallow_the_next_option() {
        let c = producer("--bootstrap-server b:1 --compression-codec --topic t --sync").unwrap();
        assert_eq!(c.topic, "t");
        assert!(c.sync);
        let c = producer("--bootstrap-server b:1 --topic t --compression-codec gzip --property parse.key=true").unwrap();
        assert_eq!(c.reader_properties.get("parse.key").map(String::as_str), Some("true"));
    }

    #[test]
    fn producer_acks_come_from_the_option_then_the_property() {
        assert_eq!(producer("--bootstrap-server b:1 --topic t --producer-property acks=1").unwrap().acks, Acks::Leader);
        assert_eq!(producer("--bootstrap-server b:1 --topic t --producer-property acks=all").unwrap().acks, Acks::All);
        assert_eq!(
            producer("--bootstrap-server b:1 --topic t --producer-property acks=1 --request-required-acks 0").unwrap().acks,
            Acks::None
        );
    }

    #[test]
    fn producer_takes_broker_list_and_the_messages_shortcut() {
        assert_eq!(producer("--broker-list b:1 --topic t").unwrap().bootstrap_servers, "b:1");
        assert_eq!(producer("--bootstrap-server b:1 --topic t --messages 5").unwrap().messages, Some(5));
    }
}
