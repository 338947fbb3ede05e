//! The vocabularies the page draws with: the kinds of messages (coloured dots and the legend that
//! hides them), of trace records (the event panel's filter) and of nodes (the cluster's rows).
//! They live here and reach the page through `Sandbox.vocabulary()`, so that `www/` keeps no list
//! of its own that could drift from what the simulation sends.
//!
//! A message kind groups the packets of one protocol step, named as ZooKeeper and Kafka name
//! them: FastLeaderElection's `Notification` (`quorum/FastLeaderElection.java`), the ZAB packets
//! of `quorum/Leader.java` (`FOLLOWERINFO` … `UPTODATE`, `PROPOSAL`/`ACK`/`COMMIT`), the client
//! protocol of `ClientCnxn.java`, and Kafka 2.8's `ApiKeys` (`LeaderAndIsr`, `UpdateMetadata`,
//! `StopReplica`, `Fetch`, `Produce`, `AlterIsr`, `ControlledShutdown`, `Metadata`, the admin
//! requests). Simplified: the grouping is this sandbox's, for the legend; the labels are not
//! translated (they are the protocols' own names).

use crate::json_out::json_struct;

/// The coarse kind of a message on the bus, for colour and filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MsgKind {
    Vote,
    Discovery,
    Sync,
    Broadcast,
    Ping,
    Session,
    FourLetter,
    Client,
    /// A TCP connection closed (FIN/RST): not a message of either protocol.
    Fin,
    LeaderAndIsr,
    UpdateMetadata,
    Fetch,
    Produce,
    AlterIsr,
    ControlledShutdown,
    Admin,
}

impl MsgKind {
    /// Every kind, in legend order.
    pub const ALL: [MsgKind; 16] = [
        MsgKind::Vote,
        MsgKind::Discovery,
        MsgKind::Sync,
        MsgKind::Broadcast,
        MsgKind::Ping,
        MsgKind::Session,
        MsgKind::FourLetter,
        MsgKind::Client,
        MsgKind::Fin,
        MsgKind::LeaderAndIsr,
        MsgKind::UpdateMetadata,
        MsgKind::Fetch,
        MsgKind::Produce,
        MsgKind::AlterIsr,
        MsgKind::ControlledShutdown,
        MsgKind::Admin,
    ];

    /// The id the snapshot carries (`FlightView::kind`, `TraceView::msg_kind`).
    pub fn id(self) -> &'static str {
        self.info().0
    }

    /// (id, label, colour, the packets it covers)
    fn info(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            MsgKind::Vote => ("vote", "votes", "#e0a100", "Notification"),
            MsgKind::Discovery => ("discovery", "discovery", "#9b59b6", "FOLLOWERINFO, LEADERINFO, ACKEPOCH"),
            MsgKind::Sync => ("sync", "sync", "#16a085", "DIFF, TRUNC, SNAP, NEWLEADER, UPTODATE"),
            MsgKind::Broadcast => ("broadcast", "proposals", "#2e86de", "PROPOSAL, ACK, COMMIT, REQUEST"),
            MsgKind::Ping => ("ping", "pings", "#95a5a6", "PING (leader ↔ follower), client pings"),
            MsgKind::Session => ("session", "sessions", "#d35400", "REVALIDATE"),
            MsgKind::FourLetter => ("4lw", "4lw", "#7f8c8d", "srvr, stat, mntr, ruok, isro"),
            MsgKind::Client => ("client", "client", "#27ae60", "ConnectRequest, client requests and replies, watch events"),
            MsgKind::Fin => ("fin", "FIN/RST", "#c0392b", "a TCP connection closed"),
            MsgKind::LeaderAndIsr => ("leader-and-isr", "LeaderAndIsr", "#e84393", "LeaderAndIsr"),
            MsgKind::UpdateMetadata => ("update-metadata", "UpdateMetadata", "#6c5ce7", "UpdateMetadata, StopReplica"),
            MsgKind::Fetch => ("fetch", "Fetch", "#00b894", "Fetch"),
            MsgKind::Produce => ("produce", "Produce", "#fd9644", "Produce"),
            MsgKind::AlterIsr => ("alter-isr", "AlterIsr", "#b33939", "AlterIsr"),
            MsgKind::ControlledShutdown => ("controlled-shutdown", "ControlledShutdown", "#8e44ad", "ControlledShutdown"),
            MsgKind::Admin => ("admin", "admin", "#e17055", "Metadata, CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders"),
        }
    }
}

