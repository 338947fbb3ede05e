//! The Kafka protocol messages the brokers and tools exchange on the simulated bus, reduced to the
//! fields the sandbox uses: the controller's requests (LeaderAndIsr, UpdateMetadata, StopReplica),
//! replication (Fetch with the diverging-epoch answer of KIP-595/2.7+ truncation-on-fetch), Produce,
//! AlterIsr (KIP-497, IBP ≥ 2.7-IV2), ControlledShutdown, Metadata and the admin requests
//! (CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders).
//!
//! Follows `clients/src/main/resources/common/message/*.json` (field names) and
//! `core/src/main/scala/kafka/server/KafkaApis.scala` (who answers what).
//!
//! Simplified: no API versions, no correlation with a wire format, records carry only their value
//! (a console line) and the leader epoch they were written in; fetch sessions (KIP-227) are not
//! modelled — every fetch lists its partitions.

use crate::sorted::SortedMap;
use std::fmt;
use std::rc::Rc;

use super::types::{BrokerId, ControllerEpoch, LeaderEpoch, TopicId, TopicPartition};
use crate::sim::trace::StableHasher;
use crate::vocab::MsgKind;

/// One item of an AdminResponse: the item's name (topic or partition) and its error with message.
pub type AdminResult = (String, Result<(), (KErr, String)>);
/// One item of an AlterIsrResponse: the partition and its new (leader epoch, ISR, partition epoch), or the error.
pub type AlterIsrResult = (TopicPartition, Result<(LeaderEpoch, Vec<BrokerId>, i32), KErr>);

/// Kafka error codes used here (`org.apache.kafka.common.protocol.Errors`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize)]
pub enum KErr {
    NotLeaderOrFollower,
    UnknownTopicOrPartition,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    RequestTimedOut,
    StaleControllerEpoch,
    StaleBrokerEpoch,
    FencedLeaderEpoch,
    InvalidUpdateVersion,
    NotController,
    TopicAlreadyExists,
    InvalidReplicationFactor,
    InvalidPartitions,
    InvalidReplicaAssignment,
    InvalidTopic,
    ElectionNotNeeded,
    PreferredLeaderNotAvailable,
    EligibleLeadersNotAvailable,
    BrokerNotAvailable,
    OffsetOutOfRange,
    InvalidConfig,
}

impl KErr {
    /// The `Errors` enum name, as logs print it.
    pub fn name(self) -> &'static str {
        match self {
            KErr::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            KErr::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            KErr::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            KErr::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            KErr::RequestTimedOut => "REQUEST_TIMED_OUT",
            KErr::StaleControllerEpoch => "STALE_CONTROLLER_EPOCH",
            KErr::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            KErr::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            KErr::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            KErr::NotController => "NOT_CONTROLLER",
            KErr::TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            KErr::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            KErr::InvalidPartitions => "INVALID_PARTITIONS",
            KErr::InvalidReplicaAssignment => "INVALID_REPLICA_ASSIGNMENT",
            KErr::InvalidTopic => "INVALID_TOPIC_EXCEPTION",
            KErr::ElectionNotNeeded => "ELECTION_NOT_NEEDED",
            KErr::PreferredLeaderNotAvailable => "PREFERRED_LEADER_NOT_AVAILABLE",
            KErr::EligibleLeadersNotAvailable => "ELIGIBLE_LEADERS_NOT_AVAILABLE",
            KErr::BrokerNotAvailable => "BROKER_NOT_AVAILABLE",
            KErr::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            KErr::InvalidConfig => "INVALID_CONFIG",
        }
    }
    /// The exception class the Java client raises for it.
    pub fn exception(self) -> &'static str {
        match self {
            KErr::NotLeaderOrFollower => "org.apache.kafka.common.errors.NotLeaderOrFollowerException",
            KErr::UnknownTopicOrPartition => "org.apache.kafka.common.errors.UnknownTopicOrPartitionException",
            KErr::NotEnoughReplicas => "org.apache.kafka.common.errors.NotEnoughReplicasException",
            KErr::NotEnoughReplicasAfterAppend => "org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException",
            KErr::RequestTimedOut => "org.apache.kafka.common.errors.TimeoutException",
            KErr::TopicAlreadyExists => "org.apache.kafka.common.errors.TopicExistsException",
            KErr::InvalidReplicationFactor => "org.apache.kafka.common.errors.InvalidReplicationFactorException",
            KErr::InvalidPartitions => "org.apache.kafka.common.errors.InvalidPartitionsException",
            KErr::InvalidReplicaAssignment => "org.apache.kafka.common.errors.InvalidReplicaAssignmentException",
            KErr::InvalidTopic => "org.apache.kafka.common.errors.InvalidTopicException",
            KErr::ElectionNotNeeded => "org.apache.kafka.common.errors.ElectionNotNeededException",
            KErr::PreferredLeaderNotAvailable => "org.apache.kafka.common.errors.PreferredLeaderNotAvailableException",
            KErr::EligibleLeadersNotAvailable => "org.apache.kafka.common.errors.EligibleLeadersNotAvailableException",
            KErr::NotController => "org.apache.kafka.common.errors.NotControllerException",
            _ => "org.apache.kafka.common.KafkaException",
        }
    }
    /// Whether the producer retries it (`RetriableException`).
    pub fn retriable(self) -> bool {
        matches!(
            self,
            KErr::NotLeaderOrFollower
                | KErr::UnknownTopicOrPartition
                | KErr::NotEnoughReplicas
                | KErr::NotEnoughReplicasAfterAppend
                | KErr::RequestTimedOut
                | KErr::BrokerNotAvailable
                | KErr::NotController
        )
    }
}

