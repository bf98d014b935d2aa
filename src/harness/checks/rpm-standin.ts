// Static checks inside a converted stand-in RPM guest (guests/rpm/), read-only through libguestfs.
// The stand-in programs and the packages' scriptlets record every call in one log, so the checks
// read what ran in the guest and in which order (rpm -e of the VMware tools, their %preun, then
// dracut, then grub2-mkconfig, then grubby), and the files the conversion edits: BLS entries,
// grubenv, fstab, network profiles, the rebuilt image. Parsing is the harness's own, never the
// converter's. The same checks on the unconverted disk must fail (the negative check).
import type { GuestHandle } from "../../model/guest-handle.js";
import { attempt, type CheckResult } from "./guest.js";

/** The log the stand-ins write (guests/rpm/standins.ts STANDIN_LOG; the path is the contract). */
export const STANDIN_LOG_PATH = "/var/log/v2v-standin.log";
const BLS_DIR = "/boot/loader/entries";
const GRUBENV = "/boot/grub2/grubenv";
const IFCFG_DIR = "/etc/sysconfig/network-scripts";
const NM_DIR = "/etc/NetworkManager/system-connections";
const VIRTIO_DRIVERS = ["virtio_blk", "virtio_net"] as const;

/** What the checks expect of one stand-in guest (from its recipe). */
export interface RpmStandinExpect {
  /** Kernel releases, oldest first: the newest is the one the converter must choose. */
  readonly kernels: readonly string[];
  /** The kernel the source's grubenv booted; grubby must run when it is not the newest. */
  readonly sourceDefaultKernel: string;
  /** VMware tools packages the source had. */
  readonly vmwareTools: readonly string[];
  readonly selinux: boolean;
}

/** One recorded call: "rpm -e --allmatches a b" → program "rpm", args [-e, --allmatches, a, b]. */
export interface StandinCall {
  readonly index: number;
  readonly program: string;
  readonly args: readonly string[];
}

/** Pure: the log's calls in order (blank lines skipped). */
export function parseStandinLog(text: string): StandinCall[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "")
    .map((l, index) => {
      const [program = "", ...args] = l.split(/\s+/);
      return { index, program, args };
    });
}

/** Everything the checks read from one guest. Files that are absent are undefined. */
export interface RpmStandinView {
  readonly log?: string;
  /** BLS entries by id (file name without .conf). */
  readonly blsEntries: ReadonlyMap<string, string>;
  readonly grubenv?: string;
  readonly fstab?: string;
  readonly kernelCmdline?: string;
  /** ifcfg-* and *.nmconnection texts by path. */
  readonly networkProfiles: ReadonlyMap<string, string>;
  /** /boot/initramfs-<newest>.img's text. */
  readonly newestInitramfs?: string;
  /** Package names inspection lists. */
  readonly packages: readonly string[];
  /** VMware tools files still present. */
  readonly toolFilesLeft: readonly string[];
  readonly autorelabel: boolean;
  readonly vmwareRepo?: string;
}

const newest = (e: RpmStandinExpect): string => e.kernels[e.kernels.length - 1] ?? "";
const describe = (c: StandinCall | undefined): string => (c ? `#${c.index + 1} "${[c.program, ...c.args].join(" ")}"` : "none");

/** Pure: the recorded calls and their order. */
export function checkCallOrder(calls: readonly StandinCall[], e: RpmStandinExpect): CheckResult[] {
  const kernel = newest(e);
  const erase = calls.find((c) => c.program === "rpm" && (c.args.includes("-e") || c.args.includes("--erase")));
  const erased = erase ? e.vmwareTools.filter((t) => erase.args.includes(t)) : [];
  const preuns = e.vmwareTools.map((t) => calls.find((c) => c.program === "%preun" && c.args[0] === t));
  const dracut = calls.find((c) => c.program === "dracut" && c.args.includes(`/boot/initramfs-${kernel}.img`) && c.args.includes(kernel));
  const mkconfig = calls.find((c) => c.program === "grub2-mkconfig" && c.args.join(" ") === "-o /boot/grub2/grub.cfg");
  const grubby = calls.find((c) => c.program === "grubby" && c.args[0] === "--set-default");
  const after = (a: StandinCall | undefined, b: StandinCall | undefined): boolean => a !== undefined && b !== undefined && a.index > b.index;
  const out: CheckResult[] = [
    {
      name: `rpm -e removed the VMware tools (${e.vmwareTools.join(", ")}) and ran their %preun scriptlets`,
      ok: erase !== undefined && erased.length === e.vmwareTools.length && preuns.every((p) => after(p, erase)),
      detail: `rpm: ${describe(erase)}; %preun: ${preuns.map(describe).join(", ")}`,
    },
    {
      name: `dracut rebuilt /boot/initramfs-${kernel}.img after the removal`,
      ok: after(dracut, erase),
      detail: `dracut: ${describe(dracut)}; rpm -e: ${describe(erase)}`,
    },
    {
      name: "grub2-mkconfig -o /boot/grub2/grub.cfg ran after dracut",
      ok: after(mkconfig, dracut),
      detail: `grub2-mkconfig: ${describe(mkconfig)}; dracut: ${describe(dracut)}`,
    },
  ];
  if (e.sourceDefaultKernel !== kernel) {
    out.push({
      name: `grubby --set-default /boot/vmlinuz-${kernel} ran after grub2-mkconfig (the source booted ${e.sourceDefaultKernel})`,
      ok: after(grubby, mkconfig) && grubby?.args[1] === `/boot/vmlinuz-${kernel}`,
      detail: `grubby: ${describe(grubby)}`,
    });
  }
  return out;
}

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

