//! Replica assignment for new topics (no racks), and the parser of `--replica-assignment`.
//!
//! Follows Kafka 2.8 `core/src/main/scala/kafka/admin/AdminUtils.scala`
//! (`assignReplicasToBrokers`, `assignReplicasToBrokersRackUnaware`, `replicaIndex`) and
//! `core/src/main/scala/kafka/admin/TopicCommand.scala` (`parseReplicaAssignment`).
//!
//! Simplified:
//! - The rack-aware variant is not modelled: the sandbox's brokers have no `broker.rack`.
//! - `AdminUtils.rand` (a `java.util.Random`) is replaced by a `next_int(bound)` closure that the
//!   caller backs with the simulation's seeded PRNG; out-of-range answers are folded into
//!   `0..bound` instead of trusted.
//! - A sandbox-only cap ([`MAX_PARTITIONS`]) stops a learner from allocating millions of
//!   partitions; real Kafka has no such limit.
//! - `Partition 1 has different replication factor: [I@6d06d69c`: Kafka prints a JVM array's
//!   identity hash there. We print `[I@` followed by a deterministic 8-hex-digit hash of the
//!   list's contents, so replays stay identical.

use crate::kafka::types::BrokerId;
use crate::sorted::SortedMap;
use std::fmt;

/// Sandbox limit on the number of partitions one assignment may produce (not a Kafka limit).
pub const MAX_PARTITIONS: i32 = 10_000;

/// Why `AdminUtils.assignReplicasToBrokers` refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum AssignError {
    /// `InvalidPartitionsException`: `Number of partitions must be larger than 0.`
    InvalidPartitions(String),
    /// `InvalidReplicationFactorException`: `Replication factor must be larger than 0.` or
    /// `Replication factor: 5 larger than available brokers: 4.`
    InvalidReplicationFactor(String),
    /// Sandbox-only: more than [`MAX_PARTITIONS`] partitions were asked for.
    TooManyPartitions(String),
}

impl AssignError {
    /// The exception message, as `kafka-topics` prints it after
    /// `Error while executing topic command : `.
    pub fn message(&self) -> &str {
        match self {
            AssignError::InvalidPartitions(m) | AssignError::InvalidReplicationFactor(m) | AssignError::TooManyPartitions(m) => m,
        }
    }

    /// The Java exception class name, for the `ERROR ...` log line Kafka adds.
    pub fn exception_class(&self) -> &'static str {
        match self {
            AssignError::InvalidPartitions(_) => "org.apache.kafka.common.errors.InvalidPartitionsException",
            AssignError::InvalidReplicationFactor(_) => "org.apache.kafka.common.errors.InvalidReplicationFactorException",
            AssignError::TooManyPartitions(_) => "sandbox.TooManyPartitions",
        }
    }
}

