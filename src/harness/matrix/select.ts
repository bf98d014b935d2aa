// Pure: choose which cells of a matrix run here: a name filter (regex) and a shard i/n. A cell's
// shard depends on its name only, so adding or removing cells never moves the others.
import { createHash } from "node:crypto";
import { badOption } from "../../model/errors.js";

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Cells whose name matches `pattern` (a JavaScript regular expression, unanchored). */
export function filterCells<T extends { readonly name: string }>(cells: readonly T[], pattern: string | undefined): T[] {
  if (pattern === undefined || pattern === "") return [...cells];
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw badOption(`--filter "${pattern}" is not a valid regular expression (${(e as Error).message}); fix the pattern`);
  }
  return cells.filter((c) => re.test(c.name));
}

/** "2/4" -> {index: 2, count: 4}. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw badOption(`--shard "${text}" is not a shard; write i/n with 1 <= i <= n, e.g. --shard 2/4`);
  }
  return { index, count };
}

/** The 1-based shard of a cell name among `count`: from a hash of the name alone. */
export function shardOf(name: string, count: number): number {
  const h = createHash("sha256").update(name).digest();
  return (h.readUInt32BE(0) % count) + 1;
}

/** The cells of shard i/n, in their original order. */
export function selectShard<T extends { readonly name: string }>(cells: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...cells];
  return cells.filter((c) => shardOf(c.name, shard.count) === shard.index);
}
