//! `kafka-topics` as Kafka 2.8's TopicCommand prints it (SEMANTICS §8 assignment, §12 output;
//! upstream core/src/main/scala/kafka/admin/TopicCommand.scala, kafka/zk/AdminZkClient.scala,
//! kafka/admin/AdminUtils.scala).

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use std::collections::BTreeSet;

use ksupport::*;
use support::*;
use zkafka_sandbox::terminal::Terminal;

const ERR: &str = "Error while executing topic command : ";

fn zkt(t: &mut Terminal, args: &str) -> Vec<String> {
    t.run_line(&format!("kafka-topics {args} --zookeeper localhost:2181")).lines
}

fn bst(t: &mut Terminal, args: &str) -> Vec<String> {
    t.run_line(&format!("kafka-topics {args} --bootstrap-server localhost:9092")).lines
}

/// The replica lists of a describe, by partition.
fn assignment(describe: &[String]) -> Vec<Vec<u32>> {
    rows(describe).iter().map(|r| row_field(r, "Replicas").split(',').map(|b| b.parse().unwrap()).collect()).collect()
}

/// AdminUtils.assignReplicasToBrokersRackUnaware with brokers [1,2,3,4] (§8).
fn rack_unaware(n_parts: usize, rf: usize, start: usize, shift0: usize) -> Vec<Vec<u32>> {
    let brokers = [1u32, 2, 3, 4];
    let n = brokers.len();
    let mut shift = shift0;
    (0..n_parts)
        .map(|pid| {
            if pid > 0 && pid % n == 0 {
                shift += 1;
            }
            let first = (pid + start) % n;
            let mut r = vec![brokers[first]];
            for j in 0..rf - 1 {
                r.push(brokers[(first + 1 + (shift + j) % (n - 1)) % n]);
            }
            r
        })
        .collect()
}

/// The (startIndex, nextReplicaShift) pairs that reproduce `a`.
fn explaining_draws(a: &[Vec<u32>], rf: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for s in 0..4 {
        for k in 0..4 {
            if rack_unaware(a.len(), rf, s, k) == a {
                v.push((s, k));
            }
        }
    }
    v
}

#[test]
fn replication_factor_larger_than_the_brokers_is_rejected_with_kafkas_text() {
    let mut t = kafka_cluster(41);
    // AdminUtils.assignReplicasToBrokers → InvalidReplicationFactorException (§8).
    assert_eq!(
        zkt(&mut t, "--create --topic big --partitions 3 --replication-factor 5"),
        vec![format!("{ERR}Replication factor: 5 larger than available brokers: 4.")]
    );
    // Through the admin client the exception arrives wrapped in an ExecutionException.
    let out = bst(&mut t, "--create --topic big --partitions 3 --replication-factor 5");
    assert_eq!(out[0], format!("{ERR}org.apache.kafka.common.errors.InvalidReplicationFactorException: Replication factor: 5 larger than available brokers: 4."));
    assert_eq!(zk(&mut t, 2181, "ls /brokers/topics"), vec!["[]"]);
    assert_clean(&t);
}

#[test]
fn creating_an_existing_topic_fails_on_both_paths() {
    let mut t = kafka_cluster(42);
    assert_eq!(zkt(&mut t, "--create --topic dup --partitions 2 --replication-factor 2"), vec!["Created topic dup."]);
    // AdminZkClient.validateTopicCreate: TopicExistsException("Topic 'dup' already exists.").
    assert_eq!(
        zkt(&mut t, "--create --topic dup --partitions 2 --replication-factor 2"),
        vec![format!("{ERR}Topic 'dup' already exists.")]
    );
    let out = bst(&mut t, "--create --topic dup --partitions 2 --replication-factor 2");
    assert_eq!(out[0], format!("{ERR}org.apache.kafka.common.errors.TopicExistsException: Topic 'dup' already exists."));
    assert_clean(&t);
}

