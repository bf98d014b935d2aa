// The reference guests, as data: what each guest looks like on its source hypervisor and inside
// (suite, firmware, partitioning, how fstab names devices, which drivers its initramfs holds).
// Each recipe has a `kind`, and the builder of that kind (guests/builders.ts) turns it into disks:
// a new variant is a new entry here; a new kind of guest (phony Windows, an RPM family, a
// user-supplied image) is a new member of GuestRecipe and a builder beside guests/debian/.
import { ALT_10_STANDIN, ROCKY_9_STANDIN, SLES_15_STANDIN, validateRpmRecipe, type RpmRecipe } from "./rpm/recipe.js";

export type { RpmRecipe };

/** Debian suites debootstrap can reach from this machine's mirror. */
export const DEBIAN_SUITES = { 11: "bullseye", 12: "bookworm", 13: "trixie" } as const;
export type DebianRelease = keyof typeof DEBIAN_SUITES;

/**
 * How /etc/fstab (and the kernel's root=) name a filesystem. "by-id" is a
 * /dev/disk/by-id/scsi-36000c29...-partN link, as a VMware SCSI disk's WWN gives it (fstab only:
 * the converted guest's virtio disks have no such id, so the converter must rename it).
 */
export type DeviceNaming = "device" | "uuid" | "label" | "by-id";

/**
 * The hypervisor the guest was installed on. "xen": the guest names its disks /dev/xvdX, its
 * console is hvc0, its initramfs holds Xen's paravirtual block driver, and a stand-in of Xen's
 * guest tools (xe-guest-utilities) is installed.
 */
export type GuestOrigin = "vmware" | "xen";

/** A swap partition on the root disk, after /. */
export interface SwapSpec {
  readonly sizeMiB: number;
  readonly naming: DeviceNaming;
  /** The kernel's resume= and initramfs-tools' RESUME= name it by its device name (/dev/sda2). */
  readonly resume: boolean;
}

/** An ext4 partition on the root disk, after / (and swap), mounted through fstab. */
export interface ExtraFilesystem {
  readonly mountpoint: string;
  readonly sizeMiB: number;
  readonly naming: DeviceNaming;
  readonly label: string;
}

/** The root disk's layout. `lvm-root` puts / on LVM (vg0/root) with a separate ext4 /boot. */
export type RootLayout = "plain" | "lvm-root";

/**
 * Where a UEFI guest's boot loader sits on its EFI System Partition:
 * "removable": EFI/BOOT/BOOTX64.EFI, which fresh firmware variables boot (grub-install --removable);
 * "vendor": only EFI/debian/grubx64.efi, as an installer leaves it when it could write the boot
 *   entry into the source hypervisor's NVRAM (that entry does not come along: the converter must
 *   install the fallback);
 * "vendor-shim": the same with Debian's signed shim (shimx64.efi, grubx64.efi, mmx64.efi).
 */
export type EfiLoader = "removable" | "vendor" | "vendor-shim";

/** The guest's initramfs generator: Debian's own, or dracut (the RHEL/SUSE tool, packaged by Debian). */
export type InitramfsTool = "initramfs-tools" | "dracut";

export interface DataDisk {
  readonly sizeGiB: number;
  readonly mountpoint: string;
  readonly naming: DeviceNaming;
  /** The file system's label; "data" when absent. */
  readonly label?: string;
}

