//! Topic-level configs as `kafka-topics --config` / `--delete-config` give them: the `key=val`
//! split, the names Kafka 2.8 accepts, and their values' types and ranges.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/log/LogConfig.scala` (`configNames`,
//! `validateNames`, the `configDef` with each config's type and validator, `validateValues`),
//! `clients/src/main/java/org/apache/kafka/common/config/ConfigDef.java` (`parseType`, `Range`,
//! `ValidString`, `ValidList`: their `ConfigException` texts), `core/src/main/scala/kafka/api/
//! ApiVersion.scala` (`ApiVersionValidator`), `kafka/server/ConfigHandler.scala`
//! (`ThrottledReplicaListValidator`) and `kafka/admin/TopicCommand.scala`
//! (`parseTopicConfigsToBeAdded`: the `\\s*=\\s*` split, its `require`, `LogConfig.validate`).
//!
//! Simplified: `message.format.version` accepts every `X.Y` from 0.8.0 to 2.8, with or without
//! a third segment or an `-IVn` suffix (Kafka checks the suffix against its exact list); DOUBLE
//! values print as Rust prints them, which is Java's `Double.toString` for ordinary numbers.

use super::jopt::{java_integer_value_of, java_long_value_of};
use super::JavaException as TopicError;
use crate::kafka::assign::java_trim;
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

/// A config's type in `LogConfig.configDef` (`ConfigDef.Type`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Type {
    Int,
    Long,
    Double,
    Boolean,
    String,
    List,
}

/// A config's validator in `LogConfig.configDef`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Check {
    None,
    /// `Range.atLeast(min)`.
    AtLeast(i64),
    /// `Range.between(min, max)`.
    Between(i64, i64),
    /// `ValidString.in(...)`.
    In(&'static [&'static str]),
    /// `ValidList.in(...)`: every element must be one of these.
    ListIn(&'static [&'static str]),
    /// `ApiVersionValidator`.
    ApiVersion,
    /// `ThrottledReplicaListValidator`.
    ThrottledReplicas,
}

/// `LogConfig.configDef` in definition order (the order `ConfigDef.parse` checks values in).
const CONFIG_DEF: [(&str, Type, Check); 26] = [
    ("segment.bytes", Type::Int, Check::AtLeast(14)),
    ("segment.ms", Type::Long, Check::AtLeast(1)),
    ("segment.jitter.ms", Type::Long, Check::AtLeast(0)),
    ("segment.index.bytes", Type::Int, Check::AtLeast(0)),
    ("flush.messages", Type::Long, Check::AtLeast(0)),
    ("flush.ms", Type::Long, Check::AtLeast(0)),
    ("retention.bytes", Type::Long, Check::None),
    ("retention.ms", Type::Long, Check::AtLeast(-1)),
    ("max.message.bytes", Type::Int, Check::AtLeast(0)),
    ("index.interval.bytes", Type::Int, Check::AtLeast(0)),
    ("delete.retention.ms", Type::Long, Check::AtLeast(0)),
    ("min.compaction.lag.ms", Type::Long, Check::AtLeast(0)),
    ("max.compaction.lag.ms", Type::Long, Check::AtLeast(1)),
    ("file.delete.delay.ms", Type::Long, Check::AtLeast(0)),
    ("min.cleanable.dirty.ratio", Type::Double, Check::Between(0, 1)),
    ("cleanup.policy", Type::List, Check::ListIn(&["compact", "delete"])),
    ("unclean.leader.election.enable", Type::Boolean, Check::None),
    ("min.insync.replicas", Type::Int, Check::AtLeast(1)),
    ("compression.type", Type::String, Check::In(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"])),
    ("preallocate", Type::Boolean, Check::None),
    ("message.format.version", Type::String, Check::ApiVersion),
    ("message.timestamp.type", Type::String, Check::In(&["CreateTime", "LogAppendTime"])),
    ("message.timestamp.difference.max.ms", Type::Long, Check::AtLeast(0)),
    ("leader.replication.throttled.replicas", Type::List, Check::ThrottledReplicas),
    ("follower.replication.throttled.replicas", Type::List, Check::ThrottledReplicas),
    ("message.downconversion.enable", Type::Boolean, Check::None),
];

const CONFIG_EXCEPTION: &str = "org.apache.kafka.common.config.ConfigException";

/// `new ConfigException(name, value, message)`.
fn config_exception(name: &str, value: &str, message: &str) -> TopicError {
    TopicError::new(CONFIG_EXCEPTION, format!("Invalid value {value} for configuration {name}: {message}"))
}

/// A parsed value: what the validators and `validateValues` look at.
enum Parsed {
    Number(f64, String),
    Long(i64),
    Text(String),
    List(Vec<String>),
    Bool,
}

fn parse_value(name: &str, value: &str, ty: Type) -> Result<Parsed, TopicError> {
    let trimmed = java_trim(value);
    let not_a_number = |t: &str| config_exception(name, value, &format!("Not a number of type {t}"));
    Ok(match ty {
        Type::Int => {
            let v = java_integer_value_of(trimmed).ok_or_else(|| not_a_number("INT"))?;
            Parsed::Long(v as i64)
        }
        Type::Long => Parsed::Long(java_long_value_of(trimmed).ok_or_else(|| not_a_number("LONG"))?),
        Type::Double => {
            let v = java_parse_double(trimmed).ok_or_else(|| not_a_number("DOUBLE"))?;
            Parsed::Number(v, java_double_to_string(v))
        }
        Type::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") || trimmed.eq_ignore_ascii_case("false") {
                Parsed::Bool
            } else {
                return Err(config_exception(name, value, "Expected value to be either true or false"));
            }
        }
        Type::String => Parsed::Text(trimmed.to_string()),
        Type::List => {
            if trimmed.is_empty() {
                Parsed::List(Vec::new())
            } else {
                // COMMA_WITH_WHITESPACE.split(trimmed, -1): trailing empty pieces are kept.
                Parsed::List(trimmed.split(',').map(|p| java_trim(p).to_string()).collect())
            }
        }
    })
}

