//! The JSON payloads Kafka 2.8 (Scala 2.13 build) writes into ZooKeeper, byte for byte, and
//! minimal parsers for the ones the simulation reads back.
//!
//! Follows `core/src/main/scala/kafka/zk/ZkData.scala` (`ControllerZNode`, `BrokerIdZNode`,
//! `TopicZNode`, `TopicPartitionStateZNode`, `ConfigEntityZNode`, `ClusterIdZNode`,
//! `FeatureZNode`, `ProducerIdBlockZNode`) and `kafka.utils.Json` (a plain Jackson
//! `ObjectMapper` serializing Java maps).
//!
//! **Key order.** Jackson writes a map in its iteration order, so the order is decided by which
//! JVM collection Kafka built. This module emulates each one:
//! - Scala `Map(...)` with at most 4 entries (`Map1`..`Map4`): insertion order.
//! - Scala immutable `HashMap` (5 or more entries, `groupBy`, ...): CHAMP trie order over
//!   `Hashing.improve(key.##)` — [`scala_immutable_hash_order`].
//! - Scala 2.13 `mutable.HashMap`: buckets `(h ^ h>>>16) & (len-1)`, each bucket sorted by hash,
//!   table grown when `size + 1 >= 0.75 * len` — [`scala_mutable_hash_map_order`].
//! - `java.util.Properties` (topic configs, Java 9+ where it wraps a `ConcurrentHashMap`) —
//!   [`java_concurrent_hash_map_order`]; `java.util.HashMap` — [`java_hash_map_order`].
//!
//! These reproduce the key orders of real payloads published from 2.8 clusters (checked in the
//! tests), and give the partition-key order for any partition count (not ascending past 11 partitions).
//!
//! Simplified / assumptions:
//! - Tree bins (8+ colliding keys in one Java bucket) are not modelled.
//! - Topic configs assume a Java 9+ JVM (`Properties` backed by `ConcurrentHashMap`); Java 8's
//!   `Hashtable` iterates differently.
//! - `/feature` uses a `collection.mutable.Map` in the upstream source we could read (the
//!   3.x `ZkData.scala`, whose `encode` has the same shape), giving
//!   `{"features":{},"version":1,"status":1}`, not the insertion order of a `Map3`
//!   (`{"version":1,"status":1,"features":{}}`); no 2.8 sample was at hand; see [`feature_json`].
//! - Only a PLAINTEXT listener is modelled in broker registrations.
//!
//! **Reading.** Payloads are parsed by the small hand-written parser in `json_value.rs`
//! (strict JSON, serde_json's accept/reject decisions and error messages), not by
//! `serde_json::from_str`: that keeps serde_json's deserializer and Rust's float-parsing tables
//! out of the browser module. Numbers keep their text; only integers are ever read from them.

use crate::kafka::json_value::{self, Value};
use crate::kafka::types::{java_string_hash, BrokerId, ControllerEpoch, LeaderEpoch, TopicId};
use crate::sorted::SortedMap;
use std::fmt;

// ---------------------------------------------------------------------------------------------
// JVM collection iteration orders
// ---------------------------------------------------------------------------------------------

/// Scala 2.13 `scala.collection.Hashing.improve`, applied by the immutable `HashMap`/`HashSet`.
fn scala_improve(hcode: i32) -> u32 {
    let mut h: i32 = hcode.wrapping_add(!(hcode.wrapping_shl(9)));
    h ^= ((h as u32) >> 14) as i32;
    h = h.wrapping_add(h.wrapping_shl(4));
    h ^= ((h as u32) >> 10) as i32;
    h as u32
}

/// Iteration order of a Scala 2.13 immutable `HashMap`/`HashSet` (CHAMP trie) holding `items`,
/// each given as `(value, key.##)` in insertion order. Keys must be distinct.
///
/// At each trie level (5 hash bits, lowest first) the keys alone in their slot come first, by
/// slot; then the sub-tries, by slot. Keys whose 32-bit improved hashes are equal end in a
/// collision node, in insertion order.
pub fn scala_immutable_hash_order<T: Clone>(items: &[(T, i32)]) -> Vec<T> {
    let hashed: Vec<(usize, u32)> = items.iter().enumerate().map(|(i, (_, h))| (i, scala_improve(*h))).collect();
    let mut order = Vec::with_capacity(items.len());
    champ_level(&hashed, 0, &mut order);
    pick(items, order)
}

/// The values of `items` in `order` (indices into `items`). The orders themselves are computed
/// on indices and hashes only, so that their code exists once rather than once per value type.
fn pick<T: Clone>(items: &[(T, i32)], order: Vec<usize>) -> Vec<T> {
    order.into_iter().filter_map(|i| items.get(i)).map(|(v, _)| v.clone()).collect()
}

/// One CHAMP trie level over `(index, improved hash)` pairs: appends the indices in order.
fn champ_level(items: &[(usize, u32)], shift: u32, out: &mut Vec<usize>) {
    if shift >= 32 || items.len() <= 1 {
        out.extend(items.iter().map(|(i, _)| *i));
        return;
    }
    let mut slots: SortedMap<u32, Vec<(usize, u32)>> = SortedMap::new();
    for (i, h) in items {
        slots.get_or_default((h >> shift) & 31).push((*i, *h));
    }
    for group in slots.values() {
        if group.len() == 1 {
            out.push(group[0].0);
        }
    }
    for group in slots.values() {
        if group.len() > 1 {
            champ_level(group, shift + 5, out);
        }
    }
}

/// Scala 2.13 `mutable.HashMap.tableSizeFor`.
fn scala_table_size_for(capacity: usize) -> usize {
    let c = capacity.saturating_sub(1).max(4);
    let highest = 1usize << (usize::BITS - 1 - c.leading_zeros());
    highest.saturating_mul(2).min(1 << 30)
}

/// Iteration order of a Scala 2.13 `mutable.HashMap` created with `initial_capacity` (16 for
/// `mutable.Map()`, `((n+1)/0.75).toInt` for `mutable.Map(n pairs)`) after inserting `items`
/// (`(value, key.##)`, distinct keys) in order.
pub fn scala_mutable_hash_map_order<T: Clone>(items: &[(T, i32)], initial_capacity: usize) -> Vec<T> {
    let mut len = scala_table_size_for(initial_capacity);
    let mut threshold = (len as f64 * 0.75) as usize;
    // put0 grows the table when `contentSize + 1 >= threshold`, before inserting.
    for size in 0..items.len() {
        if size + 1 >= threshold && len < (1 << 30) {
            len *= 2;
            threshold = (len as f64 * 0.75) as usize;
        }
    }
    // Buckets are sorted by improved hash (signed); equal hashes keep insertion order.
    let mut keyed: Vec<(usize, i32, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, (_, h))| {
            let improved = h ^ ((*h as u32) >> 16) as i32;
            ((improved as u32 as usize) & (len - 1), improved, i)
        })
        .collect();
    crate::sorted::sort(&mut keyed);
    pick(items, keyed.into_iter().map(|(_, _, i)| i).collect())
}

