// Inspection: find the guest's root, choose among several (--root), mount its filesystems and
// gather what conversion and the target metadata need.
import type { GuestHandle, InspectedRoot } from "../model/guest-handle.js";
import { V2vError, windowsBitLocker, windowsDynamicDiskNoRoot } from "../model/errors.js";
import type { Inspection, RootChoice } from "../model/types.js";
import { BIOS_BOOT_TYPE_GUID, ESP_TYPE_GUID, partitionTypeGuid } from "./partition-types.js";
import { scanVolumes } from "./volume-scan.js";
import { bitlockerPartitions, describePartitions, ldmPartitions } from "./windows-volumes.js";

/** Pure: pick the root per --root. `ask` without a terminal behaves like `single`. */
export function chooseRoot(roots: readonly InspectedRoot[], choice: RootChoice, sourceNames: string): InspectedRoot {
  if (roots.length === 0) {
    throw new V2vError(
      "NO_OS",
      `inspection found no operating system on ${sourceNames}: check that this is the guest's system disk (not a data disk) and that it is not encrypted`,
    );
  }
  const list = roots.map((r) => `${r.root} (${r.productName})`).join(", ");
  switch (choice.kind) {
    case "first":
      return roots[0]!;
    case "device": {
      const r = roots.find((x) => x.root === choice.device);
      if (!r) throw new V2vError("MULTIPLE_OS", `--root ${choice.device}: no operating system there; roots found: ${list}`);
      return r;
    }
    case "single":
    case "ask":
      if (roots.length > 1) {
        throw new V2vError("MULTIPLE_OS", `several operating systems found (${list}); choose one with --root first or --root /dev/...`);
      }
      return roots[0]!;
  }
}

/** Pure: refuse roots the converters cannot make sense of. */
export function checkInspectable(r: InspectedRoot): void {
  if (r.osType === "unknown" || r.distro === "unknown" || r.arch === "unknown") {
    throw new V2vError(
      "UNSUPPORTED_GUEST",
      `inspection could not detect the source guest (type ${r.osType}, distro ${r.distro}, arch ${r.arch}) on ${r.root}: this operating system is not supported`,
    );
  }
}

/**
 * No operating system was found. A BitLocker volume, or partitions of a Windows dynamic disk,
 * are left out by libguestfs and most likely hold Windows: say that and how to fix it, rather
 * than "no operating system".
 */
async function explainNoRoot(g: GuestHandle, diskNames: readonly string[]): Promise<void> {
  const scan = await scanVolumes(g);
  const sources = diskNames.join(", ");
  const encrypted = bitlockerPartitions(scan);
  if (encrypted.length > 0) throw windowsBitLocker(sources, describePartitions(encrypted, scan, diskNames));
  const dynamic = ldmPartitions(scan);
  if (dynamic.length > 0) throw windowsDynamicDiskNoRoot(sources, describePartitions(dynamic, scan, diskNames));
}

/**
 * Inspect, choose, mount, and describe the guest. Leaves its filesystems mounted. A package
 * database libguestfs cannot read (missing or damaged /var/lib/dpkg/status, rpmdb) is not fatal:
 * the list is empty and `warn` says why. `diskNames` are the source disks' names, in order.
 */
export async function inspectGuest(
  g: GuestHandle, choice: RootChoice, diskNames: readonly string[], warn: (message: string) => void = () => undefined,
): Promise<Inspection> {
  const roots = await g.inspectRoots();
  if (roots.length === 0) await explainNoRoot(g, diskNames);
  const root = chooseRoot(roots, choice, diskNames.join(", "));
  checkInspectable(root);
  for (const w of await g.mountRoot(root)) warn(w);
  const applications = await g.listApplications(root.root).catch((e: unknown) => {
    if (!(e instanceof V2vError)) throw e;
    warn(`the guest's installed packages could not be listed (${e.message.split("\n")[0]}); conversion carries on without that list`);
    return [];
  });
  const mountpoints = Object.entries(root.mountpoints)
    .map(([mountpoint, device]) => ({ mountpoint, device }))
    .sort((a, b) => a.mountpoint.length - b.mountpoint.length || a.mountpoint.localeCompare(b.mountpoint));
  return {
    root: root.root,
    osType: root.osType,
    distro: root.distro,
    majorVersion: root.majorVersion,
    minorVersion: root.minorVersion,
    productName: root.productName,
    arch: root.arch,
    osinfo: root.osinfo,
    packageFormat: root.packageFormat,
    packageManagement: root.packageManagement,
    mountpoints,
    applications,
    firmware: await detectFirmware(g),
    ...(root.windows ? { windows: root.windows } : {}),
  };
}

/**
 * UEFI when a GPT disk has an EFI System Partition and no BIOS boot partition (as virt-v2v
 * decides). list-filesystems names every partition, "unknown" content included, so the BIOS
 * boot partition (which holds no filesystem) is seen too.
 */
async function detectFirmware(g: GuestHandle): Promise<"bios" | "uefi"> {
  const types = new Set<string>();
  const partitions = Object.keys(await g.listFilesystems());
  for (const dev of await g.listDevices()) {
    if ((await g.partitionTableType(dev)) !== "gpt") continue;
    for (const part of partitions.filter((p) => p.startsWith(dev))) types.add(await partitionTypeGuid(g, part));
  }
  return types.has(ESP_TYPE_GUID) && !types.has(BIOS_BOOT_TYPE_GUID) ? "uefi" : "bios";
}
