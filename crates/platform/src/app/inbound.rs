//! An inbound SMS from arrival to done: parts kept until the message is whole, the
//! account found by the number it was sent to, stored in the inbox once, keywords acted
//! on (opt-out, opt-in, help, Spara/SAVE, the account's own), replies sent through the
//! normal send path, and the message queued for the account's inbound webhook.
//! Used by the inbound component (at once) and the job runner (parts that timed out).

use crate::app::send::{send_and_deliver, SendRequest};
use crate::store::{InboundSettings, InboundView, NewInbound, PartGroup, Store};
use domain::callbacks::twilio::CallbackFormat;
use domain::inbound::twiml::Twiml;
use domain::contacts::contact::BlockReason;
use domain::api::error::ApiError;
use domain::inbound::sms::{assemble, assemble_partial, Assembly, ReceptionNumber, REASSEMBLY_TIMEOUT_SECONDS};
use domain::inbound::keyword::{classify, CustomKeyword, InboundAction};
use domain::identity::language::Language;
use domain::carriers::mo::InboundSms;
use domain::messaging::recipient::{NumberContext, Recipient};
use serde::Serialize;

/// What became of one webhook call.
#[derive(Debug, Serialize)]
pub struct Received {
    /// part_kept, duplicate, unknown_number, processed.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_detail: Option<String>,
}

impl Received {
    fn bare(outcome: &'static str) -> Received {
        Received { outcome, inbound_id: None, action: None, action_detail: None }
    }
}

/// A whole inbound message, ready to process.
struct Whole<'a> {
    carrier: &'a str,
    carrier_message_id: &'a str,
    sender: &'a str,
    recipient: &'a str,
    text: &'a str,
    parts: u32,
    /// Parts that never came (timed out): stored and forwarded, but no keyword action.
    missing: Option<String>,
}

/// The sender as E.164 when it is a phone number (as carriers mostly write it without
/// '+'), else as written (an alphanumeric sender cannot be replied to or blocked).
fn sender_number(raw: &str) -> String {
    Recipient::parse(raw, NumberContext::Msisdn).map(|r| r.e164().to_owned()).unwrap_or_else(|_| raw.trim().to_owned())
}

pub async fn receive(store: &Store, carrier: &str, sms: &InboundSms) -> Result<Received, ApiError> {
    let recipient = ReceptionNumber::parse(&sms.to).map_err(|e| ApiError::malformed(e.to_string()))?;
    let sender = sender_number(&sms.from);
    let Some(concat) = &sms.concat else {
        return process(
            store,
            &Whole {
                carrier,
                carrier_message_id: &sms.carrier_message_id,
                sender: &sender,
                recipient: recipient.as_str(),
                text: &sms.text,
                parts: 1,
                missing: None,
            },
        ).await;
    };
    let kept = store
        .inbound().keep_inbound_part(
            carrier,
            &sender,
            concat.reference(),
            concat.index() as u32,
            concat.total() as u32,
            recipient.as_str(),
            &sms.carrier_message_id,
            &sms.text,
        )
        .await?;
    let Some(pieces) = kept else { return Ok(Received::bare("part_kept")) };
    let parts: Vec<(u8, String)> = pieces.iter().map(|p| (p.part as u8, p.body.clone())).collect();
    let text = match assemble(&parts, concat.total()) {
        Assembly::Complete(text) => text,
        Assembly::Incomplete { .. } => assemble_partial(&parts, concat.total()),
    };
    // One id for the whole message: the carrier's reference, scoped by the sender.
    let whole_id = format!("concat:{sender}:{}", concat.reference());
    process(
        store,
        &Whole {
            carrier,
            carrier_message_id: &whole_id,
            sender: &sender,
            recipient: recipient.as_str(),
            text: &text,
            parts: concat.total() as u32,
            missing: None,
        },
    ).await
}

/// Long messages still missing parts after the reassembly timeout: processed with what
/// arrived (marked), for the job runner. Returns how many.
pub async fn settle_stale_parts(store: &Store, limit: i64) -> Result<usize, ApiError> {
    let groups = store.inbound().stale_inbound_parts(REASSEMBLY_TIMEOUT_SECONDS / 60, limit).await?;
    for PartGroup { carrier, sender, recipient, reference, parts, pieces } in &groups {
        let received: Vec<(u8, String)> = pieces.iter().map(|p| (p.part as u8, p.body.clone())).collect();
        let missing: Vec<String> =
            (1..=*parts).filter(|i| !pieces.iter().any(|p| p.part == *i)).map(|i| i.to_string()).collect();
        let whole_id = format!("concat:{sender}:{reference}");
        process(
            store,
            &Whole {
                carrier,
                carrier_message_id: &whole_id,
                sender,
                recipient,
                text: &assemble_partial(&received, *parts as u8),
                parts: *parts,
                missing: (!missing.is_empty()).then(|| missing.join(",")),
            },
        ).await?;
    }
    Ok(groups.len())
}