/// One record in a partition log: its value and the leader epoch it was appended in.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Record {
    pub epoch: LeaderEpoch,
    pub value: Rc<str>,
}

/// A partition's leader and ISR as the controller sends it (`LeaderAndIsrPartitionState`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct PartState {
    pub tp: TopicPartition,
    pub controller_epoch: ControllerEpoch,
    pub leader: BrokerId,
    pub leader_epoch: LeaderEpoch,
    pub isr: Vec<BrokerId>,
    pub zk_version: i32,
    pub replicas: Vec<BrokerId>,
}

/// What a follower asks for one partition.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FetchPart {
    pub tp: TopicPartition,
    pub offset: i64,
    /// Epoch of the last record the fetcher has (`LastFetchedEpoch`), -1 if none.
    pub last_epoch: i32,
}

/// The answer for one partition.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FetchData {
    pub tp: TopicPartition,
    pub error: Option<KErr>,
    pub high_watermark: i64,
    pub leader_epoch: LeaderEpoch,
    /// `DivergingEpoch`: the follower must truncate to this offset first.
    pub diverging_end: Option<i64>,
    pub records: Vec<Record>,
}

impl FetchData {
    /// `NOT_LEADER_OR_FOLLOWER` for `tp`: no records, no high watermark.
    pub fn not_leader(tp: &TopicPartition, leader_epoch: LeaderEpoch) -> FetchData {
        FetchData {
            tp: tp.clone(),
            error: Some(KErr::NotLeaderOrFollower),
            high_watermark: -1,
            leader_epoch,
            diverging_end: None,
            records: vec![],
        }
    }
}

/// One partition in a Metadata answer.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct PartMeta {
    pub partition: i32,
    pub leader: BrokerId,
    pub leader_epoch: LeaderEpoch,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
}

/// One topic in a Metadata answer.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TopicMeta {
    pub name: String,
    pub id: TopicId,
    pub partitions: Vec<PartMeta>,
    /// Topic config overrides (for `--describe` over `--bootstrap-server`).
    pub configs: Vec<(String, String)>,
}

/// An admin request the controller serves (`ZkAdminManager` / `KafkaApis` → controller).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AdminOp {
    CreateTopic {
        topic: String,
        partitions: Option<i32>,
        replication_factor: Option<i32>,
        assignment: Option<SortedMap<i32, Vec<BrokerId>>>,
        configs: Vec<(String, String)>,
    },
    DeleteTopic {
        topic: String,
    },
    CreatePartitions {
        topic: String,
        count: i32,
    },
    /// `None` = every partition.
    ElectPreferred {
        partitions: Option<Vec<TopicPartition>>,
    },
}

