//! The facts behind the page's explaining pictures, computed here so that JavaScript only draws:
//!
//! - each LOOKING server's election: its current vote `(epoch, zxid, sid)` with the zxid split
//!   into epoch and counter, the votes it received this round (`recvset`) and from servers
//!   already out of the election (`outofelection`), which of them agree with its vote, and the
//!   quorum it needs (`FastLeaderElection.lookForLeader`, `QuorumMaj.containsQuorum`);
//! - the controller: the broker `/controller` names, `/controller_epoch`, and every broker that
//!   acts as controller with the epoch it holds (two of them during a zombie controller's life,
//!   `KafkaController.scala`, `ControllerContext.epoch`);
//! - the sessions the ZooKeeper leader tracks, each with its owner (a broker or a shell), the
//!   time left before it expires and its ephemeral znodes (`SessionTrackerImpl`: a session
//!   expires when its deadline passes without a ping);
//! - one partition: each replica's log end offset and high watermark, the ISR, the leader, the
//!   preferred leader (the first assigned replica, `PreferredReplicaLeaderElection`) and the
//!   offline replicas (broker not running or not registered), as `Partition.scala` and
//!   `kafka-topics --describe` name them.
//!
//! Simplified: session deadlines are the leader's exact `expire_at` (ZooKeeper rounds them up to
//! the next `tickTime` bucket; the simulation's tracker does the same before storing them).

use crate::cluster::{Cluster, Proc};
use crate::json_out::json_struct;
use crate::lesson::eval::{controller_epoch, controller_znode, serving_tree};
use crate::zk::msg::{ServerState, Vote};
use crate::zk::server::Role;

json_struct! {
    /// Everything the pictures draw at one instant.
    #[derive(Clone, Debug)]
    pub struct Pictures {
        pub now_us: u64,
        pub elections: Vec<ElectionPicture>,
        pub controller: ControllerPicture,
        pub sessions: Vec<SessionPicture>,
        /// The partition asked for (`None` if it does not exist).
        pub partition: Option<PartitionPicture>,
    }
}

json_struct! {
    /// A vote `(epoch, zxid, sid)`, in FastLeaderElection's order of comparison.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct VotePicture {
        /// The proposed leader's epoch (`peerEpoch`).
        pub epoch: u32,
        /// The proposed leader's last zxid, hex as ZooKeeper prints it.
        pub zxid: String,
        /// `zxid >> 32` and `zxid & 0xffffffff`.
        pub zxid_epoch: u32,
        pub zxid_counter: u32,
        /// The proposed leader.
        pub sid: u64,
    }
}

json_struct! {
    /// A vote received from one server.
    #[derive(Clone, Debug)]
    pub struct ReceivedVote {
        pub from: String,
        pub vote: VotePicture,
        /// The sender's state: `LOOKING`, or `FOLLOWING`/`LEADING` for a server out of the election.
        pub state: &'static str,
        /// It proposes the same leader as this server's current vote.
        pub agrees: bool,
    }
}

json_struct! {
    /// A LOOKING server's election.
    #[derive(Clone, Debug)]
    pub struct ElectionPicture {
        pub server: String,
        /// `logicalclock`.
        pub round: String,
        pub vote: Option<VotePicture>,
        pub received: Vec<ReceivedVote>,
        /// Votes agreeing with this server's vote (its own included).
        pub agree: usize,
        /// Votes a leader needs: a majority of the ensemble.
        pub quorum: usize,
        /// In the 200 ms wait before the result is final.
        pub finalizing: bool,
    }
}

json_struct! {
    /// A broker that acts as controller.
    #[derive(Clone, Debug)]
    pub struct ActingController {
        pub broker: i32,
        pub epoch: i32,
        pub up: bool,
    }
}

json_struct! {
    /// Who the controller is, by ZooKeeper and by the brokers.
    #[derive(Clone, Debug)]
    pub struct ControllerPicture {
        /// The broker `/controller` names.
        pub broker: Option<i32>,
        /// `/controller_epoch`.
        pub epoch: Option<i64>,
        pub acting: Vec<ActingController>,
    }
}

json_struct! {
    /// A session the ZooKeeper leader tracks.
    #[derive(Clone, Debug)]
    pub struct SessionPicture {
        pub id: String,
        /// `b1`, `cli3`, … (a process that holds the session), if any runs.
        pub owner: Option<String>,
        pub timeout_ms: u32,
        /// Virtual milliseconds left before the leader expires it (0 once due).
        pub expires_in_ms: u64,
        pub ephemerals: Vec<String>,
    }
}

json_struct! {
    /// One replica of the selected partition.
    #[derive(Clone, Debug)]
    pub struct ReplicaBar {
        pub broker: i32,
        /// Log end offset and high watermark in this replica's log (`None` without a log).
        pub leo: Option<i64>,
        pub hw: Option<i64>,
        pub in_isr: bool,
        pub leader: bool,
        pub preferred: bool,
        /// The broker is not running, or not registered in `/brokers/ids`.
        pub offline: bool,
    }
}

