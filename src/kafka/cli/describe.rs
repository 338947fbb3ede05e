//! The `kafka-topics --describe` output: the topic line, the partition lines, and the report
//! filters (`--under-replicated-partitions`, `--unavailable-partitions`,
//! `--under-min-isr-partitions`, `--at-min-isr-partitions`, `--topics-with-overrides`).
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/admin/TopicCommand.scala`
//! (`TopicDescription.printDescription`, `PartitionDescription.printDescription`,
//! `DescribeOptions`, `ZookeeperTopicService.describeTopic`).
//!
//! Simplified: configs print in `java.util.HashMap` order of the entries given; which entries
//! are non-default is the caller's business.

use crate::kafka::json::{java_hash_map_order, scala_immutable_hash_order};
use crate::kafka::types::{java_string_hash, BrokerId, TopicId, TopicPartition};
use crate::sorted::SortedMap;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[i32]) -> Vec<BrokerId> {
        v.iter().map(|b| BrokerId(*b)).collect()
    }

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
}
