// The Windows converter's look at the volumes, on a FakeGuest: a system volume on a dynamic disk
// is refused before anything is read from the registry or written; a BitLocker data volume beside
// an unencrypted C: is a warning and the conversion carries on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { StepLog } from "../../../../src/converters/step-log.js";
import { checkWindowsVolumes } from "../../../../src/converters/windows/system-volume.js";
import { windowsConverter } from "../../../../src/converters/windows/windows-converter.js";
import { V2vError } from "../../../../src/model/errors.js";
import type { PartitionInfo } from "../../../../src/model/guest-handle.js";
import { RecordingReporter } from "../../../../src/model/messages.js";
import type { Inspection, Source } from "../../../../src/model/types.js";
import { FakeGuest, type FakeGuestOptions } from "../../fakes/fake-guest.js";
import { latin1, server2022System, softwareHive } from "./hives.js";

const SYSTEM = "/Windows/System32/config/SYSTEM";
const SOFTWARE = "/Windows/System32/config/SOFTWARE";
const MUTATING = /^(write|upload|cp|mv|rm|rm-rf|mkdir|mount \/dev|command|sh|write-device) /;

const tmp = mkdtempSync(join(tmpdir(), "v2v-system-volume-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let saved: string | undefined;
beforeEach(() => {
  saved = process.env["VIRTIO_WIN"];
  process.env["VIRTIO_WIN"] = mkdtempSync(join(tmp, "no-drivers-")); // an empty tree: the conversion still runs
});
afterEach(() => {
  if (saved === undefined) delete process.env["VIRTIO_WIN"];
  else process.env["VIRTIO_WIN"] = saved;
});

const disk = (displayName: string, index: number): Source["disks"][number] =>
  ({ index, displayName, image: { kind: "checked", qemuUri: `/src/${index}.raw`, format: "raw", chain: [], virtualSizeBytes: 1 } });
const source: Source = {
  name: "win7", hypervisor: "vmware", memoryBytes: 2 * 1024 ** 3, vcpus: 1, firmware: "bios",
  disks: [disk("win7.ova:win7-disk1.vmdk", 0), disk("win7.ova:win7-disk2.vmdk", 1)], nics: [], removableCount: 0,
};

function windows7(root = "/dev/sda2"): Inspection {
  return {
    root, osType: "windows", distro: "windows", majorVersion: 6, minorVersion: 1, productName: "Windows 7 Professional",
    arch: "x86_64", osinfo: "win7", packageFormat: "unknown", packageManagement: "unknown",
    mountpoints: [{ mountpoint: "/", device: root }], applications: [], firmware: "bios",
    windows: { systemRoot: "/Windows", currentControlSet: "ControlSet001", productVariant: "Client", systemHive: SYSTEM, softwareHive: SOFTWARE },
  };
}

const BASIC_C: PartitionInfo = { disk: "/dev/sda", number: 2, table: "msdos", mbrId: 0x07 };

function guest(partitions: Readonly<Record<string, PartitionInfo>>, vfsTypes: Readonly<Record<string, string>> = { "/dev/sda1": "ntfs", "/dev/sda2": "ntfs" }): FakeGuest {
  const opts: FakeGuestOptions = {
    devices: ["/dev/sda", "/dev/sdb"],
    filesystems: { "/dev/sda1": "ntfs", "/dev/sda2": "ntfs" }, // libguestfs leaves BitLocker volumes out of this list
    vfsTypes,
    partitions,
    files: {
      [SYSTEM]: latin1(server2022System()),
      [SOFTWARE]: latin1(softwareHive({ currentBuildNumber: "7601", devicePath: "%SystemRoot%\\inf" })),
    },
    dirs: ["/Windows/Temp", "/Windows/System32/drivers"],
  };
  return new FakeGuest(opts);
}

async function rejection(p: Promise<unknown>): Promise<V2vError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(V2vError);
  return e as V2vError;
}

const ctx = (reporter = new RecordingReporter()) => ({ workDir: mkdtempSync(join(tmp, "work-")), reporter, verbose: false });

describe("a system volume on a dynamic disk is refused before anything is read or written", () => {
  test("MBR partition type 0x42: one line naming the partition, its source disk and the fix", async () => {
    const g = guest({ "/dev/sda2": { disk: "/dev/sda", number: 2, table: "msdos", mbrId: 0x42 } });
    const e = await rejection(windowsConverter.convert(g, windows7(), source, ctx()));
    expect(e.code).toBe("UNSUPPORTED_GUEST");
    expect(e.message).toBe(
      "the Windows system volume (partition 2 of disk win7.ova:win7-disk1.vmdk (/dev/sda2)) is on a dynamic disk, which v2v cannot convert: " +
        "make it a basic disk on the source (Disk Management converts a dynamic disk back to basic only after its volumes are deleted, " +
        "so back up Windows and restore it onto a basic disk) and export it again",
    );
    expect(g.ops).toEqual([]); // not even the SOFTWARE hive was downloaded
  });

  test("GPT LDM data partition on the second disk", async () => {
    const g = guest({ "/dev/sdb3": { disk: "/dev/sdb", number: 3, table: "gpt", gptType: "AF9B60A0-1431-4F62-BC68-3311714A69AD" } });
    const e = await rejection(windowsConverter.convert(g, windows7("/dev/sdb3"), source, ctx()));
    expect(e.message).toMatch(/^the Windows system volume \(partition 3 of disk win7\.ova:win7-disk2\.vmdk \(\/dev\/sdb3\)\) is on a dynamic disk/);
    expect(g.ops.filter((o) => MUTATING.test(o))).toEqual([]);
  });

  test("an LDM volume libguestfs mapped with ldmtool", async () => {
    const g = guest({});
    const e = await rejection(windowsConverter.convert(g, windows7("/dev/mapper/ldm_vol_WIN7-Dg0_Volume1"), source, ctx()));
    expect(e.message).toMatch(/^the Windows system volume \(\/dev\/mapper\/ldm_vol_WIN7-Dg0_Volume1\) is on a dynamic disk/);
    expect(g.ops).toEqual([]);
  });

  test("a basic disk's NTFS partition is not refused", async () => {
    const log = new StepLog(new RecordingReporter());
    await checkWindowsVolumes(guest({ "/dev/sda2": BASIC_C }), windows7(), source, log);
    expect(log.warnings).toEqual([]);
  });
});

describe("a BitLocker data volume beside an unencrypted C:", () => {
  const vfsTypes = { "/dev/sda1": "ntfs", "/dev/sda2": "ntfs", "/dev/sdb1": "BitLocker" };
  const partitions = { "/dev/sda2": BASIC_C, "/dev/sdb1": { disk: "/dev/sdb", number: 1, table: "msdos", mbrId: 0x07 } };

  test("is one warning naming the volume and its disk; the conversion carries on and the volume is not touched", async () => {
    const reporter = new RecordingReporter();
    const g = guest(partitions, vfsTypes);
    const out = await windowsConverter.convert(g, windows7(), source, ctx(reporter));
    const warning =
      "partition 1 of disk win7.ova:win7-disk2.vmdk (/dev/sdb1) is encrypted with BitLocker: it is copied as it is and stays encrypted, " +
      "and Windows unlocks it after conversion as it did before (its password, smart card or recovery key)";
    expect(out.warnings).toContain(warning);
    expect(reporter.lines).toContainEqual({ type: "warning", text: warning });
    expect(g.ops.some((o) => o.startsWith("write /Windows/System32/config/SYSTEM"))).toBe(true); // converted
    expect(g.ops.filter((o) => o.includes("/dev/sdb1"))).toEqual([]);
  });

  test("without one there is no such warning", async () => {
    const log = new StepLog(new RecordingReporter());
    await checkWindowsVolumes(guest(partitions), windows7(), source, log);
    expect(log.warnings).toEqual([]);
  });
});