/// Every Kafka message.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum KafkaMsg {
    LeaderAndIsr {
        controller: BrokerId,
        controller_epoch: ControllerEpoch,
        broker_epoch: i64,
        partitions: Vec<PartState>,
    },
    LeaderAndIsrResponse {
        error: Option<KErr>,
    },
    UpdateMetadata {
        controller: BrokerId,
        controller_epoch: ControllerEpoch,
        live: Vec<BrokerId>,
        partitions: Vec<PartState>,
        topics: Vec<(String, TopicId)>,
        deleted: Vec<String>,
    },
    StopReplica {
        controller_epoch: ControllerEpoch,
        partitions: Vec<TopicPartition>,
        delete: bool,
    },
    Fetch {
        replica: BrokerId,
        corr: u64,
        parts: Vec<FetchPart>,
    },
    FetchResponse {
        corr: u64,
        parts: Vec<FetchData>,
    },
    Produce {
        corr: u64,
        acks: i16,
        tp: TopicPartition,
        values: Vec<Rc<str>>,
    },
    ProduceResponse {
        corr: u64,
        tp: TopicPartition,
        result: Result<i64, KErr>,
    },
    AlterIsr {
        broker: BrokerId,
        broker_epoch: i64,
        items: Vec<(TopicPartition, LeaderEpoch, Vec<BrokerId>, i32)>,
    },
    AlterIsrResponse {
        items: Vec<AlterIsrResult>,
    },
    ControlledShutdown {
        broker: BrokerId,
        broker_epoch: i64,
    },
    ControlledShutdownResponse {
        remaining: usize,
        error: Option<KErr>,
    },
    Metadata {
        corr: u64,
    },
    MetadataResponse {
        corr: u64,
        controller: Option<BrokerId>,
        brokers: Vec<BrokerId>,
        topics: Vec<TopicMeta>,
    },
    Admin {
        corr: u64,
        op: AdminOp,
    },
    /// Per-item results (an election answers per partition; the others have one item).
    AdminResponse {
        corr: u64,
        results: Vec<AdminResult>,
    },
}

impl KafkaMsg {
    /// Coarse kind for the page's colours and filters (`vocab.rs`).
    pub fn kind(&self) -> MsgKind {
        match self {
            KafkaMsg::LeaderAndIsr { .. } | KafkaMsg::LeaderAndIsrResponse { .. } => MsgKind::LeaderAndIsr,
            KafkaMsg::UpdateMetadata { .. } | KafkaMsg::StopReplica { .. } => MsgKind::UpdateMetadata,
            KafkaMsg::Fetch { .. } | KafkaMsg::FetchResponse { .. } => MsgKind::Fetch,
            KafkaMsg::Produce { .. } | KafkaMsg::ProduceResponse { .. } => MsgKind::Produce,
            KafkaMsg::AlterIsr { .. } | KafkaMsg::AlterIsrResponse { .. } => MsgKind::AlterIsr,
            KafkaMsg::ControlledShutdown { .. } | KafkaMsg::ControlledShutdownResponse { .. } => MsgKind::ControlledShutdown,
            KafkaMsg::Metadata { .. } | KafkaMsg::MetadataResponse { .. } | KafkaMsg::Admin { .. } | KafkaMsg::AdminResponse { .. } => {
                MsgKind::Admin
            }
        }
    }

    fn tag(&self) -> u8 {
        match self {
            KafkaMsg::LeaderAndIsr { .. } => 0,
            KafkaMsg::LeaderAndIsrResponse { .. } => 1,
            KafkaMsg::UpdateMetadata { .. } => 2,
            KafkaMsg::StopReplica { .. } => 3,
            KafkaMsg::Fetch { .. } => 4,
            KafkaMsg::FetchResponse { .. } => 5,
            KafkaMsg::Produce { .. } => 6,
            KafkaMsg::ProduceResponse { .. } => 7,
            KafkaMsg::AlterIsr { .. } => 8,
            KafkaMsg::AlterIsrResponse { .. } => 9,
            KafkaMsg::ControlledShutdown { .. } => 10,
            KafkaMsg::ControlledShutdownResponse { .. } => 11,
            KafkaMsg::Metadata { .. } => 12,
            KafkaMsg::MetadataResponse { .. } => 13,
            KafkaMsg::Admin { .. } => 14,
            KafkaMsg::AdminResponse { .. } => 15,
        }
    }
}

impl crate::sim::Fingerprint for KafkaMsg {
    fn fingerprint(&self, h: &mut StableHasher) {
        use std::hash::Hasher;
        h.write_u8(0x4b);
        h.write_u8(self.tag());
        match self {
            KafkaMsg::LeaderAndIsr { controller_epoch, partitions, .. } => {
                h.write_i32(controller_epoch.0);
                for p in partitions {
                    h.write_i32(p.tp.partition);
                    h.write_i32(p.leader.0);
                    h.write_i32(p.leader_epoch.0);
                }
            }
            KafkaMsg::Fetch { corr, parts, .. } => {
                h.write_u64(*corr);
                for p in parts {
                    h.write_i64(p.offset);
                }
            }
            KafkaMsg::FetchResponse { corr, parts } => {
                h.write_u64(*corr);
                for p in parts {
                    h.write_i64(p.high_watermark);
                    h.write_usize(p.records.len());
                }
            }
            KafkaMsg::Produce { corr, values, .. } => {
                h.write_u64(*corr);
                h.write_usize(values.len());
            }
            KafkaMsg::ProduceResponse { corr, result, .. } => {
                h.write_u64(*corr);
                h.write_i64(*result.as_ref().unwrap_or(&-1));
            }
            KafkaMsg::AlterIsr { items, .. } => {
                for (tp, e, isr, v) in items {
                    h.write_i32(tp.partition);
                    h.write_i32(e.0);
                    h.write_usize(isr.len());
                    h.write_i32(*v);
                }
            }
            _ => {}
        }
    }
}

