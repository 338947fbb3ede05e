//! Replication by fetching: the follower side (one fetcher per leader, truncation to the
//! leader's log on a diverging epoch) and the leader side (serving followers and consumers,
//! `updateFollowerFetchState`, parking fetches with nothing new until
//! `replica.fetch.wait.max.ms`).
//!
//! Follows `kafka/server/ReplicaFetcherThread.scala` / `AbstractFetcherThread.scala` (fetch
//! requests with `lastFetchedEpoch`, `truncateOnFetch`, backoff after errors),
//! `ReplicaManager.fetchMessages`, `Partition.updateFollowerFetchState` and
//! `kafka/server/DelayedFetch.scala`.
//! Simplified: one fetcher per source broker; at most 500 records per partition and fetch.

use crate::sim::time::Duration;
use crate::sim::NodeId;

use super::super::msg::{FetchData, FetchPart, KErr, KafkaMsg, Record};
use super::super::types::{BrokerId, LeaderEpoch, TopicPartition};
use super::{Broker, DelayedProduce, KIo, KOut, KafkaTimer, ParkedFetch};

impl Broker {
    // ------------------------------------------------------------------ follower side

    pub(super) fn fetch_from(&mut self, io: &mut KIo<'_>, leader: BrokerId) {
        if self.fetching.contains_key(&leader) {
            return;
        }
        if let Some(corr) = self.next_fetch(io, leader) {
            self.fetching.insert(leader, corr);
        }
    }

    /// Send the next fetch to `leader` (whatever is in flight); its correlation id, or `None`
    /// if there is nothing to fetch from it.
    pub(super) fn next_fetch(&mut self, io: &mut KIo<'_>, leader: BrokerId) -> Option<u64> {
        if !self.is_running() {
            return None;
        }
        let node = self.cfg.node_of(leader)?;
        if !self.fetch_lists.contains_key(&leader) {
            let list: Vec<TopicPartition> = self
                .replicas
                .iter()
                .filter(|(_, r)| r.leader == leader && leader != self.id && !r.fetch_failed)
                .map(|(tp, _)| tp.clone())
                .collect();
            self.fetch_lists.insert(leader, list);
        }
        let list = &self.fetch_lists[&leader];
        if list.is_empty() {
            return None;
        }
        let parts: Vec<FetchPart> = list
            .iter()
            .map(|tp| {
                let log = self.durable.logs.get(tp);
                FetchPart {
                    tp: tp.clone(),
                    offset: log.map(|l| l.leo()).unwrap_or(0),
                    last_epoch: log.map(|l| l.last_epoch()).unwrap_or(-1),
                }
            })
            .collect();
        let corr = self.next_corr;
        self.next_corr += 1;
        io.send(node, KOut::Kafka(KafkaMsg::Fetch { replica: self.id, corr, parts }));
        Some(corr)
    }

    pub(super) fn handle_fetch_response(&mut self, io: &mut KIo<'_>, from: NodeId, corr: u64, parts: Vec<FetchData>) {
        let Some(leader) = self.cfg.broker_of(from) else { return };
        if self.fetching.get(&leader) != Some(&corr) {
            return;
        }
        self.state_gen += 1;
        let mut failed = false;
        for d in parts {
            let Some(r) = self.replicas.get_mut(&d.tp) else { continue };
            if r.leader != leader {
                continue;
            }
            if let Some(e) = d.error {
                let _ = e;
                r.fetch_failed = true;
                self.fetch_lists.clear();
                failed = true;
                continue;
            }
            let log = self.durable.logs.get_or_default(&d.tp);
            if let Some(end) = d.diverging_end {
                if end < log.leo() {
                    io.note(format!(
                        "broker {}: truncating {} from {} to {} (diverged from leader {}'s log)",
                        self.id,
                        d.tp,
                        log.leo(),
                        end,
                        leader
                    ));
                    log.truncate(end);
                }
                continue;
            }
            log.records.extend(d.records);
            log.hw = log.hw.max(d.high_watermark.min(log.leo()));
        }
        if failed {
            io.set_timer(KafkaTimer::FetchBackoff(leader), Duration::from_millis(self.cfg.fetch_backoff_ms));
        }
        // The answered fetch stays registered until the next one replaces it (as a removal
        // followed by fetch_from would do, without the map churn).
        match self.next_fetch(io, leader) {
            Some(c) => {
                if let Some(e) = self.fetching.get_mut(&leader) {
                    *e = c;
                }
            }
            None => {
                self.fetching.remove(&leader);
            }
        }
    }

