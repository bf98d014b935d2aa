// Three conversions (bios+virtio, bios without virtio, uefi) built through the real pure decisions,
// and a golden-file comparison helper (UPDATE_GOLDEN=1 rewrites the files).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { chooseGuestCaps, decideTargetFirmware } from "../../../src/target/buses.js";
import type { GuestDriverSupport } from "../../../src/model/types.js";
import { buildTargetMeta } from "../../../src/target/meta.js";
import type { TargetPlan } from "../../../src/model/contracts.js";
import type { Inspection, OutputOptions, Source, TargetMeta } from "../../../src/model/types.js";

export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "outputs");
export const OVMF = { code: "/usr/share/OVMF/OVMF_CODE_4M.fd", vars: "/usr/share/OVMF/OVMF_VARS_4M.fd" };
export const OVMF_SECURE_BOOT = { code: "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", vars: "/usr/share/OVMF/OVMF_VARS_4M.ms.fd" };

/** The OVMF pair an output would find for `meta` (options.ovmf), or {} for a BIOS guest. */
export const ovmfOptionFor = (meta: TargetMeta): { ovmf?: typeof OVMF } =>
  meta.firmware !== "uefi" ? {} : { ovmf: meta.secureBoot ? OVMF_SECURE_BOOT : OVMF };
const GiB = 1024 ** 3;

