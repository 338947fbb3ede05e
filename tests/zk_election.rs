//! FastLeaderElection and ZAB epochs, as the seed walkthrough (step 6) and SEMANTICS §1–2 describe
//! them: vote order (peerEpoch, zxid, sid); joiners follow through `outofelection`; the new epoch
//! is max(acceptedEpoch)+1 and the leader's `Zxid:` is `makeZxid(epoch, 0)` right after election.

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;

#[test]
fn servers_1_and_2_started_first_elect_2_and_server_3_joins_as_follower() {
    let mut t = sandbox(1);
    script(
        &mut t,
        &["zookeeper-server-start config/zookeeper1.properties", "zookeeper-server-start config/zookeeper2.properties", "sleep 5s"],
    );
    // Equal zxids and epochs: the higher sid wins (FastLeaderElection.totalOrderPredicate).
    assert_eq!(ok(&mut t, "echo srvr | nc localhost 2182 | grep Mode"), vec!["Mode: leader"]);
    assert_eq!(ok(&mut t, "echo srvr | nc localhost 2181 | grep Mode"), vec!["Mode: follower"]);
    assert_eq!(srvr_zxid(&mut t, 2182), 0x1_0000_0000, "leader Zxid is makeZxid(1, 0) after the first election");

    script(&mut t, &["zookeeper-server-start config/zookeeper3.properties", "sleep 5s"]);
    // Server 3 has the highest sid but joins the established ensemble (FLETest.testJoin).
    assert_eq!(ok(&mut t, "echo srvr | nc localhost 2183 | grep Mode"), vec!["Mode: follower"]);
    assert_eq!(ok(&mut t, "echo srvr | nc localhost 2182 | grep Mode"), vec!["Mode: leader"]);
    assert_eq!(ok(&mut t, "echo srvr | nc localhost 2181 | grep Mode"), vec!["Mode: follower"]);
    assert_eq!(field(&srvr(&mut t, 2182), "Zxid").as_deref(), Some("0x100000000"));
    for sid in 1..=3 {
        assert_eq!(t.cluster.zk(sid).unwrap().epoch(), 1, "zk{sid} epoch");
    }
    assert_eq!(agreed_leader(&t), 2);
    assert_clean(&t);
}

#[test]
fn killing_leader_2_makes_3_the_leader_of_epoch_2() {
    let mut t = sandbox(2);
    seed_ensemble(&mut t);
    assert_eq!(mode(&mut t, 2182).as_deref(), Some("leader"));
    ok(&mut t, "zk kill 2");
    ok(&mut t, "sleep 5s");
    assert_eq!(mode(&mut t, 2183).as_deref(), Some("leader"));
    assert_eq!(mode(&mut t, 2181).as_deref(), Some("follower"));
    // A killed server does not answer at all.
    assert_eq!(srvr(&mut t, 2182), Vec::<String>::new());
    let z = srvr_zxid(&mut t, 2183);
    assert_eq!(z >> 32, 2, "epoch 2 in the high 32 bits of the leader's Zxid (got {z:#x})");
    assert_eq!(z, 0x2_0000_0000, "leader Zxid right after the election is makeZxid(2, 0)");
    assert_eq!(t.cluster.zk(3).unwrap().epoch(), 2);
    assert_eq!(t.cluster.zk(1).unwrap().epoch(), 2);
    assert_eq!(agreed_leader(&t), 3);
    assert_clean(&t);
}

#[test]
fn restarted_old_leader_rejoins_as_follower_without_a_new_epoch() {
    let mut t = sandbox(3);
    seed_ensemble(&mut t);
    script(&mut t, &["zk kill 2", "sleep 5s"]);
    assert_eq!(agreed_leader(&t), 3);
    ok(&mut t, "zookeeper-server-start -daemon /opt/kafka/config/zookeeper2.properties");
    ok(&mut t, "sleep 5s");
    assert_eq!(mode(&mut t, 2182).as_deref(), Some("follower"));
    assert_eq!(mode(&mut t, 2183).as_deref(), Some("leader"));
    assert_eq!(mode(&mut t, 2181).as_deref(), Some("follower"));
    // Joining through outofelection never forces a new election: epoch stays 2 everywhere.
    for sid in 1..=3 {
        assert_eq!(t.cluster.zk(sid).unwrap().epoch(), 2, "zk{sid} epoch after 2 rejoined: {:?}", t.status());
    }
    assert_eq!(agreed_leader(&t), 3);
    assert_clean(&t);
}

