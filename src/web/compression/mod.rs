//! Compression of the responses that are not precompressed: pages, JSON and CSV of 1 KB or more
//! go out as zstd, gzip or brotli, whichever the client accepts (zstd, then gzip, when it takes
//! several alike, see [`Coding::accepted`]). The built assets carry their precompressed twins (`Content-Encoding`
//! already set: left alone); images other than SVG, audio, video, fonts and archives are
//! compressed already.
//!
//! Most responses are whole within a moment. Their body is read first and compressed in one go:
//! one encoder set up, no flushes, and the response goes out with its length. A body larger than
//! [`READ_AHEAD_BYTES`], or still coming after [`HOLD`] (the CSV export, a page
//! waiting on slow data), is compressed as it streams ([`body::CompressedBody`]), with more effort
//! ([`Effort::Thorough`]), and what came so far is flushed to the client whenever the rest is not
//! there yet.

mod body;
mod coding;
mod encoder;
mod read_ahead;

pub use coding::Coding;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::header::{ACCEPT_RANGES, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use body::CompressedBody;
use encoder::{Effort, Encoder};
use read_ahead::ReadAhead;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;
use tokio::time::{sleep_until, Instant, Sleep};

/// Responses smaller than this go out as they are: compressing them saves less than it costs.
const MIN_BYTES: usize = 1024;
/// A body is read ahead, to be compressed in one go, up to this size.
const READ_AHEAD_BYTES: usize = 256 * 1024;
/// How long compression may hold back what a body gave while the rest does not come: a body is
/// read ahead, to be compressed in one go, for at most this long (a page whose data is all there
/// takes well under a millisecond); a streamed one is flushed once it has been idle this long.
const HOLD: Duration = Duration::from_millis(20);

/// Middleware compressing each response the client accepts compressed and that is worth it.
pub async fn compress(request: Request, next: Next) -> Response {
    let coding = Coding::accepted(request.headers());
    let head = request.method() == Method::HEAD;
    let response = next.run(request).await;
    if head || !compressible(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    vary_on_accept_encoding(&mut parts.headers);
    let Some(coding) = coding else { return Response::from_parts(parts, body) };
    if body.size_hint().exact().is_some_and(|size| size < MIN_BYTES as u64) {
        return Response::from_parts(parts, body);
    }
    let (read, rest) = read_ahead(body).await;
    let read = match read {
        Ok(read) => read,
        Err(error) => return Response::from_parts(parts, failed(error)),
    };
    parts.headers.remove(CONTENT_LENGTH);
    match rest {
        Rest::Nothing if read.as_slice().len() < MIN_BYTES => {
            Response::from_parts(parts, Body::from(read.into_bytes()))
        }
        Rest::Nothing => match Encoder::compress_all(coding, read.as_slice()) {
            Ok(compressed) => {
                mark_encoded(&mut parts.headers, coding);
                Response::from_parts(parts, Body::from(compressed))
            }
            Err(error) => {
                tracing::error!(%error, "compressing a response failed; it goes out as it is");
                Response::from_parts(parts, Body::from(read.into_bytes()))
            }
        },
        Rest::Trailers(trailers) => streamed(parts, coding, read.as_slice(), Body::empty(), Some(trailers)),
        Rest::Coming(body) => streamed(parts, coding, read.as_slice(), body, None),
    }
}

/// The response compressed as it streams, after the bytes already `read` of it.
fn streamed(
    mut parts: axum::http::response::Parts,
    coding: Coding,
    read: &[u8],
    rest: Body,
    trailers: Option<HeaderMap>,
) -> Response {
    let encoder = Encoder::new(coding, Effort::Thorough, None).and_then(|mut encoder| {
        encoder.write(read)?;
        Ok(encoder)
    });
    let encoder = match encoder {
        Ok(encoder) => encoder,
        Err(error) => {
            tracing::error!(%error, "compressing a response failed");
            return Response::from_parts(parts, failed(axum::Error::new(error)));
        }
    };
    mark_encoded(&mut parts.headers, coding);
    Response::from_parts(parts, Body::new(CompressedBody::new(rest, encoder, trailers)))
}

/// What follows the bytes read ahead.
enum Rest {
    /// The body ended.
    Nothing,
    /// The body ended with these trailers.
    Trailers(HeaderMap),
    /// The rest of the body, still to come.
    Coming(Body),
}

/// Reads `body` until it ends, [`READ_AHEAD_BYTES`] are read or [`HOLD`] has passed.
async fn read_ahead(mut body: Body) -> (Result<ReadAhead, axum::Error>, Rest) {
    let mut read = ReadAhead::default();
    let deadline = Instant::now() + HOLD;
    // Set only if the body makes the read wait: most never do.
    let mut late: Option<Pin<Box<Sleep>>> = None;
    while read.as_slice().len() < READ_AHEAD_BYTES {
        let next = poll_fn(|cx| match Pin::new(&mut body).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(Some(frame)),
            Poll::Pending => {
                let timer = late.get_or_insert_with(|| Box::pin(sleep_until(deadline)));
                timer.as_mut().poll(cx).map(|()| None)
            }
        })
        .await;
        match next {
            None => return (Ok(read), Rest::Coming(body)),
            Some(None) => return (Ok(read), Rest::Nothing),
            Some(Some(Err(error))) => return (Err(error), Rest::Nothing),
            Some(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => read.push(data),
                Err(frame) => {
                    return match frame.into_trailers() {
                        Ok(trailers) => (Ok(read), Rest::Trailers(trailers)),
                        Err(_) => (Ok(read), Rest::Nothing),
                    }
                }
            },
        }
    }
    (Ok(read), Rest::Coming(body))
}

/// Whether compressing `response` could be worth it: it has a body, is not compressed yet (nor a
/// range of a file), and is not of a kind that is compressed already or must stream unbuffered.
fn compressible(response: &Response) -> bool {
    let status = response.status();
    if status.is_informational() || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        return false;
    }
    let headers = response.headers();
    if headers.contains_key(CONTENT_ENCODING) || headers.contains_key(CONTENT_RANGE) {
        return false;
    }
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let is = |name: &str| essence.eq_ignore_ascii_case(name);
    let starts = |prefix: &str| essence.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    let compressed_already = (starts("image/") && !is("image/svg+xml"))
        || starts("audio/")
        || starts("video/")
        || starts("font/woff")
        || is("application/zip")
        || is("application/gzip")
        || is("application/x-gzip");
    let streams_unbuffered = is("text/event-stream") || starts("application/grpc");
    !compressed_already && !streams_unbuffered
}

