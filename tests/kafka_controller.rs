//! Controller election, broker registration and the znodes a 2.8 cluster creates
//! (SEMANTICS §6 ZooKeeper paths and JSON payloads, §7 controller election and failover).

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;
use zkafka_sandbox::kafka::broker::Phase;

/// The timestamp inside `{"version":1,"brokerid":B,"timestamp":"<ms>"}`, checking the exact shape.
fn controller_json_timestamp(json: &str, broker: u32) -> u64 {
    let prefix = format!("{{\"version\":1,\"brokerid\":{broker},\"timestamp\":\"");
    let rest = json.strip_prefix(&prefix).unwrap_or_else(|| panic!("`{json}` is not the /controller JSON of broker {broker}"));
    let ts = rest.strip_suffix("\"}").unwrap_or_else(|| panic!("`{json}`: timestamp is a string and closes the object"));
    assert!(!ts.is_empty() && ts.chars().all(|c| c.is_ascii_digit()), "{json}");
    ts.parse().unwrap()
}

#[test]
fn first_broker_started_becomes_controller_with_epoch_1() {
    let mut t = sandbox(11);
    seed_ensemble(&mut t);
    // One second between starts so "first" is unambiguous.
    for b in 1..=4 {
        ok(&mut t, &format!("kafka-server-start -daemon config/server{b}.properties"));
        ok(&mut t, "sleep 1s");
    }
    ok(&mut t, "sleep 3s");
    // §6: /controller = {"version":1,"brokerid":1,"timestamp":"<ms as a string>"}, dataVersion 0,
    // ephemeral of broker 1's session, created in the same multi as /controller_epoch's setData.
    let (json, cst) = get_s(&mut t, 2181, "/controller");
    let ts = controller_json_timestamp(&json, 1);
    assert!((ts / 1000).abs_diff(parse_java_date(&cst.ctime)) <= 1, "timestamp {ts} vs ctime {}", cst.ctime);
    assert_eq!(cst.data_version, 0);
    let (_, reg) = get_s(&mut t, 2181, "/brokers/ids/1");
    assert_eq!(cst.ephemeral_owner, reg.ephemeral_owner, "/controller belongs to broker 1's session");
    // §7 elect(): /controller_epoch missing → created with "0", then set to 1 in the multi.
    let (epoch, est) = get_s(&mut t, 2181, "/controller_epoch");
    assert_eq!(epoch, "1");
    assert_eq!(est.data_version, 1);
    assert_eq!(est.ephemeral_owner, 0, "/controller_epoch is persistent");
    assert_eq!(cst.czxid, est.mzxid, "/controller create and /controller_epoch setData are one txn");
    assert!(est.czxid < est.mzxid, "/controller_epoch was created before the election multi");
    assert_eq!(controllers(&t), vec![1]);
    assert_eq!(t.cluster.controller().unwrap().ctl.as_ref().unwrap().epoch.0, 1);
    assert_clean(&t);
}

#[test]
fn ls_root_after_start_shows_the_twelve_top_level_znodes() {
    let mut t = kafka_cluster(12);
    // §6 "Top-level after a 2.8 cluster has started, as printed by ls /".
    assert_eq!(
        zk(&mut t, 2181, "ls /"),
        vec!["[admin, brokers, cluster, config, consumers, controller, controller_epoch, feature, isr_change_notification, latest_producer_id_block, log_dir_event_notification, zookeeper]"]
    );
    assert_eq!(zk(&mut t, 2182, "ls /brokers/ids"), vec!["[1, 2, 3, 4]"]);
    // /feature (IBP ≥ 2.7, created by the controller). ZkData.scala FeatureZNode.encode builds a
    // `collection.mutable.Map(version, status, features)`, so the keys come in Scala 2.13
    // mutable.HashMap order: improved String hashes give buckets features=1, version=13,
    // status=15 (SEMANTICS §6's "Map3 insertion order" is wrong here; the code says mutable.Map).
    assert_eq!(zk(&mut t, 2181, "get /feature"), vec!["{\"features\":{},\"version\":1,\"status\":1}"]);
    let cid = zk(&mut t, 2181, "get /cluster/id");
    let id = cid[0].strip_prefix("{\"version\":\"1\",\"id\":\"").and_then(|s| s.strip_suffix("\"}")).unwrap_or_else(|| panic!("{cid:?}"));
    assert_eq!(id.len(), 22, "{id}");
    assert_clean(&t);
}

