//! Invoices (seed 004): one per account per calendar month, made from that month's ledger,
//! numbered when issued and never changed after; and the printable HTML document a person
//! files.
//!
//! Lines, in what the customer owes (a debit of 35 öre is a line of +35):
//! - charges: SMS by destination (the month's debits of messages), package purchases and
//!   subscription renewals (one line per entry), and any other debit;
//! - credits and corrections, shown apart: refunds of SMS by destination, credit notes and
//!   corrections (one line per entry);
//! - top-ups and payments are no lines: they are listed as payments received and do not
//!   count in the total.
//!
//! The total is the sum of the lines, so it equals minus the sum of the month's ledger
//! entries other than top-ups and payments.

use crate::billing::money::{Currency, Money};
use crate::billing::reports::display_amount;
use html_escape::encode_text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Charges,
    CreditsAndCorrections,
}

impl Section {
    pub fn as_str(&self) -> &'static str {
        match self {
            Section::Charges => "charges",
            Section::CreditsAndCorrections => "credits_and_corrections",
        }
    }

    pub fn from_stored(s: &str) -> Section {
        if s == "charges" {
            Section::Charges
        } else {
            Section::CreditsAndCorrections
        }
    }
}

/// Ledger kinds that are money received, not invoiced.
pub const PAYMENT_KINDS: [&str; 2] = ["topup", "payment"];

/// What a month's ledger holds, as the store sums it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerItem {
    /// Debits (negative) or refunds (positive) of messages to one country.
    Sms { refund: bool, country: String, messages: i64, segments: i64, amount_minor: i64 },
    /// Any other entry, one by one: its ledger kind, reference, description and amount.
    Entry { kind: String, reference: String, description: String, amount_minor: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub section: Section,
    /// `sms`, `sms_refund`, or the ledger kind (`package_purchase`, `credit_note`, …).
    pub kind: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// What the customer owes for the line: charges positive, credits negative.
    pub amount_minor: i64,
}

/// The invoice lines of a month's ledger items (payments excluded by the caller).
pub fn lines_from_ledger(items: &[LedgerItem]) -> Vec<InvoiceLine> {
    let mut lines: Vec<InvoiceLine> = items
        .iter()
        .filter(|i| !matches!(i, LedgerItem::Entry { kind, .. } if PAYMENT_KINDS.contains(&kind.as_str())))
        .map(|item| match item {
            LedgerItem::Sms { refund, country, messages, segments, amount_minor } => InvoiceLine {
                section: if *refund { Section::CreditsAndCorrections } else { Section::Charges },
                kind: if *refund { "sms_refund" } else { "sms" }.to_owned(),
                description: if *refund { format!("Refunded SMS to {country}") } else { format!("SMS to {country}") },
                country: Some(country.clone()),
                messages: Some(*messages),
                segments: Some(*segments),
                reference: None,
                amount_minor: -amount_minor,
            },
            LedgerItem::Entry { kind, reference, description, amount_minor } => InvoiceLine {
                section: match kind.as_str() {
                    "credit_note" | "correction" | "refund" => Section::CreditsAndCorrections,
                    _ => Section::Charges,
                },
                kind: kind.clone(),
                description: description.clone(),
                country: None,
                messages: None,
                segments: None,
                reference: Some(reference.clone()),
                amount_minor: -amount_minor,
            },
        })
        .collect();
    // Charges first, then credits; within each as the store ordered them.
    lines.sort_by_key(|l| l.section == Section::CreditsAndCorrections);
    lines
}

/// Money received in the month (top-ups, payments): listed on the invoice, not invoiced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentReceived {
    pub kind: String,
    pub reference: String,
    pub description: String,
    pub received_at: String,
    pub amount_minor: i64,
}

/// Who issues the invoice (our own details, from configuration at the time of issue).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    pub name: String,
    /// Lines separated by newlines or commas as configured.
    pub address: String,
    pub vat_number: String,
}

/// Who is invoiced: the account's company profile at the time of issue (the account's
/// name when no company name is set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    pub name: String,
    pub organisation_number: Option<String>,
    pub vat_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub contact_name: Option<String>,
    pub invoice_email: Option<String>,
}

/// An issued invoice, as stored and shown.
#[derive(Debug, Clone, Serialize)]
pub struct Invoice {
    pub id: String,
    pub number: String,
    pub account_id: String,
    pub period: String,
    /// The first and last local day covered, in `time_zone`.
    pub period_start: String,
    pub period_end: String,
    pub time_zone: String,
    pub currency: String,
    pub issued_at: String,
    pub seller: Seller,
    pub buyer: Buyer,
    pub lines: Vec<InvoiceLine>,
    pub payments: Vec<PaymentReceived>,
    pub charges_minor: i64,
    pub credits_minor: i64,
    pub total_minor: i64,
    pub payments_received_minor: i64,
}

