//! Leader → learner synchronization after an election or a restart (SEMANTICS §2,
//! LearnerHandler.syncFollower / queueCommittedProposals in 3.5.9): DIFF, TRUNC, SNAP, and that
//! every server ends with the same committed history.

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;
use zkafka_sandbox::terminal::script::run_script;
use zkafka_sandbox::terminal::Terminal;

fn ls_root_everywhere(t: &mut Terminal) -> Vec<Vec<String>> {
    (2181..=2183).map(|p| zk(t, p, "ls /")).collect()
}

#[test]
fn follower_that_missed_writes_catches_up_when_it_returns() {
    let mut t = sandbox(101);
    seed_ensemble(&mut t); // leader 2
    zk(&mut t, 2181, "create /before x");
    script(&mut t, &["zk kill 3", "sleep 1s"]);
    zk(&mut t, 2181, "create /during y");
    zk(&mut t, 2182, "set /before z");
    script(&mut t, &["zk start 3", "sleep 5s"]);
    assert_eq!(zk(&mut t, 2183, "get /before"), vec!["z"]);
    assert_eq!(zk(&mut t, 2183, "get /during"), vec!["y"]);
    let z: Vec<u64> = (2181..=2183).map(|p| srvr_zxid(&mut t, p)).collect();
    assert!(z.iter().all(|x| *x == z[0]), "{z:x?}");
    assert_clean(&t);
}

#[test]
fn a_server_started_late_receives_the_whole_tree() {
    let mut t = sandbox(102);
    script(&mut t, &["zk start 1", "zk start 2", "sleep 3s"]);
    for p in ["/a", "/a/b", "/c"] {
        zk(&mut t, 2181, &format!("create {p} v"));
    }
    script(&mut t, &["zk start 3", "sleep 3s"]);
    assert_eq!(zk(&mut t, 2183, "ls -R /a"), vec!["/a", "/a/b"]);
    assert_eq!(srvr_zxid(&mut t, 2183), srvr_zxid(&mut t, 2182), "it got a SNAP at the leader's zxid");
    assert_clean(&t);
}

#[test]
fn uncommitted_proposal_of_an_isolated_leader_is_discarded() {
    let mut t = sandbox(103);
    start_all(&mut t, 3, "3s"); // leader 3
    zk(&mut t, 2183, "create /a x");
    ok(&mut t, "net partition zk3 | zk1,zk2");
    // zk3 still leads for a moment: it logs the shell's createSession but can never commit it.
    let out = ok(&mut t, "zookeeper-shell localhost:2183 create /lost x");
    assert_eq!(out.last().map(String::as_str), Some("KeeperErrorCode = ConnectionLoss for /lost"));
    ok(&mut t, "sleep 10s");
    assert_eq!(agreed_leader_of(&t, &[1, 2]), 2);
    zk(&mut t, 2181, "create /b y");
    script(&mut t, &["net heal", "sleep 10s"]);
    assert_eq!(agreed_leader(&t), 2);
    for l in ls_root_everywhere(&mut t) {
        assert_eq!(l, vec!["[a, b, zookeeper]"]);
    }
    let z: Vec<u64> = (2181..=2183).map(|p| srvr_zxid(&mut t, p)).collect();
    assert!(z.iter().all(|x| *x == z[0]), "{z:x?}");
    assert_clean(&t);
}

/// The leader the given running servers agree on.
fn agreed_leader_of(t: &Terminal, sids: &[u32]) -> u64 {
    let ls: Vec<u64> = sids.iter().map(|s| t.cluster.zk(*s).unwrap().leader().map(|l| l.0).unwrap_or(0)).collect();
    assert!(ls.iter().all(|l| *l == ls[0] && *l != 0), "{ls:?} {:?}", t.status());
    ls[0]
}