/** A Debian-family guest built from Debian's packages (debootstrap), boot-proven. */
export interface DebianRecipe {
  readonly kind: "debian";
  /** Cell names start with it: "debian-12-bios". Lower-case kebab. */
  readonly name: string;
  readonly release: DebianRelease;
  readonly firmware: "bios" | "uefi";
  readonly rootDiskGiB: number;
  readonly layout: RootLayout;
  /** Naming used for fstab and root= (grub's GRUB_DISABLE_LINUX_UUID follows it). */
  readonly naming: DeviceNaming;
  /** A second disk (/dev/sdb1) mounted through fstab; tests that fstab survives the conversion. */
  readonly dataDisk?: DataDisk;
  /**
   * The only modules the initramfs holds (initramfs-tools MODULES=list). The point of a reference
   * guest: it boots on the VMware-like buses and NOT on virtio until converted.
   */
  readonly initramfsModules: readonly string[];
  /** Packages beyond the base set (build-rootfs adds the bootloader and lvm2 as needed). */
  readonly extraPackages: readonly string[];
  /** UEFI only; "removable" when absent. */
  readonly efiLoader?: EfiLoader;
  /** "initramfs-tools" when absent. With dracut the same module list goes into dracut's `drivers=`. */
  readonly initramfsTool?: InitramfsTool;
  /** "vmware" when absent. */
  readonly origin?: GuestOrigin;
  readonly swap?: SwapSpec;
  readonly extraFilesystems?: readonly ExtraFilesystem[];
  /**
   * A newer kernel that cannot boot is installed beside the real one and is grub's default: its
   * vmlinuz only, no modules and no initramfs (a half-removed kernel package). The converter must
   * pick the kernel that has virtio and make grub boot it.
   */
  readonly brokenNewestKernel?: boolean;
  readonly hostname: string;
  /** What the source hypervisor said about the VM (the OVF states these). */
  readonly vm: { readonly vcpus: number; readonly memoryMiB: number };
}

/** What a Windows guest's registry says about its version (SOFTWARE\Microsoft\Windows NT\CurrentVersion). */
export interface WindowsVersion {
  /** 6 for Windows 7 / 2008 R2 (6.1), 10 for Windows 10, 11 and Server 2016..2025. */
  readonly major: number;
  readonly minor: number;
  /** CurrentBuildNumber: libguestfs tells Windows 10 from 11 and the Server releases apart by it. */
  readonly build: number;
  readonly productName: string;
  readonly editionId: string;
  /** InstallationType: libguestfs reports it as the product variant. */
  readonly installationType: "Client" | "Server";
}

/**
 * How the boot disk is laid out, as Windows Setup does it:
 * "mbr-system-reserved": 100 MiB "System Reserved" NTFS (active, holds \Boot\BCD) + C: NTFS;
 * "gpt-esp-msr": 100 MiB EFI system partition (FAT32) + 16 MiB Microsoft reserved + C: NTFS.
 */
export type WindowsPartitioning = "mbr-system-reserved" | "gpt-esp-msr";

/**
 * A phony Windows guest: real partitions, NTFS, registry hives and PE stubs, built from Debian
 * tools so that libguestfs inspection identifies it as that Windows; it cannot boot (proof "static").
 */
export interface WindowsRecipe {
  readonly kind: "windows";
  /** Cell names start with it: "windows-2022-uefi". Lower-case kebab starting "windows-". */
  readonly name: string;
  readonly windows: WindowsVersion;
  /** The PE stubs (cmd.exe first: libguestfs reads the arch from it) are built for this arch. */
  readonly arch: "x86_64";
  readonly firmware: "bios" | "uefi";
  readonly partitioning: WindowsPartitioning;
  /** Sparse: only the file systems' metadata and the few files are written. */
  readonly rootDiskGiB: number;
  /** Tcpip\Parameters\Hostname; ComputerName is its upper-case form (NetBIOS: at most 15 characters). */
  readonly hostname: string;
  readonly vm: { readonly vcpus: number; readonly memoryMiB: number };
  /** SYSTEM\DriverDatabase exists (Windows 8 / 2012 and later); older ones use CriticalDeviceDatabase. */
  readonly hasDriverDatabase: boolean;
  /** VMware's guestOS id, written to the OVF (vmw:osType). */
  readonly vmwareOsType: string;
  /** C:\hiberfil.sys starts with "HIBR" and fast startup is on: the conversion must refuse it. */
  readonly hibernated?: boolean;
  /** The Red Hat Xen PV drivers are installed (an uninstaller and the xenpci/xenvbd services). */
  readonly xenPv?: boolean;
  /**
   * C: is BitLocker-encrypted: its boot sector and FVE metadata blocks carry BitLocker's
   * signatures (libblkid types it "BitLocker"), so inspection finds no Windows and v2v must refuse it.
   */
  readonly bitlocker?: boolean;
  /**
   * Every MBR partition has type 0x42, as on a Windows dynamic disk (no LDM database is written,
   * so libguestfs still reads C: as a partition): v2v must refuse it. MBR layouts only.
   */
  readonly dynamicDisk?: boolean;
  /** The VM booted with UEFI Secure Boot on VMware: the OVF says uefi.secureBoot.enabled (UEFI only). */
  readonly secureBoot?: boolean;
}