/** Compare with a golden file; UPDATE_GOLDEN=1 writes it instead. A missing golden fails. */
export function expectGolden(fileName: string, actual: string): void {
  const path = join(GOLDEN_DIR, fileName);
  if (process.env["UPDATE_GOLDEN"] === "1") {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing; run the test with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

export function makeInspection(over: Partial<Inspection> = {}): Inspection {
  return {
    root: "/dev/sda1", osType: "linux", distro: "debian", majorVersion: 12, minorVersion: 5,
    productName: "Debian GNU/Linux 12 (bookworm)", arch: "x86_64", osinfo: "debian12",
    packageFormat: "deb", packageManagement: "apt",
    mountpoints: [{ mountpoint: "/", device: "/dev/sda1" }],
    applications: [{ name: "linux-image-6.1.0-13-amd64", version: "6.1.55-1" }],
    firmware: "bios",
    ...over,
  };
}

export function makeSource(over: Partial<Source> = {}): Source {
  return {
    name: "guest", hypervisor: "vmware", memoryBytes: 2 * GiB, vcpus: 1, firmware: "bios",
    disks: [{ index: 0, image: { kind: "checked", qemuUri: "/src/guest-disk1.vmdk", format: "vmdk", chain: [], virtualSizeBytes: 1 }, displayName: "guest-disk1.vmdk" }],
    nics: [], removableCount: 0,
    ...over,
  };
}

const ALL_VIRTIO: GuestDriverSupport = { virtioBlk: true, virtioNet: true, virtioRng: true, virtioBalloon: true };
const NO_VIRTIO: GuestDriverSupport = { virtioBlk: false, virtioNet: false, virtioRng: false, virtioBalloon: false };

/** Run the same decisions the pipeline runs, then buildTargetMeta. */
export function convertFixture(
  source: Source, inspection: Inspection, drivers: GuestDriverSupport, opts: Pick<OutputOptions, "name" | "format">, dir: string,
): TargetMeta {
  const firmware = decideTargetFirmware(source.firmware, inspection.firmware);
  const guestcaps = chooseGuestCaps({ drivers, firmware, inspection, sourceControllers: source.disks.map((d) => d.controller) });
  const plan: TargetPlan = { diskPaths: source.disks.map((d) => `${dir}/${opts.name ?? source.name}-sd${"abcdefgh"[d.index]}`) };
  const sizes = source.disks.map((_, i) => (i + 8) * GiB);
  return buildTargetMeta(source, inspection, { converter: "linux", drivers, guestcaps, changes: [], warnings: [] }, plan, opts, sizes);
}

/** BIOS Debian 12 from VMware with virtio drivers: 2 SCSI disks, a bridge NIC, 2 vCPUs as 1x2x1. The
 * output directory has a space, a quote and a comma, to exercise quoting everywhere. */
export const biosVirtio = (): TargetMeta =>
  convertFixture(
    makeSource({
      name: "debian12-bios", vcpus: 2, cpuTopology: { sockets: 1, coresPerSocket: 2, threadsPerCore: 1 },
      disks: [
        { index: 0, image: { kind: "checked", qemuUri: "/src/d1.vmdk", format: "vmdk", chain: [], virtualSizeBytes: 1 }, displayName: "d1.vmdk", controller: "scsi" },
        { index: 1, image: { kind: "checked", qemuUri: "/src/d2.vmdk", format: "vmdk", chain: [], virtualSizeBytes: 1 }, displayName: "d2.vmdk", controller: "scsi" },
      ],
      nics: [{ mac: "00:50:56:aa:bb:cc", sourceModel: "vmxnet3", networkName: "VM Network", vnetType: "bridge" }],
    }),
    makeInspection(),
    ALL_VIRTIO,
    { format: "raw" },
    "/srv/v2v out/it's,here",
  );

/** BIOS Debian 12 whose kernel has no virtio, from an IDE source: falls back to pc/ide/e1000. */
export const biosNoVirtio = (): TargetMeta =>
  convertFixture(
    makeSource({
      name: "debian12-novirtio", hypervisor: "unknown", firmware: "unknown",
      disks: [{ index: 0, image: { kind: "checked", qemuUri: "/src/nv.img", format: "raw", chain: [], virtualSizeBytes: 1 }, displayName: "nv.img", controller: "ide" }],
      nics: [{ networkName: "default", vnetType: "network" }],
    }),
    makeInspection(),
    NO_VIRTIO,
    { format: "raw" },
    "/var/tmp/out",
  );

/** Ubuntu 22.04: source firmware unknown, inspection found an ESP -> UEFI; qcow2, renamed, no NIC. */
export const uefiGuest = (): TargetMeta =>
  convertFixture(
    makeSource({ name: "ubuntu-src", firmware: "unknown", memoryBytes: 4 * GiB, vcpus: 4, nics: [] }),
    makeInspection({
      distro: "ubuntu", majorVersion: 22, minorVersion: 4, productName: "Ubuntu 22.04.3 LTS", osinfo: "ubuntu22.04",
      firmware: "uefi", mountpoints: [{ mountpoint: "/", device: "/dev/sda2" }, { mountpoint: "/boot/efi", device: "/dev/sda1" }],
      root: "/dev/sda2",
    }),
    ALL_VIRTIO,
    { format: "qcow2", name: "ubuntu-uefi" },
    "/var/tmp/out",
  );

const windowsInspection = (over: Partial<Inspection>): Inspection =>
  makeInspection({
    osType: "windows", distro: "windows", majorVersion: 10, minorVersion: 0, packageFormat: "unknown", packageManagement: "unknown",
    root: "/dev/sda3", mountpoints: [{ mountpoint: "/", device: "/dev/sda3" }], applications: [], firmware: "uefi",
    ...over,
  });

/** Windows Server 2022 from VMware (UEFI), viostor and netkvm installed: virtio, local time, Hyper-V. */
export const windows2022 = (): TargetMeta =>
  convertFixture(
    makeSource({
      name: "win2022", firmware: "uefi", memoryBytes: 4 * GiB, vcpus: 2,
      nics: [{ mac: "00:50:56:01:02:03", sourceModel: "vmxnet3", networkName: "VM Network", vnetType: "bridge" }],
    }),
    windowsInspection({ productName: "Windows Server 2022 Standard", osinfo: "win2k22" }),
    ALL_VIRTIO,
    { format: "raw" },
    "/var/tmp/out",
  );

/** Windows 11 with no matching virtio drivers: sata and e1000 on q35, and a TPM 2.0. */
export const windows11NoDrivers = (): TargetMeta =>
  convertFixture(
    makeSource({ name: "win11", firmware: "uefi", memoryBytes: 4 * GiB, vcpus: 2, nics: [{ networkName: "VM Network", vnetType: "network" }] }),
    windowsInspection({ productName: "Windows 11 Pro", osinfo: "win11" }),
    NO_VIRTIO,
    { format: "raw" },
    "/var/tmp/out",
  );

/** Windows 11 from a VMware VM with Secure Boot on (its OVF said so), virtio drivers: Secure Boot, SMM, a TPM. */
export const windows11SecureBoot = (): TargetMeta =>
  convertFixture(
    makeSource({ name: "win11sb", firmware: "uefi", secureBoot: true, memoryBytes: 4 * GiB, vcpus: 2, nics: [{ networkName: "VM Network", vnetType: "network" }] }),
    windowsInspection({ productName: "Windows 11 Pro", osinfo: "win11" }),
    ALL_VIRTIO,
    { format: "raw" },
    "/var/tmp/out",
  );

/** Windows Server 2022 converted with --block-driver virtio-scsi: vioscsi registered, two disks on one virtio-scsi controller. */
export const windows2022Scsi = (): TargetMeta =>
  convertFixture(
    makeSource({
      name: "win2022scsi", firmware: "uefi", memoryBytes: 4 * GiB, vcpus: 2,
      disks: [0, 1].map((index) => ({ index, image: { kind: "checked", qemuUri: `/src/win-disk${index + 1}.vmdk`, format: "vmdk", chain: [], virtualSizeBytes: 1 }, displayName: `win-disk${index + 1}.vmdk` })),
      nics: [{ mac: "00:50:56:01:02:04", sourceModel: "vmxnet3", networkName: "VM Network", vnetType: "bridge" }],
    }),
    windowsInspection({ productName: "Windows Server 2022 Standard", osinfo: "win2k22" }),
    { ...ALL_VIRTIO, virtioBlk: false, virtioScsi: true },
    { format: "raw" },
    "/var/tmp/out",
  );

export const FIXTURES: readonly (readonly [string, () => TargetMeta])[] = [
  ["bios-virtio", biosVirtio],
  ["bios-novirtio", biosNoVirtio],
  ["uefi", uefiGuest],
  ["windows-2022", windows2022],
  ["windows-11-nodrivers", windows11NoDrivers],
  ["windows-11-secureboot", windows11SecureBoot],
  ["windows-2022-scsi", windows2022Scsi],
];