#[test]
fn broker_registration_is_a_checked_ephemeral_with_data_version_1() {
    let mut t = kafka_cluster(13);
    for b in 1..=4u32 {
        let (json, st) = get_s(&mut t, 2181, &format!("/brokers/ids/{b}"));
        let port = 9091 + b;
        // §6 JSON v5, 2.13 build key order.
        let prefix = format!(
            "{{\"features\":{{}},\"listener_security_protocol_map\":{{\"PLAINTEXT\":\"PLAINTEXT\"}},\"endpoints\":[\"PLAINTEXT://localhost:{port}\"],\"jmx_port\":-1,\"port\":{port},\"host\":\"localhost\",\"version\":5,\"timestamp\":\""
        );
        assert!(json.starts_with(&prefix) && json.ends_with("\"}"), "broker {b}: {json}");
        // §6: create with null data then setData(version 0) in one multi → dataVersion 1, mZxid == cZxid.
        assert_eq!(st.data_version, 1, "broker {b}");
        assert_eq!(st.mzxid, st.czxid, "broker {b}");
        assert_ne!(st.ephemeral_owner, 0, "broker {b}");
        // §6: the broker epoch is the czxid of the registration.
        assert_eq!(t.cluster.broker(b).unwrap().broker_epoch as u64, st.czxid, "broker {b}");
    }
    assert_clean(&t);
}

#[test]
fn each_broker_start_allocates_a_producer_id_block_of_1000() {
    let mut t = kafka_cluster(14);
    // §6 /latest_producer_id_block: blocks 0–999, 1000–1999, ... ; the fourth start holds 3000–3999.
    let (json, st) = get_s(&mut t, 2181, "/latest_producer_id_block");
    assert!(json.starts_with("{\"version\":1,\"broker\":"), "{json}");
    assert!(json.ends_with(",\"block_start\":\"3000\",\"block_end\":\"3999\"}"), "{json}");
    // Created empty among the persistent paths, then one conditional setData per broker.
    assert_eq!(st.data_version, 4);
    assert_clean(&t);
}

#[test]
fn exactly_one_controller_at_a_time_across_seeds_and_a_new_one_after_the_controller_dies() {
    for seed in 100..116u64 {
        let mut t = kafka_cluster(seed);
        let c1 = controllers(&t);
        assert_eq!(c1.len(), 1, "seed {seed}: {:?}", t.status());
        assert_eq!(controller_id(&mut t), c1[0], "seed {seed}");
        ok(&mut t, &format!("broker kill {}", c1[0]));
        ok(&mut t, "sleep 25s");
        // §7: all survivors race to create /controller; exactly one wins, epoch 1 → 2.
        let c2 = controllers(&t);
        assert_eq!(c2.len(), 1, "seed {seed}: {:?}", t.status());
        assert_ne!(c2[0], c1[0], "seed {seed}");
        assert_eq!(controller_id(&mut t), c2[0], "seed {seed}");
        assert_eq!(t.cluster.controller().unwrap().ctl.as_ref().unwrap().epoch.0, 2, "seed {seed}");
        let (e, est) = get_s(&mut t, 2181, "/controller_epoch");
        assert_eq!((e.as_str(), est.data_version), ("2", 2), "seed {seed}");
        let (_, cst) = get_s(&mut t, 2181, "/controller");
        assert_eq!(cst.czxid, est.mzxid, "seed {seed}: one multi");
        // Every live broker knows who the controller is (UpdateMetadata carries it, §7 step 6).
        for b in (1..=4).filter(|&b| b != c1[0]) {
            assert_eq!(t.cluster.broker(b).unwrap().active_controller.map(|x| x.0 as u32), Some(c2[0]), "seed {seed} broker {b}");
        }
        assert_clean(&t);
    }
}