/** Pure: the edited files. */
export function checkEditedFiles(v: RpmStandinView, e: RpmStandinExpect): CheckResult[] {
  const kernel = newest(e);
  const entries = [...v.blsEntries.entries()];
  const badOptions = entries.filter(([, t]) => !isTargetRoot(rootArg(parseBlsKeys(t).get("options") ?? "")));
  const newestEntry = entries.find(([, t]) => parseBlsKeys(t).get("linux") === `/vmlinuz-${kernel}`);
  const saved = /^saved_entry=(.*)$/m.exec(v.grubenv ?? "")?.[1];
  const fstabRoot = (v.fstab ?? "").split("\n").find((l) => /^\S+\s+\/\s/.test(l))?.split(/\s+/)[0];
  const sdLeft = (v.fstab ?? "").split("\n").filter((l) => /^\s*\/dev\/sd/.test(l));
  const pinned = [...v.networkProfiles.entries()].filter(([p, t]) => (p.endsWith(".nmconnection") ? /^\s*mac-address\s*=/m : /^\s*HWADDR\s*=/m).test(t));
  const drivers = /^add_drivers\+?=\s*"([^"]*)"/m.exec(v.newestInitramfs ?? "")?.[1]?.split(/\s+/) ?? [];
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
    {
      name: "/etc/fstab mounts / from the virtio disk and names no /dev/sdX",
      ok: isTargetRoot(fstabRoot) && sdLeft.length === 0,
      detail: `/ from ${fstabRoot ?? "(none)"}${sdLeft.length ? `; still: ${sdLeft.join(" | ")}` : ""}`,
    },
    {
      name: "no network profile is pinned to the VMware MAC (ifcfg HWADDR=, keyfile mac-address=)",
      ok: v.networkProfiles.size > 0 && pinned.length === 0,
      detail: v.networkProfiles.size === 0 ? "no profile found" : pinned.length ? `pinned: ${pinned.map(([p]) => p).join(", ")}` : `${v.networkProfiles.size} profile(s) unpinned`,
    },
    {
      name: `the rebuilt /boot/initramfs-${kernel}.img was made with ${VIRTIO_DRIVERS.join(" and ")} configured`,
      ok: VIRTIO_DRIVERS.every((d) => drivers.includes(d)),
      detail: v.newestInitramfs === undefined ? "absent" : `add_drivers: ${drivers.join(" ") || "(none)"}`,
    },
    {
      name: "the VMware tools are gone from the rpm database and the disk",
      ok: e.vmwareTools.every((t) => !v.packages.includes(t)) && v.toolFilesLeft.length === 0 && v.packages.includes("kernel-core"),
      detail: `listed: ${e.vmwareTools.filter((t) => v.packages.includes(t)).join(", ") || "none"}; files left: ${v.toolFilesLeft.join(", ") || "none"}; ${v.packages.length} package(s) listed`,
    },
    {
      name: "VMware's yum repository is disabled",
      ok: /^\s*enabled\s*=\s*0\s*$/m.test(v.vmwareRepo ?? ""),
      detail: v.vmwareRepo === undefined ? "absent" : (/^\s*enabled\s*=.*$/m.exec(v.vmwareRepo)?.[0] ?? "no enabled= line"),
    },
  ];
  if (e.selinux) out.push({ name: "/.autorelabel asks for an SELinux relabel at the first boot", ok: v.autorelabel, detail: v.autorelabel ? "present" : "absent" });
  return out;
}

/** Pure: every check on a view. */
export function checkRpmStandinView(v: RpmStandinView, e: RpmStandinExpect): CheckResult[] {
  const calls = parseStandinLog(v.log ?? "");
  return [
    { name: `the stand-ins recorded their calls in ${STANDIN_LOG_PATH}`, ok: calls.length > 0, detail: v.log === undefined ? "no log" : `${calls.length} call(s)` },
    ...checkCallOrder(calls, e),
    ...checkEditedFiles(v, e),
  ];
}

