//! What compression reads of a response's body before it decides how to send it: a body that
//! comes as one piece (as most do) is kept as it came; one that comes in several pieces is copied
//! into one buffer.

use axum::body::Bytes;

/// The bytes read so far of a body.
#[derive(Default)]
pub enum ReadAhead {
    /// Nothing yet.
    #[default]
    Nothing,
    /// One piece, as the body gave it.
    One(Bytes),
    /// Several pieces, one after the other.
    Many(Vec<u8>),
}

impl ReadAhead {
    /// Adds the body's next piece.
    pub fn push(&mut self, data: Bytes) {
        match self {
            _ if data.is_empty() => {}
            ReadAhead::Nothing => *self = ReadAhead::One(data),
            ReadAhead::One(first) => {
                let mut all = Vec::with_capacity(2 * (first.len() + data.len()));
                all.extend_from_slice(first);
                all.extend_from_slice(&data);
                *self = ReadAhead::Many(all);
            }
            ReadAhead::Many(all) => all.extend_from_slice(&data),
        }
    }

    /// The bytes read, in order.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            ReadAhead::Nothing => &[],
            ReadAhead::One(piece) => piece,
            ReadAhead::Many(all) => all,
        }
    }

    /// The bytes read, to send as they are.
    pub fn into_bytes(self) -> Bytes {
        match self {
            ReadAhead::Nothing => Bytes::new(),
            ReadAhead::One(piece) => piece,
            ReadAhead::Many(all) => Bytes::from(all),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_read_are_kept_in_order_and_a_single_piece_is_not_copied() {
        let mut read = ReadAhead::default();
        assert_eq!(read.as_slice(), b"");
        let first = Bytes::from_static(b"<html>");
        read.push(first.clone());
        read.push(Bytes::new());
        assert!(matches!(&read, ReadAhead::One(piece) if piece.as_ptr() == first.as_ptr()));
        read.push(Bytes::from_static(b"<body>"));
        read.push(Bytes::from_static(b"</html>"));
        assert_eq!(read.as_slice(), b"<html><body></html>");
        assert_eq!(read.into_bytes(), Bytes::from_static(b"<html><body></html>"));
    }
}