/// `java.util.HashMap` / `ConcurrentHashMap` hash spreading: `h ^ (h >>> 16)`.
fn java_spread(h: i32) -> u32 {
    (h as u32) ^ ((h as u32) >> 16)
}

/// Iteration order of a `java.util.HashMap` with the default capacity (16) after inserting
/// `items` (`(value, key.hashCode())`, distinct keys) in order: bucket by bucket, insertion
/// order within a bucket (resizes split buckets without reordering them).
pub fn java_hash_map_order<T: Clone>(items: &[(T, i32)]) -> Vec<T> {
    let mut len = 16usize;
    while items.len() > len * 3 / 4 {
        len *= 2;
    }
    // (bucket, index, index): the same key type as the Scala order's, so one sort serves both.
    let mut keyed: Vec<(usize, i32, usize)> =
        items.iter().enumerate().map(|(i, (_, h))| ((java_spread(*h) as usize) & (len - 1), i as i32, i)).collect();
    crate::sorted::sort(&mut keyed);
    pick(items, keyed.into_iter().map(|(_, _, i)| i).collect())
}

/// Iteration order of a `java.util.concurrent.ConcurrentHashMap` with an initial table of
/// `table_len` slots (16 for `java.util.Properties` on Java 9+) after inserting `items`
/// (`(value, key.hashCode())`, distinct keys) in order, single-threaded.
///
/// Unlike `HashMap`, a resize (once the count reaches 3/4 of the table) rebuilds each bin with
/// the "lastRun" trick: the nodes before the last run are prepended, so their order reverses.
pub fn java_concurrent_hash_map_order<T: Clone>(items: &[(T, i32)], table_len: usize) -> Vec<T> {
    // Clamped so that a silly argument cannot allocate a huge table up front.
    let mut len = table_len.clamp(1, 1 << 20).next_power_of_two();
    let mut table: Vec<Bin> = vec![Vec::new(); len];
    let mut size_ctl = len - (len >> 2);
    let mut count = 0usize;
    for (i, (_, h)) in items.iter().enumerate() {
        let hash = java_spread(*h) & 0x7fff_ffff;
        table[(hash as usize) & (len - 1)].push((hash, i));
        count += 1;
        while count >= size_ctl && len < (1 << 30) {
            let n = len;
            let mut next: Vec<Bin> = vec![Vec::new(); n * 2];
            for (i, bin) in table.iter().enumerate() {
                let (lo, hi) = chm_split_bin(bin, n as u32);
                next[i] = lo;
                next[i + n] = hi;
            }
            table = next;
            len = n * 2;
            size_ctl = (n << 1) - (n >> 1);
        }
    }
    pick(items, table.into_iter().flatten().map(|(_, i)| i).collect())
}

/// One `ConcurrentHashMap` bin: `(spread hash, index of the value)` in list order.
type Bin = Vec<(u32, usize)>;

/// `ConcurrentHashMap.transfer` for one linked bin.
fn chm_split_bin(bin: &[(u32, usize)], n: u32) -> (Bin, Bin) {
    if bin.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut run_bit = bin[0].0 & n;
    let mut last_run = 0usize;
    for (i, (h, _)) in bin.iter().enumerate().skip(1) {
        let b = h & n;
        if b != run_bit {
            run_bit = b;
            last_run = i;
        }
    }
    let (mut lo, mut hi) = if run_bit == 0 { (bin[last_run..].to_vec(), Vec::new()) } else { (Vec::new(), bin[last_run..].to_vec()) };
    for node in &bin[..last_run] {
        if node.0 & n == 0 {
            lo.insert(0, *node);
        } else {
            hi.insert(0, *node);
        }
    }
    (lo, hi)
}

// ---------------------------------------------------------------------------------------------
// A tiny JSON writer (Jackson's output: no spaces, `\"` `\\` `\b` `\t` `\n` `\f` `\r`, other
// control characters as `\u00XX`, everything else raw UTF-8)
// ---------------------------------------------------------------------------------------------

/// `s` as a Jackson JSON string literal, quotes included.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An object from already-encoded `(key, value)` pairs, in the given order.
fn object(pairs: &[(&str, String)]) -> String {
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}:{}", json_string(k), v)).collect();
    format!("{{{}}}", body.join(","))
}

/// An object from owned `(key, encoded value)` pairs, in the given order.
fn object_owned(pairs: &[(String, String)]) -> String {
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}:{}", json_string(k), v)).collect();
    format!("{{{}}}", body.join(","))
}

fn int_array(ids: &[BrokerId]) -> String {
    let body: Vec<String> = ids.iter().map(|b| b.0.to_string()).collect();
    format!("[{}]", body.join(","))
}

/// Orders keys the way the named Scala map iterates them, then emits the object.
fn scala_mutable_object(pairs: Vec<(&str, String)>, initial_capacity: usize) -> String {
    let keyed: Vec<((&str, String), i32)> = pairs.into_iter().map(|(k, v)| ((k, v), java_string_hash(k))).collect();
    let ordered = scala_mutable_hash_map_order(&keyed, initial_capacity);
    object(&ordered)
}

/// `TopicZNode.encode`'s inner maps: partition id (as a string) → replica list, built as an empty
/// `mutable.Map` (16 slots) and filled in partition order.
fn partition_map_json(m: &SortedMap<i32, Vec<BrokerId>>) -> String {
    let keyed: Vec<((String, String), i32)> = m
        .iter()
        .map(|(p, r)| {
            let k = p.to_string();
            let h = java_string_hash(&k);
            ((k, int_array(r)), h)
        })
        .collect();
    object_owned(&scala_mutable_hash_map_order(&keyed, 16))
}

// ---------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------

/// `/controller` (`ControllerZNode.encode`, a `Map3`):
/// `{"version":1,"brokerid":1,"timestamp":"1700000000000"}`.
pub fn controller_json(broker: BrokerId, timestamp_ms: i64) -> String {
    object(&[("version", "1".to_string()), ("brokerid", broker.0.to_string()), ("timestamp", json_string(&timestamp_ms.to_string()))])
}

