// A stand-in virtio-win driver tree and ISO, in the real ISO's layout, for the Windows converter's
// tests (the real ISO is not packaged in Debian).
//
// Layout: <DriverFolder>/<os>/<arch>/<files>, e.g. viostor/2k22/amd64/viostor.sys. Which OS
// folders each driver has follows the real releases roughly: qxldod stops at w10/2k19, viofs,
// viosock and vioinput start at w10/2k16, qemufwcfg (the older null driver for the fw_cfg device)
// stops at 2k22 while fwcfg covers everything; x86 exists only for client releases up to w10.
// The .inf files are written here as plain text with the real class GUIDs and hardware ids; the
// .sys/.cat/.pdb/.exe/.dll files are small placeholders whose bytes name their own path, so a test
// can tell which folder a copied file came from.
//
// Variants: `strippedInf` lists driver folders whose .inf files are empty (some trees ship them
// so; the converter must fall back to the well-known ids), `osDirs` keeps only those OS folders
// (a tree without the guest's release forces the no-driver fallback).
//
// ensureVirtioWin(variant) writes the tree into the harness cache and builds virtio-win.iso from
// it with xorriso (Rock Ridge and Joliet, volume id "virtio-win", like the real one).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { run } from "../../../host/exec.js";
import { ensureCached, hashRecipe, readHarnessSources } from "../cache.js";

export type TreeArch = "amd64" | "x86";

export const TREE_OS_DIRS = ["w7", "w8", "w8.1", "w10", "w11", "2k8R2", "2k12", "2k12R2", "2k16", "2k19", "2k22", "2k25"] as const;
export type TreeOsDir = (typeof TREE_OS_DIRS)[number];

/** Client releases that still ship 32-bit drivers. */
const X86_OSES: ReadonlySet<TreeOsDir> = new Set<TreeOsDir>(["w7", "w8", "w8.1", "w10"]);

export interface TreeDriver {
  /** The folder at the top of the tree ("NetKVM"). */
  readonly folder: string;
  /** The .inf/.sys base name ("netkvm"). */
  readonly base: string;
  readonly className: string;
  readonly classGuid: string;
  readonly description: string;
  readonly service?: string;
  readonly hardwareIds: readonly string[];
  readonly oses: readonly TreeOsDir[];
  /** Files besides <base>.inf/.cat (and .sys/.pdb unless noSys). */
  readonly extra?: readonly string[];
  /** An INF-only driver (qemupciserial, qemufwcfg use in-box drivers). */
  readonly noSys?: boolean;
}

const G = {
  SCSIAdapter: "{4D36E97B-E325-11CE-BFC1-08002BE10318}",
  Net: "{4D36E972-E325-11CE-BFC1-08002BE10318}",
  System: "{4D36E97D-E325-11CE-BFC1-08002BE10318}",
  Display: "{4D36E968-E325-11CE-BFC1-08002BE10318}",
  HIDClass: "{745A17A0-74D3-11D0-B6FE-00A0C90F57DA}",
  Ports: "{4D36E978-E325-11CE-BFC1-08002BE10318}",
} as const;

const ALL: readonly TreeOsDir[] = TREE_OS_DIRS;
const FROM_W10: readonly TreeOsDir[] = ["w10", "w11", "2k16", "2k19", "2k22", "2k25"];

const pci = (dev: string, subsys: string, rev: string): string => `PCI\\VEN_1AF4&DEV_${dev}&SUBSYS_${subsys}&REV_${rev}`;

