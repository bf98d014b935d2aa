// The packages of a stand-in RPM guest and their spec files, pure. rpmbuild (Debian's) turns each
// spec into a binary rpm whose payload the builder stages beforehand; `rpm --root` then installs
// them into the guest tree, so the guest's rpm database lists them as a real install would.
import { kernelPackageId, RPM_NAME, type RpmRecipe, type RpmStandinFamily } from "./recipe.js";
import { STANDIN_LOG, STANDIN_PROGRAMS } from "./standins.js";

/** One file of a package's payload. */
export interface PayloadFile {
  readonly path: string;
  readonly mode: 0o644 | 0o755;
  readonly text: string;
}

export interface StandinPackage {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly arch: "x86_64" | "noarch";
  readonly summary: string;
  readonly files: readonly PayloadFile[];
  /** Scriptlets that only record that rpm ran them (the checks read the order back). */
  readonly recordScripts: boolean;
}

/** A payload path safe in a spec's %files list and a shell line. */
const PAYLOAD_PATH = /^(\/[A-Za-z0-9._+-]+)+$/;
/** Version and release fields: no "-" (rpm splits on it), nothing a spec would expand. */
const VERSION_FIELD = /^[0-9A-Za-z._+~]+$/;

/** The virtio drivers' module files (RHEL 9 ships them xz-compressed), relative to /lib/modules/V. */
export const VIRTIO_MODULE_FILES = [
  "kernel/drivers/virtio/virtio_pci.ko.xz",
  "kernel/drivers/block/virtio_blk.ko.xz",
  "kernel/drivers/scsi/virtio_scsi.ko.xz",
  "kernel/drivers/net/virtio_net.ko.xz",
] as const;
/** The VMware hardware's drivers, which the source booted with. */
export const VMWARE_MODULE_FILES = [
  "kernel/drivers/message/fusion/mptspi.ko.xz",
  "kernel/drivers/scsi/vmw_pvscsi.ko.xz",
  "kernel/drivers/net/vmxnet3/vmxnet3.ko.xz",
] as const;

/** How each family compresses its kernel modules (SLE 15 SP5 uses zstd, ALT ships them plain). */
const MODULE_SUFFIX: Readonly<Record<RpmStandinFamily, string>> = { rhel: ".ko.xz", suse: ".ko.zst", alt: ".ko" };

/**
 * Pure: the kernel package of one release (kernel-core, kernel-default or kernel-image-std-def, by
 * family): image, config, module stubs (names only matter) and modules.dep.
 */
export function kernelPackage(k: string, family: RpmStandinFamily = "rhel"): StandinPackage {
  const v = kernelPackageId(family, k);
  if (!v) throw new Error(`not a kernel release: ${k}`);
  const suffix = MODULE_SUFFIX[family];
  const mod = (rel: string): PayloadFile => ({ path: `/lib/modules/${k}/${rel}`, mode: 0o644, text: `stand-in module ${rel} (not loadable)\n` });
  const modules = [...VIRTIO_MODULE_FILES, ...VMWARE_MODULE_FILES].map((m) => m.replace(/\.ko\.xz$/, suffix));
  return {
    name: v.name, version: v.version, release: v.release, arch: "x86_64", summary: "Stand-in kernel (not bootable)",
    recordScripts: false,
    files: [
      { path: `/boot/vmlinuz-${k}`, mode: 0o755, text: `stand-in kernel image ${k} (not bootable)\n` },
      { path: `/boot/config-${k}`, mode: 0o644, text: "CONFIG_VIRTIO_PCI=m\nCONFIG_VIRTIO_BLK=m\nCONFIG_SCSI_VIRTIO=m\nCONFIG_VIRTIO_NET=m\nCONFIG_EXT4_FS=y\n" },
      ...modules.map(mod),
      { path: `/lib/modules/${k}/modules.dep`, mode: 0o644, text: modules.map((m) => `${m}:\n`).join("") },
      { path: `/lib/modules/${k}/modules.builtin`, mode: 0o644, text: "kernel/fs/ext4/ext4.ko\n" },
    ],
  };
}

/** A stand-in program as a payload file (mode 0755). */
export const program = (p: { path: string; text: string }): PayloadFile => ({ path: p.path, mode: 0o755, text: p.text });

