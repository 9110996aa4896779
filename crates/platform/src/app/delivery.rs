//! Delivery: messages leave the durable queue (store::queue) for the carrier, and what
//! the carrier said is recorded — by `domain::carriers::submit`'s verdicts, so a message the carrier
//! may have is never refunded blindly and a resubmit carries the same reference.
//!
//! Who delivers: after a send commits, the instance that took it starts delivering once
//! the answer is out (WASIp3: work after the response in the reused instance; only one
//! such delivery runs per instance, taking whatever is due, from any instance, in rounds).
//! That work is best-effort — Spin may drop an idle instance — so the job runner delivers
//! too, and a message taken by a delivery that died is due again when its lease ends.

use crate::carrier::{submit_all, CarrierConfig, Submission, SubmitResult};
use crate::db::DbError;
use crate::store::{Claim, DueMessage, IncomingReceipt, Store, StoredCost};
use domain::api::ratelimit::{counter_key, granted, window_of, RateLimit};
use domain::billing::pricing::{select_price, PriceRule};
use domain::carriers::connection::throughput_ask;
use domain::carriers::routing::next_connection;
use domain::carriers::sealed::purpose;
use domain::messaging::recipient::{NumberContext, Recipient};
use std::collections::HashMap;
use domain::contacts::contactbook::blocked_detail;
use domain::carriers::receipt::{map_receipt_status, normalize_carrier_id};
use domain::messaging::status::Status;
use domain::carriers::submit::{after_unknown, lease_for, AfterUnknown};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a delivery waits after a small round before the next.
const GATHER: Duration = Duration::from_millis(50);

/// What deliveries did.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct DeliveryReport {
    /// Messages taken from the queue.
    pub taken: usize,
    /// The carrier took them (DeliveredToGateway, or further by a receipt).
    pub accepted: usize,
    /// The carrier surely did not take them: DeliveryToGatewayFailed, refunded.
    pub refused: usize,
    /// Outcome unknown: resubmitted later with the same reference.
    pub unknown: usize,
    /// Still unknown after the last resubmit: Unknown (599), not refunded.
    pub given_up: usize,
    /// The recipient opted out after the send was accepted: RecipientRejected, refunded.
    pub opted_out: usize,
    /// A connection refused them for sure: moved on to the next connection of their route.
    pub failed_over: usize,
    /// Connections at their throughput limit for the second (their messages wait).
    pub throttled: usize,
}

impl DeliveryReport {
    fn add(&mut self, other: DeliveryReport) {
        self.taken += other.taken;
        self.accepted += other.accepted;
        self.refused += other.refused;
        self.unknown += other.unknown;
        self.given_up += other.given_up;
        self.opted_out += other.opted_out;
        self.failed_over += other.failed_over;
        self.throttled += other.throttled;
    }
}

/// Who delivers, and so which due messages it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deliverer {
    /// The instance that took a send, after answering: everything due.
    AfterSend,
    /// The job runner: scheduled messages whose time has come, and others once due a while
    /// ([`LEFT_OVER`]) — what no delivery after a send got to, or whose delivery died — so
    /// it does not compete with those for the database's write lock over fresh messages.
    JobRunner,
}

/// How long a message waits due before the job runner takes it.
pub const LEFT_OVER: Duration = Duration::from_secs(5);

/// Rounds of delivery until nothing is due or `budget` has passed. `carrier` is the
/// default connection (Spin variables); managed connections are read each round
/// (`Connections`).
pub async fn deliver_due(store: &Store, carrier: &CarrierConfig, who: Deliverer, budget: Duration) -> Result<DeliveryReport, DbError> {
    let started = Instant::now();
    let mut report = DeliveryReport::default();
    while started.elapsed() < budget {
        let round = deliver_round(store, carrier, who).await?;
        report.add(round);
        if round.taken == 0 && round.throttled == 0 {
            break;
        }
        if round.taken == 0 {
            // Only connections at their throughput limit have work: the next second's —
            // waited for only after the answer, never inside a request (Spin 3's delivery
            // before the answer, the job runner's).
            if crate::host::WORK_AFTER_RESPONSE && who == Deliverer::AfterSend {
                crate::host::sleep(until_next_second()).await;
                continue;
            }
            break;
        }
        // A small round (single sends trickling in): let a few more arrive, so each
        // round's claim, request and commit serve several messages, not one. (Not where
        // delivery runs before the answer: that would hold the answer up.)
        if round.taken < carrier.round_size() / 4 && crate::host::WORK_AFTER_RESPONSE {
            crate::host::sleep(GATHER).await;
        }
    }
    Ok(report)
}

