//! The `where` filter: comparisons (`Field=="value"`, `Field!=value`,
//! `Contact.ContactID==guid("...")`) joined by `AND`/`&&` and `OR`/`||`,
//! `AND` binding tighter as in Xero's filter language; anything else
//! (parentheses, `.Contains`, ranges) is a QueryParseException, so an
//! unsupported filter never silently matches all.

use super::model::parse_decimal;
use super::query::{Cond, CondValue, QueryError};

/// Parses a `where` filter into alternatives (joined by `OR`), each a list
/// of comparisons that must all hold (joined by `AND`).
pub(crate) fn parse_where(s: &str) -> Result<Vec<Vec<Cond>>, QueryError> {
    let mut p = WhereParser {
        s: s.as_bytes(),
        i: 0,
    };
    let mut alternatives = vec![vec![p.cond()?]];
    loop {
        p.ws();
        if p.i >= p.s.len() {
            return Ok(alternatives);
        }
        if p.eat_word("AND") || p.eat("&&") {
            let all = alternatives.last_mut().expect("one alternative at least");
            all.push(p.cond()?);
        } else if p.eat_word("OR") || p.eat("||") {
            alternatives.push(vec![p.cond()?]);
        } else {
            return Err(QueryError(format!(
                "Cannot parse the where clause near position {}",
                p.i
            )));
        }
    }
}

struct WhereParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl WhereParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(tok.as_bytes()) {
            self.i += tok.len();
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        self.ws();
        let end = self.i + w.len();
        if end <= self.s.len()
            && self.s[self.i..end].eq_ignore_ascii_case(w.as_bytes())
            && self.s.get(end).is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            self.i = end;
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn string(&mut self) -> Result<String, QueryError> {
        // Opening quote already consumed.
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != b'"' {
            self.i += 1;
        }
        if self.i >= self.s.len() {
            return Err(QueryError("Unterminated string literal".into()));
        }
        let v = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        self.i += 1;
        Ok(v)
    }
    fn cond(&mut self) -> Result<Cond, QueryError> {
        let mut path = vec![
            self.ident()
                .ok_or_else(|| QueryError("Expected a field name".into()))?,
        ];
        while self.eat(".") {
            path.push(
                self.ident()
                    .ok_or_else(|| QueryError("Expected a field name".into()))?,
            );
        }
        let negate = if self.eat("==") {
            false
        } else if self.eat("!=") {
            true
        } else if self.eat("=") {
            false
        } else {
            return Err(QueryError(format!(
                "Unsupported operator after '{}'",
                path.join(".")
            )));
        };
        self.ws();
        let value = if self.eat("\"") {
            CondValue::Str(self.string()?)
        } else if self.eat_word("guid") || self.eat_word("Guid") {
            if !(self.eat("(") && self.eat("\"")) {
                return Err(QueryError("Expected guid(\"...\")".into()));
            }
            let g = self.string()?;
            if !self.eat(")") {
                return Err(QueryError("Expected ')'".into()));
            }
            CondValue::Guid(g.to_ascii_lowercase())
        } else if self.eat_word("true") {
            CondValue::Bool(true)
        } else if self.eat_word("false") {
            CondValue::Bool(false)
        } else if self.eat_word("null") {
            CondValue::Null
        } else {
            let start = self.i;
            while self.i < self.s.len()
                && (self.s[self.i].is_ascii_digit() || b"-+.".contains(&self.s[self.i]))
            {
                self.i += 1;
            }
            let text = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
            CondValue::Num(
                parse_decimal(&text)
                    .ok_or_else(|| QueryError(format!("Cannot parse value '{text}'")))?,
            )
        };
        Ok(Cond {
            path,
            negate,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_parsing() {
        let c = parse_where(r#"Status=="AUTHORISED" AND Type == "ACCREC""#).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].len(), 2);
        assert_eq!(c[0][0].path, vec!["Status"]);
        assert_eq!(c[0][1].value, CondValue::Str("ACCREC".into()));
        let c = parse_where(r#"Contact.ContactID==guid("ABC")"#).unwrap();
        assert_eq!(c[0][0].path, vec!["Contact", "ContactID"]);
        assert_eq!(c[0][0].value, CondValue::Guid("abc".into()));
        let c = parse_where("IsSupplier==true && Total!=10.5").unwrap();
        assert_eq!(c[0][0].value, CondValue::Bool(true));
        assert!(c[0][1].negate);
        // AND binds tighter than OR.
        let c = parse_where(r#"Status=="A" OR Status=="B" AND Type=="C" || Type=="D""#).unwrap();
        let sizes: Vec<usize> = c.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1, 2, 1]);
        assert!(parse_where(r#"(Status=="A")"#).is_err());
        assert!(parse_where(r#"Status=="A"#).is_err());
        assert!(parse_where("Date >= DateTime(2020,1,1)").is_err());
    }
}
