//! The in-memory DataTree (`DataTree.java` in 3.5.9): znode stats (czxid, mzxid, pzxid,
//! version, cversion, the copyStat quirks), watches fired by each txn, ephemerals and sessions,
//! multi-ops, and the digest. Moved from `src/zk/tree.rs` (the module under test).

use zkafka_sandbox::zk::tree::*;
use zkafka_sandbox::zk::types::{Data, ErrCode, EventType, Reply, SessionId, WatchFired, WatchKind, WriteResult, Zxid};

const S1: SessionId = SessionId(0x1000_0000_0000_0001);
const S2: SessionId = SessionId(0x1000_0000_0000_0002);

fn data(s: &str) -> Option<Data> {
    Some(Data::from(s.as_bytes().to_vec()))
}

fn txn(counter: u32, session: SessionId, body: TxnBody) -> Txn {
    Txn { zxid: Zxid::new(1, counter), session, cxid: counter as i32, time_ms: 1000 * counter as u64, body }
}

fn create(path: &str, parent_cversion: i32) -> TxnBody {
    TxnBody::Create { path: path.to_string(), data: data("x"), ephemeral_owner: SessionId(0), parent_cversion }
}

fn ephemeral(path: &str, owner: SessionId, parent_cversion: i32) -> TxnBody {
    TxnBody::Create { path: path.to_string(), data: None, ephemeral_owner: owner, parent_cversion }
}

fn delete(path: &str) -> TxnBody {
    TxnBody::Delete { path: path.to_string() }
}

fn set(path: &str, d: &str, version: i32) -> TxnBody {
    TxnBody::SetData { path: path.to_string(), data: data(d), version }
}

/// Apply and insist it succeeded.
fn ok(tree: &mut DataTree, t: Txn) -> Vec<WatchFired> {
    let (reply, fired) = tree.apply(&t);
    assert!(!matches!(reply, Reply::Error(_)), "{t:?} failed: {reply:?}");
    fired
}

fn fired(session: SessionId, event: EventType, path: &str) -> WatchFired {
    WatchFired { session, event, path: path.to_string() }
}

#[test]
fn fresh_tree_has_the_four_nodes_with_the_copystat_quirks() {
    let tree = DataTree::new();
    assert_eq!(tree.paths().collect::<Vec<_>>(), ["/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"]);
    // (path, cversion, numChildren, aclVersion)
    let table = [("/", -1, 1, 0), ("/zookeeper", -2, 2, 0), ("/zookeeper/quota", 0, 0, 0), ("/zookeeper/config", 0, 0, -1)];
    for (path, cversion, num_children, aversion) in table {
        let s = tree.stat(path).unwrap();
        assert_eq!((s.cversion, s.num_children, s.aversion), (cversion, num_children, aversion), "{path}");
        assert_eq!((s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime), (Zxid(0), Zxid(0), Zxid(0), 0, 0), "{path}");
        assert_eq!((s.version, s.data_length, s.ephemeral_owner), (0, 0, SessionId(0)), "{path}");
    }
    assert_eq!(tree.children("/").unwrap(), ["zookeeper"]);
    assert_eq!(tree.children("/zookeeper").unwrap(), ["config", "quota"]);
    assert_eq!(tree.node_count(), 5);
    assert_eq!(tree.approximate_data_size(), 1 + 10 + 16 + 17);
    assert_eq!(tree.last_processed_zxid(), Zxid(0));
    assert_eq!((tree.ephemeral_count(), tree.watch_count()), (0, 0));
}

#[test]
fn fresh_tree_nodes_have_empty_not_null_data() {
    let tree = DataTree::new();
    let (d, _) = tree.get_data("/zookeeper").unwrap();
    assert_eq!(d.as_deref(), Some(&[][..]));
}

#[test]
fn empty_path_is_the_root_alias() {
    let tree = DataTree::new();
    assert_eq!(tree.stat(""), tree.stat("/"));
    assert!(tree.stat("/zookeeper/").is_none());
}