impl fmt::Display for AssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// `AdminUtils.assignReplicasToBrokers` for brokers without racks: the validation, then
/// `assignReplicasToBrokersRackUnaware`.
///
/// - `brokers`: the broker list in the order Kafka iterates it (sorted by id on the
///   `--zookeeper` path).
/// - `fixed_start_index`: `-1` (any negative value) means "random": `startIndex` and then
///   `nextReplicaShift` are two independent `next_int(brokers.len())` draws, in that order.
///   Otherwise both take this value and `next_int` is never called.
/// - `start_partition_id`: `-1` for a new topic; the first partition id is `max(0, it)`.
///
/// Returns partition id → replicas (the first replica is the preferred leader).
pub fn assign_replicas_rack_unaware(
    brokers: &[BrokerId],
    n_partitions: i32,
    rf: i32,
    fixed_start_index: i32,
    start_partition_id: i32,
    next_int: &mut dyn FnMut(i32) -> i32,
) -> Result<SortedMap<i32, Vec<BrokerId>>, AssignError> {
    if n_partitions <= 0 {
        return Err(AssignError::InvalidPartitions("Number of partitions must be larger than 0.".to_string()));
    }
    if rf <= 0 {
        return Err(AssignError::InvalidReplicationFactor("Replication factor must be larger than 0.".to_string()));
    }
    if rf as i64 > brokers.len() as i64 {
        return Err(AssignError::InvalidReplicationFactor(format!(
            "Replication factor: {} larger than available brokers: {}.",
            rf,
            brokers.len()
        )));
    }
    if n_partitions > MAX_PARTITIONS {
        return Err(AssignError::TooManyPartitions(format!("The sandbox supports at most {MAX_PARTITIONS} partitions per request.")));
    }
    if (start_partition_id as i64).max(0) + n_partitions as i64 - 1 > i32::MAX as i64 {
        return Err(AssignError::TooManyPartitions(format!("Partition ids would exceed {}.", i32::MAX)));
    }
    // rf >= 1 and rf <= len, so len >= 1 from here on.
    let n = brokers.len() as i64;
    let mut draw = |bound: i64| -> i64 { (next_int(bound as i32) as i64).rem_euclid(bound) };
    let start_index: i64 = if fixed_start_index >= 0 { fixed_start_index as i64 } else { draw(n) };
    let first_partition_id: i64 = (start_partition_id as i64).max(0);
    let mut next_replica_shift: i64 = if fixed_start_index >= 0 { fixed_start_index as i64 } else { draw(n) };

    let mut ret = SortedMap::new();
    for current_partition_id in first_partition_id..first_partition_id + n_partitions as i64 {
        if current_partition_id > 0 && current_partition_id % n == 0 {
            next_replica_shift += 1;
        }
        let first_replica_index = (current_partition_id + start_index) % n;
        let mut replicas = Vec::with_capacity(rf as usize);
        replicas.push(brokers[first_replica_index as usize]);
        for j in 0..(rf as i64 - 1) {
            let idx = replica_index(first_replica_index, next_replica_shift, j, n);
            replicas.push(brokers[idx as usize]);
        }
        // Checked above: every id fits in an i32.
        ret.insert(current_partition_id as i32, replicas);
    }
    Ok(ret)
}

/// `AdminUtils.replicaIndex`: the broker index of the (j+2)-th replica. Needs `n >= 2`, which
/// holds whenever it is called (rf >= 2 and rf <= n).
fn replica_index(first_replica_index: i64, second_replica_shift: i64, j: i64, n: i64) -> i64 {
    let shift = 1 + (second_replica_shift + j) % (n - 1);
    (first_replica_index + shift) % n
}

/// `TopicCommand.parseReplicaAssignment` (2.8): `"3:2:4:1,4:3:1:2"` → partition 0 gets
/// `[3,2,4,1]`, partition 1 gets `[4,3,1,2]`.
///
/// The error is the exception message exactly as Kafka prints it after
/// `Error while executing topic command : `:
/// - `For input string: "x"` (`NumberFormatException` from `Integer.parseInt` after `trim`);
/// - `Partition replica lists may not contain duplicate entries: 1,2`;
/// - `Partition 1 has different replication factor: [I@…` (see the module notes).
///
/// Java's `String.split` semantics are kept: trailing empty pieces are dropped (`"1:2,"` is one
/// partition), inner empty pieces are errors (`For input string: ""`).
pub fn parse_replica_assignment(s: &str) -> Result<SortedMap<i32, Vec<BrokerId>>, String> {
    let mut ret: SortedMap<i32, Vec<BrokerId>> = SortedMap::new();
    let mut first_len: Option<usize> = None;
    for (i, partition) in java_split(s, ',').into_iter().enumerate() {
        let mut broker_list = Vec::new();
        for piece in java_split(partition, ':') {
            broker_list.push(java_parse_int(java_trim(piece))?);
        }
        let duplicates = duplicates_in_scala_order(&broker_list);
        if !duplicates.is_empty() {
            let joined: Vec<String> = duplicates.iter().map(|d| d.to_string()).collect();
            return Err(format!("Partition replica lists may not contain duplicate entries: {}", joined.join(",")));
        }
        let len = broker_list.len();
        let i32_index = i32::try_from(i).map_err(|_| "Too many partitions".to_string())?;
        ret.insert(i32_index, broker_list.iter().map(|b| BrokerId(*b)).collect());
        if len != *first_len.get_or_insert(len) {
            return Err(format!("Partition {} has different replication factor: [I@{}", i, fake_identity_hash(&broker_list)));
        }
    }
    Ok(ret)
}

