//! One response's compressor: takes the body's bytes as they come and gives back compressed ones.

use super::coding::Coding;
use brotli::enc::backward_references::BrotliEncoderParams;
use brotli::enc::encode::{BrotliEncoderOperation, BrotliEncoderStateStruct};
use brotli::enc::StandardAlloc;
use flate2::{Compress, Compression, FlushCompress, Status};
use std::cell::RefCell;
use std::io;
use zstd::stream::raw::{Encoder as ZstdStream, InBuffer, Operation, OutBuffer};

/// brotli's window: 256 KB, so that a response's encoder stays small however long the response
/// (the default, 4 MB, only helps files far larger than a page).
const BROTLI_WINDOW_BITS: i32 = 18;
/// How much output space brotli is given at a time.
const BROTLI_OUTPUT_STEP: usize = 16 * 1024;
/// gzip's window, as a power of two: deflate's largest (32 KB).
const GZIP_WINDOW_BITS: u8 = 15;
/// How much output space gzip is given at a time.
const GZIP_OUTPUT_STEP: usize = 16 * 1024;
/// zstd's window for a streamed response, as a power of two: 512 KB, so that its encoder stays
/// near a megabyte however long the response (level 3 would take 2 MB for a body of unknown
/// length; browsers take up to 8 MB).
const ZSTD_WINDOW_LOG: u32 = 19;
/// The shortest repeat zstd looks for in a response compressed whole: 7 bytes instead of the
/// level's 6 took the page's compression from about 26 µs to 21 (9.4 KB out to 10.1 KB).
const QUICK_ZSTD_MIN_MATCH: u32 = 7;
/// How much output space zstd is given at a time.
const ZSTD_OUTPUT_STEP: usize = 16 * 1024;

thread_local! {
    /// This thread's zstd context for responses compressed whole, and the buffer it compresses
    /// into, kept from one response to the next: setting a context up took about a sixth of the
    /// time of compressing a page, and a buffer as large as the page each time cost more than
    /// copying out the compressed bytes.
    static QUICK_ZSTD: RefCell<Option<(zstd::bulk::Compressor<'static>, Vec<u8>)>> = const { RefCell::new(None) };
}

/// How hard a compressor works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
    /// For a response compressed whole while its client waits (pages, JSON): the fastest levels.
    /// For the 31 KB customers page here, zstd level −5 with a minimum match of 7 bytes (see
    /// [`QUICK_ZSTD_MIN_MATCH`]) takes about 21 µs (10.1 KB out); level 1 about 37 µs (6.6 KB);
    /// gzip level 1 about 47 µs (8.1 KB); brotli quality 0 longer still. zstd's output still
    /// reaches the browser within TCP's first window (about 14 KB), so the smaller outputs of the
    /// slower levels save no round trip.
    Quick,
    /// For a long response compressed as it streams (the CSV export), whose size on the wire
    /// matters more than its time: gzip level 2 (a CSV about 3.9 times smaller instead of 3.0,
    /// in about 1.8 times the time), brotli quality 1 (4.1 times instead of 3.6, about 1.2
    /// times the time) and zstd level 3, its default.
    Thorough,
}

impl Effort {
    fn gzip_level(self) -> Compression {
        match self {
            Effort::Quick => Compression::new(1),
            Effort::Thorough => Compression::new(2),
        }
    }

    fn brotli_quality(self) -> i32 {
        match self {
            Effort::Quick => 0,
            Effort::Thorough => 1,
        }
    }

    fn zstd_level(self) -> i32 {
        match self {
            Effort::Quick => -5,
            Effort::Thorough => 3,
        }
    }
}

/// A compressor writing into its own buffer, from which the caller takes the bytes made so far.
pub enum Encoder {
    /// gzip (by zlib-rs), with the output made so far.
    Gzip(Box<Compress>, Vec<u8>),
    /// brotli, with the output made so far.
    Brotli(Box<BrotliEncoderStateStruct<StandardAlloc>>, Vec<u8>),
    /// zstd, with the output made so far.
    Zstd(Box<ZstdStream<'static>>, Vec<u8>),
}

impl Encoder {
    /// A compressor for `coding` working with `effort`; `expected` is the whole input's length
    /// when known.
    pub fn new(coding: Coding, effort: Effort, expected: Option<usize>) -> io::Result<Encoder> {
        Ok(match coding {
            Coding::Gzip => {
                Encoder::Gzip(Box::new(Compress::new_gzip(effort.gzip_level(), GZIP_WINDOW_BITS)), Vec::new())
            }
            Coding::Zstd => {
                let mut stream = ZstdStream::new(effort.zstd_level())?;
                stream.set_parameter(zstd::zstd_safe::CParameter::WindowLog(ZSTD_WINDOW_LOG))?;
                Encoder::Zstd(Box::new(stream), Vec::new())
            }
            Coding::Brotli => {
                let mut state = BrotliEncoderStateStruct::new(StandardAlloc::default());
                state.params = BrotliEncoderParams {
                    quality: effort.brotli_quality(),
                    lgwin: BROTLI_WINDOW_BITS,
                    size_hint: expected.unwrap_or(0),
                    ..BrotliEncoderParams::default()
                };
                Encoder::Brotli(Box::new(state), Vec::new())
            }
        })
    }

