// Static checks inside a converted Windows guest, read-only through libguestfs: the registry
// (SYSTEM and SOFTWARE hives read with the harness's copy of src/registry), the driver files,
// the first-boot service and its scripts, and for UEFI guests the BCD and the fallback loader.
// Each check says what it found; a guest with no virtio drivers expected is checked for the
// opposite (nothing registered), so the same list serves the fallback cells.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GuestHandle, InspectedRoot } from "../../model/guest-handle.js";
import { Hive, type KeyPath } from "../../registry/hive.js";
import { valueDword, valueString } from "../../registry/values.js";
import { attempt, type CheckResult } from "./guest.js";

/** The two virtio-blk ids (legacy and modern) the boot driver must be bound to. */
export const VIRTIO_BLK_IDS = ["PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"];
/** virtio-scsi's (legacy and virtio 1.0), for vioscsi. */
export const VIRTIO_SCSI_IDS = ["PCI\\VEN_1AF4&DEV_1004&SUBSYS_00081AF4&REV_00", "PCI\\VEN_1AF4&DEV_1048&SUBSYS_11001AF4&REV_01"];
const BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}";
const ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
/** VMware services that must not start on KVM, when the guest has them. */
const VMWARE_SERVICES = ["vmci", "vm3dmp", "vmmemctl", "vmtools", "vmhgfs", "vmmouse", "vmvss"];

export interface WindowsCheckOptions {
  /** virtio drivers installed (the boot driver registered) or the emulated fallback. */
  readonly virtio: boolean;
  readonly firmware: "bios" | "uefi";
  /** The source had VMware Tools, so their uninstall must be queued (default true: the built guests have them). */
  readonly vmwareTools?: boolean;
  /** The boot driver the cell asked for (`--block-driver virtio-scsi` → vioscsi); default viostor. */
  readonly bootDriver?: "viostor" | "vioscsi";
  /** The qemu-ga installer must be queued (default: with virtio; a user's virtio-win may lack it, and v2v warns). */
  readonly qemuGa?: boolean;
}

export interface WindowsGuestView {
  readonly root: InspectedRoot;
  readonly system: Hive;
  readonly software: Hive;
  readonly controlSet: string;
}

/** Inspect and mount read-only, and read the two hives. */
export async function openWindowsView(g: GuestHandle, scratch: string): Promise<WindowsGuestView> {
  const roots = await g.inspectRoots();
  const root = roots.find((r) => r.osType === "windows");
  if (!root?.windows) throw new Error(`no Windows root found (roots: ${roots.map((r) => `${r.root} ${r.osType}`).join(", ") || "none"})`);
  await g.mountRoot(root);
  const hive = async (path: string, what: string): Promise<Hive> => {
    const local = join(scratch, what);
    await g.download(path, local, 512 * 1024 * 1024);
    return Hive.parse(await readFile(local), `${what} ${path}`);
  };
  const system = await hive(root.windows.systemHive, "SYSTEM");
  const software = await hive(root.windows.softwareHive, "SOFTWARE");
  const current = valueDword(system.value(["Select"], "Current"));
  return { root, system, software, controlSet: `ControlSet${String(current ?? 1).padStart(3, "0")}` };
}

/** Pure: is the boot driver bound to an id, through the CriticalDeviceDatabase or the DriverDatabase? */
export function bootBinding(system: Hive, ccs: string, id: string, service: string): string | undefined {
  const cdd: KeyPath = [ccs, "Control", "CriticalDeviceDatabase", id.replace(/\\/g, "#")];
  if (valueString(system.value(cdd, "Service"))?.toLowerCase() === service) return `CriticalDeviceDatabase\\${cdd[3]}`;
  const ids = system.values(["DriverDatabase", "DeviceIds", ...id.split("\\")]) ?? [];
  for (const v of ids) {
    const inf = v.name;
    const pkg = valueString(system.value(["DriverDatabase", "DriverInfFiles", inf], "Active"));
    if (!pkg) continue;
    const conf = valueString(system.value(["DriverDatabase", "DriverPackages", pkg, "Descriptors", ...id.split("\\")], "Configuration"));
    if (!conf) continue;
    const svc = valueString(system.value(["DriverDatabase", "DriverPackages", pkg, "Configurations", conf], "Service"));
    if (svc?.toLowerCase() === service) return `DriverDatabase ${inf} -> ${pkg} -> ${conf}`;
  }
  return undefined;
}

