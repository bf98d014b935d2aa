// Pure checks of the files a conversion edits in a stand-in RPM guest, per family: RHEL's BLS
// entries, grubenv and /etc/kernel/cmdline; SUSE's and ALT's generated grub.cfg and GRUB_DEFAULT,
// SUSE's INITRD_MODULES, ALT's MODULES_ADD; and what every family shares: fstab, the rebuilt
// image's modules, the VMware tools gone from the rpm database and the disk, repositories,
// network profiles and modprobe aliases. The grub.cfg reader is the harness's own (grub-default.ts).
import { findDefaultEntry, kernelVersionOf, rootArgOf } from "./grub-default.js";
import type { CheckResult } from "./guest.js";
import { imageModules, shellListValue, STANDIN_FAMILY_FACTS, type StandinFamily } from "./rpm-standin-families.js";

const BLS_DIR = "/boot/loader/entries";
const VIRTIO_DRIVERS = ["virtio_blk", "virtio_net"] as const;
const XEN_MODULES = ["xennet", "xen_vnif", "xenblk", "xen_vbd"];

/** What the file checks expect of one stand-in guest (from its recipe). */
export interface StandinFileExpect {
  readonly family: StandinFamily;
  /** Kernel releases, oldest first: the newest is the one the converter must choose. */
  readonly kernels: readonly string[];
  /** The kernel the source booted by default. */
  readonly sourceDefaultKernel: string;
  readonly vmwareTools: readonly string[];
  readonly selinux: boolean;
}

/** Everything the checks read from one guest. Files that are absent are undefined. */
export interface RpmStandinView {
  readonly log?: string;
  /** BLS entries by id (file name without .conf); empty on SUSE and ALT. */
  readonly blsEntries: ReadonlyMap<string, string>;
  readonly grubenv?: string;
  readonly fstab?: string;
  readonly kernelCmdline?: string;
  /** ifcfg-* and *.nmconnection texts by path. */
  readonly networkProfiles: ReadonlyMap<string, string>;
  /** The newest kernel's initramfs text. */
  readonly newestInitramfs?: string;
  /** Package names inspection lists. */
  readonly packages: readonly string[];
  /** VMware tools files still present. */
  readonly toolFilesLeft: readonly string[];
  readonly autorelabel: boolean;
  readonly vmwareRepo?: string;
  /** SUSE and ALT: the generated grub.cfg and the GRUB defaults file. */
  readonly grubCfg?: string;
  readonly grubDefaults?: string;
  /** SUSE: /etc/sysconfig/kernel. ALT: /etc/initrd.mk. */
  readonly sysconfigKernel?: string;
  readonly initrdMk?: string;
  /** SUSE and ALT: the modprobe file that named VMware's drivers. */
  readonly modprobeConf?: string;
}

const newest = (e: StandinFileExpect): string => e.kernels[e.kernels.length - 1] ?? "";

/** Pure: a BLS file's key → value (first occurrence). */
export function parseBlsKeys(text: string): ReadonlyMap<string, string> {
  const keys = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\s*(\w+)\s+(.*?)\s*$/.exec(line);
    if (m && !keys.has(m[1]!)) keys.set(m[1]!, m[2]!);
  }
  return keys;
}

/** Pure: root= of a kernel command line. */
export const rootArg = (args: string): string | undefined => /(?:^|\s)root=(\S+)/.exec(args)?.[1];
/** Pure: does a root= name the target's virtio disk (or a stable name)? */
export const isTargetRoot = (root: string | undefined): boolean => root !== undefined && /^(\/dev\/vd[a-z]+\d+|UUID=[0-9a-fA-F-]+|LABEL=\S+)$/.test(root);

/** fstab, the rebuilt image, the tools gone: every family. */
function commonChecks(v: RpmStandinView, e: StandinFileExpect): { fstab: CheckResult; image: CheckResult; tools: CheckResult } {
  const facts = STANDIN_FAMILY_FACTS[e.family];
  const kernel = newest(e);
  const fstabRoot = (v.fstab ?? "").split("\n").find((l) => /^\S+\s+\/\s/.test(l))?.split(/\s+/)[0];
  const sdLeft = (v.fstab ?? "").split("\n").filter((l) => /^\s*\/dev\/sd/.test(l));
  const drivers = imageModules(e.family, v.newestInitramfs ?? "");
  return {
    fstab: {
      name: "/etc/fstab mounts / from the virtio disk and names no /dev/sdX",
      ok: isTargetRoot(fstabRoot) && sdLeft.length === 0,
      detail: `/ from ${fstabRoot ?? "(none)"}${sdLeft.length ? `; still: ${sdLeft.join(" | ")}` : ""}`,
    },
    image: {
      name: `the rebuilt ${facts.initrd(kernel)} was made with ${VIRTIO_DRIVERS.join(" and ")} configured`,
      ok: VIRTIO_DRIVERS.every((d) => drivers.includes(d)),
      detail: v.newestInitramfs === undefined ? "absent" : `${e.family === "alt" ? "MODULES_ADD" : "add_drivers"}: ${drivers.join(" ") || "(none)"}`,
    },
    tools: {
      name: "the VMware tools are gone from the rpm database and the disk",
      ok: e.vmwareTools.every((t) => !v.packages.includes(t)) && v.toolFilesLeft.length === 0 && v.packages.includes(facts.kernelPackage),
      detail: `listed: ${e.vmwareTools.filter((t) => v.packages.includes(t)).join(", ") || "none"}; files left: ${v.toolFilesLeft.join(", ") || "none"}; ${v.packages.length} package(s) listed`,
    },
  };
}

