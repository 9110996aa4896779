//! What an account can spend — its balance down to minus its credit limit, and its SMS
//! credits — and how a send is paid from it: each message by credits when the account
//! has a credit for every segment, else by money within the credit limit. All or nothing:
//! a send one message of which cannot be paid is refused whole.
//!
//! The database guards the outcome (a debit never takes the balance past the credit
//! limit; credits never go below zero); this decides it.

/// An account's means at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funds {
    pub balance_minor: i64,
    pub credit_limit_minor: i64,
    pub sms_credits: i64,
}

/// How one message is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payment {
    /// One SMS credit per segment; no money.
    Credits(u32),
    /// Its price in minor units (zero for a free destination).
    Money(i64),
}

impl Payment {
    pub fn credits(self) -> u32 {
        match self {
            Payment::Credits(n) => n,
            Payment::Money(_) => 0,
        }
    }

    /// The money it takes, in minor units.
    pub fn money_minor(self) -> i64 {
        match self {
            Payment::Credits(_) => 0,
            Payment::Money(minor) => minor,
        }
    }
}

/// A send paid for: each message's payment, in order, and the means left after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub payments: Vec<Payment>,
    pub left: Funds,
}

/// A send the account cannot pay for, with the figures the refusal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the send costs {needed_minor}; the balance is {balance_minor} and the credit limit {credit_limit_minor}")]
pub struct InsufficientFunds {
    pub balance_minor: i64,
    pub credit_limit_minor: i64,
    /// The send's price in money, as if no credits paid for any of it.
    pub needed_minor: i64,
}

/// One message to pay for: its segments and its price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    pub segments: u32,
    pub price_minor: i64,
}

impl Funds {
    /// Spends `amount_minor` of money (a package, a renewal): never past the credit limit.
    pub fn spend(self, amount_minor: i64) -> Result<Funds, InsufficientFunds> {
        match self.balance_minor.checked_sub(amount_minor) {
            Some(after) if amount_minor <= 0 || after >= -self.credit_limit_minor => Ok(Funds { balance_minor: after, ..self }),
            _ => Err(InsufficientFunds { balance_minor: self.balance_minor, credit_limit_minor: self.credit_limit_minor, needed_minor: amount_minor }),
        }
    }

    /// Pays for `charges` in order: credits for a priced message while they cover all its
    /// segments (a free destination takes no credits), money otherwise, never past the
    /// credit limit.
    pub fn pay(self, charges: &[Charge]) -> Result<Paid, InsufficientFunds> {
        let mut left = self;
        let mut payments = Vec::with_capacity(charges.len());
        for charge in charges {
            let segments = i64::from(charge.segments);
            if charge.price_minor > 0 && left.sms_credits >= segments {
                left.sms_credits -= segments;
                payments.push(Payment::Credits(charge.segments));
                continue;
            }
            let after = left.balance_minor.checked_sub(charge.price_minor);
            match after {
                // Nothing spent is never refused, even past a lowered limit.
                Some(after) if charge.price_minor == 0 || after >= -self.credit_limit_minor => {
                    left.balance_minor = after;
                    payments.push(Payment::Money(charge.price_minor));
                }
                _ => {
                    return Err(InsufficientFunds {
                        balance_minor: self.balance_minor,
                        credit_limit_minor: self.credit_limit_minor,
                        needed_minor: charges.iter().map(|c| c.price_minor).sum(),
                    })
                }
            }
        }
        Ok(Paid { payments, left })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funds(balance: i64, limit: i64, credits: i64) -> Funds {
        Funds { balance_minor: balance, credit_limit_minor: limit, sms_credits: credits }
    }

    fn charge(segments: u32, price: i64) -> Charge {
        Charge { segments, price_minor: price }
    }

    #[test]
    fn money_pays_down_to_minus_the_credit_limit_and_not_a_minor_unit_further() {
        let paid = funds(100, 50, 0).pay(&[charge(1, 100), charge(1, 50)]).unwrap();
        assert_eq!(paid.payments, vec![Payment::Money(100), Payment::Money(50)]);
        assert_eq!(paid.left.balance_minor, -50);
        let refused = funds(100, 50, 0).pay(&[charge(1, 100), charge(1, 51)]).unwrap_err();
        assert_eq!(refused, InsufficientFunds { balance_minor: 100, credit_limit_minor: 50, needed_minor: 151 });
    }

    #[test]
    fn credits_pay_whole_messages_first_then_money_takes_over() {
        // 5 credits: the first two-segment messages take 4, the third needs 2 and gets money.
        let paid = funds(1_000, 0, 5).pay(&[charge(2, 90), charge(2, 90), charge(2, 90)]).unwrap();
        assert_eq!(paid.payments, vec![Payment::Credits(2), Payment::Credits(2), Payment::Money(90)]);
        assert_eq!(paid.left, funds(910, 0, 1));
    }

    #[test]
    fn a_free_destination_takes_no_credits() {
        let paid = funds(0, 0, 3).pay(&[charge(1, 0), charge(1, 10)]).unwrap();
        assert_eq!(paid.payments, vec![Payment::Money(0), Payment::Credits(1)]);
        assert_eq!(paid.left.sms_credits, 2);
    }

    #[test]
    fn credits_let_a_send_through_that_money_alone_could_not_pay() {
        let paid = funds(0, 0, 1).pay(&[charge(1, 45)]).unwrap();
        assert_eq!(paid.payments, vec![Payment::Credits(1)]);
        assert!(funds(0, 0, 0).pay(&[charge(1, 45)]).is_err());
    }

    #[test]
    fn spending_money_stops_at_the_credit_limit() {
        assert_eq!(funds(10, 40, 7).spend(50).unwrap(), funds(-40, 40, 7));
        assert_eq!(funds(10, 40, 7).spend(51).unwrap_err().needed_minor, 51);
        assert!(funds(-50, 40, 0).spend(0).is_ok());
    }

    #[test]
    fn a_balance_already_past_a_lowered_limit_pays_only_free_messages() {
        assert!(funds(-80, 50, 0).pay(&[charge(1, 1)]).is_err());
        assert_eq!(funds(-80, 50, 0).pay(&[charge(1, 0)]).unwrap().payments, vec![Payment::Money(0)]);
    }
}