#[test]
fn create_sets_czxid_mzxid_pzxid_and_times_and_moves_parent_pzxid() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/a", 1)));
    let s = tree.stat("/a").unwrap();
    let z = Zxid::new(1, 1);
    assert_eq!((s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime), (z, z, z, 1000, 1000));
    assert_eq!((s.version, s.cversion, s.aversion, s.data_length, s.num_children), (0, 0, 0, 1, 0));
    let root = tree.stat("/").unwrap();
    assert_eq!((root.pzxid, root.cversion, root.num_children), (z, 0, 2));
    assert_eq!(tree.stat_persisted("/").unwrap().cversion, 1);
    assert_eq!(tree.last_processed_zxid(), z);
}

#[test]
fn create_reply_names_the_path() {
    let mut tree = DataTree::new();
    let (reply, _) = tree.apply(&txn(1, S1, create("/a", 1)));
    assert_eq!(reply, Reply::Created { path: "/a".to_string() });
}

#[test]
fn null_data_and_empty_data_both_have_length_zero_but_stay_distinct() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, TxnBody::Create { path: "/n".into(), data: None, ephemeral_owner: SessionId(0), parent_cversion: 1 }));
    ok(&mut tree, txn(2, S1, TxnBody::Create { path: "/e".into(), data: data(""), ephemeral_owner: SessionId(0), parent_cversion: 2 }));
    let (n, ns) = tree.node("/n").unwrap();
    let (e, es) = tree.node("/e").unwrap();
    assert!(n.is_none());
    assert_eq!(e.map(|d| d.len()), Some(0));
    assert_eq!((ns.data_length, es.data_length), (0, 0));
}

#[test]
fn set_data_bumps_version_mzxid_mtime_but_not_czxid_or_pzxid() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/a", 1)));
    let (reply, _) = tree.apply(&txn(2, S1, set("/a", "hello", 1)));
    let s = tree.stat("/a").unwrap();
    assert_eq!(reply, Reply::SetData { stat: s });
    assert_eq!((s.version, s.mzxid, s.mtime), (1, Zxid::new(1, 2), 2000));
    assert_eq!((s.czxid, s.pzxid, s.ctime, s.data_length), (Zxid::new(1, 1), Zxid::new(1, 1), 1000, 5));
    // The same bytes again still bump the version (the txn carries it).
    ok(&mut tree, txn(3, S1, set("/a", "hello", 2)));
    assert_eq!(tree.stat("/a").unwrap().version, 2);
}

#[test]
fn client_cversion_counts_creates_plus_deletes() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/p", 1)));
    // (txn, client cversion of /p after it, numChildren)
    let steps = [
        (txn(2, S1, create("/p/a", 1)), 1, 1),
        (txn(3, S1, create("/p/b", 2)), 2, 2),
        (txn(4, S1, delete("/p/a")), 3, 1),
        (txn(5, S1, delete("/p/b")), 4, 0),
        (txn(6, S1, create("/p/c", 3)), 5, 1),
    ];
    for (t, cversion, n) in steps {
        ok(&mut tree, t);
        let s = tree.stat("/p").unwrap();
        assert_eq!((s.cversion, s.num_children), (cversion, n));
    }
    assert_eq!(tree.stat_persisted("/p").unwrap().cversion, 3);
}

#[test]
fn pzxid_follows_child_creates_and_deletes() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/p", 1)));
    assert_eq!(tree.stat("/p").unwrap().pzxid, Zxid::new(1, 1));
    ok(&mut tree, txn(2, S1, create("/p/a", 1)));
    assert_eq!(tree.stat("/p").unwrap().pzxid, Zxid::new(1, 2));
    ok(&mut tree, txn(3, S1, set("/p/a", "v", 1)));
    assert_eq!(tree.stat("/p").unwrap().pzxid, Zxid::new(1, 2), "setData on a child leaves pzxid");
    ok(&mut tree, txn(4, S1, delete("/p/a")));
    assert_eq!(tree.stat("/p").unwrap().pzxid, Zxid::new(1, 4));
}

#[test]
fn delete_never_moves_pzxid_backwards() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/p", 1)));
    ok(&mut tree, txn(2, S1, create("/p/a", 1)));
    ok(&mut tree, txn(9, S1, create("/p/b", 2)));
    // A (replayed) delete with an older zxid than the last child create.
    ok(&mut tree, txn(5, S1, delete("/p/a")));
    assert_eq!(tree.stat("/p").unwrap().pzxid, Zxid::new(1, 9));
}

