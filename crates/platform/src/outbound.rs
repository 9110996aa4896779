//! Outbound HTTP POSTs over wasi:http, several in flight at once, with real connect and
//! first-byte timeouts. Used for carrier submits, customer callbacks and Stripe.

use std::time::{Duration, Instant};
use wasi::http::outgoing_handler::{self, FutureIncomingResponse};
use wasi::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};
use wasi::io::streams::StreamError;

pub struct Post<'a> {
    pub url: &'a str,
    /// A `content-type` here replaces the default `application/json`.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What became of one POST, and how long it took.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `Err` is a network error or timeout, said in words.
    pub result: Result<Answer, String>,
    pub elapsed: Duration,
}

/// Sends every POST, up to `concurrency` at a time; outcomes in the order given.
pub fn post_all(posts: &[Post], concurrency: usize) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; posts.len()];
    let mut in_flight: Vec<(usize, Instant, FutureIncomingResponse)> = Vec::new();
    let mut next = 0;
    while next < posts.len() || !in_flight.is_empty() {
        while next < posts.len() && in_flight.len() < concurrency.max(1) {
            let started = Instant::now();
            match start(&posts[next]) {
                Ok(future) => in_flight.push((next, started, future)),
                Err(e) => outcomes[next] = Some(Outcome { result: Err(e), elapsed: started.elapsed() }),
            }
            next += 1;
        }
        if in_flight.is_empty() {
            continue;
        }
        let pollables: Vec<_> = in_flight.iter().map(|(_, _, f)| f.subscribe()).collect();
        let ready = wasi::io::poll::poll(&pollables.iter().collect::<Vec<_>>());
        drop(pollables);
        let mut ready: Vec<usize> = ready.into_iter().map(|i| i as usize).collect();
        ready.sort_unstable_by(|a, b| b.cmp(a));
        for position in ready {
            let (index, started, future) = in_flight.swap_remove(position);
            outcomes[index] = Some(Outcome { result: finish(future), elapsed: started.elapsed() });
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome { result: Err("not sent".into()), elapsed: Duration::ZERO }))
        .collect()
}

fn start(post: &Post) -> Result<FutureIncomingResponse, String> {
    let uri: http::Uri = post.url.parse().map_err(|e| format!("not a URL: {e}"))?;
    // JSON unless the post names its own content type (Stripe's API takes forms).
    let typed = post.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let mut headers: Vec<(String, Vec<u8>)> =
        if typed { Vec::new() } else { vec![("content-type".to_owned(), b"application/json".to_vec())] };
    headers.extend(post.headers.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes())));
    let fields = Fields::from_list(&headers).map_err(|e| format!("bad header: {e:?}"))?;
    let request = OutgoingRequest::new(fields);
    let scheme = match uri.scheme_str() {
        Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        other => return Err(format!("unsupported scheme {other:?}")),
    };
    let _ = request.set_method(&Method::Post);
    let _ = request.set_scheme(Some(&scheme));
    let _ = request.set_authority(uri.authority().map(|a| a.as_str()));
    let _ = request.set_path_with_query(uri.path_and_query().map(|p| p.as_str()));
    let outgoing_body = request.body().map_err(|_| "request body unavailable".to_owned())?;

    let options = RequestOptions::new();
    let nanos = post.timeout.as_nanos() as u64;
    let _ = options.set_connect_timeout(Some(nanos));
    let _ = options.set_first_byte_timeout(Some(nanos));
    let _ = options.set_between_bytes_timeout(Some(nanos));

    let future = outgoing_handler::handle(request, Some(options)).map_err(|e| format!("{e:?}"))?;
    {
        let stream = outgoing_body.write().map_err(|_| "request body unavailable".to_owned())?;
        // blocking_write_and_flush takes at most 4096 bytes per call.
        for chunk in post.body.as_bytes().chunks(4096) {
            stream.blocking_write_and_flush(chunk).map_err(|e| format!("sending the request failed: {e:?}"))?;
        }
    }
    OutgoingBody::finish(outgoing_body, None).map_err(|e| format!("{e:?}"))?;
    Ok(future)
}

fn finish(future: FutureIncomingResponse) -> Result<Answer, String> {
    let response = match future.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(format!("unreachable: {code:?}")),
        _ => return Err("response unavailable".into()),
    };
    let status = response.status();
    let body = read_body(response).unwrap_or_default();
    Ok(Answer { status, body })
}

fn read_body(response: wasi::http::types::IncomingResponse) -> Result<Vec<u8>, String> {
    let body = response.consume().map_err(|_| "no body".to_owned())?;
    let stream = body.stream().map_err(|_| "no body stream".to_owned())?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(e) => return Err(format!("{e:?}")),
        }
        if bytes.len() > 1024 * 1024 {
            break;
        }
    }
    Ok(bytes)
}
