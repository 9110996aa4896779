//! Routing (docs/carriers.md "Routing"): which connections a message goes through, in
//! which order. A route covers a destination scope — `*`, a country or a number prefix,
//! as price rules do — in the default table or in one account's own pool. For a
//! recipient the most specific route wins, and the account's beats the default table's
//! of the same specificity (the price lists' rule, `PriceScope::specificity`). A route
//! lists connections in failover order, or with weights (one picked by weight, the rest
//! after it in their order), or ordered by cost price (least first). No route: the
//! default connection of the Spin variables, as before routing existed.

use crate::billing::pricing::{select_price, PriceList, PriceRule, PriceScope};
use crate::carriers::connection::{ConnectionError, ConnectionName};
use crate::messaging::recipient::Recipient;
use chrono::{DateTime, Utc};

/// The most connections one route lists.
pub const MAX_ROUTE_CONNECTIONS: usize = 10;
/// The largest weight of a connection in a split.
pub const MAX_WEIGHT: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteMode {
    /// In the order listed: the first, then the next when it fails.
    Failover,
    /// One picked by weight for each message; the others follow in their order.
    Weighted,
    /// Cheapest cost price first (for the recipient, now); those without one last.
    LeastCost,
}

impl RouteMode {
    pub fn parse(text: &str) -> Result<RouteMode, RouteError> {
        match text {
            "failover" => Ok(RouteMode::Failover),
            "weighted" => Ok(RouteMode::Weighted),
            "least_cost" => Ok(RouteMode::LeastCost),
            other => Err(RouteError::InvalidMode(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RouteMode::Failover => "failover",
            RouteMode::Weighted => "weighted",
            RouteMode::LeastCost => "least_cost",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("mode must be failover, weighted or least_cost; '{0}' is not")]
    InvalidMode(String),
    #[error("scope must be '*', a two-letter country, or up to 15 digits; '{0}' is not")]
    InvalidScope(String),
    #[error("a route lists 1 to {MAX_ROUTE_CONNECTIONS} connections")]
    ConnectionCount,
    #[error("connection '{0}' is listed twice")]
    DuplicateConnection(String),
    #[error("a weighted route gives every connection a weight of 0 to {MAX_WEIGHT}, at least one above 0")]
    Weights,
    #[error("only a weighted route takes weights")]
    UnexpectedWeight,
    #[error(transparent)]
    Connection(#[from] ConnectionError),
}

/// One connection of a route as stored and read: its weight (weighted routes), whether
/// it is enabled now, and its cost prices (for least-cost order).
#[derive(Debug, Clone, PartialEq)]
pub struct RouteEntry {
    pub connection: String,
    pub weight: u32,
    pub enabled: bool,
    pub costs: Vec<PriceRule>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub id: i64,
    pub scope: PriceScope,
    /// The default table, or the account's own pool.
    pub list: PriceList,
    pub mode: RouteMode,
    pub entries: Vec<RouteEntry>,
}

/// A route as the operator writes it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub scope: PriceScope,
    pub mode: RouteMode,
    /// Connections in order, with their weights (0 unless weighted).
    pub connections: Vec<(ConnectionName, u32)>,
}

impl RouteSpec {
    pub fn parse(scope: &str, mode: Option<&str>, connections: &[(String, Option<i64>)]) -> Result<RouteSpec, RouteError> {
        let scope = PriceScope::parse(scope).ok_or_else(|| RouteError::InvalidScope(scope.to_owned()))?;
        let mode = mode.map(RouteMode::parse).transpose()?.unwrap_or(RouteMode::Failover);
        if connections.is_empty() || connections.len() > MAX_ROUTE_CONNECTIONS {
            return Err(RouteError::ConnectionCount);
        }
        let mut parsed: Vec<(ConnectionName, u32)> = Vec::with_capacity(connections.len());
        for (name, weight) in connections {
            let name = ConnectionName::parse(name)?;
            if parsed.iter().any(|(n, _)| *n == name) {
                return Err(RouteError::DuplicateConnection(name.as_str().to_owned()));
            }
            let weight = match (mode, weight) {
                (RouteMode::Weighted, Some(w)) => u32::try_from(*w).ok().filter(|w| *w <= MAX_WEIGHT).ok_or(RouteError::Weights)?,
                (RouteMode::Weighted, None) => return Err(RouteError::Weights),
                (_, Some(_)) => return Err(RouteError::UnexpectedWeight),
                (_, None) => 0,
            };
            parsed.push((name, weight));
        }
        if mode == RouteMode::Weighted && parsed.iter().all(|(_, w)| *w == 0) {
            return Err(RouteError::Weights);
        }
        Ok(RouteSpec { scope, mode, connections: parsed })
    }
}

/// The route for `recipient`: the most specific, the account's over the default table's.
pub fn choose_route<'a>(routes: &'a [Route], recipient: &Recipient) -> Option<&'a Route> {
    routes
        .iter()
        .filter_map(|route| route.scope.specificity(recipient).map(|s| ((s, route.list), route)))
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, route)| route)
}

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutePlan {
    /// No route covers it: the default connection (Spin variables).
    Default,
    /// These enabled connections, in the order they are tried.
    Connections(Vec<String>),
    /// A route covers it and none of its connections is enabled: the message is refused.
    NoUsableConnection { scope: String },
}