#[test]
fn create_of_an_existing_node_or_under_a_missing_parent_fails_without_changes() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/a", 1)));
    let before = tree.digest();
    let (r1, f1) = tree.apply(&txn(2, S1, create("/a", 1)));
    let (r2, f2) = tree.apply(&txn(3, S1, create("/missing/b", 1)));
    assert_eq!((r1, r2), (Reply::Error(ErrCode::NodeExists), Reply::Error(ErrCode::NoNode)));
    assert!(f1.is_empty() && f2.is_empty());
    assert_eq!(tree.digest(), before);
    assert_eq!(tree.last_processed_zxid(), Zxid::new(1, 3), "failed txns still advance it");
}

#[test]
fn create_meeting_node_exists_raises_parent_cversion_like_fuzzy_snapshot_replay() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/a", 1)));
    // Replaying a create whose parentCVersion is ahead of the tree (processTxn adjusts it).
    let (reply, _) = tree.apply(&txn(7, S1, create("/a", 5)));
    assert_eq!(reply, Reply::Error(ErrCode::NodeExists));
    let root = tree.stat_persisted("/").unwrap();
    assert_eq!((root.cversion, root.pzxid), (5, Zxid::new(1, 7)));
}

#[test]
fn delete_and_set_data_of_a_missing_node_answer_no_node() {
    let mut tree = DataTree::new();
    let before = tree.digest();
    assert_eq!(tree.apply(&txn(1, S1, delete("/nope"))).0, Reply::Error(ErrCode::NoNode));
    assert_eq!(tree.apply(&txn(2, S1, set("/nope", "x", 1))).0, Reply::Error(ErrCode::NoNode));
    assert_eq!(tree.apply(&txn(3, S1, delete("/nope/child"))).0, Reply::Error(ErrCode::NoNode));
    // Upstream deleteNode moves the parent's pzxid before finding the child missing.
    assert_eq!(tree.stat("/").unwrap().pzxid, Zxid::new(1, 1));
    assert_ne!(tree.digest(), before);
}

#[test]
fn unaddressable_paths_are_refused_without_panicking() {
    let mut tree = DataTree::new();
    let bodies = [
        create("/", 1),
        create("", 1),
        create("noslash", 1),
        create("/a/", 1),
        create("//a", 1),
        delete("//a"),
        delete("/"),
        delete(""),
        delete("x"),
    ];
    let before = tree.digest();
    for (i, body) in bodies.into_iter().enumerate() {
        let (reply, fired) = tree.apply(&txn(i as u32 + 1, S1, body));
        assert_eq!(reply, Reply::Error(ErrCode::BadArguments));
        assert!(fired.is_empty());
    }
    assert_eq!(tree.digest(), before);
    assert_eq!(tree.node_count(), 5);
}

#[test]
fn delete_of_a_node_with_children_is_refused() {
    let mut tree = DataTree::new();
    assert_eq!(tree.apply(&txn(1, S1, delete("/zookeeper"))).0, Reply::Error(ErrCode::NotEmpty));
    assert!(tree.contains("/zookeeper/quota"));
}

#[test]
fn error_txn_answers_its_code_and_changes_nothing() {
    let mut tree = DataTree::new();
    let before = tree.digest();
    let (reply, fired) = tree.apply(&txn(4, S1, TxnBody::Error(ErrCode::BadVersion)));
    assert_eq!(reply, Reply::Error(ErrCode::BadVersion));
    assert!(fired.is_empty());
    assert_eq!(tree.digest(), before);
    assert_eq!(tree.last_processed_zxid(), Zxid::new(1, 4));
}

#[test]
fn last_processed_zxid_never_goes_backwards() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(5, S1, create("/a", 1)));
    let _ = tree.apply(&txn(3, S1, TxnBody::Error(ErrCode::NoNode)));
    assert_eq!(tree.last_processed_zxid(), Zxid::new(1, 5));
}

#[test]
fn sessions_table_follows_create_and_close_session() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, TxnBody::CreateSession { timeout_ms: 18000 }));
    ok(&mut tree, txn(2, S2, TxnBody::CreateSession { timeout_ms: 6000 }));
    assert_eq!(tree.sessions().iter().map(|(s, t)| (*s, *t)).collect::<Vec<_>>(), [(S1, 18000), (S2, 6000)]);
    let (reply, _) = tree.apply(&txn(3, S1, TxnBody::CloseSession));
    assert_eq!(reply, Reply::Multi(vec![]));
    assert_eq!(tree.sessions().keys().copied().collect::<Vec<_>>(), [S2]);
    assert_eq!(tree.last_processed_zxid(), Zxid::new(1, 3));
}