async fn process(store: &Store, message: &Whole<'_>) -> Result<Received, ApiError> {
    let settings = store.inbound().inbound_settings_for_number(message.recipient).await?;
    let inbound_id = store
        .inbound().record_inbound(&NewInbound {
            account_id: settings.as_ref().map(|s| s.account_id.as_str()),
            carrier: message.carrier,
            carrier_message_id: message.carrier_message_id,
            sender: message.sender,
            recipient: message.recipient,
            body: message.text,
            parts: message.parts,
            missing_parts: message.missing.as_deref(),
        })
        .await?;
    let Some(inbound_id) = inbound_id else { return Ok(Received::bare("duplicate")) };
    let Some(settings) = settings else {
        eprintln!("inbound {inbound_id} to {} which no account has: kept, nothing else", message.recipient);
        return Ok(Received { outcome: "unknown_number", inbound_id: Some(inbound_id), action: None, action_detail: None });
    };
    let custom = custom_keywords(store, &settings.account_id).await?;
    // Keywords are read only in a whole message.
    let keyword = message.missing.is_none().then(|| classify(message.text, &languages(&settings), &custom));
    let (action, detail) = match &keyword {
        None => ("none".to_owned(), Some("parts missing: keywords are not read in an incomplete message".to_owned())),
        Some(keyword) => act(store, &settings, message, keyword, &custom).await?,
    };
    // The account's webhook in the format it chose; a keyword's forward always in ours.
    let mut forwards: Vec<(&str, CallbackFormat)> = settings.inbound_webhook.iter().map(|url| (url.as_str(), settings.inbound_format)).collect();
    if let Some(InboundAction::Custom { index }) = keyword {
        forwards.extend(custom[index].forward_url().map(|url| (url.as_str(), CallbackFormat::Json)));
    }
    store.inbound().finish_inbound(&inbound_id, &action, detail.as_deref(), &forwards).await?;
    Ok(Received { outcome: "processed", inbound_id: Some(inbound_id), action: Some(action), action_detail: detail })
}

fn languages(settings: &InboundSettings) -> Vec<Language> {
    settings.languages.iter().filter_map(|l| Language::parse_tag(l).ok()).collect()
}

async fn custom_keywords(store: &Store, account_id: &str) -> Result<Vec<CustomKeyword>, ApiError> {
    Ok(store
        .inbound().keywords(account_id)
        .await?
        .into_iter()
        .filter_map(|k| CustomKeyword::new(&k.word, k.reply.as_deref(), k.forward_url.as_deref()).ok())
        .collect())
}

/// Does what the message asks; returns the action's name and what was done.
async fn act(
    store: &Store,
    settings: &InboundSettings,
    message: &Whole<'_>,
    action: &InboundAction,
    custom: &[CustomKeyword],
) -> Result<(String, Option<String>), ApiError> {
    let account = settings.account_id.as_str();
    let is_number = message.sender.starts_with('+');
    let done = match action.clone() {
        InboundAction::None => ("none", None),
        _ if !is_number => ("none", Some(format!("the sender '{}' is not a phone number; keywords ignored", message.sender))),
        InboundAction::OptOut { keyword, .. } if settings.stop_by_reply => {
            let reason = BlockReason::Keyword { word: keyword.to_owned() }.to_string();
            let newly = store.contacts().block_number(account, message.sender, &reason, "inbound").await?;
            let mut detail = format!("{keyword}: {}", if newly { "blocked" } else { "already blocked" });
            if newly {
                reply(store, settings, message, settings.opt_out_reply.as_deref(), true, &mut detail).await;
            }
            ("opt_out", Some(detail))
        }
        InboundAction::OptOut { keyword, .. } => {
            ("opt_out_ignored", Some(format!("{keyword}: opt-out by reply is off for this account")))
        }
        InboundAction::OptIn { keyword, .. } => {
            let lifted = store.contacts().unblock_number(account, message.sender, "inbound").await?;
            if lifted {
                ("opt_in", Some(format!("{keyword}: unblocked")))
            } else {
                // YES is also an answer to a question: for a number that was not blocked,
                // it is an ordinary message.
                ("none", None)
            }
        }
        InboundAction::Help { keyword, .. } => {
            let mut detail = keyword.to_owned();
            reply(store, settings, message, settings.help_reply.as_deref(), false, &mut detail).await;
            ("help", Some(detail))
        }
        InboundAction::Save { name, group, .. } => {
            let saved = store
                .contacts().save_contact_to_group(account, message.sender, name.first(), name.last(), group.as_str())
                .await?;
            let mut detail = format!(
                "{} {} {} in group {}{}",
                if saved.created_contact { "saved" } else { "updated" },
                name.first(),
                name.last(),
                group.as_str(),
                if saved.created_group { " (new group)" } else { "" }
            );
            reply(store, settings, message, settings.save_reply.as_deref(), false, &mut detail).await;
            ("save", Some(detail))
        }
        InboundAction::MalformedSave { reason, .. } => ("malformed_save", Some(reason.to_string())),
        InboundAction::Custom { index } => {
            let keyword = &custom[index];
            let mut detail = format!("keyword {}", keyword.word());
            reply(store, settings, message, keyword.reply(), false, &mut detail).await;
            ("custom", Some(detail))
        }
    };
    Ok((done.0.to_owned(), done.1))
}