json_struct! {
    /// A partition's replication: LEO and HW bars, the ISR boundary, leader and preferred leader.
    #[derive(Clone, Debug)]
    pub struct PartitionPicture {
        pub topic: String,
        pub partition: i32,
        /// -1 without a leader.
        pub leader: i32,
        pub leader_epoch: i32,
        pub preferred: i32,
        pub isr: Vec<i32>,
        /// The high watermark the leader serves (what a consumer can read up to).
        pub hw: Option<i64>,
        pub replicas: Vec<ReplicaBar>,
    }
}

fn vote(v: &Vote) -> VotePicture {
    VotePicture {
        epoch: v.peer_epoch,
        zxid: v.zxid.to_string(),
        zxid_epoch: v.zxid.epoch(),
        zxid_counter: v.zxid.counter(),
        sid: v.leader.0,
    }
}

fn state_name(s: ServerState) -> &'static str {
    s.name()
}

fn elections(c: &Cluster) -> Vec<ElectionPicture> {
    let w = &c.world;
    let mut out = Vec::new();
    for (i, n) in c.zk_nodes.iter().enumerate() {
        if !w.is_up(*n) {
            continue;
        }
        let Some(Proc::Zk(s)) = w.proc(*n) else { continue };
        let Role::Looking(e) = &s.v.role else { continue };
        let mine = s.vote();
        let name_of = |sid: u64| c.zk_node(sid as u32).map(|n| w.name(n)).unwrap_or_else(|| format!("zk{sid}"));
        let agrees = |v: &Vote| mine.is_some_and(|m| m.leader == v.leader);
        let mut received: Vec<ReceivedVote> = e
            .recvset
            .iter()
            .map(|(sid, v)| ReceivedVote { from: name_of(sid.0), vote: vote(v), state: "LOOKING", agrees: agrees(v) })
            .collect();
        for (sid, (v, st, _)) in e.outofelection.iter() {
            if !e.recvset.contains_key(sid) {
                received.push(ReceivedVote { from: name_of(sid.0), vote: vote(v), state: state_name(*st), agrees: agrees(v) });
            }
        }
        let agree = received.iter().filter(|r| r.agrees).count();
        out.push(ElectionPicture {
            server: format!("zk{}", i + 1),
            round: s.round().to_string(),
            vote: mine.as_ref().map(vote),
            received,
            agree,
            quorum: s.cfg.servers.len() / 2 + 1,
            finalizing: e.finalizing,
        });
    }
    out
}

fn controller(c: &Cluster) -> ControllerPicture {
    let acting = (1..=c.shape.brokers)
        .filter_map(|id| {
            let b = c.broker(id)?;
            let ctl = b.ctl.as_ref()?;
            Some(ActingController { broker: id as i32, epoch: ctl.epoch.0, up: c.broker_node(id).is_some_and(|n| c.world.is_up(n)) })
        })
        .collect();
    ControllerPicture { broker: controller_znode(c), epoch: controller_epoch(c), acting }
}

fn sessions(c: &Cluster) -> Vec<SessionPicture> {
    let w = &c.world;
    let now = w.now();
    let Some(leader) = c.zk_nodes.iter().filter(|n| w.is_up(**n)).find_map(|n| match w.proc(*n) {
        Some(Proc::Zk(s)) if s.state() == ServerState::Leading && s.is_serving() => Some(s),
        _ => None,
    }) else {
        return Vec::new();
    };
    let owner = |sid: u64| -> Option<String> {
        w.slots().iter().filter(|s| s.is_up()).find_map(|s| {
            let held = match &s.proc {
                Proc::Broker(b) => b.zk.session.0,
                Proc::Shell(sh) => sh.client.session.0,
                _ => 0,
            };
            (held == sid).then(|| s.name.clone())
        })
    };
    leader
        .tracked_sessions()
        .into_iter()
        .map(|(id, timeout_ms, expire_at)| SessionPicture {
            id: id.to_string(),
            owner: owner(id.0),
            timeout_ms,
            expires_in_ms: expire_at.as_micros().saturating_sub(now.as_micros()) / 1000,
            ephemerals: leader.tree().ephemerals_of(id),
        })
        .collect()
}