/// `/brokers/ids/<id>`, JSON version 5 (IBP ≥ 2.7), Scala 2.13 build, one PLAINTEXT listener,
/// no JMX port:
/// `{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://host:9092"],"jmx_port":-1,"port":9092,"host":"host","version":5,"timestamp":"1700000000000"}`
/// (`"rack"` is added, after `"endpoints"`, only when `broker.rack` is set).
pub fn broker_registration_json(host: &str, port: i32, timestamp_ms: i64, rack: Option<&str>) -> String {
    // EndPoint.connectionString uses Utils.formatAddress: IPv6 hosts get brackets.
    let address = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
    let mut pairs = vec![
        ("version", "5".to_string()),
        ("host", json_string(host)),
        ("port", port.to_string()),
        ("endpoints", format!("[{}]", json_string(&format!("PLAINTEXT://{address}")))),
        ("jmx_port", "-1".to_string()),
        ("timestamp", json_string(&timestamp_ms.to_string())),
    ];
    if let Some(r) = rack {
        pairs.push(("rack", json_string(r)));
    }
    pairs.push(("listener_security_protocol_map", object(&[("PLAINTEXT", json_string("PLAINTEXT"))])));
    pairs.push(("features", "{}".to_string()));
    // collection.mutable.Map(6 pairs): initial capacity ((6+1)/0.75).toInt = 9.
    scala_mutable_object(pairs, 9)
}

/// `/brokers/topics/<t>` (version 3) for a freshly created topic: no reassignment in progress.
/// For the seed: `{"partitions":{"0":[3,2,4,1],...},"topic_id":"JNzi3mkbQqG0P6AEwPiATA","adding_replicas":{},"removing_replicas":{},"version":3}`.
pub fn topic_assignment_json(partitions: &SortedMap<i32, Vec<BrokerId>>, topic_id: TopicId) -> String {
    topic_assignment_json_full(partitions, Some(topic_id), &SortedMap::new(), &SortedMap::new())
}

/// `TopicZNode.encode` in full: `topic_id` is omitted when `None` (IBP < 2.8); adding/removing
/// replicas are listed only for partitions being reassigned.
///
/// Partition keys follow the Scala `mutable.HashMap` order: `"0".."9"` ascending, but e.g. 12
/// partitions give `"11","0",...,"9","10"`.
pub fn topic_assignment_json_full(
    partitions: &SortedMap<i32, Vec<BrokerId>>,
    topic_id: Option<TopicId>,
    adding: &SortedMap<i32, Vec<BrokerId>>,
    removing: &SortedMap<i32, Vec<BrokerId>>,
) -> String {
    let mut pairs = vec![
        ("version", "3".to_string()),
        ("partitions", partition_map_json(partitions)),
        ("adding_replicas", partition_map_json(adding)),
        ("removing_replicas", partition_map_json(removing)),
    ];
    if let Some(id) = topic_id {
        pairs.push(("topic_id", json_string(&id.to_string())));
    }
    // mutable.Map(4 pairs): initial capacity ((4+1)/0.75).toInt = 6, i.e. 8 slots.
    scala_mutable_object(pairs, 6)
}

/// `/brokers/topics/<t>/partitions/<p>/state` (an immutable 5-entry `HashMap`):
/// `{"controller_epoch":1,"leader":3,"version":1,"leader_epoch":0,"isr":[3,2,4,1]}`.
pub fn partition_state_json(controller_epoch: ControllerEpoch, leader: BrokerId, leader_epoch: LeaderEpoch, isr: &[BrokerId]) -> String {
    let pairs: Vec<((&str, String), i32)> = vec![
        ("version", "1".to_string()),
        ("leader", leader.0.to_string()),
        ("leader_epoch", leader_epoch.0.to_string()),
        ("controller_epoch", controller_epoch.0.to_string()),
        ("isr", int_array(isr)),
    ]
    .into_iter()
    .map(|(k, v)| ((k, v), java_string_hash(k)))
    .collect();
    object(&scala_immutable_hash_order(&pairs))
}

/// `/config/topics/<t>` (`ConfigEntityZNode.encode`): `{"version":1,"config":{...}}`, the
/// overrides in `java.util.Properties` order, assuming they were set in key order.
pub fn topic_config_json(configs: &SortedMap<String, String>) -> String {
    let ordered: Vec<(String, String)> = configs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    topic_config_json_ordered(&ordered)
}

/// Like [`topic_config_json`], with the overrides in the order they were set (which decides the
/// order of keys whose hashes collide). A repeated key keeps its first position, last value.
pub fn topic_config_json_ordered(configs: &[(String, String)]) -> String {
    let mut distinct: Vec<(String, String)> = Vec::new();
    for (k, v) in configs {
        match distinct.iter_mut().find(|(dk, _)| dk == k) {
            Some(slot) => slot.1 = v.clone(),
            None => distinct.push((k.clone(), v.clone())),
        }
    }
    let keyed: Vec<((String, String), i32)> = distinct
        .into_iter()
        .map(|(k, v)| {
            let h = java_string_hash(&k);
            ((k, json_string(&v)), h)
        })
        .collect();
    let config = object_owned(&java_concurrent_hash_map_order(&keyed, 16));
    object(&[("version", "1".to_string()), ("config", config)])
}

/// `/cluster/id` (`ClusterIdZNode.toJson`): `{"version":"1","id":"<22-char id>"}`.
pub fn cluster_id_json(id: &str) -> String {
    object(&[("version", json_string("1")), ("id", json_string(id))])
}

/// `/feature` as the 2.8 controller creates it (status Enabled, no finalized features):
/// `{"features":{},"version":1,"status":1}` (a `collection.mutable.Map`; see the module notes).
pub fn feature_json() -> String {
    scala_mutable_object(vec![("version", "1".to_string()), ("status", "1".to_string()), ("features", "{}".to_string())], 5)
}

/// `/latest_producer_id_block` (`ProducerIdBlockZNode`, a `Map4`):
/// `{"version":1,"broker":1,"block_start":"0","block_end":"999"}`.
pub fn producer_id_block_json(broker: BrokerId, block_start: i64, block_end: i64) -> String {
    object(&[
        ("version", "1".to_string()),
        ("broker", broker.0.to_string()),
        ("block_start", json_string(&block_start.to_string())),
        ("block_end", json_string(&block_end.to_string())),
    ])
}