#[test]
fn restart_before_the_old_session_expires_fails_to_register_with_the_real_error() {
    let mut t = kafka_cluster(15);
    let (_, old) = get_s(&mut t, 2181, "/brokers/ids/2");
    ok(&mut t, "broker kill 2");
    ok(&mut t, "sleep 2s");
    let out = ok(&mut t, "kafka-server-start config/server2.properties");
    ok(&mut t, "sleep 2s");
    // §6 / KafkaZkClient.CheckedEphemeral.getAfterNodeExists: the owner (old session) and the
    // current session are printed as decimal longs; then KafkaServer.startup's fatal(...) and exit.
    let all = out.join("\n");
    let needle = format!(
        "ERROR Error while creating ephemeral at /brokers/ids/2, node already exists and owner '{}' does not match current session '",
        old.ephemeral_owner
    );
    assert!(all.contains(&needle), "expected `{needle}` in:\n{all}");
    assert!(
        has_line(&out, "ERROR [KafkaServer id=2] Fatal error during KafkaServer startup. Prepare to shutdown (kafka.server.KafkaServer)"),
        "{all}"
    );
    assert!(matches!(t.cluster.broker(2).unwrap().phase, Phase::Failed(_) | Phase::Down), "{:?}", t.cluster.broker(2).unwrap().phase);
    // The stale registration is still the old session's.
    let (_, still) = get_s(&mut t, 2181, "/brokers/ids/2");
    assert_eq!(still.ephemeral_owner, old.ephemeral_owner);
    // After expiry (18 s), the broker can start again and registers with a new session.
    ok(&mut t, "sleep 20s");
    ok(&mut t, "kafka-server-start -daemon config/server2.properties");
    ok(&mut t, "sleep 3s");
    assert_eq!(t.cluster.broker(2).unwrap().phase, Phase::Running);
    let (_, new) = get_s(&mut t, 2181, "/brokers/ids/2");
    assert_ne!(new.ephemeral_owner, old.ephemeral_owner);
    assert!(new.czxid > old.czxid);
    assert_eq!(t.cluster.broker(2).unwrap().broker_epoch as u64, new.czxid, "new broker epoch = new czxid");
    assert_eq!(controller_id(&mut t), 1, "a follower broker's bounce does not move the controller");
    assert_clean(&t);
}

#[test]
fn brokers_ids_cversion_counts_registrations_and_expiries() {
    let mut t = kafka_cluster(16);
    assert_eq!(stat(&mut t, 2181, "/brokers/ids").cversion, 4);
    ok(&mut t, "broker kill 3");
    ok(&mut t, "sleep 25s");
    // Seed trace: 4 creates + 1 delete (the expiry), then 6 after the restart.
    assert_eq!(stat(&mut t, 2181, "/brokers/ids").cversion, 5);
    assert_eq!(zk(&mut t, 2181, "ls /brokers/ids"), vec!["[1, 2, 4]"]);
    ok(&mut t, "broker start 3");
    ok(&mut t, "sleep 3s");
    assert_eq!(stat(&mut t, 2181, "/brokers/ids").cversion, 6);
    assert_eq!(controller_id(&mut t), 1);
    assert_clean(&t);
}

#[test]
fn controller_resigns_when_its_session_expires_and_the_epoch_guard_fences_it() {
    // §7: the controller's ephemeral goes with its session; the survivors elect epoch 2. The old
    // controller, when restarted after expiry, does not become controller again (someone holds
    // /controller) and does not bump the epoch.
    let mut t = kafka_cluster(17);
    ok(&mut t, "broker kill 1");
    ok(&mut t, "sleep 25s");
    let c = controller_id(&mut t);
    ok(&mut t, "broker start 1");
    ok(&mut t, "sleep 5s");
    assert_eq!(controller_id(&mut t), c);
    assert_eq!(controllers(&t), vec![c]);
    assert_eq!(get_s(&mut t, 2181, "/controller_epoch").0, "2");
    assert!(t.cluster.broker(1).unwrap().ctl.is_none());
    assert_clean(&t);
}
