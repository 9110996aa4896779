//! TwiML in a webhook's answer to an inbound SMS forwarded in Twilio's format: the
//! `<Message>` verbs of its `<Response>` are the replies to send (docs/twilio.md "TwiML
//! replies"). Only `<Message>` is acted on; anything else is named in `ignored` so the
//! delivery log can say what was not done.
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <Response>
//!   <Message>Thanks, we got it!</Message>
//!   <Message to="+46701234567" from="ACME"><Body>A copy</Body></Message>
//! </Response>
//! ```

/// The largest answer read as TwiML; a longer one is not read at all.
pub const MAX_TWIML_BYTES: usize = 64 * 1024;
/// The most replies one answer sends; `<Message>`s past it are ignored.
pub const MAX_REPLIES: usize = 10;

/// One `<Message>`: its text, and the `to`/`from` attributes when given (else the reply
/// goes to the sender, from the number written to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwimlReply {
    pub body: String,
    pub to: Option<String>,
    pub from: Option<String>,
}

/// What an answer asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Twiml {
    pub replies: Vec<TwimlReply>,
    /// What was not acted on, in words (other verbs, media, attributes we do not support).
    pub ignored: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlError {
    #[error("the answer is {0} bytes; TwiML is read up to {MAX_TWIML_BYTES}")]
    TooLarge(usize),
    #[error("the answer is not UTF-8 text")]
    NotText,
    #[error("the answer is not TwiML: {0}")]
    Malformed(String),
    #[error("the answer's root element is <{0}>, not <Response>")]
    NotAResponse(String),
}

/// Reads a webhook's answer. An empty answer, or one that is not XML at all (a JSON
/// `{}`, plain `OK`), asks for nothing, as for Twilio; XML that is not a `<Response>`, or
/// is malformed, is an error (to log: nothing is sent).
pub fn parse(answer: &[u8]) -> Result<Twiml, TwimlError> {
    if answer.len() > MAX_TWIML_BYTES {
        return Err(TwimlError::TooLarge(answer.len()));
    }
    let text = std::str::from_utf8(answer).map_err(|_| TwimlError::NotText)?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if !text.starts_with('<') {
        return Ok(Twiml::default());
    }
    // roxmltree refuses a DTD by default: no entity expansion.
    let document = roxmltree::Document::parse(text).map_err(|e| TwimlError::Malformed(e.to_string()))?;
    let root = document.root_element();
    if root.tag_name().name() != "Response" {
        return Err(TwimlError::NotAResponse(root.tag_name().name().chars().take(64).collect()));
    }
    let mut twiml = Twiml::default();
    for verb in root.children().filter(|n| n.is_element()) {
        let name = verb.tag_name().name();
        if name != "Message" {
            twiml.ignored.push(format!("<{name}> (only <Message> is supported)"));
            continue;
        }
        if twiml.replies.len() == MAX_REPLIES {
            twiml.ignored.push(format!("<Message> past the first {MAX_REPLIES}"));
            continue;
        }
        for attribute in verb.attributes() {
            if !matches!(attribute.name(), "to" | "from") {
                twiml.ignored.push(format!("the attribute {}=\"…\" of <Message>", attribute.name()));
            }
        }
        // The text is the <Body>'s when there is one, else the element's own text.
        let body_element = verb.children().find(|n| n.is_element() && n.tag_name().name() == "Body");
        let body: String = match body_element {
            Some(body) => body.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect(),
            None => verb.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect(),
        };
        for child in verb.children().filter(|n| n.is_element() && n.tag_name().name() != "Body") {
            twiml.ignored.push(format!("<{}> in <Message> (SMS only: no media)", child.tag_name().name()));
        }
        let body = body.trim();
        if body.is_empty() {
            twiml.ignored.push("a <Message> with no text".to_owned());
            continue;
        }
        let attribute = |name: &str| verb.attribute(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        twiml.replies.push(TwimlReply { body: body.to_owned(), to: attribute("to"), from: attribute("from") });
    }
    Ok(twiml)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> TwimlReply {
        TwimlReply { body: body.to_owned(), to: None, from: None }
    }

    #[test]
    fn messages_are_the_replies() {
        let twiml = parse(br#"<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks &amp; welcome</Message></Response>"#).unwrap();
        assert_eq!(twiml.replies, vec![reply("Thanks & welcome")]);
        assert!(twiml.ignored.is_empty());
        let two = parse(
            "\u{feff}\n<Response>\n  <Message>  one  </Message>\n  <Message to=\"+46701234567\" from=\"ACME\"><Body>two</Body></Message>\n</Response>\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            two.replies,
            vec![reply("one"), TwimlReply { body: "two".into(), to: Some("+46701234567".into()), from: Some("ACME".into()) }]
        );
    }

    #[test]
    fn an_empty_or_non_xml_answer_asks_for_nothing() {
        for answer in [&b""[..], b"   ", b"{}", b"OK", b"<Response/>", b"<Response></Response>"] {
            assert_eq!(parse(answer).unwrap(), Twiml::default(), "{}", String::from_utf8_lossy(answer));
        }
    }

    #[test]
    fn what_is_not_supported_is_named_not_done() {
        let twiml = parse(
            br#"<Response><Redirect>https://x.example/next</Redirect><Message action="https://x.example/s"><Body>hi</Body><Media>https://x.example/cat.png</Media></Message><Message/></Response>"#,
        )
        .unwrap();
        assert_eq!(twiml.replies, vec![reply("hi")]);
        assert_eq!(twiml.ignored.len(), 4, "{:?}", twiml.ignored);
        assert!(twiml.ignored[0].contains("<Redirect>"));
        assert!(twiml.ignored.iter().any(|i| i.contains("<Media>")));
        assert!(twiml.ignored.iter().any(|i| i.contains("action")));
        let many = format!("<Response>{}</Response>", "<Message>x</Message>".repeat(12));
        let twiml = parse(many.as_bytes()).unwrap();
        assert_eq!((twiml.replies.len(), twiml.ignored.len()), (MAX_REPLIES, 2));
    }

    #[test]
    fn malformed_oversized_and_foreign_answers_are_errors() {
        assert!(matches!(parse(b"<Response><Message>x</Response>"), Err(TwimlError::Malformed(_))));
        assert!(matches!(parse(b"<html><body>hi</body></html>"), Err(TwimlError::NotAResponse(n)) if n == "html"));
        assert!(matches!(parse(&vec![b' '; MAX_TWIML_BYTES + 1]), Err(TwimlError::TooLarge(_))));
        assert_eq!(parse(&[0xff, 0xfe]), Err(TwimlError::NotText));
        // No DTD, so no entity expansion.
        let billion = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Response><Message>&b;</Message></Response>"#;
        assert!(matches!(parse(billion), Err(TwimlError::Malformed(_))));
    }
}
