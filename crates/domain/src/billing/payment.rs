//! An operator's credits to an account (seed 004: payments log, credit notes, deducting
//! incorrect payments): what each kind may be.
//!
//! - `topup`: money in the operator vouches for (positive).
//! - `payment`: a bank transfer, positive, with the transfer's reference — recorded once.
//! - `credit_note`: money given back on an invoice, positive; its number is used once.
//! - `correction`: either sign, never zero; one that `corrects` a payment (a wrong or
//!   duplicate transfer) is negative and deducts at most what is left of it.

use crate::billing::money::MAX_AMOUNT_MINOR;

/// The longest reference kept (bank references are far shorter).
pub const MAX_REFERENCE_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditKind {
    Topup,
    Payment,
    CreditNote,
    Correction,
}

impl CreditKind {
    pub fn parse(kind: &str) -> Result<Self, CreditError> {
        match kind {
            "topup" => Ok(CreditKind::Topup),
            "payment" => Ok(CreditKind::Payment),
            "credit_note" => Ok(CreditKind::CreditNote),
            "correction" => Ok(CreditKind::Correction),
            _ => Err(CreditError::UnknownKind),
        }
    }

    /// As the ledger and the payments log name it.
    pub fn as_str(&self) -> &'static str {
        match self {
            CreditKind::Topup => "topup",
            CreditKind::Payment => "payment",
            CreditKind::CreditNote => "credit_note",
            CreditKind::Correction => "correction",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditError {
    #[error("kind must be 'topup', 'payment', 'credit_note' or 'correction'")]
    UnknownKind,
    #[error("a {0} must be a positive amount")]
    NotPositive(&'static str),
    #[error("a correction must not be zero")]
    Zero,
    #[error("amount_minor may be at most {MAX_AMOUNT_MINOR} either way")]
    TooLarge,
    #[error("a payment needs the bank transfer's reference")]
    ReferenceRequired,
    #[error("reference is 1 to {MAX_REFERENCE_CHARS} characters without control characters")]
    BadReference,
    #[error("only a correction corrects a payment, and it must be negative")]
    BadCorrects,
}

/// An operator's credit, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorCredit {
    pub kind: CreditKind,
    pub amount_minor: i64,
    /// Trimmed; None lets the caller make one.
    pub reference: Option<String>,
    /// The payments-log id of what a correction corrects.
    pub corrects: Option<String>,
}

impl OperatorCredit {
    pub fn parse(kind: &str, amount_minor: i64, reference: Option<&str>, corrects: Option<&str>) -> Result<Self, CreditError> {
        let kind = CreditKind::parse(kind)?;
        if amount_minor.unsigned_abs() > MAX_AMOUNT_MINOR.unsigned_abs() {
            return Err(CreditError::TooLarge);
        }
        match kind {
            CreditKind::Correction if amount_minor == 0 => return Err(CreditError::Zero),
            CreditKind::Correction => {}
            _ if amount_minor <= 0 => return Err(CreditError::NotPositive(kind.as_str())),
            _ => {}
        }
        let reference = match reference.map(str::trim) {
            None => None,
            Some(r) if r.is_empty() || r.chars().count() > MAX_REFERENCE_CHARS || r.chars().any(char::is_control) => {
                return Err(CreditError::BadReference)
            }
            Some(r) => Some(r.to_owned()),
        };
        if kind == CreditKind::Payment && reference.is_none() {
            return Err(CreditError::ReferenceRequired);
        }
        let corrects = corrects.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        if corrects.is_some() && (kind != CreditKind::Correction || amount_minor > 0) {
            return Err(CreditError::BadCorrects);
        }
        Ok(OperatorCredit { kind, amount_minor, reference, corrects })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_sign() {
        assert!(OperatorCredit::parse("topup", 100, None, None).is_ok());
        assert_eq!(OperatorCredit::parse("topup", 0, None, None), Err(CreditError::NotPositive("topup")));
        assert_eq!(OperatorCredit::parse("credit_note", -5, None, None), Err(CreditError::NotPositive("credit_note")));
        assert_eq!(OperatorCredit::parse("correction", 0, None, None), Err(CreditError::Zero));
        assert!(OperatorCredit::parse("correction", -5, None, None).is_ok());
        assert!(OperatorCredit::parse("correction", 5, None, None).is_ok());
        assert_eq!(OperatorCredit::parse("debit", 5, None, None), Err(CreditError::UnknownKind));
        assert_eq!(OperatorCredit::parse("topup", MAX_AMOUNT_MINOR + 1, None, None), Err(CreditError::TooLarge));
        assert_eq!(OperatorCredit::parse("correction", i64::MIN, None, None), Err(CreditError::TooLarge));
    }

    #[test]
    fn a_payment_needs_its_bank_reference() {
        assert_eq!(OperatorCredit::parse("payment", 100, None, None), Err(CreditError::ReferenceRequired));
        assert_eq!(OperatorCredit::parse("payment", 100, Some("  "), None), Err(CreditError::BadReference));
        assert_eq!(OperatorCredit::parse("payment", 100, Some("a\nb"), None), Err(CreditError::BadReference));
        let ok = OperatorCredit::parse("payment", 100, Some(" OCR 123 "), None).unwrap();
        assert_eq!(ok.reference.as_deref(), Some("OCR 123"));
    }

    #[test]
    fn only_a_negative_correction_corrects_a_payment() {
        assert!(OperatorCredit::parse("correction", -100, None, Some("pay_1")).is_ok());
        assert_eq!(OperatorCredit::parse("correction", 100, None, Some("pay_1")), Err(CreditError::BadCorrects));
        assert_eq!(OperatorCredit::parse("payment", 100, Some("x"), Some("pay_1")), Err(CreditError::BadCorrects));
    }
}