fn until_next_second() -> Duration {
    Duration::from_millis(1_000 - crate::ids::now_millis() % 1_000 + 5)
}

/// One round: takes what is due (up to a round's size, and of each connection with a
/// throughput limit what it may still take this second), submits each connection's
/// share through it, records the answers — a sure failure moves a routed message on to
/// the next connection of its plan.
pub async fn deliver_round(store: &Store, carrier: &CarrierConfig, who: Deliverer) -> Result<DeliveryReport, DbError> {
    let connections = Connections::load(store, carrier).await?;
    // One request's worth per submit in flight: every submit of a round is in flight at
    // once, so a lease of one timeout (and a margin) covers the round, and a delivery cut
    // off (Spin dropped its instance, a crash) holds no more than that.
    let size = carrier.round_size();
    let lease = lease_for(carrier.concurrency, carrier.concurrency, carrier.timeout);
    let due_for = if who == Deliverer::JobRunner { LEFT_OVER } else { Duration::ZERO };
    let window = window_of(crate::ids::now_millis() as i64);
    let allowances = connections.throughput_allowances(size, window).await;
    let claim = Claim {
        default_carrier: &carrier.name,
        limit: size as i64,
        lease_seconds: lease.as_secs() as i64,
        due_for_seconds: due_for.as_secs() as i64,
        throttled: &allowances.iter().map(|a| (a.connection.clone(), i64::from(a.granted))).collect::<Vec<_>>(),
    };
    let mut due = store.queue().claim_due_messages(&claim).await?;
    let mut report = DeliveryReport { taken: due.len(), ..DeliveryReport::default() };
    // What a limited connection was granted and did not take goes back to its second.
    for allowance in &allowances {
        let took = due.iter().filter(|m| m.carrier == allowance.connection).count() as u32;
        if took < allowance.granted {
            connections.give_back(allowance, allowance.granted - took, window).await;
        }
        if allowance.granted < allowance.asked {
            report.throttled += 1;
        }
    }
    if due.is_empty() {
        return Ok(report);
    }
    // A recipient who opted out after the send was accepted is not sent to.
    for (message, detail) in opted_out_since_accepted(store, &due).await? {
        store.messages().change_status(&message, Status::RecipientRejected, "blocklist", Some(&detail)).await?;
        due.retain(|m| m.id != message);
        report.opted_out += 1;
    }
    // Each connection's share, submitted through it; all connections at once.
    let mut shares: Vec<(String, Vec<&DueMessage>)> = Vec::new();
    for message in &due {
        match shares.iter_mut().find(|(name, _)| *name == message.carrier) {
            Some((_, share)) => share.push(message),
            None => shares.push((message.carrier.clone(), vec![message])),
        }
    }
    let submitted = futures::future::join_all(shares.iter().map(|(_, share)| submit_share(&connections, share))).await;
    let now = chrono::Utc::now();
    // The round's answers in one transaction (one commit, not one per message), each
    // connection's accepted ones with one id each in one statement.
    store
        .transaction(async || {
            for ((name, share), results) in shares.iter().zip(submitted) {
                let mut accepted = Vec::new();
                for (message, result) in share.iter().zip(results) {
                    if let Some(one_id) = record(store, &connections, message, result, now, &mut report).await? {
                        accepted.push(one_id);
                    }
                }
                store.messages().mark_many_submitted(&accepted, name).await?;
                report.accepted += accepted.len();
                if connections.config(name).is_ok_and(|c| c.is_sandbox()) {
                    for (id, carrier_message_id, _) in &accepted {
                        sandbox_receipt(store, name, id, carrier_message_id).await?;
                    }
                }
            }
            Ok::<(), DbError>(())
        })
        .await?;
    Ok(report)
}