/// Charges, credits and the total of some lines.
pub fn totals(lines: &[InvoiceLine]) -> (i64, i64, i64) {
    let charges: i64 = lines.iter().filter(|l| l.section == Section::Charges).map(|l| l.amount_minor).sum();
    let credits: i64 = lines.iter().filter(|l| l.section == Section::CreditsAndCorrections).map(|l| l.amount_minor).sum();
    (charges, credits, charges + credits)
}

const STYLE: &str = "\
body{font-family:Helvetica,Arial,sans-serif;color:#111;margin:2em auto;max-width:50em;font-size:11pt}\
h1{font-size:18pt;margin:0 0 .2em}h2{font-size:12pt;margin:1.5em 0 .4em}\
.parties{display:flex;justify-content:space-between;gap:2em;margin:1.5em 0}.parties div{flex:1}\
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.3em .4em;border-bottom:1px solid #ccc;vertical-align:top}\
td.n,th.n{text-align:right;white-space:nowrap}tfoot td{font-weight:bold;border-bottom:none}\
.meta td{border:none;padding:.1em .4em .1em 0}.muted{color:#555}\
@page{size:A4;margin:18mm}\
@media print{body{margin:0;max-width:none;font-size:10pt}a{color:inherit;text-decoration:none}tr{page-break-inside:avoid}}";

fn push_lines(html: &mut String, values: &[Option<&str>]) {
    for v in values.iter().flatten().filter(|v| !v.is_empty()) {
        html.push_str(&encode_text(v));
        html.push_str("<br>");
    }
}

