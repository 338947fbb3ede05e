//! Evaluating a lesson condition over the simulation state, from outside the nodes: the
//! ZooKeeper servers' roles and epochs, the serving data tree (`/controller`,
//! `/controller_epoch`, `/brokers/ids/N`, the partition state znodes), the brokers' processes
//! (controller role, logs and high watermarks) and the world's process table.
//!
//! The serving tree is the serving leader's, else a serving follower's (what a client would
//! read); when no server serves, znode conditions are not met either way.

use super::cond::{Cond, NodeRef, Tp};
use crate::cluster::{Cluster, Proc};
use crate::kafka::json::{parse_controller, parse_partition_state, PartitionStateJson};
use crate::zk::msg::ServerState;
use crate::zk::server::ZkServer;
use crate::zk::tree::DataTree;

/// Running ZooKeeper servers, with their sid.
fn running_zk(c: &Cluster) -> impl Iterator<Item = (u32, &ZkServer)> {
    c.zk_nodes.iter().enumerate().filter(|(_, n)| c.world.is_up(**n)).filter_map(|(i, n)| match c.world.proc(*n) {
        Some(Proc::Zk(s)) => Some((i as u32 + 1, s)),
        _ => None,
    })
}

/// The tree a client reads: the serving leader's, else a serving server's.
pub fn serving_tree(c: &Cluster) -> Option<&DataTree> {
    let serving: Vec<&ZkServer> = running_zk(c).map(|(_, s)| s).filter(|s| s.is_serving()).collect();
    serving.iter().find(|s| s.state() == ServerState::Leading).or_else(|| serving.first()).map(|s| s.tree())
}

fn text(t: &DataTree, path: &str) -> Option<String> {
    let (data, _) = t.node(path)?;
    Some(String::from_utf8_lossy(data?).into_owned())
}

/// `/controller_epoch` in the serving tree.
pub fn controller_epoch(c: &Cluster) -> Option<i64> {
    serving_tree(c).and_then(|t| text(t, "/controller_epoch")).and_then(|s| s.trim().parse().ok())
}

/// The broker `/controller` names in the serving tree.
pub fn controller_znode(c: &Cluster) -> Option<i32> {
    serving_tree(c).and_then(|t| text(t, "/controller")).and_then(|s| parse_controller(&s).ok()).map(|j| j.broker.0)
}

fn partition_state(c: &Cluster, tp: &Tp) -> Option<PartitionStateJson> {
    let t = serving_tree(c)?;
    parse_partition_state(&text(t, &format!("/brokers/topics/{}/partitions/{}/state", tp.topic, tp.partition))?).ok()
}

fn broker_up(c: &Cluster, id: u32) -> Option<&crate::kafka::broker::Broker> {
    let n = c.broker_node(id)?;
    if !c.world.is_up(n) {
        return None;
    }
    c.broker(id)
}

/// The ZooKeeper session broker `id` holds now: its client's, else the owner of its
/// registration znode.
fn broker_session(c: &Cluster, id: u32) -> Option<u64> {
    if let Some(b) = broker_up(c, id) {
        if b.zk.session.0 != 0 {
            return Some(b.zk.session.0);
        }
    }
    let (_, st) = serving_tree(c)?.node(&format!("/brokers/ids/{id}"))?;
    (st.ephemeral_owner.0 != 0).then_some(st.ephemeral_owner.0)
}

/// Check that the nodes a condition names exist in this cluster's shape.
pub fn check_names(c: &Cluster, cond: &Cond) -> Result<(), String> {
    let zk = |n: u32| {
        if n <= c.shape.zk {
            Ok(())
        } else {
            Err(format!("'{cond}': there is no server zk{n} (this ensemble has zk1–zk{})", c.shape.zk))
        }
    };
    let broker = |n: u32| {
        if n <= c.shape.brokers {
            Ok(())
        } else if c.shape.brokers == 0 {
            Err(format!("'{cond}': this cluster has no brokers"))
        } else {
            Err(format!("'{cond}': there is no broker {n} (this cluster has brokers 1–{})", c.shape.brokers))
        }
    };
    match cond {
        Cond::ZkLeaderIs(n) | Cond::ZkLooking(n) | Cond::NodeRunning(NodeRef::Zk(n)) | Cond::NodeDown(NodeRef::Zk(n)) => zk(*n),
        Cond::ControllerIs(n)
        | Cond::BrokerRegistered(n)
        | Cond::BrokerUnregistered(n)
        | Cond::SessionExpired { broker: n, .. }
        | Cond::NodeRunning(NodeRef::Broker(n))
        | Cond::NodeDown(NodeRef::Broker(n)) => broker(*n),
        Cond::All(v) | Cond::Any(v) => v.iter().try_for_each(|x| check_names(c, x)),
        _ => Ok(()),
    }
}