/** Every kind of reference guest; each member has a builder in guests/builders.ts. */
export type GuestRecipe = DebianRecipe | WindowsRecipe | RpmRecipe;

/** Xen's paravirtual disk driver with ext4 and its helpers: the initramfs of a Xen-born guest. */
export const XEN_PV_MODULES: readonly string[] = ["xen_blkfront", "crc32c_generic", "crc16", "mbcache", "jbd2", "ext4"];

/** Storage drivers of the VMware-like buses (IDE, AHCI, LSI SCSI, PVSCSI), ext4 and its helpers. */
export const VMWARE_LIKE_MODULES: readonly string[] = [
  "ata_piix", "ata_generic", "ahci", "mptspi", "vmw_pvscsi", "sd_mod",
  "crc32c_generic", "crc16", "mbcache", "jbd2", "ext4",
];

const base = {
  kind: "debian",
  release: 12,
  firmware: "bios",
  rootDiskGiB: 4,
  layout: "plain",
  naming: "device",
  initramfsModules: VMWARE_LIKE_MODULES,
  extraPackages: [],
  vm: { vcpus: 1, memoryMiB: 1024 },
} as const satisfies Partial<DebianRecipe>;

const server2022 = {
  major: 10, minor: 0, build: 20348, productName: "Windows Server 2022 Standard", editionId: "ServerStandard", installationType: "Server",
} as const satisfies WindowsVersion;

const win = {
  kind: "windows",
  arch: "x86_64",
  firmware: "uefi",
  partitioning: "gpt-esp-msr",
  rootDiskGiB: 2,
  hasDriverDatabase: true,
  vm: { vcpus: 2, memoryMiB: 4096 },
} as const satisfies Partial<WindowsRecipe>;

const winBios = { ...win, firmware: "bios", partitioning: "mbr-system-reserved" } as const satisfies Partial<WindowsRecipe>;

