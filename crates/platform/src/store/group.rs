//! Group commit of sends: the sends of one instance that arrive while another's are being
//! written go into the database together — one INSERT for all their messages — instead of
//! each queueing for the write lock with a statement of its own (each statement is a host
//! call: they, not commits, are what a send costs). Each send comes paid from the means
//! read with its lookups; if the shared INSERT is refused (the means changed meanwhile and
//! a guard fired, so nothing of it is stored), the sends of the group are handed back to
//! be paid from means read under the write lock, one by one, so only one that cannot pay
//! is refused.

use super::StoreError;
use crate::db::{DbError, RowExt, Value};
use domain::billing::funds::Paid;
use futures::channel::oneshot;
use futures::future::Either;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

/// A send waiting for the group's transaction: its INSERT, made by its own request.
pub(super) struct PendingSend {
    /// Its rows, `(?,…),(?,…)`, for [`super::INSERT_MESSAGES`].
    pub rows: String,
    /// Its messages, in row order.
    pub message_ids: Vec<String>,
    pub params: Vec<Value>,
    /// How its rows are paid, from the means read with its lookups (the means it left are
    /// the database's, as its INSERT returns them).
    pub paid: Paid,
}

/// A send's turn in the group: paid and stored, or `None` when it must be paid again
/// from fresh means (the group's INSERT was refused by a guard).
type GroupResult = Result<Option<Paid>, StoreError>;

struct Waiting {
    send: PendingSend,
    answer: oneshot::Sender<GroupResult>,
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

impl super::Messages<'_> {
    /// Stores `send` with whatever other sends of this instance are waiting: one send at a
    /// time writes the group of all sends waiting (its own among them) in one transaction;
    /// the others wait for its commit, and the first of those that arrived meanwhile
    /// writes the next group.
    pub(super) async fn insert_in_group(self, send: PendingSend) -> GroupResult {
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

    async fn write_group(self, group: Vec<Waiting>) {
        // Parts whose rows fit one statement's bound parameters.
        let mut group = group.into_iter().peekable();
        while group.peek().is_some() {
            let mut part = Vec::new();
            let mut rows = 0;
            while let Some(next) = group.next_if(|w| part.is_empty() || rows + w.send.message_ids.len() <= super::INSERT_CHUNK) {
                rows += next.send.message_ids.len();
                part.push(next);
            }
            let (sends, answers): (Vec<PendingSend>, Vec<_>) = part.into_iter().map(|w| (w.send, w.answer)).unzip();
            let results = self.write_together(&sends).await;
            for (answer, result) in answers.into_iter().zip(results) {
                let _ = answer.send(result);
            }
        }
    }

    /// One INSERT for all `sends`. Refused — by a guard because the means changed, or for
    /// any other reason — none of it is stored (one statement is all or nothing), and each
    /// send is handed back to be paid and written again on its own, where a lasting error
    /// shows as that send's.
    async fn write_together(self, sends: &[PendingSend]) -> Vec<GroupResult> {
        let rows: Vec<&str> = sends.iter().map(|s| s.rows.as_str()).collect();
        let params: Vec<Value> = sends.iter().flat_map(|s| s.params.iter().cloned()).collect();
        // Each row returns the account's means as its own debit found them (a RETURNING
        // subquery runs before the row's AFTER trigger): less the row's own charge, the
        // means it left.
        let written = self.store.db.query(
            &format!(
                "{}{} RETURNING id, price_minor, credits, \
                 (SELECT balance_minor FROM accounts a WHERE a.id = messages.account_id) AS balance_before, \
                 (SELECT sms_credits FROM accounts a WHERE a.id = messages.account_id) AS sms_credits_before",
                super::INSERT_MESSAGES,
                rows.join(",")
            ),
            &params,
        ).await;
        let Ok(written) = written else { return sends.iter().map(|_| Ok(None)).collect() };
        let mut left_by_message = HashMap::with_capacity(written.rows.len());
        for row in &written.rows {
            match left_by_row(row) {
                Ok((id, left)) => left_by_message.insert(id, left),
                Err(e) => return sends.iter().map(|_| Err(StoreError::Db(e.clone()))).collect(),
            };
        }
        sends.iter().map(|send| Ok(Some(paid_as_written(send, &left_by_message)))).collect()
    }
}

/// A written message and the means it left: balance, SMS credits.
fn left_by_row(row: &crate::host::Row) -> Result<(String, (i64, i64)), DbError> {
    let balance = row.get::<i64>("balance_before")? - row.get::<i64>("price_minor")?;
    let credits = row.get::<i64>("sms_credits_before")? - row.get::<i64>("credits")?;
    Ok((row.get("id")?, (balance, credits)))
}

/// How `send` was paid, with the means its last message left (the least any of its rows
/// left: within one statement the means only go down).
fn paid_as_written(send: &PendingSend, left_by_message: &HashMap<String, (i64, i64)>) -> Paid {
    let mut paid = send.paid.clone();
    let lefts = send.message_ids.iter().filter_map(|id| left_by_message.get(id));
    if let (Some(balance), Some(credits)) = (lefts.clone().map(|l| l.0).min(), lefts.map(|l| l.1).min()) {
        paid.left.balance_minor = balance;
        paid.left.sms_credits = credits;
    }
    paid
}
