//! Confirming a user's phone number by a code sent to it by SMS: sending one and
//! checking the code that comes back.

use super::throttle::ration;
use super::{actor, language_of};
use crate::http::{internal, member_caller, SignedIn};
use crate::ids::now_seconds;
use crate::store::{PhoneCodeCheck, Store, UserRecord};
use domain::api::error::{ApiError, ErrorName};
use domain::identity::onetime::{new_phone_code, phone_code_sms, Purpose, PHONE_CODE_ATTEMPTS};
use domain::identity::session::token_digest;
use domain::identity::throttle::ThrottleKey;

/// A code on its way.
pub struct CodeSent {
    /// The number it went to.
    pub phone: String,
    /// The SMS that carries it.
    pub message_id: String,
    pub expires_in_seconds: i64,
}

/// The code goes out through the platform's own send path from the user's default
/// account (priced and logged like any SMS of that account), and like any of its SMS never
/// to a number on that account's blocklist (400 RecipientRejected, nothing sent). The
/// platform's sender is not a free SMS gun: codes are rationed per user, per number and per
/// paying account (domain::identity::throttle; 429 with Retry-After), and every one sent is in the
/// operator's log (GET /v1/admin/phone-codes).
pub async fn send(store: &Store, signed_in: &SignedIn, user: &UserRecord) -> Result<CodeSent, ApiError> {
    let phone = user.phone.clone().ok_or_else(|| ApiError::named(409, ErrorName::NoPhone, "add a phone number to your profile first"))?;
    if user.phone_confirmed_at.is_some() {
        return Err(ApiError::named(409, ErrorName::AlreadyConfirmed, "the phone number is confirmed already"));
    }
    let (caller, _) = member_caller(store, signed_in, None).await?;
    // A blocked account cannot send, whatever the path (as `authenticate` refuses it).
    if caller.blocked {
        return Err(ApiError::forbidden("your default account is blocked; contact support"));
    }
    ration(store, &ThrottleKey::for_phone_code(&user.id, &phone, &caller.account_id)).await?;
    let code = new_phone_code();
    let sender = crate::config::get_or("platform_sender", "smsedge").await;
    let to = [phone.clone()];
    let text = phone_code_sms(&code, language_of(user));
    let request = crate::app::send::SendRequest {
        from: &sender,
        to: &to,
        text: &text,
        client_reference: Some("phone-confirmation"),
        status_callback: None,
        callback_format: domain::callbacks::twilio::CallbackFormat::Json,
        send_at: None,
        time_zone: None,
        validity: Some(Purpose::PhoneConfirmation.lifetime_seconds()),
        ignore_blocklist: false,
    };
    let sent = crate::app::send::send_and_deliver(store, &caller, &request).await?;
    let message_id = sent.messages.first().and_then(|m| m.id.clone()).ok_or_else(|| internal("the code's SMS was not stored"))?;
    let expires_at = now_seconds() + Purpose::PhoneConfirmation.lifetime_seconds();
    store.identity().record_phone_code(&user.id, &phone, &code_digest(&user.id, &code), expires_at, &message_id).await?;
    Ok(CodeSent { phone, message_id, expires_in_seconds: Purpose::PhoneConfirmation.lifetime_seconds() })
}

/// Checks a code that came back: the number confirmed, or 422 `InvalidCode` with the
/// tries left, or 409 `NoCodePending` when none is waiting.
pub async fn confirm(store: &Store, user: &UserRecord, code: &str) -> Result<String, ApiError> {
    let check = store
        .audit().audited_user(&user.id, &actor(&user.id), "user.phone_confirmed", async |store| {
            store.identity().check_phone_code(&user.id, &code_digest(&user.id, code), now_seconds(), PHONE_CODE_ATTEMPTS as i64).await
        })
        .await?;
    match check {
        PhoneCodeCheck::Confirmed(phone) => Ok(phone),
        PhoneCodeCheck::Wrong { attempts_left } => Err(ApiError::rejected(ErrorName::InvalidCode, format!("the code is wrong; {attempts_left} tries left"))),
        PhoneCodeCheck::NoCode => Err(ApiError::named(409, ErrorName::NoCodePending, "no code is waiting (none sent, expired or tried too often); ask for a new one")),
    }
}

/// Codes are six digits: bound to the user before hashing, so one digest table entry
/// says nothing about another user's code.
fn code_digest(user_id: &str, code: &str) -> String {
    token_digest(&format!("{user_id}:{}", code.trim()))
}