export const TREE_DRIVERS: readonly TreeDriver[] = [
  { folder: "viostor", base: "viostor", className: "SCSIAdapter", classGuid: G.SCSIAdapter, description: "Red Hat VirtIO SCSI controller", service: "viostor",
    hardwareIds: [pci("1001", "00021AF4", "00"), pci("1042", "11001AF4", "01")], oses: ALL },
  { folder: "vioscsi", base: "vioscsi", className: "SCSIAdapter", classGuid: G.SCSIAdapter, description: "Red Hat VirtIO SCSI pass-through controller", service: "vioscsi",
    hardwareIds: [pci("1004", "00081AF4", "00"), pci("1048", "11001AF4", "01")], oses: ALL },
  { folder: "NetKVM", base: "netkvm", className: "Net", classGuid: G.Net, description: "Red Hat VirtIO Ethernet Adapter", service: "netkvm",
    hardwareIds: [pci("1000", "00011AF4", "00"), pci("1041", "11001AF4", "01")], oses: ALL, extra: ["netkvmco.exe", "netkvmp.exe"] },
  { folder: "Balloon", base: "balloon", className: "System", classGuid: G.System, description: "VirtIO Balloon Driver", service: "BALLOON",
    hardwareIds: [pci("1002", "00051AF4", "00"), pci("1045", "11001AF4", "01")], oses: ALL, extra: ["blnsvr.exe"] },
  { folder: "viorng", base: "viorng", className: "System", classGuid: G.System, description: "VirtIO RNG Device", service: "VirtRng",
    hardwareIds: [pci("1005", "00041AF4", "00"), pci("1044", "11001AF4", "01")], oses: ALL, extra: ["viorngci.dll", "viorngum.dll"] },
  { folder: "vioserial", base: "vioser", className: "System", classGuid: G.System, description: "VirtIO Serial Driver", service: "VirtioSerial",
    hardwareIds: [pci("1003", "00031AF4", "00"), pci("1043", "11001AF4", "01")], oses: ALL },
  { folder: "pvpanic", base: "pvpanic", className: "System", classGuid: G.System, description: "QEMU PVPanic Device", service: "pvpanic",
    hardwareIds: ["ACPI\\QEMU0001"], oses: ALL },
  { folder: "fwcfg", base: "fwcfg", className: "System", classGuid: G.System, description: "QEMU FwCfg Device", service: "FwCfg",
    hardwareIds: ["ACPI\\VEN_QEMU&DEV_0002", "ACPI\\QEMU0002"], oses: ALL },
  { folder: "qemufwcfg", base: "qemufwcfg", className: "System", classGuid: G.System, description: "QEMU FWCfg Device",
    hardwareIds: ["ACPI\\QEMU0002"], oses: ALL.filter((o) => o !== "2k25"), noSys: true },
  { folder: "qemupciserial", base: "qemupciserial", className: "Ports", classGuid: G.Ports, description: "QEMU Serial PCI Card",
    hardwareIds: ["PCI\\VEN_1B36&DEV_0002&SUBSYS_11001AF4&REV_01"], oses: ALL, noSys: true },
  { folder: "qxldod", base: "qxldod", className: "Display", classGuid: G.Display, description: "Red Hat QXL controller", service: "qxldod",
    hardwareIds: ["PCI\\VEN_1B36&DEV_0100&SUBSYS_11001AF4&REV_04"], oses: ["w8", "w8.1", "w10", "2k12", "2k12R2", "2k16", "2k19"] },
  { folder: "vioinput", base: "vioinput", className: "HIDClass", classGuid: G.HIDClass, description: "VirtIO Input Driver", service: "vioinput",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1052&SUBSYS_11001AF4&REV_01"], oses: FROM_W10, extra: ["viohidkmdf.sys"] },
  { folder: "viofs", base: "viofs", className: "System", classGuid: G.System, description: "VirtIO FS Device", service: "VirtioFsDrv",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_105A&SUBSYS_11001AF4&REV_01"], oses: FROM_W10, extra: ["virtiofs.exe"] },
  { folder: "viosock", base: "viosock", className: "System", classGuid: G.System, description: "VirtIO Socket Driver", service: "VirtioSocket",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1053&SUBSYS_11001AF4&REV_01"], oses: FROM_W10, extra: ["viosocklib.dll"] },
];

export interface VirtioWinVariant {
  /** Driver folders whose .inf files are empty. */
  readonly strippedInf?: readonly string[];
  /** Keep only these OS folders (names as in TREE_OS_DIRS). */
  readonly osDirs?: readonly string[];
}

export interface TreeFile {
  /** Relative path with "/" separators. */
  readonly path: string;
  readonly content: Buffer;
}

/** The driver version written in every .inf (a real release's format: mm/dd/yyyy,100.x.y.z). */
export const DRIVER_VER = "06/05/2025,100.100.104.27100";

const CRLF = (lines: readonly string[]): string => `${lines.join("\r\n")}\r\n`;

/** The NT platform decoration of a models section for an arch ("NTamd64", "NTx86"). */
const decoration = (arch: TreeArch): string => (arch === "amd64" ? "NTamd64" : "NTx86");

/** Pure: the .inf text of one driver for one OS and arch. */
export function infText(d: TreeDriver, os: TreeOsDir, arch: TreeArch): string {
  const dec = decoration(arch);
  const inst = `${d.base}_inst`;
  const lines = [
    `; ${d.base}.inf`,
    `; ${d.description} (virtio-win stand-in for ${os}/${arch}, written by the v2v-ts harness)`,
    "",
    "[Version]",
    'Signature="$WINDOWS NT$"',
    `Class=${d.className}`,
    `ClassGuid=${d.classGuid}`,
    "Provider=%VENDOR%",
    `DriverVer=${DRIVER_VER}`,
    `CatalogFile=${d.base}.cat`,
    "DriverPackageType=PlugAndPlay",
    "PnpLockdown=1",
    "",
    "[DestinationDirs]",
    "DefaultDestDir = 12 ; %SystemRoot%\\system32\\drivers",
    "",
    "[SourceDisksNames]",
    "1 = %DiskId1%,,,\"\"",
    "",
    "[SourceDisksFiles]",
    ...(d.noSys ? [] : [`${d.base}.sys = 1,,`]),
    "",
    "[Manufacturer]",
    `%VENDOR%=Models,${dec}`,
    "",
    `[Models.${dec}]`,
    ...d.hardwareIds.map((id) => `%${d.base}.DeviceDesc% = ${inst}, ${id}`),
    "",
    `[${inst}]`,
    ...(d.noSys ? ["; uses an in-box driver"] : ["CopyFiles = Drivers_Dir", "", "[Drivers_Dir]", `${d.base}.sys`]),
    "",
    `[${inst}.Services]`,
    d.service ? `AddService = ${d.service}, 0x00000002, ${d.base}_Service_Inst` : "AddService = , 0x00000002 ; null service",
    "",
    ...(d.service
      ? [
          `[${d.base}_Service_Inst]`,
          `DisplayName    = %${d.base}.SVCDESC%`,
          "ServiceType    = 1 ; SERVICE_KERNEL_DRIVER",
          `StartType      = ${d.className === "SCSIAdapter" ? "0 ; SERVICE_BOOT_START" : "3 ; SERVICE_DEMAND_START"}`,
          "ErrorControl   = 1 ; SERVICE_ERROR_NORMAL",
          `ServiceBinary  = %12%\\${d.base}.sys`,
          ...(d.className === "SCSIAdapter" ? ["LoadOrderGroup = SCSI miniport"] : []),
          "",
        ]
      : []),
    "[Strings]",
    'VENDOR = "Red Hat, Inc."',
    `DiskId1 = "${d.description} Install Disk #1"`,
    `${d.base}.DeviceDesc = "${d.description}"`,
    `${d.base}.SVCDESC = "${d.description} Service"`,
  ];
  return CRLF(lines);
}

/** Pure: placeholder bytes for a binary file, naming its own path after a type-typical header. */
export function placeholder(path: string): Buffer {
  const ext = path.slice(path.lastIndexOf(".")).toLowerCase();
  const note = Buffer.from(`virtio-win stand-in: ${path}\n`);
  if (ext === ".pdb") return Buffer.concat([Buffer.from("Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0", "latin1"), note]);
  if (ext === ".cat") {
    // A DER SEQUENCE header (catalogs are PKCS#7), its length covering the note.
    return Buffer.concat([Buffer.from([0x30, 0x82, (note.length >> 8) & 0xff, note.length & 0xff]), note]);
  }
  // .sys .exe .dll: a DOS header ("MZ"), e_lfanew pointing past it, then the note.
  const header = Buffer.alloc(64);
  header.write("MZ", 0, "latin1");
  header.writeUInt32LE(64, 0x3c);
  return Buffer.concat([header, note]);
}

/** Pure: every file of the tree, sorted by path. */
export function virtioWinTree(variant: VirtioWinVariant = {}): TreeFile[] {
  const stripped = new Set((variant.strippedInf ?? []).map((s) => s.toLowerCase()));
  const keep = variant.osDirs ? new Set(variant.osDirs.map((s) => s.toLowerCase())) : undefined;
  const files: TreeFile[] = [];
  for (const d of TREE_DRIVERS) {
    for (const os of d.oses) {
      if (keep && !keep.has(os.toLowerCase())) continue;
      const arches: TreeArch[] = X86_OSES.has(os) ? ["amd64", "x86"] : ["amd64"];
      for (const arch of arches) {
        const dir = `${d.folder}/${os}/${arch}`;
        const inf = stripped.has(d.folder.toLowerCase()) ? "" : infText(d, os, arch);
        files.push({ path: `${dir}/${d.base}.inf`, content: Buffer.from(inf) });
        const bins = [...(d.noSys ? [] : [`${d.base}.sys`, `${d.base}.pdb`]), `${d.base}.cat`, ...(d.extra ?? [])];
        for (const b of bins) files.push({ path: `${dir}/${b}`, content: placeholder(`${dir}/${b}`) });
      }
    }
  }
  // What else sits at the top of the real ISO (not driver files: the filter ignores them).
  files.push({ path: "virtio-win_license.txt", content: Buffer.from("Stand-in virtio-win tree built by the v2v-ts QE harness; not the real drivers.\n") });
  // The guest agent's installers (stand-ins: text, not an MSI), one per arch, told apart by content.
  for (const arch of ["x86_64", "i386"]) files.push({ path: `guest-agent/qemu-ga-${arch}.msi`, content: Buffer.from(`stand-in MSI for ${arch}\n`) });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Pure: a short cache name for a variant ("virtio-win", "virtio-win-stripped", "virtio-win-os"). */
export function variantName(variant: VirtioWinVariant): string {
  const parts = ["virtio-win"];
  if (variant.strippedInf?.length) parts.push("stripped");
  if (variant.osDirs) parts.push("os");
  return parts.join("-");
}

export interface VirtioWinBuild {
  /** The tree's root directory. */
  readonly dir: string;
  /** virtio-win.iso, built from that tree. */
  readonly iso: string;
}

/** Effectful: the tree and its ISO in the harness cache, built once per variant and source text. */
export async function ensureVirtioWin(variant: VirtioWinVariant = {}): Promise<VirtioWinBuild> {
  const key = hashRecipe({ kind: "virtio-win", variant }, await readHarnessSources(["guests/windows/virtio-win"]));
  const { dir } = await ensureCached("virtio-win", variantName(variant), key, async (tmp) => {
    const tree = join(tmp, "tree");
    for (const f of virtioWinTree(variant)) {
      const p = join(tree, ...f.path.split("/"));
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, f.content, { flag: "wx" });
    }
    await run(["xorriso", "-as", "mkisofs", "-J", "-R", "-V", "virtio-win", "-o", join(tmp, "virtio-win.iso"), tree], { timeoutMs: 5 * 60_000 });
    // A quick sanity check: an ISO 9660 volume descriptor at 32 KiB.
    const head = await readFile(join(tmp, "virtio-win.iso"));
    if (head.subarray(32769, 32774).toString("latin1") !== "CD001") throw new Error("xorriso wrote something that is not an ISO 9660 image");
  });
  return { dir: join(dir, "tree"), iso: join(dir, "virtio-win.iso") };
}