function networkCheck(v: RpmStandinView): CheckResult {
  const pinned = [...v.networkProfiles.entries()].filter(([p, t]) => (p.endsWith(".nmconnection") ? /^\s*mac-address\s*=/m : /^\s*HWADDR\s*=/m).test(t));
  return {
    name: "no network profile is pinned to the VMware MAC (ifcfg HWADDR=, keyfile mac-address=)",
    ok: v.networkProfiles.size > 0 && pinned.length === 0,
    detail: v.networkProfiles.size === 0 ? "no profile found" : pinned.length ? `pinned: ${pinned.map(([p]) => p).join(", ")}` : `${v.networkProfiles.size} profile(s) unpinned`,
  };
}

function repoCheck(v: RpmStandinView, what: string): CheckResult {
  return {
    name: `VMware's ${what} repository is disabled`,
    ok: /^\s*enabled\s*=\s*0\s*$/m.test(v.vmwareRepo ?? ""),
    detail: v.vmwareRepo === undefined ? "absent" : (/^\s*enabled\s*=.*$/m.exec(v.vmwareRepo)?.[0] ?? "no enabled= line"),
  };
}

/** Pure: the RHEL family's edited files (BLS, grubenv, kernel cmdline, ifcfg/keyfile, yum, relabel). */
export function checkRhelFiles(v: RpmStandinView, e: StandinFileExpect): CheckResult[] {
  const kernel = newest(e);
  const entries = [...v.blsEntries.entries()];
  const badOptions = entries.filter(([, t]) => !isTargetRoot(rootArg(parseBlsKeys(t).get("options") ?? "")));
  const newestEntry = entries.find(([, t]) => parseBlsKeys(t).get("linux") === `/vmlinuz-${kernel}`);
  const saved = /^saved_entry=(.*)$/m.exec(v.grubenv ?? "")?.[1];
  const common = commonChecks(v, e);
  const out: CheckResult[] = [
    {
      name: "every BLS entry's options line has root= on the virtio disk (/dev/vdXN) or a stable name",
      ok: entries.length > 0 && badOptions.length === 0,
      detail: entries.length === 0 ? `no entry in ${BLS_DIR}` : badOptions.length
        ? badOptions.map(([id, t]) => `${id}: root=${rootArg(parseBlsKeys(t).get("options") ?? "") ?? "(none)"}`).join("; ")
        : entries.map(([, t]) => `root=${rootArg(parseBlsKeys(t).get("options") ?? "")}`).join(", "),
    },
    {
      name: `grubenv saved_entry is the BLS entry whose linux line boots /vmlinuz-${kernel}`,
      ok: newestEntry !== undefined && saved === newestEntry[0],
      detail: `saved_entry=${saved ?? "(none)"}; entry of ${kernel}: ${newestEntry?.[0] ?? "not found"}`,
    },
    {
      name: "/etc/kernel/cmdline names the root on the virtio disk",
      ok: isTargetRoot(rootArg(v.kernelCmdline ?? "")),
      detail: v.kernelCmdline?.trim() ?? "absent",
    },
    common.fstab,
    networkCheck(v),
    common.image,
    common.tools,
    repoCheck(v, "yum"),
  ];
  if (e.selinux) out.push({ name: "/.autorelabel asks for an SELinux relabel at the first boot", ok: v.autorelabel, detail: v.autorelabel ? "present" : "absent" });
  return out;
}

/** Pure: the id of grub.cfg's entry that boots /vmlinuz-<kernel> (the harness's own scan). */
function entryIdOf(grubCfg: string, kernel: string): string | undefined {
  let id: string | undefined;
  for (const line of grubCfg.split("\n")) {
    const m = /^\s*menuentry\s.*\$menuentry_id_option\s+'([^']+)'/.exec(line);
    if (m) id = m[1];
    else if (id !== undefined && new RegExp(`^\\s*linux\\s+/vmlinuz-${kernel.replace(/[.+]/g, "\\$&")}\\s`).test(line)) return id;
  }
  return undefined;
}

