import { writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MANIFEST_LIMITS, digestRange, parseManifest, verifyManifestEntry } from "../../../src/inputs/manifest.js";
import { V2vError } from "../../../src/model/errors.js";
import { makeTempDir, sha1, sha256 } from "./ova-fixtures.js";

const H1 = "a".repeat(40);
const H256 = "B".repeat(64);

describe("parseManifest", () => {
  test("reads SHA1 and SHA256 lines, lower-casing digests", () => {
    const m = parseManifest(`SHA1(vm.ovf)= ${H1}\nSHA256(vm-disk1.vmdk)= ${H256}\n`);
    expect(m.entries).toEqual([
      { file: "vm.ovf", algorithm: "sha1", digest: H1 },
      { file: "vm-disk1.vmdk", algorithm: "sha256", digest: H256.toLowerCase() },
    ]);
    expect(m.badLines).toEqual([]);
  });

  test("accepts SHA-1/SHA-256 spellings, CRLF line ends and spacing around =", () => {
    const m = parseManifest(`SHA-1(a.ovf)=${H1}\r\nSHA-256(sub dir/b.vmdk) = ${H256}\r\n\r\n`);
    expect(m.entries.map((e) => [e.algorithm, e.file])).toEqual([["sha1", "a.ovf"], ["sha256", "sub dir/b.vmdk"]]);
    expect(m.badLines).toEqual([]);
  });

  test("other non-empty lines are reported by 1-based number, never by their text", () => {
    const m = parseManifest(`MD5(a.ovf)= 0123\r\nSHA1(a.ovf)= abc\r\n\n  \t\r\ngarbage\x1b[2J\nSHA1(b.ovf)= ${H1}`);
    expect(m.entries).toEqual([{ file: "b.ovf", algorithm: "sha1", digest: H1 }]);
    expect(m.badLines).toEqual([1, 2, 5]);
    expect(m.badLineCount).toBe(3);
    expect(JSON.stringify(m)).not.toMatch(/MD5|garbage|abc/);
  });

  test("lines over 4096 characters are bad without being matched; so is every line past 10000", () => {
    const long = `SHA1(${"a".repeat(5000)})= ${H1}`;
    const m = parseManifest(`${long}\nSHA1(ok)= ${H1}\n`);
    expect(m.badLines).toEqual([1]);
    expect(m.entries.map((e) => e.file)).toEqual(["ok"]);
    const many = parseManifest(Array.from({ length: 10_005 }, (_, i) => `SHA1(f${i})= ${H1}`).join("\n"));
    expect(many.entries).toHaveLength(MANIFEST_LIMITS.lines);
    expect(many.badLines).toEqual([10_001, 10_002, 10_003, 10_004, 10_005]);
  });

  test("a huge garbage manifest: linear time, at most 100 line numbers listed, the total counted", () => {
    const started = Date.now();
    const m = parseManifest(`${"x\n".repeat(1_000_000)}${"(".repeat(10_000_000)}`);
    // Instrumented code (npm run mutate) runs several times slower: vitest.stryker.config.ts says how much.
    expect(Date.now() - started).toBeLessThan(5000 * Number(process.env["V2V_TEST_TIME_FACTOR"] ?? 1));
    expect(m.badLines).toHaveLength(MANIFEST_LIMITS.listedBadLines);
    expect(m.badLines.slice(0, 3)).toEqual([1, 2, 3]);
    expect(m.badLineCount).toBe(1_000_001);
  });
});

describe("digests, streamed", () => {
  let dir: string;
  let file: string;
  const data = Buffer.from("0123456789".repeat(1000));
  beforeAll(async () => {
    dir = await makeTempDir();
    file = join(dir, "blob");
    await writeFile(file, data);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("whole file and byte range", async () => {
    expect(await digestRange({ path: file }, "sha256")).toBe(sha256(data));
    expect(await digestRange({ path: file, offset: 512, sizeBytes: 1000 }, "sha1")).toBe(sha1(data.subarray(512, 1512)));
    expect(await digestRange({ path: file, offset: 7, sizeBytes: 0 }, "sha1")).toBe(sha1(""));
  });

  test("a matching entry passes; a mismatch is CHECKSUM naming the OVA and the file", async () => {
    await verifyManifestEntry({ file: "blob", algorithm: "sha256", digest: sha256(data) }, { path: file }, "x.ova");
    const wrong = { file: "disk1.vmdk", algorithm: "sha1" as const, digest: "0".repeat(40) };
    const err = await verifyManifestEntry(wrong, { path: file }, "x.ova").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).code).toBe("CHECKSUM");
    expect((err as V2vError).message).toContain("x.ova: corrupt OVA: checksum of disk1.vmdk does not match the manifest");
    expect((err as V2vError).message).toContain(sha1(data));
  });
});