/// The plan for `recipient` under `routes` at `at`; `random` (any u64, uniformly drawn)
/// picks the first connection of a weighted route.
pub fn plan_route(routes: &[Route], recipient: &Recipient, at: DateTime<Utc>, random: u64) -> RoutePlan {
    let Some(route) = choose_route(routes, recipient) else { return RoutePlan::Default };
    let usable: Vec<&RouteEntry> = route.entries.iter().filter(|e| e.enabled).collect();
    if usable.is_empty() {
        return RoutePlan::NoUsableConnection { scope: route.scope.as_text() };
    }
    let order: Vec<&RouteEntry> = match route.mode {
        RouteMode::Failover => usable,
        RouteMode::Weighted => weighted_order(usable, random),
        RouteMode::LeastCost => {
            let mut by_cost: Vec<(Option<i64>, &RouteEntry)> =
                usable.into_iter().map(|e| (select_price(&e.costs, recipient, at).map(|r| r.per_segment.milli()), e)).collect();
            // Stable: equal costs keep the listed order; no cost price sorts last.
            by_cost.sort_by_key(|(cost, _)| (cost.is_none(), cost.unwrap_or(0)));
            by_cost.into_iter().map(|(_, e)| e).collect()
        }
    };
    RoutePlan::Connections(order.into_iter().map(|e| e.connection.clone()).collect())
}

/// The entry drawn by weight first, then the others in their listed order (a failover
/// after the split). Entries of weight 0 are never drawn, only failed over to.
fn weighted_order(usable: Vec<&RouteEntry>, random: u64) -> Vec<&RouteEntry> {
    let total: u64 = usable.iter().map(|e| u64::from(e.weight)).sum();
    if total == 0 {
        return usable;
    }
    let mut point = random % total;
    let mut picked = 0;
    for (index, entry) in usable.iter().enumerate() {
        let weight = u64::from(entry.weight);
        if point < weight {
            picked = index;
            break;
        }
        point -= weight;
    }
    let mut order = vec![usable[picked]];
    order.extend(usable.iter().enumerate().filter(|(i, _)| *i != picked).map(|(_, e)| *e));
    order
}

