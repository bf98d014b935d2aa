// A stand-in RPM-family guest, as data: which distribution it claims to be (os-release and the
// release files libguestfs reads), the kernels and tool packages its rpm database holds, and how
// its VMware-era configuration looks. Built from Debian's tools (build.ts), it cannot boot: its
// cells are a static proof that the family's conversion (RHEL, SUSE or ALT) runs its steps in the guest.

/** The RPM families the stand-in builder can lay out; each has its own paths and programs (layouts.ts). */
export type RpmStandinFamily = "rhel" | "suse" | "alt";
export const RPM_STANDIN_FAMILIES: readonly RpmStandinFamily[] = ["rhel", "suse", "alt"];

/** /etc/os-release fields (and the release files some distributions add). */
export interface RpmOsRelease {
  /** ID=: "rocky". */
  readonly id: string;
  /** NAME=: "Rocky Linux". */
  readonly name: string;
  /** VERSION_ID=: "9.3". */
  readonly versionId: string;
  /** VERSION=: "9.3 (Blue Onyx)". */
  readonly version: string;
  /** ID_LIKE=: "rhel centos fedora"; "" for none. */
  readonly idLike: string;
  /** Extra release files, e.g. /etc/redhat-release, each holding one line. */
  readonly releaseFiles: readonly { readonly path: string; readonly line: string }[];
}

export interface RpmRecipe {
  readonly kind: "rpm";
  /** Cell names start with it: "rocky-9-standin". Lower-case kebab ending "-standin". */
  readonly name: string;
  readonly family: RpmStandinFamily;
  /** The distribution's major release (9 for Rocky 9). */
  readonly release: number;
  readonly os: RpmOsRelease;
  /** What libguestfs inspection must report; the builder refuses a disk that reads otherwise. */
  readonly inspect: { readonly distro: string; readonly major: number; readonly minor: number };
  /**
   * Kernel releases as `uname -r` prints them, oldest first, each one kernel package named as the
   * family names them: RHEL "5.14.0-362.8.1.el9_3.x86_64" (kernel-core), SUSE
   * "5.14.21-150500.55.39-default" (kernel-default), ALT "5.10.190-std-def-alt1" (kernel-image-std-def).
   */
  readonly kernels: readonly string[];
  /**
   * The kernel the source boots by default (grubenv saved_entry). When it is not the newest, the
   * converter must make the newest the default (grubby on RHEL, GRUB_DEFAULT elsewhere), which the
   * checks then read back.
   */
  readonly defaultKernel: string;
  /** VMware tools packages installed (their %preun/%postun record that rpm -e ran them). */
  readonly vmwareTools: readonly string[];
  /** SELinux enforcing in /etc/selinux/config: the converter must ask for a relabel. */
  readonly selinux: boolean;
  readonly firmware: "bios";
  /** Sparse: only the filesystems' metadata and a few megabytes of files are written. */
  readonly rootDiskGiB: number;
  readonly hostname: string;
  readonly vm: { readonly vcpus: number; readonly memoryMiB: number };
  /** VMware's guestOS id (vmw:osType), for an OVF. */
  readonly vmwareOsType: string;
}

/** RPM package names (rpm allows more, the stand-ins need no more). */
export const RPM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
/** A kernel release: version-release.arch, safe in paths, spec files and shell lines. */
export const KERNEL_RELEASE = /^[0-9][0-9A-Za-z._+~-]*\.(x86_64|noarch)$/;

/** Pure: "5.14.0-362.8.1.el9_3.x86_64" → version "5.14.0", release "362.8.1.el9_3", arch "x86_64". */
export function splitKernelRelease(k: string): { version: string; release: string; arch: string } | undefined {
  const m = /^([0-9][0-9A-Za-z._+~]*)-([0-9A-Za-z._+~]+)\.(x86_64|noarch)$/.exec(k);
  return m ? { version: m[1]!, release: m[2]!, arch: m[3]! } : undefined;
}

/** The kernel package of one release: its rpm name, version, release and arch. */
export interface KernelPackageId {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly arch: "x86_64";
}

/**
 * Pure: the package that installs a kernel release, as each family names it. SUSE's uname -r drops
 * the package release's last field ("5.14.21-150500.55.39-default" is kernel-default
 * 5.14.21-150500.55.39.1); ALT's flavour sits between version and release ("5.10.190-std-def-alt1"
 * is kernel-image-std-def 5.10.190-alt1). Undefined when the release is not shaped like the family's.
 */