    /// Compresses the whole of `input` at once, quickly.
    pub fn compress_all(coding: Coding, input: &[u8]) -> io::Result<Vec<u8>> {
        if coding == Coding::Zstd {
            return zstd_all(input);
        }
        let mut encoder = Encoder::new(coding, Effort::Quick, Some(input.len()))?;
        encoder.write(input)?;
        encoder.finish()?;
        Ok(encoder.take())
    }

    /// Compresses `input` (the output may come later, when more input or a flush makes it).
    pub fn write(&mut self, input: &[u8]) -> io::Result<()> {
        match self {
            Encoder::Gzip(gzip, output) => gzip_step(gzip, output, FlushCompress::None, input),
            Encoder::Brotli(state, output) => {
                brotli_step(state, output, BrotliEncoderOperation::BROTLI_OPERATION_PROCESS, input)
            }
            Encoder::Zstd(stream, output) => zstd_write(stream, output, input),
        }
    }

    /// Makes everything written so far decodable by the client, at some cost in size.
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Gzip(gzip, output) => gzip_step(gzip, output, FlushCompress::Sync, &[]),
            Encoder::Brotli(state, output) => {
                brotli_step(state, output, BrotliEncoderOperation::BROTLI_OPERATION_FLUSH, &[])
            }
            Encoder::Zstd(stream, output) => zstd_drain(output, |out| stream.flush(out)),
        }
    }

    /// Ends the compressed stream; nothing may be written after.
    pub fn finish(&mut self) -> io::Result<()> {
        match self {
            Encoder::Gzip(gzip, output) => gzip_step(gzip, output, FlushCompress::Finish, &[]),
            Encoder::Brotli(state, output) => {
                brotli_step(state, output, BrotliEncoderOperation::BROTLI_OPERATION_FINISH, &[])
            }
            Encoder::Zstd(stream, output) => zstd_drain(output, |out| stream.finish(out, true)),
        }
    }

    /// How many compressed bytes wait to be taken.
    pub fn made(&self) -> usize {
        match self {
            Encoder::Gzip(_, output) | Encoder::Brotli(_, output) | Encoder::Zstd(_, output) => output.len(),
        }
    }

    /// The compressed bytes made since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        match self {
            Encoder::Gzip(_, output) | Encoder::Brotli(_, output) | Encoder::Zstd(_, output) => std::mem::take(output),
        }
    }
}

/// Runs deflate on `input` with `flush` until it has taken all of it and, for a flush or the end,
/// given out everything it owes.
fn gzip_step(gzip: &mut Compress, output: &mut Vec<u8>, flush: FlushCompress, input: &[u8]) -> io::Result<()> {
    let mut taken = 0;
    loop {
        output.reserve(GZIP_OUTPUT_STEP);
        let (before_in, before_out) = (gzip.total_in(), gzip.total_out());
        let status = gzip.compress_vec(&input[taken..], output, flush).map_err(io::Error::other)?;
        taken += usize::try_from(gzip.total_in() - before_in).map_err(io::Error::other)?;
        let room_left = output.len() < output.capacity();
        match status {
            Status::StreamEnd => return Ok(()),
            _ if flush != FlushCompress::Finish && taken == input.len() && room_left => return Ok(()),
            _ if (gzip.total_in(), gzip.total_out()) == (before_in, before_out) && room_left => {
                return Err(io::Error::other("deflate made no progress"));
            }
            _ => {}
        }
    }
}

/// Runs brotli on `input` with `operation` until it has taken all of it and, for a flush or the
/// end, given out everything it owes.
fn brotli_step(
    state: &mut BrotliEncoderStateStruct<StandardAlloc>,
    output: &mut Vec<u8>,
    operation: BrotliEncoderOperation,
    input: &[u8],
) -> io::Result<()> {
    let mut available_in = input.len();
    let mut input_offset = 0;
    loop {
        let start = output.len();
        output.resize(start + BROTLI_OUTPUT_STEP, 0);
        let mut available_out = BROTLI_OUTPUT_STEP;
        let mut output_offset = start;
        let ok = state.compress_stream(
            operation,
            &mut available_in,
            input,
            &mut input_offset,
            &mut available_out,
            output,
            &mut output_offset,
            &mut None,
            &mut |_, _, _, _| (),
        );
        output.truncate(output_offset);
        if !ok {
            return Err(io::Error::other("brotli could not compress the response"));
        }
        let done = match operation {
            BrotliEncoderOperation::BROTLI_OPERATION_FINISH => state.is_finished(),
            _ => available_in == 0 && !state.has_more_output(),
        };
        if done {
            return Ok(());
        }
    }
}