/// Answers the sender from the number they wrote to, through the normal send path
/// (validated, priced, debited, logged). A reply that cannot go (no text configured,
/// no funds) is noted in `detail`, never an error: the inbound message is still kept.
async fn reply(store: &Store, settings: &InboundSettings, message: &Whole<'_>, text: Option<&str>, to_opted_out: bool, detail: &mut String) {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else { return };
    let caller = match store.identity().caller_for_account(&settings.account_id).await {
        Ok(Some(caller)) => caller,
        _ => return,
    };
    let from = message.recipient.trim_start_matches('+');
    let to = [message.sender.to_owned()];
    let sent = send_and_deliver(
        store,
        &caller,
        &SendRequest {
            from,
            to: &to,
            text,
            client_reference: Some("auto-reply"),
            status_callback: None,
            callback_format: CallbackFormat::Json,
            send_at: None,
            time_zone: None,
            validity: None,
            ignore_blocklist: to_opted_out,
        },
    )
    .await;
    match sent {
        Ok(outcome) => {
            let id = outcome.messages.first().and_then(|m| m.id.clone()).unwrap_or_default();
            detail.push_str(&format!("; replied ({id})"));
        }
        Err(e) => detail.push_str(&format!("; reply not sent: {}", e.message)),
    }
}

/// Sends the replies a webhook's TwiML answer to an inbound SMS (forwarded in Twilio's
/// format) asked for, each through the normal send path — validated, priced, debited,
/// logged, the blocklist respected — from the number written to (or the `<Message>`'s
/// `from`) to the sender (or its `to`). Each reply is claimed before it is sent, so an
/// answer read again (a retried or replayed callback) sends none twice. Returns what
/// became of them, in words for the delivery log, when something was not done.
pub async fn reply_with_twiml(store: &Store, account_id: &str, inbound: &InboundView, twiml: &Twiml) -> Result<Option<String>, ApiError> {
    let mut notes: Vec<String> = twiml.ignored.iter().map(|what| format!("ignored {what}")).collect();
    // The sender has just opted out (STOP): nothing goes back to them, whatever the answer.
    let opted_out = inbound.action == "opt_out";
    let caller = match twiml.replies.is_empty() {
        true => None,
        false => store.identity().caller_for_account(account_id).await?,
    };
    for (index, reply) in twiml.replies.iter().enumerate() {
        if !store.inbound().claim_twiml_reply(&inbound.id, index).await? {
            continue;
        }
        let to = reply.to.clone().unwrap_or_else(|| inbound.from.clone());
        let outcome = match &caller {
            _ if opted_out && to == inbound.from => Err("the sender opted out (STOP): no reply is sent to them".to_owned()),
            None => Err("the account no longer exists".to_owned()),
            Some(caller) if caller.blocked => Err("the account is blocked".to_owned()),
            Some(caller) => {
                let from = reply.from.as_deref().unwrap_or(&inbound.to).trim_start_matches('+');
                let client_reference = format!("twiml:{}", inbound.id);
                let recipients = [to.clone()];
                let request = SendRequest {
                    from,
                    to: &recipients,
                    text: &reply.body,
                    client_reference: Some(&client_reference),
                    status_callback: None,
                    callback_format: CallbackFormat::Json,
                    send_at: None,
                    time_zone: None,
                    validity: None,
                    ignore_blocklist: false,
                };
                match send_and_deliver(store, caller, &request).await {
                    Ok(sent) => match sent.messages.first() {
                        Some(message) if message.id.is_some() => Ok(message.id.clone().unwrap_or_default()),
                        Some(message) => Err(message.status_detail.clone().unwrap_or_else(|| "refused".to_owned())),
                        None => Err("nothing was sent".to_owned()),
                    },
                    Err(e) => Err(e.message),
                }
            }
        };
        match outcome {
            Ok(message_id) => store.inbound().record_twiml_reply(&inbound.id, index, Some(&message_id), None).await?,
            Err(why) => {
                notes.push(format!("reply {} to {to} not sent: {why}", index + 1));
                store.inbound().record_twiml_reply(&inbound.id, index, None, Some(&why)).await?;
            }
        }
    }
    Ok((!notes.is_empty()).then(|| notes.join("; ")))
}
