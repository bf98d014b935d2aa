// The NT 5 boot-sector fix on a real appliance: a 3 GiB sparse disk with an MBR and an NTFS
// partition made by libguestfs (mkntfs writes its own heads value), then fixNtfsHeads through
// GuestfishGuest: blockdev-getsize64, download-offset and upload-offset on a block device. The
// heads field must become 128 (a disk between 2114445312 and 4228374780 bytes), and nothing
// else in the sector may change (read back through the same handle, after the write).
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { StepLog } from "../../src/converters/step-log.js";
import { fixNtfsHeads, NTFS_HEADS_OFFSET } from "../../src/converters/windows/ntfs-heads.js";
import { GuestfishSession } from "../../src/guest/guestfish.js";
import { GuestfishGuest } from "../../src/guest/guestfish-guest.js";
import { RecordingReporter } from "../../src/model/messages.js";

let work: string;
let disk: string;
let before: Buffer;

beforeAll(async () => {
  work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-ntfs-heads-"));
  disk = join(work, "xp.raw");
  const fh = await open(disk, "w");
  await fh.truncate(3 * 1024 ** 3);
  await fh.close();
  const s = await GuestfishSession.start([{ path: disk, format: "raw" }]);
  try {
    await s.cmd("part-disk", "/dev/sda", "mbr");
    await s.cmd("mkfs", "ntfs", "/dev/sda1");
    // What an XP disk exported from another hypervisor may carry: 16 heads.
    const local = join(work, "field");
    const f = await open(local, "w");
    await f.write(Buffer.from([16, 0]));
    await f.close();
    await s.cmd("upload-offset", local, "/dev/sda1", String(NTFS_HEADS_OFFSET));
    await s.cmd("download-offset", "/dev/sda1", join(work, "before"), "0", "512");
    before = await readFile(join(work, "before"));
  } finally {
    await s.close();
  }
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test("fixNtfsHeads sets 128 heads on a 3 GiB disk's NTFS partition and changes nothing else", async () => {
  expect(before.toString("latin1", 3, 11)).toBe("NTFS    ");
  expect(before.readUInt16LE(NTFS_HEADS_OFFSET)).toBe(16);

  const g = await GuestfishGuest.open([{ path: disk, format: "raw" }], { tmpDir: work });
  const log = new StepLog(new RecordingReporter());
  try {
    expect(await g.deviceSizeBytes("/dev/sda")).toBe(3 * 1024 ** 3);
    await fixNtfsHeads(g, "/dev/sda1", work, log);
    await g.readDeviceRange("/dev/sda1", join(work, "after"), 0, 512);
  } finally {
    await g.close();
  }
  expect(log.changes).toEqual(["set the heads of /dev/sda1's NTFS boot sector from 16 to 128, as the KVM BIOS reports them for this disk (NT 5 boots through them)"]);

  const after = await readFile(join(work, "after"));
  expect(after.readUInt16LE(NTFS_HEADS_OFFSET)).toBe(128);
  const expected = Buffer.from(before);
  expected.writeUInt16LE(128, NTFS_HEADS_OFFSET);
  expect(after.equals(expected)).toBe(true);
}, 300_000);