#[test]
fn close_session_deletes_all_its_ephemerals_with_one_zxid() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, TxnBody::CreateSession { timeout_ms: 18000 }));
    ok(&mut tree, txn(2, S1, create("/p", 1)));
    ok(&mut tree, txn(3, S1, ephemeral("/p/e1", S1, 1)));
    ok(&mut tree, txn(4, S1, ephemeral("/p/e2", S1, 2)));
    ok(&mut tree, txn(5, S1, ephemeral("/top", S1, 3)));
    ok(&mut tree, txn(6, S2, ephemeral("/other", S2, 4)));
    assert_eq!(tree.ephemerals_of(S1), ["/p/e1", "/p/e2", "/top"]);
    assert_eq!(tree.ephemeral_count(), 4);
    assert_eq!(tree.stat("/p/e1").unwrap().ephemeral_owner, S1);

    ok(&mut tree, txn(7, S1, TxnBody::CloseSession));
    let close = Zxid::new(1, 7);
    assert!(tree.ephemerals_of(S1).is_empty());
    assert_eq!(tree.ephemerals_of(S2), ["/other"]);
    assert!(!tree.contains("/p/e1") && !tree.contains("/p/e2") && !tree.contains("/top"));
    assert_eq!(tree.stat("/p").unwrap().pzxid, close);
    assert_eq!(tree.stat("/").unwrap().pzxid, close);
    assert_eq!(tree.stat("/p").unwrap().cversion, 4, "2 creates + 2 deletes");
}

#[test]
fn close_session_fires_deleted_and_children_changed_per_ephemeral() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/p", 1)));
    ok(&mut tree, txn(2, S1, ephemeral("/p/e1", S1, 1)));
    ok(&mut tree, txn(3, S1, ephemeral("/p/e2", S1, 2)));
    tree.add_watch("/p/e1", WatchKind::Data, S2);
    tree.add_watch("/p/e2", WatchKind::Data, S2);
    tree.add_watch("/p", WatchKind::Child, S2);
    let got = ok(&mut tree, txn(4, S1, TxnBody::CloseSession));
    assert_eq!(
        got,
        [
            fired(S2, EventType::NodeDeleted, "/p/e1"),
            fired(S2, EventType::NodeChildrenChanged, "/p"),
            fired(S2, EventType::NodeDeleted, "/p/e2"),
        ]
    );
    assert_eq!(tree.watch_count(), 0);
}

#[test]
fn deleting_an_ephemeral_updates_the_ephemerals_index() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, ephemeral("/e", S1, 1)));
    ok(&mut tree, txn(2, S1, delete("/e")));
    assert!(tree.ephemerals_of(S1).is_empty());
    assert_eq!(tree.ephemeral_count(), 0);
}

#[test]
fn watches_fire_the_right_events_once() {
    let mut tree = DataTree::new();
    tree.add_watch("/a", WatchKind::Data, S1); // exists /a (absent)
    tree.add_watch("/", WatchKind::Child, S2); // ls -w /
    assert_eq!(tree.watch_count(), 2);
    let got = ok(&mut tree, txn(1, S1, create("/a", 1)));
    assert_eq!(got, [fired(S1, EventType::NodeCreated, "/a"), fired(S2, EventType::NodeChildrenChanged, "/")]);
    assert_eq!(tree.watch_count(), 0);
    // One-shot: a second create under / fires nothing.
    assert!(ok(&mut tree, txn(2, S1, create("/b", 2))).is_empty());

    tree.add_watch("/a", WatchKind::Data, S1);
    tree.add_watch("/a", WatchKind::Data, S1); // same watch twice is one watch
    assert_eq!(tree.watch_count(), 1);
    assert_eq!(ok(&mut tree, txn(3, S1, set("/a", "v", 1))), [fired(S1, EventType::NodeDataChanged, "/a")]);
    assert!(ok(&mut tree, txn(4, S1, set("/a", "w", 2))).is_empty());
}