/// The connection after `current` in `plan` that `usable` accepts, and those skipped on
/// the way (disabled or gone since the send), or `None` when the plan is exhausted.
pub fn next_connection<'a>(plan: &'a [String], current: &str, usable: impl Fn(&str) -> bool) -> (Option<&'a str>, Vec<&'a str>) {
    let after = plan.iter().position(|c| c == current).map_or(plan.len(), |i| i + 1);
    let mut skipped = Vec::new();
    for candidate in &plan[after..] {
        if usable(candidate) {
            return (Some(candidate), skipped);
        }
        skipped.push(candidate.as_str());
    }
    (None, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::money::Currency;
    use crate::billing::pricing::{EffectivePeriod, UnitPrice};

    fn recipient(number: &str) -> Recipient {
        Recipient::parse(number, crate::messaging::recipient::NumberContext::Msisdn).unwrap()
    }

    fn entry(name: &str, weight: u32) -> RouteEntry {
        RouteEntry { connection: name.into(), weight, enabled: true, costs: vec![] }
    }

    fn route(id: i64, scope: &str, list: PriceList, mode: RouteMode, entries: Vec<RouteEntry>) -> Route {
        Route { id, scope: PriceScope::parse(scope).unwrap(), list, mode, entries }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn cost(scope: &str, milli: i64) -> PriceRule {
        PriceRule {
            scope: PriceScope::parse(scope).unwrap(),
            list: PriceList::Default,
            per_segment: UnitPrice::from_milli(milli, Currency::parse("SEK").unwrap()).unwrap(),
            period: EffectivePeriod { from: now() - chrono::TimeDelta::days(1), to: None },
        }
    }

    fn plan(routes: &[Route], number: &str) -> RoutePlan {
        plan_route(routes, &recipient(number), now(), 0)
    }

    fn connections(names: &[&str]) -> RoutePlan {
        RoutePlan::Connections(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn the_longest_scope_wins_and_the_accounts_pool_beats_the_default_at_equal_length() {
        let routes = vec![
            route(1, "*", PriceList::Default, RouteMode::Failover, vec![entry("any", 0)]),
            route(2, "SE", PriceList::Default, RouteMode::Failover, vec![entry("se", 0)]),
            route(3, "4670", PriceList::Default, RouteMode::Failover, vec![entry("tele2", 0)]),
            route(4, "SE", PriceList::Account, RouteMode::Failover, vec![entry("mine", 0)]),
        ];
        assert_eq!(plan(&routes, "+46701234567"), connections(&["tele2"]), "a prefix beats a country, even the account's");
        assert_eq!(plan(&routes, "+46731234567"), connections(&["mine"]), "the account's country beats the default's");
        assert_eq!(plan(&routes, "+4915112345678"), connections(&["any"]));
        assert_eq!(plan(&routes[1..], "+4915112345678"), RoutePlan::Default, "no route: the default connection");
    }

    #[test]
    fn failover_order_skips_disabled_connections_and_none_left_refuses() {
        let mut down = entry("b", 0);
        down.enabled = false;
        let routes = vec![route(1, "SE", PriceList::Default, RouteMode::Failover, vec![entry("a", 0), down.clone(), entry("c", 0)])];
        assert_eq!(plan(&routes, "+46701234567"), connections(&["a", "c"]));
        let dead = vec![route(1, "SE", PriceList::Default, RouteMode::Failover, vec![down])];
        assert_eq!(plan(&dead, "+46701234567"), RoutePlan::NoUsableConnection { scope: "SE".into() });
    }

    #[test]
    fn a_weighted_route_draws_by_weight_then_fails_over_in_order() {
        let routes = vec![route(1, "*", PriceList::Default, RouteMode::Weighted, vec![entry("a", 1), entry("b", 3), entry("c", 0)])];
        let at = |random| plan_route(&routes, &recipient("+46701234567"), now(), random);
        assert_eq!(at(0), connections(&["a", "b", "c"]));
        assert_eq!(at(1), connections(&["b", "a", "c"]));
        assert_eq!(at(3), connections(&["b", "a", "c"]));
        assert_eq!(at(4), connections(&["a", "b", "c"]), "wraps around the total");
        let firsts: Vec<String> = (0..4000u64)
            .map(|r| match at(r.wrapping_mul(0x9E37_79B9_7F4A_7C15)) {
                RoutePlan::Connections(c) => c[0].clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        let b = firsts.iter().filter(|f| *f == "b").count();
        assert!((2850..=3150).contains(&b), "b has 3/4 of the weight: {b} of 4000");
        assert!(firsts.iter().all(|f| f != "c"), "weight 0 is never drawn");
    }

    #[test]
    fn least_cost_orders_by_the_recipients_cost_price_and_unknown_costs_go_last() {
        let mut a = entry("a", 0);
        a.costs = vec![cost("SE", 30_000), cost("4670", 50_000)];
        let mut b = entry("b", 0);
        b.costs = vec![cost("*", 40_000)];
        let c = entry("c", 0);
        let routes = vec![route(1, "*", PriceList::Default, RouteMode::LeastCost, vec![c, a, b])];
        assert_eq!(plan(&routes, "+46731234567"), connections(&["a", "b", "c"]));
        assert_eq!(plan(&routes, "+46701234567"), connections(&["b", "a", "c"]), "a's prefix cost applies to 4670");
    }

    #[test]
    fn the_next_connection_follows_the_current_and_skips_unusable_ones() {
        let plan: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(next_connection(&plan, "a", |_| true), (Some("b"), vec![]));
        assert_eq!(next_connection(&plan, "a", |c| c != "b"), (Some("c"), vec!["b"]));
        assert_eq!(next_connection(&plan, "c", |_| true), (None, vec![]));
        assert_eq!(next_connection(&plan, "a", |_| false), (None, vec!["b", "c"]));
    }

    #[test]
    fn route_specs_are_checked() {
        let list = |items: &[(&str, Option<i64>)]| items.iter().map(|(n, w)| (n.to_string(), *w)).collect::<Vec<_>>();
        let spec = RouteSpec::parse("4670", None, &list(&[("a", None), ("b", None)])).unwrap();
        assert_eq!((spec.mode, spec.connections.len()), (RouteMode::Failover, 2));
        assert!(RouteSpec::parse("4670", Some("weighted"), &list(&[("a", Some(1)), ("b", Some(0))])).is_ok());
        assert_eq!(RouteSpec::parse("SE", Some("weighted"), &list(&[("a", None)])), Err(RouteError::Weights));
        assert_eq!(RouteSpec::parse("SE", Some("weighted"), &list(&[("a", Some(0))])), Err(RouteError::Weights));
        assert_eq!(RouteSpec::parse("SE", Some("weighted"), &list(&[("a", Some(-1))])), Err(RouteError::Weights));
        assert_eq!(RouteSpec::parse("SE", None, &list(&[("a", Some(2))])), Err(RouteError::UnexpectedWeight));
        assert_eq!(RouteSpec::parse("SE", None, &list(&[])), Err(RouteError::ConnectionCount));
        assert_eq!(RouteSpec::parse("SE", None, &list(&[("a", None), ("a", None)])), Err(RouteError::DuplicateConnection("a".into())));
        assert!(matches!(RouteSpec::parse("Sweden", None, &list(&[("a", None)])), Err(RouteError::InvalidScope(_))));
        assert!(matches!(RouteSpec::parse("SE", Some("cheapest"), &list(&[("a", None)])), Err(RouteError::InvalidMode(_))));
        assert!(matches!(RouteSpec::parse("SE", None, &list(&[("http", None)])), Err(RouteError::Connection(_))));
    }
}