/** Every reference guest. The first is the one the smoke suites use. */
export const RECIPES: readonly GuestRecipe[] = [
  { ...base, name: "debian-12-bios", hostname: "deb12bios" },
  { ...base, name: "debian-12-uefi", hostname: "deb12uefi", firmware: "uefi" },
  { ...base, name: "debian-12-uuid", hostname: "deb12uuid", naming: "uuid" },
  { ...base, name: "debian-12-lvm", hostname: "deb12lvm", layout: "lvm-root" },
  { ...base, name: "debian-12-twodisks", hostname: "deb12two", dataDisk: { sizeGiB: 1, mountpoint: "/srv/data", naming: "device" } },
  { ...base, name: "debian-11-bios", hostname: "deb11bios", release: 11 },
  { ...base, name: "debian-13-bios", hostname: "deb13bios", release: 13 },
  { ...base, name: "debian-12-uefi-vendor", hostname: "deb12efivendor", firmware: "uefi", efiLoader: "vendor" },
  { ...base, name: "debian-12-uefi-shim", hostname: "deb12efishim", firmware: "uefi", efiLoader: "vendor-shim" },
  { ...base, name: "debian-12-dracut", hostname: "deb12dracut", initramfsTool: "dracut" },
  { ...base, name: "debian-12-xen", hostname: "deb12xen", origin: "xen", initramfsModules: XEN_PV_MODULES },
  {
    // One fstab with every naming: /dev/sda1, UUID= swap that resume= names by device, a by-id
    // link of VMware's SCSI WWN, and LABEL= on a second disk.
    ...base, name: "debian-12-mixed", hostname: "deb12mixed",
    swap: { sizeMiB: 256, naming: "uuid", resume: true },
    extraFilesystems: [{ mountpoint: "/srv/byid", sizeMiB: 128, naming: "by-id", label: "byid" }],
    dataDisk: { sizeGiB: 1, mountpoint: "/srv/data", naming: "label", label: "data" },
  },
  { ...base, name: "debian-12-kernels", hostname: "deb12kernels", brokenNewestKernel: true },
  {
    ...winBios, name: "windows-7-bios", hostname: "win7bios", hasDriverDatabase: false, vmwareOsType: "windows7_64Guest",
    vm: { vcpus: 1, memoryMiB: 2048 },
    windows: { major: 6, minor: 1, build: 7601, productName: "Windows 7 Professional", editionId: "Professional", installationType: "Client" },
  },
  {
    ...winBios, name: "windows-10-bios", hostname: "win10bios", vmwareOsType: "windows9_64Guest",
    windows: { major: 10, minor: 0, build: 19045, productName: "Windows 10 Pro", editionId: "Professional", installationType: "Client" },
  },
  {
    ...win, name: "windows-10-uefi", hostname: "win10uefi", vmwareOsType: "windows9_64Guest",
    windows: { major: 10, minor: 0, build: 19045, productName: "Windows 10 Pro", editionId: "Professional", installationType: "Client" },
  },
  {
    ...win, name: "windows-11-uefi", hostname: "win11uefi", vmwareOsType: "windows11_64Guest", secureBoot: true, // Windows 11 requires it
    windows: { major: 10, minor: 0, build: 22631, productName: "Windows 11 Pro", editionId: "Professional", installationType: "Client" },
  },
  {
    ...win, name: "windows-2019-uefi", hostname: "win2019uefi", vmwareOsType: "windows2019srv_64Guest",
    windows: { major: 10, minor: 0, build: 17763, productName: "Windows Server 2019 Standard", editionId: "ServerStandard", installationType: "Server" },
  },
  { ...win, name: "windows-2022-uefi", hostname: "win2022uefi", vmwareOsType: "windows2019srvNext_64Guest", windows: server2022 },
  {
    ...win, name: "windows-2025-uefi", hostname: "win2025uefi", vmwareOsType: "windows2022srvNext_64Guest",
    windows: { major: 10, minor: 0, build: 26100, productName: "Windows Server 2025 Standard", editionId: "ServerStandard", installationType: "Server" },
  },
  { ...win, name: "windows-2022-hibernated", hostname: "win2022hib", vmwareOsType: "windows2019srvNext_64Guest", windows: server2022, hibernated: true },
  { ...win, name: "windows-2022-xenpv", hostname: "win2022xen", vmwareOsType: "windows2019srvNext_64Guest", windows: server2022, xenPv: true },
  { ...win, name: "windows-2022-bitlocker", hostname: "win2022bl", vmwareOsType: "windows2019srvNext_64Guest", windows: server2022, bitlocker: true },
  {
    ...winBios, name: "windows-7-dynamic", hostname: "win7dyn", hasDriverDatabase: false, vmwareOsType: "windows7_64Guest", dynamicDisk: true,
    vm: { vcpus: 1, memoryMiB: 2048 },
    windows: { major: 6, minor: 1, build: 7601, productName: "Windows 7 Professional", editionId: "Professional", installationType: "Client" },
  },
  ROCKY_9_STANDIN, // RPM family stand-in (guests/rpm/): static proof
  SLES_15_STANDIN, // SUSE family stand-in: static proof
  ALT_10_STANDIN, // ALT family stand-in: static proof
];

