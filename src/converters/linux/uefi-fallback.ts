// The UEFI removable-media fallback loader (EFI/BOOT/BOOTX64.EFI) of a Linux guest.
//
// Why: a distro installs its loader as EFI/<vendor>/grubx64.efi (or shimx64.efi + grubx64.efi)
// and records a boot entry for it in the firmware's NVRAM. The NVRAM stays on the old
// hypervisor: on the target the variable store is new and empty, and OVMF boots only what it
// finds at the removable path EFI/BOOT/BOOT<ARCH>.EFI. A guest without that file does not boot.
//
// What: when the fallback is missing, copy the guest's own loader there, from its vendor folder:
// - with shim (Secure Boot chain): shim becomes BOOT<ARCH>.EFI and grub<arch>.efi (and the
//   MOK manager) sit beside it, because shim loads them from its own folder;
// - without shim: grub<arch>.efi becomes BOOT<ARCH>.EFI;
// - grub.cfg, when the vendor folder has one (Debian's signed GRUB reads the grub.cfg beside
//   itself), is copied too.
// fb<arch>.efi is not copied: shim would run it, which writes NVRAM entries and resets once.
// A fallback loader already present is left alone. Decisions are pure (planUefiFallback); the
// guest I/O is installUefiFallback.
import type { GuestHandle } from "../../model/guest-handle.js";
import type { Inspection } from "../../model/types.js";
import type { StepLog } from "../step-log.js";

/** The EFI file-name suffix of each architecture we convert. */
const EFI_ARCH: Readonly<Record<string, string>> = { x86_64: "x64", i386: "ia32", aarch64: "aa64" };

/** One vendor folder of the ESP's EFI directory, and the files it holds (names as stored). */
export interface EspFolder {
  readonly name: string;
  readonly files: readonly string[];
}

export interface FallbackCopy {
  /** Paths relative to the ESP's root, "/"-separated. */
  readonly from: string;
  readonly to: string;
}

export type FallbackPlan =
  | { readonly kind: "present"; readonly loader: string }
  | { readonly kind: "copy"; readonly vendor: string; readonly shim: boolean; readonly copies: readonly FallbackCopy[] }
  | { readonly kind: "none"; readonly why: string };

/**
 * Pure: what to copy so that the ESP has a removable-path loader. `folders` are the EFI
 * directory's subfolders; `distro` (inspection's) picks the vendor folder when several have a
 * loader ("debian" for EFI/debian), else the first by name.
 */
export function planUefiFallback(efiDir: string, folders: readonly EspFolder[], arch: string, distro: string): FallbackPlan {
  const suffix = EFI_ARCH[arch];
  if (!suffix) return { kind: "none", why: `no removable-path loader name is known for ${arch}` };
  const lower = (s: string): string => s.toLowerCase();
  const bootName = `BOOT${suffix.toUpperCase()}.EFI`;
  const boot = folders.find((f) => lower(f.name) === "boot");
  const present = boot?.files.find((n) => lower(n) === lower(bootName));
  if (boot && present) return { kind: "present", loader: `${efiDir}/${boot.name}/${present}` };

  const find = (f: EspFolder, name: string): string | undefined => f.files.find((n) => lower(n) === name);
  const grub = `grub${suffix}.efi`;
  const shim = `shim${suffix}.efi`;
  const candidates = folders
    .filter((f) => lower(f.name) !== "boot" && find(f, grub) !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const vendor = candidates.find((f) => lower(f.name) === lower(distro)) ?? candidates[0];
  if (!vendor) return { kind: "none", why: `no ${efiDir}/*/${grub} to copy` };

  const bootDir = `${efiDir}/${boot?.name ?? "BOOT"}`;
  const src = (name: string): string => `${efiDir}/${vendor.name}/${name}`;
  const copies: FallbackCopy[] = [];
  const shimFile = find(vendor, shim);
  const grubFile = find(vendor, grub)!;
  if (shimFile) {
    copies.push({ from: src(shimFile), to: `${bootDir}/${bootName}` });
    copies.push({ from: src(grubFile), to: `${bootDir}/${grub}` });
    const mm = find(vendor, `mm${suffix}.efi`);
    if (mm) copies.push({ from: src(mm), to: `${bootDir}/mm${suffix}.efi` });
  } else {
    copies.push({ from: src(grubFile), to: `${bootDir}/${bootName}` });
  }
  const cfg = find(vendor, "grub.cfg");
  if (cfg) copies.push({ from: src(cfg), to: `${bootDir}/grub.cfg` });
  return { kind: "copy", vendor: vendor.name, shim: shimFile !== undefined, copies };
}

/** The guest path where the ESP is mounted (/boot/efi or /efi), from inspection's mountpoints. */
export function espMountpoint(insp: Pick<Inspection, "mountpoints">): string | undefined {
  const m = insp.mountpoints.find((p) => p.mountpoint === "/boot/efi" || p.mountpoint === "/efi");
  return m?.mountpoint;
}

/** Install the fallback loader when a UEFI guest lacks it; says what it did in the change log. */
export async function installUefiFallback(g: GuestHandle, insp: Inspection, log: StepLog): Promise<void> {
  if (insp.firmware !== "uefi") return;
  const mount = espMountpoint(insp);
  if (!mount) {
    log.warn("this UEFI guest mounts no EFI System Partition at /boot/efi or /efi; its removable-path boot loader was not checked");
    return;
  }
  const efiName = (await g.ls(mount)).find((n) => n.toLowerCase() === "efi");
  if (!efiName) {
    log.warn(`the EFI System Partition at ${mount} has no EFI folder; the guest may not boot on fresh UEFI variables`);
    return;
  }
  const efiDir = `${mount}/${efiName}`;
  const folders: EspFolder[] = [];
  for (const name of await g.ls(efiDir)) {
    if (await g.isDir(`${efiDir}/${name}`)) folders.push({ name, files: await g.ls(`${efiDir}/${name}`) });
  }
  const plan = planUefiFallback(efiDir, folders, insp.arch, insp.distro);
  if (plan.kind === "present") {
    log.note(`the removable-path boot loader ${plan.loader} is present`);
    return;
  }
  if (plan.kind === "none") {
    log.warn(`the EFI System Partition has no removable-path boot loader and v2v found none to install (${plan.why}); the guest may not boot on fresh UEFI variables`);
    return;
  }
  const bootDir = plan.copies[0]!.to.slice(0, plan.copies[0]!.to.lastIndexOf("/"));
  await g.mkdirP(bootDir);
  for (const c of plan.copies) await g.cp(c.from, c.to);
  log.change(
    `installed the removable-path boot loader ${plan.copies[0]!.to} from ${efiDir}/${plan.vendor} (${plan.shim ? "shim, with GRUB beside it" : "GRUB"}): ` +
      "the old hypervisor's UEFI boot entry does not come along, and fresh UEFI variables boot only that path",
  );
}
