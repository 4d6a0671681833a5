//! The query language Intuit documents, parsed into a [`Query`]:
//! `SELECT * | COUNT(*) | f1, f2 FROM Entity [WHERE c [AND c]…]
//! [ORDERBY f [ASC|DESC][, …]] [STARTPOSITION n] [MAXRESULTS m]`, each
//! condition `field op value` with `=`, `<`, `>`, `<=`, `>=`, `IN (…)` or
//! `LIKE '…%'`. Keywords are case-insensitive; there is no `OR`.

use crate::sim::entity::Readable;

/// Intuit's cap on `MAXRESULTS`.
pub(crate) const MAX_RESULTS: usize = 1000;
/// `MAXRESULTS` when the query gives none.
pub(crate) const DEFAULT_RESULTS: usize = 100;

/// What a query selects.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Select {
    All,
    Count,
    Fields(Vec<String>),
}

/// A literal on the right of a condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Num(String),
    Bool(bool),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Gt,
    Le,
    Ge,
}

/// One condition of the `WHERE` clause.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cond {
    Cmp(String, Cmp, Lit),
    In(String, Vec<Lit>),
    Like(String, String),
}

impl Cond {
    /// The (possibly dotted) field the condition reads.
    pub(crate) fn field(&self) -> &str {
        match self {
            Cond::Cmp(f, ..) | Cond::In(f, _) | Cond::Like(f, _) => f,
        }
    }
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Query {
    pub select: Select,
    /// An entity, or `CompanyInfo`.
    pub from: Readable,
    pub conds: Vec<Cond>,
    /// `ORDERBY` fields, each with whether it is descending.
    pub order: Vec<(String, bool)>,
    /// 1-based.
    pub start: usize,
    pub max: usize,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Sym(&'static str),
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            chars.next();
            let mut lit = String::new();
            loop {
                match chars.next() {
                    Some('\\') => lit.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => lit.push(c),
                    None => return Err("unterminated string literal".into()),
                }
            }
            out.push(Tok::Str(lit));
        } else if c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ':') {
            let mut w = String::new();
            while let Some(&c) = chars
                .peek()
                .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'))
            {
                w.push(c);
                chars.next();
            }
            out.push(Tok::Word(w));
        } else {
            chars.next();
            let two = chars.peek().copied();
            let sym = match (c, two) {
                ('<', Some('=')) => "<=",
                ('>', Some('=')) => ">=",
                ('(', _) => "(",
                (')', _) => ")",
                (',', _) => ",",
                ('*', _) => "*",
                ('=', _) => "=",
                ('<', _) => "<",
                ('>', _) => ">",
                _ => return Err(format!("unexpected character '{c}'")),
            };
            if sym.len() == 2 {
                chars.next();
            }
            out.push(Tok::Sym(sym));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&mut self, kw: &str) -> bool {
        match self.peek() {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), String> {
        match self.keyword(kw) {
            true => Ok(()),
            false => Err(format!("expected {kw}")),
        }
    }

    fn sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.at += 1;
            return true;
        }
        false
    }

    fn word(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Some(Tok::Word(w)) => Ok(w),
            _ => Err(format!("expected {what}")),
        }
    }

    fn number(&mut self, what: &str) -> Result<usize, String> {
        self.word(what)?
            .parse()
            .map_err(|_| format!("{what} must be a number"))
    }

    fn literal(&mut self) -> Result<Lit, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Lit::Str(s)),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Lit::Bool(true)),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Lit::Bool(false)),
            Some(Tok::Word(w)) if w.parse::<f64>().is_ok() => Ok(Lit::Num(w)),
            _ => Err("expected a value".into()),
        }
    }

    fn cond(&mut self) -> Result<Cond, String> {
        let field = self.word("a field")?;
        if self.keyword("IN") {
            if !self.sym("(") {
                return Err("expected ( after IN".into());
            }
            let mut values = vec![self.literal()?];
            while self.sym(",") {
                values.push(self.literal()?);
            }
            if !self.sym(")") {
                return Err("expected ) closing IN".into());
            }
            return Ok(Cond::In(field, values));
        }
        if self.keyword("LIKE") {
            return match self.next() {
                Some(Tok::Str(p)) => Ok(Cond::Like(field, p)),
                _ => Err("LIKE needs a quoted pattern".into()),
            };
        }
        let op = match self.next() {
            Some(Tok::Sym("=")) => Cmp::Eq,
            Some(Tok::Sym("<")) => Cmp::Lt,
            Some(Tok::Sym(">")) => Cmp::Gt,
            Some(Tok::Sym("<=")) => Cmp::Le,
            Some(Tok::Sym(">=")) => Cmp::Ge,
            _ => return Err(format!("expected an operator after {field}")),
        };
        Ok(Cond::Cmp(field, op, self.literal()?))
    }
}

