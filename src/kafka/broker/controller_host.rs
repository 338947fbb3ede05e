//! The broker as the controller's host: the controller component (`../controller/`) runs inside
//! the broker that won `/controller` and reaches it only through [`Host`]. This file implements
//! that interface and routes to the controller what concerns it: its ZooKeeper answers and
//! watches, the controller requests brokers send (AlterIsr, ControlledShutdown, admin), and the
//! rebalance timer. Without a controller those requests are answered `NOT_CONTROLLER`.
//!
//! Follows `KafkaController.scala` (`onControllerFailover`, `onControllerResignation`, the
//! `ControllerMovedException` handling in `ControllerEventManager`) and `KafkaApis.scala`
//! (`handleAlterIsrRequest`, `handleControlledShutdownRequest`: only the active controller serves).

use crate::sim::NodeId;
use crate::zk::types::{ErrCode, EventType, Op, Reply};

use super::super::controller::{AlterIsrAnswers, AlterIsrItems, Controller, Event, Host, Key};
use super::super::msg::{AdminOp, KErr, KafkaMsg};
use super::super::types::{BrokerId, ControllerEpoch};
use super::{Broker, KIo, KOut, KafkaTimer, Purpose};

impl Host for Broker {
    fn zk_alive(&self) -> bool {
        !self.zk.is_dead()
    }
    fn zk_request(&mut self, io: &mut KIo<'_>, gen: u64, key: Key, op: Op) {
        self.zk_submit(io, Purpose::Controller(gen, key), op);
    }
    fn deliver_to_self(&mut self, io: &mut KIo<'_>, msg: KafkaMsg) {
        // Responses to itself are dropped (the controller does not act on them).
        if matches!(msg, KafkaMsg::LeaderAndIsr { .. } | KafkaMsg::UpdateMetadata { .. } | KafkaMsg::StopReplica { .. })
            && self.is_running()
        {
            let me = io.id();
            self.on_kafka(io, me, msg);
        }
    }
    fn alter_isr_answered(&mut self, io: &mut KIo<'_>, items: AlterIsrAnswers) {
        self.handle_alter_isr_response(io, items);
    }
    fn controlled_shutdown_answered(&mut self, io: &mut KIo<'_>, remaining: usize, error: Option<KErr>) {
        self.handle_shutdown_response(io, remaining, error);
    }
    fn controller_moved(&mut self, io: &mut KIo<'_>) {
        self.resign(io);
        self.elect(io);
    }
    fn still_controller(&self) -> bool {
        self.ctl_busy.is_some()
    }
}

impl Broker {
    /// Run `f` on the controller (if this broker is the controller), with the broker as its host.
    /// The controller is out of `ctl` meanwhile; it goes back unless the broker resigned.
    fn with_controller(&mut self, io: &mut KIo<'_>, f: impl FnOnce(&mut Controller, &mut Broker, &mut KIo<'_>)) {
        let Some(mut c) = self.ctl.take() else { return };
        self.ctl_busy = Some(c.epoch);
        f(&mut c, self, io);
        if self.ctl_busy.take().is_some() {
            self.ctl = Some(c);
        }
    }

    /// Won `/controller` in `epoch`: `onControllerFailover`, as the controller's first event.
    pub(super) fn on_controller_failover(&mut self, io: &mut KIo<'_>, epoch: ControllerEpoch, zkv: i32) {
        self.ctl = Some(Controller::new(self.id, self.cfg.clone(), epoch, zkv));
        self.controller_epoch_seen = self.controller_epoch_seen.max(epoch);
        self.with_controller(io, |c, b, io| c.enqueue(b, io, Event::Failover));
    }

    /// Stop being the controller (`onControllerResignation`).
    pub(super) fn resign(&mut self, io: &mut KIo<'_>) {
        let epoch = match self.ctl.take() {
            Some(c) => Some(c.epoch),
            None => self.ctl_busy.take(),
        };
        if let Some(epoch) = epoch {
            io.note(format!("broker {}: resigning as controller (epoch {epoch})", self.id));
            io.cancel_timer(KafkaTimer::AutoRebalance);
        }
    }

    pub(super) fn controller_reply(&mut self, io: &mut KIo<'_>, gen: u64, key: Key, r: Result<Reply, ErrCode>) {
        self.with_controller(io, |c, b, io| c.on_zk_reply(b, io, gen, key, r));
    }

    pub(super) fn controller_watch(&mut self, io: &mut KIo<'_>, event: EventType, path: &str) {
        self.with_controller(io, |c, b, io| c.on_watch(b, io, event, path));
    }

    pub(super) fn controller_auto_rebalance(&mut self, io: &mut KIo<'_>) {
        self.with_controller(io, |c, b, io| c.enqueue(b, io, Event::AutoRebalance));
    }

    /// An AlterIsr (from `from`, or from this broker itself).
    pub(super) fn controller_alter_isr(
        &mut self,
        io: &mut KIo<'_>,
        from: NodeId,
        broker: BrokerId,
        broker_epoch: i64,
        items: AlterIsrItems,
    ) {
        if self.ctl.is_none() {
            let items: AlterIsrAnswers = items.into_iter().map(|(tp, ..)| (tp, Err(KErr::NotController))).collect();
            if from == io.id() {
                self.handle_alter_isr_response(io, items);
            } else {
                io.send(from, KOut::Kafka(KafkaMsg::AlterIsrResponse { items }));
            }
            return;
        }
        self.with_controller(io, |c, b, io| c.enqueue(b, io, Event::AlterIsr { from, broker, broker_epoch, items }));
    }

    /// A ControlledShutdown (`from` is `None` for this broker's own).
    pub(super) fn controller_controlled_shutdown(&mut self, io: &mut KIo<'_>, from: Option<NodeId>, broker: BrokerId, broker_epoch: i64) {
        if self.ctl.is_none() {
            if let Some(f) = from {
                io.send(f, KOut::Kafka(KafkaMsg::ControlledShutdownResponse { remaining: 0, error: Some(KErr::NotController) }));
            }
            return;
        }
        self.with_controller(io, |c, b, io| c.enqueue(b, io, Event::ControlledShutdown { from, broker, broker_epoch }));
    }

    /// An admin request (CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders).
    pub(super) fn controller_admin(&mut self, io: &mut KIo<'_>, from: NodeId, corr: u64, op: AdminOp) {
        if self.ctl.is_none() {
            let error = (KErr::NotController, "This is not the correct controller for this cluster.".into());
            io.send(from, KOut::Kafka(KafkaMsg::AdminResponse { corr, results: vec![(String::new(), Err(error))] }));
            return;
        }
        self.with_controller(io, |c, b, io| c.enqueue(b, io, Event::Admin { from, corr, op }));
    }
}
