//! Topic-level configs as `kafka-topics --config` / `--delete-config` give them: the `key=val`
//! split and the names Kafka 2.8 accepts.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/log/LogConfig.scala` (`configNames`,
//! `validateNames`) and `kafka/admin/TopicCommand.scala` (`parseTopicConfigsToBeAdded`: the
//! `\\s*=\\s*` split and its `require`).
//!
//! Simplified: config values are not validated (only names are).

use crate::kafka::json::java_concurrent_hash_map_order;
use crate::kafka::types::java_string_hash;

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
pub(super) fn validate_config_names(names: &[String]) -> Result<(), String> {
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
pub(super) fn split_config_pair(s: &str) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_pairs_split_like_the_java_regex() {
        assert_eq!(split_config_pair("a = b"), vec!["a", "b"]);
        assert_eq!(split_config_pair("a = = b"), vec!["a", "", "b"]);
        assert_eq!(split_config_pair("=b"), vec!["", "b"]);
        assert_eq!(split_config_pair("="), Vec::<String>::new());
        assert_eq!(split_config_pair("ab"), vec!["ab"]);
    }

    #[test]
    fn unknown_names_are_reported_and_known_ones_pass() {
        assert_eq!(validate_config_names(&["retention.ms".to_string(), "cleanup.policy".to_string()]), Ok(()));
        assert_eq!(validate_config_names(&["foo".to_string()]), Err("Unknown topic config name: foo".to_string()));
    }
}
