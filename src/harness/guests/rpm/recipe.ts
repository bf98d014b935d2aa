// A stand-in RPM-family guest, as data: which distribution it claims to be (os-release and the
// release files libguestfs reads), the kernels and tool packages its rpm database holds, and how
// its VMware-era configuration looks. Built from Debian's tools (build.ts), it cannot boot: its
// cells are a static proof that the RHEL-family conversion runs its steps in the guest.

/** The RPM families the stand-in builder can lay out; each has its own paths and programs. */
export type RpmStandinFamily = "rhel";

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
  /** ID_LIKE=: "rhel centos fedora". */
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
  /** Kernel releases as `uname -r` prints them ("5.14.0-362.8.1.el9_3.x86_64"); each is a kernel-core package. */
  readonly kernels: readonly string[];
  /**
   * The kernel the BLS default (grubenv saved_entry) boots. When it is not the newest, the converter
   * must make the newest the default with grubby, which the checks then read back.
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

/** Pure: the problems of a stand-in recipe as sentences; [] when it can be built. */
export function validateRpmRecipe(r: RpmRecipe): string[] {
  const p: string[] = [];
  const where = `recipe "${r.name}"`;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*-standin$/.test(r.name)) p.push(`${where}: the name must be lower-case kebab ending "-standin"`);
  if (r.family !== "rhel") p.push(`${where}: family "${String(r.family)}" has no stand-in layout (only rhel)`);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(r.os.id)) p.push(`${where}: os.id "${r.os.id}" is not an os-release ID`);
  // These go into os-release's double-quoted values and one-line release files.
  for (const [field, value] of Object.entries({ name: r.os.name, version: r.os.version, versionId: r.os.versionId, idLike: r.os.idLike })) {
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
  for (const k of r.kernels) if (!KERNEL_RELEASE.test(k) || !splitKernelRelease(k)) p.push(`${where}: kernel "${k}" is not VERSION-RELEASE.ARCH`);
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
