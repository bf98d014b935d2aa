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
  test.each(["/dev/sda", "/dev/mapper/vg-root", "/dev/sda0", "/dev/md0p1", "sda1", "x/dev/sda1", "/dev/sda1x", "/dev/sda1234"])("%s is not a partition of a disk", (dev) => expect(wholeDiskOf(dev)).toBeUndefined());
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

describe("fixNtfsHeads on a fake device", () => {
  const sector = (heads: number, oem = "NTFS    "): Buffer => {
    const b = Buffer.alloc(512, 0xaa);
    b.write(oem, 3, "latin1");
    b.writeUInt16LE(heads, 0x1a);
    return b;
  };
  const run = async (bytes: Buffer, diskBytes: number) => {
    const g = new FakeGuest({ deviceBytes: { "/dev/sda2": bytes }, deviceSizes: { "/dev/sda": diskBytes } });
    const reporter = new RecordingReporter();
    const log = new StepLog(reporter);
    await fixNtfsHeads(g, "/dev/sda2", mkdtempSync(join(tmpdir(), "v2v-heads-")), log);
    return { g, log, notes: reporter.lines.map((l) => l.text) };
  };

  test("wrong heads: only the two bytes at 0x1A are written, and the change names both values", async () => {
    const { g, log } = await run(sector(0x20), 1024 ** 3);
    const want = sector(0x40);
    expect(g.deviceBytes("/dev/sda2").equals(want)).toBe(true);
    expect(g.ops).toEqual(["read-device /dev/sda2 0 512", "write-device /dev/sda2 26 2"]);
    expect(log.changes).toEqual(["set the heads of /dev/sda2's NTFS boot sector from 32 to 64, as the KVM BIOS reports them for this disk (NT 5 boots through them)"]);
  });

  test("right heads: read, nothing written, nothing said", async () => {
    const { g, log, notes } = await run(sector(0xff), 8 * 1024 ** 3);
    expect(g.ops).toEqual(["read-device /dev/sda2 0 512"]);
    expect(log.changes).toEqual([]);
    expect(notes).toEqual([]);
  });

  test("not an NTFS boot sector: a note naming the device, nothing written", async () => {
    const { g, log, notes } = await run(sector(0x10, "MSWIN4.1"), 1024 ** 3);
    expect(g.ops).toEqual(["read-device /dev/sda2 0 512"]);
    expect(log.changes).toEqual([]);
    expect(notes).toEqual(["/dev/sda2 does not start with an NTFS boot sector: its geometry was left alone"]);
  });
});
