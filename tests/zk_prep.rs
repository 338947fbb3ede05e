//! The leader's request preparation (`PrepRequestProcessor.java` in 3.5.9): path validation,
//! outstanding changes, sequential names, versions checked against pending changes, multi-ops and
//! closeSession. Moved from `src/zk/prep.rs` (the module under test).

use zkafka_sandbox::zk::prep::*;
use zkafka_sandbox::zk::tree::{DataTree, Txn, TxnBody};
use zkafka_sandbox::zk::types::{ErrCode, Op, SessionId, WriteOp, Zxid};

use zkafka_sandbox::zk::types::{CreateMode, Data, Reply, WriteResult};

const S1: SessionId = SessionId(0x1000_0000_0000_0001);
const S2: SessionId = SessionId(0x1000_0000_0000_0002);

const PERSISTENT_SEQUENTIAL: CreateMode = CreateMode { ephemeral: false, sequential: true };
const EPHEMERAL_SEQUENTIAL: CreateMode = CreateMode { ephemeral: true, sequential: true };

fn z(counter: u32) -> Zxid {
    Zxid::new(1, counter)
}

fn d(s: &str) -> Data {
    Data::from(s.as_bytes().to_vec())
}

fn create_op(path: &str, mode: CreateMode) -> WriteOp {
    WriteOp::Create { path: path.to_string(), data: Some(d("v")), mode }
}

fn delete_op(path: &str, version: i32) -> WriteOp {
    WriteOp::Delete { path: path.to_string(), version }
}

fn set_op(path: &str, version: i32) -> WriteOp {
    WriteOp::SetData { path: path.to_string(), data: Some(d("w")), version }
}

fn check_op(path: &str, version: i32) -> WriteOp {
    WriteOp::Check { path: path.to_string(), version }
}

fn create_body(path: &str, owner: SessionId, parent_cversion: i32) -> TxnBody {
    TxnBody::Create { path: path.to_string(), data: Some(d("v")), ephemeral_owner: owner, parent_cversion }
}

/// A leader: the committed tree, the prep state and the next zxid counter.
struct Leader {
    tree: DataTree,
    prep: Prep,
    counter: u32,
    proposed: Vec<Txn>,
}

impl Leader {
    fn new() -> Leader {
        Leader { tree: DataTree::new(), prep: Prep::new(), counter: 0, proposed: Vec::new() }
    }
    /// Prepare (propose) a write without committing it.
    fn propose(&mut self, session: SessionId, op: Op) -> TxnBody {
        self.counter += 1;
        let zxid = z(self.counter);
        let body = self.prep.prep_write(&self.tree, session, &op, zxid);
        self.proposed.push(Txn { zxid, session, cxid: 0, time_ms: 0, body: body.clone() });
        body
    }
    fn propose_close(&mut self, session: SessionId) -> TxnBody {
        self.counter += 1;
        let zxid = z(self.counter);
        let body = self.prep.prep_close_session(&self.tree, session, zxid);
        self.proposed.push(Txn { zxid, session, cxid: 0, time_ms: 0, body: body.clone() });
        body
    }
    /// Commit and apply every proposal, in order.
    fn commit_all(&mut self) -> Vec<Reply> {
        let mut replies = Vec::new();
        for t in std::mem::take(&mut self.proposed) {
            replies.push(self.tree.apply(&t).0);
            self.prep.committed(t.zxid);
        }
        replies
    }
    /// Propose and commit one write.
    fn write(&mut self, session: SessionId, op: WriteOp) -> (TxnBody, Reply) {
        let body = self.propose(session, Op::Write(op));
        let reply = self.commit_all().pop().unwrap_or(Reply::Multi(vec![]));
        (body, reply)
    }
}

#[test]
fn create_carries_the_parents_next_cversion() {
    let mut l = Leader::new();
    let (body, reply) = l.write(S1, create_op("/a", CreateMode::PERSISTENT));
    assert_eq!(body, create_body("/a", SessionId(0), 1));
    assert_eq!(reply, Reply::Created { path: "/a".into() });
    let (body, _) = l.write(S1, create_op("/b", CreateMode::EPHEMERAL));
    assert_eq!(body, create_body("/b", S1, 2));
    assert_eq!(l.prep.outstanding_len(), 0);
}

