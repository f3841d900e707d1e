// Answers of pure functions kept for their most recently asked keys (lru-cache): for work that
// costs far more than a look-up and is asked again and again with few distinct inputs (a zone's
// validity, a zone's window bounds for a day, a country's holidays on a date). Left module-level on
// purpose: pure functions of their inputs hold no connection or handle for a context to close.
import { LRUCache } from 'lru-cache';

/** `fn`, remembering its answer per `key(...args)` for the `max` most recently used keys. */
export function memoize<A extends unknown[], V extends NonNullable<unknown>>(
  max: number,
  key: (...args: A) => string,
  fn: (...args: A) => V,
): (...args: A) => V {
  const cache = new LRUCache<string, V>({ max });
  return (...args) => {
    const k = key(...args);
    let v = cache.get(k);
    if (v === undefined) {
      v = fn(...args);
      cache.set(k, v);
    }
    return v;
  };
}