/// The partition `topic-partition` as the serving tree and the brokers' logs describe it.
fn partition(c: &Cluster, topic: &str, p: i32) -> Option<PartitionPicture> {
    use crate::kafka::json::{parse_partition_state, parse_topic_assignment};
    let t = serving_tree(c)?;
    let text = |path: &str| t.node(path).and_then(|(d, _)| d).map(|d| String::from_utf8_lossy(d).into_owned());
    let assignment = parse_topic_assignment(&text(&format!("/brokers/topics/{topic}"))?).ok()?;
    let replicas: Vec<i32> = assignment.partitions.iter().find(|(id, _)| **id == p)?.1.iter().map(|b| b.0).collect();
    let state = text(&format!("/brokers/topics/{topic}/partitions/{p}/state")).and_then(|s| parse_partition_state(&s).ok());
    let leader = state.as_ref().map_or(-1, |s| s.leader.0);
    let isr: Vec<i32> = state.as_ref().map(|s| s.isr.iter().map(|b| b.0).collect()).unwrap_or_default();
    let registered: Vec<String> = t.children("/brokers/ids").unwrap_or_default();
    let tp = crate::kafka::types::TopicPartition::new(topic, p);
    let bars: Vec<ReplicaBar> = replicas
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let log = c.broker(b as u32).and_then(|br| br.durable.logs.get(&tp));
            let up = c.broker_node(b as u32).is_some_and(|n| c.world.is_up(n));
            ReplicaBar {
                broker: b,
                leo: log.map(|l| l.leo()),
                hw: log.map(|l| l.hw),
                in_isr: isr.contains(&b),
                leader: b == leader,
                preferred: i == 0,
                offline: !up || !registered.iter().any(|r| r == &b.to_string()),
            }
        })
        .collect();
    let hw = bars.iter().find(|r| r.leader && !r.offline).and_then(|r| r.hw);
    Some(PartitionPicture {
        topic: topic.to_string(),
        partition: p,
        leader,
        leader_epoch: state.as_ref().map_or(-1, |s| s.leader_epoch.0),
        preferred: replicas.first().copied().unwrap_or(-1),
        isr,
        hw,
        replicas: bars,
    })
}

/// The pictures' facts; `partition` is `test-2` or empty for none.
pub fn pictures(c: &Cluster, partition_name: &str) -> Pictures {
    let part = partition_name.rsplit_once('-').and_then(|(t, p)| Some((t, p.parse::<i32>().ok()?)));
    Pictures {
        now_us: c.world.now().as_micros(),
        elections: elections(c),
        controller: controller(c),
        sessions: sessions(c),
        partition: part.and_then(|(t, p)| partition(c, t, p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Driver;

    #[test]
    fn a_looking_server_shows_its_vote_and_the_votes_it_received() {
        let mut d = Driver::new(1, 3, 1).unwrap();
        d.run("zk start 1");
        d.run("zk start 2");
        // Before the election ends: zk1 and zk2 look, each has its own vote.
        let mut seen = false;
        for _ in 0..40 {
            d.step(1);
            let p = pictures(&d.term.cluster, "");
            if let Some(e) = p.elections.iter().find(|e| e.server == "zk1" && e.received.len() >= 2) {
                assert_eq!(e.quorum, 2);
                assert_eq!(e.vote.as_ref().unwrap().sid, 2, "zk1 switched to the higher sid");
                assert_eq!(e.agree, e.received.iter().filter(|r| r.vote.sid == 2).count());
                seen = true;
                break;
            }
        }
        assert!(seen, "zk1 received two votes while looking");
        d.run("sleep 5s");
        assert!(pictures(&d.term.cluster, "").elections.is_empty(), "nobody looks once zk2 leads");
    }

    #[test]
    fn the_controller_sessions_and_a_partition_are_described_with_their_numbers() {
        let mut d = Driver::new(1, 3, 3).unwrap();
        for l in ["zk start 1", "zk start 2", "zk start 3", "sleep 5s", "broker start 1", "broker start 2", "broker start 3", "sleep 5s"] {
            assert!(!d.run(l).error, "{l}");
        }
        assert!(!d.run("kafka-topics --create --bootstrap-server localhost:9092 --topic t --replica-assignment 2:1:3").error);
        d.run("sleep 5s");
        let p = pictures(&d.term.cluster, "t-0");
        assert_eq!((p.controller.broker, p.controller.epoch), (Some(1), Some(1)));
        assert_eq!(p.controller.acting.len(), 1);
        let b1 = p.sessions.iter().find(|s| s.owner.as_deref() == Some("b1")).expect("b1's session");
        assert!(b1.ephemerals.contains(&"/brokers/ids/1".to_string()) && b1.ephemerals.contains(&"/controller".to_string()));
        assert!(b1.expires_in_ms <= 18_000 && b1.timeout_ms == 18_000);
        let part = p.partition.expect("t-0");
        assert_eq!((part.leader, part.preferred), (2, 2));
        assert_eq!(part.replicas.iter().map(|r| r.broker).collect::<Vec<_>>(), vec![2, 1, 3]);
        assert!(part.replicas.iter().all(|r| r.in_isr && !r.offline && r.leo == Some(0)));
        d.run("broker kill 3");
        d.run("sleep 2s");
        let part = pictures(&d.term.cluster, "t-0").partition.unwrap();
        assert!(part.replicas[2].offline && !part.replicas[0].offline);
        let s = pictures(&d.term.cluster, "").sessions;
        let b3 = s.iter().find(|s| s.ephemerals.contains(&"/brokers/ids/3".to_string())).expect("b3's session lingers");
        assert_eq!(b3.owner, None);
        assert!(b3.expires_in_ms <= 16_000, "counting down since the crash: {}", b3.expires_in_ms);
        assert!(pictures(&d.term.cluster, "nope-0").partition.is_none() && pictures(&d.term.cluster, "t-x").partition.is_none());
    }
}