#[test]
fn sequential_name_uses_parent_cversion_before_the_create() {
    let mut l = Leader::new();
    l.write(S1, create_op("/q", CreateMode::PERSISTENT));
    let names: Vec<_> = (0..3)
        .map(|_| match l.write(S1, create_op("/q/item-", PERSISTENT_SEQUENTIAL)).1 {
            Reply::Created { path } => path,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(names, ["/q/item-0000000000", "/q/item-0000000001", "/q/item-0000000002"]);
}

#[test]
fn sequential_names_continue_after_deletes() {
    let mut l = Leader::new();
    l.write(S1, create_op("/q", CreateMode::PERSISTENT));
    l.write(S1, create_op("/q/n", PERSISTENT_SEQUENTIAL));
    l.write(S1, create_op("/q/n", PERSISTENT_SEQUENTIAL));
    l.write(S1, delete_op("/q/n0000000000", -1));
    l.write(S1, delete_op("/q/n0000000001", -1));
    let (body, _) = l.write(S1, create_op("/q/n", EPHEMERAL_SEQUENTIAL));
    assert_eq!(body, create_body("/q/n0000000002", S1, 3));
    assert_eq!(l.tree.stat("/q").unwrap().cversion, 5);
}

#[test]
fn sequential_under_the_root_starts_at_the_fresh_roots_cversion() {
    let mut l = Leader::new();
    let (body, _) = l.write(S1, create_op("/seq", PERSISTENT_SEQUENTIAL));
    assert_eq!(body, create_body("/seq0000000000", SessionId(0), 1));
    // "/q/" is fine when sequential: the suffix becomes the whole last name.
    l.write(S1, create_op("/q", CreateMode::PERSISTENT));
    let (body, _) = l.write(S1, create_op("/q/", PERSISTENT_SEQUENTIAL));
    assert_eq!(body, create_body("/q/0000000000", SessionId(0), 1));
}

#[test]
fn sequential_counts_every_outstanding_create() {
    let mut l = Leader::new();
    let a = l.propose(S1, Op::Write(create_op("/x-", PERSISTENT_SEQUENTIAL)));
    let b = l.propose(S1, Op::Write(create_op("/x-", PERSISTENT_SEQUENTIAL)));
    assert_eq!(a, create_body("/x-0000000000", SessionId(0), 1));
    assert_eq!(b, create_body("/x-0000000001", SessionId(0), 2));
}

#[test]
fn create_errors_follow_upstream_order() {
    let mut l = Leader::new();
    l.write(S1, create_op("/a", CreateMode::PERSISTENT));
    l.write(S1, create_op("/e", CreateMode::EPHEMERAL));
    let table = [
        ("a", CreateMode::PERSISTENT, ErrCode::BadArguments),
        ("/a\0b", CreateMode::PERSISTENT, ErrCode::BadArguments),
        ("/missing/b", CreateMode::PERSISTENT, ErrCode::NoNode),
        // The parent lookup happens before full validation: "/a/" has parent "/a" (exists).
        ("/a/", CreateMode::PERSISTENT, ErrCode::BadArguments),
        // ... and "/x//y" has parent "/x/", which does not exist.
        ("/x//y", CreateMode::PERSISTENT, ErrCode::NoNode),
        ("//y", CreateMode::PERSISTENT, ErrCode::BadArguments),
        ("/a/.", CreateMode::PERSISTENT, ErrCode::BadArguments),
        ("/a/..", CreateMode::PERSISTENT, ErrCode::BadArguments),
        ("/", CreateMode::PERSISTENT, ErrCode::NodeExists),
        ("/a", CreateMode::PERSISTENT, ErrCode::NodeExists),
        ("/zookeeper", CreateMode::EPHEMERAL, ErrCode::NodeExists),
        ("/e/child", CreateMode::PERSISTENT, ErrCode::NoChildrenForEphemerals),
        ("/e/child", PERSISTENT_SEQUENTIAL, ErrCode::NoChildrenForEphemerals),
    ];
    for (path, mode, code) in table {
        let body = l.propose(S1, Op::Write(create_op(path, mode)));
        assert_eq!(body, TxnBody::Error(code), "{path:?}");
        assert_eq!(l.prep.outstanding_len(), 0, "a failed write records nothing ({path:?})");
    }
    // Each of them still took a zxid and applies as an error.
    let replies = l.commit_all();
    assert_eq!(replies.len(), table.len());
    assert!(replies.iter().all(|r| matches!(r, Reply::Error(_))));
}

#[test]
fn node_exists_is_checked_before_the_ephemeral_parent() {
    let mut l = Leader::new();
    l.write(S1, create_op("/e", CreateMode::EPHEMERAL));
    // No child can exist under an ephemeral, so only a sequential clash could show it;
    // the rule itself is covered by the order in prep_op. Here: /e exists.
    let body = l.propose(S2, Op::Write(create_op("/e", CreateMode::EPHEMERAL)));
    assert_eq!(body, TxnBody::Error(ErrCode::NodeExists));
}

#[test]
fn outstanding_parent_create_lets_a_child_create_pass() {
    let mut l = Leader::new();
    let a = l.propose(S1, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
    let b = l.propose(S1, Op::Write(create_op("/a/b", CreateMode::PERSISTENT)));
    assert_eq!(a, create_body("/a", SessionId(0), 1));
    assert_eq!(b, create_body("/a/b", SessionId(0), 1));
    let replies = l.commit_all();
    assert_eq!(replies, [Reply::Created { path: "/a".into() }, Reply::Created { path: "/a/b".into() }]);
    assert_eq!(l.prep.outstanding_len(), 0);
}

#[test]
fn two_outstanding_creates_of_one_path_give_node_exists() {
    let mut l = Leader::new();
    l.propose(S1, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
    let second = l.propose(S2, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
    assert_eq!(second, TxnBody::Error(ErrCode::NodeExists));
}

#[test]
fn outstanding_ephemeral_parent_refuses_children() {
    let mut l = Leader::new();
    l.propose(S1, Op::Write(create_op("/e", CreateMode::EPHEMERAL)));
    let child = l.propose(S1, Op::Write(create_op("/e/c", CreateMode::PERSISTENT)));
    assert_eq!(child, TxnBody::Error(ErrCode::NoChildrenForEphemerals));
}

#[test]
fn outstanding_delete_makes_the_node_missing_and_the_parent_deletable() {
    let mut l = Leader::new();
    l.write(S1, create_op("/p", CreateMode::PERSISTENT));
    l.write(S1, create_op("/p/c", CreateMode::PERSISTENT));
    assert_eq!(l.propose(S1, Op::Write(delete_op("/p", -1))), TxnBody::Error(ErrCode::NotEmpty));
    assert_eq!(l.propose(S1, Op::Write(delete_op("/p/c", -1))), TxnBody::Delete { path: "/p/c".into() });
    assert_eq!(l.propose(S1, Op::Write(set_op("/p/c", -1))), TxnBody::Error(ErrCode::NoNode));
    assert_eq!(l.propose(S1, Op::Write(delete_op("/p", -1))), TxnBody::Delete { path: "/p".into() });
    l.commit_all();
    assert!(!l.tree.contains("/p"));
}

#[test]
fn delete_errors_follow_upstream_order() {
    let mut l = Leader::new();
    l.write(S1, create_op("/p", CreateMode::PERSISTENT));
    l.write(S1, create_op("/p/c", CreateMode::PERSISTENT));
    l.write(S1, set_op("/p/c", 0)); // version 1
    let table = [
        ("/", -1, ErrCode::BadArguments),
        ("/zookeeper", -1, ErrCode::BadArguments),
        ("/zookeeper/quota", -1, ErrCode::BadArguments),
        ("/zookeeper/config", -1, ErrCode::BadArguments),
        ("p", -1, ErrCode::BadArguments),
        ("/p\0", -1, ErrCode::BadArguments),
        ("/nope/c", -1, ErrCode::NoNode),
        ("/nope", -1, ErrCode::NoNode),
        // Delete skips the full validatePath: "/p/" is simply not found.
        ("/p/", -1, ErrCode::NoNode),
        ("/p/c", 0, ErrCode::BadVersion),
        ("/p", 5, ErrCode::BadVersion),
        ("/p", 0, ErrCode::NotEmpty),
        ("/p", -1, ErrCode::NotEmpty),
    ];
    for (path, version, code) in table {
        assert_eq!(l.propose(S1, Op::Write(delete_op(path, version))), TxnBody::Error(code), "{path:?} v{version}");
    }
    assert_eq!(l.propose(S1, Op::Write(delete_op("/p/c", 1))), TxnBody::Delete { path: "/p/c".into() });
}

#[test]
fn set_data_checks_and_increments_the_version() {
    let mut l = Leader::new();
    l.write(S1, create_op("/a", CreateMode::PERSISTENT));
    let (body, reply) = l.write(S1, set_op("/a", 0));
    assert_eq!(body, TxnBody::SetData { path: "/a".into(), data: Some(d("w")), version: 1 });
    assert!(matches!(reply, Reply::SetData { stat } if stat.version == 1));
    assert_eq!(l.propose(S1, Op::Write(set_op("/a", 0))), TxnBody::Error(ErrCode::BadVersion));
    assert_eq!(l.propose(S1, Op::Write(set_op("/nope", -1))), TxnBody::Error(ErrCode::NoNode));
    assert_eq!(l.propose(S1, Op::Write(set_op("/a/", -1))), TxnBody::Error(ErrCode::BadArguments));
    // Two outstanding setData: the second sees the first's version.
    assert!(matches!(l.propose(S1, Op::Write(set_op("/a", 1))), TxnBody::SetData { version: 2, .. }));
    assert!(matches!(l.propose(S1, Op::Write(set_op("/a", 2))), TxnBody::SetData { version: 3, .. }));
    l.commit_all();
    assert_eq!(l.tree.stat("/a").unwrap().version, 3);
}

#[test]
fn standalone_check_and_read_ops_are_bad_arguments() {
    let mut l = Leader::new();
    let ops = [
        Op::Write(check_op("/", -1)),
        Op::GetData { path: "/".into(), watch: false },
        Op::Exists { path: "/".into(), watch: true },
        Op::GetChildren { path: "/".into(), watch: false },
    ];
    for op in ops {
        assert_eq!(l.propose(S1, op), TxnBody::Error(ErrCode::BadArguments));
    }
    assert_eq!(l.prep.outstanding_len(), 0);
}

#[test]
fn multi_sees_its_own_earlier_ops() {
    let mut l = Leader::new();
    let body = l.propose(
        S1,
        Op::Multi(vec![
            create_op("/m", CreateMode::PERSISTENT),
            create_op("/m/s-", PERSISTENT_SEQUENTIAL),
            create_op("/m/s-", PERSISTENT_SEQUENTIAL),
            set_op("/m", 0),
            check_op("/m", 1),
            delete_op("/m/s-0000000000", 0),
        ]),
    );
    assert_eq!(
        body,
        TxnBody::Multi(vec![
            create_body("/m", SessionId(0), 1),
            create_body("/m/s-0000000000", SessionId(0), 1),
            create_body("/m/s-0000000001", SessionId(0), 2),
            TxnBody::SetData { path: "/m".into(), data: Some(d("w")), version: 1 },
            TxnBody::Check { path: "/m".into(), version: 2 },
            TxnBody::Delete { path: "/m/s-0000000000".into() },
        ])
    );
    let replies = l.commit_all();
    let Reply::Multi(results) = &replies[0] else { panic!("{replies:?}") };
    assert_eq!(results.len(), 6);
    assert!(results.iter().all(|r| !matches!(r, WriteResult::Error(_))), "{results:?}");
    assert_eq!(l.tree.children("/m").unwrap(), ["s-0000000001"]);
    assert_eq!(l.prep.outstanding_len(), 0);
}

#[test]
fn failed_multi_is_all_or_nothing() {
    let mut l = Leader::new();
    l.write(S1, create_op("/a", CreateMode::PERSISTENT));
    let before = l.tree.digest();
    let body = l.propose(S1, Op::Multi(vec![create_op("/b", CreateMode::PERSISTENT), set_op("/a", 7), delete_op("/a", -1)]));
    assert_eq!(
        body,
        TxnBody::Multi(vec![
            create_body("/b", SessionId(0), 2),
            TxnBody::Error(ErrCode::BadVersion),
            TxnBody::Error(ErrCode::RuntimeInconsistency),
        ])
    );
    assert_eq!(l.prep.outstanding_len(), 0, "the multi's records are rolled back");
    // Later requests do not see the rolled-back create.
    assert_eq!(l.propose(S1, Op::Write(create_op("/b", CreateMode::PERSISTENT))), create_body("/b", SessionId(0), 2));
    let replies = l.commit_all();
    assert_eq!(
        replies[0],
        Reply::Multi(vec![
            WriteResult::Error(ErrCode::Ok), // upstream ErrorResult(OK)
            WriteResult::Error(ErrCode::BadVersion),
            WriteResult::Error(ErrCode::RuntimeInconsistency),
        ])
    );
    assert_ne!(l.tree.digest(), before, "only the second, single create applied");
    assert_eq!(l.tree.stat("/").unwrap().cversion, 1, "persisted 2, three children: 2*2 - 3");
}

#[test]
fn failed_multi_restores_earlier_outstanding_records() {
    let mut l = Leader::new();
    // Outstanding: create /q (parent record "" and /q).
    l.propose(S1, Op::Write(create_op("/q", CreateMode::PERSISTENT)));
    // Outstanding: /q/n0000000000.
    l.propose(S1, Op::Write(create_op("/q/n", PERSISTENT_SEQUENTIAL)));
    // A multi that creates another sequential child, then fails.
    let failed = l.propose(S1, Op::Multi(vec![create_op("/q/n", PERSISTENT_SEQUENTIAL), check_op("/q", 3)]));
    assert_eq!(failed, TxnBody::Multi(vec![create_body("/q/n0000000001", SessionId(0), 2), TxnBody::Error(ErrCode::BadVersion)]));
    // ZOOKEEPER-1624: the parent's record is restored, so the next name is not skipped.
    let next = l.propose(S1, Op::Write(create_op("/q/n", PERSISTENT_SEQUENTIAL)));
    assert_eq!(next, create_body("/q/n0000000001", SessionId(0), 2));
    l.commit_all();
    assert_eq!(l.tree.children("/q").unwrap(), ["n0000000000", "n0000000001"]);
}

#[test]
fn failed_multi_drops_an_earlier_record_of_a_generated_sequential_name() {
    // Upstream quirk: the rollback only restores records of the request paths and their
    // parents, not of the generated sequential name.
    let mut l = Leader::new();
    // /q, then /q/n0000000000, /q/x and /q/n0000000003: /q's persisted cversion is 3.
    l.write(S1, create_op("/q", CreateMode::PERSISTENT));
    l.write(S1, create_op("/q/n", PERSISTENT_SEQUENTIAL));
    l.write(S1, create_op("/q/x", CreateMode::PERSISTENT));
    l.write(S1, create_op("/q/n0000000003", CreateMode::PERSISTENT));
    // Outstanding delete of /q/n0000000003 ...
    assert_eq!(l.propose(S1, Op::Write(delete_op("/q/n0000000003", -1))), TxnBody::Delete { path: "/q/n0000000003".into() });
    // ... then a failed multi whose sequential create generated exactly that name.
    let failed = l.propose(S1, Op::Multi(vec![create_op("/q/n", PERSISTENT_SEQUENTIAL), set_op("/nope", -1)]));
    let TxnBody::Multi(bodies) = &failed else { panic!("{failed:?}") };
    assert_eq!(bodies[0], create_body("/q/n0000000003", SessionId(0), 4));
    // The delete's record is gone from the lookup map: the node looks present again.
    let again = l.propose(S1, Op::Write(create_op("/q/n0000000003", CreateMode::PERSISTENT)));
    assert_eq!(again, TxnBody::Error(ErrCode::NodeExists));
}

#[test]
fn multi_check_failure_is_reported_as_bad_version_on_the_check() {
    let mut l = Leader::new();
    l.write(S1, create_op("/controller_epoch", CreateMode::PERSISTENT));
    let body = l.propose(S1, Op::Multi(vec![check_op("/controller_epoch", 3), set_op("/controller_epoch", -1)]));
    assert_eq!(body, TxnBody::Multi(vec![TxnBody::Error(ErrCode::BadVersion), TxnBody::Error(ErrCode::RuntimeInconsistency)]));
}

#[test]
fn empty_multi_is_an_empty_multi_txn() {
    let mut l = Leader::new();
    assert_eq!(l.propose(S1, Op::Multi(vec![])), TxnBody::Multi(vec![]));
    assert_eq!(l.commit_all(), [Reply::Multi(vec![])]);
}

#[test]
fn close_session_covers_committed_and_outstanding_ephemerals() {
    let mut l = Leader::new();
    l.write(S1, create_op("/p", CreateMode::PERSISTENT));
    l.write(S1, create_op("/p/old", CreateMode::EPHEMERAL));
    l.write(S1, create_op("/p/gone", CreateMode::EPHEMERAL));
    l.write(S2, create_op("/p/other", CreateMode::EPHEMERAL));
    l.propose(S1, Op::Write(create_op("/p/new", CreateMode::EPHEMERAL)));
    l.propose(S1, Op::Write(delete_op("/p/gone", -1)));
    assert_eq!(l.propose_close(S1), TxnBody::CloseSession);
    // The session's ephemerals now read as deleted.
    for path in ["/p/old", "/p/new"] {
        assert_eq!(l.propose(S2, Op::Write(set_op(path, -1))), TxnBody::Error(ErrCode::NoNode), "{path}");
    }
    assert!(matches!(l.propose(S2, Op::Write(set_op("/p/other", -1))), TxnBody::SetData { .. }));
    // Quirk: the parent's child count was not updated, so /p still looks non-empty.
    l.propose(S2, Op::Write(delete_op("/p/other", -1)));
    assert_eq!(l.propose(S2, Op::Write(delete_op("/p", -1))), TxnBody::Error(ErrCode::NotEmpty));
    l.commit_all();
    assert_eq!(l.tree.children("/p").unwrap(), Vec::<String>::new());
    assert_eq!(l.prep.outstanding_len(), 0);
}

#[test]
fn committed_forgets_only_applied_records() {
    let mut l = Leader::new();
    l.propose(S1, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
    l.propose(S1, Op::Write(create_op("/b", CreateMode::PERSISTENT)));
    assert_eq!(l.prep.outstanding_len(), 4);
    let first = l.proposed.remove(0);
    l.tree.apply(&first);
    l.prep.committed(first.zxid);
    assert_eq!(l.prep.outstanding_len(), 2);
    // The root record of the second create is still the one lookups see.
    let c = l.propose(S1, Op::Write(create_op("/c", CreateMode::PERSISTENT)));
    assert_eq!(c, create_body("/c", SessionId(0), 3));
}

#[test]
fn clear_forgets_everything() {
    let mut l = Leader::new();
    l.propose(S1, Op::Write(create_op("/a", CreateMode::PERSISTENT)));
    l.prep.clear();
    assert_eq!(l.prep.outstanding_len(), 0);
    assert_eq!(
        l.prep.prep_write(&l.tree, S1, &Op::Write(create_op("/a", CreateMode::PERSISTENT)), z(9)),
        create_body("/a", SessionId(0), 1)
    );
}

#[test]
fn rejected_builds_the_upstream_shape() {
    let multi = Op::Multi(vec![check_op("/a", 1), set_op("/a", 1), delete_op("/b", -1)]);
    assert_eq!(
        Prep::rejected(&multi, ErrCode::SessionExpired),
        TxnBody::Multi(vec![
            TxnBody::Error(ErrCode::SessionExpired),
            TxnBody::Error(ErrCode::RuntimeInconsistency),
            TxnBody::Error(ErrCode::RuntimeInconsistency),
        ])
    );
    assert_eq!(Prep::rejected(&Op::Write(set_op("/a", 1)), ErrCode::SessionExpired), TxnBody::Error(ErrCode::SessionExpired));
}

#[test]
fn validate_path_matches_path_utils() {
    let ok = ["/", "/a", "/a/b", "/a.b", "/a/..b", "/...", "/a/.b", "/é", "/\u{f900}"];
    for p in ok {
        assert_eq!(validate_path(p), Ok(()), "{p:?}");
    }
    let bad = [
        ("", "Path length must be > 0"),
        ("a", "Path must start with / character"),
        ("/a/", "Path must not end with / character"),
        ("//a", "Invalid path string \"//a\" caused by empty node name specified @1"),
        ("/a//b", "Invalid path string \"/a//b\" caused by empty node name specified @3"),
        ("/a/./b", "Invalid path string \"/a/./b\" caused by relative paths not allowed @3"),
        ("/.", "Invalid path string \"/.\" caused by relative paths not allowed @1"),
        ("/a/..", "Invalid path string \"/a/..\" caused by relative paths not allowed @4"),
        ("/../a", "Invalid path string \"/../a\" caused by relative paths not allowed @2"),
        ("/a\0", "Invalid path string \"/a\0\" caused by null character not allowed @2"),
        ("/a\u{7}", "Invalid path string \"/a\u{7}\" caused by invalid character @2"),
        ("/a\u{85}", "Invalid path string \"/a\u{85}\" caused by invalid character @2"),
        ("/\u{e000}", "Invalid path string \"/\u{e000}\" caused by invalid character @1"),
        ("/\u{fff0}", "Invalid path string \"/\u{fff0}\" caused by invalid character @1"),
        ("/x\u{1f600}", "Invalid path string \"/x\u{1f600}\" caused by invalid character @2"),
    ];
    for (p, msg) in bad {
        assert_eq!(validate_path(p), Err(msg.to_string()), "{p:?}");
    }
}

#[test]
fn client_side_sequential_validation_appends_a_digit() {
    assert!(validate_create_path("/a/", true).is_ok());
    assert!(validate_create_path("/a/", false).is_err());
    assert!(validate_create_path("/", true).is_ok());
}

/// A tiny deterministic generator for the randomized test.
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

/// Explicit paths never look like generated sequential names (which end in ten digits), so
/// the sequential-name rollback quirk cannot make an accepted op fail.
const EXPLICIT: [&str; 14] =
    ["/a", "/b", "/a/c", "/a/d", "/b/c", "/a/c/e", "/zookeeper", "/", "a", "/a/", "//a", "/a/./b", "/zookeeper/config", "/x\0"];
const SEQUENTIAL_BASES: [&str; 4] = ["/s", "/a/s", "/a/c/s", "/b/"];

fn random_target(rng: &mut Lcg, tree: &DataTree, seen: &[String]) -> String {
    match rng.below(3) {
        0 => rng.pick(&EXPLICIT).to_string(),
        1 if !seen.is_empty() => rng.pick(seen).clone(),
        _ => {
            let paths: Vec<&str> = tree.paths().collect();
            rng.pick(&paths).to_string()
        }
    }
}

fn random_version(rng: &mut Lcg, tree: &DataTree, path: &str) -> i32 {
    match rng.below(4) {
        0 | 1 => -1,
        2 => tree.stat(path).map_or(0, |s| s.version),
        _ => rng.below(3) as i32,
    }
}

fn random_op(rng: &mut Lcg, tree: &DataTree, seen: &[String]) -> WriteOp {
    let mode = CreateMode { ephemeral: rng.below(4) == 0, sequential: rng.below(3) == 0 };
    match rng.below(6) {
        0 | 1 => {
            let path = if mode.sequential { rng.pick(&SEQUENTIAL_BASES).to_string() } else { rng.pick(&EXPLICIT).to_string() };
            WriteOp::Create { path, data: Some(d("v")), mode }
        }
        2 => {
            let path = random_target(rng, tree, seen);
            let version = random_version(rng, tree, &path);
            WriteOp::Delete { path, version }
        }
        3 | 4 => {
            let path = random_target(rng, tree, seen);
            let version = random_version(rng, tree, &path);
            WriteOp::SetData { path, data: Some(d("w")), version }
        }
        _ => {
            let path = random_target(rng, tree, seen);
            let version = random_version(rng, tree, &path);
            WriteOp::Check { path, version }
        }
    }
}

fn has_error(body: &TxnBody) -> bool {
    match body {
        TxnBody::Error(_) => true,
        TxnBody::Multi(bodies) => bodies.iter().any(has_error),
        _ => false,
    }
}

#[test]
fn random_workloads_never_fail_at_apply_what_prep_accepted() {
    for seed in 0..150u64 {
        let mut rng = Lcg(seed);
        let mut l = Leader::new();
        let mut live: Vec<SessionId> = Vec::new();
        let mut next_session = 1u64;
        let mut seen: Vec<String> = Vec::new();
        for step in 0..200 {
            match rng.below(10) {
                // Open a session (committed through the log like any txn).
                0 if live.len() < 3 => {
                    let session = SessionId(0x1000_0000_0000_0000 | next_session);
                    next_session += 1;
                    l.counter += 1;
                    let zxid = z(l.counter);
                    let body = TxnBody::CreateSession { timeout_ms: 6000 };
                    l.proposed.push(Txn { zxid, session, cxid: 0, time_ms: 0, body });
                    live.push(session);
                }
                // Close one: from now on it sends nothing (the tracker marks it closing).
                1 if !live.is_empty() && rng.below(4) == 0 => {
                    let session = live.remove(rng.below(live.len()));
                    assert_eq!(l.propose_close(session), TxnBody::CloseSession);
                }
                // Commit the oldest few proposals.
                2 | 3 => {
                    let n = rng.below(4).min(l.proposed.len());
                    for t in l.proposed.drain(..n).collect::<Vec<_>>() {
                        let before = l.tree.digest();
                        let (reply, _) = l.tree.apply(&t);
                        l.prep.committed(t.zxid);
                        let failed_reply = match &reply {
                            Reply::Error(_) => true,
                            Reply::Multi(results) => results.iter().any(|r| matches!(r, WriteResult::Error(_))),
                            _ => false,
                        };
                        assert_eq!(failed_reply, has_error(&t.body), "seed {seed} step {step}: {t:?} -> {reply:?}");
                        if has_error(&t.body) {
                            assert_eq!(l.tree.digest(), before, "seed {seed}: {t:?}");
                        }
                        if let Reply::Created { path } = &reply {
                            seen.push(path.clone());
                        }
                        if let Err(e) = l.tree.check_consistency() {
                            panic!("seed {seed} step {step}: {e}");
                        }
                    }
                }
                // A write or a multi from a live session.
                _ if !live.is_empty() => {
                    let session = *rng.pick(&live);
                    let op = if rng.below(3) == 0 {
                        let ops = (0..1 + rng.below(4)).map(|_| random_op(&mut rng, &l.tree, &seen));
                        Op::Multi(ops.collect())
                    } else {
                        Op::Write(random_op(&mut rng, &l.tree, &seen))
                    };
                    l.propose(session, op);
                }
                _ => {}
            }
        }
        l.commit_all();
        assert_eq!(l.prep.outstanding_len(), 0, "seed {seed}");
        assert!(l.tree.check_consistency().is_ok());
    }
}
