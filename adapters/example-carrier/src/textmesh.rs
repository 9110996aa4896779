//! TextMesh's protocol as plain functions (unit-tested natively; the component glue in
//! lib.rs only converts types).

use std::collections::HashMap;

pub const NAME: &str = "textmesh";

pub struct Message<'a> {
    pub reference: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub text: &'a str,
    pub encoding: &'a str,
}

/// The URL, headers and body of one submit.
pub fn submit_request(base_url: &str, api_key: &str, m: &Message) -> (String, Vec<(String, String)>, Vec<u8>) {
    let body = serde_json::json!({
        "client_ref": m.reference,
        "source": m.sender,
        "destination": m.recipient.trim_start_matches('+'),
        "content": m.text,
        "coding": if m.encoding == "UCS-2" { "ucs2" } else { "gsm" },
    });
    let headers = vec![("x-api-key".to_owned(), api_key.to_owned()), ("content-type".to_owned(), "application/json".to_owned())];
    (format!("{}/v2/sms", base_url.trim_end_matches('/')), headers, body.to_string().into_bytes())
}

#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Queued(String),
    Rejected(String),
    /// A 2xx without an id: TextMesh may have the message.
    NoId,
}

pub fn read_answer(body: &[u8]) -> Answer {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    if value["state"] == "rejected" {
        return Answer::Rejected(format!("TextMesh rejected the message: {}", value["reason"].as_str().unwrap_or("no reason given")));
    }
    match value["sms_id"].as_str().map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => Answer::Queued(id.to_owned()),
        None => Answer::NoId,
    }
}

pub struct TextMeshReceipt {
    pub sms_id: String,
    pub client_ref: Option<String>,
    pub state: String,
    pub code: Option<String>,
}

/// The fields of a form-encoded body, as sent (the text of an SMS keeps its spaces: a part
/// of a long message may end in one).
fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A field trimmed; empty is absent.
fn field(fields: &mut HashMap<String, String>, name: &str) -> Option<String> {
    fields.remove(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn required(fields: &mut HashMap<String, String>, name: &str, what: &str) -> Result<String, String> {
    field(fields, name).ok_or_else(|| format!("the TextMesh {what} has no '{name}'"))
}

pub fn parse_receipt(body: &[u8]) -> Result<TextMeshReceipt, String> {
    let mut fields = form(body);
    Ok(TextMeshReceipt {
        sms_id: required(&mut fields, "sms_id", "receipt")?,
        state: required(&mut fields, "state", "receipt")?,
        client_ref: field(&mut fields, "client_ref"),
        code: field(&mut fields, "code"),
    })
}

/// The seed-001 status a TextMesh state means.
pub fn status_code(state: &str) -> u16 {
    match state.to_ascii_lowercase().as_str() {
        "delivered" => 201,
        "expired" => 202,
        "buffered" => 112,
        "accepted" => 113,
        "rejected" => 406,
        "failed" => 514,
        _ => 599,
    }
}

pub struct TextMeshInbound {
    pub sms_id: String,
    pub source: String,
    pub destination: String,
    pub content: String,
    /// (reference, part, total) for one part of a long message.
    pub concat: Option<(String, u32, u32)>,
}

pub fn parse_inbound(body: &[u8]) -> Result<TextMeshInbound, String> {
    let mut fields = form(body);
    let number = |fields: &mut HashMap<String, String>, name: &str| -> Result<Option<u32>, String> {
        field(fields, name).map(|v| v.parse::<u32>().map_err(|_| format!("the TextMesh '{name}' is not a number"))).transpose()
    };
    let concat = match (field(&mut fields, "concat_ref"), number(&mut fields, "concat_part")?, number(&mut fields, "concat_total")?) {
        (Some(reference), Some(part), Some(total)) => Some((reference, part, total)),
        (None, None, None) => None,
        _ => return Err("the TextMesh inbound message's concat_ref, concat_part and concat_total go together".into()),
    };
    Ok(TextMeshInbound {
        sms_id: required(&mut fields, "sms_id", "inbound message")?,
        source: required(&mut fields, "source", "inbound message")?,
        destination: required(&mut fields, "destination", "inbound message")?,
        content: fields.remove("content").unwrap_or_default(),
        concat,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submit_is_json_with_the_key_in_a_header() {
        let m = Message { reference: "m1", sender: "ACME", recipient: "+46701234567", text: "hej", encoding: "UCS-2" };
        let (url, headers, body) = submit_request("https://api.textmesh.example/", "k", &m);
        assert_eq!(url, "https://api.textmesh.example/v2/sms");
        assert!(headers.contains(&("x-api-key".into(), "k".into())));
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["destination"], "46701234567");
        assert_eq!(body["coding"], "ucs2");
        assert_eq!(body["client_ref"], "m1");
    }

    #[test]
    fn answers() {
        assert_eq!(read_answer(br#"{"state":"queued","sms_id":"TM-1"}"#), Answer::Queued("TM-1".into()));
        assert!(matches!(read_answer(br#"{"state":"rejected","reason":"bad number"}"#), Answer::Rejected(r) if r.contains("bad number")));
        assert_eq!(read_answer(b"{}"), Answer::NoId);
        assert_eq!(read_answer(b"not json"), Answer::NoId);
    }

    #[test]
    fn receipts_and_inbound_are_form_encoded() {
        let r = parse_receipt(b"sms_id=TM-1&client_ref=m1&state=delivered&code=0").unwrap();
        assert_eq!((r.sms_id.as_str(), r.client_ref.as_deref(), status_code(&r.state)), ("TM-1", Some("m1"), 201));
        assert!(parse_receipt(b"state=delivered").is_err());
        assert_eq!(status_code("weird"), 599);
        let i = parse_inbound(b"sms_id=TM-9&source=46701234567&destination=46700000000&content=STOP").unwrap();
        assert_eq!((i.source.as_str(), i.content.as_str(), i.concat), ("46701234567", "STOP", None));
        assert!(parse_inbound(b"sms_id=x&source=a&destination=b&concat_ref=r").is_err());
    }

    #[test]
    fn inbound_is_form_encoded_with_optional_concatenation() {
        let i = parse_inbound(b"sms_id=TM-10&source=%2B46701234567&destination=46700000001&content=Hej+d%C3%A4r%21").unwrap();
        assert_eq!((i.sms_id.as_str(), i.source.as_str(), i.destination.as_str(), i.content.as_str()), ("TM-10", "+46701234567", "46700000001", "Hej där!"));
        let part = parse_inbound(b"sms_id=TM-11&source=46701234567&destination=46700000001&content=first+half+&concat_ref=ab12&concat_part=1&concat_total=2").unwrap();
        assert_eq!(part.concat, Some(("ab12".to_owned(), 1, 2)));
        assert_eq!(part.content, "first half ", "a part keeps its spaces: the next part goes on after them");
        let empty = parse_inbound(b"sms_id=TM-12&source=46701234567&destination=46700000001").unwrap();
        assert_eq!(empty.content, "", "an empty SMS is still an SMS");
        for (body, needs) in [
            (&b"source=a&destination=b"[..], "sms_id"),
            (b"sms_id=x&destination=b", "source"),
            (b"sms_id=x&source=a&destination=+", "destination"),
            (b"sms_id=x&source=a&destination=b&concat_ref=r&concat_part=one&concat_total=2", "concat_part"),
        ] {
            let error = parse_inbound(body).err().unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(body)));
            assert!(error.contains(needs), "{error}");
        }
    }
}
