/**
 * One line of documentation per function an expression can call: JSONata's
 * built-ins (2.2) and our own (money, reference data). The designer's
 * expression editor uses it for autocomplete and hover help.
 */

export interface FunctionDoc {
  /** Name as written in an expression, with `$`. */
  name: string;
  /** Call shape with argument names; `[x]` marks an optional argument. */
  signature: string;
  description: string;
  group: 'money' | 'reference' | 'aggregation' | 'string' | 'numeric' | 'boolean' | 'array' | 'object' | 'date' | 'higher-order' | 'other';
  /** True for our own functions, false for JSONata's built-ins. */
  custom: boolean;
}

type Row = [name: string, signature: string, description: string];

function rows(group: FunctionDoc['group'], custom: boolean, list: Row[]): FunctionDoc[] {
  return list.map(([name, signature, description]) => ({ name, signature, description, group, custom }));
}

/** Every function an expression may call, custom ones first. */
export const FUNCTION_DOCS: readonly FunctionDoc[] = [
  ...rows('money', true, [
    ['$decAdd', '$decAdd(a, b, …) → string', 'Exact decimal sum of two or more amounts (numbers or decimal strings), at their largest scale ("1000.00" + "0.5" → "1000.50").'],
    ['$decSub', '$decSub(a, b) → string', 'Exact decimal difference a − b, at the larger scale of the two.'],
    ['$decMul', '$decMul(a, b) → string', 'Exact decimal product a × b, at the sum of their scales ("12.50" × 2 → "25.00").'],
    ['$decDiv', '$decDiv(a, b[, scale]) → string', 'Decimal quotient a ÷ b: with exactly scale decimals (rounded half-even) when given, else at least the scale of a.'],
    ['$decRound', '$decRound(a, scale) → string', 'Rounds to exactly scale decimals, half to even ("2.345", 2 → "2.34"; "2.5", 2 → "2.50").'],
    ['$decFormat', '$decFormat(a, scale) → string', 'Formats with exactly scale decimals, rounding half to even ("2.5", 2 → "2.50").'],
    ['$decCmp', '$decCmp(a, b) → number', 'Compares two amounts exactly: -1, 0 or 1.'],
    ['$decEq', '$decEq(a, b) → boolean', 'True when two amounts are equal ("1.50" and 1.5 are).'],
    ['$decSum', '$decSum(list) → string', 'Exact decimal sum of a list of amounts, at their largest scale; "0" for an empty list.'],
    ['$decNeg', '$decNeg(a) → string', 'The amount with its sign reversed, at its scale ("1000.00" → "-1000.00").'],
    ['$decAbs', '$decAbs(a) → string', 'The amount without its sign, at its scale.'],
  ]),
  ...rows('reference', true, [
    ['$ref', '$ref(set, key[, date]) → object', 'The row of reference data set `set` with this key, or nothing when there is none. A composite key is a list ([$.entity, $.account]); a set with effective dates needs the record\'s date.'],
    ['$refAll', '$refAll(set, key[, date]) → array', 'Every row of reference data set `set` with this key (one-to-many sets), valid at the date when the set has effective dates.'],
    ['$inRef', '$inRef(set, key[, date]) → boolean', 'True when the key (or every key of a list) exists in reference data set `set` (valid at the date for a dated set).'],
  ]),
  ...rows('aggregation', false, [
    ['$sum', '$sum(array) → number', 'Sum of an array of numbers (floating point; use $decSum for money).'],
    ['$count', '$count(array) → number', 'Number of items in an array.'],
    ['$max', '$max(array) → number', 'Largest number in an array.'],
    ['$min', '$min(array) → number', 'Smallest number in an array.'],
    ['$average', '$average(array) → number', 'Mean of an array of numbers.'],
  ]),
  ...rows('string', false, [
    ['$string', '$string(arg[, prettify]) → string', 'Converts a value to a string (objects and arrays as JSON).'],
    ['$length', '$length(str) → number', 'Number of characters in a string.'],
    ['$substring', '$substring(str, start[, length]) → string', 'Part of a string from start (0-based; negative counts from the end).'],
    ['$substringBefore', '$substringBefore(str, chars) → string', 'The part of a string before the first occurrence of chars.'],
    ['$substringAfter', '$substringAfter(str, chars) → string', 'The part of a string after the first occurrence of chars.'],
    ['$uppercase', '$uppercase(str) → string', 'The string in upper case.'],
    ['$lowercase', '$lowercase(str) → string', 'The string in lower case.'],
    ['$trim', '$trim(str) → string', 'Removes leading and trailing whitespace and collapses inner runs to one space.'],
    ['$pad', '$pad(str, width[, char]) → string', 'Pads to width characters (negative width pads on the left).'],
    ['$contains', '$contains(str, pattern) → boolean', 'True when the string contains the text or matches the regex.'],
    ['$split', '$split(str, separator[, limit]) → array', 'Splits a string into an array at a text or regex separator.'],
    ['$join', '$join(array[, separator]) → string', 'Joins an array of strings with an optional separator.'],
    ['$match', '$match(str, pattern[, limit]) → array', 'Regex matches in a string, with groups and positions.'],
    ['$replace', '$replace(str, pattern, replacement[, limit]) → string', 'Replaces text or regex matches.'],
    ['$eval', '$eval(expr[, context]) → any', 'Evaluates a JSONata expression given as a string.'],
    ['$base64encode', '$base64encode(str) → string', 'Base64-encodes a string.'],
    ['$base64decode', '$base64decode(str) → string', 'Decodes a base64 string.'],
    ['$encodeUrlComponent', '$encodeUrlComponent(str) → string', 'Encodes a URL component (query value).'],
    ['$encodeUrl', '$encodeUrl(str) → string', 'Encodes a full URL.'],
    ['$decodeUrlComponent', '$decodeUrlComponent(str) → string', 'Decodes a URL component.'],
    ['$decodeUrl', '$decodeUrl(str) → string', 'Decodes a full URL.'],
  ]),
  ...rows('numeric', false, [
    ['$number', '$number(arg) → number', 'Converts a string or boolean to a number.'],
    ['$abs', '$abs(number) → number', 'Absolute value.'],
    ['$floor', '$floor(number) → number', 'Rounds down to a whole number.'],
    ['$ceil', '$ceil(number) → number', 'Rounds up to a whole number.'],
    ['$round', '$round(number[, precision]) → number', 'Rounds half to even to precision decimals (floating point; use $decRound for money).'],
    ['$power', '$power(base, exponent) → number', 'base raised to exponent.'],
    ['$sqrt', '$sqrt(number) → number', 'Square root.'],
    ['$random', '$random() → number', 'A pseudo-random number from 0 (inclusive) to 1 (exclusive).'],
    ['$formatNumber', '$formatNumber(number, picture[, options]) → string', 'Formats a number with a decimal picture, e.g. "#,##0.00".'],
    ['$formatBase', '$formatBase(number[, radix]) → string', 'Formats a number in another base (2–36).'],
    ['$formatInteger', '$formatInteger(number, picture) → string', 'Formats an integer with a picture, e.g. "000" or "w" for words.'],
    ['$parseInteger', '$parseInteger(str, picture) → number', 'Parses an integer written with a picture.'],
  ]),
  ...rows('boolean', false, [
    ['$boolean', '$boolean(arg) → boolean', 'Converts a value to a boolean by JSONata casting rules.'],
    ['$not', '$not(arg) → boolean', 'Logical NOT of the value cast to boolean.'],
    ['$exists', '$exists(arg) → boolean', 'True when the value exists (is not missing).'],
  ]),
  ...rows('array', false, [
    ['$append', '$append(array1, array2) → array', 'Joins two arrays (or values) into one array.'],
    ['$sort', '$sort(array[, function]) → array', 'Sorts an array, optionally with a comparator function($l, $r).'],
    ['$reverse', '$reverse(array) → array', 'The array in reverse order.'],
    ['$shuffle', '$shuffle(array) → array', 'The array in random order.'],
    ['$distinct', '$distinct(array) → array', 'The array without duplicate values.'],
    ['$zip', '$zip(array1, …) → array', 'Convolves arrays: an array of arrays of items at the same index.'],
  ]),
  ...rows('object', false, [
    ['$keys', '$keys(object) → array', 'The keys of an object (or of every object in an array).'],
    ['$lookup', '$lookup(object, key) → any', 'The value of key in an object (or in every object in an array).'],
    ['$spread', '$spread(object) → array', 'Splits an object into an array of single-key objects.'],
    ['$merge', '$merge(array) → object', 'Merges an array of objects into one object.'],
    ['$each', '$each(object, function) → array', 'Calls function($value, $key) for each entry of an object.'],
    ['$sift', '$sift(object, function) → object', 'The entries of an object for which function($value, $key) is true.'],
    ['$type', '$type(value) → string', 'The type of a value: "string", "number", "boolean", "null", "array", "object" or "function".'],
    ['$clone', '$clone(value) → any', 'A deep copy of an object or array.'],
    ['$error', '$error([message]) → never', 'Stops the expression with an error message.'],
    ['$assert', '$assert(condition[, message]) → never', 'Stops with the message when the condition is false.'],
  ]),
  ...rows('date', false, [
    ['$now', '$now([picture[, timezone]]) → string', 'The current time as an ISO 8601 timestamp (the same for the whole evaluation).'],
    ['$millis', '$millis() → number', 'The current time in milliseconds since the Unix epoch.'],
    ['$fromMillis', '$fromMillis(number[, picture[, timezone]]) → string', 'Formats epoch milliseconds as ISO 8601 or with a picture.'],
    ['$toMillis', '$toMillis(timestamp[, picture]) → number', 'Parses an ISO 8601 (or pictured) timestamp into epoch milliseconds.'],
  ]),
  ...rows('higher-order', false, [
    ['$map', '$map(array, function) → array', 'Applies function($value, $index, $array) to each item.'],
    ['$filter', '$filter(array, function) → array', 'The items for which function($value, $index, $array) is true.'],
    ['$single', '$single(array[, function]) → any', 'The one item that matches; an error when none or several do.'],
    ['$reduce', '$reduce(array, function[, init]) → any', 'Folds an array with function($accumulator, $value).'],
  ]),
];
