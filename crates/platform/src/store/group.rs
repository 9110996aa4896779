//! Group commit of sends: the sends of one instance that arrive while another's are being
//! written go into the database together — one INSERT for all their messages, one read of
//! what they left — instead of each queueing for the write lock with statements of its
//! own (each statement is a host call: they, not commits, are what a send costs; measured
//! with `bench/run.sh`, a transaction per group of separate INSERTs was no faster). If the
//! shared INSERT is refused (a send past its credit limit: the trigger aborts the whole
//! statement, so nothing of it is stored), each send of the group is written alone, so
//! only the refused one is refused.

use super::{SendPaid, Store, StoreError};
use crate::db::{DbError, RowExt, Value};
use futures::channel::oneshot;
use futures::future::Either;
use std::cell::RefCell;
use std::collections::VecDeque;

/// A send waiting for the group's transaction: its INSERT, made by its own request.
pub(super) struct PendingSend {
    /// Its rows, `(?,…),(?,…)`, for [`super::INSERT_MESSAGES`].
    pub rows: String,
    pub row_count: usize,
    pub params: Vec<Value>,
    pub account_id: String,
    pub batch_id: String,
    /// What it costs, for the refusal's figures.
    pub needed: i64,
}

struct Waiting {
    send: PendingSend,
    answer: oneshot::Sender<Result<SendPaid, StoreError>>,
    /// Told when it is this send's turn to write the next group.
    lead: Option<oneshot::Sender<()>>,
}

// The instance's requests run on one thread: no lock needed, only no borrow across an await.
thread_local! {
    static QUEUE: RefCell<VecDeque<Waiting>> = const { RefCell::new(VecDeque::new()) };
    static WRITING: RefCell<bool> = const { RefCell::new(false) };
}

fn abandoned() -> StoreError {
    StoreError::Db(DbError("the send's group was abandoned before it was written; nothing was stored".into()))
}

/// The writing send's turn: when it ends (done, or its request cancelled mid-way), the
/// turn passes to the first send still waiting, or the next send to arrive takes it.
struct Turn;

impl Drop for Turn {
    fn drop(&mut self) {
        loop {
            let lead = QUEUE.with(|q| {
                let mut q = q.borrow_mut();
                // Sends whose request is gone are not written.
                while q.front().is_some_and(|w| w.answer.is_canceled()) {
                    q.pop_front();
                }
                q.front_mut().and_then(|w| w.lead.take())
            });
            match lead {
                None => {
                    WRITING.with(|w| *w.borrow_mut() = false);
                    return;
                }
                Some(lead) => {
                    if lead.send(()).is_ok() {
                        return;
                    }
                    QUEUE.with(|q| q.borrow_mut().pop_front());
                }
            }
        }
    }
}

/// A send waiting for its answer or its turn. Should its request be cancelled right after
/// the turn was passed to it, it passes the turn on, so the queue never stalls.
struct Follower {
    my_turn: oneshot::Receiver<()>,
    waiting: bool,
}

impl Drop for Follower {
    fn drop(&mut self) {
        if self.waiting && matches!(self.my_turn.try_recv(), Ok(Some(()))) {
            drop(Turn);
        }
    }
}

impl Store {
    /// Stores `send` with whatever other sends of this instance are waiting: one send at a
    /// time writes the group of all sends waiting (its own among them) in one transaction;
    /// the others wait for its commit, and the first of those that arrived meanwhile
    /// writes the next group.
    pub(super) async fn insert_in_group(&self, send: PendingSend) -> Result<SendPaid, StoreError> {
        let (answer, mut answered) = oneshot::channel();
        let (lead, my_turn) = oneshot::channel();
        QUEUE.with(|q| q.borrow_mut().push_back(Waiting { send, answer, lead: Some(lead) }));
        let first = !WRITING.with(|w| std::mem::replace(&mut *w.borrow_mut(), true));
        if !first {
            let mut follower = Follower { my_turn, waiting: true };
            let woken = futures::future::select(&mut answered, &mut follower.my_turn).await;
            follower.waiting = false;
            match woken {
                Either::Left((result, _)) => return result.unwrap_or_else(|_| Err(abandoned())),
                Either::Right((Ok(()), _)) => {}
                Either::Right((Err(_), _)) => return answered.await.unwrap_or_else(|_| Err(abandoned())),
            }
        }
        // This send's turn: write every send waiting, its own among them.
        let turn = Turn;
        let group: Vec<Waiting> = QUEUE.with(|q| q.borrow_mut().drain(..).collect());
        self.write_group(group).await;
        drop(turn);
        answered.await.unwrap_or_else(|_| Err(abandoned()))
    }