// ---------------------------------------------------------------------------------------------
// Parsers
// ---------------------------------------------------------------------------------------------

/// A znode payload that could not be decoded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JsonError(pub String);

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

fn parse_object(json: &str) -> Result<SortedMap<String, Value>, JsonError> {
    match json_value::parse(json) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(JsonError("expected a JSON object".to_string())),
        Err(e) => Err(JsonError(format!("malformed JSON: {e}"))),
    }
}

fn field<'a>(m: &'a SortedMap<String, Value>, key: &str) -> Result<&'a Value, JsonError> {
    m.get(key).ok_or_else(|| JsonError(format!("missing field \"{key}\"")))
}

fn as_i32(v: &Value, key: &str) -> Result<i32, JsonError> {
    v.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or_else(|| JsonError(format!("field \"{key}\" is not a 32-bit integer")))
}

fn as_str<'a>(v: &'a Value, key: &str) -> Result<&'a str, JsonError> {
    v.as_str().ok_or_else(|| JsonError(format!("field \"{key}\" is not a string")))
}

fn as_i64_string(v: &Value, key: &str) -> Result<i64, JsonError> {
    as_str(v, key)?.parse::<i64>().map_err(|_| JsonError(format!("field \"{key}\" is not a number in a string")))
}

fn as_broker_list(v: &Value, key: &str) -> Result<Vec<BrokerId>, JsonError> {
    let arr = v.as_array().ok_or_else(|| JsonError(format!("field \"{key}\" is not an array")))?;
    arr.iter().map(|x| as_i32(x, key).map(BrokerId)).collect()
}

fn as_partition_map(v: &Value, key: &str) -> Result<SortedMap<i32, Vec<BrokerId>>, JsonError> {
    let obj = v.as_object().ok_or_else(|| JsonError(format!("field \"{key}\" is not an object")))?;
    let mut out = SortedMap::new();
    for (p, replicas) in obj {
        let pid = p.parse::<i32>().map_err(|_| JsonError(format!("partition key \"{p}\" in \"{key}\" is not an integer")))?;
        out.insert(pid, as_broker_list(replicas, key)?);
    }
    Ok(out)
}

/// A decoded `/state` znode (`TopicPartitionStateZNode.decode`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PartitionStateJson {
    /// `-1` ([`BrokerId::NO_LEADER`]) when the partition has no leader.
    pub leader: BrokerId,
    /// `leader_epoch`.
    pub leader_epoch: LeaderEpoch,
    /// The epoch of the controller that wrote this state.
    pub controller_epoch: ControllerEpoch,
    /// In the stored order.
    pub isr: Vec<BrokerId>,
}

/// Reads a `/state` payload; the four fields Kafka reads are required.
pub fn parse_partition_state(json: &str) -> Result<PartitionStateJson, JsonError> {
    let m = parse_object(json)?;
    Ok(PartitionStateJson {
        leader: BrokerId(as_i32(field(&m, "leader")?, "leader")?),
        leader_epoch: LeaderEpoch(as_i32(field(&m, "leader_epoch")?, "leader_epoch")?),
        controller_epoch: ControllerEpoch(as_i32(field(&m, "controller_epoch")?, "controller_epoch")?),
        isr: as_broker_list(field(&m, "isr")?, "isr")?,
    })
}

/// A decoded `/brokers/topics/<t>` znode (`TopicZNode.decode`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TopicAssignmentJson {
    /// Partition id → replicas (assignment order).
    pub partitions: SortedMap<i32, Vec<BrokerId>>,
    /// `None` for payloads written before IBP 2.8.
    pub topic_id: Option<TopicId>,
    /// Empty maps when the fields are absent (versions 1 and 2).
    pub adding_replicas: SortedMap<i32, Vec<BrokerId>>,
    /// Replicas being removed by a reassignment.
    pub removing_replicas: SortedMap<i32, Vec<BrokerId>>,
}

/// Reads a topic assignment payload. Like Kafka, a missing `partitions` gives an empty map and
/// missing `adding_replicas`/`removing_replicas`/`topic_id` are allowed.
pub fn parse_topic_assignment(json: &str) -> Result<TopicAssignmentJson, JsonError> {
    let m = parse_object(json)?;
    let map_or_empty = |key: &str| -> Result<SortedMap<i32, Vec<BrokerId>>, JsonError> {
        match m.get(key) {
            Some(v) => as_partition_map(v, key),
            None => Ok(SortedMap::new()),
        }
    };
    let topic_id = match m.get("topic_id") {
        Some(v) => Some(TopicId::parse(as_str(v, "topic_id")?).map_err(JsonError)?),
        None => None,
    };
    Ok(TopicAssignmentJson {
        partitions: map_or_empty("partitions")?,
        topic_id,
        adding_replicas: map_or_empty("adding_replicas")?,
        removing_replicas: map_or_empty("removing_replicas")?,
    })
}

/// A decoded `/controller` znode.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ControllerJson {
    /// `brokerid`: the controller.
    pub broker: BrokerId,
    /// `None` if the timestamp is absent or not a number (Kafka ignores it).
    pub timestamp_ms: Option<i64>,
}

/// Reads `/controller` (`ControllerZNode.decode` needs only `brokerid`).
pub fn parse_controller(json: &str) -> Result<ControllerJson, JsonError> {
    let m = parse_object(json)?;
    Ok(ControllerJson {
        broker: BrokerId(as_i32(field(&m, "brokerid")?, "brokerid")?),
        timestamp_ms: m.get("timestamp").and_then(|v| as_i64_string(v, "timestamp").ok()),
    })
}

/// A decoded `/brokers/ids/<id>` znode (the fields the sandbox uses).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BrokerRegistrationJson {
    /// JSON version (5 for IBP ≥ 2.7).
    pub version: i32,
    /// `None` when JSON `null` (no PLAINTEXT listener).
    pub host: Option<String>,
    /// `-1` without a PLAINTEXT listener.
    pub port: i32,
    /// `LISTENER://host:port` strings.
    pub endpoints: Vec<String>,
    /// `-1` when JMX is off.
    pub jmx_port: i32,
    /// `broker.rack`, if set.
    pub rack: Option<String>,
    /// Registration time (ms, stored as a string).
    pub timestamp_ms: Option<i64>,
}

