// Static checks inside a converted stand-in RPM guest (guests/rpm/), read-only through libguestfs.
// The stand-in programs and the packages' scriptlets record every call in one log, so the checks
// read what ran in the guest and in which order (rpm -e of the VMware tools, their %preun, then
// the initramfs tool, then grub-mkconfig, then grubby or a second grub-mkconfig), and the files
// the conversion edits (rpm-standin-files.ts, per family). Parsing is the harness's own, never the
// converter's. The same checks on the unconverted disk must fail (the negative check).
import type { GuestHandle } from "../../model/guest-handle.js";
import { attempt, type CheckResult } from "./guest.js";
import { INITRD_MK, STANDIN_FAMILY_FACTS, SYSCONFIG_KERNEL, type StandinFamily } from "./rpm-standin-families.js";
import { checkEditedFiles, type RpmStandinView, type StandinFileExpect } from "./rpm-standin-files.js";

export { checkEditedFiles, type RpmStandinView };

/** The log the stand-ins write (guests/rpm/standins.ts STANDIN_LOG; the path is the contract). */
export const STANDIN_LOG_PATH = "/var/log/v2v-standin.log";
const BLS_DIR = "/boot/loader/entries";

/**
 * What the checks expect of one stand-in guest (from its recipe): its family, the kernels (oldest
 * first), the kernel the source booted by default (grubby on RHEL, or GRUB_DEFAULT and a second
 * grub-mkconfig elsewhere, must run when it is not the newest), the VMware tools, SELinux.
 */
export type RpmStandinExpect = StandinFileExpect;

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

const newest = (e: RpmStandinExpect): string => e.kernels[e.kernels.length - 1] ?? "";
const describe = (c: StandinCall | undefined): string => (c ? `#${c.index + 1} "${[c.program, ...c.args].join(" ")}"` : "none");

/** Pure: the initramfs tool's call for the newest kernel, as the family's conversion makes it. */
function findInitramfsCall(calls: readonly StandinCall[], e: RpmStandinExpect, kernel: string): StandinCall | undefined {
  const facts = STANDIN_FAMILY_FACTS[e.family];
  if (facts.initramfsTool === "make-initrd") {
    return calls.find((c) => c.program === "make-initrd" && c.args.join(" ") === `-k ${kernel}`);
  }
  return calls.find((c) => c.program === "dracut" && c.args.includes(facts.initrd(kernel)) && c.args.includes(kernel));
}