/// Submits one connection's share of a round; a connection that cannot take it (disabled
/// since the send, gone, its credentials unreadable) fails each message for sure.
async fn submit_share(connections: &Connections, share: &[&DueMessage]) -> Vec<SubmitResult> {
    let Some(first) = share.first() else { return Vec::new() };
    let config = match connections.config_for(first) {
        Ok(config) => config,
        Err(detail) => return share.iter().map(|_| SubmitResult::Failed { detail: detail.clone() }).collect(),
    };
    let submissions: Vec<Submission> = share
        .iter()
        .map(|m| Submission {
            reference: &m.id,
            sender: &m.sender,
            recipient: &m.recipient,
            text: &m.body,
            encoding: &m.encoding,
            segments: m.segments,
        })
        .collect();
    submit_all(config, &submissions).await
}

/// Records one submit's answer — except an acceptance with one id, which it returns as
/// `(message id, canonical carrier id, cost)` to be recorded with the connection's others
/// at once.
async fn record(
    store: &Store,
    connections: &Connections,
    message: &DueMessage,
    result: SubmitResult,
    now: chrono::DateTime<chrono::Utc>,
    report: &mut DeliveryReport,
) -> Result<Option<(String, String, Option<i64>)>, DbError> {
    let id = message.id.as_str();
    let carrier = message.carrier.as_str();
    let adapter = connections.config(carrier).map(|c| c.adapter.clone()).unwrap_or_else(|_| carrier.to_owned());
    match result {
        SubmitResult::Accepted { carrier_message_id } => {
            let cost = connections.cost_milli(message, now);
            return Ok(Some((message.id.clone(), canonical_submit_id(&adapter, &carrier_message_id), cost)));
        }
        SubmitResult::AcceptedInParts { part_ids } => {
            let part_ids: Vec<String> = part_ids.iter().map(|raw| canonical_submit_id(&adapter, raw)).collect();
            store.messages().mark_submitted_in_parts(id, &part_ids, carrier, connections.cost_milli(message, now)).await?;
            report.accepted += 1;
        }
        SubmitResult::Failed { detail } => match connections.failover_target(message) {
            Some((to, skipped)) => {
                let skipped = if skipped.is_empty() { String::new() } else { format!(" (skipped, unusable: {})", skipped.join(", ")) };
                let detail = format!("submit to {carrier} failed ({detail}); failed over to {to}{skipped}");
                store.queue().fail_over(id, carrier, &to, &detail).await?;
                report.failed_over += 1;
            }
            None => {
                store.messages().change_status(id, Status::DeliveryToGatewayFailed, carrier, Some(&detail)).await?;
                report.refused += 1;
            }
        },
        SubmitResult::Unknown { detail } => match after_unknown(message.unknown_submits + 1) {
            AfterUnknown::ResubmitIn(wait) => {
                let detail = format!("outcome unknown at {carrier} ({detail}); resubmitted with the same reference in {} s", wait.as_secs());
                store.queue().submit_outcome_unknown(id, &detail, wait.as_secs() as i64).await?;
                report.unknown += 1;
            }
            AfterUnknown::GiveUp => {
                let detail = format!("no known outcome after {} submits ({detail}); not refunded: the carrier may have it", message.attempts + 1);
                store.queue().give_up_unknown(id, &detail).await?;
                report.given_up += 1;
            }
        },
    }
    Ok(None)
}

/// A managed connection as delivery uses it.
struct Managed {
    /// Its adapter's configuration, or why it cannot be used (credentials unreadable).
    config: Result<CarrierConfig, String>,
    enabled: bool,
    throughput: Option<RateLimit>,
}

/// What a round may take of a connection with a throughput limit this second.
struct Allowance {
    connection: String,
    asked: u32,
    granted: u32,
}

/// The connections a round submits through: the default (Spin variables) and the
/// managed ones (`store.carriers()`), with their cost prices.
struct Connections {
    default: CarrierConfig,
    managed: HashMap<String, Managed>,
    costs: Vec<StoredCost>,
}