#[test]
fn delete_fires_node_deleted_once_per_session_then_children_changed_on_parent() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/a", 1)));
    tree.add_watch("/a", WatchKind::Data, S1); // get -w /a
    tree.add_watch("/a", WatchKind::Child, S1); // ls -w /a: same session, delivered once
    tree.add_watch("/a", WatchKind::Child, S2);
    tree.add_watch("/", WatchKind::Child, S1);
    let got = ok(&mut tree, txn(2, S1, delete("/a")));
    assert_eq!(
        got,
        [fired(S1, EventType::NodeDeleted, "/a"), fired(S2, EventType::NodeDeleted, "/a"), fired(S1, EventType::NodeChildrenChanged, "/"),]
    );
    assert_eq!(tree.watch_count(), 0, "the suppressed child watch is removed too");
}

#[test]
fn set_data_does_not_fire_child_watches_and_create_does_not_fire_parent_data_watches() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/a", 1)));
    tree.add_watch("/a", WatchKind::Child, S1);
    tree.add_watch("/", WatchKind::Data, S1);
    assert!(ok(&mut tree, txn(2, S1, set("/a", "v", 1))).is_empty());
    assert!(ok(&mut tree, txn(3, S1, create("/b", 2))).is_empty());
    assert_eq!(tree.watch_count(), 2);
}

#[test]
fn removing_a_sessions_watches_leaves_the_others() {
    let mut tree = DataTree::new();
    tree.add_watch("/a", WatchKind::Data, S1);
    tree.add_watch("/a", WatchKind::Data, S2);
    tree.add_watch("/", WatchKind::Child, S1);
    tree.remove_watches_of(S1);
    assert_eq!(tree.watches(), [(WatchKind::Data, "/a".to_string(), S2)]);
    assert_eq!(ok(&mut tree, txn(1, S1, create("/a", 1))), [fired(S2, EventType::NodeCreated, "/a")]);
}

#[test]
fn multi_applies_every_op_with_the_same_zxid() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/a", 1)));
    let body = TxnBody::Multi(vec![
        TxnBody::Check { path: "/a".into(), version: 1 },
        create("/a/b", 1),
        set("/a", "v", 1),
        create("/c", 2),
        delete("/c"),
    ]);
    let (reply, _) = tree.apply(&txn(2, S1, body));
    let z = Zxid::new(1, 2);
    let stat_a = tree.stat("/a").unwrap();
    assert_eq!(
        reply,
        Reply::Multi(vec![
            WriteResult::Checked,
            WriteResult::Created { path: "/a/b".into() },
            WriteResult::SetData { stat: stat_a },
            WriteResult::Created { path: "/c".into() },
            WriteResult::Deleted,
        ])
    );
    assert_eq!((stat_a.mzxid, stat_a.pzxid, stat_a.version), (z, z, 1));
    assert_eq!(tree.stat("/a/b").unwrap().czxid, z);
    assert!(!tree.contains("/c"));
    assert_eq!(tree.last_processed_zxid(), z);
}

#[test]
fn failed_multi_changes_nothing_and_reports_ok_then_cause_then_runtime_inconsistency() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/a", 1)));
    tree.add_watch("/x", WatchKind::Data, S2);
    let before = tree.digest();
    // As the leader proposes it: real bodies before the failing op.
    let body = TxnBody::Multi(vec![create("/x", 2), TxnBody::Error(ErrCode::BadVersion), TxnBody::Error(ErrCode::RuntimeInconsistency)]);
    let (reply, fired) = tree.apply(&txn(2, S1, body));
    assert_eq!(
        reply,
        Reply::Multi(vec![
            WriteResult::Error(ErrCode::Ok),
            WriteResult::Error(ErrCode::BadVersion),
            WriteResult::Error(ErrCode::RuntimeInconsistency),
        ])
    );
    assert!(fired.is_empty());
    assert_eq!(tree.digest(), before);
    assert_eq!(tree.last_processed_zxid(), Zxid::new(1, 2));
}

#[test]
fn multi_ops_after_an_error_body_count_as_runtime_inconsistency() {
    let mut tree = DataTree::new();
    let body = TxnBody::Multi(vec![TxnBody::Error(ErrCode::NoNode), create("/late", 1)]);
    let (reply, _) = tree.apply(&txn(1, S1, body));
    assert_eq!(reply, Reply::Multi(vec![WriteResult::Error(ErrCode::NoNode), WriteResult::Error(ErrCode::RuntimeInconsistency)]));
    assert!(!tree.contains("/late"));
}