/** Pure: a tool package builder for one distribution release tag ("1.el9", "150500.1.1", "alt1"). */
export const toolPackager = (release: string) =>
  (name: string, version: string, summary: string, files: PayloadFile[], recordScripts = false): StandinPackage =>
    ({ name, version, release, arch: "x86_64", summary, files, recordScripts });

/** Pure: the VMware tools packages, whose scriptlets record their removal; their files are the checks' leftovers. */
export function vmwareToolPackages(r: RpmRecipe, release: string): StandinPackage[] {
  const tool = toolPackager(release);
  return r.vmwareTools.map((name) => tool(name, "12.2.5", "Stand-in VMware tools", [
    { path: `/usr/bin/${name}-daemon`, mode: 0o755, text: "#!/bin/sh\necho stand-in VMware tools daemon\n" },
    { path: `/etc/vmware-tools/${name}.conf`, mode: 0o644, text: "[logging]\nlog = true\n" },
  ], true));
}

/** Pure: every package of a RHEL-family guest, kernels first. */
export function rhelPackages(r: RpmRecipe): StandinPackage[] {
  const tool = toolPackager(`1.el${r.release}`);
  return [
    ...r.kernels.map((k) => kernelPackage(k)),
    tool("dracut", "057", "Stand-in dracut", [program(STANDIN_PROGRAMS.dracut)]),
    tool("grub2-tools", "2.06", "Stand-in grub2-mkconfig", [program(STANDIN_PROGRAMS.grub2Mkconfig)]),
    tool("grub2-pc", "2.06", "Stand-in GRUB 2 for BIOS", [{ path: "/usr/lib/grub/i386-pc/README.standin", mode: 0o644, text: "No GRUB modules: the stand-in guest does not boot.\n" }]),
    tool("grubby", "8.40", "Stand-in grubby", [program(STANDIN_PROGRAMS.grubby)]),
    ...vmwareToolPackages(r, `1.el${r.release}`),
  ];
}

/** Pure: the problems that would make a spec unsafe or rpmbuild fail; [] when fine. */
export function packageProblems(p: StandinPackage): string[] {
  const out: string[] = [];
  if (!RPM_NAME.test(p.name)) out.push(`package name "${p.name}"`);
  if (!VERSION_FIELD.test(p.version) || !VERSION_FIELD.test(p.release)) out.push(`${p.name}: version "${p.version}" or release "${p.release}"`);
  if (!/^[A-Za-z0-9 ().,-]+$/.test(p.summary)) out.push(`${p.name}: summary "${p.summary}"`);
  for (const f of p.files) if (!PAYLOAD_PATH.test(f.path) || f.path.includes("/../")) out.push(`${p.name}: payload path "${f.path}"`);
  return out;
}

/** The scriptlet body that records one run: "%preun NAME $1" ($1: how many versions remain). */
const recordLine = (phase: "preun" | "postun", name: string): string => `echo "%${phase} ${name} $1" >> ${STANDIN_LOG}`;

/**
 * Pure: the spec file. %install copies the payload the builder staged under %{payload}; the
 * brp scripts are off (they would try to strip and compress the stubs); no dependencies are
 * generated, so every package installs alone.
 */
export function renderSpec(p: StandinPackage): string {
  const problems = packageProblems(p);
  if (problems.length > 0) throw new Error(`stand-in package refused: ${problems.join("; ")}`);
  const lines = [
    "%global debug_package %{nil}",
    "%global __os_install_post %{nil}",
    "%define _build_id_links none",
    `Name: ${p.name}`,
    `Version: ${p.version}`,
    `Release: ${p.release}`,
    `Summary: ${p.summary}`,
    "License: MIT",
    `BuildArch: ${p.arch}`,
    "AutoReqProv: no",
    "",
    "%description",
    "A stand-in package of a v2v test guest, built with Debian's rpmbuild.",
    "",
    "%install",
    "cp -a %{payload}/. %{buildroot}/",
    "",
    "%files",
    ...p.files.map((f) => `%attr(${f.mode === 0o755 ? "0755" : "0644"},root,root) ${f.path}`),
  ];
  if (p.recordScripts) lines.push("", "%preun", recordLine("preun", p.name), "", "%postun", recordLine("postun", p.name));
  return `${lines.join("\n")}\n`;
}

/** Pure: the file rpmbuild writes for a package. */
export const rpmFileName = (p: StandinPackage): string => `${p.name}-${p.version}-${p.release}.${p.arch}.rpm`;
