//! The ZooKeeper client library (`ClientCnxn` + `StaticHostProvider`) as a sans-IO component that
//! a host process embeds: the zkCli shell, `kafka-topics --zookeeper`, and every Kafka broker.
//!
//! Follows `ClientCnxn.java` (connect, `readTimeout = 2/3 × negotiated timeout`, pings after
//! `readTimeout/2` idle and at least every 10 s, `connectTimeout = timeout / #servers`, cleanup
//! failing queued requests with ConnectionLoss, a random 0–1 s pause before reconnecting, the
//! SetWatches replay) and `ZooKeeper.java`'s client-side watch registration.
//!
//! Simplified: no auth, no chroot, no read-only mode; the host list is shuffled once with the
//! host's seeded PRNG (as StaticHostProvider shuffles with its own Random).

use crate::sorted::SortedSet;
use std::collections::VecDeque;

use crate::sim::time::{Duration, Time};
use crate::sim::{Io, NodeId};

use super::msg::{WatchPaths, ZkMsg};
use super::types::{ErrCode, EventType, Op, Reply, SessionId, Zxid};

/// Client timers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ClientTimer {
    /// Time to send a ping.
    Ping,
    /// Nothing heard from the server for `readTimeout`.
    ReadTimeout,
    /// The connection attempt took longer than `connectTimeout`.
    ConnectTimeout,
    /// Start the next connection attempt.
    Reconnect,
}

impl std::fmt::Display for ClientTimer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClientTimer::Ping => "client ping due",
            ClientTimer::ReadTimeout => "client read timeout",
            ClientTimer::ConnectTimeout => "client connect timeout",
            ClientTimer::Reconnect => "client reconnect",
        })
    }
}

/// Connection states (`ZooKeeper.States`, reduced).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
pub enum ClientState {
    /// Not started yet.
    Idle,
    /// Trying `server`.
    Connecting {
        server: NodeId,
    },
    Connected {
        server: NodeId,
    },
    /// closeSession sent.
    Closing {
        server: NodeId,
    },
    Closed,
    /// The server said the session had expired; this handle is dead (Kafka creates a new one).
    Expired,
}

/// What the client tells its host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientEvent {
    /// `SyncConnected` (a new or resumed session).
    Connected { session: SessionId, timeout_ms: u32, resumed: bool },
    /// `Disconnected`: the connection was lost; the client is reconnecting.
    Disconnected,
    /// `Expired`.
    Expired,
    /// The reply to the request submitted with `tag`.
    Reply { tag: u64, result: Result<Reply, ErrCode>, zxid: Zxid },
    /// A watch fired.
    Watch { event: EventType, path: String },
    /// The session was closed by `close()`.
    Closed,
}

/// A ZooKeeper client handle.
#[derive(Clone, Debug)]
pub struct ZkClient {
    /// The connect string, resolved to server nodes, in try order.
    pub servers: Vec<NodeId>,
    cursor: usize,
    pub state: ClientState,
    pub session: SessionId,
    /// Requested session timeout.
    pub requested_timeout_ms: u32,
    /// Negotiated session timeout (0 before the first connection).
    pub timeout_ms: u32,
    pub last_zxid: Zxid,
    next_xid: i32,
    /// Sent, waiting for a reply (replies come in order): xid, tag, and the watch the request
    /// registers if it succeeds (only reads with `watch` set register one).
    pending: VecDeque<(i32, u64, Option<WatchReg>)>,
    /// Submitted while not connected.
    outgoing: VecDeque<(u64, Op)>,
    pub data_watches: SortedSet<String>,
    pub exist_watches: SortedSet<String>,
    pub child_watches: SortedSet<String>,
    last_recv: Time,
    last_send: Time,
    /// Connection attempts since the last successful connect (for the 1 s spin delay).
    attempts: usize,
    close_xid: i32,
}

type CIo<'a, F> = dyn Io<ZkMsg, ClientTimer, F> + 'a;

/// A watch a read asked for, registered client-side when its reply comes
/// (`ZooKeeper.WatchRegistration`).
#[derive(Clone, Debug)]
enum WatchReg {
    /// getData: a data watch if the node exists.
    Data(String),
    /// exists: a data watch if the node exists, else an exist watch.
    Exists(String),
    /// getChildren: a child watch if the node exists.
    Child(String),
}