export function kernelPackageId(family: RpmStandinFamily, k: string): KernelPackageId | undefined {
  if (family === "rhel") {
    const v = splitKernelRelease(k);
    return v && v.arch === "x86_64" ? { name: "kernel-core", version: v.version, release: v.release, arch: "x86_64" } : undefined;
  }
  if (family === "suse") {
    const m = /^([0-9]+(?:\.[0-9]+)*)-([0-9]+(?:\.[0-9]+)*)-default$/.exec(k);
    return m ? { name: "kernel-default", version: m[1]!, release: `${m[2]!}.1`, arch: "x86_64" } : undefined;
  }
  const m = /^([0-9]+(?:\.[0-9]+)*)-std-def-(alt[0-9]+)$/.exec(k);
  return m ? { name: "kernel-image-std-def", version: m[1]!, release: m[2]!, arch: "x86_64" } : undefined;
}

/** Pure: the problems of a stand-in recipe as sentences; [] when it can be built. */
export function validateRpmRecipe(r: RpmRecipe): string[] {
  const p: string[] = [];
  const where = `recipe "${r.name}"`;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*-standin$/.test(r.name)) p.push(`${where}: the name must be lower-case kebab ending "-standin"`);
  if (!RPM_STANDIN_FAMILIES.includes(r.family)) p.push(`${where}: family "${String(r.family)}" has no stand-in layout (only ${RPM_STANDIN_FAMILIES.join(", ")})`);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(r.os.id)) p.push(`${where}: os.id "${r.os.id}" is not an os-release ID`);
  // These go into os-release's double-quoted values and one-line release files.
  for (const [field, value] of Object.entries({ name: r.os.name, version: r.os.version, versionId: r.os.versionId, idLike: r.os.idLike })) {
    if (field === "idLike" && value === "") continue; // ALT's os-release has no ID_LIKE
    if (!/^[A-Za-z0-9 ._()/-]+$/.test(value)) p.push(`${where}: os.${field} "${value}" may hold only letters, digits, spaces and . _ ( ) / -`);
  }
  for (const f of r.os.releaseFiles) {
    if (!/^\/etc\/[a-z0-9-]+-release$/.test(f.path)) p.push(`${where}: release file ${f.path} is not /etc/NAME-release`);
    if (!/^[A-Za-z0-9 ._()/-]+$/.test(f.line)) p.push(`${where}: the line of ${f.path} has characters outside letters, digits, spaces and . _ ( ) / -`);
  }
  if (!/^\d+$/.test(r.os.versionId.split(".")[0] ?? "") || Number(r.os.versionId.split(".")[0]) !== r.release) {
    p.push(`${where}: os.versionId "${r.os.versionId}" does not start with the release ${r.release}`);
  }
  if (r.inspect.major !== r.release) p.push(`${where}: inspect.major ${r.inspect.major} is not the release ${r.release}`);
  if (r.kernels.length === 0) p.push(`${where}: at least one kernel is needed`);
  for (const k of r.kernels) {
    if (r.family === "rhel" && (!KERNEL_RELEASE.test(k) || !splitKernelRelease(k))) p.push(`${where}: kernel "${k}" is not VERSION-RELEASE.ARCH`);
    else if (r.family !== "rhel" && !kernelPackageId(r.family, k)) {
      p.push(`${where}: kernel "${k}" is not ${r.family === "suse" ? "VERSION-RELEASE-default" : "VERSION-std-def-altN"}`);
    }
  }
  if (new Set(r.kernels).size !== r.kernels.length) p.push(`${where}: a kernel is listed twice`);
  if (!r.kernels.includes(r.defaultKernel)) p.push(`${where}: defaultKernel "${r.defaultKernel}" is not one of the kernels`);
  if (r.vmwareTools.length === 0) p.push(`${where}: vmwareTools must name at least one package (their removal is what the cells check first)`);
  for (const t of r.vmwareTools) if (!RPM_NAME.test(t)) p.push(`${where}: "${t}" is not an rpm package name`);
  if (!Number.isInteger(r.rootDiskGiB) || r.rootDiskGiB < 1) p.push(`${where}: rootDiskGiB must be a whole number of at least 1`);
  if (!/^[a-z0-9-]{1,63}$/.test(r.hostname)) p.push(`${where}: hostname must be 1-63 of a-z, 0-9, "-"`);
  if (!/^[A-Za-z0-9_]+Guest$/.test(r.vmwareOsType)) p.push(`${where}: vmwareOsType "${r.vmwareOsType}" is not a VMware guest id`);
  if (!Number.isInteger(r.vm.vcpus) || r.vm.vcpus < 1) p.push(`${where}: vm.vcpus must be a positive whole number`);
  if (!Number.isInteger(r.vm.memoryMiB) || r.vm.memoryMiB < 256) p.push(`${where}: vm.memoryMiB must be at least 256`);
  return p;
}