/** The recipe kind a literal name implies ("debian-12-bios" → DebianRecipe); validateRecipe checks the prefix. */
export type RecipeNamed<N extends string> =
  N extends `debian-${string}` ? DebianRecipe : N extends `windows-${string}` ? WindowsRecipe : GuestRecipe;

/** The recipe of that name; throws a sentence listing the known names. */
export function findRecipe<N extends string>(name: N, recipes: readonly GuestRecipe[] = RECIPES): RecipeNamed<N> {
  const r = recipes.find((x) => x.name === name);
  if (!r) throw new Error(`unknown reference guest "${name}"; known guests: ${recipes.map((x) => x.name).join(", ")}`);
  const prefix = /^(debian|windows)-/.exec(name)?.[1];
  if (prefix !== undefined && prefix !== r.kind) throw new Error(`reference guest "${name}" is of kind "${r.kind}", not "${prefix}"`);
  return r as RecipeNamed<N>;
}

/** Pure: the problems of a recipe as sentences; [] when it can be built. */
export function validateRecipe(r: GuestRecipe): string[] {
  if (r.kind === "rpm") return validateRpmRecipe(r);
  return r.kind === "windows" ? validateWindowsRecipe(r) : validateDebianRecipe(r);
}

/** Pure: the problems of a Windows recipe as sentences. */
export function validateWindowsRecipe(r: WindowsRecipe): string[] {
  const p: string[] = [];
  const where = `recipe "${r.name}"`;
  if (!/^windows(-[a-z0-9]+)+$/.test(r.name)) p.push(`${where}: the name must be lower-case kebab starting "windows-"`);
  if (!/^[a-z0-9][a-z0-9-]{0,14}$/.test(r.hostname)) p.push(`${where}: hostname must be 1-15 of a-z, 0-9, "-" (a NetBIOS name)`);
  if (!Number.isInteger(r.rootDiskGiB) || r.rootDiskGiB < 1) p.push(`${where}: rootDiskGiB must be a whole number of at least 1`);
  if ((r.firmware === "uefi") !== (r.partitioning === "gpt-esp-msr")) p.push(`${where}: UEFI goes with gpt-esp-msr and BIOS with mbr-system-reserved`);
  if (r.dynamicDisk && r.partitioning !== "mbr-system-reserved") p.push(`${where}: dynamicDisk sets MBR partition types, so it needs mbr-system-reserved`);
  if (r.secureBoot && r.firmware !== "uefi") p.push(`${where}: secureBoot needs firmware uefi (VMware offers Secure Boot only with EFI)`);
  const v = r.windows;
  if (!(v.major === 6 && v.minor >= 1 && v.minor <= 3) && !(v.major === 10 && v.minor === 0)) p.push(`${where}: Windows ${v.major}.${v.minor} is not 6.1-6.3 or 10.0`);
  if (!Number.isInteger(v.build) || v.build < 7600) p.push(`${where}: build ${v.build} is not a Windows 7 or later build number`);
  if (r.hasDriverDatabase !== (v.major > 6 || v.minor >= 2)) p.push(`${where}: hasDriverDatabase must be true exactly from Windows 8 / 2012 (6.2) on`);
  if (!/^[A-Za-z0-9_]+Guest$/.test(r.vmwareOsType)) p.push(`${where}: vmwareOsType "${r.vmwareOsType}" is not a VMware guest id`);
  if (!Number.isInteger(r.vm.vcpus) || r.vm.vcpus < 1) p.push(`${where}: vm.vcpus must be a positive whole number`);
  if (!Number.isInteger(r.vm.memoryMiB) || r.vm.memoryMiB < 512) p.push(`${where}: vm.memoryMiB must be at least 512`);
  return p;
}