#[test]
fn unknown_topic_on_describe_delete_and_alter_does_not_exist_as_expected() {
    let mut t = kafka_cluster(43);
    // TopicCommand.ensureTopicExists: IllegalArgumentException("Topic 'nope' does not exist as expected").
    let want = format!("{ERR}Topic 'nope' does not exist as expected");
    for args in ["--describe --topic nope", "--delete --topic nope", "--alter --topic nope --partitions 5"] {
        assert_eq!(zkt(&mut t, args)[0], want, "--zookeeper {args}");
        assert_eq!(bst(&mut t, args)[0], want, "--bootstrap-server {args}");
    }
    assert_clean(&t);
}

#[test]
fn command_line_errors_print_joptsimple_and_command_line_utils_texts() {
    let mut t = kafka_cluster(44);
    // CommandLineUtils.checkRequiredArgs (printUsageAndDie) names the option spec `[topic]`.
    assert_eq!(zkt(&mut t, "--create --partitions 1 --replication-factor 3")[0], "Missing required argument \"[topic]\"");
    // On --zookeeper without --replica-assignment, partitions and replication factor are required.
    assert_eq!(zkt(&mut t, "--create --topic x --replication-factor 3")[0], "Missing required argument \"[partitions]\"");
    // checkInvalidArgs(replicaAssignmentOpt, Set(partitionsOpt, replicationFactorOpt)).
    assert_eq!(
        zkt(&mut t, "--create --topic x --partitions 1 --replica-assignment 1:2")[0],
        "Option \"[replica-assignment]\" can't be used with option \"[partitions]\""
    );
    // joptsimple conversion happens at valueOf, inside TopicCommand's try.
    assert_eq!(
        zkt(&mut t, "--create --topic x --partitions x --replication-factor 3")[0],
        format!("{ERR}Cannot parse argument 'x' of option partitions")
    );
    // Unknown options fail in the options constructor, outside the try: uncaught in main.
    assert_eq!(
        t.run_line("kafka-topics --frobnicate").lines[0],
        "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: frobnicate is not a recognized option"
    );
    assert_eq!(zk(&mut t, 2181, "ls /brokers/topics"), vec!["[]"]);
    assert_clean(&t);
}

#[test]
fn list_prints_topics_sorted_one_per_line_on_both_paths() {
    let mut t = kafka_cluster(45);
    for name in ["zeta", "alpha", "mid"] {
        assert_eq!(
            zkt(&mut t, &format!("--create --topic {name} --partitions 1 --replication-factor 1")),
            vec!["Created topic mid.".replace("mid", name)]
        );
    }
    ok(&mut t, "sleep 1s");
    assert_eq!(zkt(&mut t, "--list"), vec!["alpha", "mid", "zeta"]);
    assert_eq!(bst(&mut t, "--list"), vec!["alpha", "mid", "zeta"]);
    assert_clean(&t);
}

#[test]
fn delete_over_zookeeper_marks_the_topic_then_the_controller_removes_it() {
    let mut t = kafka_cluster(46);
    zkt(&mut t, "--create --topic gone --partitions 3 --replication-factor 2");
    zkt(&mut t, "--create --topic kept --partitions 1 --replication-factor 1");
    ok(&mut t, "sleep 2s");
    // ZookeeperTopicService.deleteTopic: creates /admin/delete_topics/gone and prints two lines.
    assert_eq!(
        zkt(&mut t, "--delete --topic gone"),
        vec!["Topic gone is marked for deletion.", "Note: This will have no impact if delete.topic.enable is not set to true."]
    );
    // Right away, --list flags it (ZookeeperTopicService.listTopics).
    assert_eq!(zkt(&mut t, "--list"), vec!["gone - marked for deletion", "kept"]);
    ok(&mut t, "sleep 3s");
    // delete.topic.enable=true (§11): the controller deletes it and the marker.
    assert_eq!(zkt(&mut t, "--list"), vec!["kept"]);
    assert_eq!(zk(&mut t, 2181, "ls /brokers/topics"), vec!["[kept]"]);
    assert_eq!(zk(&mut t, 2181, "ls /admin/delete_topics"), vec!["[]"]);
    assert_eq!(zk(&mut t, 2181, "ls /config/topics"), vec!["[kept]"]);
    // Every broker dropped the partitions' replicas and logs.
    for b in 1..=4 {
        let br = t.cluster.broker(b).unwrap();
        assert!(br.replicas.keys().all(|tp| tp.topic != "gone"), "broker {b} still hosts gone");
        assert!(br.durable.logs.keys().all(|tp| tp.topic != "gone"), "broker {b} still has a log of gone");
    }
    // And the name can be reused.
    assert_eq!(zkt(&mut t, "--create --topic gone --partitions 1 --replication-factor 1"), vec!["Created topic gone."]);
    assert_clean(&t);
}