/// Java's `String.split(String.valueOf(sep))`: split on every separator, then drop trailing
/// empty strings. An input with no separator gives `[input]` (so `""` gives `[""]`).
pub(crate) fn java_split(s: &str, sep: char) -> Vec<&str> {
    if !s.contains(sep) {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(sep).collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

/// Java's `String.trim`: strips every char `<= ' '` from both ends.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Java's `Integer.parseInt(s)` (radix 10) with its `NumberFormatException` message.
/// Only ASCII digits are accepted (Java also accepts other Unicode decimal digits).
pub(crate) fn java_parse_int(s: &str) -> Result<i32, String> {
    let err = || format!("For input string: \"{s}\"");
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let mut v: i64 = 0;
    for b in digits.bytes() {
        v = v * 10 + (b - b'0') as i64;
        if v > i32::MAX as i64 + 1 {
            return Err(err());
        }
    }
    let v = if negative { -v } else { v };
    i32::try_from(v).map_err(|_| err())
}

/// `CoreUtils.duplicates` on a Scala 2.13 collection: the values that occur more than once, in
/// the iteration order of the immutable `HashMap` that `groupBy` builds (CHAMP order of the
/// improved `Int` hashes).
fn duplicates_in_scala_order(values: &[i32]) -> Vec<i32> {
    let mut counts: SortedMap<i32, usize> = SortedMap::new();
    for v in values {
        *counts.get_or_insert_with(*v, || 0) += 1;
    }
    let dups: Vec<(i32, i32)> = counts.into_iter().filter(|(_, c)| *c > 1).map(|(v, _)| (v, v)).collect();
    crate::kafka::json::scala_immutable_hash_order(&dups)
}

/// A stand-in for a JVM identity hash code: 8 lowercase hex digits, derived (FNV-1a) from the
/// array's contents so the output is deterministic.
fn fake_identity_hash(values: &[i32]) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for v in values {
        for b in v.to_be_bytes() {
            h ^= b as u32;
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    // Identity hashes are 31-bit and usually 7–8 hex digits; keep 8 for a stable width.
    format!("{:08x}", (h & 0x7fff_ffff) | 0x1000_0000)
}

/// The seed walkthrough's assignment of `test` (10 partitions, RF 4, brokers 1..4): what
/// Kafka's algorithm gives with start index 2 and shift 2. Shared by the tests of this module,
/// `json` and `cli`.
#[cfg(test)]
pub(crate) const SEED_ASSIGNMENT: [[i32; 4]; 10] = [
    [3, 2, 4, 1],
    [4, 3, 1, 2],
    [1, 4, 2, 3],
    [2, 1, 3, 4],
    [3, 4, 1, 2],
    [4, 1, 2, 3],
    [1, 2, 3, 4],
    [2, 3, 4, 1],
    [3, 1, 2, 4],
    [4, 2, 3, 1],
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[i32]) -> Vec<BrokerId> {
        v.iter().map(|b| BrokerId(*b)).collect()
    }

    /// A `next_int` that answers the given values in order (then 0).
    fn scripted(answers: Vec<i32>) -> impl FnMut(i32) -> i32 {
        let mut it = answers.into_iter();
        move |_bound| it.next().unwrap_or(0)
    }

    fn as_lists(m: &SortedMap<i32, Vec<BrokerId>>) -> Vec<(i32, Vec<i32>)> {
        m.iter().map(|(p, r)| (*p, r.iter().map(|b| b.0).collect())).collect()
    }

    #[test]
    fn seed_assignment_comes_from_start_index_2_and_shift_2() {
        let mut next = scripted(vec![2, 2]);
        let got = assign_replicas_rack_unaware(&ids(&[1, 2, 3, 4]), 10, 4, -1, -1, &mut next).unwrap();
        let expected: Vec<(i32, Vec<i32>)> = SEED_ASSIGNMENT.iter().enumerate().map(|(p, r)| (p as i32, r.to_vec())).collect();
        assert_eq!(as_lists(&got), expected);
    }

    #[test]
    fn fixed_start_index_2_reproduces_the_seed_without_drawing() {
        let mut calls = 0;
        let mut next = |_b: i32| {
            calls += 1;
            0
        };
        let got = assign_replicas_rack_unaware(&ids(&[1, 2, 3, 4]), 10, 4, 2, -1, &mut next).unwrap();
        assert_eq!(calls, 0);
        assert_eq!(got[&0], ids(&[3, 2, 4, 1]));
        assert_eq!(got[&9], ids(&[4, 2, 3, 1]));
    }

    #[test]
    fn random_draws_are_two_calls_with_the_broker_count_as_bound() {
        let mut bounds = Vec::new();
        let mut next = |b: i32| {
            bounds.push(b);
            if bounds.len() == 1 {
                3
            } else {
                2
            }
        };
        let got = assign_replicas_rack_unaware(&ids(&[4, 1, 2, 3]), 10, 4, -1, -1, &mut next).unwrap();
        assert_eq!(bounds, vec![4, 4]);
        // SEMANTICS §8: broker order [4,1,2,3] with startIndex 3, shift 2 also gives the seed.
        assert_eq!(got[&0], ids(&[3, 2, 4, 1]));
        assert_eq!(got[&8], ids(&[3, 1, 2, 4]));
    }

    #[test]
    fn start_index_draw_comes_before_shift_draw() {
        // startIndex 0, shift 1 vs startIndex 1, shift 0 differ in the first partition.
        let mut a = scripted(vec![0, 1]);
        let mut b = scripted(vec![1, 0]);
        let ga = assign_replicas_rack_unaware(&ids(&[1, 2, 3]), 1, 2, -1, -1, &mut a).unwrap();
        let gb = assign_replicas_rack_unaware(&ids(&[1, 2, 3]), 1, 2, -1, -1, &mut b).unwrap();
        assert_eq!(ga[&0], ids(&[1, 3]));
        assert_eq!(gb[&0], ids(&[2, 3]));
    }

    #[test]
    fn admin_rack_aware_test_replica_assignment_without_racks() {
        // AdminRackAwareTest.testReplicaAssignment
        let mut next = scripted(vec![]);
        let got = assign_replicas_rack_unaware(&ids(&[0, 1, 2, 3, 4]), 10, 3, 0, -1, &mut next).unwrap();
        let expected: Vec<(i32, Vec<i32>)> = vec![
            (0, vec![0, 1, 2]),
            (1, vec![1, 2, 3]),
            (2, vec![2, 3, 4]),
            (3, vec![3, 4, 0]),
            (4, vec![4, 0, 1]),
            (5, vec![0, 2, 3]),
            (6, vec![1, 3, 4]),
            (7, vec![2, 4, 0]),
            (8, vec![3, 0, 1]),
            (9, vec![4, 1, 2]),
        ];
        assert_eq!(as_lists(&got), expected);
    }

    #[test]
    fn start_partition_id_numbers_from_it_and_restarts_the_shift() {
        // Upstream only bumps the shift when the *current* id is a multiple of the broker
        // count, so partitions added later do not inherit the bumps of partitions 4 and 8.
        let mut next = scripted(vec![]);
        let tail = assign_replicas_rack_unaware(&ids(&[1, 2, 3, 4]), 4, 4, 2, 10, &mut next).unwrap();
        assert_eq!(as_lists(&tail), vec![(10, vec![1, 4, 2, 3]), (11, vec![2, 1, 3, 4]), (12, vec![3, 4, 1, 2]), (13, vec![4, 1, 2, 3]),]);
    }

    #[test]
    fn replication_factor_one_on_one_broker_works() {
        let mut next = scripted(vec![0, 0]);
        let got = assign_replicas_rack_unaware(&ids(&[7]), 3, 1, -1, -1, &mut next).unwrap();
        assert_eq!(as_lists(&got), vec![(0, vec![7]), (1, vec![7]), (2, vec![7])]);
    }

    #[test]
    fn every_partition_gets_distinct_replicas() {
        for n in 1..=6 {
            let brokers: Vec<BrokerId> = (1..=n).map(BrokerId).collect();
            for rf in 1..=n {
                for start in 0..n {
                    let mut next = scripted(vec![]);
                    let got = assign_replicas_rack_unaware(&brokers, 20, rf, start, -1, &mut next).unwrap();
                    for replicas in got.values() {
                        let mut s = replicas.clone();
                        crate::sorted::sort(&mut s);
                        s.dedup();
                        assert_eq!(s.len(), rf as usize);
                    }
                }
            }
        }
    }

    #[test]
    fn out_of_range_draws_are_folded_into_range() {
        let mut next = scripted(vec![-1, 9]);
        let got = assign_replicas_rack_unaware(&ids(&[1, 2, 3, 4]), 2, 2, -1, -1, &mut next);
        assert!(got.is_ok());
    }

    #[test]
    fn partitions_must_be_positive() {
        let mut next = scripted(vec![]);
        let err = assign_replicas_rack_unaware(&ids(&[1]), 0, 1, -1, -1, &mut next).unwrap_err();
        assert_eq!(err.message(), "Number of partitions must be larger than 0.");
        assert!(matches!(err, AssignError::InvalidPartitions(_)));
    }

    #[test]
    fn replication_factor_must_be_positive() {
        let mut next = scripted(vec![]);
        let err = assign_replicas_rack_unaware(&ids(&[1]), 1, 0, -1, -1, &mut next).unwrap_err();
        assert_eq!(err.to_string(), "Replication factor must be larger than 0.");
    }

    #[test]
    fn replication_factor_larger_than_brokers_uses_kafkas_text() {
        let mut next = scripted(vec![]);
        let err = assign_replicas_rack_unaware(&ids(&[1, 2, 3, 4]), 10, 5, -1, -1, &mut next).unwrap_err();
        assert_eq!(err.message(), "Replication factor: 5 larger than available brokers: 4.");
        assert_eq!(err.exception_class(), "org.apache.kafka.common.errors.InvalidReplicationFactorException");
        let err = assign_replicas_rack_unaware(&[], 1, 1, -1, -1, &mut next).unwrap_err();
        assert_eq!(err.message(), "Replication factor: 1 larger than available brokers: 0.");
    }

    #[test]
    fn partition_check_comes_before_replication_factor_check() {
        let mut next = scripted(vec![]);
        let err = assign_replicas_rack_unaware(&[], -3, -3, -1, -1, &mut next).unwrap_err();
        assert!(matches!(err, AssignError::InvalidPartitions(_)));
    }

    #[test]
    fn huge_partition_counts_hit_the_sandbox_cap_instead_of_allocating() {
        let mut next = scripted(vec![]);
        let err = assign_replicas_rack_unaware(&ids(&[1]), i32::MAX, 1, -1, i32::MAX, &mut next).unwrap_err();
        assert!(matches!(err, AssignError::TooManyPartitions(_)));
    }

    #[test]
    fn partition_ids_past_i32_max_are_refused() {
        let mut next = scripted(vec![]);
        let err = assign_replicas_rack_unaware(&ids(&[1]), 2, 1, 0, i32::MAX, &mut next).unwrap_err();
        assert_eq!(err.message(), "Partition ids would exceed 2147483647.");
        let ok = assign_replicas_rack_unaware(&ids(&[1]), 1, 1, 0, i32::MAX, &mut next).unwrap();
        assert_eq!(ok.keys().copied().collect::<Vec<_>>(), vec![i32::MAX]);
    }

    #[test]
    fn replica_assignment_string_parses_in_partition_order() {
        let got = parse_replica_assignment("3:2:4:1,4:3:1:2").unwrap();
        assert_eq!(as_lists(&got), vec![(0, vec![3, 2, 4, 1]), (1, vec![4, 3, 1, 2])]);
    }

    #[test]
    fn replica_assignment_pieces_are_trimmed() {
        let got = parse_replica_assignment(" 1 : 2 , 2:1").unwrap();
        assert_eq!(as_lists(&got), vec![(0, vec![1, 2]), (1, vec![2, 1])]);
    }

    #[test]
    fn trailing_separators_are_dropped_like_java_split() {
        assert_eq!(as_lists(&parse_replica_assignment("1:2,").unwrap()), vec![(0, vec![1, 2])]);
        assert_eq!(as_lists(&parse_replica_assignment("1:2:").unwrap()), vec![(0, vec![1, 2])]);
        assert!(parse_replica_assignment(",").unwrap().is_empty());
    }

    #[test]
    fn non_numeric_broker_reports_number_format_text() {
        assert_eq!(parse_replica_assignment("1:x").unwrap_err(), "For input string: \"x\"");
        assert_eq!(parse_replica_assignment("1,,2").unwrap_err(), "For input string: \"\"");
        assert_eq!(parse_replica_assignment("1::2").unwrap_err(), "For input string: \"\"");
        assert_eq!(parse_replica_assignment("99999999999").unwrap_err(), "For input string: \"99999999999\"");
    }

    #[test]
    fn duplicate_replicas_are_rejected_with_kafkas_text() {
        assert_eq!(parse_replica_assignment("1:1").unwrap_err(), "Partition replica lists may not contain duplicate entries: 1");
    }

    #[test]
    fn several_duplicates_are_listed_in_scala_hash_order() {
        let err = parse_replica_assignment("2:1:2:1").unwrap_err();
        let expected_order = crate::kafka::json::scala_immutable_hash_order(&[(1, 1), (2, 2)]);
        let joined: Vec<String> = expected_order.iter().map(|v| v.to_string()).collect();
        assert_eq!(err, format!("Partition replica lists may not contain duplicate entries: {}", joined.join(",")));
    }

    #[test]
    fn inconsistent_replication_factor_names_the_partition() {
        let err = parse_replica_assignment("1:2,3").unwrap_err();
        assert!(err.starts_with("Partition 1 has different replication factor: [I@"), "{err}");
        assert_eq!(err.len(), "Partition 1 has different replication factor: [I@".len() + 8);
        // Deterministic.
        assert_eq!(err, parse_replica_assignment("1:2,3").unwrap_err());
    }

    #[test]
    fn java_parse_int_accepts_signs_and_rejects_garbage() {
        assert_eq!(java_parse_int("+5"), Ok(5));
        assert_eq!(java_parse_int("-2147483648"), Ok(i32::MIN));
        assert!(java_parse_int("2147483648").is_err());
        assert!(java_parse_int("-").is_err());
        assert!(java_parse_int("1 ").is_err());
        assert!(java_parse_int("١").is_err());
    }

    #[test]
    fn java_split_keeps_leading_and_inner_empties() {
        assert_eq!(java_split(",a,,b,,", ','), vec!["", "a", "", "b"]);
        assert_eq!(java_split("", ','), vec![""]);
        assert_eq!(java_split(",,", ','), Vec::<&str>::new());
    }
}