/// Tells caches that the response depends on `Accept-Encoding`, unless it says so already.
fn vary_on_accept_encoding(headers: &mut HeaderMap) {
    let said = headers.get_all(VARY).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|name| {
        let name = name.trim();
        name == "*" || name.eq_ignore_ascii_case("accept-encoding")
    });
    if !said {
        headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
}

/// Marks the headers of a response sent compressed with `coding`: its length is now the
/// compressed body's, and ranges of it cannot be asked for.
fn mark_encoded(headers: &mut HeaderMap, coding: Coding) {
    headers.insert(CONTENT_ENCODING, coding.header_value());
    headers.remove(CONTENT_LENGTH);
    headers.remove(ACCEPT_RANGES);
}

/// The body of a response whose own body failed: it fails too, so the server drops the
/// connection instead of sending a truncated response as if whole.
fn failed(error: axum::Error) -> Body {
    Body::from_stream(futures_util::stream::iter([Err::<Bytes, _>(error)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of_type(content_type: &str) -> Response {
        let mut response = Response::new(Body::empty());
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_str(content_type).expect("header"));
        response
    }

    #[test]
    fn text_json_csv_and_svg_are_worth_compressing_in_any_case_of_their_type() {
        for kind in
            ["text/html; charset=utf-8", "application/json", "text/csv", "image/svg+xml", "IMAGE/SVG+XML", "Text/HTML"]
        {
            assert!(compressible(&of_type(kind)), "{kind}");
        }
        assert!(compressible(&Response::new(Body::empty())), "no type at all");
    }

    #[test]
    fn compressed_media_and_streams_that_must_not_wait_are_left_alone() {
        for kind in [
            "image/png",
            "Image/WebP",
            "audio/ogg",
            "video/mp4",
            "font/woff2",
            "application/zip",
            "APPLICATION/GZIP",
            "text/event-stream",
            "application/grpc+proto",
            "ü",
        ] {
            let expected = kind == "ü";
            assert_eq!(compressible(&of_type(kind)), expected, "{kind}");
        }
        let mut encoded = of_type("text/html");
        encoded.headers_mut().insert(CONTENT_ENCODING, HeaderValue::from_static("br"));
        assert!(!compressible(&encoded));
        let mut empty = of_type("text/html");
        *empty.status_mut() = StatusCode::NO_CONTENT;
        assert!(!compressible(&empty));
    }
}
