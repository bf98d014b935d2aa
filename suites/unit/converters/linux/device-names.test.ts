import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  driveIndex, driveLetters, isRemovableFsType, makeVirtioRenamer, parseDiskDevice, rewriteCrypttab, rewriteDeviceMap, rewriteFstab,
  rewriteGrubDefaults, rewriteKernelArgs, rewriteMdadmConf, rewriteResumeSetting,
} from "../../../../src/converters/linux/device-names.js";
import { replaceXenConsolesInGrubDefaults } from "../../../../src/converters/linux/consoles.js";

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
const two = makeVirtioRenamer(2);

describe("drive letters", () => {
  test("round-trip past z", () => {
    expect([0, 1, 25, 26, 27, 701, 702].map(driveLetters)).toEqual(["a", "b", "z", "aa", "ab", "zz", "aaa"]);
    for (const i of [0, 3, 25, 26, 51, 702]) expect(driveIndex(driveLetters(i))).toBe(i);
  });

  test("parse disk names of every bus", () => {
    expect(parseDiskDevice("/dev/sdb1")).toEqual({ prefix: "sd", index: 1, partition: "1" });
    expect(parseDiskDevice("/dev/xvda")).toEqual({ prefix: "xvd", index: 0, partition: "" });
    expect(parseDiskDevice("/dev/nvme1n1p3")).toEqual({ prefix: "nvme", index: 1, partition: "3" });
    expect(parseDiskDevice("/dev/cciss/c0d0p2")).toEqual({ prefix: "cciss", index: 0, partition: "2" });
    expect(parseDiskDevice("/dev/sr0")).toBeUndefined();
    expect(parseDiskDevice("/dev/mapper/vg-root")).toBeUndefined();
  });
});

describe("makeVirtioRenamer", () => {
  test("maps by source disk order, whatever the old bus", () => {
    expect(two("/dev/sdb1")).toEqual({ kind: "renamed", to: "/dev/vdb1" });
    expect(two("/dev/hda")).toEqual({ kind: "renamed", to: "/dev/vda" });
    expect(two("/dev/nvme0n1p2")).toEqual({ kind: "renamed", to: "/dev/vda2" });
    expect(two("/dev/vda1")).toEqual({ kind: "unchanged" });
    expect(two("/dev/sdc1")).toEqual({ kind: "unknown" });
    expect(two("/dev/md0")).toEqual({ kind: "unchanged" });
  });
});

describe("rewriteFstab", () => {
  test("renames disk devices and keeps comments, spacing, stable names and CD-ROMs (golden)", () => {
    const r = rewriteFstab(fixture("fstab.in"), two);
    expect(r.text).toBe(fixture("fstab.expected"));
    expect(r.renamed).toEqual([
      { from: "/dev/sda1", to: "/dev/vda1" },
      { from: "/dev/hdb2", to: "/dev/vdb2" },
      { from: "/dev/xvda3", to: "/dev/vda3" },
      { from: "/dev/sda5", to: "/dev/vda5" },
    ]);
    expect(r.unknown).toEqual(["/dev/sdc1"]);
  });

  test("an IDE CD-ROM typed udf,iso9660 on a 3-disk guest keeps /dev/hdc (the comma-separated type is split)", () => {
    const three = makeVirtioRenamer(3);
    const text = "/dev/hda1 / ext4 defaults 0 1\n/dev/hdc /media/cdrom0 udf,iso9660 user,noauto 0 0\n/dev/hdb1 /data ext4 defaults 0 2\n";
    const r = rewriteFstab(text, three);
    expect(r.text).toBe("/dev/vda1 / ext4 defaults 0 1\n/dev/hdc /media/cdrom0 udf,iso9660 user,noauto 0 0\n/dev/vdb1 /data ext4 defaults 0 2\n");
    expect(isRemovableFsType("udf,iso9660")).toBe(true);
    expect(isRemovableFsType("ext4,iso9660")).toBe(false);
    expect(isRemovableFsType("")).toBe(false);
  });

  test("an fstab with only stable names is returned unchanged", () => {
    const text = "UUID=abc / ext4 defaults 0 1\nLABEL=swap none swap sw 0 0\n";
    expect(rewriteFstab(text, two)).toEqual({ text, renamed: [], unknown: [] });
  });
});