impl Connections {
    async fn load(store: &Store, default: &CarrierConfig) -> Result<Connections, DbError> {
        let (stored, costs) = store.carriers().delivery_view(chrono::Utc::now()).await?;
        let mut managed = HashMap::with_capacity(stored.len());
        if !stored.is_empty() {
            let key = crate::config::secrets_key().await;
            for connection in stored {
                let credentials = match (&key, &connection.credentials_sealed) {
                    (_, None) => Ok(String::new()),
                    (Ok(key), Some(sealed)) => key.open(sealed, &purpose(&connection.name, "credentials")).map_err(|e| e.to_string()),
                    (Err(e), Some(_)) => Err(e.to_string()),
                };
                let config = match credentials {
                    Ok(api_key) => Ok(CarrierConfig::for_connection(&connection.name, &connection.adapter, &connection.base_url, api_key).await),
                    Err(e) => Err(format!("connection '{}' cannot be used: {e}", connection.name)),
                };
                let throughput = connection.throughput_per_second.and_then(|n| RateLimit::parse(n).ok());
                managed.insert(connection.name.clone(), Managed { config, enabled: connection.enabled, throughput });
            }
        }
        Ok(Connections { default: default.clone(), managed, costs })
    }

    /// The configuration of the connection named `name`.
    fn config(&self, name: &str) -> Result<&CarrierConfig, String> {
        match self.managed.get(name) {
            Some(managed) => managed.config.as_ref().map_err(Clone::clone),
            None if name == self.default.name => Ok(&self.default),
            None => Err(format!("connection '{name}' does not exist")),
        }
    }

    /// Where `message` is submitted now: its connection — unless that was disabled
    /// since and has not had it yet (a resubmit still goes where the message may be).
    fn config_for(&self, message: &DueMessage) -> Result<&CarrierConfig, String> {
        if message.route_plan.is_some() && message.attempts == 0 && self.managed.get(&message.carrier).is_some_and(|m| !m.enabled) {
            return Err(format!("connection '{}' is disabled", message.carrier));
        }
        self.config(&message.carrier)
    }

    fn usable(&self, name: &str) -> bool {
        self.managed.get(name).is_some_and(|m| m.enabled && m.config.is_ok())
    }

    /// The next connection of a routed message whose submit failed for sure, and those
    /// skipped as unusable. None when its plan is exhausted, or when an earlier submit
    /// to this connection had an unknown outcome: the carrier may have it, and sending
    /// it elsewhere too could deliver it twice (domain::carriers::submit).
    fn failover_target(&self, message: &DueMessage) -> Option<(String, Vec<String>)> {
        if message.was_unknown {
            return None;
        }
        let plan = message.route_plan.as_ref()?;
        let (next, skipped) = next_connection(plan, &message.carrier, |c| self.usable(c));
        next.map(|to| (to.to_owned(), skipped.into_iter().map(str::to_owned).collect()))
    }

    /// What the connection that took `message` costs for it (segments × its cost price
    /// for the recipient in the message's currency now), in thousandths of a minor unit.
    fn cost_milli(&self, message: &DueMessage, now: chrono::DateTime<chrono::Utc>) -> Option<i64> {
        let rules: Vec<PriceRule> = self
            .costs
            .iter()
            .filter(|c| c.connection == message.carrier && c.rule.per_segment.currency().code() == message.currency)
            .map(|c| c.rule.clone())
            .collect();
        if rules.is_empty() {
            return None;
        }
        let recipient = Recipient::parse(&message.recipient, NumberContext::Msisdn).ok()?;
        select_price(&rules, &recipient, now).map(|rule| rule.per_segment.milli() * i64::from(message.segments))
    }

    /// Takes each limited, enabled connection's share of this second from the counters
    /// all instances share (the request rate limits' counters, `platform::ratelimit`):
    /// a round's worth at most. A counter that cannot be read grants nothing: a message
    /// waits rather than pass a carrier's limit. Nothing is granted in the second half of a
    /// second: what is claimed then could reach the carrier in the next second, beside
    /// that second's own share.
    async fn throughput_allowances(&self, round_size: usize, window: i64) -> Vec<Allowance> {
        let mut allowances = Vec::new();
        let late_in_the_second = crate::ids::now_millis() % 1_000 >= LAST_GRANT_IN_SECOND_MILLIS;
        for (name, managed) in &self.managed {
            let Some(limit) = managed.throughput else { continue };
            let asked = throughput_ask(round_size, limit);
            if late_in_the_second {
                allowances.push(Allowance { connection: name.clone(), asked, granted: 0 });
                continue;
            }
            let granted = match crate::host::kv_increment(&throughput_counter(name, window), i64::from(asked)).await {
                Ok(total) => granted(total, asked, limit),
                Err(e) => {
                    eprintln!("throughput of connection {name} not counted: {e}; nothing submitted through it this round");
                    0
                }
            };
            allowances.push(Allowance { connection: name.clone(), asked, granted });
        }
        allowances
    }