/// The invoice as a printable HTML page: every stored text is escaped, so a name such as
/// `<script>` shows as text.
pub fn render_html(invoice: &Invoice) -> String {
    let currency = Currency::parse(&invoice.currency).ok();
    let amount = |minor: i64| match currency {
        Some(c) => encode_text(&display_amount(Money::new(minor, c))).into_owned(),
        None => format!("{minor} {}", encode_text(&invoice.currency)),
    };
    let e = |s: &str| encode_text(s).into_owned();
    let mut html = String::with_capacity(8 * 1024);
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    html.push_str(&format!("<title>Invoice {}</title><style>{STYLE}</style></head><body>\n", e(&invoice.number)));
    html.push_str(&format!("<h1>Invoice {}</h1>\n<table class=\"meta\">", e(&invoice.number)));
    for (label, value) in [
        ("Invoice number", invoice.number.as_str()),
        ("Issued", invoice.issued_at.get(..10).unwrap_or(&invoice.issued_at)),
        ("Period", &format!("{} to {} ({})", invoice.period_start, invoice.period_end, invoice.time_zone)),
        ("Account", invoice.account_id.as_str()),
        ("Currency", invoice.currency.as_str()),
    ] {
        html.push_str(&format!("<tr><td class=\"muted\">{label}</td><td>{}</td></tr>", e(value)));
    }
    html.push_str("</table>\n<div class=\"parties\"><div><h2>From</h2>");
    let s = &invoice.seller;
    html.push_str(&format!("<strong>{}</strong><br>", e(&s.name)));
    let address: Vec<&str> = s.address.split(['\n', ';']).map(str::trim).collect();
    push_lines(&mut html, &address.iter().map(|l| Some(*l)).collect::<Vec<_>>());
    if !s.vat_number.is_empty() {
        html.push_str(&format!("VAT {}<br>", e(&s.vat_number)));
    }
    html.push_str("</div><div><h2>To</h2>");
    let b = &invoice.buyer;
    html.push_str(&format!("<strong>{}</strong><br>", e(&b.name)));
    let postal = match (&b.postal_code, &b.city) {
        (Some(p), Some(c)) => Some(format!("{p} {c}")),
        (p, c) => p.clone().or(c.clone()),
    };
    push_lines(
        &mut html,
        &[b.address_line1.as_deref(), b.address_line2.as_deref(), postal.as_deref(), b.country.as_deref()],
    );
    if let Some(org) = &b.organisation_number {
        html.push_str(&format!("Org. no. {}<br>", e(org)));
    }
    if let Some(vat) = &b.vat_number {
        html.push_str(&format!("VAT {}<br>", e(vat)));
    }
    if let Some(name) = &b.contact_name {
        html.push_str(&format!("Attn. {}<br>", e(name)));
    }
    if let Some(mail) = &b.invoice_email {
        html.push_str(&format!("{}<br>", e(mail)));
    }
    html.push_str("</div></div>\n");

    for section in [Section::Charges, Section::CreditsAndCorrections] {
        let lines: Vec<&InvoiceLine> = invoice.lines.iter().filter(|l| l.section == section).collect();
        if lines.is_empty() {
            continue;
        }
        let title = if section == Section::Charges { "Charges" } else { "Credits and corrections" };
        html.push_str(&format!(
            "<h2>{title}</h2><table><thead><tr><th>Description</th><th class=\"n\">Messages</th><th class=\"n\">Segments</th><th class=\"n\">Amount</th></tr></thead><tbody>"
        ));
        for l in &lines {
            let description = match &l.reference {
                Some(r) => format!("{} <span class=\"muted\">({})</span>", e(&l.description), e(r)),
                None => e(&l.description),
            };
            let count = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
            html.push_str(&format!(
                "<tr><td>{description}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                count(l.messages),
                count(l.segments),
                amount(l.amount_minor)
            ));
        }
        let subtotal = if section == Section::Charges { invoice.charges_minor } else { invoice.credits_minor };
        html.push_str(&format!("</tbody><tfoot><tr><td colspan=\"3\">Subtotal</td><td class=\"n\">{}</td></tr></tfoot></table>\n", amount(subtotal)));
    }
    html.push_str(&format!(
        "<h2>Total</h2><table><tfoot><tr><td>Total for {}</td><td class=\"n\">{}</td></tr></tfoot></table>\n",
        e(&invoice.period),
        amount(invoice.total_minor)
    ));
    html.push_str("<p class=\"muted\">Amounts as charged to the account's prepaid balance.</p>\n");
    if !invoice.payments.is_empty() {
        html.push_str("<h2>Payments received</h2><table><thead><tr><th>Date</th><th>Description</th><th class=\"n\">Amount</th></tr></thead><tbody>");
        for p in &invoice.payments {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{} <span class=\"muted\">({})</span></td><td class=\"n\">{}</td></tr>",
                e(p.received_at.get(..10).unwrap_or(&p.received_at)),
                e(&p.description),
                e(&p.reference),
                amount(p.amount_minor)
            ));
        }
        html.push_str(&format!(
            "</tbody><tfoot><tr><td colspan=\"2\">Received</td><td class=\"n\">{}</td></tr></tfoot></table>\n",
            amount(invoice.payments_received_minor)
        ));
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice(lines: Vec<InvoiceLine>) -> Invoice {
        let (charges_minor, credits_minor, total_minor) = totals(&lines);
        Invoice {
            id: "inv_1".into(),
            number: "INV-2026-000001".into(),
            account_id: "acc_1".into(),
            period: "2026-10".into(),
            period_start: "2026-10-01".into(),
            period_end: "2026-10-31".into(),
            time_zone: "Europe/Stockholm".into(),
            currency: "SEK".into(),
            issued_at: "2026-11-01T00:05:00.000Z".into(),
            seller: Seller { name: "smsedge AB".into(), address: "Gatan 1\n111 22 Stockholm".into(), vat_number: "SE556000000001".into() },
            buyer: Buyer { name: "Evil <script>alert(1)</script> & Co".into(), city: Some("Malmö".into()), ..Buyer::default() },
            lines,
            payments: vec![PaymentReceived {
                kind: "topup".into(),
                reference: "op-1".into(),
                description: "top-up".into(),
                received_at: "2026-10-02T10:00:00.000Z".into(),
                amount_minor: 100_000,
            }],
            charges_minor,
            credits_minor,
            total_minor,
            payments_received_minor: 100_000,
        }
    }

    #[test]
    fn lines_come_from_the_ledger_with_payments_left_out() {
        let items = vec![
            LedgerItem::Sms { refund: false, country: "SE".into(), messages: 3, segments: 4, amount_minor: -140 },
            LedgerItem::Sms { refund: true, country: "SE".into(), messages: 1, segments: 1, amount_minor: 35 },
            LedgerItem::Entry { kind: "credit_note".into(), reference: "cn-1".into(), description: "goodwill".into(), amount_minor: 500 },
            LedgerItem::Entry { kind: "package_purchase".into(), reference: "pkg".into(), description: "1000 SMS".into(), amount_minor: -30_000 },
            LedgerItem::Entry { kind: "topup".into(), reference: "t".into(), description: "top-up".into(), amount_minor: 100_000 },
        ];
        let lines = lines_from_ledger(&items);
        assert_eq!(lines.iter().map(|l| l.kind.as_str()).collect::<Vec<_>>(), ["sms", "package_purchase", "sms_refund", "credit_note"]);
        assert_eq!(lines[0].amount_minor, 140);
        assert_eq!(lines[0].description, "SMS to SE");
        assert_eq!(totals(&lines), (30_140, -535, 29_605));
    }

    #[test]
    fn the_document_escapes_every_text() {
        let lines = lines_from_ledger(&[
            LedgerItem::Sms { refund: false, country: "SE".into(), messages: 2, segments: 2, amount_minor: -123_456 },
            LedgerItem::Entry { kind: "correction".into(), reference: "x\"><b>".into(), description: "<i>oops</i>".into(), amount_minor: 70 },
        ]);
        let html = render_html(&invoice(lines));
        assert!(html.contains("Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"), "{html}");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;i&gt;oops&lt;/i&gt;"));
        assert!(html.contains("x\"&gt;&lt;b&gt;"));
        assert!(html.contains("INV-2026-000001"));
        assert!(html.contains("1\u{a0}234.56\u{a0}SEK"));
        assert!(html.contains("-0.70\u{a0}SEK"));
        assert!(html.contains("Payments received"));
        assert!(html.contains("@media print"));
        assert!(html.contains("Gatan 1<br>111 22 Stockholm<br>"));
    }
}