/** The VMware tools stand-ins' files (guests/rpm/packages.ts). */
const toolFiles = (t: string): string[] => [`/usr/bin/${t}-daemon`, `/etc/vmware-tools/${t}.conf`];

async function readIf(g: GuestHandle, path: string): Promise<string | undefined> {
  return (await g.isFile(path)) ? g.readFile(path) : undefined;
}

async function readDir(g: GuestHandle, dir: string, name: RegExp): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!(await g.isDir(dir))) return out;
  for (const n of [...(await g.ls(dir))].filter((x) => name.test(x)).sort()) {
    const text = await readIf(g, `${dir}/${n}`);
    if (text !== undefined) out.set(`${dir}/${n}`, text);
  }
  return out;
}

/** Inspect, mount read-only, and read everything the checks need. */
export async function readRpmStandinView(g: GuestHandle, e: RpmStandinExpect): Promise<RpmStandinView> {
  const roots = await g.inspectRoots();
  const root = roots.find((r) => r.osType === "linux");
  if (!root) throw new Error(`no Linux root found (roots: ${roots.map((r) => `${r.root} ${r.osType}`).join(", ") || "none"})`);
  await g.mountRoot(root);
  const bls = await readDir(g, BLS_DIR, /\.conf$/);
  const log = await readIf(g, STANDIN_LOG_PATH);
  const grubenv = await readIf(g, GRUBENV);
  const fstab = await readIf(g, "/etc/fstab");
  const kernelCmdline = await readIf(g, "/etc/kernel/cmdline");
  const newestInitramfs = await readIf(g, `/boot/initramfs-${newest(e)}.img`);
  const vmwareRepo = await readIf(g, "/etc/yum.repos.d/vmware-tools.repo");
  const toolFilesLeft: string[] = [];
  for (const t of e.vmwareTools) for (const f of toolFiles(t)) if (await g.exists(f)) toolFilesLeft.push(f);
  return {
    ...(log !== undefined ? { log } : {}),
    blsEntries: new Map([...bls.entries()].map(([p, t]) => [p.slice(BLS_DIR.length + 1).replace(/\.conf$/, ""), t])),
    ...(grubenv !== undefined ? { grubenv } : {}),
    ...(fstab !== undefined ? { fstab } : {}),
    ...(kernelCmdline !== undefined ? { kernelCmdline } : {}),
    networkProfiles: new Map([...(await readDir(g, IFCFG_DIR, /^ifcfg-(?!lo$)/)), ...(await readDir(g, NM_DIR, /\.nmconnection$/))]),
    ...(newestInitramfs !== undefined ? { newestInitramfs } : {}),
    packages: (await g.listApplications(root.root)).map((a) => a.name),
    toolFilesLeft,
    autorelabel: await g.exists("/.autorelabel"),
    ...(vmwareRepo !== undefined ? { vmwareRepo } : {}),
  };
}

/** Every check inside a converted stand-in guest; a failure to read becomes one failed check. */
export async function checkRpmStandinGuest(g: GuestHandle, e: RpmStandinExpect): Promise<CheckResult[]> {
  let view: RpmStandinView | undefined;
  const read = await attempt("the stand-in guest's files and rpm database can be read", async () => {
    view = await readRpmStandinView(g, e);
    return { ok: true, detail: `${view.blsEntries.size} BLS entries, ${view.packages.length} packages` };
  });
  return view ? [read, ...checkRpmStandinView(view, e)] : [read];
}

/** Names of the checks the unconverted guest must fail for the negative check to prove anything. */
export const NEGATIVE_CHECK_PREFIXES = ["rpm -e removed", "every BLS entry's options", "/etc/fstab mounts"] as const;

/** Pure: the negative check's verdict on the unconverted guest's checks. */
export function judgeUnconverted(checks: readonly CheckResult[]): CheckResult {
  const name = "negative check: the unconverted stand-in fails the removal, BLS and fstab checks";
  const key = checks.filter((c) => NEGATIVE_CHECK_PREFIXES.some((p) => c.name.startsWith(p)));
  const passed = key.filter((c) => c.ok);
  if (key.length !== NEGATIVE_CHECK_PREFIXES.length) return { name, ok: false, detail: `only ${key.length} of ${NEGATIVE_CHECK_PREFIXES.length} checks ran` };
  return passed.length === 0
    ? { name, ok: true, detail: `as expected, all fail: ${key.map((c) => c.detail).join(" | ")}` }
    : { name, ok: false, detail: `the unconverted guest already passes: ${passed.map((c) => c.name).join("; ")}, so those checks prove nothing` };
}