/// Fill in what the conditions that compare with the start of the wait need to remember.
pub fn arm(c: &Cluster, cond: &mut Cond) {
    match cond {
        Cond::ControllerChanged { since_epoch } => *since_epoch = Some(controller_epoch(c).unwrap_or(0)),
        Cond::SessionExpired { broker, session } => *session = broker_session(c, *broker),
        Cond::All(v) | Cond::Any(v) => v.iter_mut().for_each(|x| arm(c, x)),
        _ => {}
    }
}

fn node_up(c: &Cluster, n: NodeRef) -> bool {
    let id = match n {
        NodeRef::Zk(i) => c.zk_node(i),
        NodeRef::Broker(i) => c.broker_node(i),
    };
    id.is_some_and(|id| c.world.is_up(id))
}

fn node_down(c: &Cluster, n: NodeRef) -> bool {
    use crate::sim::world::Life;
    let id = match n {
        NodeRef::Zk(i) => c.zk_node(i),
        NodeRef::Broker(i) => c.broker_node(i),
    };
    id.and_then(|id| c.world.slot(id)).is_some_and(|s| matches!(s.life, Life::Stopped | Life::Crashed))
}

/// Whether the (armed) condition holds now.
pub fn holds(c: &Cluster, cond: &Cond) -> bool {
    let leader = || running_zk(c).find(|(_, s)| s.state() == ServerState::Leading && s.is_serving()).map(|(sid, _)| sid);
    let znode = |p: &str| serving_tree(c).map(|t| t.node(p).is_some());
    match cond {
        Cond::ZkLeaderElected => leader().is_some(),
        Cond::ZkLeaderIs(n) => leader() == Some(*n),
        Cond::ZkNoQuorum => !running_zk(c).any(|(_, s)| s.is_serving()),
        Cond::ZkEpochAtLeast(n) => running_zk(c).any(|(_, s)| s.is_serving() && s.epoch() >= *n),
        Cond::ZkLooking(n) => running_zk(c).any(|(sid, s)| sid == *n && s.state() == ServerState::Looking),
        Cond::ControllerIs(n) => controller_znode(c) == Some(*n as i32) && broker_up(c, *n).is_some_and(|b| b.is_controller()),
        Cond::ControllerChanged { since_epoch } => {
            let acting = controller_znode(c).filter(|b| *b > 0).and_then(|b| broker_up(c, b as u32)).is_some_and(|b| b.is_controller());
            acting && controller_epoch(c).unwrap_or(0) > since_epoch.unwrap_or(i64::MAX)
        }
        Cond::ControllerEpochAtLeast(n) => controller_epoch(c).is_some_and(|e| e >= *n),
        Cond::BrokerRegistered(n) => znode(&format!("/brokers/ids/{n}")) == Some(true),
        Cond::BrokerUnregistered(n) => znode(&format!("/brokers/ids/{n}")) == Some(false),
        Cond::LeaderIs(tp, n) => partition_state(c, tp).is_some_and(|s| s.leader.0 == *n as i32),
        Cond::LeaderNone(tp) => partition_state(c, tp).is_some_and(|s| s.leader.0 == -1),
        Cond::IsrIncludes(tp, n) => partition_state(c, tp).is_some_and(|s| s.isr.iter().any(|b| b.0 == *n as i32)),
        Cond::IsrExcludes(tp, n) => partition_state(c, tp).is_some_and(|s| !s.isr.iter().any(|b| b.0 == *n as i32)),
        Cond::HwAtLeast(tp, n) => partition_state(c, tp)
            .filter(|s| s.leader.0 > 0)
            .and_then(|s| broker_up(c, s.leader.0 as u32))
            .and_then(|b| b.durable.logs.get(&crate::kafka::types::TopicPartition::new(&tp.topic, tp.partition)))
            .is_some_and(|log| log.hw >= *n),
        Cond::ZnodeExists(p) => znode(p) == Some(true),
        Cond::ZnodeMissing(p) => znode(p) == Some(false),
        Cond::SessionExpired { broker, session } => match (serving_tree(c), session) {
            (None, _) => false,
            (Some(t), Some(s)) => !t.sessions().contains_key(&crate::zk::types::SessionId(*s)),
            (Some(t), None) => t.node(&format!("/brokers/ids/{broker}")).is_none(),
        },
        Cond::NodeRunning(n) => node_up(c, *n),
        Cond::NodeDown(n) => node_down(c, *n),
        Cond::All(v) => v.iter().all(|x| holds(c, x)),
        Cond::Any(v) => v.iter().any(|x| holds(c, x)),
    }
}