/// `Double.parseDouble` for what a user types: decimal numbers, with an optional exponent.
fn java_parse_double(s: &str) -> Option<f64> {
    let body = s.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(s);
    let ok = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && body.chars().any(|c| c.is_ascii_digit());
    if ok {
        body.parse::<f64>().ok()
    } else if matches!(body.trim_start_matches(['+', '-']), "Infinity" | "NaN") {
        body.replace("Infinity", "inf").parse::<f64>().ok()
    } else {
        None
    }
}

/// `Double.toString` for ordinary values (`2.0`, `0.5`).
fn java_double_to_string(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else if v == v.trunc() && v.abs() < 1e7 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// The `ApiVersion` keys: `X.Y.Z` up to 0.11.0, `X.Y` after.
const API_VERSIONS: [&str; 17] = [
    "0.8.0", "0.8.1", "0.8.2", "0.9.0", "0.10.0", "0.10.1", "0.10.2", "0.11.0", "1.0", "1.1", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5",
    "2.6",
];
const API_VERSIONS_LATER: [&str; 2] = ["2.7", "2.8"];

/// `ApiVersion.apply`: the first 3 (for `0.`) or 2 dot-separated segments must name a version.
fn valid_api_version(v: &str) -> bool {
    let n = if v.starts_with("0.") { 3 } else { 2 };
    let key: Vec<&str> = v.split('.').take(n).collect();
    let key = key.join(".");
    let base = key.split_once("-IV").map(|(b, iv)| (b, !iv.is_empty() && iv.bytes().all(|c| c.is_ascii_digit())));
    let known = |k: &str| API_VERSIONS.contains(&k) || API_VERSIONS_LATER.contains(&k);
    match base {
        None => known(&key),
        Some((b, digits_ok)) => digits_ok && known(b),
    }
}

fn check_value(name: &str, raw: &str, parsed: &Parsed, check: Check) -> Result<(), TopicError> {
    match (check, parsed) {
        (Check::AtLeast(min), Parsed::Long(v)) if *v < min => {
            Err(config_exception(name, &v.to_string(), &format!("Value must be at least {min}")))
        }
        (Check::Between(min, _), Parsed::Number(v, shown)) if *v < min as f64 => {
            Err(config_exception(name, shown, &format!("Value must be at least {min}")))
        }
        (Check::Between(_, max), Parsed::Number(v, shown)) if *v > max as f64 => {
            Err(config_exception(name, shown, &format!("Value must be no more than {max}")))
        }
        (Check::In(valid), Parsed::Text(t)) if !valid.contains(&t.as_str()) => {
            Err(config_exception(name, t, &format!("String must be one of: {}", valid.join(", "))))
        }
        (Check::ListIn(valid), Parsed::List(items)) => match items.iter().find(|i| !valid.contains(&i.as_str())) {
            Some(bad) => Err(config_exception(name, bad, &format!("String must be one of: {}", valid.join(", ")))),
            None => Ok(()),
        },
        (Check::ApiVersion, Parsed::Text(t)) if !valid_api_version(t) => {
            Err(config_exception(name, t, &format!("Version `{t}` is not a valid version")))
        }
        (Check::ThrottledReplicas, Parsed::List(items)) => {
            let pair = |s: &str| {
                s.is_empty()
                    || s.split_once(':').is_some_and(|(p, b)| {
                        !p.is_empty() && !b.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit())
                    })
            };
            if items.iter().all(|i| pair(i.trim())) || items.concat().trim() == "*" {
                Ok(())
            } else {
                let _ = raw;
                Err(config_exception(
                    name,
                    &format!("[{}]", items.join(", ")),
                    &format!("{name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."),
                ))
            }
        }
        _ => Ok(()),
    }
}

/// `LogConfig.validate` over a `Properties` filled with `configs` in order (a later key wins):
/// the names (`validateNames`), every value in definition order (`ConfigDef.parse`: type, then
/// validator), then `validateValues` (the compaction lags). The error carries the exception.
pub(super) fn validate_configs(configs: &[(String, String)]) -> Result<(), TopicError> {
    let names: Vec<String> = configs.iter().map(|(k, _)| k.clone()).collect();
    validate_config_names(&names).map_err(|m| TopicError::new("org.apache.kafka.common.errors.InvalidConfigurationException", m))?;
    let value_of = |name: &str| configs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut min_lag = 0i64;
    let mut max_lag = i64::MAX;
    for (name, ty, check) in CONFIG_DEF {
        let Some(raw) = value_of(name) else { continue };
        let parsed = parse_value(name, raw, ty)?;
        check_value(name, raw, &parsed, check)?;
        if let Parsed::Long(v) = parsed {
            if name == "min.compaction.lag.ms" {
                min_lag = v;
            } else if name == "max.compaction.lag.ms" {
                max_lag = v;
            }
        }
    }
    if min_lag > max_lag {
        return Err(TopicError::new(
            "org.apache.kafka.common.errors.InvalidConfigurationException",
            format!("conflict topic config setting min.compaction.lag.ms ({min_lag}) > max.compaction.lag.ms ({max_lag})"),
        ));
    }
    Ok(())
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
