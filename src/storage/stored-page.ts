import type { ListQuery, Page } from './ports.js';

/** A stored record as both adapters keep it: its JSON text and its sort key. */
export interface StoredRow {
  /** A number, or the decimal text of a PostgreSQL bigint. */
  seq: number | string;
  body: string;
}

/**
 * Fills a page, newest first, by count and by size (the first record always
 * fits). Rows are taken one at a time, so a source that yields them lazily
 * never loads a record past the budget; the row after a full page tells that
 * more follow.
 */
export function pageOf<T>(rows: Iterable<StoredRow>, query: ListQuery): Page<T> {
  const items: T[] = [];
  let bytes = 0;
  let lastSeq = 0;
  for (const row of rows) {
    const size = Buffer.byteLength(row.body);
    if (items.length === query.limit || (items.length > 0 && bytes + size > query.maxBytes)) {
      return { items, nextAfter: lastSeq };
    }
    items.push(JSON.parse(row.body) as T);
    bytes += size;
    lastSeq = Number(row.seq);
  }
  return { items, nextAfter: null };
}
