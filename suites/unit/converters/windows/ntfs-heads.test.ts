// NT 5's NTFS boot sector geometry: the heads value by disk size at its exact boundaries, the
// partition → disk rule, the NTFS test, and the refusal to touch what is not a partition.
import { describe, expect, test } from "vitest";
import { biosHeadsFor, fixNtfsHeads, isNtfsBootSector, wholeDiskOf } from "../../../../src/converters/windows/ntfs-heads.js";
import { StepLog } from "../../../../src/converters/step-log.js";
import { RecordingReporter } from "../../../../src/model/messages.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeGuest } from "../../fakes/fake-guest.js";

describe("biosHeadsFor", () => {
  test.each([
    [0, 0x40], [2114445311, 0x40], [2114445312, 0x80], [4228374779, 0x80], [4228374780, 0xff], [2 ** 40, 0xff],
  ])("%d bytes → %d heads", (bytes, heads) => expect(biosHeadsFor(bytes)).toBe(heads));
});

describe("wholeDiskOf", () => {
  test.each([
    ["/dev/sda1", "/dev/sda"], ["/dev/sdb12", "/dev/sdb"], ["/dev/vda2", "/dev/vda"], ["/dev/sdaa3", "/dev/sdaa"],
  ])("%s is on %s", (part, disk) => expect(wholeDiskOf(part)).toBe(disk));
  test.each(["/dev/sda", "/dev/mapper/vg-root", "/dev/sda0", "/dev/md0p1", "sda1"])("%s is not a partition of a disk", (dev) => expect(wholeDiskOf(dev)).toBeUndefined());
});

test("isNtfsBootSector: the OEM id at offset 3 of a whole sector", () => {
  const s = Buffer.alloc(512);
  s.write("NTFS    ", 3, "latin1");
  expect(isNtfsBootSector(s)).toBe(true);
  expect(isNtfsBootSector(s.subarray(0, 511))).toBe(false);
  s.write("NTFS", 2, "latin1");
  expect(isNtfsBootSector(s)).toBe(false);
});

test("a root that is not a partition: a note, nothing read or written", async () => {
  const g = new FakeGuest({ deviceBytes: { "/dev/mapper/root": Buffer.alloc(512) } });
  const reporter = new RecordingReporter();
  const log = new StepLog(reporter);
  await fixNtfsHeads(g, "/dev/mapper/root", mkdtempSync(join(tmpdir(), "v2v-heads-")), log);
  expect(g.ops).toEqual([]);
  expect(log.changes).toEqual([]);
  expect(reporter.lines.map((l) => l.text).join("\n")).toContain("is not a partition");
});
