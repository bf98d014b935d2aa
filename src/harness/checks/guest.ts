// Static checks inside a converted guest, through a GuestHandle: fstab, grub's default entry,
// the default kernel's initramfs, VMware tools. Every check runs and reports; none stops the rest
// (tp-libvirt's VMChecker collects its failures the same way).
import type { GuestHandle, InspectedRoot } from "../../model/guest-handle.js";
import type { TargetBlockBus } from "../../model/types.js";
import { isNonDiskSpec, parseFstab, resolveSpec, RESUME_FILES, resumeSpecs, staleDeviceName, type DeviceFacts, type FsFact } from "./device-specs.js";
import { findDefaultEntry, kernelVersionOf, rootArgOf } from "./grub-default.js";

/** One assertion's outcome. `detail` says what was found, in a sentence, whether ok or not. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Run one check; an exception becomes a failed check instead of ending the list. */
export async function attempt(name: string, fn: () => Promise<{ ok: boolean; detail: string }>): Promise<CheckResult> {
  try {
    return { name, ...(await fn()) };
  } catch (e) {
    return { name, ok: false, detail: `the check could not run: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Kernel modules a guest needs in its initramfs to find its root disk on each bus. */
export const BUS_MODULES: Readonly<Record<TargetBlockBus, readonly string[]>> = {
  "virtio-blk": ["virtio_blk", "virtio_pci"],
  "virtio-scsi": ["virtio_scsi", "virtio_pci"],
  sata: ["ahci"],
  ide: ["ata_piix"],
};

/** Packages that must be gone after conversion: VMware's guest tools, and Xen's (a Xen-born guest). */
export const VMWARE_TOOL_PACKAGES: readonly string[] = ["open-vm-tools", "open-vm-tools-desktop", "vmware-tools", "xe-guest-utilities"];

const GRUB_CFG_PATHS = ["/boot/grub/grub.cfg", "/boot/grub2/grub.cfg"];
const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C";
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Pure: modules of `wanted` that neither the initramfs listing nor modules.builtin has. */
export function missingModules(lsinitramfs: string, builtin: string, wanted: readonly string[]): string[] {
  return wanted.filter((m) => {
    const file = new RegExp(`(^|/)${m}\\.ko(\\.(xz|zst|gz))?$`, "m");
    return !file.test(lsinitramfs) && !file.test(builtin);
  });
}

/** Pure: packages of `names` that a dpkg status file still has installed (fully or partly). */
export function installedInDpkgStatus(status: string, names: readonly string[]): string[] {
  const found: string[] = [];
  for (const stanza of status.split(/\n\s*\n/)) {
    const pkg = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const st = /^Status:\s*(.*)$/m.exec(stanza)?.[1] ?? "";
    // The last word is the state; only "not-installed" and "config-files" (removed, not purged) mean gone.
    const state = st.trim().split(/\s+/).pop() ?? "";
    if (pkg && names.includes(pkg) && state !== "not-installed" && state !== "config-files") found.push(pkg);
  }
  return found;
}

async function gatherDeviceFacts(g: GuestHandle): Promise<DeviceFacts> {
  const filesystems: FsFact[] = [];
  for (const [device, type] of Object.entries(await g.listFilesystems())) {
    const tags = type === "unknown" ? {} : await g.blkid(device).catch(() => ({}));
    filesystems.push({ device, tags });
  }
  return { disks: await g.listDevices(), filesystems };
}

export interface GuestCheckOptions {
  readonly blockBus: TargetBlockBus;
  /** UEFI guests are also checked for the removable-path loader that fresh firmware variables boot. */
  readonly firmware?: "bios" | "uefi";
}

/** The initramfs listers a Debian-family guest may have, preferred first: initramfs-tools', then dracut's. */
export const INITRAMFS_LISTERS = ["/usr/bin/lsinitramfs", "/usr/bin/lsinitrd"] as const;

/** Where the ESP is mounted and the loader OVMF boots on an empty variable store (x86_64). */
export const REMOVABLE_LOADER_DIRS = ["/boot/efi/EFI/BOOT", "/efi/EFI/BOOT"] as const;

/** Pure: the removable-path loader among an EFI/BOOT folder's entries (FAT is case-insensitive). */
export function removableLoaderIn(entries: readonly string[]): string | undefined {
  return entries.find((n) => n.toUpperCase() === "BOOTX64.EFI");
}

export interface GuestCheckOutcome {
  readonly checks: readonly CheckResult[];
  /** The kernel version grub's default entry boots, when found. */
  readonly defaultKernel?: string;
}

/** Inspect, mount and check the guest on `g` (opened on the converted disks, in target order). */
export async function checkGuest(g: GuestHandle, o: GuestCheckOptions): Promise<GuestCheckOutcome> {
  const checks: CheckResult[] = [];
  let root: InspectedRoot | undefined;
  checks.push(await attempt("inspection finds one operating system", async () => {
    const roots = await g.inspectRoots();
    root = roots[0];
    return roots.length === 1
      ? { ok: true, detail: `${roots[0]!.productName} on ${roots[0]!.root}` }
      : { ok: false, detail: `libguestfs found ${roots.length} operating systems` };
  }));
  if (!root) return { checks };
  const r = root;
  await g.mountRoot(r);
  const facts = await gatherDeviceFacts(g);

  checks.push(await attempt(`fstab names no device that is not on ${o.blockBus}`, async () => {
    const stale = parseFstab(await g.readFile("/etc/fstab")).filter((e) => staleDeviceName(e.spec, o.blockBus));
    return stale.length === 0
      ? { ok: true, detail: "no stale /dev/sdX, /dev/hdX or /dev/xvdX entries" }
      : { ok: false, detail: `stale entries: ${stale.map((e) => `line ${e.line}: ${e.spec} ${e.mountpoint}`).join("; ")}` };
  }));
  checks.push(await attempt("every fstab entry resolves to a filesystem", async () => {
    const entries = parseFstab(await g.readFile("/etc/fstab")).filter((e) => !isNonDiskSpec(e.spec));
    const bad = entries.flatMap((e) => {
      const res = resolveSpec(e.spec, facts, o.blockBus);
      return res.ok ? [] : [`line ${e.line} (${e.mountpoint}): ${res.why}`];
    });
    return bad.length === 0 ? { ok: true, detail: `${entries.length} entries resolve` } : { ok: false, detail: bad.join("; ") };
  }));

  checks.push(await attempt(`resume= and RESUME= name no device that is not on ${o.blockBus}`, async () => {
    const named: string[] = [];
    const stale: string[] = [];
    for (const path of RESUME_FILES) {
      if (!(await g.isFile(path))) continue;
      for (const spec of resumeSpecs(await g.readFile(path))) {
        named.push(`${path}: ${spec}`);
        if (staleDeviceName(spec, o.blockBus)) stale.push(`${path}: ${spec}`);
      }
    }
    if (stale.length > 0) return { ok: false, detail: `stale: ${stale.join("; ")}` };
    return { ok: true, detail: named.length === 0 ? "no resume device is configured" : named.join("; ") };
  }));

  let defaultKernel: string | undefined;
  checks.push(await attempt("grub's default entry boots an installed kernel with a root= that resolves", async () => {
    const cfgPath = await firstExisting(g, GRUB_CFG_PATHS);
    if (!cfgPath) return { ok: false, detail: `no grub.cfg at ${GRUB_CFG_PATHS.join(" or ")}` };
    const env = (await g.exists("/boot/grub/grubenv")) ? await g.readFile("/boot/grub/grubenv") : "";
    const entry = findDefaultEntry(await g.readFile(cfgPath), env);
    if (!entry) return { ok: false, detail: `${cfgPath}: the default setting designates no menu entry` };
    defaultKernel = kernelVersionOf(entry);
    const rootArg = rootArgOf(entry);
    const problems: string[] = [];
    if (!defaultKernel) problems.push(`entry "${entry.title}" has no /boot/vmlinuz-VERSION linux line`);
    else if (!(await g.exists(`/boot/vmlinuz-${defaultKernel}`))) problems.push(`/boot/vmlinuz-${defaultKernel} does not exist`);
    if (!rootArg) problems.push(`entry "${entry.title}" has no root= argument`);
    else {
      const res = resolveSpec(rootArg, facts, o.blockBus);
      if (!res.ok) problems.push(`root=${rootArg}: ${res.why}`);
    }
    const what = `entry "${[...entry.submenus, entry.title].join(" > ")}", kernel ${defaultKernel ?? "?"}, root=${rootArg ?? "?"}`;
    return problems.length === 0 ? { ok: true, detail: what } : { ok: false, detail: `${what}: ${problems.join("; ")}` };
  }));

  const wanted = BUS_MODULES[o.blockBus];
  checks.push(await attempt(`the default kernel's initramfs holds ${wanted.join(", ")}`, async () => {
    if (!defaultKernel) return { ok: false, detail: "no default kernel was found in grub.cfg" };
    const initrd = `/boot/initrd.img-${defaultKernel}`;
    if (!(await g.exists(initrd))) return { ok: false, detail: `${initrd} does not exist` };
    const lister = await firstExisting(g, INITRAMFS_LISTERS);
    if (!lister) return { ok: false, detail: `neither ${INITRAMFS_LISTERS.join(" nor ")} is in the guest to list ${initrd}` };
    const listing = await g.sh(`${PATH_ENV} ${lister} ${q(initrd)}`, { timeoutMs: 5 * 60_000 });
    const builtinPath = `/lib/modules/${defaultKernel}/modules.builtin`;
    const builtin = (await g.exists(builtinPath)) ? await g.readFile(builtinPath) : "";
    const missing = missingModules(listing, builtin, wanted);
    return missing.length === 0
      ? { ok: true, detail: `${initrd} (or the kernel itself) has ${wanted.join(", ")}` }
      : { ok: false, detail: `${initrd} lacks ${missing.join(", ")}` };
  }));

  if (o.firmware === "uefi") {
    checks.push(await attempt("the ESP has the removable-path loader EFI/BOOT/BOOTX64.EFI (fresh UEFI variables boot only that)", async () => {
      for (const dir of REMOVABLE_LOADER_DIRS) {
        if (!(await g.isDir(dir))) continue;
        const loader = removableLoaderIn(await g.ls(dir));
        if (loader) return { ok: true, detail: `${dir}/${loader}` };
      }
      return { ok: false, detail: `no BOOTX64.EFI in ${REMOVABLE_LOADER_DIRS.join(" or ")}` };
    }));
  }

  checks.push(await attempt("other hypervisors' guest tools are removed", async () => {
    const apps = (await g.listApplications(r.root)).map((a) => a.name).filter((n) => VMWARE_TOOL_PACKAGES.includes(n));
    const status = (await g.exists("/var/lib/dpkg/status")) ? await g.readFile("/var/lib/dpkg/status") : "";
    const dpkg = installedInDpkgStatus(status, VMWARE_TOOL_PACKAGES);
    const left = [...new Set([...apps, ...dpkg])];
    return left.length === 0
      ? { ok: true, detail: `none of ${VMWARE_TOOL_PACKAGES.join(", ")} is installed` }
      : { ok: false, detail: `still installed: ${left.join(", ")} (inspection: ${apps.join(",") || "none"}; dpkg status: ${dpkg.join(",") || "none"})` };
  }));
  return { checks, ...(defaultKernel ? { defaultKernel } : {}) };
}

async function firstExisting(g: GuestHandle, paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (await g.exists(p)) return p;
  return undefined;
}
