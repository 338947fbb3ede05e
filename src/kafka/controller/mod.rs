//! The Kafka 2.8 controller (ZooKeeper mode): a component that the broker which created
//! `/controller` hosts. It owns its state (`ControllerContext`, its event queue and the event
//! being processed) and reaches its broker only through [`Host`]: ZooKeeper requests on the
//! broker's session, requests to the broker itself, and "another controller took over".
//!
//! Follows `core/src/main/scala/kafka/controller/KafkaController.scala`: one event at a time
//! (`ControllerEventManager`), each event a sequence of batched ZooKeeper requests whose answers it
//! waits for (`retryRequestsUntilConnected`), then the requests to brokers
//! (`ControllerChannelManager`: LeaderAndIsr, UpdateMetadata, StopReplica). One file per concern:
//!
//! - `failover.rs`: `onControllerFailover` (watches, `initializeControllerContext`, the replica
//!   state machine's startup before the partition state machine's, the first imbalance check 5 s
//!   later) and the retried offline elections;
//! - `broker_change.rs`: `processBrokerChange` → `onBrokerFailure` (`onReplicasBecomeOffline`) and
//!   `onBrokerStartup`;
//! - `topics.rs`: `processTopicChange` and `processPartitionModifications` →
//!   `onNewPartitionCreation`;
//! - `deletion.rs`: `TopicDeletionManager` (a deletion waits for replicas on offline brokers);
//! - `alter_isr.rs`: `processAlterIsr`;
//! - `shutdown.rs`: `doControlledShutdown`;
//! - `rebalance.rs`: `checkAndTriggerAutoLeaderRebalance` and preferred elections;
//! - `admin.rs`: the admin requests that reach the controller (CreateTopics, DeleteTopics,
//!   CreatePartitions, ElectLeaders; `ZkAdminManager`, `AdminZkClient`);
//! - `election.rs`: the context and `PartitionLeaderElectionAlgorithms`
//!   (`PartitionStateMachine.scala`), ISR removal (`ReplicaStateMachine.doRemoveReplicasFromIsr`);
//! - `state_writes.rs`: partition-state writes (`KafkaZkClient.updateLeaderAndIsr`,
//!   `createTopicPartitionStatesRaw`): every one a multi guarded by
//!   `CheckOp(/controller_epoch, epochZkVersion)`, so a deposed controller gets BADVERSION and
//!   resigns; then the requests that tell the brokers;
//! - `channel.rs`: `ControllerChannelManager` / `ControllerBrokerRequestBatch`.
//!
//! Simplified: no partition reassignment, no log-dir events, no LeaderAndIsr response handling
//! (errors are not retried), topic deletion does not wait for StopReplica responses, and the
//! controller's own requests to itself are handled in place instead of over a socket.

mod admin;
mod alter_isr;
mod broker_change;
mod channel;
mod deletion;
mod election;
mod failover;
mod rebalance;
mod shutdown;
mod state_writes;
mod topics;

use std::collections::VecDeque;
use std::rc::Rc;

use crate::sim::NodeId;
use crate::sorted::{SortedMap, SortedSet};
use crate::zk::types::{ErrCode, Op, Reply, WriteResult};

use super::config::KafkaConfig;
use super::io::KIo;
use super::json;
use super::msg::{AdminOp, AdminResult, AlterIsrResult, KErr, KafkaMsg};
use super::types::{BrokerId, ControllerEpoch, LeaderEpoch, TopicPartition};
use super::zk_ops::{data_of, multi_error};

pub use election::{LeaderIsr, TopicCtx};