/** Pure: the boot-driver registration check (also the negative check on unconverted guests). */
export function checkBootDriverRegistered(v: Pick<WindowsGuestView, "system" | "controlSet">, service = "viostor"): CheckResult {
  const scsi = service === "vioscsi";
  const name = `${service} is registered to start at boot for the ${scsi ? "virtio-scsi" : "virtio-blk"} ids`;
  const svc: KeyPath = [v.controlSet, "Services", service];
  const start = valueDword(v.system.value(svc, "Start"));
  const type = valueDword(v.system.value(svc, "Type"));
  const image = valueString(v.system.value(svc, "ImagePath"));
  const problems: string[] = [];
  if (start !== 0) problems.push(`Services\\${service}\\Start is ${start ?? "missing"}, not 0`);
  if (type !== 1) problems.push(`Services\\${service}\\Type is ${type ?? "missing"}, not 1`);
  if (!image?.toLowerCase().endsWith(`\\${service}.sys`)) problems.push(`Services\\${service}\\ImagePath is ${image ?? "missing"}`);
  const bound = (scsi ? VIRTIO_SCSI_IDS : VIRTIO_BLK_IDS).map((id) => [id, bootBinding(v.system, v.controlSet, id, service)] as const);
  for (const [id, how] of bound) if (!how) problems.push(`${id} is bound to no ${service} entry`);
  return problems.length === 0
    ? { name, ok: true, detail: `Start 0, ${bound.map(([, how]) => how).join("; ")}` }
    : { name, ok: false, detail: problems.join("; ") };
}

async function listLower(g: GuestHandle, dir: string): Promise<string[]> {
  return (await g.ls(dir)).map((n) => n.toLowerCase());
}

/** Every static check of a converted Windows guest (the drive is open read-only on `g`). */
export async function checkWindowsGuest(g: GuestHandle, o: WindowsCheckOptions): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const scratch = await mkdtemp(join(tmpdir(), "v2v-wincheck-"));
  try {
    let view: WindowsGuestView | undefined;
    checks.push(await attempt("inspection finds Windows and its registry", async () => {
      view = await openWindowsView(g, scratch);
      return { ok: true, detail: `${view.root.productName} on ${view.root.root}, ${view.controlSet}` };
    }));
    if (!view) return checks;
    const v = view;
    const sysroot = v.root.windows!.systemRoot;
    const spelled = (p: string): Promise<string> => g.caseSensitivePath(p);

    if (o.virtio) {
      const boot = o.bootDriver ?? "viostor";
      checks.push(checkBootDriverRegistered(v, boot));
      checks.push(await attempt(`${boot}.sys is in System32\\drivers`, async () => {
        const ok = (await listLower(g, await spelled(`${sysroot}/System32/drivers`))).includes(`${boot}.sys`);
        return { ok, detail: ok ? "present" : "missing" };
      }));
      checks.push(await attempt("the virtio drivers are in Drivers\\VirtIO", async () => {
        const names = await listLower(g, await spelled(`${sysroot}/Drivers/VirtIO`));
        const missing = [`${boot}.sys`, `${boot}.inf`, "netkvm.sys", "netkvm.inf"].filter((n) => !names.includes(n));
        return { ok: missing.length === 0, detail: missing.length ? `missing ${missing.join(", ")} (of ${names.length} files)` : `${names.length} files` };
      }));
      checks.push(await attempt("DevicePath includes %SystemRoot%\\Drivers\\VirtIO", async () => {
        const dp = valueString(v.software.value(["Microsoft", "Windows", "CurrentVersion"], "DevicePath")) ?? "";
        const ok = dp.toLowerCase().split(";").includes("%systemroot%\\drivers\\virtio");
        return { ok, detail: `DevicePath = ${dp || "missing"}` };
      }));
    } else {
      checks.push(await attempt("no virtio boot driver is registered (emulated devices)", async () => {
        const start = valueDword(v.system.value([v.controlSet, "Services", "viostor"], "Start"));
        return { ok: start !== 0, detail: start === 0 ? "Services\\viostor has Start 0" : "viostor does not start at boot" };
      }));
    }

    checks.push(await attempt("the VMware services are disabled", async () => {
      const services = new Map((v.system.subkeys([v.controlSet, "Services"]) ?? []).map((s) => [s.toLowerCase(), s]));
      const present = VMWARE_SERVICES.filter((s) => services.has(s));
      const running = present.filter((s) => valueDword(v.system.value([v.controlSet, "Services", services.get(s)!], "Start")) !== 4);
      return { ok: running.length === 0, detail: running.length ? `still enabled: ${running.join(", ")}` : `disabled: ${present.join(", ") || "none present"}` };
    }));
    checks.push(await attempt("CrashControl\\AutoReboot is 0", async () => {
      const n = valueDword(v.system.value([v.controlSet, "Control", "CrashControl"], "AutoReboot"));
      return { ok: n === 0, detail: `AutoReboot = ${n ?? "missing"}` };
    }));

    checks.push(await attempt("the first-boot service is registered (automatic start)", async () => {
      const key: KeyPath = [v.controlSet, "Services", "v2v-firstboot"];
      const start = valueDword(v.system.value(key, "Start"));
      const image = valueString(v.system.value(key, "ImagePath")) ?? "";
      const ok = start === 2 && /v2vfirstboot\.exe"?$/i.test(image);
      return { ok, detail: `Start ${start ?? "missing"}, ImagePath ${image || "missing"}` };
    }));
    checks.push(await attempt("the first-boot scripts are in place, in order, the VMware Tools uninstall, qemu-ga (with drivers) and the boot report among them", async () => {
      const dir = await spelled("/Program Files/V2V/Firstboot/scripts");
      const names = (await g.ls(dir)).slice().sort();
      const exe = await g.isFile(await spelled("/Program Files/V2V/Firstboot/v2vfirstboot.exe"));
      const uninstall = names.find((n) => /uninstall-vmware-tools/.test(n));
      const uninstallText = uninstall ? await g.readFile(`${dir}/${uninstall}`) : "";
      const problems: string[] = [];
      if (!exe) problems.push("v2vfirstboot.exe is missing");
      if (!names.some((n) => /install-drivers/.test(n))) problems.push("no driver-install script");
      if ((o.vmwareTools ?? true) && !/MsiExec\.exe \/X\{[0-9A-F-]{36}\}/i.test(uninstallText)) problems.push("no MsiExec /X{GUID} uninstall of VMware Tools");
      if (!/boot-report/.test(names[names.length - 1] ?? "")) problems.push("the boot report is not the last script");
      if (o.qemuGa ?? o.virtio) {
        // The harness's virtio-win tree carries the guest agent's installer: it must be queued.
        if (!names.some((n) => /install-qemu-ga/.test(n))) problems.push("no qemu-ga install script");
        const folder = await listLower(g, await spelled("/Program Files/V2V/Firstboot"));
        if (!folder.some((n) => /^qemu-ga-(x86_64|i386)\.msi$/.test(n))) problems.push("the qemu-ga installer is missing");
      }
      return { ok: problems.length === 0, detail: problems.length ? `${problems.join("; ")} (scripts: ${names.join(", ")})` : names.join(", ") };
    }));

    if (o.firmware === "uefi") checks.push(...(await checkEsp(g, scratch)));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return checks;
}