#[test]
fn delete_over_the_admin_client_prints_nothing_and_removes_the_topic() {
    let mut t = kafka_cluster(47);
    bst(&mut t, "--create --topic gone2 --partitions 2 --replication-factor 3");
    ok(&mut t, "sleep 2s");
    // AdminClientTopicService.deleteTopic: deleteTopics(...).all().get(), no output.
    assert_eq!(bst(&mut t, "--delete --topic gone2"), Vec::<String>::new());
    ok(&mut t, "sleep 3s");
    // AdminClientTopicService.listTopics: println(topics.mkString("\n")) — an empty list prints
    // one empty line.
    assert_eq!(bst(&mut t, "--list"), vec![String::new()]);
    assert_clean(&t);
}

#[test]
fn alter_partitions_adds_partitions_with_the_rack_unaware_continuation_and_never_decreases() {
    let mut t = kafka_cluster(48);
    zkt(&mut t, "--create --topic grow --replica-assignment 1:2:3,2:3:4,3:4:1");
    ok(&mut t, "sleep 2s");
    // ZookeeperTopicService.alterTopic prints the warning then "Adding partitions succeeded!".
    assert_eq!(
        zkt(&mut t, "--alter --topic grow --partitions 6"),
        vec![
            "WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected",
            "Adding partitions succeeded!"
        ]
    );
    ok(&mut t, "sleep 2s");
    let d = describe_zk(&mut t, "grow");
    assert!(d[0].contains("\tPartitionCount: 6\t"), "{d:?}");
    // AdminZkClient.createNewPartitionsAssignment: startIndex = index of partition 0's first
    // replica (broker 1 → 0), fixed, so the shift is 0 too; startPartitionId = 3.
    // pid 3: first 4, followers 1,2; pid 4 (multiple of 4): shift 1 → 1,3,4; pid 5: 2,4,1.
    let a = assignment(&d);
    assert_eq!(a[3..].to_vec(), vec![vec![4, 1, 2], vec![1, 3, 4], vec![2, 4, 1]]);
    // New partitions get leaders and full ISRs (new-partition election, §9).
    for r in &rows(&d)[3..] {
        assert_eq!(row_field(r, "Isr"), row_field(r, "Replicas"), "{r}");
    }
    // InvalidPartitionsException when not an increase.
    assert_eq!(
        zkt(&mut t, "--alter --topic grow --partitions 2"),
        vec![format!("{ERR}The number of partitions for a topic can only be increased. Topic grow currently has 6 partitions, 2 would not be an increase.")]
    );
    // The admin client path: CreatePartitions to the controller, no output in 2.8.
    assert_eq!(bst(&mut t, "--alter --topic grow --partitions 8"), Vec::<String>::new());
    ok(&mut t, "sleep 2s");
    assert_eq!(rows(&describe_zk(&mut t, "grow")).len(), 8);
    assert_clean(&t);
}