#[test]
fn multi_stops_at_an_op_that_is_not_a_multi_op() {
    let mut tree = DataTree::new();
    let body = TxnBody::Multi(vec![create("/a", 1), TxnBody::CloseSession, create("/b", 2)]);
    let (reply, _) = tree.apply(&txn(1, S1, body));
    assert_eq!(reply, Reply::Multi(vec![WriteResult::Created { path: "/a".into() }]));
    assert!(tree.contains("/a") && !tree.contains("/b"));
}

#[test]
fn multi_fires_watches_for_each_op() {
    let mut tree = DataTree::new();
    tree.add_watch("/", WatchKind::Child, S2);
    tree.add_watch("/b", WatchKind::Data, S2);
    let body = TxnBody::Multi(vec![create("/a", 1), create("/b", 2)]);
    let (_, got) = tree.apply(&txn(1, S1, body));
    assert_eq!(got, [fired(S2, EventType::NodeChildrenChanged, "/"), fired(S2, EventType::NodeCreated, "/b")]);
}

#[test]
fn init_config_node_sets_version_minus_one_and_mzxid_to_the_config_version() {
    let mut tree = DataTree::new();
    let text = "server.1=zk1:2888:3888:participant;0.0.0.0:2181\nversion=0";
    tree.init_config_node(Data::from(text.as_bytes().to_vec()), Zxid(0), 1_600_000_000_000);
    let s = tree.stat(CONFIG_NODE).unwrap();
    assert_eq!((s.version, s.aversion, s.mzxid, s.mtime), (-1, -1, Zxid(0), 1_600_000_000_000));
    assert_eq!(s.data_length as usize, text.len());
    assert_eq!(tree.last_processed_zxid(), Zxid(0));
}

#[test]
fn approximate_data_size_counts_paths_and_data_and_the_root_twice() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/ab", 1))); // 3 + 1
    assert_eq!(tree.approximate_data_size(), 44 + 4);
    ok(&mut tree, txn(2, S1, set("/", "xyz", 1))); // root data counted for "" and "/"
    assert_eq!(tree.approximate_data_size(), 44 + 4 + 6);
    ok(&mut tree, txn(3, S1, create("/é", 2))); // 2 UTF-16 units, not 3 bytes
    assert_eq!(tree.approximate_data_size(), 44 + 4 + 6 + 3);
}

#[test]
fn digest_is_equal_for_replicas_and_ignores_watches() {
    let txns = [txn(1, S1, TxnBody::CreateSession { timeout_ms: 6000 }), txn(2, S1, create("/a", 1)), txn(3, S1, ephemeral("/a/e", S1, 1))];
    let (mut a, mut b) = (DataTree::new(), DataTree::new());
    for t in &txns {
        a.apply(t);
        b.apply(t);
    }
    b.add_watch("/a", WatchKind::Data, S2);
    assert_eq!(a.digest(), b.digest());
    b.apply(&txn(4, S1, set("/a", "x", 1)));
    assert_ne!(a.digest(), b.digest());
}

#[test]
fn digest_tells_null_data_from_empty_data() {
    let mut a = DataTree::new();
    let mut b = DataTree::new();
    a.apply(&txn(1, S1, TxnBody::Create { path: "/a".into(), data: None, ephemeral_owner: SessionId(0), parent_cversion: 1 }));
    b.apply(&txn(1, S1, TxnBody::Create { path: "/a".into(), data: data(""), ephemeral_owner: SessionId(0), parent_cversion: 1 }));
    assert_ne!(a.digest(), b.digest());
}

#[test]
fn cloned_tree_is_independent() {
    let mut a = DataTree::new();
    let b = a.clone();
    a.apply(&txn(1, S1, create("/a", 1)));
    assert!(!b.contains("/a"));
}

#[test]
fn wrapping_versions_do_not_panic() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(1, S1, create("/p", i32::MAX)));
    ok(&mut tree, txn(2, S1, create("/x", -1))); // -1 = current + 1
    assert_eq!(tree.stat_persisted("/").unwrap().cversion, i32::MIN);
    let _ = tree.stat("/");
}