/** UEFI: the BCD default entry without graphicsmodedisabled, and BOOTX64.EFI = bootmgfw.efi. */
async function checkEsp(g: GuestHandle, scratch: string): Promise<CheckResult[]> {
  let esp: string | undefined;
  for (const [dev, type] of Object.entries(await g.listFilesystems())) {
    if (type !== "vfat") continue;
    const tags = await g.blkid(dev).catch(() => ({}) as Record<string, string>);
    if ((tags["PART_ENTRY_TYPE"] ?? "").toUpperCase() === ESP_TYPE) esp = dev;
  }
  if (!esp) return [{ name: "the guest has an EFI System Partition", ok: false, detail: "none found" }];
  // The drives are read-only, so no mountpoint can be made inside C:; this is the last check,
  // so C: is unmounted and the ESP mounted at / instead.
  const checks: CheckResult[] = [];
  await g.umount("/");
  await g.mount(esp, "/");
  const base = "";
  checks.push(await attempt("the BCD default entry has no graphicsmodedisabled", async () => {
    const path = await g.caseSensitivePath(`${base}/EFI/Microsoft/Boot/BCD`);
    const local = join(scratch, "BCD");
    await g.download(path, local, 64 * 1024 * 1024);
    const bcd = Hive.parse(await readFile(local), `BCD ${path}`);
    const def = valueString(bcd.value(["Objects", BOOTMGR, "Elements", "23000003"], "Element"));
    if (!def) return { ok: false, detail: "no default entry" };
    const has = bcd.hasKey(["Objects", def, "Elements", "16000046"]);
    return { ok: !has, detail: has ? `${def} still has element 16000046` : `default entry ${def}` };
  }));
  checks.push(await attempt("EFI/Boot/BOOTX64.EFI is a copy of the Windows boot manager", async () => {
    const a = join(scratch, "bootmgfw");
    const b = join(scratch, "fallback");
    await g.download(await g.caseSensitivePath(`${base}/EFI/Microsoft/Boot/bootmgfw.efi`), a, 64 * 1024 * 1024);
    await g.download(await g.caseSensitivePath(`${base}/EFI/Boot/BOOTX64.EFI`), b, 64 * 1024 * 1024);
    const same = (await readFile(a)).equals(await readFile(b));
    return { ok: same, detail: same ? "identical" : "they differ" };
  }));
  return checks;
}