describe("GRUB defaults", () => {
  test("root= and resume= inside GRUB_CMDLINE_LINUX*, commented lines untouched, then consoles (golden)", () => {
    const renamed = rewriteGrubDefaults(fixture("grub-defaults.in"), two);
    expect(renamed.renamed.map((r) => r.from)).toEqual(["/dev/sda5", "/dev/sda1", "/dev/sda5"]);
    const consoles = replaceXenConsolesInGrubDefaults(renamed.text);
    expect(consoles.replaced).toBe(1);
    expect(consoles.text).toBe(fixture("grub-defaults.expected"));
  });

  test("kernel arguments: only device arguments change", () => {
    expect(rewriteKernelArgs("root=/dev/sda1 ro resume=/dev/sdb2 rootdelay=/dev/sda1x", two).text)
      .toBe("root=/dev/vda1 ro resume=/dev/vdb2 rootdelay=/dev/sda1x");
    expect(rewriteKernelArgs("root=UUID=1234 resume=/dev/disk/by-uuid/99", two).renamed).toEqual([]);
  });
});

describe("other tables", () => {
  test("device.map second field", () => {
    const r = rewriteDeviceMap("(hd0)\t/dev/sda\n(hd1)\t/dev/disk/by-id/ata-X\n(fd0)\t/dev/fd0\n", two);
    expect(r.text).toBe("(hd0)\t/dev/vda\n(hd1)\t/dev/disk/by-id/ata-X\n(fd0)\t/dev/fd0\n");
  });

  test("crypttab source device", () => {
    const r = rewriteCrypttab("# <target> <source>\nsda5_crypt /dev/sda5 none luks,discard\nhome UUID=42 none luks\n", two);
    expect(r.text).toBe("# <target> <source>\nsda5_crypt /dev/vda5 none luks,discard\nhome UUID=42 none luks\n");
  });

  test("initramfs RESUME=, quoted or not", () => {
    expect(rewriteResumeSetting("RESUME=/dev/sda5\n", two).text).toBe("RESUME=/dev/vda5\n");
    expect(rewriteResumeSetting('RESUME="/dev/sdb2"\n#RESUME=/dev/sda9\n', two).text).toBe('RESUME="/dev/vdb2"\n#RESUME=/dev/sda9\n');
    expect(rewriteResumeSetting("RESUME=UUID=abc\n", two).renamed).toEqual([]);
  });
});

describe("mdadm.conf", () => {
  test("DEVICE lines and devices= lists are renamed; UUID-only ARRAY lines, globs, partitions and comments stay", () => {
    const conf = "# mdadm.conf\nDEVICE partitions\nDEVICE /dev/sda1 /dev/sdb1\nDEVICE /dev/sd*[0-9]\n"
      + "ARRAY /dev/md0 metadata=1.2 UUID=3aaa0122:29827cfa:5331ad66:ca767371 devices=/dev/sda1,/dev/sdb1\n"
      + "ARRAY /dev/md/1 metadata=1.2 UUID=3aaa0122:29827cfa:5331ad66:ca767372\nMAILADDR root\n";
    const r = rewriteMdadmConf(conf, two);
    expect(r.text).toBe("# mdadm.conf\nDEVICE partitions\nDEVICE /dev/vda1 /dev/vdb1\nDEVICE /dev/sd*[0-9]\n"
      + "ARRAY /dev/md0 metadata=1.2 UUID=3aaa0122:29827cfa:5331ad66:ca767371 devices=/dev/vda1,/dev/vdb1\n"
      + "ARRAY /dev/md/1 metadata=1.2 UUID=3aaa0122:29827cfa:5331ad66:ca767372\nMAILADDR root\n");
    expect(r.renamed.map((x) => `${x.from}>${x.to}`)).toEqual(["/dev/sda1>/dev/vda1", "/dev/sdb1>/dev/vdb1", "/dev/sda1>/dev/vda1", "/dev/sdb1>/dev/vdb1"]);
  });

  test("a member on a disk that does not exist is reported, not renamed", () => {
    const r = rewriteMdadmConf("DEVICE /dev/sdc1\n", two);
    expect(r.text).toBe("DEVICE /dev/sdc1\n");
    expect(r.unknown).toEqual(["/dev/sdc1"]);
  });
});
