//! Single-row inserts written as PostgreSQL's `COPY … FROM STDIN` (text
//! format), for the bulk import.
//!
//! Why: a multi-row `INSERT` is planned and executed as a statement, each of
//! its rows going through the executor one at a time, while `COPY` hands the
//! table whole batches of rows; on the 2-core machines the import of
//! 100,000 dossiers spent most of its time in PostgreSQL's backend. The
//! statements stay the portable [`Sql`] values the rest of the import makes
//! (SQLite keeps its multi-row inserts); this module only reads their text
//! to learn the table, the columns and which argument goes in which column.

use crate::conn::{Arg, Sql};

/// Where a column's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// The statement's n-th argument (from 0).
    Arg(usize),
    /// A constant of the statement's text, already in COPY's text form.
    Constant(String),
    /// The row's position among the rows copied (a [`StagedUpsert`]'s
    /// order).
    Position,
}

/// A single-row insert's `COPY` statement and how its arguments become a
/// row of COPY data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopyForm {
    /// `COPY table (columns) FROM STDIN`.
    pub(crate) statement: String,
    /// The insert it was made from: every row must be of it.
    insert: String,
    values: Vec<Value>,
}

/// The `COPY` form of `INSERT INTO table (columns) VALUES (values)` when
/// every value is a placeholder or a plain constant (an integer or NULL)
/// and nothing follows the values (no `ON CONFLICT`, no `RETURNING`):
/// those change what an insert does, and `COPY` cannot do it. `None`
/// otherwise; the caller then inserts the rows as statements.
pub(crate) fn copy_form(text: &str) -> Option<CopyForm> {
    let insert = parse(text)?;
    insert.tail.is_empty().then(|| CopyForm {
        statement: format!(
            "COPY {} ({}) FROM STDIN",
            insert.table,
            insert.columns.join(", ")
        ),
        insert: text.to_owned(),
        values: insert.values,
    })
}

/// A single-row insert, read.
struct Insert<'a> {
    table: &'a str,
    columns: Vec<&'a str>,
    values: Vec<Value>,
    /// What follows the values, trimmed (`ON CONFLICT …`, or nothing).
    tail: &'a str,
}

/// `INSERT INTO table (columns) VALUES (values) tail`, with plain names and
/// each value a placeholder or a constant (see [`copy_form`]).
fn parse(text: &str) -> Option<Insert<'_>> {
    let rest = text.trim().strip_prefix("INSERT INTO ")?;
    let (table, rest) = rest.split_once(" (")?;
    let (columns, rest) = rest.split_once(')')?;
    let (tuple, tail) = rest.trim().strip_prefix("VALUES (")?.split_once(')')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    if !plain(table) || tuple.contains(['(', '\'', '"', ';']) {
        return None;
    }
    let columns: Vec<&str> = columns.split(',').map(str::trim).collect();
    let values = tuple
        .split(',')
        .map(|v| value(v.trim()))
        .collect::<Option<Vec<_>>>()?;
    (columns.len() == values.len() && columns.iter().all(|n| plain(n))).then_some(Insert {
        table,
        columns,
        values,
        tail: tail.trim(),
    })
}

/// Many single-row upserts (`INSERT … VALUES (…) ON CONFLICT …`) of one
/// table as one statement: the rows are copied into a temporary table of
/// the same columns, numbered, and inserted from it in their order with the
/// upsert's own `ON CONFLICT` clause. Why: each multi-row upsert is
/// planned and its thousands of parameters set up anew (the import's
/// counters, about three rows per dossier, cost PostgreSQL more than the
/// dossiers themselves); the order keeps row locks taken in the caller's
/// order, as the statements did, so two writers cannot deadlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StagedUpsert {
    /// The temporary table.
    pub(crate) stage: String,
    /// Makes it (when this session has not yet).
    pub(crate) create: String,
    /// Copies the numbered rows into it.
    copy: CopyForm,
    /// Upserts its rows into the table, in order.
    pub(crate) merge: String,
    /// Empties it for the next use.
    pub(crate) clear: String,
}

