// Inspection on an in-memory guest: which root is converted (--root), what is refused before
// anything is mounted, the order mountpoints come in, a package list that cannot be read, and
// BIOS or UEFI from the partition types.
import { describe, expect, test } from "vitest";
import { parseArgs } from "../../../src/cli/parse-args.js";
import { chooseRoot, inspectGuest } from "../../../src/guest/inspect.js";
import { mayStayUnmounted } from "../../../src/guest/guestfish-guest.js";
import { V2vError } from "../../../src/model/errors.js";
import type { InspectedRoot } from "../../../src/model/guest-handle.js";
import type { RootChoice } from "../../../src/model/types.js";
import { FakeGuest, type FakeGuestOptions } from "../fakes/fake-guest.js";

const ESP = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
const BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649";
const LINUX_FS = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

const root = (device: string, over: Partial<InspectedRoot> = {}): InspectedRoot => ({
  root: device, osType: "linux", distro: "debian", majorVersion: 12, minorVersion: 5,
  productName: `Debian 12 on ${device}`, arch: "x86_64", osinfo: "debian12", packageFormat: "deb", packageManagement: "apt",
  mountpoints: { "/": device }, ...over,
});

/** The V2vError a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<V2vError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(V2vError);
  return e as V2vError;
}

const guest = (opts: FakeGuestOptions): FakeGuest => new FakeGuest(opts);
const mounted = (g: FakeGuest): string[] => g.ops.filter((o) => o.startsWith("mount "));

describe("several roots", () => {
  const two = [root("/dev/sda2"), root("/dev/sdb1", { distro: "ubuntu", productName: "Ubuntu 22.04" })];

  test("without --root the guest is refused naming both roots, and nothing is mounted (not converted silently on the first)", async () => {
    const parsed = parseArgs(["-i", "disk", "a.img", "-o", "null"]);
    if (parsed.kind !== "run") throw new Error(`expected a run, got ${parsed.kind}`);
    const g = guest({ roots: two });
    const e = await rejection(inspectGuest(g, parsed.options.root, ["a.img"]));
    expect(e.code).toBe("MULTIPLE_OS");
    expect(e.message).toBe(
      "several operating systems found (/dev/sda2 (Debian 12 on /dev/sda2), /dev/sdb1 (Ubuntu 22.04)); choose one with --root first or --root /dev/...",
    );
    expect(mounted(g)).toEqual([]);
  });

  test("--root single refuses them too", () => {
    expect(() => chooseRoot(two, { kind: "single" }, "a.img")).toThrow(expect.objectContaining({ code: "MULTIPLE_OS" }));
  });

  test("--root first takes the first; --root /dev/X takes that one, whatever its place", async () => {
    expect(chooseRoot(two, { kind: "first" }, "a.img").root).toBe("/dev/sda2");
    const g = guest({ roots: two });
    const inspection = await inspectGuest(g, { kind: "device", device: "/dev/sdb1" }, ["a.img"]);
    expect(inspection.root).toBe("/dev/sdb1");
    expect(inspection.distro).toBe("ubuntu");
    expect(mounted(g)).toEqual(["mount /dev/sdb1"]);
  });

  test("a data file system left unmounted becomes one warning each, and inspection carries on", async () => {
    const warnings: string[] = [];
    const g = guest({ roots: two, unmountable: ["/srv/byid (/dev/disk/by-id/scsi-3x-part3) could not be mounted, so it is left as it is: no such file"] });
    await inspectGuest(g, { kind: "first" }, ["a.img"], (w) => warnings.push(w));
    expect(warnings).toEqual(["/srv/byid (/dev/disk/by-id/scsi-3x-part3) could not be mounted, so it is left as it is: no such file"]);
  });

  test("only data file systems may stay unmounted: never /, /boot, /boot/efi, /usr, /var, /etc", () => {
    for (const mp of ["/srv/byid", "/srv/data", "/home", "/opt", "/mnt/nfs", "/bootstrap", "/variable"]) expect(mayStayUnmounted(mp), mp).toBe(true);
    for (const mp of ["/", "/boot", "/boot/efi", "/efi", "/usr", "/usr/local", "/var", "/var/lib", "/etc", "/lib", "/lib64"]) expect(mayStayUnmounted(mp), mp).toBe(false);
  });

  test("--root naming a device without an OS is refused, listing the roots found", () => {
    expect(() => chooseRoot(two, { kind: "device", device: "/dev/sdc1" }, "a.img")).toThrow(
      new V2vError("MULTIPLE_OS", "--root /dev/sdc1: no operating system there; roots found: /dev/sda2 (Debian 12 on /dev/sda2), /dev/sdb1 (Ubuntu 22.04)"),
    );
  });
});

describe("one root", () => {
  test.each<RootChoice>([{ kind: "ask" }, { kind: "single" }, { kind: "first" }, { kind: "device", device: "/dev/sda2" }])("is taken with --root %j", (choice) => {
    expect(chooseRoot([root("/dev/sda2")], choice, "a.img").root).toBe("/dev/sda2");
  });

  test("no root at all is NO_OS naming the source disks", () => {
    const e = (() => { try { chooseRoot([], { kind: "first" }, "a.img, b.img"); } catch (err) { return err as V2vError; } throw new Error("no throw"); })();
    expect(e.code).toBe("NO_OS");
    expect(e.message).toMatch(/^inspection found no operating system on a\.img, b\.img: /);
  });

  test.each([
    ["osType", { osType: "unknown" }],
    ["distro", { distro: "unknown" }],
    ["arch", { arch: "unknown" }],
  ])("an unknown %s is UNSUPPORTED_GUEST before anything is mounted", async (_what, over) => {
    const g = guest({ roots: [root("/dev/sda2", over)] });
    const e = await rejection(inspectGuest(g, { kind: "ask" }, ["a.img"]));
    expect(e.code).toBe("UNSUPPORTED_GUEST");
    expect(e.message).toMatch(/on \/dev\/sda2: this operating system is not supported$/);
    expect(mounted(g)).toEqual([]);
  });
});

describe("the inspection of the chosen root", () => {
  const mountpoints = { "/boot/efi": "/dev/sda1", "/home": "/dev/sda5", "/": "/dev/sda2", "/boot": "/dev/sda3", "/var": "/dev/sda4" };

  test("carries the root's facts, its packages, and its mountpoints parents first (by length, then by name)", async () => {
    const r = root("/dev/sda2", { mountpoints });
    const g = guest({ roots: [r], applications: { "/dev/sda2": [{ name: "linux-image-amd64", version: "6.1.0" }] } });
    const inspection = await inspectGuest(g, { kind: "ask" }, ["a.img"]);
    expect(inspection).toEqual({
      root: "/dev/sda2", osType: "linux", distro: "debian", majorVersion: 12, minorVersion: 5,
      productName: "Debian 12 on /dev/sda2", arch: "x86_64", osinfo: "debian12", packageFormat: "deb", packageManagement: "apt",
      mountpoints: [
        { mountpoint: "/", device: "/dev/sda2" },
        { mountpoint: "/var", device: "/dev/sda4" },
        { mountpoint: "/boot", device: "/dev/sda3" },
        { mountpoint: "/home", device: "/dev/sda5" },
        { mountpoint: "/boot/efi", device: "/dev/sda1" },
      ],
      applications: [{ name: "linux-image-amd64", version: "6.1.0" }],
      firmware: "bios",
    });
    expect(mounted(g)).toEqual(["mount /dev/sda2"]);
  });

  test("a package list libguestfs cannot read warns (first line of the reason) and carries on with none", async () => {
    class NoDpkg extends FakeGuest {
      override async listApplications(): Promise<readonly { name: string; version: string }[]> {
        throw new V2vError("CONVERSION", "inspect-list-applications2: /var/lib/dpkg/status: damaged\nmore detail");
      }
    }
    const warnings: string[] = [];
    const inspection = await inspectGuest(new NoDpkg({ roots: [root("/dev/sda2")] }), { kind: "ask" }, ["a.img"], (w) => warnings.push(w));
    expect(inspection.applications).toEqual([]);
    expect(warnings).toEqual([
      "the guest's installed packages could not be listed (inspect-list-applications2: /var/lib/dpkg/status: damaged); conversion carries on without that list",
    ]);
  });

  test("any other failure of the package list is not swallowed", async () => {
    class Broken extends FakeGuest {
      override async listApplications(): Promise<readonly { name: string; version: string }[]> {
        throw new TypeError("appliance died");
      }
    }
    await expect(inspectGuest(new Broken({ roots: [root("/dev/sda2")] }), { kind: "ask" }, ["a.img"])).rejects.toThrow(TypeError);
  });
});

describe("firmware from the partition types", () => {
  const firmware = async (opts: FakeGuestOptions): Promise<string> =>
    (await inspectGuest(guest({ roots: [root("/dev/sda2")], ...opts }), { kind: "ask" }, ["a.img"])).firmware;

  test("a GPT disk with an EFI System Partition and no BIOS boot partition: uefi", async () => {
    expect(await firmware({
      devices: ["/dev/sda"], partitionTables: { "/dev/sda": "gpt" },
      filesystems: { "/dev/sda1": "vfat", "/dev/sda2": "ext4" },
      blkid: { "/dev/sda1": { TYPE: "vfat", PART_ENTRY_TYPE: ESP.toLowerCase() }, "/dev/sda2": { TYPE: "ext4", PART_ENTRY_TYPE: LINUX_FS } },
    })).toBe("uefi");
  });

  test("a GPT disk with both an ESP and a BIOS boot partition (hybrid): bios", async () => {
    expect(await firmware({
      devices: ["/dev/sda"], partitionTables: { "/dev/sda": "gpt" },
      filesystems: { "/dev/sda1": "unknown", "/dev/sda2": "vfat", "/dev/sda3": "ext4" },
      blkid: { "/dev/sda1": { PART_ENTRY_TYPE: BIOS_BOOT }, "/dev/sda2": { PART_ENTRY_TYPE: ESP }, "/dev/sda3": { PART_ENTRY_TYPE: LINUX_FS } },
    })).toBe("bios");
  });

  test("an ESP type on an MBR disk does not count (only GPT disks are read)", async () => {
    expect(await firmware({
      devices: ["/dev/sda"], partitionTables: { "/dev/sda": "msdos" },
      filesystems: { "/dev/sda1": "vfat" }, blkid: { "/dev/sda1": { PART_ENTRY_TYPE: ESP } },
    })).toBe("bios");
  });

  test("the ESP on the second disk counts; a partition blkid cannot read is skipped", async () => {
    expect(await firmware({
      devices: ["/dev/sda", "/dev/sdb"], partitionTables: { "/dev/sda": "gpt", "/dev/sdb": "gpt" },
      filesystems: { "/dev/sda1": "ext4", "/dev/sdb1": "vfat", "/dev/sdb2": "unknown" },
      blkid: { "/dev/sda1": { PART_ENTRY_TYPE: LINUX_FS }, "/dev/sdb1": { PART_ENTRY_TYPE: ESP } },
    })).toBe("uefi");
  });

  test("a BIOS boot partition on another GPT disk makes it bios", async () => {
    expect(await firmware({
      devices: ["/dev/sda", "/dev/sdb"], partitionTables: { "/dev/sda": "gpt", "/dev/sdb": "gpt" },
      filesystems: { "/dev/sda1": "vfat", "/dev/sdb1": "unknown" },
      blkid: { "/dev/sda1": { PART_ENTRY_TYPE: ESP }, "/dev/sdb1": { PART_ENTRY_TYPE: BIOS_BOOT } },
    })).toBe("bios");
  });

  test("no partition table at all: bios", async () => {
    expect(await firmware({ devices: ["/dev/sda"], filesystems: { "/dev/sda": "ext4" } })).toBe("bios");
  });
});

describe("no operating system found: a BitLocker volume, or a dynamic disk, says so", () => {
  // What libguestfs 1.48 shows: list-filesystems leaves out the BitLocker volume; vfs-type names it.
  const WIN_GPT = {
    devices: ["/dev/sda", "/dev/sdb"],
    filesystems: { "/dev/sda1": "vfat", "/dev/sda2": "unknown", "/dev/sdb1": "ntfs" },
    vfsTypes: { "/dev/sda1": "vfat", "/dev/sda3": "BitLocker", "/dev/sdb1": "ntfs" },
    partitions: {
      "/dev/sda1": { disk: "/dev/sda", number: 1, table: "gpt", gptType: ESP },
      "/dev/sda2": { disk: "/dev/sda", number: 2, table: "gpt", gptType: "E3C9E316-0B5C-4DB8-817D-F92DF00215AE" },
      "/dev/sda3": { disk: "/dev/sda", number: 3, table: "gpt", gptType: "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" },
      "/dev/sdb1": { disk: "/dev/sdb", number: 1, table: "msdos", mbrId: 0x07 },
    },
  } satisfies FakeGuestOptions;

  test("BitLocker: refused naming the encrypted partition and its source disk, with manage-bde -off, before anything is mounted", async () => {
    const g = guest(WIN_GPT);
    const e = await rejection(inspectGuest(g, { kind: "ask" }, ["win.ova:disk1.vmdk", "win.ova:disk2.vmdk"]));
    expect(e.code).toBe("UNSUPPORTED_GUEST");
    expect(e.message).toBe(
      "inspection found no operating system on win.ova:disk1.vmdk, win.ova:disk2.vmdk, and partition 3 of disk win.ova:disk1.vmdk (/dev/sda3) " +
        'is encrypted with BitLocker, which v2v cannot read: in Windows on the source hypervisor run "manage-bde -off C:", wait until ' +
        '"manage-bde -status C:" says "Fully Decrypted", shut it down and export it again (suspending BitLocker is not enough: the data stays encrypted)',
    );
    expect(e.message).not.toContain("\n");
    expect(mounted(g)).toEqual([]);
  });

  test("several encrypted volumes are all named", async () => {
    const g = guest({ ...WIN_GPT, vfsTypes: { ...WIN_GPT.vfsTypes, "/dev/sdb1": "BitLocker" } });
    const e = await rejection(inspectGuest(g, { kind: "first" }, ["a.vmdk", "b.vmdk"]));
    expect(e.message).toContain("and partition 3 of disk a.vmdk (/dev/sda3) and partition 1 of disk b.vmdk (/dev/sdb1) are encrypted with BitLocker");
  });

  test("a dynamic disk (MBR 0x42, which libguestfs leaves out): refused naming its partitions and the fix", async () => {
    const g = guest({
      devices: ["/dev/sda"],
      vfsTypes: { "/dev/sda1": "ntfs", "/dev/sda2": "ntfs" },
      partitions: {
        "/dev/sda1": { disk: "/dev/sda", number: 1, table: "msdos", mbrId: 0x42 },
        "/dev/sda2": { disk: "/dev/sda", number: 2, table: "msdos", mbrId: 0x42 },
      },
    });
    const e = await rejection(inspectGuest(g, { kind: "ask" }, ["win7.vmdk"]));
    expect(e.code).toBe("UNSUPPORTED_GUEST");
    expect(e.message).toBe(
      "inspection found no operating system on win7.vmdk, and partition 1 of disk win7.vmdk (/dev/sda1) and partition 2 of disk win7.vmdk (/dev/sda2) " +
        "belong to a Windows dynamic disk, which v2v cannot read: make it a basic disk on the source (Disk Management converts a dynamic disk back " +
        "to basic only after its volumes are deleted, so back up Windows and restore it onto a basic disk) and export it again",
    );
    expect(mounted(g)).toEqual([]);
  });

  test("without a BitLocker or LDM partition it stays NO_OS", async () => {
    const g = guest({ ...WIN_GPT, vfsTypes: { "/dev/sda1": "vfat", "/dev/sda3": "ntfs" } });
    const e = await rejection(inspectGuest(g, { kind: "ask" }, ["a.img"]));
    expect(e.code).toBe("NO_OS");
  });

  test("a partition libblkid cannot probe counts as nothing; other failures are not swallowed", async () => {
    class Ambivalent extends FakeGuest {
      override async vfsType(device: string): Promise<string> {
        if (device === "/dev/sda3") throw new V2vError("GUESTFS", "libguestfs: vfs-type: blkid: ambivalent result");
        return super.vfsType(device);
      }
    }
    expect((await rejection(inspectGuest(new Ambivalent(WIN_GPT), { kind: "ask" }, ["a.img"]))).code).toBe("NO_OS");
    class Dead extends FakeGuest {
      override async vfsType(): Promise<string> { throw new TypeError("appliance died"); }
    }
    await expect(inspectGuest(new Dead(WIN_GPT), { kind: "ask" }, ["a.img"])).rejects.toThrow(TypeError);
  });

  test("when a root is found, a BitLocker volume beside it does not stop inspection (the Windows converter warns)", async () => {
    const g = guest({ ...WIN_GPT, roots: [root("/dev/sdb1", { osType: "windows", distro: "windows", mountpoints: { "/": "/dev/sdb1" } })] });
    const inspection = await inspectGuest(g, { kind: "ask" }, ["a.vmdk", "b.vmdk"]);
    expect(inspection.root).toBe("/dev/sdb1");
    expect(mounted(g)).toEqual(["mount /dev/sdb1"]);
  });
});