#[test]
fn three_servers_started_together_elect_server_3() {
    let mut t = sandbox(4);
    start_all(&mut t, 3, "5s");
    assert_eq!(mode(&mut t, 2183).as_deref(), Some("leader"));
    assert_eq!(mode(&mut t, 2181).as_deref(), Some("follower"));
    assert_eq!(mode(&mut t, 2182).as_deref(), Some("follower"));
    assert_eq!(srvr_zxid(&mut t, 2183), 0x1_0000_0000);
    assert_clean(&t);
}

#[test]
fn five_servers_started_together_elect_server_5() {
    let mut t = sandbox_n(5, 5);
    start_all(&mut t, 5, "5s");
    assert_eq!(mode(&mut t, 2185).as_deref(), Some("leader"));
    for port in 2181..=2184 {
        assert_eq!(mode(&mut t, port).as_deref(), Some("follower"), "port {port}");
    }
    assert_eq!(agreed_leader(&t), 5);
    assert_clean(&t);
}

#[test]
fn election_outcome_does_not_depend_on_the_seed() {
    // The rules leave no choice here, so every seed must give the same answer.
    for seed in [11, 12, 13, 14, 15, 16] {
        let mut t = sandbox(seed);
        seed_ensemble(&mut t);
        assert_eq!(agreed_leader(&t), 2, "seed {seed}");
        script(&mut t, &["zk kill 2", "sleep 5s"]);
        assert_eq!(agreed_leader(&t), 3, "seed {seed}");
        assert_clean(&t);
    }
}

#[test]
fn first_transaction_of_the_new_epoch_has_counter_1() {
    let mut t = sandbox(6);
    seed_ensemble(&mut t);
    script(&mut t, &["zk kill 2", "sleep 5s"]);
    // The one-shot shell's createSession is 0x200000001, its create 0x200000002.
    assert_eq!(zk(&mut t, 2181, "create /after x"), vec!["Created /after"]);
    let (_, st) = get_s(&mut t, 2183, "/after");
    assert_eq!(st.czxid, 0x2_0000_0002);
    assert_clean(&t);
}

#[test]
fn killed_leader_is_replaced_by_highest_zxid_even_with_a_lower_sid() {
    let mut t = sandbox(7);
    seed_ensemble(&mut t);
    assert_eq!(agreed_leader(&t), 2);
    // Hold everything the leader sends to zk3: zk3 misses the next proposals; zk1 acks them.
    ok(&mut t, "net cut zk2->zk3");
    assert_eq!(zk(&mut t, 2181, "create /x 1"), vec!["Created /x"]);
    let z1 = t.cluster.zk(1).unwrap().last_processed();
    let z3 = t.cluster.zk(3).unwrap().last_processed();
    assert!(z1 > z3, "zk1 ({z1}) should be ahead of zk3 ({z3})");
    ok(&mut t, "zk kill 2");
    ok(&mut t, "sleep 30s");
    // Votes compare (peerEpoch, zxid, sid): zk1's larger zxid beats zk3's larger sid.
    assert_eq!(agreed_leader(&t), 1, "{:?}", t.status());
    assert_eq!(mode(&mut t, 2181).as_deref(), Some("leader"));
    assert_eq!(mode(&mut t, 2183).as_deref(), Some("follower"));
    // The committed write survives the failover and reached zk3 through the sync.
    assert_eq!(zk(&mut t, 2183, "get /x"), vec!["1"]);
    assert_clean(&t);
}

#[test]
fn leader_that_loses_both_followers_stops_serving() {
    let mut t = sandbox(8);
    seed_ensemble(&mut t);
    script(&mut t, &["zk kill 1", "zk kill 3", "sleep 6s"]);
    // Leader.lead() checks the synced quorum every tick and shuts down without one.
    assert_eq!(srvr(&mut t, 2182), vec![NOT_SERVING.to_string()]);
    assert_eq!(state_of(&t, 2), "LOOKING");
    assert_clean(&t);
}

#[test]
fn same_seed_and_script_give_the_same_transcript() {
    let lines = [
        "zk start 1",
        "zk start 2",
        "sleep 2s",
        "zk start 3",
        "sleep 2s",
        "zookeeper-shell localhost:2181 create /a hello",
        "zk kill 2",
        "sleep 5s",
        "status",
        "zookeeper-shell localhost:2183 get -s /a",
        "echo srvr | nc localhost 2183",
    ];
    let run = || {
        let mut t = sandbox(42);
        let mut all = Vec::new();
        for l in lines {
            all.extend(ok(&mut t, l));
        }
        assert_clean(&t);
        all
    };
    assert_eq!(run(), run());
}
