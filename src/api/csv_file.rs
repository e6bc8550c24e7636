//! Reading a CSV file as spreadsheets write them: UTF-8 with or without a byte order mark; `,`,
//! `;` or tab between cells, whichever the header line uses most; quoted cells holding
//! delimiters, doubled quotes and line breaks; `\n` or `\r\n` between records.

/// A file that cannot be read as CSV, with a sentence naming where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable(pub String);

/// A record and its number as a spreadsheet shows it (the header is row 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The spreadsheet row number.
    pub row: usize,
    /// The cells, as written (quotes removed).
    pub cells: Vec<String>,
}

/// The records of a file, header first. Invalid UTF-8 and an unclosed quote are refused with
/// the row they are on.
pub fn records(bytes: &[u8]) -> Result<Vec<Record>, Unreadable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            // The valid part parses; the bad bytes are on the record after its last complete one.
            let valid = std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default();
            let delimiter = delimiter(valid);
            let row = split(valid, delimiter).map_or_else(|(_, row)| row, |(_, row)| row);
            return Err(Unreadable(format!("The file is not valid UTF-8 text: row {row} holds bytes that are not.")));
        }
    };
    split(text, delimiter(text)).map(|(records, _)| records).map_err(|(unreadable, _)| unreadable)
}

/// The delimiter the first line uses most (outside quotes): `,` unless `;` or tab win.
fn delimiter(text: &str) -> char {
    let mut counts = [0_usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [(counts[0], ','), (counts[1], ';'), (counts[2], '\t')];
    // Ties go to the comma (the first of the candidates).
    candidates.iter().fold((0, ','), |best, &(count, c)| if count > best.0 { (count, c) } else { best }).1
}

/// The records of `text`, and the row the text ends on (where the last record started, or the
/// row after it when it ended with a line break). Lines with nothing on them are skipped (but
/// counted).
fn split(text: &str, delimiter: char) -> Result<(Vec<Record>, usize), (Unreadable, usize)> {
    let mut records = Vec::new();
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut row = 1;
    let mut start_row = 1;
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut touched = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    row += 1;
                    cell.push(c);
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => {
                quoted = true;
                touched = true;
            }
            c if c == delimiter => {
                cells.push(std::mem::take(&mut cell));
                touched = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                if touched || !cell.is_empty() {
                    cells.push(std::mem::take(&mut cell));
                    records.push(Record { row: start_row, cells: std::mem::take(&mut cells) });
                }
                touched = false;
                row += 1;
                start_row = row;
            }
            _ => {
                cell.push(c);
                touched = true;
            }
        }
    }
    if quoted {
        return Err((Unreadable(format!("Row {start_row} has a quoted cell that is never closed.")), start_row));
    }
    if touched || !cell.is_empty() {
        cells.push(cell);
        records.push(Record { row: start_row, cells });
    }
    Ok((records, start_row))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(bytes: &[u8]) -> Vec<(usize, Vec<String>)> {
        records(bytes).expect("readable").into_iter().map(|r| (r.row, r.cells)).collect()
    }

    fn row(n: usize, cells: &[&str]) -> (usize, Vec<String>) {
        (n, cells.iter().map(|c| (*c).to_owned()).collect())
    }

    #[test]
    fn commas_semicolons_and_tabs_are_told_apart_by_the_header() {
        assert_eq!(cells(b"name,email\nA,a@x.co\n"), vec![row(1, &["name", "email"]), row(2, &["A", "a@x.co"])]);
        assert_eq!(cells(b"name;email\r\nA,B;a@x.co"), vec![row(1, &["name", "email"]), row(2, &["A,B", "a@x.co"])]);
        assert_eq!(cells(b"name\temail\nA\ta@x.co\n"), vec![row(1, &["name", "email"]), row(2, &["A", "a@x.co"])]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert_eq!(cells(b"\xEF\xBB\xBFname,email\n"), vec![row(1, &["name", "email"])]);
    }

    #[test]
    fn quoted_cells_keep_delimiters_quotes_and_line_breaks_and_rows_count_lines() {
        let file = b"name,notes\n\"Sari, W\",\"said \"\"hi\"\"\nthen left\"\n\nBudi,\n";
        assert_eq!(
            cells(file),
            vec![row(1, &["name", "notes"]), row(2, &["Sari, W", "said \"hi\"\nthen left"]), row(5, &["Budi", ""])]
        );
    }

    #[test]
    fn bad_bytes_and_open_quotes_name_their_row() {
        let bad = records(b"name,email\nA,a@x.co\nB\xFF,b@x.co\n").expect_err("not UTF-8");
        assert!(bad.0.contains("row 3"), "{}", bad.0);
        let open = records(b"name,email\n\"A,a@x.co\n").expect_err("open quote");
        assert!(open.0.contains("Row 2"), "{}", open.0);
    }
}
