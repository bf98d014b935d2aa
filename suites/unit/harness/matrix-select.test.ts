// Choosing cells: a name filter, and shards that depend on each cell's name only.
import { describe, expect, test } from "vitest";
import { filterCells, parseShard, selectShard, shardOf } from "../../../src/harness/matrix/load.js";

const names = (n: number): { name: string }[] =>
  Array.from({ length: n }, (_, i) => ({ name: `debian-${11 + (i % 3)}-v${i}/i-${i % 2 ? "ova" : "disk"}/o-local` }));

describe("filterCells", () => {
  const cells = [{ name: "debian-12-bios/i-ova/o-local" }, { name: "debian-12-uefi/i-disk/o-qemu" }, { name: "debian-11-bios/i-ova/o-null" }];
  test("keeps the names the regex matches anywhere, in order", () => {
    expect(filterCells(cells, "i-ova").map((c) => c.name)).toEqual(["debian-12-bios/i-ova/o-local", "debian-11-bios/i-ova/o-null"]);
    expect(filterCells(cells, "^debian-12-.*o-(qemu|local)$").map((c) => c.name)).toEqual(["debian-12-bios/i-ova/o-local", "debian-12-uefi/i-disk/o-qemu"]);
  });
  test("no filter keeps everything", () => {
    expect(filterCells(cells, undefined)).toEqual(cells);
    expect(filterCells(cells, "")).toEqual(cells);
  });
  test("an invalid regex names the option and the fix", () => {
    expect(() => filterCells(cells, "o-(local")).toThrow(/^--filter "o-\(local" is not a valid regular expression .*; fix the pattern$/);
  });
});

describe("shards", () => {
  test("parseShard reads i/n and refuses the rest", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShard(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
    for (const bad of ["0/4", "5/4", "2", "a/b", "1/0", "-1/4"]) {
      expect(() => parseShard(bad), bad).toThrow(/is not a shard; write i\/n with 1 <= i <= n/);
    }
  });

  test("the shards of a matrix are disjoint and together hold every cell once", () => {
    const cells = names(56);
    const parts = [1, 2, 3, 4].map((index) => selectShard(cells, { index, count: 4 }).map((c) => c.name));
    expect(parts.flat().sort()).toEqual(cells.map((c) => c.name).sort());
    expect(parts.every((p) => p.length > 0)).toBe(true);
  });

  test("adding cells never moves an existing cell to another shard", () => {
    const before = names(40);
    const after = [...before, ...names(60).slice(40)];
    for (const c of before) {
      const inBefore = [1, 2, 3].find((index) => selectShard(before, { index, count: 3 }).includes(c));
      const inAfter = [1, 2, 3].find((index) => selectShard(after, { index, count: 3 }).includes(c));
      expect(inAfter, c.name).toBe(inBefore);
    }
  });

  test("the assignment is a fixed function of the name (every machine computes the same shards)", () => {
    expect(["debian-12-bios/i-ova/o-local", "debian-12-bios/i-disk/o-qemu", "debian-11-bios/i-ova/o-null", "debian-13-bios/i-disk/o-json"].map((n) => shardOf(n, 4)))
      .toEqual(SHARDS_OF_4);
  });

  test("no shard keeps everything", () => {
    const cells = names(5);
    expect(selectShard(cells, undefined)).toEqual(cells);
  });
});

/** sha256(name) mod 4, pinned: changing the hash would reshuffle CI shards between versions. */
const SHARDS_OF_4 = [3, 2, 1, 3];