    // ------------------------------------------------------------------ leader side

    pub(super) fn handle_fetch(
        &mut self,
        io: &mut KIo<'_>,
        from: NodeId,
        replica: BrokerId,
        corr: u64,
        parts: Vec<FetchPart>,
        retry: bool,
    ) {
        let now = io.now();
        let mut out: Vec<FetchData> = Vec::with_capacity(parts.len());
        let mut interesting = false;
        // Indices (into `parts`) of the partitions whose follower state this fetch updated, and
        // whether an ISR expansion or a high watermark move is possible there (as of the loop).
        let mut changed = std::mem::take(&mut self.fetch_changed);
        changed.clear();
        for (i, fp) in parts.iter().enumerate() {
            let Some(r) = self.replicas.get_mut(&fp.tp) else {
                out.push(FetchData::not_leader(&fp.tp, LeaderEpoch(-1)));
                interesting = true;
                continue;
            };
            if r.leader != self.id {
                out.push(FetchData::not_leader(&fp.tp, r.leader_epoch));
                interesting = true;
                continue;
            }
            let log = self.durable.logs.get_or_default(&fp.tp);
            let leo = log.leo();
            if replica.0 < 0 {
                // A consumer: up to the high watermark.
                let to = log.hw.min(leo);
                let from_off = fp.offset.clamp(0, to);
                let records = log.records[from_off as usize..to as usize].to_vec();
                let err = if fp.offset > leo { Some(KErr::OffsetOutOfRange) } else { None };
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: err,
                    high_watermark: log.hw,
                    leader_epoch: r.leader_epoch,
                    diverging_end: None,
                    records,
                });
                interesting = true;
                continue;
            }
            // Truncation on fetch: does the follower's last epoch end where it says?
            if fp.last_epoch >= 0 && fp.offset > 0 {
                let (e, end) = log.end_offset_for(fp.last_epoch);
                if e != fp.last_epoch || end < fp.offset {
                    out.push(FetchData {
                        tp: fp.tp.clone(),
                        error: None,
                        high_watermark: log.hw,
                        leader_epoch: r.leader_epoch,
                        diverging_end: Some(end.min(fp.offset)),
                        records: vec![],
                    });
                    interesting = true;
                    continue;
                }
            }
            if fp.offset > leo {
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: None,
                    high_watermark: log.hw,
                    leader_epoch: r.leader_epoch,
                    diverging_end: Some(leo),
                    records: vec![],
                });
                interesting = true;
                continue;
            }
            // Partition.updateFollowerFetchState — when the fetch arrives, not when a parked
            // fetch completes (DelayedFetch only reads the log again).
            if let Some(f) = r.followers.get_mut(&replica) {
                if !retry {
                    if fp.offset >= leo {
                        f.last_caught_up = f.last_caught_up.max(now);
                    } else if fp.offset >= f.last_fetch_leader_leo {
                        f.last_caught_up = f.last_caught_up.max(f.last_fetch_time);
                    }
                    f.leo = fp.offset;
                    f.last_fetch_leader_leo = leo;
                    f.last_fetch_time = now;
                }
                let records: Vec<Record> = log.records[fp.offset as usize..].iter().take(500).cloned().collect();
                if !records.is_empty() || f.last_sent_hw != log.hw {
                    interesting = true;
                }
                f.last_sent_hw = log.hw;
                if !retry {
                    // The cheap first checks of maybe_expand_isr and maybe_advance_hw.
                    let expand = r.pending_isr.is_none() && !r.isr.contains(&replica) && r.replicas.contains(&replica);
                    let needed = expand || Self::isr_min_leo(self.id, r, leo) > log.hw;
                    changed.push((i as u32, needed));
                }
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: None,
                    high_watermark: log.hw,
                    leader_epoch: r.leader_epoch,
                    diverging_end: None,
                    records,
                });
            } else {
                out.push(FetchData::not_leader(&fp.tp, r.leader_epoch));
                interesting = true;
            }
        }
        // The checks above hold while nothing else changes (each partition appears once, which
        // fetches built from a map guarantee; otherwise check everything).
        let unique = parts.windows(2).all(|w| w[0].tp < w[1].tp);
        if !changed.is_empty() {
            self.state_gen += 1;
        }
        let gen0 = self.state_gen;
        for &(i, needed) in &changed {
            if !needed && unique && self.state_gen == gen0 {
                continue;
            }
            let tp = &parts[i as usize].tp;
            self.maybe_expand_isr(io, tp, replica);
            if self.maybe_advance_hw(io, tp) {
                interesting = true;
            }
        }
        if !interesting && !retry && replica.0 >= 0 {
            // Nothing new: wait up to replica.fetch.wait.max.ms at the leader (DelayedFetch).
            self.fetch_changed = changed;
            let deadline = now + Duration::from_millis(self.cfg.fetch_wait_ms);
            self.parked.push(ParkedFetch { from, replica, corr, parts, deadline });
            self.arm_purgatory(io);
            return;
        }
        // Re-read the HW for each part after the updates above (only needed if one may have
        // moved: otherwise every part already carries its log's HW, sent to the follower).
        if self.state_gen != gen0 {
            for d in out.iter_mut() {
                if d.error.is_none() && d.diverging_end.is_none() {
                    if let Some(l) = self.durable.logs.get(&d.tp) {
                        d.high_watermark = l.hw;
                        if let Some(f) = self.replicas.get_mut(&d.tp).and_then(|r| r.followers.get_mut(&replica)) {
                            f.last_sent_hw = l.hw;
                        }
                    }
                }
            }
        }
        self.fetch_changed = changed;
        io.send(from, KOut::Kafka(KafkaMsg::FetchResponse { corr, parts: out }));
    }

    /// Answer parked fetches that now have something (new records or a new HW).
    pub(super) fn wake_parked(&mut self, io: &mut KIo<'_>, tp: &TopicPartition) {
        if !self.parked.iter().any(|p| p.parts.iter().any(|fp| &fp.tp == tp)) {
            return;
        }
        let wake: Vec<ParkedFetch> = self.parked.extract_if(.., |p| p.parts.iter().any(|fp| &fp.tp == tp)).collect();
        for p in wake {
            self.handle_fetch(io, p.from, p.replica, p.corr, p.parts, true);
        }
    }

    pub(super) fn arm_purgatory(&mut self, io: &mut KIo<'_>) {
        let next = self.parked.iter().map(|p| p.deadline).chain(self.delayed.iter().map(|d| d.deadline)).min();
        match next {
            Some(t) => io.set_timer(KafkaTimer::Purgatory, t.since(io.now())),
            None => io.cancel_timer(KafkaTimer::Purgatory),
        }
    }

    pub(super) fn purgatory(&mut self, io: &mut KIo<'_>) {
        let now = io.now();
        let due: Vec<ParkedFetch> = self.parked.extract_if(.., |p| p.deadline <= now).collect();
        for p in due {
            self.handle_fetch(io, p.from, p.replica, p.corr, p.parts, true);
        }
        let late: Vec<DelayedProduce> = self.delayed.extract_if(.., |d| d.deadline <= now).collect();
        for d in late {
            io.send(d.from, KOut::Kafka(KafkaMsg::ProduceResponse { corr: d.corr, tp: d.tp, result: Err(KErr::RequestTimedOut) }));
        }
        self.arm_purgatory(io);
    }
}