#[test]
fn assignments_without_explicit_replicas_follow_kafkas_rack_unaware_algorithm() {
    let mut draws = BTreeSet::new();
    for seed in 50..58u64 {
        let mut t = kafka_cluster(seed);
        assert_eq!(zkt(&mut t, "--create --topic zz --partitions 10 --replication-factor 3"), vec!["Created topic zz."]);
        assert_eq!(bst(&mut t, "--create --topic bb --partitions 9 --replication-factor 4"), vec!["Created topic bb."]);
        ok(&mut t, "sleep 2s");
        for (topic, rf, n) in [("zz", 3usize, 10usize), ("bb", 4, 9)] {
            let a = assignment(&describe_zk(&mut t, topic));
            assert_eq!(a.len(), n, "seed {seed} {topic}");
            for r in &a {
                assert_eq!(r.len(), rf);
                assert_eq!(r.iter().collect::<BTreeSet<_>>().len(), rf, "seed {seed} {topic}: duplicate replica in {r:?}");
            }
            // Consecutive partitions' first replicas rotate through the sorted brokers.
            for w in a.windows(2) {
                assert_eq!(w[1][0], w[0][0] % 4 + 1, "seed {seed} {topic}: {a:?}");
            }
            // And the whole assignment is AdminUtils' for some (startIndex, nextReplicaShift) (§8).
            let ex = explaining_draws(&a, rf);
            assert!(!ex.is_empty(), "seed {seed} {topic}: {a:?} is not a rack-unaware assignment");
            draws.insert(ex[0]);
        }
        assert_clean(&t);
    }
    // startIndex and nextReplicaShift are random draws (new Random), so seeds differ.
    assert!(draws.len() >= 3, "only {draws:?} across 16 assignments");
}

#[test]
fn bootstrap_describe_shows_non_default_configs_and_zookeeper_describe_only_overrides() {
    let mut t = kafka_cluster(59);
    bst(&mut t, "--create --topic plain --partitions 1 --replication-factor 1");
    zkt(&mut t, "--create --topic tuned --partitions 1 --replication-factor 1 --config min.insync.replicas=1 --config retention.ms=1000");
    ok(&mut t, "sleep 2s");
    // §12: on --bootstrap-server, Configs lists describeConfigs entries with !isDefault; the
    // stock server.properties sets log.segment.bytes statically → segment.bytes=1073741824.
    let d = bst(&mut t, "--describe --topic plain");
    let h: Vec<&str> = d[0].split('\t').collect();
    assert_eq!(h[0], "Topic: plain");
    assert_eq!(&h[2..], &["PartitionCount: 1", "ReplicationFactor: 1", "Configs: segment.bytes=1073741824"]);
    assert_eq!(describe_zk(&mut t, "plain")[0].split('\t').next_back().unwrap(), "Configs: ");
    // Topic overrides are DYNAMIC_TOPIC_CONFIG entries, not defaults, so they are listed too
    // (order is the admin client's Config HashMap order; compare as a set).
    let d = bst(&mut t, "--describe --topic tuned");
    let cfg = d[0].split('\t').next_back().unwrap().strip_prefix("Configs: ").unwrap().to_string();
    let got: BTreeSet<&str> = cfg.split(',').collect();
    assert_eq!(got, BTreeSet::from(["min.insync.replicas=1", "retention.ms=1000", "segment.bytes=1073741824"]), "{:?}", d[0]);
    // --zookeeper shows only the overrides (TopicCommand.ZookeeperTopicService: adminZkClient.fetchEntityConfig).
    let zcfg = describe_zk(&mut t, "tuned")[0].split('\t').next_back().unwrap().strip_prefix("Configs: ").unwrap().to_string();
    assert_eq!(zcfg.split(',').collect::<BTreeSet<_>>(), BTreeSet::from(["min.insync.replicas=1", "retention.ms=1000"]));
    // And /config/topics/tuned holds them (§6 {"version":1,"config":{...}}).
    let cj = zk(&mut t, 2181, "get /config/topics/tuned");
    assert!(
        cj[0].starts_with("{\"version\":1,\"config\":{")
            && cj[0].contains("\"min.insync.replicas\":\"1\"")
            && cj[0].contains("\"retention.ms\":\"1000\""),
        "{cj:?}"
    );
    assert_clean(&t);
}