/// What the controller needs from the broker that hosts it (and nothing more).
pub trait Host {
    /// Whether the broker's ZooKeeper session can still take requests.
    fn zk_alive(&self) -> bool;
    /// Send a ZooKeeper request on the broker's session; its answer comes back through
    /// [`Controller::on_zk_reply`] with `gen` and `key`.
    fn zk_request(&mut self, io: &mut KIo<'_>, gen: u64, key: Key, op: Op);
    /// A controller request (LeaderAndIsr, UpdateMetadata, StopReplica) to the host broker itself.
    fn deliver_to_self(&mut self, io: &mut KIo<'_>, msg: KafkaMsg);
    /// The answer to an AlterIsr that the host broker sent to itself.
    fn alter_isr_answered(&mut self, io: &mut KIo<'_>, items: AlterIsrAnswers);
    /// The answer to the host broker's own controlled shutdown.
    fn controlled_shutdown_answered(&mut self, io: &mut KIo<'_>, remaining: usize, error: Option<KErr>);
    /// `/controller_epoch` moved under us (`ControllerMovedException`): resign, elect again.
    fn controller_moved(&mut self, io: &mut KIo<'_>);
    /// Whether this controller is still in office (the host may resign while serving a request).
    fn still_controller(&self) -> bool;
}

/// AlterIsr items as the controller receives them: partition, leader epoch, proposed ISR, the
/// leader's partition-state zkVersion.
pub type AlterIsrItems = Vec<(TopicPartition, LeaderEpoch, Vec<BrokerId>, i32)>;
/// AlterIsr answers: the new leader epoch, ISR and zkVersion, or an error.
pub type AlterIsrAnswers = Vec<AlterIsrResult>;
/// Per-item answers of an admin request (or of AlterIsr while they are collected).
pub(crate) type Answers = Vec<AdminResult>;

/// Controller events (`ControllerEvent`).
#[derive(Clone, Debug)]
pub enum Event {
    Failover,
    BrokerChange,
    TopicChange,
    PartitionModification(String),
    TopicDeletion,
    AlterIsr {
        from: NodeId,
        broker: BrokerId,
        broker_epoch: i64,
        items: AlterIsrItems,
    },
    ControlledShutdown {
        from: Option<NodeId>,
        broker: BrokerId,
        broker_epoch: i64,
    },
    AutoRebalance,
    Admin {
        from: NodeId,
        corr: u64,
        op: AdminOp,
    },
    /// Retry offline elections (after a state write lost a race).
    ElectOffline,
}

/// What a ZooKeeper request of the current event is for: its answer is found under this key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// `/feature` (created at failover).
    Feature,
    /// Children of `/brokers/ids`, `/brokers/topics`, `/admin/delete_topics`,
    /// `/isr_change_notification`, `/log_dir_event_notification` (all watched).
    BrokerIds,
    Topics,
    DeleteTopics,
    IsrChanges,
    LogDirEvents,
    /// Exists watches on `/admin/preferred_replica_election`, `/admin/reassign_partitions`.
    PreferredElection,
    Reassignment,
    /// `/brokers/ids/N` (by child name).
    Broker(String),
    /// `/brokers/topics/T` (the assignment) and `/config/topics/T`.
    TopicAssignment(String),
    TopicConfig(String),
    /// A partition state read at failover.
    State(TopicPartition),
    /// A partition-state write, and its read-back after a BADVERSION.
    Write(TopicPartition),
    ReadBack(TopicPartition),
    /// `/brokers/topics/T/partitions` and `/brokers/topics/T/partitions/P` (new partitions).
    PartitionsZnode(String),
    PartitionZnode(TopicPartition),
    /// Topic deletion's deletes: the state and partition znodes, then the topic's.
    DeleteState(TopicPartition),
    DeletePartition(TopicPartition),
    DeletePartitions(String),
    DeleteTopic(String),
    DeleteConfig(String),
    DeleteMark(String),
    /// Admin requests: a topic's config and assignment, a deletion mark.
    AdminConfig,
    AdminTopic,
    AdminMark,
}

/// A partition-state write in flight.
#[derive(Clone, Debug)]
struct Write {
    tp: TopicPartition,
    state: LeaderIsr,
    unclean: bool,
}

/// The event being processed: its stage (with the data carried between stages) and what its
/// ZooKeeper requests answered.
#[derive(Clone, Debug)]
struct Job {
    task: Option<Task>,
    outstanding: usize,
    ops: SortedMap<Key, Op>,
    results: SortedMap<Key, Result<Reply, ErrCode>>,
    /// A write's BADVERSION answer kept while its znode is read back.
    bad: SortedMap<TopicPartition, Result<Reply, ErrCode>>,
    writes: Vec<Write>,
    /// Partitions changed so far (for LeaderAndIsr/UpdateMetadata at the end).
    changed: SortedSet<TopicPartition>,
}

/// An event's stages.
#[derive(Clone, Debug)]
enum Task {
    Failover(failover::Failover),
    ElectOffline(failover::ElectOffline),
    BrokerChange(broker_change::BrokerChange),
    TopicChange(topics::TopicChange),
    TopicDeletion(deletion::TopicDeletion),
    AlterIsr(alter_isr::AlterIsr),
    ControlledShutdown(shutdown::ControlledShutdown),
    AutoRebalance(rebalance::AutoRebalance),
    Admin(admin::Admin),
}

impl Task {
    fn of(ev: Event) -> Task {
        match ev {
            Event::Failover => Task::Failover(failover::Failover::ReadRoots),
            Event::ElectOffline => Task::ElectOffline(failover::ElectOffline::Elect),
            Event::BrokerChange => Task::BrokerChange(broker_change::BrokerChange::ReadIds),
            Event::TopicChange => Task::TopicChange(topics::TopicChange::ReadChildren),
            Event::PartitionModification(t) => Task::TopicChange(topics::TopicChange::ReadModified(t)),
            Event::TopicDeletion => Task::TopicDeletion(deletion::TopicDeletion::ReadMarks),
            Event::AlterIsr { from, broker, broker_epoch, items } => {
                Task::AlterIsr(alter_isr::AlterIsr::Validate { from, broker, broker_epoch, items })
            }
            Event::ControlledShutdown { from, broker, broker_epoch } => {
                Task::ControlledShutdown(shutdown::ControlledShutdown::MoveLeaders { from, broker, broker_epoch })
            }
            Event::AutoRebalance => Task::AutoRebalance(rebalance::AutoRebalance::Check),
            Event::Admin { from, corr, op } => Task::Admin(admin::Admin::Start { from, corr, op }),
        }
    }
}

/// What a stage asks of the event loop.
enum Step {
    /// Continue with this stage once every ZooKeeper request sent so far is answered.
    Then(Task),
    /// The event is done.
    Done,
}

/// The controller (`KafkaController` with its `ControllerContext`).
#[derive(Clone, Debug)]
pub struct Controller {
    /// The host broker and its configuration.
    pub id: BrokerId,
    cfg: Rc<KafkaConfig>,
    pub epoch: ControllerEpoch,
    pub epoch_zk_version: i32,
    /// Live brokers and their epochs (czxid of `/brokers/ids/N`).
    pub live: SortedMap<BrokerId, i64>,
    pub shutting_down: SortedSet<BrokerId>,
    /// Bounced brokers held out of `live` while their failure is handled.
    bounced: SortedMap<BrokerId, i64>,
    pub topics: SortedMap<String, TopicCtx>,
    pub states: SortedMap<TopicPartition, LeaderIsr>,
    /// `topicsToBeDeleted`: topics marked for deletion (still in `topics` until it completes).
    pub to_delete: SortedSet<String>,
    /// `topicsIneligibleForDeletion`: deletions halted, with the offline brokers whose replicas
    /// are still to be deleted.
    pub ineligible: SortedMap<String, SortedSet<BrokerId>>,
    queue: VecDeque<Event>,
    job: Option<Job>,
    gen: u64,
    running: bool,
}

fn state_path(tp: &TopicPartition) -> String {
    format!("/brokers/topics/{}/partitions/{}/state", tp.topic, tp.partition)
}

impl Controller {
    /// A controller elected in `epoch` (`/controller_epoch` at `epoch_zk_version`): it starts
    /// with the failover event.
    pub fn new(id: BrokerId, cfg: Rc<KafkaConfig>, epoch: ControllerEpoch, epoch_zk_version: i32) -> Controller {
        Controller {
            id,
            cfg,
            epoch,
            epoch_zk_version,
            live: SortedMap::new(),
            shutting_down: SortedSet::new(),
            bounced: SortedMap::new(),
            topics: SortedMap::new(),
            states: SortedMap::new(),
            to_delete: SortedSet::new(),
            ineligible: SortedMap::new(),
            queue: VecDeque::new(),
            job: None,
            gen: 0,
            running: false,
        }
    }

    /// Queue an event; process it now if nothing else is under way.
    pub fn enqueue(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, ev: Event) {
        self.queue.push_back(ev);
        if self.job.is_none() && !self.running {
            self.next(host, io);
        }
    }

    /// Queue an event behind the current one, without starting anything.
    fn enqueue_later(&mut self, ev: Event) {
        self.queue.push_back(ev);
    }

    /// A watch fired on the host's session: the controller's znode events.
    pub fn on_watch(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, event: crate::zk::types::EventType, path: &str) {
        use crate::zk::types::EventType;
        let ev = match (event, path) {
            (EventType::NodeChildrenChanged, "/brokers/ids") => Event::BrokerChange,
            (EventType::NodeChildrenChanged, "/brokers/topics") => Event::TopicChange,
            (EventType::NodeChildrenChanged, "/admin/delete_topics") => Event::TopicDeletion,
            (EventType::NodeDataChanged, p) if p.starts_with("/brokers/topics/") && p.matches('/').count() == 3 => {
                Event::PartitionModification(p["/brokers/topics/".len()..].to_string())
            }
            _ => return,
        };
        self.enqueue(host, io, ev);
    }

    fn next(&mut self, host: &mut dyn Host, io: &mut KIo<'_>) {
        if self.job.is_some() {
            return;
        }
        let Some(ev) = self.queue.pop_front() else { return };
        self.start_job(ev);
        self.run(host, io);
    }

    fn start_job(&mut self, ev: Event) {
        self.gen += 1;
        self.job = Some(Job {
            task: Some(Task::of(ev)),
            outstanding: 0,
            ops: SortedMap::new(),
            results: SortedMap::new(),
            bad: SortedMap::new(),
            writes: Vec::new(),
            changed: SortedSet::new(),
        });
    }

    /// Run stages until one waits for ZooKeeper or the queue is empty.
    fn run(&mut self, host: &mut dyn Host, io: &mut KIo<'_>) {
        loop {
            if self.running {
                return;
            }
            let Some(job) = self.job.as_mut() else { return };
            if job.outstanding > 0 {
                return;
            }
            let Some(task) = job.task.take() else { return };
            self.running = true;
            let step = self.stage(host, io, task);
            self.running = false;
            if !host.still_controller() {
                return;
            }
            match step {
                Step::Then(task) => {
                    if let Some(j) = self.job.as_mut() {
                        j.task = Some(task);
                    }
                }
                Step::Done => {
                    self.job = None;
                    let Some(ev) = self.queue.pop_front() else { return };
                    self.start_job(ev);
                }
            }
        }
    }

    fn stage(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, task: Task) -> Step {
        match task {
            Task::Failover(s) => self.failover(host, io, s),
            Task::ElectOffline(s) => self.elect_offline(host, io, s),
            Task::BrokerChange(s) => self.broker_change(host, io, s),
            Task::TopicChange(s) => self.topic_change(host, io, s),
            Task::TopicDeletion(s) => self.topic_deletion(host, io, s),
            Task::AlterIsr(s) => self.alter_isr(host, io, s),
            Task::ControlledShutdown(s) => self.controlled_shutdown(host, io, s),
            Task::AutoRebalance(s) => self.auto_rebalance(host, io, s),
            Task::Admin(s) => self.admin(host, io, s),
        }
    }

    fn job(&mut self) -> &mut Job {
        self.job.as_mut().expect("a controller event is being processed")
    }

    /// Take the answer to the current event's request `key`.
    fn result(&mut self, key: &Key) -> Option<Result<Reply, ErrCode>> {
        self.job.as_mut()?.results.remove(key)
    }

    /// Issue one ZooKeeper request for the current event.
    fn request(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, key: Key, op: Op) {
        if !host.zk_alive() {
            return;
        }
        let gen = self.gen;
        let Some(j) = self.job.as_mut() else { return };
        j.outstanding += 1;
        j.ops.insert(key.clone(), op.clone());
        host.zk_request(io, gen, key, op);
    }

    /// The answer to request `key` of event `gen`.
    pub fn on_zk_reply(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, gen: u64, key: Key, r: Result<Reply, ErrCode>) {
        if self.gen != gen {
            return;
        }
        let Some(j) = self.job.as_mut() else { return };
        if matches!(r, Err(ErrCode::ConnectionLoss)) {
            // retryRequestsUntilConnected.
            if let Some(op) = j.ops.get(&key).cloned() {
                host.zk_request(io, gen, key, op);
            }
            return;
        }
        if matches!(r, Err(ErrCode::SessionExpired)) {
            return;
        }
        match key {
            // A conditional state write that failed with BADVERSION may have been applied already
            // (its reply lost with the connection, then retried): read the znode back and compare
            // (`KafkaZkClient.updateLeaderAndIsr` → `checkLeaderAndIsrZkData`).
            Key::Write(tp) if matches!(multi_error(&r), Some((1, ErrCode::BadVersion))) && j.writes.iter().any(|w| w.tp == tp) => {
                let path = state_path(&tp);
                let op = Op::GetData { path, watch: false };
                j.ops.insert(Key::ReadBack(tp.clone()), op.clone());
                j.bad.insert(tp.clone(), r);
                host.zk_request(io, gen, Key::ReadBack(tp), op);
            }
            Key::ReadBack(tp) => {
                let bad = j.bad.remove(&tp);
                let want = j.writes.iter().find(|w| w.tp == tp).map(|w| w.state.clone());
                j.outstanding = j.outstanding.saturating_sub(1);
                let mut done = bad.unwrap_or(Err(ErrCode::BadVersion));
                if let (Some((d, st)), Some(want)) = (data_of(&r), want) {
                    match json::parse_partition_state(&d).ok() {
                        Some(p) if p.leader == want.leader && p.isr == want.isr && p.leader_epoch == want.leader_epoch => {
                            done = Ok(Reply::Multi(vec![WriteResult::Checked, WriteResult::SetData { stat: st }]));
                        }
                        Some(p) => {
                            // Someone else wrote it: refresh the context and elect again later.
                            let li = LeaderIsr::from_state(p, st.version);
                            self.states.insert(tp.clone(), li);
                            if !self.queue.iter().any(|e| matches!(e, Event::ElectOffline)) {
                                self.queue.push_back(Event::ElectOffline);
                            }
                        }
                        None => {}
                    }
                }
                let j = self.job();
                j.results.insert(Key::Write(tp), done);
                if j.outstanding == 0 {
                    self.run(host, io);
                }
            }
            key => {
                j.outstanding = j.outstanding.saturating_sub(1);
                j.results.insert(key, r);
                if j.outstanding == 0 {
                    self.run(host, io);
                }
            }
        }
    }
}
