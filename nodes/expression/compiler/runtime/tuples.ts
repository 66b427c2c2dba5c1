/**
 * Tuple streams at run time (evaluateTupleStep, evaluateStages,
 * reduceTupleStream): each tuple is a prototype-less object of bindings with
 * the current item under '@'.
 */
import { append, seq, type Seq } from './values.ts';

type Tuple = Record<string, unknown>;

/** An empty tuple stream. */
export function tupleSeq(): Seq {
  const s = seq();
  s.tupleStream = true;
  return s;
}

/** The tuples of the first tuple step: one per input item. */
export function initialTuples(input: unknown[]): Tuple[] {
  return input.map((item) => {
    const t: Tuple = Object.create(null);
    t['@'] = item;
    return t;
  });
}

/** Adds the tuples one step makes from tuple `tb` and the step's value `res`. */
export function tuplePush(result: Tuple[], tb: Tuple, res: any, focus?: string, index?: string, label?: string): void {
  const arr = Array.isArray(res) ? res : [res];
  const merge = (arr as Seq).tupleStream === true;
  for (let bb = 0; bb < arr.length; bb++) {
    const tuple: Tuple = Object.assign(Object.create(null), tb);
    if (merge) Object.assign(tuple, arr[bb]);
    else {
      if (focus !== undefined) {
        tuple[focus] = arr[bb];
        tuple['@'] = tb['@'];
      } else tuple['@'] = arr[bb];
      if (index !== undefined) tuple[index] = bb;
      if (label !== undefined) tuple[label] = tb['@'];
    }
    result.push(tuple);
  }
}

/** An index stage (`#$i` after a predicate): numbers the tuples in place. */
export function indexTuples(tuples: Tuple[], name: string): void {
  for (let i = 0; i < tuples.length; i++) tuples[i][name] = i;
}

/** Order-by as the first tuple step: tuples of the sorted items, numbered. */
export function indexedTuples(sorted: unknown[], index: string | undefined): Seq {
  const result = tupleSeq();
  for (let i = 0; i < sorted.length; i++) {
    const tuple: Tuple = Object.create(null);
    tuple['@'] = sorted[i];
    tuple[String(index)] = i;
    result.push(tuple);
  }
  return result;
}

/** The values of a tuple stream (its '@' items). */
export function tupleValues(tuples: Tuple[]): Seq {
  const result = seq();
  for (let i = 0; i < tuples.length; i++) result.push(tuples[i]['@']);
  return result;
}

/** reduceTupleStream: the tuples of one group merged; '@' taken out as the context. */
export function reduceTuples(data: any): { tuple: Tuple; context: unknown } {
  let tuple: Tuple;
  if (!Array.isArray(data)) tuple = data;
  else {
    tuple = Object.assign(Object.create(null), data[0]);
    for (let i = 1; i < data.length; i++) {
      for (const prop of Object.keys(data[i])) tuple[prop] = append(tuple[prop], data[i][prop]);
    }
  }
  const context = tuple['@'];
  delete tuple['@'];
  return { tuple, context };
}