/** Pure: the problems of a Debian recipe as sentences. */
export function validateDebianRecipe(r: DebianRecipe): string[] {
  const p: string[] = [];
  const where = `recipe "${r.name}"`;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(r.name)) p.push(`${where}: the name must be lower-case kebab (a-z, 0-9, "-")`);
  if (!(r.release in DEBIAN_SUITES)) p.push(`${where}: release ${r.release} is not one of ${Object.keys(DEBIAN_SUITES).join(", ")}`);
  if (!Number.isInteger(r.rootDiskGiB) || r.rootDiskGiB < 2) p.push(`${where}: rootDiskGiB must be a whole number of at least 2 (a kernel and grub need ~1.5 GiB)`);
  if (r.initramfsModules.some((m) => /virtio/.test(m))) {
    p.push(`${where}: initramfsModules must not list virtio drivers; the unconverted guest has to fail on virtio (the negative control)`);
  }
  if (!r.initramfsModules.includes("ext4")) p.push(`${where}: initramfsModules must include ext4, the root filesystem's driver`);
  if (r.efiLoader !== undefined && r.firmware !== "uefi") p.push(`${where}: efiLoader is for UEFI guests; remove it or set firmware uefi`);
  if (r.layout === "lvm-root" && r.naming === "label") p.push(`${where}: label naming is not supported with lvm-root; use device or uuid`);
  if (!/^[a-z0-9-]{1,63}$/.test(r.hostname)) p.push(`${where}: hostname must be 1-63 of a-z, 0-9, "-"`);
  if (!Number.isInteger(r.vm.vcpus) || r.vm.vcpus < 1) p.push(`${where}: vm.vcpus must be a positive whole number`);
  if (!Number.isInteger(r.vm.memoryMiB) || r.vm.memoryMiB < 256) p.push(`${where}: vm.memoryMiB must be at least 256`);
  if (r.naming === "by-id") p.push(`${where}: by-id naming is for fstab entries other than /; name the root device, its UUID or its label`);
  if (r.origin === "xen" && r.firmware !== "bios") p.push(`${where}: a Xen-born guest is built for BIOS (Xen HVM's firmware)`);
  if (r.swap && (!Number.isInteger(r.swap.sizeMiB) || r.swap.sizeMiB < 16)) p.push(`${where}: swap.sizeMiB must be a whole number of at least 16`);
  if ((r.swap || r.extraFilesystems?.length) && r.layout !== "plain") p.push(`${where}: swap and extraFilesystems need layout plain`);
  for (const f of r.extraFilesystems ?? []) {
    if (!f.mountpoint.startsWith("/") || f.mountpoint === "/") p.push(`${where}: extraFilesystems mountpoint ${f.mountpoint} must be an absolute path other than /`);
    if (!Number.isInteger(f.sizeMiB) || f.sizeMiB < 32) p.push(`${where}: extraFilesystems ${f.mountpoint}: sizeMiB must be a whole number of at least 32`);
    if (!/^[a-z0-9]{1,16}$/.test(f.label)) p.push(`${where}: extraFilesystems ${f.mountpoint}: label must be 1-16 of a-z, 0-9`);
  }
  if (r.dataDisk) {
    if (r.dataDisk.label !== undefined && !/^[a-z0-9]{1,16}$/.test(r.dataDisk.label)) p.push(`${where}: dataDisk.label must be 1-16 of a-z, 0-9`);
    if (!r.dataDisk.mountpoint.startsWith("/") || r.dataDisk.mountpoint === "/") p.push(`${where}: dataDisk.mountpoint must be an absolute path other than /`);
    if (!Number.isInteger(r.dataDisk.sizeGiB) || r.dataDisk.sizeGiB < 1) p.push(`${where}: dataDisk.sizeGiB must be a whole number of at least 1`);
  }
  for (const pkg of r.extraPackages) if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) p.push(`${where}: "${pkg}" is not a Debian package name`);
  return p;
}

/** Pure: problems across a recipe list (each recipe's, plus duplicate names). */
export function validateRecipes(recipes: readonly GuestRecipe[]): string[] {
  const problems = recipes.flatMap(validateRecipe);
  const seen = new Set<string>();
  for (const r of recipes) {
    if (seen.has(r.name)) problems.push(`recipe "${r.name}" is defined twice`);
    seen.add(r.name);
  }
  return problems;
}