impl WatchReg {
    fn of(op: &Op) -> Option<WatchReg> {
        match op {
            Op::GetData { path, watch: true } => Some(WatchReg::Data(path.clone())),
            Op::Exists { path, watch: true } => Some(WatchReg::Exists(path.clone())),
            Op::GetChildren { path, watch: true } => Some(WatchReg::Child(path.clone())),
            _ => None,
        }
    }
}

/// `ClientCnxn.MAX_SEND_PING_INTERVAL`.
const MAX_SEND_PING_INTERVAL: Duration = Duration::from_millis(10_000);

impl ZkClient {
    /// A handle for `servers` (already in the order to try), asking for `timeout_ms`.
    pub fn new(servers: Vec<NodeId>, timeout_ms: u32) -> ZkClient {
        ZkClient {
            servers,
            cursor: 0,
            state: ClientState::Idle,
            session: SessionId(0),
            requested_timeout_ms: timeout_ms,
            timeout_ms: 0,
            last_zxid: Zxid(0),
            next_xid: 1,
            pending: VecDeque::new(),
            outgoing: VecDeque::new(),
            data_watches: SortedSet::new(),
            exist_watches: SortedSet::new(),
            child_watches: SortedSet::new(),
            last_recv: Time::ZERO,
            last_send: Time::ZERO,
            attempts: 0,
            close_xid: 0,
        }
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.state, ClientState::Connected { .. })
    }
    /// Whether the handle is finished (closed or expired).
    pub fn is_dead(&self) -> bool {
        matches!(self.state, ClientState::Closed | ClientState::Expired)
    }
    /// The server currently connected or being tried.
    pub fn server(&self) -> Option<NodeId> {
        match self.state {
            ClientState::Connecting { server } | ClientState::Connected { server } | ClientState::Closing { server } => Some(server),
            _ => None,
        }
    }
    /// Whether a message from `from` concerns this client.
    pub fn owns(&self, from: NodeId) -> bool {
        self.server() == Some(from)
    }
    /// Requests waiting for replies or for a connection.
    pub fn in_flight(&self) -> usize {
        self.pending.len() + self.outgoing.len()
    }

    fn read_timeout(&self) -> Duration {
        Duration::from_millis((self.timeout_ms.max(self.requested_timeout_ms) as u64) * 2 / 3)
    }

    /// Start connecting (the first time).
    pub fn start<F>(&mut self, io: &mut CIo<'_, F>) {
        if self.state == ClientState::Idle {
            self.connect_next(io);
        }
    }

    fn connect_next<F>(&mut self, io: &mut CIo<'_, F>) {
        if self.servers.is_empty() {
            self.state = ClientState::Closed;
            return;
        }
        let server = self.servers[self.cursor % self.servers.len()];
        self.cursor = (self.cursor + 1) % self.servers.len();
        self.attempts += 1;
        self.state = ClientState::Connecting { server };
        let now = io.now();
        self.last_send = now;
        self.last_recv = now;
        io.send(server, ZkMsg::Connect { session: self.session, timeout_ms: self.requested_timeout_ms, last_zxid_seen: self.last_zxid });
        let n = self.servers.len().max(1) as u64;
        let t = if self.timeout_ms > 0 { self.timeout_ms } else { self.requested_timeout_ms };
        io.set_timer(ClientTimer::ConnectTimeout, Duration::from_millis(t as u64 / n));
    }

    /// Submit a request; its reply comes back as `ClientEvent::Reply { tag }`.
    pub fn submit<F>(&mut self, io: &mut CIo<'_, F>, tag: u64, op: Op) -> Vec<ClientEvent> {
        match self.state {
            ClientState::Connected { server } => {
                self.send_request(io, server, tag, op);
                Vec::new()
            }
            ClientState::Closed | ClientState::Expired | ClientState::Closing { .. } => {
                let err = if self.state == ClientState::Expired { ErrCode::SessionExpired } else { ErrCode::ConnectionLoss };
                vec![ClientEvent::Reply { tag, result: Err(err), zxid: self.last_zxid }]
            }
            _ => {
                self.outgoing.push_back((tag, op));
                if self.state == ClientState::Idle {
                    self.start(io);
                }
                Vec::new()
            }
        }
    }

    fn send_request<F>(&mut self, io: &mut CIo<'_, F>, server: NodeId, tag: u64, op: Op) {
        let xid = self.next_xid;
        self.next_xid = self.next_xid.wrapping_add(1).max(1);
        self.pending.push_back((xid, tag, WatchReg::of(&op)));
        self.last_send = io.now();
        io.send(server, ZkMsg::ClientRequest { xid, op });
    }

    /// Close the session (`ZooKeeper.close()`).
    pub fn close<F>(&mut self, io: &mut CIo<'_, F>) -> Vec<ClientEvent> {
        match self.state {
            ClientState::Connected { server } => {
                let xid = self.next_xid;
                self.next_xid = self.next_xid.wrapping_add(1).max(1);
                self.close_xid = xid;
                self.state = ClientState::Closing { server };
                io.send(server, ZkMsg::CloseSession { xid });
                Vec::new()
            }
            ClientState::Closing { .. } => Vec::new(),
            _ => {
                if let Some(s) = self.server() {
                    io.close(s);
                }
                self.cancel_timers(io);
                self.state = ClientState::Closed;
                let mut ev = self.fail_all(ErrCode::ConnectionLoss);
                ev.push(ClientEvent::Closed);
                ev
            }
        }
    }

    fn cancel_timers<F>(&mut self, io: &mut CIo<'_, F>) {
        for t in [ClientTimer::Ping, ClientTimer::ReadTimeout, ClientTimer::ConnectTimeout, ClientTimer::Reconnect] {
            io.cancel_timer(t);
        }
    }

    fn fail_all(&mut self, err: ErrCode) -> Vec<ClientEvent> {
        let z = self.last_zxid;
        let mut ev: Vec<ClientEvent> =
            self.pending.drain(..).map(|(_, tag, _)| ClientEvent::Reply { tag, result: Err(err), zxid: z }).collect();
        ev.extend(self.outgoing.drain(..).map(|(tag, _)| ClientEvent::Reply { tag, result: Err(err), zxid: z }));
        ev
    }

    /// The connection broke (or timed out): fail what was in flight, reconnect after a pause.
    fn lost<F>(&mut self, io: &mut CIo<'_, F>) -> Vec<ClientEvent> {
        let was_connected = self.is_connected();
        if let Some(s) = self.server() {
            io.close(s);
        }
        self.cancel_timers(io);
        let mut ev = self.fail_all(ErrCode::ConnectionLoss);
        if matches!(self.state, ClientState::Closing { .. }) {
            self.state = ClientState::Closed;
            ev.push(ClientEvent::Closed);
            return ev;
        }
        self.state = ClientState::Idle;
        if was_connected {
            ev.push(ClientEvent::Disconnected);
        }
        // ClientCnxn sleeps r.nextInt(1000) ms before a reconnect; StaticHostProvider adds a
        // 1 s spin delay once every server was tried.
        let mut pause = io.rng().below(1000);
        if self.attempts >= self.servers.len() {
            pause += 1000;
            self.attempts = 0;
        }
        io.set_timer(ClientTimer::Reconnect, Duration::from_millis(pause));
        ev
    }

    /// A message from a server.
    pub fn on_msg<F>(&mut self, io: &mut CIo<'_, F>, from: NodeId, msg: ZkMsg) -> Vec<ClientEvent> {
        let mut ev = Vec::new();
        self.on_msg_into(io, from, msg, &mut ev);
        ev
    }

    /// [`ZkClient::on_msg`], appending the events to `ev` (a host's reused buffer).
    pub fn on_msg_into<F>(&mut self, io: &mut CIo<'_, F>, from: NodeId, msg: ZkMsg, ev: &mut Vec<ClientEvent>) {
        if !self.owns(from) {
            return;
        }
        self.last_recv = io.now();
        match msg {
            ZkMsg::ConnectResponse { session, timeout_ms } => {
                if !matches!(self.state, ClientState::Connecting { .. }) {
                    return;
                }
                io.cancel_timer(ClientTimer::ConnectTimeout);
                if timeout_ms == 0 {
                    self.state = ClientState::Expired;
                    self.cancel_timers(io);
                    io.close(from);
                    ev.extend(self.fail_all(ErrCode::SessionExpired));
                    ev.push(ClientEvent::Expired);
                    return;
                }
                let resumed = self.session == session && session.0 != 0;
                self.session = session;
                self.timeout_ms = timeout_ms;
                self.attempts = 0;
                self.state = ClientState::Connected { server: from };
                if resumed && !(self.data_watches.is_empty() && self.exist_watches.is_empty() && self.child_watches.is_empty()) {
                    io.send(
                        from,
                        ZkMsg::SetWatches {
                            relative_zxid: self.last_zxid,
                            paths: Box::new(WatchPaths {
                                data: self.data_watches.iter().cloned().collect(),
                                exist: self.exist_watches.iter().cloned().collect(),
                                child: self.child_watches.iter().cloned().collect(),
                            }),
                        },
                    );
                }
                ev.push(ClientEvent::Connected { session, timeout_ms, resumed });
                let queued: Vec<(u64, Op)> = self.outgoing.drain(..).collect();
                for (tag, op) in queued {
                    self.send_request(io, from, tag, op);
                }
                self.arm(io);
            }
            ZkMsg::ClientReply { xid, zxid, reply } => {
                if zxid > self.last_zxid {
                    self.last_zxid = zxid;
                }
                if self.pending.front().map(|p| p.0 == xid).unwrap_or(false) {
                    if let Some((_, tag, watch)) = self.pending.pop_front() {
                        if let Some(w) = watch {
                            self.register_watch(w, &reply);
                        }
                        let result = match *reply {
                            Reply::Error(e) => Err(e),
                            r => Ok(r),
                        };
                        ev.push(ClientEvent::Reply { tag, result, zxid });
                    }
                }
                self.arm(io);
            }
            ZkMsg::PingReply => self.arm(io),
            ZkMsg::WatchEvent { event, path } => {
                match event {
                    EventType::NodeChildrenChanged => {
                        self.child_watches.remove(&path);
                    }
                    EventType::NodeDeleted => {
                        self.data_watches.remove(&path);
                        self.exist_watches.remove(&path);
                        self.child_watches.remove(&path);
                    }
                    _ => {
                        self.data_watches.remove(&path);
                        self.exist_watches.remove(&path);
                    }
                }
                ev.push(ClientEvent::Watch { event, path });
                self.arm(io);
            }
            ZkMsg::CloseSessionReply { xid } if xid == self.close_xid => {
                self.cancel_timers(io);
                io.close(from);
                self.state = ClientState::Closed;
                ev.extend(self.fail_all(ErrCode::ConnectionLoss));
                ev.push(ClientEvent::Closed);
            }
            _ => {}
        }
    }

    fn register_watch(&mut self, watch: WatchReg, reply: &Reply) {
        match (watch, reply) {
            (WatchReg::Data(path), Reply::Data { .. }) => {
                self.data_watches.insert(path);
            }
            (WatchReg::Exists(path), Reply::Exists { stat }) => {
                if stat.is_some() {
                    self.data_watches.insert(path);
                } else {
                    self.exist_watches.insert(path);
                }
            }
            (WatchReg::Child(path), Reply::Children { .. }) => {
                self.child_watches.insert(path);
            }
            _ => {}
        }
    }

    /// After any traffic: schedule the next ping and the read timeout.
    fn arm<F>(&mut self, io: &mut CIo<'_, F>) {
        let rt = self.read_timeout();
        let ping = Duration((rt.0 / 2).min(MAX_SEND_PING_INTERVAL.0));
        io.set_timer(ClientTimer::Ping, ping);
        io.set_timer(ClientTimer::ReadTimeout, rt);
    }

    /// A client timer fired.
    pub fn on_timer<F>(&mut self, io: &mut CIo<'_, F>, timer: ClientTimer) -> Vec<ClientEvent> {
        match timer {
            ClientTimer::Ping => {
                if let ClientState::Connected { server } = self.state {
                    self.last_send = io.now();
                    io.send(server, ZkMsg::ClientPing);
                    let rt = self.read_timeout();
                    io.set_timer(ClientTimer::Ping, Duration((rt.0 / 2).min(MAX_SEND_PING_INTERVAL.0)));
                }
                Vec::new()
            }
            ClientTimer::ReadTimeout | ClientTimer::ConnectTimeout => {
                if matches!(self.state, ClientState::Connected { .. } | ClientState::Connecting { .. } | ClientState::Closing { .. }) {
                    self.lost(io)
                } else {
                    Vec::new()
                }
            }
            ClientTimer::Reconnect => {
                if self.state == ClientState::Idle {
                    self.connect_next(io);
                }
                Vec::new()
            }
        }
    }

    /// The connection to `peer` closed.
    pub fn on_disconnect<F>(&mut self, io: &mut CIo<'_, F>, peer: NodeId) -> Vec<ClientEvent> {
        if self.owns(peer) {
            self.lost(io)
        } else {
            Vec::new()
        }
    }

    /// The host crashed or exited: nothing survives.
    pub fn reset(&mut self) {
        let servers = std::mem::take(&mut self.servers);
        *self = ZkClient::new(servers, self.requested_timeout_ms);
    }
}
