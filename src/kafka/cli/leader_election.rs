//! `kafka-leader-election`: its command line and what it prints. It asks the controller for a
//! preferred election of one partition or of all partitions.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/admin/LeaderElectionCommand.scala`
//! (`LeaderElectionCommandOptions`, `validate`, `run`, `electLeaders`).
//!
//! Simplified: `--election-type unclean` is parsed but refused (only preferred elections are
//! simulated); `--path-to-json-file` is never read (the file does not exist).

use std::fmt;

use super::jopt::{flag, jopt_parse, req, JoptError, OptSpec, HELP, VERSION};
use super::process::KafkaTool;
use super::CliError;
use crate::kafka::broker::KIo;
use crate::kafka::msg::{AdminOp, AdminResult, KErr};
use crate::kafka::types::TopicPartition;

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

impl KafkaTool {
    pub(super) fn election_after_metadata(&mut self, io: &mut KIo<'_>, cmd: LeaderElectionCmd) {
        let partitions = match &cmd.target {
            ElectionTarget::Partition(tp) => Some(vec![tp.clone()]),
            ElectionTarget::AllTopicPartitions => None,
            ElectionTarget::JsonFile(f) => {
                self.print(format!("Exception in thread \"main\" java.nio.file.NoSuchFileException: {f}"));
                self.finish(io);
                return;
            }
        };
        if cmd.election_type == ElectionType::Unclean {
            self.print("Exception in thread \"main\" sandbox: only --election-type preferred is simulated");
            self.finish(io);
            return;
        }
        self.send_admin(io, AdminOp::ElectPreferred { partitions });
    }

    pub(super) fn election_after_admin(&mut self, io: &mut KIo<'_>, results: Vec<AdminResult>) {
        let ok: Vec<String> = results.iter().filter(|(_, r)| r.is_ok()).map(|(k, _)| k.clone()).collect();
        let noop: Vec<String> =
            results.iter().filter(|(_, r)| matches!(r, Err((KErr::ElectionNotNeeded, _)))).map(|(k, _)| k.clone()).collect();
        let failed: Vec<(String, String)> = results
            .iter()
            .filter_map(|(k, r)| match r {
                Err((KErr::ElectionNotNeeded, _)) | Ok(()) => None,
                Err((e, m)) => Some((k.clone(), format!("{}: {m}", e.exception()))),
            })
            .collect();
        if !ok.is_empty() {
            self.print(format!("Successfully completed leader election (PREFERRED) for partitions {}", ok.join(", ")));
        }
        if !noop.is_empty() {
            self.print(format!("Valid replica already elected for partitions {}", noop.join(", ")));
        }
        if !failed.is_empty() {
            self.print(format!(
                "Error completing leader election (PREFERRED) for partition: {}",
                failed.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
            ));
            for (k, m) in &failed {
                self.print(format!("Error completing leader election (PREFERRED) for partition: {k}: {m}"));
            }
        }
        self.finish(io);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::cli::VERSION_LINE;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

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
    fn election_result_lines() {
        let parts = [TopicPartition::new("test", 2), TopicPartition::new("test", 6)];
        assert_eq!(
            election_success_line(ElectionType::Preferred, &parts),
            "Successfully completed leader election (PREFERRED) for partitions test-2, test-6"
        );
        assert_eq!(election_noop_line(&parts[..1]), "Valid replica already elected for partitions test-2");
    }

    #[test]
    fn a_json_file_target_is_handed_back_unread() {
        let f = election("--bootstrap-server b:1 --election-type preferred --path-to-json-file /tmp/e.json").unwrap();
        assert_eq!(f.target, ElectionTarget::JsonFile("/tmp/e.json".into()));
        assert_eq!(parse_leader_election_args(&argv("--version")).unwrap_err(), VERSION_LINE);
    }
}