/// Reads a broker registration; `version`, `jmx_port` and (for version ≥ 2) `endpoints` are
/// required, as in `BrokerIdZNode.decode`.
pub fn parse_broker_registration(json: &str) -> Result<BrokerRegistrationJson, JsonError> {
    let m = parse_object(json)?;
    let version = as_i32(field(&m, "version")?, "version")?;
    if version < 1 {
        return Err(JsonError(format!("Unsupported version of broker registration: {json}")));
    }
    let endpoints = match m.get("endpoints") {
        Some(Value::Array(a)) => a.iter().map(|e| as_str(e, "endpoints").map(str::to_string)).collect::<Result<_, _>>()?,
        Some(_) => return Err(JsonError("field \"endpoints\" is not an array".to_string())),
        None if version >= 2 => return Err(JsonError("missing field \"endpoints\"".to_string())),
        None => Vec::new(),
    };
    let host = match m.get("host") {
        Some(Value::Null) | None => None,
        Some(v) => Some(as_str(v, "host")?.to_string()),
    };
    let rack = match m.get("rack") {
        Some(Value::Null) | None => None,
        Some(v) => Some(as_str(v, "rack")?.to_string()),
    };
    Ok(BrokerRegistrationJson {
        version,
        host,
        port: match m.get("port") {
            Some(v) => as_i32(v, "port")?,
            None => -1,
        },
        endpoints,
        jmx_port: as_i32(field(&m, "jmx_port")?, "jmx_port")?,
        rack,
        timestamp_ms: m.get("timestamp").and_then(|v| as_i64_string(v, "timestamp").ok()),
    })
}

/// Reads `/config/topics/<t>` into its overrides (`ConfigEntityZNode.decode`); a missing
/// `config` gives no overrides. Values must be strings.
pub fn parse_topic_config(json: &str) -> Result<SortedMap<String, String>, JsonError> {
    let m = parse_object(json)?;
    let mut out = SortedMap::new();
    if let Some(Value::Object(c)) = m.get("config") {
        for (k, v) in c {
            out.insert(k.clone(), as_str(v, k)?.to_string());
        }
    }
    Ok(out)
}