#[test]
fn old_leader_with_an_uncommitted_proposal_from_an_older_epoch_is_resynced_by_snap() {
    // Same story as above. zk3 rejoins with last zxid 0x100000004 (its uncommitted
    // createSession); the new leader's committedLog is 0x100000001..3, 0x200000001..3.
    // queueCommittedProposals: the first packet above the peer's zxid is 0x200000001, of another
    // epoch → "Cannot send TRUNC to peer sid: 3 peer zxid is from different epoch", returns with
    // needOpPacket still true → syncFollower: "Unhandled scenario ... fall back to use snapshot".
    let mut t = sandbox(103);
    start_all(&mut t, 3, "3s");
    zk(&mut t, 2183, "create /a x");
    ok(&mut t, "net partition zk3 | zk1,zk2");
    ok(&mut t, "zookeeper-shell localhost:2183 create /lost x");
    ok(&mut t, "sleep 10s");
    zk(&mut t, 2181, "create /b y");
    assert_eq!(t.cluster.zk(3).unwrap().last_logged().0, 0x1_0000_0004);
    let transcript = run_script(&mut t, "net heal\nsleep 10s", true);
    assert!(transcript.contains("syncs zk3 (its last zxid 0x100000004) by SNAP"), "{transcript}");
    assert!(!transcript.contains("TRUNC"), "{transcript}");
    assert_clean(&t);
}

#[test]
fn follower_at_a_bare_new_epoch_zxid_is_synced_by_diff_and_keeps_all_data() {
    let mut t = sandbox(104);
    script(&mut t, &["zk start 1", "zk start 2", "sleep 3s"]);
    zk(&mut t, 2181, "create /a x"); // 0x100000001..3 on zk1, zk2
                                     // Restart both: epoch 2, leader zk2, no txn yet in epoch 2.
    script(&mut t, &["zk kill 1", "zk kill 2", "zk start 1", "zk start 2", "sleep 3s"]);
    // A fresh zk3 joins: it is below the leader's committedLog, so it gets a SNAP at the leader's
    // lastProcessedZxid, the bare 0x200000000, and persists it.
    script(&mut t, &["zk start 3", "sleep 3s"]);
    assert_eq!(t.cluster.zk(3).unwrap().last_processed().0, 0x2_0000_0000, "{:?}", t.status());
    ok(&mut t, "zk kill 3");
    zk(&mut t, 2181, "create /b y"); // 0x200000001..3
                                     // zk3 returns with peerLastZxid 0x200000000: minCommittedLog 0x100000001 <= it <= 0x200000003.
                                     // queueCommittedProposals: isPeerNewEpochZxid → "Send diff and fall through" → DIFF, then
                                     // PROPOSAL/COMMIT 0x200000001..3. No TRUNC, nothing lost.
    script(&mut t, &["zk start 3", "sleep 3s"]);
    for l in ls_root_everywhere(&mut t) {
        assert_eq!(l, vec!["[a, b, zookeeper]"]);
    }
    assert_clean(&t);
}

#[test]
fn resync_below_an_adopted_bare_epoch_zxid_is_not_a_violation() {
    // Seed 23: the first election (all three together) gives zk2 a SNAP at the bare 0x100000000
    // (persisted at NEWLEADER) while the leader zk3's own disk stays at 0x0 (Leader.lead →
    // loadData → takeSnapshot happens before startZkServer sets lastProcessedZxid).
    let mut t = sandbox(23);
    start_all(&mut t, 3, "3s");
    assert_eq!(agreed_leader(&t), 3);
    assert_eq!(t.cluster.zk(2).unwrap().last_processed().0, 0x1_0000_0000, "precondition: zk2 got a SNAP");
    // zk3 and zk1 go on to epoch 2 without zk2 and without any txn.
    script(&mut t, &["zk kill 1", "zk kill 2", "zk kill 3", "zk start 3", "zk start 1", "sleep 3s"]);
    // All three start together: zk3 (epoch 2, zxid 0x0) beats zk2 (epoch 1, zxid 0x100000000).
    // syncFollower for zk2: peerLastZxid 0x100000000 > maxCommittedLog 0x0 but it is a new-epoch
    // zxid, so no TRUNC; not within the committedLog → SNAP at 0x0. Nothing committed is lost:
    // 0x100000000 never named a txn.
    script(&mut t, &["zk kill 1", "zk kill 3", "zk start 1", "zk start 2", "zk start 3", "sleep 3s"]);
    assert_eq!(agreed_leader(&t), 3);
    assert_eq!(t.cluster.zk(2).unwrap().tree().children("/").unwrap(), vec!["zookeeper".to_string()]);
    assert_clean(&t);
}