/// The staged form of a single-row upsert; `None` when the text is no
/// `INSERT … VALUES (…) ON CONFLICT …` of placeholders and constants.
pub(crate) fn staged_upsert(text: &str) -> Option<StagedUpsert> {
    let insert = parse(text)?;
    if !insert.tail.starts_with("ON CONFLICT ") || insert.tail.contains(['$', ';']) {
        return None;
    }
    let table = insert.table;
    let stage = format!("motcua_stage_{}", table.replace('.', "_"));
    let columns = insert.columns.join(", ");
    let mut values = vec![Value::Position];
    values.extend(insert.values);
    Some(StagedUpsert {
        create: format!(
            "CREATE TEMPORARY TABLE {stage} AS SELECT 0::bigint AS stage_row, {columns} \
             FROM {table} WITH NO DATA"
        ),
        copy: CopyForm {
            statement: format!("COPY {stage} (stage_row, {columns}) FROM STDIN"),
            insert: text.to_owned(),
            values,
        },
        merge: format!(
            "INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} ORDER BY stage_row {}",
            insert.tail
        ),
        clear: format!("TRUNCATE {stage}"),
        stage,
    })
}

impl StagedUpsert {
    /// The `COPY` into the stage.
    pub(crate) fn copy(&self) -> &CopyForm {
        &self.copy
    }
}

/// A value of the tuple: `$n`, an integer, or NULL.
fn value(v: &str) -> Option<Value> {
    if let Some(n) = v.strip_prefix('$') {
        let n: usize = n.parse().ok()?;
        return n.checked_sub(1).map(Value::Arg);
    }
    if v.eq_ignore_ascii_case("NULL") {
        return Some(Value::Constant("\\N".to_owned()));
    }
    let digits = v.strip_prefix('-').unwrap_or(v);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| Value::Constant(v.to_owned()))
}

impl CopyForm {
    /// Appends `q`, the `position`-th row copied, to `out`, tab-separated
    /// and ending with a newline. An error when `q` is not of this form's
    /// statement or lacks an argument: then nothing of the row is kept.
    pub(crate) fn write_row(
        &self,
        position: usize,
        q: &Sql,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        if q.text != self.insert {
            return Err(format!("a row of another statement: {}", q.text));
        }
        let start = out.len();
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            match v {
                Value::Constant(c) => out.extend_from_slice(c.as_bytes()),
                Value::Position => {
                    out.extend_from_slice(itoa::Buffer::new().format(position).as_bytes())
                }
                Value::Arg(n) => match q.args.get(*n) {
                    Some(a) => write_arg(a, out),
                    None => {
                        out.truncate(start);
                        return Err(format!("argument ${} missing", n + 1));
                    }
                },
            }
        }
        out.push(b'\n');
        Ok(())
    }
}

