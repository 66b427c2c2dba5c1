/**
 * Random JSONata expressions for differential fuzzing: paths with predicates,
 * focus, index, parent and order-by, grouping, operators, conditions, blocks
 * with variables, lambdas and higher-order functions, partial application,
 * transforms, regexes — over a small document with orders, products and tags.
 * Depth-limited; no recursion, so every expression terminates quickly.
 */
import fc from 'fast-check';

export const FUZZ_DOCUMENT = {
  Account: {
    Name: 'Firefly',
    Order: [
      {
        OrderID: 'order103',
        Product: [
          { Name: 'Bowler Hat', SKU: '0406654608', Price: 34.45, Quantity: 2, Tags: ['hat', 'black'] },
          { Name: 'Trilby hat', SKU: '0406634348', Price: 21.67, Quantity: 1, Tags: 'hat' },
        ],
      },
      {
        OrderID: 'order104',
        Product: [
          { Name: 'Bowler Hat', SKU: '040657863', Price: 34.45, Quantity: 4, Tags: [] },
          { Name: 'Cloak', SKU: '0406654603', Price: 107.99, Quantity: 1, Note: null },
        ],
      },
    ],
  },
  codes: ['A-1', 'b-22', 'C-333'],
  n: 3,
  flag: false,
  empty: {},
};

const NAMES = ['Account', 'Order', 'Product', 'Name', 'SKU', 'Price', 'Quantity', 'Tags', 'OrderID', 'Note', 'codes', 'n', 'flag', 'empty', 'missing'];
const VARS = ['$x', '$y', '$v', '$i', '$o'];

const name = fc.constantFrom(...NAMES);
const literal = fc.oneof(
  fc.integer({ min: -3, max: 12 }).map(String),
  fc.constantFrom('0.5', '2.25', '"a"', '"hat"', '""', '"order104"', 'true', 'false', 'null', '"A-1"'),
);

/** Expressions up to a nesting depth. */
export function expression(maxDepth = 4): fc.Arbitrary<string> {
  const { expr } = fc.letrec<{ expr: string; path: string; step: string }>((tie) => ({
    step: fc.oneof(
      { weight: 6, arbitrary: name },
      { weight: 1, arbitrary: fc.constant('*') },
      { weight: 1, arbitrary: fc.constantFrom('%', '%.OrderID') },
      { weight: 1, arbitrary: tie('expr').map((e) => `(${e})`) },
    ),
    path: fc.tuple(name, fc.array(fc.tuple(tie('step'), fc.integer({ min: 0, max: 9 }), tie('expr')), { maxLength: 3 })).map(([first, rest]) => {
      let p = first;
      for (const [step, kind, pred] of rest) {
        p += `.${step}`;
        if (kind === 1) p += `[${pred}]`;
        else if (kind === 2) p += `[${Math.floor(Math.random() * 3) - 1}]`;
        else if (kind === 3) p += '[]';
        else if (kind === 4) p += '@$o';
        else if (kind === 5) p += '#$i';
        else if (kind === 6) p += `^(${pred})`;
      }
      return p;
    }),
    expr: fc.oneof(
      { depthSize: 'small', maxDepth, withCrossShrink: true },
      { weight: 3, arbitrary: literal },
      { weight: 5, arbitrary: tie('path') },
      { weight: 2, arbitrary: fc.constantFrom('$', '$$', ...VARS, '**.Price', 'Account.Order.Product.Price', 'codes') },
      { weight: 3, arbitrary: fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'and', 'or', '&', 'in'), tie('expr')).map(([a, op, b]) => `(${a} ${op} ${b})`) },
      { weight: 1, arbitrary: tie('expr').map((e) => `-(${e})`) },
      { weight: 2, arbitrary: fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`) },
      // (the left side is a path: jsonata copies it through JSON, which turns a regex in it into `{}`)
      { weight: 1, arbitrary: fc.tuple(tie('path'), fc.constantFrom('?:', '??'), tie('expr')).map(([a, op, b]) => `(${a} ${op} ${b})`) },
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...UNARY_FUNCTIONS), tie('expr')).map(([f, a]) => `${f}(${a})`) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...BINARY_FUNCTIONS), tie('expr'), tie('expr')).map(([f, a, b]) => `${f}(${a}, ${b})`) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...HOFS), tie('expr'), tie('expr')).map(([f, a, body]) => f.replace('ARG', a).replace('BODY', body)) },
      { weight: 2, arbitrary: fc.array(tie('expr'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`) },
      { weight: 2, arbitrary: fc.array(fc.tuple(fc.constantFrom('"k"', '"a"', '"b"', 'Name', 'OrderID', '$string(Quantity)'), tie('expr')), { maxLength: 3 }).map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`) },
      { weight: 1, arbitrary: fc.tuple(tie('path'), fc.constantFrom('Name', 'OrderID', '$string(Quantity)', 'SKU'), tie('expr')).map(([p, k, v]) => `${p}{${k}: ${v}}`) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...VARS), tie('expr'), tie('expr')).map(([v, a, b]) => `(${v} := ${a}; ${b})`) },
      { weight: 1, arbitrary: fc.tuple(tie('expr'), tie('expr')).map(([body, arg]) => `function($v) { ${body} }(${arg})`) },
      { weight: 1, arbitrary: fc.tuple(tie('expr'), fc.constantFrom('$string()', '$count()', '$uppercase()', '$sum()', '$substring(1)')).map(([a, f]) => `(${a}) ~> ${f}`) },
      { weight: 1, arbitrary: fc.tuple(tie('path'), tie('expr')).map(([p, v]) => `$ ~> |${p}|{"changed": ${v}}, ["Tags"]|`) },
      { weight: 1, arbitrary: tie('expr').map((a) => `$substring(?, 1)(${a})`) },
      { weight: 1, arbitrary: fc.tuple(tie('expr'), fc.constantFrom('/a/', '/[0-9]+/', '/^([A-Za-z])-(\\d+)$/i')).map(([a, r]) => `$match(${a}, ${r})`) },
      { weight: 1, arbitrary: fc.constantFrom('[1..3]', '[0..n]', 'codes[[0..1]]', '$count([1..5])') },
    ),
  }));
  return expr;
}

const UNARY_FUNCTIONS = [
  '$sum', '$count', '$max', '$min', '$average', '$string', '$number', '$uppercase', '$lowercase', '$length', '$trim',
  '$exists', '$boolean', '$not', '$keys', '$reverse', '$distinct', '$sort', '$abs', '$floor', '$ceil', '$type',
  '$spread', '$merge', '$each', '$round', '$formatBase', '$base64encode', '$encodeUrl', '$string',
];

const BINARY_FUNCTIONS = [
  '$substring', '$join', '$lookup', '$append', '$round', '$contains', '$split', '$pad', '$zip', '$power',
  '$substringBefore', '$substringAfter', '$formatNumber', '$replace',
];

const HOFS = [
  '$map(ARG, function($v) { BODY })',
  '$filter(ARG, function($v, $i) { BODY })',
  '$reduce(ARG, function($x, $y) { BODY })',
  '$sort(ARG, function($x, $y) { BODY })',
  '$sift(ARG, function($v) { BODY })',
  '$each(ARG, function($v, $k) { BODY })',
  '$single(ARG, function($v) { BODY })',
];