/** Pure: the recorded calls and their order. */
export function checkCallOrder(calls: readonly StandinCall[], e: RpmStandinExpect): CheckResult[] {
  const facts = STANDIN_FAMILY_FACTS[e.family];
  const kernel = newest(e);
  const tool = facts.initramfsTool;
  const erase = calls.find((c) => c.program === "rpm" && (c.args.includes("-e") || c.args.includes("--erase")));
  const erased = erase ? e.vmwareTools.filter((t) => erase.args.includes(t)) : [];
  const preuns = e.vmwareTools.map((t) => calls.find((c) => c.program === "%preun" && c.args[0] === t));
  const rebuild = findInitramfsCall(calls, e, kernel);
  const mkconfigs = calls.filter((c) => c.program === facts.mkconfig && c.args.join(" ") === `-o ${facts.grubCfg}`);
  const mkconfig = mkconfigs[0];
  const grubby = calls.find((c) => c.program === "grubby" && c.args[0] === "--set-default");
  const after = (a: StandinCall | undefined, b: StandinCall | undefined): boolean => a !== undefined && b !== undefined && a.index > b.index;
  const out: CheckResult[] = [
    {
      name: `rpm -e removed the VMware tools (${e.vmwareTools.join(", ")}) and ran their %preun scriptlets`,
      ok: erase !== undefined && erased.length === e.vmwareTools.length && preuns.every((p) => after(p, erase)),
      detail: `rpm: ${describe(erase)}; %preun: ${preuns.map(describe).join(", ")}`,
    },
    {
      name: `${tool} rebuilt ${facts.initrd(kernel)} after the removal`,
      ok: after(rebuild, erase),
      detail: `${tool}: ${describe(rebuild)}; rpm -e: ${describe(erase)}`,
    },
    {
      name: `${facts.mkconfig} -o ${facts.grubCfg} ran after ${tool}`,
      ok: after(mkconfig, rebuild),
      detail: `${facts.mkconfig}: ${describe(mkconfig)}; ${tool}: ${describe(rebuild)}`,
    },
  ];
  if (e.sourceDefaultKernel !== kernel && e.family === "rhel") {
    out.push({
      name: `grubby --set-default /boot/vmlinuz-${kernel} ran after grub2-mkconfig (the source booted ${e.sourceDefaultKernel})`,
      ok: after(grubby, mkconfig) && grubby?.args[1] === `/boot/vmlinuz-${kernel}`,
      detail: `grubby: ${describe(grubby)}`,
    });
  } else if (e.sourceDefaultKernel !== kernel) {
    // No grubby here: the converter sets GRUB_DEFAULT and regenerates grub.cfg a second time.
    out.push({
      name: `${facts.mkconfig} ran a second time, for the new GRUB_DEFAULT (the source booted ${e.sourceDefaultKernel})`,
      ok: mkconfigs.length === 2 && after(mkconfigs[1], mkconfig) && grubby === undefined,
      detail: `${mkconfigs.length} call(s): ${mkconfigs.map(describe).join(", ") || "none"}${grubby ? `; unexpected grubby ${describe(grubby)}` : ""}`,
    });
  }
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

/** Inspect, mount read-only, and read everything the checks need (the family's files). */
export async function readRpmStandinView(g: GuestHandle, e: RpmStandinExpect): Promise<RpmStandinView> {
  const facts = STANDIN_FAMILY_FACTS[e.family];
  const roots = await g.inspectRoots();
  const root = roots.find((r) => r.osType === "linux");
  if (!root) throw new Error(`no Linux root found (roots: ${roots.map((r) => `${r.root} ${r.osType}`).join(", ") || "none"})`);
  await g.mountRoot(root);
  const bls = e.family === "rhel" ? await readDir(g, BLS_DIR, /\.conf$/) : new Map<string, string>();
  const profiles = new Map<string, string>();
  for (const d of facts.networkDirs) for (const [p, t] of await readDir(g, d.dir, d.names)) profiles.set(p, t);
  const toolFilesLeft: string[] = [];
  for (const t of e.vmwareTools) for (const f of toolFiles(t)) if (await g.exists(f)) toolFilesLeft.push(f);
  const optional = async (key: keyof RpmStandinView, path: string | undefined): Promise<Partial<RpmStandinView>> => {
    const text = path === undefined ? undefined : await readIf(g, path);
    return text === undefined ? {} : { [key]: text };
  };
  const suseOrAlt = e.family !== "rhel";
  return {
    ...(await optional("log", STANDIN_LOG_PATH)),
    blsEntries: new Map([...bls.entries()].map(([p, t]) => [p.slice(BLS_DIR.length + 1).replace(/\.conf$/, ""), t])),
    ...(await optional("grubenv", facts.grubenv)),
    ...(await optional("fstab", "/etc/fstab")),
    ...(await optional("kernelCmdline", e.family === "rhel" ? "/etc/kernel/cmdline" : undefined)),
    networkProfiles: profiles,
    ...(await optional("newestInitramfs", facts.initrd(newest(e)))),
    packages: (await g.listApplications(root.root)).map((a) => a.name),
    toolFilesLeft,
    autorelabel: await g.exists("/.autorelabel"),
    ...(await optional("vmwareRepo", facts.vmwareRepo)),
    ...(await optional("grubCfg", suseOrAlt ? facts.grubCfg : undefined)),
    ...(await optional("grubDefaults", suseOrAlt ? facts.grubDefaults : undefined)),
    ...(await optional("sysconfigKernel", e.family === "suse" ? SYSCONFIG_KERNEL : undefined)),
    ...(await optional("initrdMk", e.family === "alt" ? INITRD_MK : undefined)),
    ...(await optional("modprobeConf", facts.modprobeConf)),
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

/** Names of the checks the unconverted guest must fail for the negative check to prove anything, by family. */
export const NEGATIVE_CHECK_PREFIXES: Readonly<Record<StandinFamily, readonly string[]>> = {
  rhel: ["rpm -e removed", "every BLS entry's options", "/etc/fstab mounts"],
  suse: ["rpm -e removed", "the default GRUB entry", "/etc/fstab mounts", "INITRD_MODULES"],
  alt: ["rpm -e removed", "the default GRUB entry", "/etc/fstab mounts", "MODULES_ADD"],
};

const NEGATIVE_WHAT: Readonly<Record<StandinFamily, string>> = {
  rhel: "the removal, BLS and fstab checks",
  suse: "the removal, GRUB default, fstab and INITRD_MODULES checks",
  alt: "the removal, GRUB default, fstab and MODULES_ADD checks",
};

/** Pure: the negative check's verdict on the unconverted guest's checks. */
export function judgeUnconverted(checks: readonly CheckResult[], family: StandinFamily = "rhel"): CheckResult {
  const prefixes = NEGATIVE_CHECK_PREFIXES[family];
  const name = `negative check: the unconverted stand-in fails ${NEGATIVE_WHAT[family]}`;
  const key = checks.filter((c) => prefixes.some((p) => c.name.startsWith(p)));
  const passed = key.filter((c) => c.ok);
  if (key.length !== prefixes.length) return { name, ok: false, detail: `only ${key.length} of ${prefixes.length} checks ran` };
  return passed.length === 0
    ? { name, ok: true, detail: `as expected, all fail: ${key.map((c) => c.detail).join(" | ")}` }
    : { name, ok: false, detail: `the unconverted guest already passes: ${passed.map((c) => c.name).join("; ")}, so those checks prove nothing` };
}
