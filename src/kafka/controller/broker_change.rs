//! Brokers coming and going (`/brokers/ids` children changed).
//!
//! Follows `KafkaController.processBrokerChange` (2.8): read the registrations with their epochs
//! (`getAllBrokerAndEpochsInCluster`), compute new, dead and bounced brokers (a bounced broker,
//! re-registered with a new epoch, is handled as dead, then as new); `onBrokerFailure` →
//! `onReplicasBecomeOffline` (partitions led by dead brokers elect first, then the dead replicas
//! leave the ISRs, then UpdateMetadata to everyone); `onBrokerStartup` (UpdateMetadata to
//! everyone, LeaderAndIsr for the new brokers' replicas, offline partitions elect).

use crate::zk::types::Op;

use super::super::io::{ids, KIo};
use super::super::types::{BrokerId, TopicPartition};
use super::super::zk_ops::{children_of, data_of};
use super::state_writes::Tell;
use super::{Controller, Host, Key, Step, Task};
use crate::sorted::SortedMap;

/// A broker change's stages.
#[derive(Clone, Debug)]
pub(super) enum BrokerChange {
    /// Read (and watch) `/brokers/ids`.
    ReadIds,
    /// Read every registration.
    ReadBrokers,
    /// New and dead brokers; the dead ones' partitions elect.
    Compare { listed: Vec<BrokerId> },
    /// The dead replicas leave the ISRs.
    RemoveFromIsr { born: Vec<BrokerId>, dead: Vec<BrokerId> },
    /// Tell the brokers about the failures; then `onBrokerStartup` for the new ones.
    Startup { born: Vec<BrokerId>, dead: Vec<BrokerId> },
    /// Tell the brokers about the elections.
    Finish,
}

impl Controller {
    pub(super) fn broker_change(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: BrokerChange) -> Step {
        match stage {
            BrokerChange::ReadIds => {
                self.request(host, io, Key::BrokerIds, Op::GetChildren { path: "/brokers/ids".into(), watch: true });
                Step::Then(Task::BrokerChange(BrokerChange::ReadBrokers))
            }
            BrokerChange::ReadBrokers => {
                let brokers = self.result(&Key::BrokerIds).as_ref().and_then(children_of).unwrap_or_default();
                let listed = self.read_brokers(host, io, &brokers);
                Step::Then(Task::BrokerChange(BrokerChange::Compare { listed }))
            }
            BrokerChange::Compare { listed } => {
                let (born, dead) = self.apply_broker_reads(listed);
                if !born.is_empty() || !dead.is_empty() {
                    io.note(format!("controller {}: broker change — new [{}], dead [{}]", self.id, ids(&born), ids(&dead)));
                }
                if !dead.is_empty() {
                    // onReplicasBecomeOffline: partitions led by dead brokers elect first …
                    let updates = self.offline_elections();
                    self.write_states(host, io, updates);
                }
                Step::Then(Task::BrokerChange(BrokerChange::RemoveFromIsr { born, dead }))
            }
            BrokerChange::RemoveFromIsr { born, dead } => {
                if !self.finish_writes(host, io, Tell::Nobody) {
                    return Step::Done;
                }
                // … then the dead replicas leave the ISRs.
                if !dead.is_empty() {
                    let updates = self.isr_removals_for_dead(Some(&dead));
                    self.write_states(host, io, updates);
                }
                Step::Then(Task::BrokerChange(BrokerChange::Startup { born, dead }))
            }
            BrokerChange::Startup { born, dead } => {
                if !self.finish_writes(host, io, if dead.is_empty() { Tell::Nobody } else { Tell::ChangedThenAllMetadata }) {
                    return Step::Done;
                }
                let bounced = std::mem::take(&mut self.bounced);
                self.live.extend(bounced);
                if born.is_empty() {
                    return Step::Done;
                }
                // onBrokerStartup: metadata to everyone, LeaderAndIsr for the new brokers' replicas.
                self.send_update_metadata(host, io, None, true, Vec::new());
                let theirs: Vec<TopicPartition> =
                    self.states.keys().filter(|tp| self.replicas(tp).iter().any(|r| born.contains(r))).cloned().collect();
                self.send_leader_and_isr(host, io, &theirs, Some(&born));
                let updates = self.offline_elections();
                self.write_states(host, io, updates);
                Step::Then(Task::BrokerChange(BrokerChange::Finish))
            }
            BrokerChange::Finish => {
                self.finish_writes(host, io, Tell::Changed);
                Step::Done
            }
        }
    }

    /// Read the registrations of `brokers` (child names of `/brokers/ids`); returns the ids.
    pub(super) fn read_brokers(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, brokers: &[String]) -> Vec<BrokerId> {
        for b in brokers {
            self.request(host, io, Key::Broker(b.clone()), Op::GetData { path: format!("/brokers/ids/{b}"), watch: false });
        }
        brokers.iter().filter_map(|b| b.parse().ok()).map(BrokerId).collect()
    }

    /// Live brokers and epochs from the reads; returns (new, dead) relative to the context.
    pub(super) fn apply_broker_reads(&mut self, listed: Vec<BrokerId>) -> (Vec<BrokerId>, Vec<BrokerId>) {
        let mut now: SortedMap<BrokerId, i64> = SortedMap::new();
        for b in listed {
            if let Some((_, st)) = self.result(&Key::Broker(b.0.to_string())).as_ref().and_then(data_of) {
                now.insert(b, st.czxid.0 as i64);
            }
        }
        let mut born = Vec::new();
        let mut dead = Vec::new();
        for (b, e) in &now {
            match self.live.get(b) {
                None => born.push(*b),
                Some(old) if old != e => {
                    dead.push(*b);
                    born.push(*b);
                }
                _ => {}
            }
        }
        for b in self.live.keys() {
            if !now.contains_key(b) {
                dead.push(*b);
            }
        }
        // A bounced broker (new registration, new epoch) is handled as dead first, then as
        // new: it leaves the live set until the startup half (`processBrokerChange`).
        let mut live = now;
        let mut bounced = SortedMap::new();
        for b in &dead {
            if let Some(e) = live.remove(b) {
                bounced.insert(*b, e);
            }
        }
        self.live = live;
        self.bounced = bounced;
        for b in &dead {
            self.shutting_down.remove(b);
        }
        (born, dead)
    }
}