/// Reads `/cluster/id` (`ClusterIdZNode.fromJson`): the `id` field.
pub fn parse_cluster_id(json: &str) -> Result<String, JsonError> {
    let m = parse_object(json)?;
    Ok(as_str(field(&m, "id")?, "id")?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[i32]) -> Vec<BrokerId> {
        v.iter().map(|b| BrokerId(*b)).collect()
    }

    fn seed_assignment() -> SortedMap<i32, Vec<BrokerId>> {
        let lists = crate::kafka::assign::SEED_ASSIGNMENT;
        lists.iter().enumerate().map(|(p, r)| (p as i32, ids(r))).collect()
    }

    fn seed_id() -> TopicId {
        TopicId::parse("JNzi3mkbQqG0P6AEwPiATA").unwrap()
    }

    #[test]
    fn controller_json_matches_the_seed() {
        assert_eq!(controller_json(BrokerId(1), 1631876996515), r#"{"version":1,"brokerid":1,"timestamp":"1631876996515"}"#);
    }

    #[test]
    fn broker_registration_uses_the_scala_2_13_key_order() {
        assert_eq!(
            broker_registration_json("host", 9092, 1700000000000, None),
            r#"{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://host:9092"],"jmx_port":-1,"port":9092,"host":"host","version":5,"timestamp":"1700000000000"}"#
        );
    }

    #[test]
    fn broker_registration_puts_rack_after_endpoints() {
        assert_eq!(
            broker_registration_json("localhost", 9093, 5, Some("r1")),
            r#"{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://localhost:9093"],"rack":"r1","jmx_port":-1,"port":9093,"host":"localhost","version":5,"timestamp":"5"}"#
        );
    }

    #[test]
    fn broker_registration_brackets_ipv6_endpoints() {
        let j = broker_registration_json("::1", 9092, 0, None);
        assert!(j.contains(r#""endpoints":["PLAINTEXT://[::1]:9092"]"#), "{j}");
        assert!(j.contains(r#""host":"::1""#), "{j}");
    }

    #[test]
    fn topic_assignment_matches_semantics_for_the_seed() {
        assert_eq!(
            topic_assignment_json(&seed_assignment(), seed_id()),
            concat!(
                r#"{"partitions":{"0":[3,2,4,1],"1":[4,3,1,2],"2":[1,4,2,3],"3":[2,1,3,4],"4":[3,4,1,2],"#,
                r#""5":[4,1,2,3],"6":[1,2,3,4],"7":[2,3,4,1],"8":[3,1,2,4],"9":[4,2,3,1]},"#,
                r#""topic_id":"JNzi3mkbQqG0P6AEwPiATA","adding_replicas":{},"removing_replicas":{},"version":3}"#
            )
        );
    }

    #[test]
    fn topic_assignment_without_topic_id_keeps_the_other_keys_in_hash_order() {
        let mut m = SortedMap::new();
        m.insert(0, ids(&[1]));
        let j = topic_assignment_json_full(&m, None, &SortedMap::new(), &SortedMap::new());
        assert_eq!(j, r#"{"partitions":{"0":[1]},"adding_replicas":{},"removing_replicas":{},"version":3}"#);
    }

    #[test]
    fn topic_assignment_lists_reassignment_replicas() {
        let mut m = SortedMap::new();
        m.insert(0, ids(&[1, 2, 3]));
        let mut adding = SortedMap::new();
        adding.insert(0, ids(&[3]));
        let mut removing = SortedMap::new();
        removing.insert(0, ids(&[4]));
        let j = topic_assignment_json_full(&m, Some(TopicId::ZERO), &adding, &removing);
        assert_eq!(
            j,
            r#"{"partitions":{"0":[1,2,3]},"topic_id":"AAAAAAAAAAAAAAAAAAAAAA","adding_replicas":{"0":[3]},"removing_replicas":{"0":[4]},"version":3}"#
        );
    }

    #[test]
    fn twelve_partitions_are_not_in_ascending_key_order() {
        let m: SortedMap<i32, Vec<BrokerId>> = (0..12).map(|p| (p, ids(&[1]))).collect();
        let j = topic_assignment_json(&m, seed_id());
        assert!(
            j.starts_with(
                r#"{"partitions":{"11":[1],"0":[1],"1":[1],"2":[1],"3":[1],"4":[1],"5":[1],"6":[1],"7":[1],"8":[1],"9":[1],"10":[1]}"#
            ),
            "{j}"
        );
    }

    #[test]
    fn eleven_partitions_put_10_last() {
        let m: SortedMap<i32, Vec<BrokerId>> = (0..11).map(|p| (p, ids(&[1]))).collect();
        let j = topic_assignment_json(&m, seed_id());
        assert!(j.contains(r#""9":[1],"10":[1]}"#), "{j}");
        assert!(j.starts_with(r#"{"partitions":{"0":[1],"1":[1]"#), "{j}");
    }

    #[test]
    fn partition_state_matches_semantics() {
        assert_eq!(
            partition_state_json(ControllerEpoch(1), BrokerId(3), LeaderEpoch(0), &ids(&[3, 2, 4, 1])),
            r#"{"controller_epoch":1,"leader":3,"version":1,"leader_epoch":0,"isr":[3,2,4,1]}"#
        );
    }

    #[test]
    fn partition_state_without_leader_writes_minus_one() {
        assert_eq!(
            partition_state_json(ControllerEpoch(2), BrokerId::NO_LEADER, LeaderEpoch(1), &ids(&[1])),
            r#"{"controller_epoch":2,"leader":-1,"version":1,"leader_epoch":1,"isr":[1]}"#
        );
    }

    #[test]
    fn empty_topic_config() {
        assert_eq!(topic_config_json(&SortedMap::new()), r#"{"version":1,"config":{}}"#);
    }

    #[test]
    fn topic_config_orders_keys_like_properties() {
        let mut c = SortedMap::new();
        c.insert("retention.ms".to_string(), "1000".to_string());
        c.insert("cleanup.policy".to_string(), "compact".to_string());
        c.insert("min.insync.replicas".to_string(), "2".to_string());
        let keyed: Vec<(&str, i32)> = c.keys().map(|k| (k.as_str(), java_string_hash(k))).collect();
        let order = java_concurrent_hash_map_order(&keyed, 16);
        let body: Vec<String> = order.iter().map(|k| format!("{}:{}", json_string(k), json_string(&c[*k]))).collect();
        assert_eq!(topic_config_json(&c), format!(r#"{{"version":1,"config":{{{}}}}}"#, body.join(",")));
    }

    #[test]
    fn topic_config_ordered_keeps_last_value_of_a_repeated_key() {
        let j = topic_config_json_ordered(&[("retention.ms".to_string(), "1".to_string()), ("retention.ms".to_string(), "2".to_string())]);
        assert_eq!(j, r#"{"version":1,"config":{"retention.ms":"2"}}"#);
    }

    #[test]
    fn cluster_id_version_is_a_string() {
        assert_eq!(cluster_id_json("abc"), r#"{"version":"1","id":"abc"}"#);
    }

    #[test]
    fn feature_znode_uses_mutable_map_order() {
        assert_eq!(feature_json(), r#"{"features":{},"version":1,"status":1}"#);
    }

    #[test]
    fn producer_id_block_keeps_insertion_order() {
        assert_eq!(producer_id_block_json(BrokerId(1), 0, 999), r#"{"version":1,"broker":1,"block_start":"0","block_end":"999"}"#);
        assert_eq!(producer_id_block_json(BrokerId(3), 1000, 1999), r#"{"version":1,"broker":3,"block_start":"1000","block_end":"1999"}"#);
    }

    #[test]
    fn strings_are_escaped_like_jackson() {
        assert_eq!(json_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(json_string("\n\t\r\u{8}\u{c}"), r#""\n\t\r\b\f""#);
        assert_eq!(json_string("\u{1}\u{1f}"), r#""\u0001\u001F""#);
        assert_eq!(json_string("é/\u{7f}"), "\"é/\u{7f}\"");
    }

    #[test]
    fn champ_order_sorts_by_lowest_hash_bits_first() {
        let items: Vec<(&str, i32)> =
            ["version", "leader", "leader_epoch", "controller_epoch", "isr"].iter().map(|k| (*k, java_string_hash(k))).collect();
        assert_eq!(scala_immutable_hash_order(&items), vec!["controller_epoch", "leader", "version", "leader_epoch", "isr"]);
    }

    #[test]
    fn champ_order_keeps_fully_colliding_keys_in_insertion_order() {
        // "Aa" and "BB" have the same Java hash.
        assert_eq!(java_string_hash("Aa"), java_string_hash("BB"));
        let items = vec![("BB", java_string_hash("BB")), ("Aa", java_string_hash("Aa"))];
        assert_eq!(scala_immutable_hash_order(&items), vec!["BB", "Aa"]);
    }

    #[test]
    fn champ_order_does_not_depend_on_insertion_order_otherwise() {
        let a: Vec<(i32, i32)> = (0..40).map(|i| (i, i * 7919)).collect();
        let mut b = a.clone();
        b.reverse();
        assert_eq!(scala_immutable_hash_order(&a), scala_immutable_hash_order(&b));
    }

    #[test]
    fn scala_table_size_for_matches_upstream() {
        assert_eq!(scala_table_size_for(16), 16);
        assert_eq!(scala_table_size_for(6), 8);
        assert_eq!(scala_table_size_for(9), 16);
        assert_eq!(scala_table_size_for(5), 8);
        assert_eq!(scala_table_size_for(0), 8);
    }

    #[test]
    fn java_hash_map_order_grows_after_twelve_entries() {
        let items: Vec<(i32, i32)> = (0..13).map(|i| (i, i * 16)).collect();
        // With 32 slots, hashes 0,32,64.. land in slot 0 and 16,48.. in slot 16.
        let got = java_hash_map_order(&items);
        assert_eq!(got[..7].to_vec(), vec![0, 2, 4, 6, 8, 10, 12]);
        let small: Vec<(i32, i32)> = (0..12).map(|i| (i, i * 16)).collect();
        assert_eq!(java_hash_map_order(&small), (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn concurrent_hash_map_resize_reverses_the_prefix_of_a_bin() {
        // Twelve keys in bin 0 of a 16-slot table: hashes 0,16,32,... alternate between the
        // low and high halves after the resize to 32 slots at the 12th insertion.
        let items: Vec<(i32, i32)> = (0..12).map(|i| (i, i * 16)).collect();
        let got = java_concurrent_hash_map_order(&items, 16);
        // lastRun is the final node (11, high); low nodes are prepended: 10,8,...,0;
        // high nodes before lastRun are prepended in front of it: 9,7,5,3,1,11.
        assert_eq!(got, vec![10, 8, 6, 4, 2, 0, 9, 7, 5, 3, 1, 11]);
    }

    #[test]
    fn concurrent_hash_map_without_resize_is_bucket_then_insertion_order() {
        let items = vec![("b", 17), ("a", 1), ("c", 2)];
        assert_eq!(java_concurrent_hash_map_order(&items, 16), vec!["b", "a", "c"]);
    }

    #[test]
    fn partition_state_round_trips() {
        let j = partition_state_json(ControllerEpoch(2), BrokerId(4), LeaderEpoch(2), &ids(&[4, 2, 3]));
        let p = parse_partition_state(&j).unwrap();
        assert_eq!(p.leader, BrokerId(4));
        assert_eq!(p.leader_epoch, LeaderEpoch(2));
        assert_eq!(p.controller_epoch, ControllerEpoch(2));
        assert_eq!(p.isr, ids(&[4, 2, 3]));
    }

    #[test]
    fn partition_state_parser_reports_missing_and_bad_fields() {
        assert!(parse_partition_state(r#"{"leader":1}"#).is_err());
        assert!(parse_partition_state("not json").is_err());
        assert!(parse_partition_state("[1]").is_err());
        assert!(parse_partition_state(r#"{"controller_epoch":1,"leader":"x","version":1,"leader_epoch":0,"isr":[]}"#).is_err());
        assert!(parse_partition_state(r#"{"controller_epoch":1,"leader":99999999999,"version":1,"leader_epoch":0,"isr":[]}"#).is_err());
    }

    #[test]
    fn topic_assignment_round_trips() {
        let j = topic_assignment_json(&seed_assignment(), seed_id());
        let t = parse_topic_assignment(&j).unwrap();
        assert_eq!(t.partitions, seed_assignment());
        assert_eq!(t.topic_id, Some(seed_id()));
        assert!(t.adding_replicas.is_empty() && t.removing_replicas.is_empty());
    }

    #[test]
    fn topic_assignment_parser_accepts_version_1_payloads() {
        let t = parse_topic_assignment(r#"{"version":1,"partitions":{"0":[1,2]}}"#).unwrap();
        assert_eq!(t.partitions[&0], ids(&[1, 2]));
        assert_eq!(t.topic_id, None);
        assert!(parse_topic_assignment(r#"{"partitions":{"x":[1]}}"#).is_err());
        assert!(parse_topic_assignment(r#"{"topic_id":"short"}"#).is_err());
    }

    #[test]
    fn controller_round_trips() {
        let c = parse_controller(&controller_json(BrokerId(4), 1631877000000)).unwrap();
        assert_eq!(c, ControllerJson { broker: BrokerId(4), timestamp_ms: Some(1631877000000) });
        assert!(parse_controller(r#"{"version":1}"#).is_err());
    }

    #[test]
    fn broker_registration_round_trips() {
        let b = parse_broker_registration(&broker_registration_json("h", 9092, 7, Some("r"))).unwrap();
        assert_eq!(b.version, 5);
        assert_eq!(b.host.as_deref(), Some("h"));
        assert_eq!(b.port, 9092);
        assert_eq!(b.endpoints, vec!["PLAINTEXT://h:9092".to_string()]);
        assert_eq!(b.jmx_port, -1);
        assert_eq!(b.rack.as_deref(), Some("r"));
        assert_eq!(b.timestamp_ms, Some(7));
        assert!(parse_broker_registration(r#"{"version":4,"jmx_port":-1}"#).is_err());
        assert!(parse_broker_registration(r#"{"version":0,"jmx_port":-1}"#).is_err());
        let null_host = parse_broker_registration(r#"{"version":5,"jmx_port":-1,"endpoints":[],"host":null,"port":-1}"#).unwrap();
        assert_eq!(null_host.host, None);
    }

    #[test]
    fn topic_config_and_cluster_id_parse_back() {
        let mut c = SortedMap::new();
        c.insert("segment.bytes".to_string(), "1073741824".to_string());
        assert_eq!(parse_topic_config(&topic_config_json(&c)).unwrap(), c);
        assert_eq!(parse_cluster_id(&cluster_id_json("xyz")).unwrap(), "xyz");
        assert!(parse_topic_config(r#"{"config":{"a":1}}"#).is_err());
    }

    /// Whether our value has the structure serde_json found; numbers are compared through the
    /// integer accessor the parsers use.
    fn same_as_serde(ours: &Value, theirs: &serde_json::Value) -> bool {
        use serde_json::Value as S;
        match (ours, theirs) {
            (Value::Null, S::Null) => true,
            (Value::Bool(a), S::Bool(b)) => a == b,
            (Value::Number(_), S::Number(_)) => ours.as_i64() == theirs.as_i64(),
            (Value::Str(a), S::String(b)) => a == b,
            (Value::Array(a), S::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_as_serde(x, y)),
            (Value::Object(a), S::Object(b)) => a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same_as_serde(v, w))),
            _ => false,
        }
    }

    /// Parses `input` with both parsers: both accept with the same structure, or both reject
    /// with the same message (text and position).
    fn check_against_serde(input: &str) {
        match (json_value::parse(input), serde_json::from_str::<serde_json::Value>(input)) {
            (Ok(ours), Ok(theirs)) => assert!(same_as_serde(&ours, &theirs), "{input:?}: parsed as {ours:?}, serde_json gives {theirs:?}"),
            (Err(ours), Err(theirs)) => {
                assert_eq!(ours.to_string(), theirs.to_string(), "message for {input:?}")
            }
            (ours, theirs) => panic!("{input:?}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    fn writer_payloads() -> Vec<String> {
        let mut reassigning = SortedMap::new();
        reassigning.insert(1, ids(&[5, 6]));
        let mut configs = SortedMap::new();
        configs.insert("segment.bytes".to_string(), "1073741824".to_string());
        configs.insert("cleanup.policy".to_string(), "compact".to_string());
        vec![
            controller_json(BrokerId(1), 1631876996515),
            broker_registration_json("h", 9092, 7, Some("r")),
            broker_registration_json("::1", 9092, 7, None),
            topic_assignment_json(&seed_assignment(), seed_id()),
            topic_assignment_json_full(&seed_assignment(), None, &reassigning, &reassigning),
            partition_state_json(ControllerEpoch(2), BrokerId(4), LeaderEpoch(2), &ids(&[4, 2])),
            topic_config_json(&configs),
            cluster_id_json("xyz\u{1}\"\\é"),
            feature_json(),
            producer_id_block_json(BrokerId(1), 0, 999),
        ]
    }

    const HAND_PICKED: &[&str] = &[
        "",
        " ",
        "1",
        "-0",
        "-",
        "-a",
        "01",
        "-01",
        "0.",
        "1.",
        ".5",
        "1.5",
        "-1.5",
        "1e3",
        "1E+3",
        "1e-3",
        "1e",
        "1e+",
        "1ex",
        "0e0",
        "1.0",
        "99999999999999999999",
        "-99999999999999999999",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "184467440737095516150.5e10",
        "1e308",
        "1e309",
        "10e308",
        "0.1e309",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "17976931348623157e292",
        "17976931348623158e292",
        "17976931348623159e292",
        "179769313486231580793728971405303415079e270",
        "1e400",
        "0e400",
        "1e-400",
        "1e99999999999",
        "1e-99999999999",
        "0e99999999999",
        "1e2147483647",
        "1e2147483648",
        "-1e2147483648",
        "null",
        "nul",
        "nulx",
        "true",
        "tru",
        "trUe",
        "false",
        "fals",
        "nan",
        "\"\"",
        "\"",
        "\"abc",
        "\"a\\",
        "\"\\q\"",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\\u20AC\"",
        "\"\\u00\"",
        "\"\\u00zz\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\ud83d",
        "\"\\ud83dx\"",
        "\"\\ud83d\\n\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ude00\"",
        "\"\\ud83d\\ud83d\"",
        "\"a\u{1}b\"",
        "\"a\nb\"",
        "\"\u{7f}é😀\"",
        "[]",
        "[",
        "[1",
        "[1,",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[1,,2]",
        "{}",
        "{",
        "{\"a\"",
        "{\"a\":",
        "{\"a\":1",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:1}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1,2}",
        "{\"a\":1,",
        "{\"a\":1,\"a\":2}",
        "{,}",
        "1 2",
        "[] x",
        " \t\r\n[ 1 , {\"k\" : [ ] } ] \n ",
        "\n\n  [1,\n  x]",
        "[1]\n\n]",
        "\u{feff}1",
        "[\u{a0}]",
        "{\"a\":1}\n,",
    ];

    #[test]
    fn the_hand_written_parser_agrees_with_serde_json_on_generated_inputs() {
        let mut inputs: Vec<String> = HAND_PICKED.iter().map(|s| s.to_string()).collect();
        inputs.extend(writer_payloads());
        for depth in [1, 126, 127, 128, 129, 200] {
            inputs.push("[".repeat(depth) + &"]".repeat(depth));
            inputs.push("{\"a\":".repeat(depth) + "1" + &"}".repeat(depth));
            inputs.push("[{\"a\":".repeat(depth / 2) + "[" + &"}]".repeat(depth / 2));
        }
        for input in &inputs {
            check_against_serde(input);
        }
        // Random mutations of the payloads and hand-picked inputs, and random strings.
        const ALPHABET: &[char] = &[
            '{', '}', '[', ']', ':', ',', '"', '\\', 'u', 'n', 't', 'f', 'e', 'E', '.', '-', '+', '0', '1', '9', 'a', 'D', '8', ' ', '\n',
            '\t', '\r', '\u{0}', '\u{1f}', 'é', '€', '😀',
        ];
        let mut rng = crate::sim::rng::Rng::new(0x15_0b);
        let random_char = |rng: &mut crate::sim::rng::Rng| ALPHABET[rng.below(ALPHABET.len() as u64) as usize];
        let random_boundary = |rng: &mut crate::sim::rng::Rng, s: &str| loop {
            let i = rng.below(s.len() as u64 + 1) as usize;
            if s.is_char_boundary(i) {
                break i;
            }
        };
        for round in 0..40_000 {
            let base = &inputs[rng.below(inputs.len() as u64) as usize];
            let mut s = base.clone();
            match round % 4 {
                0 => s.truncate(random_boundary(&mut rng, &s)),
                1 => {
                    let i = random_boundary(&mut rng, &s);
                    s.insert(i, random_char(&mut rng));
                }
                2 => {
                    let i = random_boundary(&mut rng, &s);
                    if i < s.len() {
                        s.remove(i);
                    }
                }
                _ => {
                    s = (0..rng.below(12)).map(|_| random_char(&mut rng)).collect();
                }
            }
            check_against_serde(&s);
        }
        // Numbers around f64::MAX (≈ 1.7976931348623158e308), where serde_json's float
        // arithmetic decides "number out of range": 17 to 24 digits, maybe a decimal point.
        for _ in 0..20_000 {
            let mut digits = "1797693134862315".to_string();
            for _ in 0..1 + rng.below(8) {
                digits.push(char::from(b'0' + rng.below(10) as u8));
            }
            let exponent = 308 + 1 - digits.len() as i64 + rng.below(3) as i64 - 1;
            let point = rng.below(digits.len() as u64) as usize;
            let exponent = if rng.below(2) == 0 {
                exponent
            } else {
                digits.insert(point.max(1), '.');
                exponent + (digits.len() - 1 - point.max(1)) as i64
            };
            check_against_serde(&format!("{digits}e{exponent}"));
        }
    }

    #[test]
    fn nesting_a_hundred_thousand_levels_deep_is_an_error_not_a_stack_overflow() {
        let n = 100_000;
        let arrays = "[".repeat(n) + &"]".repeat(n);
        let err = json_value::parse(&arrays).unwrap_err().to_string();
        assert_eq!(err, "recursion limit exceeded at line 1 column 128");
        let objects = "{\"a\":".repeat(n) + &"}".repeat(n);
        assert!(json_value::parse(&objects).is_err());
        assert!(parse_partition_state(&arrays).unwrap_err().0.starts_with("malformed JSON: "));
    }

    #[test]
    fn integer_accessors_read_only_integers_like_serde_json() {
        for (text, expected) in [
            ("1", Some(1)),
            ("-7", Some(-7)),
            ("-0", None),
            ("1.0", None),
            ("1e3", None),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("-9223372036854775808", Some(i64::MIN)),
            ("99999999999999999999", None),
        ] {
            let ours = json_value::parse(text).unwrap();
            assert_eq!(ours.as_i64(), expected, "{text}");
            assert_eq!(serde_json::from_str::<serde_json::Value>(text).unwrap().as_i64(), expected);
        }
        assert_eq!(parse_controller(r#"{"brokerid":1.0}"#).unwrap_err().0, "field \"brokerid\" is not a 32-bit integer");
        assert_eq!(parse_controller(r#"{"brokerid":1,"brokerid":2}"#).unwrap().broker, BrokerId(2));
    }
}