    /// Returns `unused` of an allowance to its second's counter.
    async fn give_back(&self, allowance: &Allowance, unused: u32, window: i64) {
        if let Err(e) = crate::host::kv_increment(&throughput_counter(&allowance.connection, window), -i64::from(unused)).await {
            eprintln!("throughput of connection {}: {unused} unused not returned: {e}", allowance.connection);
        }
    }
}

/// How far into a second throughput is still granted (see `throughput_allowances`).
const LAST_GRANT_IN_SECOND_MILLIS: u64 = 500;

fn throughput_counter(connection: &str, window: i64) -> String {
    counter_key(&format!("carrier:{connection}"), window)
}

/// The taken messages whose recipient is now on their account's blocklist, with why.
async fn opted_out_since_accepted(store: &Store, due: &[DueMessage]) -> Result<Vec<(String, String)>, DbError> {
    let mut accounts: Vec<&str> = due.iter().map(|m| m.account_id.as_str()).collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut refused = Vec::new();
    for account in accounts {
        let numbers: Vec<&str> = due.iter().filter(|m| m.account_id == account).map(|m| m.recipient.as_str()).collect();
        for (number, reason, since) in store.contacts().blocked_numbers(account, &numbers).await? {
            let detail = blocked_detail(&reason, &since);
            refused.extend(
                due.iter().filter(|m| m.account_id == account && m.recipient == number).map(|m| (m.id.clone(), detail.clone())),
            );
        }
    }
    Ok(refused)
}

/// This instance's delivery is running; a send committed meanwhile asks it for one more round.
static DELIVERING: AtomicBool = AtomicBool::new(false);
static MORE: AtomicBool = AtomicBool::new(false);

/// After a send commits: delivers what is due once the answer is out (WASIp3; on Spin 3,
/// which has no work after the response, before it). One delivery per instance at a
/// time, so concurrent sends share its rounds instead of each submitting alone.
pub async fn deliver_soon() {
    MORE.store(true, Ordering::SeqCst);
    if DELIVERING.swap(true, Ordering::SeqCst) {
        return;
    }
    crate::host::after_response(async {
        // A round that fails (the database busy) leaves its messages leased: the job
        // runner or a later round takes them when the lease ends.
        while MORE.swap(false, Ordering::SeqCst) {
            let Ok(store) = Store::open_for_delivery().await else { break };
            let carrier = CarrierConfig::from_variables().await;
            if let Err(e) = deliver_due(&store, &carrier, Deliverer::AfterSend, Duration::from_secs(60)).await {
                eprintln!("delivery after a send: {e}");
                break;
            }
        }
        DELIVERING.store(false, Ordering::SeqCst);
    })
    .await;
}

/// The form of a submit response's id that receipts are matched on: what the carrier's
/// adapter makes of it by its declared submit id encoding (e.g. a hex id becomes its
/// decimal value). An id that does not fit the declared encoding is kept as text and
/// logged: the carrier has the message, so it must not be failed, but its receipts may
/// then not match.
pub fn canonical_submit_id(adapter: &str, raw: &str) -> String {
    match crate::carrier::protocol(adapter).map(|p| p.canonical_submit_id(raw)) {
        Some(Ok(id)) => id,
        Some(Err(e)) => {
            eprintln!("carrier adapter {adapter}: {e}; stored as text");
            normalize_carrier_id(raw)
        }
        None => normalize_carrier_id(raw),
    }
}

/// The sandbox "network" reports every message delivered, through the receipt path a
/// real carrier's receipts take.
async fn sandbox_receipt(store: &Store, connection: &str, message_id: &str, carrier_message_id: &str) -> Result<(), DbError> {
    let body = format!(r#"{{"message_id":"{carrier_message_id}","status":"DELIVRD","error_code":"000"}}"#);
    store.receipts().apply_receipt(&IncomingReceipt {
        carrier: connection,
        carrier_message_id,
        raw_status: "DELIVRD",
        raw_error: Some("000"),
        mapped: map_receipt_status("DELIVRD", Some("000")),
        part: None,
        reference: Some(message_id),
        dedupe_key: &format!("sandbox:{message_id}"),
        body: &body,
    }).await?;
    Ok(())
}