/** Pure: SUSE's and ALT's GRUB checks: the default entry, every entry's root=, GRUB_DEFAULT. */
function grubMenuChecks(v: RpmStandinView, e: StandinFileExpect): CheckResult[] {
  const facts = STANDIN_FAMILY_FACTS[e.family];
  const kernel = newest(e);
  const cfg = v.grubCfg ?? "";
  const entry = v.grubCfg === undefined ? undefined : findDefaultEntry(cfg, v.grubenv ?? "");
  const roots = cfg.split("\n").filter((l) => /^\s*linux\s/.test(l)).map((l) => rootArg(l));
  const out: CheckResult[] = [
    {
      name: `the default GRUB entry of ${facts.grubCfg} boots /vmlinuz-${kernel} with root= on the virtio disk`,
      ok: entry !== undefined && kernelVersionOf(entry) === kernel && isTargetRoot(rootArgOf(entry)),
      detail: v.grubCfg === undefined ? "absent" : entry ? `"${entry.title}": kernel ${kernelVersionOf(entry) ?? "?"}, root=${rootArgOf(entry) ?? "(none)"}` : "no default entry found",
    },
    {
      name: `every entry of ${facts.grubCfg} has root= on the virtio disk`,
      ok: roots.length > 0 && roots.every(isTargetRoot),
      detail: roots.length === 0 ? "no linux line" : roots.map((r) => `root=${r ?? "(none)"}`).join(", "),
    },
  ];
  if (e.sourceDefaultKernel !== kernel) {
    const wanted = entryIdOf(cfg, kernel);
    const value = shellListValue(v.grubDefaults ?? "", "GRUB_DEFAULT")?.join(" ");
    out.push({
      name: `GRUB_DEFAULT in ${facts.grubDefaults} names the entry of ${kernel} (the source saved ${e.sourceDefaultKernel})`,
      ok: wanted !== undefined && value === wanted,
      detail: `GRUB_DEFAULT=${value ?? "(none)"}; entry of ${kernel}: ${wanted ?? "not found"}`,
    });
  }
  return out;
}

function modprobeCheck(v: RpmStandinView, path: string): CheckResult {
  const aliases = [...(v.modprobeConf ?? "").matchAll(/^\s*alias\s+(\S+)\s+(\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  const host = aliases.filter((a) => a.startsWith("scsi_hostadapter"));
  return {
    name: `${path} loads virtio_blk as the SCSI host adapter, not VMware's driver`,
    ok: host.length === 1 && host[0] === "scsi_hostadapter virtio_blk" && !aliases.some((a) => /\s(vmxnet3|mptspi|vmw_pvscsi)$/.test(a)),
    detail: v.modprobeConf === undefined ? "absent" : aliases.join(", ") || "no alias",
  };
}

/** Pure: the SUSE family's edited files. */
export function checkSuseFiles(v: RpmStandinView, e: StandinFileExpect): CheckResult[] {
  const common = commonChecks(v, e);
  const initrd = shellListValue(v.sysconfigKernel ?? "", "INITRD_MODULES") ?? [];
  const domu = shellListValue(v.sysconfigKernel ?? "", "DOMU_INITRD_MODULES") ?? [];
  const xen = [...initrd, ...domu].filter((m) => XEN_MODULES.includes(m.replace(/-/g, "_")));
  return [
    ...grubMenuChecks(v, e),
    common.fstab,
    {
      name: "INITRD_MODULES in /etc/sysconfig/kernel adds virtio_blk and virtio_net, and no list names a Xen driver",
      ok: VIRTIO_DRIVERS.every((d) => initrd.includes(d)) && xen.length === 0,
      detail: v.sysconfigKernel === undefined ? "absent" : `INITRD_MODULES="${initrd.join(" ")}"; DOMU_INITRD_MODULES="${domu.join(" ")}"`,
    },
    networkCheck(v),
    common.image,
    common.tools,
    repoCheck(v, "zypper"),
    modprobeCheck(v, STANDIN_FAMILY_FACTS.suse.modprobeConf!),
  ];
}

/** Pure: the ALT family's edited files. */
export function checkAltFiles(v: RpmStandinView, e: StandinFileExpect): CheckResult[] {
  const common = commonChecks(v, e);
  const added = imageModules("alt", v.initrdMk ?? "");
  return [
    ...grubMenuChecks(v, e),
    common.fstab,
    {
      name: "MODULES_ADD in /etc/initrd.mk names virtio_blk and virtio_net",
      ok: VIRTIO_DRIVERS.every((d) => added.includes(d)),
      detail: v.initrdMk === undefined ? "absent" : `MODULES_ADD: ${added.join(" ") || "(none)"}`,
    },
    common.image,
    common.tools,
    modprobeCheck(v, STANDIN_FAMILY_FACTS.alt.modprobeConf!),
  ];
}

/** Pure: the edited files of the guest's family. */
export function checkEditedFiles(v: RpmStandinView, e: StandinFileExpect): CheckResult[] {
  if (e.family === "suse") return checkSuseFiles(v, e);
  if (e.family === "alt") return checkAltFiles(v, e);
  return checkRhelFiles(v, e);
}