    async fn write_group(&self, group: Vec<Waiting>) {
        // Parts whose rows fit one statement's bound parameters.
        let mut group = group.into_iter().peekable();
        while group.peek().is_some() {
            let mut part = Vec::new();
            let mut rows = 0;
            while let Some(next) = group.next_if(|w| part.is_empty() || rows + w.send.row_count <= super::INSERT_CHUNK) {
                rows += next.send.row_count;
                part.push(next);
            }
            let (sends, answers): (Vec<PendingSend>, Vec<_>) = part.into_iter().map(|w| (w.send, w.answer)).unzip();
            let results = self.write_together(&sends).await;
            for (answer, result) in answers.into_iter().zip(results) {
                let _ = answer.send(result);
            }
        }
    }

    /// One INSERT for all `sends`, then one read of what each left; alone each when the
    /// shared INSERT is refused.
    async fn write_together(&self, sends: &[PendingSend]) -> Vec<Result<SendPaid, StoreError>> {
        if sends.len() > 1 {
            let rows: Vec<&str> = sends.iter().map(|s| s.rows.as_str()).collect();
            let params: Vec<Value> = sends.iter().flat_map(|s| s.params.iter().cloned()).collect();
            match self.db.execute(&format!("{}{}", super::INSERT_MESSAGES, rows.join(",")), &params).await {
                Ok(()) => return self.paid_after_sends(sends).await,
                Err(e) if e.0.contains("InsufficientFunds") => {}
                Err(e) => return sends.iter().map(|_| Err(StoreError::Db(e.clone()))).collect(),
            }
        }
        let mut results = Vec::with_capacity(sends.len());
        for send in sends {
            results.push(match self.db.execute(&format!("{}{}", super::INSERT_MESSAGES, send.rows), &send.params).await {
                Ok(()) => self.paid_after_send_in(&self.db, &send.account_id, &send.batch_id).await,
                // Raised by the message_is_paid_for trigger; nothing of this send is stored.
                Err(e) if e.0.contains("InsufficientFunds") => match self.balance_and_limit(&send.account_id).await {
                    Ok((balance, credit_limit)) => Err(StoreError::InsufficientFunds { balance, credit_limit, needed: send.needed }),
                    Err(e) => Err(e),
                },
                Err(e) => Err(StoreError::Db(e)),
            });
        }
        results
    }

    /// What each send of a group left (balance and credits now, and which of its messages
    /// credits paid for), in one read.
    async fn paid_after_sends(&self, sends: &[PendingSend]) -> Vec<Result<SendPaid, StoreError>> {
        let pairs: Vec<[&str; 2]> = sends.iter().map(|s| [s.account_id.as_str(), s.batch_id.as_str()]).collect();
        let read = self
            .db
            .query(
                "SELECT j.key AS idx, a.balance_minor AS balance, a.sms_credits AS sms_credits, \
                        (SELECT json_group_array(m.id) FROM messages m WHERE m.batch_id = j.value ->> 1 AND m.credits > 0) AS credited \
                 FROM json_each(?1) AS j JOIN accounts a ON a.id = j.value ->> 0",
                &[crate::db::text(serde_json::to_string(&pairs).unwrap_or_default())],
            )
            .await;
        let rows = match read {
            Ok(rows) => rows.rows,
            Err(e) => return sends.iter().map(|_| Err(StoreError::Db(e.clone()))).collect(),
        };
        let mut paid: Vec<Result<SendPaid, StoreError>> = sends.iter().map(|_| Err(StoreError::NotFound)).collect();
        for row in rows {
            let index = row.int_named("idx") as usize;
            if let Some(slot) = paid.get_mut(index) {
                *slot = Ok(SendPaid {
                    balance: row.int_named("balance"),
                    sms_credits: row.int_named("sms_credits"),
                    paid_with_credits: serde_json::from_str(&row.text_named("credited")).unwrap_or_default(),
                });
            }
        }
        paid
    }
}
