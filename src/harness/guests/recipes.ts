// The reference guests, as data: what each guest looks like on its source hypervisor and inside
// (suite, firmware, partitioning, how fstab names devices, which drivers its initramfs holds).
// Each recipe has a `kind`, and the builder of that kind (guests/builders.ts) turns it into disks:
// a new variant is a new entry here; a new kind of guest (phony Windows, an RPM family, a
// user-supplied image) is a new member of GuestRecipe and a builder beside guests/debian/.

/** Debian suites debootstrap can reach from this machine's mirror. */
export const DEBIAN_SUITES = { 11: "bullseye", 12: "bookworm", 13: "trixie" } as const;
export type DebianRelease = keyof typeof DEBIAN_SUITES;

/** How /etc/fstab (and the kernel's root=) name a filesystem. */
export type DeviceNaming = "device" | "uuid" | "label";

/** The root disk's layout. `lvm-root` puts / on LVM (vg0/root) with a separate ext4 /boot. */
export type RootLayout = "plain" | "lvm-root";

export interface DataDisk {
  readonly sizeGiB: number;
  readonly mountpoint: string;
  readonly naming: DeviceNaming;
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
  readonly hostname: string;
  /** What the source hypervisor said about the VM (the OVF states these). */
  readonly vm: { readonly vcpus: number; readonly memoryMiB: number };
}

/** Every kind of reference guest; each member has a builder in guests/builders.ts. */
export type GuestRecipe = DebianRecipe;

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

/** Every reference guest. The first is the one the smoke suites use. */
export const RECIPES: readonly GuestRecipe[] = [
  { ...base, name: "debian-12-bios", hostname: "deb12bios" },
  { ...base, name: "debian-12-uefi", hostname: "deb12uefi", firmware: "uefi" },
  { ...base, name: "debian-12-uuid", hostname: "deb12uuid", naming: "uuid" },
  { ...base, name: "debian-12-lvm", hostname: "deb12lvm", layout: "lvm-root" },
  { ...base, name: "debian-12-twodisks", hostname: "deb12two", dataDisk: { sizeGiB: 1, mountpoint: "/srv/data", naming: "device" } },
  { ...base, name: "debian-11-bios", hostname: "deb11bios", release: 11 },
  { ...base, name: "debian-13-bios", hostname: "deb13bios", release: 13 },
];

/** The recipe of that name; throws a sentence listing the known names. */
export function findRecipe(name: string, recipes: readonly GuestRecipe[] = RECIPES): GuestRecipe {
  const r = recipes.find((x) => x.name === name);
  if (!r) throw new Error(`unknown reference guest "${name}"; known guests: ${recipes.map((x) => x.name).join(", ")}`);
  return r;
}

/** Pure: the problems of a recipe as sentences; [] when it can be built. */
export function validateRecipe(r: DebianRecipe): string[] {
  const p: string[] = [];
  const where = `recipe "${r.name}"`;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(r.name)) p.push(`${where}: the name must be lower-case kebab (a-z, 0-9, "-")`);
  if (!(r.release in DEBIAN_SUITES)) p.push(`${where}: release ${r.release} is not one of ${Object.keys(DEBIAN_SUITES).join(", ")}`);
  if (!Number.isInteger(r.rootDiskGiB) || r.rootDiskGiB < 2) p.push(`${where}: rootDiskGiB must be a whole number of at least 2 (a kernel and grub need ~1.5 GiB)`);
  if (r.initramfsModules.some((m) => /virtio/.test(m))) {
    p.push(`${where}: initramfsModules must not list virtio drivers; the unconverted guest has to fail on virtio (the negative control)`);
  }
  if (!r.initramfsModules.includes("ext4")) p.push(`${where}: initramfsModules must include ext4, the root filesystem's driver`);
  if (r.layout === "lvm-root" && r.naming === "label") p.push(`${where}: label naming is not supported with lvm-root; use device or uuid`);
  if (!/^[a-z0-9-]{1,63}$/.test(r.hostname)) p.push(`${where}: hostname must be 1-63 of a-z, 0-9, "-"`);
  if (!Number.isInteger(r.vm.vcpus) || r.vm.vcpus < 1) p.push(`${where}: vm.vcpus must be a positive whole number`);
  if (!Number.isInteger(r.vm.memoryMiB) || r.vm.memoryMiB < 256) p.push(`${where}: vm.memoryMiB must be at least 256`);
  if (r.dataDisk) {
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