/// Compresses the whole of `input` with this thread's kept zstd context ([`QUICK_ZSTD`]).
fn zstd_all(input: &[u8]) -> io::Result<Vec<u8>> {
    QUICK_ZSTD.with(|kept| {
        let mut kept = kept.try_borrow_mut().map_err(io::Error::other)?;
        let (compressor, output) = match &mut *kept {
            Some(kept) => kept,
            None => {
                let mut compressor = zstd::bulk::Compressor::new(Effort::Quick.zstd_level())?;
                compressor.set_parameter(zstd::zstd_safe::CParameter::MinMatch(QUICK_ZSTD_MIN_MATCH))?;
                kept.insert((compressor, Vec::new()))
            }
        };
        output.clear();
        output.reserve(zstd::zstd_safe::compress_bound(input.len()));
        // Each call makes a frame of its own (with the input's length in its header) and leaves
        // the context ready for the next, whatever happened in the last.
        compressor.compress_to_buffer(input, output)?;
        Ok(output.as_slice().to_vec())
    })
}

/// Gives all of `input` to zstd, keeping what it makes.
fn zstd_write(stream: &mut ZstdStream<'static>, output: &mut Vec<u8>, input: &[u8]) -> io::Result<()> {
    let mut input = InBuffer::around(input);
    while input.pos() < input.src.len() {
        output.reserve(ZSTD_OUTPUT_STEP);
        let made = output.len();
        stream.run(&mut input, &mut OutBuffer::around_pos(output, made))?;
    }
    Ok(())
}

/// Runs `step` (a flush, or the end of the stream) until zstd owes nothing more.
fn zstd_drain(
    output: &mut Vec<u8>,
    mut step: impl FnMut(&mut OutBuffer<'_, Vec<u8>>) -> io::Result<usize>,
) -> io::Result<()> {
    loop {
        output.reserve(ZSTD_OUTPUT_STEP);
        let made = output.len();
        if step(&mut OutBuffer::around_pos(output, made))? == 0 {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| format!("<tr><td>Customer {i}</td><td>{}</td></tr>", i * 7919 % 1000))
            .collect::<String>()
            .into_bytes()
    }

    fn decoded(coding: Coding, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match coding {
            Coding::Gzip => flate2::read::GzDecoder::new(bytes).read_to_end(&mut out),
            Coding::Brotli => brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out),
            Coding::Zstd => zstd::stream::read::Decoder::new(bytes).and_then(|mut d| d.read_to_end(&mut out)),
        }
        .expect("decodes");
        out
    }

    #[test]
    fn a_body_compressed_at_once_decodes_to_itself() {
        for coding in [Coding::Gzip, Coding::Brotli, Coding::Zstd] {
            for input in [Vec::new(), b"x".to_vec(), text(3000), b"again".to_vec()] {
                let compressed = Encoder::compress_all(coding, &input).expect("compresses");
                assert_eq!(decoded(coding, &compressed), input, "{coding:?}, {} bytes", input.len());
            }
        }
    }

    #[test]
    fn a_long_zstd_stream_keeps_to_a_half_megabyte_window() {
        let input = text(60_000);
        assert!(input.len() > 1 << 21, "longer than level 3's own window");
        let mut encoder = Encoder::new(Coding::Zstd, Effort::Thorough, None).expect("an encoder");
        for piece in input.chunks(64 * 1024) {
            encoder.write(piece).expect("writes");
        }
        encoder.finish().expect("finishes");
        let sent = encoder.take();
        let mut decoder = zstd::stream::read::Decoder::new(&sent[..]).expect("a decoder");
        decoder.set_parameter(zstd::zstd_safe::DParameter::WindowLogMax(ZSTD_WINDOW_LOG)).expect("a window limit");
        let mut out = Vec::new();
        decoder.read_to_end(&mut out).expect("decodes within the window");
        assert_eq!(out, input);
    }

    #[test]
    fn a_body_compressed_in_pieces_with_flushes_decodes_to_itself_and_each_flush_gives_all_so_far() {
        for coding in [Coding::Gzip, Coding::Brotli, Coding::Zstd] {
            let input = text(20_000);
            let mut encoder = Encoder::new(coding, Effort::Thorough, None).expect("an encoder");
            let mut sent = Vec::new();
            for (n, piece) in input.chunks(70_001).enumerate() {
                encoder.write(piece).expect("writes");
                if n % 2 == 0 {
                    encoder.flush().expect("flushes");
                    sent.extend(encoder.take());
                    // What was sent so far decodes to a prefix with all the input written so far.
                    let mut partial = Vec::new();
                    let so_far = (n + 1) * 70_001;
                    let _ = match coding {
                        Coding::Gzip => flate2::read::GzDecoder::new(&sent[..]).read_to_end(&mut partial),
                        Coding::Brotli => brotli::Decompressor::new(&sent[..], 4096).read_to_end(&mut partial),
                        Coding::Zstd => zstd::stream::read::Decoder::new(&sent[..])
                            .and_then(|mut decoder| decoder.read_to_end(&mut partial)),
                    };
                    assert_eq!(partial, input[..so_far.min(input.len())], "{coding:?} after piece {n}");
                }
            }
            encoder.finish().expect("finishes");
            sent.extend(encoder.take());
            assert_eq!(decoded(coding, &sent), input, "{coding:?}");
        }
    }
}
