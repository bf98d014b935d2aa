// LUKS volumes opened through a real appliance, the way a conversion opens them before inspection:
// a disk with /boot (ext4) and a LUKS partition holding LVM (vg0/root, ext4) is made here with
// libguestfs, the passphrase passed through the session's key FIFO (never a command line). Then
// openEncryptedVolumes runs on a fresh appliance: a wrong key gives the one-line refusal and
// opens nothing; the right one (from a key file, found by the LUKS UUID) opens it as cryptsda2
// and activates vg0, whose root file system then shows in the appliance's list.
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openEncryptedVolumes } from "../../src/guest/decrypt.js";
import { GuestfishSession } from "../../src/guest/guestfish.js";
import { GuestfishGuest } from "../../src/guest/guestfish-guest.js";
import { hostKeySources } from "../../src/host/key-input.js";
import type { LuksKey } from "../../src/model/types.js";

const PASSPHRASE = "correct horse: battery staple";
let work: string;
let disk: string;
let luksUuid: string;

beforeAll(async () => {
  work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-luks-"));
  disk = join(work, "luks.raw");
  const fh = await open(disk, "w");
  await fh.truncate(256 * 1024 ** 2);
  await fh.close();
  const s = await GuestfishSession.start([{ path: disk, format: "raw" }]);
  try {
    await s.cmd("part-init", "/dev/sda", "mbr");
    await s.cmd("part-add", "/dev/sda", "p", "2048", String(2048 + 64 * 2048 - 1));
    await s.cmd("part-add", "/dev/sda", "p", String(2048 + 64 * 2048), "-1");
    await s.cmd("mkfs", "ext4", "/dev/sda1");
    await s.cmdWithKey(PASSPHRASE, "luks-format", "/dev/sda2", "0");
    await s.cmdWithKey(PASSPHRASE, "cryptsetup-open", "/dev/sda2", "build");
    await s.cmd("pvcreate", "/dev/mapper/build");
    await s.cmd("vgcreate", "vg0", "/dev/mapper/build");
    await s.cmd("lvcreate-free", "root", "vg0", "100");
    await s.cmd("mkfs", "ext4", "/dev/vg0/root", "label:luksroot");
    await s.cmd("vg-activate", "false", "vg0");
    await s.cmd("cryptsetup-close", "/dev/mapper/build");
    luksUuid = await s.cmd("vfs-uuid", "/dev/sda2");
  } finally {
    await s.close();
  }
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test("a wrong passphrase is refused in one line that names the volume and not the passphrase; nothing is opened", async () => {
  const g = await GuestfishGuest.open([{ path: disk, format: "raw", readonly: true }]);
  try {
    const keys: LuksKey[] = [{ selector: "/dev/sda2", kind: "key", passphrase: "not it" }];
    const err = await openEncryptedVolumes(g, hostKeySources(keys, false), () => undefined).then(() => undefined, (e: Error) => e);
    expect(err?.message).toBe(`/dev/sda2 (LUKS UUID ${luksUuid}): the passphrase from --key /dev/sda2:key:… does not open it; check the passphrase (a key file's first line is used)`);
    expect(Object.keys(await g.listFilesystems())).not.toContain("/dev/vg0/root");
  } finally {
    await g.close();
  }
}, 300_000);

test("the right passphrase, from a key file named by the LUKS UUID, opens cryptsda2 and the LVM inside it", async () => {
  const keyFile = join(work, "key.txt");
  await writeFile(keyFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  const g = await GuestfishGuest.open([{ path: disk, format: "raw", readonly: true }]);
  try {
    const keys: LuksKey[] = [{ selector: luksUuid.toUpperCase(), kind: "file", file: keyFile }];
    expect(await openEncryptedVolumes(g, hostKeySources(keys, false), () => undefined)).toEqual(["/dev/sda2"]);
    const fs = await g.listFilesystems();
    expect(fs["/dev/vg0/root"]).toBe("ext4");
    expect(Object.keys(fs)).toContain("/dev/sda1");
  } finally {
    await g.close();
  }
}, 300_000);