fn ids(v: &[BrokerId]) -> String {
    v.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(",")
}

impl fmt::Display for KafkaMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KafkaMsg::LeaderAndIsr { controller, controller_epoch, partitions, .. } => {
                write!(f, "LeaderAndIsr from controller {controller} (epoch {controller_epoch}): ")?;
                for (i, p) in partitions.iter().take(4).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} leader {} epoch {} isr [{}]", p.tp, p.leader, p.leader_epoch, ids(&p.isr))?;
                }
                if partitions.len() > 4 {
                    write!(f, ", … ({} partitions)", partitions.len())?;
                }
                Ok(())
            }
            KafkaMsg::LeaderAndIsrResponse { error } => write!(f, "LeaderAndIsr response {}", error.map(|e| e.name()).unwrap_or("NONE")),
            KafkaMsg::UpdateMetadata { controller, controller_epoch, live, partitions, .. } => {
                write!(
                    f,
                    "UpdateMetadata from controller {controller} (epoch {controller_epoch}): live brokers [{}], {} partitions",
                    ids(live),
                    partitions.len()
                )
            }
            KafkaMsg::StopReplica { partitions, delete, .. } => write!(f, "StopReplica {} partitions (delete {delete})", partitions.len()),
            KafkaMsg::Fetch { replica, parts, .. } => {
                write!(f, "Fetch by replica {replica}: ")?;
                for (i, p) in parts.iter().take(3).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}@{}", p.tp, p.offset)?;
                }
                if parts.len() > 3 {
                    write!(f, ", … ({} partitions)", parts.len())?;
                }
                Ok(())
            }
            KafkaMsg::FetchResponse { parts, .. } => {
                let n: usize = parts.iter().map(|p| p.records.len()).sum();
                write!(f, "Fetch response: {n} records for {} partitions", parts.len())
            }
            KafkaMsg::Produce { acks, tp, values, .. } => write!(
                f,
                "Produce {} records to {tp} (acks={})",
                values.len(),
                if *acks == -1 { "all".to_string() } else { acks.to_string() }
            ),
            KafkaMsg::ProduceResponse { tp, result, .. } => match result {
                Ok(o) => write!(f, "Produce response {tp}: base offset {o}"),
                Err(e) => write!(f, "Produce response {tp}: {}", e.name()),
            },
            KafkaMsg::AlterIsr { broker, items, .. } => {
                write!(f, "AlterIsr from leader {broker}: ")?;
                for (i, (tp, e, isr, v)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{tp} isr [{}] (leader epoch {e}, zkVersion {v})", ids(isr))?;
                }
                Ok(())
            }
            KafkaMsg::AlterIsrResponse { items } => write!(f, "AlterIsr response for {} partitions", items.len()),
            KafkaMsg::ControlledShutdown { broker, .. } => write!(f, "ControlledShutdown from broker {broker}"),
            KafkaMsg::ControlledShutdownResponse { remaining, error } => match error {
                Some(e) => write!(f, "ControlledShutdown response {}", e.name()),
                None => write!(f, "ControlledShutdown response: {remaining} partitions remaining"),
            },
            KafkaMsg::Metadata { .. } => f.write_str("Metadata request"),
            KafkaMsg::MetadataResponse { controller, brokers, topics, .. } => {
                write!(
                    f,
                    "Metadata response: brokers [{}], controller {}, {} topics",
                    ids(brokers),
                    controller.map(|c| c.0).unwrap_or(-1),
                    topics.len()
                )
            }
            KafkaMsg::Admin { op, .. } => match op {
                AdminOp::CreateTopic { topic, .. } => write!(f, "CreateTopics {topic}"),
                AdminOp::DeleteTopic { topic } => write!(f, "DeleteTopics {topic}"),
                AdminOp::CreatePartitions { topic, count } => write!(f, "CreatePartitions {topic} to {count}"),
                AdminOp::ElectPreferred { .. } => f.write_str("ElectLeaders (preferred)"),
            },
            KafkaMsg::AdminResponse { results, .. } => write!(f, "admin response ({} results)", results.len()),
        }
    }
}
