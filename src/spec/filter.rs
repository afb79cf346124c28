//! The one filter grammar of the command line (`show --where`, `sample --best` and friends)
//! and of `checks: where:` (whose mapping form `{cell: lstm, hidden: 4}` is a filter of `=`
//! conditions over the same matcher).
//!
//! A filter is conditions joined by commas, all of which must hold (comma = and):
//! `KEY=VALUE`, `KEY!=VALUE`, `KEY<=N`, `KEY>=N`, `KEY<N`, `KEY>N`. Keys are column names
//! (every parameter, and the result columns a command offers, e.g. `status`). `=` and `!=`
//! compare the text, or the numbers when both sides are numbers (`lr=0.10` matches `0.1`);
//! the ordering operators need numbers on both sides. Quote a filter on the shell command line:
//! `>` and `<` are redirections there (`sweeplab show DIR --where 'hidden>=3,cell=lstm'`).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
}

impl Op {
    /// Longest first, so that `<=` is not read as `<`.
    const ALL: [(&'static str, Op); 6] = [
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("=", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];

    fn symbol(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(_, op)| *op == self)
            .map(|(s, _)| *s)
            .unwrap_or("?")
    }
}

/// One condition: `key op value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub key: String,
    pub op: Op,
    pub value: String,
}

/// Conditions that must all hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub conditions: Vec<Condition>,
}

impl Filter {
    /// Parses `KEY=VALUE,KEY>=N,...`; the error says which part is wrong and what is expected.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut conditions = Vec::new();
        for part in text.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(format!("'{text}': an empty condition (write KEY=VALUE, KEY!=VALUE, KEY<=N, KEY>=N, KEY<N or KEY>N, joined by commas)"));
            }
            let (at, symbol, op) = Op::ALL
                .iter()
                .filter_map(|(symbol, op)| part.find(symbol).map(|at| (at, *symbol, *op)))
                .min_by_key(|(at, symbol, _)| (*at, std::cmp::Reverse(symbol.len())))
                .ok_or_else(|| {
                    format!("'{part}': no comparison (write KEY=VALUE, KEY!=VALUE, KEY<=N, KEY>=N, KEY<N or KEY>N)")
                })?;
            let (key, value) = (part[..at].trim(), part[at + symbol.len()..].trim());
            if key.is_empty() || value.is_empty() {
                return Err(format!("'{part}': a condition needs a key and a value"));
            }
            if matches!(op, Op::Le | Op::Ge | Op::Lt | Op::Gt) && value.parse::<f64>().is_err() {
                return Err(format!("'{part}': {symbol} compares numbers, and '{value}' is not one"));
            }
            conditions.push(Condition {
                key: key.to_string(),
                op,
                value: value.to_string(),
            });
        }
        Ok(Filter { conditions })
    }

    /// `key = value` for every pair (the mapping form of `checks: where:`).
    pub fn equal_to<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Self {
        Filter {
            conditions: pairs
                .into_iter()
                .map(|(key, value)| Condition {
                    key: key.to_string(),
                    op: Op::Eq,
                    value,
                })
                .collect(),
        }
    }

    /// The keys this filter reads, for the caller to check against its columns.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.conditions.iter().map(|c| c.key.as_str())
    }

    /// Whether every condition holds for a row whose column `key` has the text `column(key)`
    /// (`None`: the row has no such column, and the condition fails).
    pub fn matches(&self, column: &dyn Fn(&str) -> Option<String>) -> bool {
        self.conditions
            .iter()
            .all(|c| column(&c.key).is_some_and(|v| c.holds(&v)))
    }
}

impl Condition {
    fn holds(&self, text: &str) -> bool {
        let numbers = text.trim().parse::<f64>().ok().zip(self.value.parse::<f64>().ok());
        match (self.op, numbers) {
            (Op::Eq, Some((a, b))) => a == b,
            (Op::Ne, Some((a, b))) => a != b,
            (Op::Eq, None) => text == self.value,
            (Op::Ne, None) => text != self.value,
            (Op::Le, Some((a, b))) => a <= b,
            (Op::Ge, Some((a, b))) => a >= b,
            (Op::Lt, Some((a, b))) => a < b,
            (Op::Gt, Some((a, b))) => a > b,
            // An ordering on a text that is not a number (`failed` runs' `NaN` is a number).
            (_, None) => false,
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .conditions
            .iter()
            .map(|c| format!("{}{}{}", c.key, c.op.symbol(), c.value))
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str) -> Option<String> {
        match key {
            "cell" => Some("lstm".into()),
            "hidden" => Some("4".into()),
            "lr" => Some("0.1".into()),
            "status" => Some("ok".into()),
            "final_loss" => Some("NaN".into()),
            _ => None,
        }
    }

    #[test]
    fn parses_every_operator_and_joins_with_and() {
        let f = Filter::parse("cell=lstm, hidden>=3,hidden<=4,lr!=0.2,hidden>2,hidden<5").unwrap();
        let ops: Vec<Op> = f.conditions.iter().map(|c| c.op).collect();
        assert_eq!(ops, [Op::Eq, Op::Ge, Op::Le, Op::Ne, Op::Gt, Op::Lt]);
        assert_eq!(f.to_string(), "cell=lstm,hidden>=3,hidden<=4,lr!=0.2,hidden>2,hidden<5");
        assert!(f.matches(&row));
        assert!(!Filter::parse("cell=lstm,hidden>4").unwrap().matches(&row));
        assert!(!Filter::parse("status!=ok").unwrap().matches(&row));
    }

    #[test]
    fn numbers_compare_as_numbers_and_missing_columns_fail() {
        assert!(Filter::parse("lr=0.10").unwrap().matches(&row));
        assert!(Filter::parse("hidden=4.0").unwrap().matches(&row));
        assert!(
            !Filter::parse("final_loss<1").unwrap().matches(&row),
            "NaN is below nothing"
        );
        assert!(!Filter::parse("layers=1").unwrap().matches(&row));
        assert!(Filter::equal_to([("cell", "lstm".to_string()), ("hidden", "4".into())]).matches(&row));
    }

    #[test]
    fn bad_filters_say_what_is_expected() {
        assert!(Filter::parse("hidden").unwrap_err().contains("no comparison"));
        assert!(Filter::parse("hidden>=big").unwrap_err().contains("compares numbers"));
        assert!(Filter::parse("=3").unwrap_err().contains("needs a key"));
        assert!(Filter::parse("cell=lstm,,hidden=2")
            .unwrap_err()
            .contains("empty condition"));
    }
}