/** Rocky Linux 9.3 on VMware: two kernels with the older one pinned as default, open-vm-tools, SELinux on. */
export const ROCKY_9_STANDIN: RpmRecipe = {
  kind: "rpm",
  name: "rocky-9-standin",
  family: "rhel",
  release: 9,
  os: {
    id: "rocky", name: "Rocky Linux", versionId: "9.3", version: "9.3 (Blue Onyx)", idLike: "rhel centos fedora",
    releaseFiles: [
      { path: "/etc/redhat-release", line: "Rocky Linux release 9.3 (Blue Onyx)" },
      { path: "/etc/rocky-release", line: "Rocky Linux release 9.3 (Blue Onyx)" },
      { path: "/etc/system-release", line: "Rocky Linux release 9.3 (Blue Onyx)" },
    ],
  },
  inspect: { distro: "rocky", major: 9, minor: 3 },
  kernels: ["5.14.0-284.30.1.el9_2.x86_64", "5.14.0-362.8.1.el9_3.x86_64"],
  defaultKernel: "5.14.0-284.30.1.el9_2.x86_64",
  vmwareTools: ["open-vm-tools", "open-vm-tools-desktop"],
  selinux: true,
  firmware: "bios",
  rootDiskGiB: 2,
  hostname: "rocky9standin",
  vm: { vcpus: 1, memoryMiB: 2048 },
  vmwareOsType: "rhel9_64Guest",
};

/**
 * SUSE Linux Enterprise Server 15 SP5 on VMware: two kernel-default kernels with the older one
 * saved as GRUB's default, dracut (with SUSE's mkinitrd wrapper), GRUB 2 under /boot/grub2 without
 * BLS, INITRD_MODULES naming VMware's drivers, a NetworkManager keyfile pinned to the VMware MAC,
 * VMware's zypper repository, open-vm-tools. SELinux is off (SLE 15 uses AppArmor).
 */
export const SLES_15_STANDIN: RpmRecipe = {
  kind: "rpm",
  name: "sles-15-standin",
  family: "suse",
  release: 15,
  os: {
    id: "sles", name: "SLES", versionId: "15.5", version: "15-SP5", idLike: "suse",
    // libguestfs 1.48 reads os-release first; /etc/SuSE-release is gone since SLE 15 and not needed.
    releaseFiles: [],
  },
  inspect: { distro: "sles", major: 15, minor: 5 },
  kernels: ["5.14.21-150500.55.36-default", "5.14.21-150500.55.39-default"],
  defaultKernel: "5.14.21-150500.55.36-default",
  vmwareTools: ["open-vm-tools", "open-vm-tools-desktop"],
  selinux: false,
  firmware: "bios",
  rootDiskGiB: 2,
  hostname: "sles15standin",
  vm: { vcpus: 1, memoryMiB: 2048 },
  vmwareOsType: "sles15_64Guest",
};

/**
 * ALT Server 10.1 on VMware: two std-def kernels with the older one saved as GRUB's default,
 * make-initrd, GRUB 2 under /boot/grub with its defaults in /etc/sysconfig/grub2, apt-rpm,
 * open-vm-tools, a modprobe alias naming VMware's SCSI driver.
 */
export const ALT_10_STANDIN: RpmRecipe = {
  kind: "rpm",
  name: "alt-10-standin",
  family: "alt",
  release: 10,
  os: {
    id: "altlinux", name: "ALT Server", versionId: "10.1", version: "10.1 (Mendelevium)", idLike: "",
    releaseFiles: [{ path: "/etc/altlinux-release", line: "ALT Server 10.1 (Mendelevium)" }],
  },
  inspect: { distro: "altlinux", major: 10, minor: 1 },
  kernels: ["5.10.190-std-def-alt1", "5.10.199-std-def-alt1"],
  defaultKernel: "5.10.190-std-def-alt1",
  vmwareTools: ["open-vm-tools"],
  selinux: false,
  firmware: "bios",
  rootDiskGiB: 2,
  hostname: "alt10standin",
  vm: { vcpus: 1, memoryMiB: 2048 },
  vmwareOsType: "other5xLinux64Guest",
};