#[test]
fn set_last_processed_zxid_overwrites_even_downwards() {
    let mut tree = DataTree::new();
    ok(&mut tree, txn(5, S1, create("/a", 1)));
    tree.set_last_processed_zxid(Zxid::new(2, 0));
    assert_eq!(tree.last_processed_zxid(), Zxid::new(2, 0));
    tree.set_last_processed_zxid(Zxid::new(1, 1));
    assert_eq!(tree.last_processed_zxid(), Zxid::new(1, 1));
}

#[test]
fn txn_body_names_follow_op2string() {
    assert_eq!(create("/a", 1).name(), "create");
    assert_eq!(TxnBody::Multi(vec![]).name(), "multi");
    assert_eq!(TxnBody::Error(ErrCode::NoNode).name(), "error");
    assert_eq!(TxnBody::CloseSession.name(), "closeSession");
}

/// A tiny deterministic generator for the randomized tests.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn random_body(rng: &mut Lcg, depth: u32) -> TxnBody {
    const PATHS: [&str; 16] = [
        "/",
        "",
        "a",
        "/a",
        "/a/",
        "/a/b",
        "/a/b/c",
        "/b",
        "//a",
        "/zookeeper",
        "/zookeeper/quota",
        "/zookeeper/config",
        "/a\0",
        "/é",
        "/a/b/",
        "/b/x",
    ];
    const NUMBERS: [i32; 7] = [-1, 0, 1, 2, 5, i32::MAX, i32::MIN];
    const OWNERS: [SessionId; 3] = [SessionId(0), S1, S2];
    const CODES: [ErrCode; 3] = [ErrCode::NoNode, ErrCode::BadVersion, ErrCode::RuntimeInconsistency];
    let path = rng.pick(&PATHS).to_string();
    let payload = if rng.below(3) == 0 { None } else { data("d") };
    match rng.below(if depth == 0 { 9 } else { 8 }) {
        0 | 1 => TxnBody::Create { path, data: payload, ephemeral_owner: *rng.pick(&OWNERS), parent_cversion: *rng.pick(&NUMBERS) },
        2 => TxnBody::Delete { path },
        3 => TxnBody::SetData { path, data: payload, version: *rng.pick(&NUMBERS) },
        4 => TxnBody::Check { path, version: *rng.pick(&NUMBERS) },
        5 => TxnBody::Error(*rng.pick(&CODES)),
        6 => TxnBody::CreateSession { timeout_ms: 6000 },
        7 => TxnBody::CloseSession,
        _ => TxnBody::Multi((0..rng.below(5)).map(|_| random_body(rng, depth + 1)).collect()),
    }
}

#[test]
fn random_transactions_never_panic_and_keep_the_tree_consistent() {
    for seed in 0..200u64 {
        let mut rng = Lcg(seed);
        let mut tree = DataTree::new();
        for step in 0..150u32 {
            match rng.below(4) {
                0 => {
                    let kind = if rng.below(2) == 0 { WatchKind::Data } else { WatchKind::Child };
                    let path = *rng.pick(&["/", "/a", "/a/b", "/b", "/zookeeper/config"]);
                    tree.add_watch(path, kind, *rng.pick(&[S1, S2]));
                }
                1 if rng.below(8) == 0 => tree.remove_watches_of(*rng.pick(&[S1, S2])),
                _ => {
                    let session = *rng.pick(&[S1, S2]);
                    let t = Txn {
                        zxid: Zxid::new(1, rng.below(300) as u32),
                        session,
                        cxid: step as i32,
                        time_ms: u64::from(step),
                        body: random_body(&mut rng, 0),
                    };
                    let before = tree.clone();
                    let (reply, _) = tree.apply(&t);
                    if let TxnBody::Error(code) = t.body {
                        assert_eq!(reply, Reply::Error(code));
                        assert_eq!(tree.digest(), before.digest());
                    }
                    assert!(tree.last_processed_zxid() >= t.zxid, "seed {seed} step {step}");
                }
            }
            if let Err(e) = tree.check_consistency() {
                panic!("seed {seed} step {step}: {e}");
            }
            for path in tree.paths() {
                let stat = tree.stat(path).unwrap_or_default();
                assert_eq!(stat.num_children as usize, tree.children(path).unwrap_or_default().len());
            }
            let _ = (tree.approximate_data_size(), tree.node_count(), tree.watch_count());
        }
    }
}