/// One value in COPY's text format: `\N` for NULL, backslash escapes for
/// the characters that separate values and rows.
fn write_arg(a: &Arg, out: &mut Vec<u8>) {
    match a {
        Arg::Int(v) | Arg::OptInt(Some(v)) => {
            out.extend_from_slice(itoa::Buffer::new().format(*v).as_bytes())
        }
        Arg::Text(s) | Arg::OptText(Some(s)) => write_text(s, out),
        Arg::OptInt(None) | Arg::OptText(None) => out.extend_from_slice(b"\\N"),
        Arg::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Arg::Bytes(bytes) => {
            // bytea's hex form, its backslash escaped for COPY.
            out.extend_from_slice(b"\\\\x");
            const HEX: &[u8; 16] = b"0123456789abcdef";
            for b in bytes {
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
        }
    }
}

fn write_text(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{copy_form, staged_upsert};
    use crate::conn::Sql;

    const INSERT: &str = "INSERT INTO t (a, b, version, c, d) VALUES ($1, $2, 1, $3, $4)";

    #[test]
    fn a_plain_insert_becomes_copy_with_its_constants_and_escaped_values() {
        let form = copy_form(INSERT).expect("copyable");
        assert_eq!(form.statement, "COPY t (a, b, version, c, d) FROM STDIN");
        let mut out = Vec::new();
        let q = Sql::new(INSERT)
            .int(-7)
            .text("Nguyễn\tVăn\\An\r\nline")
            .opt_text(None)
            .bool(true);
        form.write_row(0, &q, &mut out).expect("row");
        let q = Sql::new(INSERT)
            .opt_int(Some(3))
            .text("")
            .text("\\N")
            .bool(false);
        form.write_row(0, &q, &mut out).expect("row");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "-7\tNguyễn\\tVăn\\\\An\\r\\nline\t1\t\\N\tt\n3\t\t1\t\\\\N\tf\n"
        );
    }

    #[test]
    fn bytes_are_written_in_hex_behind_an_escaped_backslash() {
        let text = "INSERT INTO f (data) VALUES ($1)";
        let form = copy_form(text).expect("copyable");
        let mut out = Vec::new();
        let q = Sql::assembled(
            text.to_owned(),
            vec![crate::conn::Arg::Bytes(vec![0, 0xab])],
        );
        form.write_row(0, &q, &mut out).expect("row");
        assert_eq!(out, b"\\\\x00ab\n");
    }

    #[test]
    fn inserts_that_copy_cannot_do_are_left_to_statements() {
        for text in [
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO NOTHING",
            "INSERT INTO t (a) VALUES ($1) RETURNING id",
            "INSERT INTO t (a, b) VALUES ($1, 'x')",
            "INSERT INTO t (a, b) VALUES ($1, $2::jsonb)",
            "INSERT INTO t (a, b) VALUES ($1, now())",
            "INSERT INTO t (a, b) VALUES ($1)",
            "INSERT INTO t (a) VALUES ($0)",
            "INSERT INTO t (a) SELECT $1",
            "UPDATE t SET a = $1",
        ] {
            assert_eq!(copy_form(text), None, "{text}");
        }
    }

    #[test]
    fn a_row_of_another_statement_or_short_of_an_argument_writes_nothing() {
        let form = copy_form(INSERT).expect("copyable");
        let mut out = b"kept\n".to_vec();
        let short = Sql::new(INSERT).int(1).text("x").opt_text(None);
        assert!(form.write_row(0, &short, &mut out).is_err());
        let other = Sql::new("INSERT INTO u (a) VALUES ($1)").int(1);
        assert!(form.write_row(0, &other, &mut out).is_err());
        assert_eq!(out, b"kept\n");
    }

    #[test]
    fn upserts_are_staged_numbered_and_merged_in_order_with_their_own_conflict_clause() {
        let text = "INSERT INTO counts (day, unit_id, n) VALUES ($1, $2, $3) \
                    ON CONFLICT (day, unit_id) DO UPDATE SET n = counts.n + excluded.n";
        let f = staged_upsert(text).expect("staged");
        assert_eq!(f.stage, "motcua_stage_counts");
        assert_eq!(
            f.create,
            "CREATE TEMPORARY TABLE motcua_stage_counts AS SELECT 0::bigint AS stage_row, \
             day, unit_id, n FROM counts WITH NO DATA"
        );
        assert_eq!(
            f.copy().statement,
            "COPY motcua_stage_counts (stage_row, day, unit_id, n) FROM STDIN"
        );
        assert_eq!(
            f.merge,
            "INSERT INTO counts (day, unit_id, n) SELECT day, unit_id, n FROM motcua_stage_counts \
             ORDER BY stage_row ON CONFLICT (day, unit_id) DO UPDATE SET n = counts.n + excluded.n"
        );
        assert_eq!(f.clear, "TRUNCATE motcua_stage_counts");
        let mut out = Vec::new();
        for (i, unit) in [4, 2].into_iter().enumerate() {
            let q = Sql::new(text).text("2025-07-01").int(unit).int(10 + unit);
            f.copy().write_row(i, &q, &mut out).expect("row");
        }
        assert_eq!(out, b"0\t2025-07-01\t4\t14\n1\t2025-07-01\t2\t12\n");
        // A plain insert, a placeholder in the clause or a RETURNING: not staged.
        for text in [
            "INSERT INTO counts (n) VALUES ($1)",
            "INSERT INTO counts (n) VALUES ($1) ON CONFLICT (n) DO UPDATE SET n = $2",
            "INSERT INTO counts (n) VALUES ($1) RETURNING n",
            "INSERT INTO counts (n) VALUES (now()) ON CONFLICT (n) DO NOTHING",
        ] {
            assert_eq!(staged_upsert(text), None, "{text}");
        }
        assert_eq!(copy_form(text), None);
    }
}