/// The kind of a trace record (`TraceView::kind`).
pub const TRACE_KINDS: [&str; 7] = ["deliver", "dropped", "timer", "disconnect", "note", "input", "life"];

json_struct! {
    /// One message kind as the page shows it.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct MsgKindInfo {
        pub id: &'static str,
        pub label: &'static str,
        pub colour: &'static str,
        /// The packets (ZooKeeper) or requests (Kafka) of this kind.
        pub members: &'static str,
    }
}

json_struct! {
    /// A choice of the event panel's kind filter: the trace kinds it shows.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct TraceFilter {
        pub id: &'static str,
        pub label: &'static str,
        pub kinds: Vec<&'static str>,
    }
}

json_struct! {
    /// A kind of node (`NodeView`'s tag) and where the page places it.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct NodeKindInfo {
        pub id: &'static str,
        pub label: &'static str,
        /// `top`, `bottom` or `side`.
        pub place: &'static str,
    }
}

json_struct! {
    /// Everything `Sandbox.vocabulary()` returns.
    #[derive(Clone, Debug)]
    #[cfg_attr(test, derive(serde::Serialize))]
    pub struct Vocabulary {
        pub messages: Vec<MsgKindInfo>,
        pub trace_filters: Vec<TraceFilter>,
        pub nodes: Vec<NodeKindInfo>,
    }
}

/// The page's vocabularies.
pub fn vocabulary() -> Vocabulary {
    let messages = MsgKind::ALL
        .iter()
        .map(|k| {
            let (id, label, colour, members) = k.info();
            MsgKindInfo { id, label, colour, members }
        })
        .collect();
    let filter = |id, label, kinds: &[&'static str]| TraceFilter { id, label, kinds: kinds.to_vec() };
    let trace_filters = vec![
        filter("", "all kinds", &TRACE_KINDS),
        filter("change", "state changes", &["note", "life"]),
        filter("input", "your commands", &["input"]),
        filter("deliver", "deliveries", &["deliver"]),
        filter("timer", "timers", &["timer"]),
        filter("dropped", "dropped", &["dropped"]),
        filter("disconnect", "disconnects", &["disconnect"]),
    ];
    let nodes = vec![
        NodeKindInfo { id: "zk", label: "ZooKeeper servers", place: "top" },
        NodeKindInfo { id: "broker", label: "Kafka brokers", place: "bottom" },
        NodeKindInfo { id: "tool", label: "client tools", place: "side" },
    ];
    Vocabulary { messages, trace_filters, nodes }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::json_out::to_json;

    #[test]
    fn every_message_kind_has_a_distinct_id_and_colour() {
        let v = vocabulary();
        assert_eq!(v.messages.len(), MsgKind::ALL.len());
        for (i, a) in v.messages.iter().enumerate() {
            assert!(a.colour.starts_with('#') && a.colour.len() == 7, "{}", a.colour);
            for b in &v.messages[i + 1..] {
                assert_ne!(a.id, b.id);
                assert_ne!(a.colour, b.colour, "{} and {}", a.id, b.id);
            }
        }
    }

    #[test]
    fn trace_filters_name_only_trace_kinds_and_the_first_shows_all() {
        let v = vocabulary();
        assert_eq!(v.trace_filters[0].kinds, TRACE_KINDS.to_vec());
        for f in &v.trace_filters {
            assert!(f.kinds.iter().all(|k| TRACE_KINDS.contains(k)), "{}", f.id);
        }
    }

    #[test]
    fn the_vocabulary_is_written_as_serde_json_writes_it() {
        let v = vocabulary();
        assert_eq!(to_json(&v), serde_json::to_string(&v).unwrap());
    }
}
