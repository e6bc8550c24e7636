//! A response body compressed as it streams: for the responses that are long (the CSV export) or
//! slow to come (a page waiting on its data).

use super::encoder::Encoder;
use super::HOLD;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::HeaderMap;
use http_body::Frame;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::time::{sleep_until, Instant, Sleep};

/// Compressed output is handed on once it reaches this size (or at a flush, or at the end).
const OUTPUT_CHUNK: usize = 32 * 1024;

/// The compressed form of `inner`, which already gave up its first bytes to `encoder`.
pub struct CompressedBody {
    inner: Body,
    encoder: Encoder,
    /// Input was written since the last flush.
    unflushed: bool,
    /// Runs while the inner body keeps the unflushed input waiting: at its end, a flush.
    idle: Option<Pin<Box<Sleep>>>,
    /// `idle` runs.
    idling: bool,
    /// The inner body ended (its trailers, if any, wait here for the last compressed bytes).
    ended: bool,
    /// The compressed stream was ended and its last bytes handed on.
    finished: bool,
    trailers: Option<HeaderMap>,
}

impl CompressedBody {
    /// Goes on compressing `inner` after the bytes `encoder` was already given.
    pub fn new(inner: Body, encoder: Encoder, trailers: Option<HeaderMap>) -> CompressedBody {
        let ended = trailers.is_some();
        CompressedBody { inner, encoder, unflushed: true, idle: None, idling: false, ended, finished: false, trailers }
    }

    fn fail(error: std::io::Error) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        tracing::error!(%error, "compressing a response failed");
        Poll::Ready(Some(Err(axum::Error::new(error))))
    }
}

impl HttpBody for CompressedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        loop {
            if this.finished {
                return Poll::Ready(this.trailers.take().map(|trailers| Ok(Frame::trailers(trailers))));
            }
            if this.ended {
                this.finished = true;
                if let Err(error) = this.encoder.finish() {
                    return Self::fail(error);
                }
                let rest = this.encoder.take();
                if !rest.is_empty() {
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from(rest)))));
                }
                continue;
            }
            let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Pending if this.unflushed => {
                    // The rest is not there yet: once it has kept the client waiting for `HOLD`,
                    // the client gets all that came so far. (A flush at every pause would end a
                    // deflate block or a brotli meta-block each time the database is read.)
                    let deadline = Instant::now() + HOLD;
                    let idle = this.idle.get_or_insert_with(|| Box::pin(sleep_until(deadline)));
                    if !this.idling {
                        idle.as_mut().reset(deadline);
                        this.idling = true;
                    }
                    ready!(idle.as_mut().poll(cx));
                    this.idling = false;
                    this.unflushed = false;
                    if let Err(error) = this.encoder.flush() {
                        return Self::fail(error);
                    }
                    let made = this.encoder.take();
                    if made.is_empty() {
                        return Poll::Pending;
                    }
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from(made)))));
                }
                poll => ready!(poll),
            };
            match frame {
                None => this.ended = true,
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => {
                        if let Err(error) = this.encoder.write(&data) {
                            return Self::fail(error);
                        }
                        this.unflushed = true;
                        this.idling = false;
                    }
                    Err(frame) => {
                        this.trailers = frame.into_trailers().ok();
                        this.ended = true;
                    }
                },
            }
            if this.encoder.made() >= OUTPUT_CHUNK {
                return Poll::Ready(Some(Ok(Frame::data(Bytes::from(this.encoder.take())))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::encoder::Effort;
    use super::super::Coding;
    use super::*;
    use std::future::poll_fn;
    use std::io::Read;
    use std::time::Duration;

    type Sent = Result<Bytes, std::io::Error>;

    async fn next_frame(body: &mut CompressedBody) -> Option<Vec<u8>> {
        let frame = tokio::time::timeout(Duration::from_secs(5), poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)))
            .await
            .expect("a frame within 5 s")?;
        Some(frame.expect("no error").into_data().expect("data").to_vec())
    }

    /// A body that gives what is sent to it, and ends when the sender is dropped.
    fn channel_body() -> (tokio::sync::mpsc::Sender<Sent>, Body) {
        let (send, receive) = tokio::sync::mpsc::channel::<Sent>(4);
        let stream = futures_util::stream::unfold(receive, |mut receive| async move {
            receive.recv().await.map(|item| (item, receive))
        });
        (send, Body::from_stream(stream))
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        // A stream not ended yet reads as far as it goes, then fails at its missing end.
        let _ = flate2::read::GzDecoder::new(bytes).read_to_end(&mut out);
        out
    }

    #[tokio::test]
    async fn what_came_reaches_the_client_while_the_rest_keeps_it_waiting_and_the_whole_decodes() {
        let (send, inner) = channel_body();
        let mut body =
            CompressedBody::new(inner, Encoder::new(Coding::Gzip, Effort::Thorough, None).expect("an encoder"), None);
        send.send(Ok(Bytes::from_static(b"<header>first</header>"))).await.expect("sent");
        let mut sent = next_frame(&mut body).await.expect("the first part, flushed");
        assert_eq!(gunzip(&sent), b"<header>first</header>");
        send.send(Ok(Bytes::from_static(b"<main>then the rest</main>"))).await.expect("sent");
        drop(send);
        while let Some(frame) = next_frame(&mut body).await {
            sent.extend(frame);
        }
        assert_eq!(gunzip(&sent), b"<header>first</header><main>then the rest</main>");
    }

    #[tokio::test]
    async fn a_failing_body_fails_its_compressed_form() {
        let (send, inner) = channel_body();
        let mut body =
            CompressedBody::new(inner, Encoder::new(Coding::Brotli, Effort::Thorough, None).expect("an encoder"), None);
        send.send(Err(std::io::Error::other("the database went away"))).await.expect("sent");
        let frame = tokio::time::timeout(Duration::from_secs(5), poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)))
            .await
            .expect("an answer within 5 s");
        assert!(matches!(frame, Some(Err(_))), "the error is passed on");
    }
}