/// Parses one query; the error says what was wrong (Fault 4000's detail).
pub(crate) fn parse(sql: &str) -> Result<Query, String> {
    let mut p = Parser {
        toks: lex(sql)?,
        at: 0,
    };
    p.expect_keyword("SELECT")?;
    let select = if p.sym("*") {
        Select::All
    } else if p.keyword("COUNT") {
        if !(p.sym("(") && p.sym("*") && p.sym(")")) {
            return Err("expected COUNT(*)".into());
        }
        Select::Count
    } else {
        let mut fields = vec![p.word("a field")?];
        while p.sym(",") {
            fields.push(p.word("a field")?);
        }
        Select::Fields(fields)
    };
    p.expect_keyword("FROM")?;
    let name = p.word("an entity")?;
    let from = Readable::from_name(&name).ok_or_else(|| format!("unknown entity {name}"))?;
    let mut q = Query {
        select,
        from,
        conds: Vec::new(),
        order: Vec::new(),
        start: 1,
        max: DEFAULT_RESULTS,
    };
    if p.keyword("WHERE") {
        q.conds.push(p.cond()?);
        while p.keyword("AND") {
            q.conds.push(p.cond()?);
        }
        if p.keyword("OR") {
            return Err("OR is not supported".into());
        }
    }
    if p.keyword("ORDERBY") {
        loop {
            let field = p.word("a field to order by")?;
            let desc = p.keyword("DESC");
            if !desc {
                p.keyword("ASC");
            }
            q.order.push((field, desc));
            if !p.sym(",") {
                break;
            }
        }
    }
    loop {
        if p.keyword("STARTPOSITION") {
            q.start = p.number("STARTPOSITION")?.max(1);
        } else if p.keyword("MAXRESULTS") {
            q.max = p.number("MAXRESULTS")?.min(MAX_RESULTS);
        } else {
            break;
        }
    }
    match p.next() {
        None => Ok(q),
        Some(t) => Err(format!("unexpected {t:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::entity::Entity;

    #[test]
    fn parses_the_documented_shapes() {
        let q = parse(
            "select * from Invoice where MetaData.LastUpdatedTime > '2026-11-01T00:00:00-08:00' \
             AND Id IN ('1', '2') AND DisplayName LIKE '%Bay%' orderby MetaData.LastUpdatedTime DESC \
             startposition 11 maxresults 5000",
        )
        .unwrap();
        assert_eq!(q.from, Readable::Entity(Entity::Invoice));
        assert_eq!(q.select, Select::All);
        assert_eq!(q.conds.len(), 3);
        assert_eq!(
            q.conds[0],
            Cond::Cmp(
                "MetaData.LastUpdatedTime".into(),
                Cmp::Gt,
                Lit::Str("2026-11-01T00:00:00-08:00".into())
            )
        );
        assert_eq!(
            q.conds[1],
            Cond::In(
                "Id".into(),
                vec![Lit::Str("1".into()), Lit::Str("2".into())]
            )
        );
        assert_eq!(q.order, vec![("MetaData.LastUpdatedTime".into(), true)]);
        assert_eq!((q.start, q.max), (11, MAX_RESULTS));
        let q = parse("SELECT COUNT(*) FROM customer WHERE Active IN (true, false)").unwrap();
        assert_eq!(
            (q.select, q.from, q.max),
            (
                Select::Count,
                Readable::Entity(Entity::Customer),
                DEFAULT_RESULTS
            )
        );
        let q =
            parse("SELECT Id, DisplayName FROM Vendor WHERE Balance >= 10.5 ORDERBY Id").unwrap();
        assert_eq!(
            q.select,
            Select::Fields(vec!["Id".into(), "DisplayName".into()])
        );
        assert_eq!(
            q.conds[0],
            Cond::Cmp("Balance".into(), Cmp::Ge, Lit::Num("10.5".into()))
        );
        assert_eq!(q.order, vec![("Id".into(), false)]);
        let q = parse("SELECT CompanyName FROM companyinfo").unwrap();
        assert_eq!(q.from, Readable::CompanyInfo);
        assert_eq!(q.select, Select::Fields(vec!["CompanyName".into()]));
    }

    #[test]
    fn refuses_what_is_not_the_language() {
        for bad in [
            "",
            "SELECT FROM Invoice",
            "SELECT * Invoice",
            "SELECT * FROM Widget",
            "SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'",
            "SELECT * FROM Invoice WHERE Id",
            "SELECT * FROM Invoice WHERE Id IN ('1'",
            "SELECT * FROM Invoice WHERE DocNumber = 'open",
            "SELECT * FROM Invoice MAXRESULTS many",
            "SELECT * FROM Invoice ORDER BY Id",
            "SELECT * FROM Invoice; DROP TABLE Invoice",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
