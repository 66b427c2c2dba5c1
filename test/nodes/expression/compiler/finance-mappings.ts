/**
 * Finance-style mappings for the differential tests, each leaning on a
 * different part of JSONata (grouping, joins, parent, order-by, positions,
 * higher-order functions, regexes, transforms, money functions), and a
 * generator of ledger-like documents with the usual data quality problems.
 */
import fc from 'fast-check';

export const FINANCE_EXPRESSIONS: string[] = [
  'orders.lines{ account: $sum(qty * price) }',
  'orders.lines{ account: { "qty": $sum(qty), "skus": [sku] } }',
  'orders.{ "id": id, "total": $round($sum(lines.(qty * price)), 2), "lines": $count(lines) }',
  'orders^(>date, id).id',
  'orders.lines^(account, >price).{ "a": account, "p": price }',
  'orders@$o.(customers)@$c[$c.id = $o.customer].{ "order": $o.id, "name": $c.name }',
  'orders.lines.{ "order": %.id, "sku": sku, "amount": qty * price }',
  '(orders.lines)[%.id = "O1"].sku',
  'orders#$i.{ "n": $i + 1, "id": id }',
  'orders.lines#$j[$j < 2].sku',
  '$map(orders, function($o, $i) { $o.id & "-" & $i })',
  '$reduce(orders.lines.(qty * price), function($acc, $v) { $acc + $v }, 0)',
  '$filter(orders.lines, function($l) { $l.qty > 10 }).sku',
  '$sort(orders.lines, function($a, $b) { $a.price > $b.price }).sku',
  '$formatNumber($sum(orders.lines.price), "#,##0.00")',
  '$join(orders.lines.sku, ", ")',
  'orders.lines[qty > 2 and price < 100].sku',
  'orders[0].lines[-1]',
  '$distinct(orders.lines.account)',
  '$decSum(orders.lines.$decMul(qty, price))',
  '$ ~> |orders.lines|{ "net": qty * price }, ["tax"]|',
  'orders.lines.(tax ? price * (1 + tax) : price)',
  '$lookup($rates, currency) ?? 1',
  '$merge(orders.{ id: $count(lines) })',
  '$each(rates, function($v, $k) { $k & "=" & $v })',
  '$count(orders.lines[account in ["4000", "4010"]])',
  '$sift(rates, function($v) { $v > 1 })',
  '[orders.lines.qty][[0..2]]',
  'orders.lines.{ "d": $fromMillis($toMillis(%.date), "[Y0001]-[M01]-[D01]") }',
  '$match(company, /([A-Z]+)-(\\d+)/)',
  '$replace(company, /\\s+/, "_")',
  '$split(company, "-")',
  '$contains(company, /AB/i)',
  '$map(orders.id, $substring(?, 0, 2))',
  '($f := function($n, $acc) { $n <= 0 ? $acc : $f($n - 1, $acc + $n) }; $f($count(orders.lines), 0))',
  'orders.lines.(qty * price)[$ > 100]',
  'orders.lines.price ~> $sum() ~> $round(2)',
  '$string(orders[0])',
  '$keys(orders[0]) ~> $join("|")',
  '$spread(rates)',
  'orders.lines[sku ~> $contains("-")].{ "s": $uppercase(sku), "t": $type(qty) }',
  'orders.($count(lines) > 1 ? "multi" : "single")',
  '$sum(orders.lines.qty) / $count(orders.lines)',
  '$average(orders.lines.price) ~> $floor()',
  '{ "company": $trim(company), "period": period, "orders": [orders.id] }',
  'orders.lines{ $string(qty): sku }',
  'orders.lines.$pad(sku, 10, "#")',
  '$zip(orders.id, orders.customer)',
  '$number(period.$substring(0, 4)) + 1',
  '$exists(orders.lines.tax) and $not($boolean(orders[0].lines))',
];

const amount = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 5000 }).map((n) => n / 100) },
  { weight: 2, arbitrary: fc.integer({ min: -50, max: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('12.50', '', 'n/a', null, true) },
);

const line = fc.record(
  {
    sku: fc.oneof(fc.constantFrom('STL-400', 'BOLT-M12', 'SVC-HR', 'PAL'), fc.string({ maxLength: 6 })),
    qty: amount,
    price: amount,
    account: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('4000', '4010', '6100') }, { weight: 1, arbitrary: fc.constantFrom(4000, null) }),
    tax: fc.constantFrom(0, 0.25, 0.12),
  },
  { requiredKeys: ['sku'] },
);

const order = fc.record(
  {
    id: fc.constantFrom('O1', 'O2', 'O3', 'O4'),
    customer: fc.constantFrom('C1', 'C2', 'C9'),
    date: fc.oneof(fc.constantFrom('2026-03-14T09:21:33.000Z', '2026-01-02T00:00:00Z', '2025-12-31'), fc.constantFrom('', 'yesterday')),
    lines: fc.oneof({ weight: 5, arbitrary: fc.array(line, { maxLength: 4 }) }, { weight: 1, arbitrary: line }),
  },
  { requiredKeys: ['id'] },
);

/** A ledger-like document: company, period, orders with lines, customers and FX rates. */
export const ledgerDocument: fc.Arbitrary<unknown> = fc.record(
  {
    company: fc.constantFrom('NORDIC-42 AB', 'Fjord AS', 'acme  ltd', ''),
    period: fc.constantFrom('2026-03', '2026-12', 'x'),
    currency: fc.constantFrom('EUR', 'USD', 'SEK', 'XXX'),
    orders: fc.oneof({ weight: 5, arbitrary: fc.array(order, { maxLength: 4 }) }, { weight: 1, arbitrary: order }),
    customers: fc.array(fc.record({ id: fc.constantFrom('C1', 'C2', 'C3'), name: fc.string({ maxLength: 5 }) }), { maxLength: 3 }),
    rates: fc.constant({ EUR: 1, USD: 0.92, SEK: 0.087 }),
  },
  { requiredKeys: ['orders'] },
);
