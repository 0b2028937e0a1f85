/** A list cut to a cap, remembering how many items there were. */
export interface CappedList<T> {
  items: T[];
  /** Whether items were left out. */
  truncated: boolean;
  /** How many items there were before the cap, when known. */
  total: number;
}

/** Keeps the first `max` items of `items`. */
export function capList<T>(items: readonly T[], max: number): CappedList<T> {
  if (items.length <= max) return { items: [...items], truncated: false, total: items.length };
  return { items: items.slice(0, max), truncated: true, total: items.length };
}
