// Pure checks of an external cell (a user's image): the converted guest's NAME.json read by the
// harness's own reader (its inspection block says what v2v found on the image), that finding
// against what the recipe expects, and the boots: the Windows first-boot report on COM1 and the
// negative control of the unconverted image.
import { z } from "zod";
import { parseWindowsBootReport } from "../../converters/windows/firstboot/scripts.js";
import type { ImageFormat } from "../../model/types.js";
import { NEGATIVE_CONTROL_BOOTED } from "../boot/boot-checks.js";
import type { BootResult } from "../boot/boot.js";
import type { ExternalExpect } from "../guests/external.js";
import type { CheckResult } from "./guest.js";

/** What an external cell needs from -o json's NAME.json. */
export interface ConvertedFacts {
  readonly firmware: "bios" | "uefi";
  readonly machine: "pc" | "q35";
  readonly memoryMiB: number;
  readonly vcpus: number;
  /** Target disks in order; a relative path is relative to -os. */
  readonly disks: readonly { readonly path: string; readonly format: ImageFormat }[];
  /** The emulated TPM the target declares. */
  readonly tpm: boolean;
  readonly inspection: ConvertedInspection;
}

/** The source's inspection, as v2v wrote it into NAME.json. */
export interface ConvertedInspection {
  readonly osType: string;
  readonly distro: string;
  readonly major: number;
  readonly minor: number;
  readonly productName: string;
  /** libosinfo id after conversion ("win2k22", "win11", "debian12"). */
  readonly osinfo: string;
  /** The source's own firmware, from its partitioning and bootloader. */
  readonly firmware: "bios" | "uefi";
  /** Installed applications' names. */
  readonly applications: readonly string[];
}

const jsonSchema = z.looseObject({
  firmware: z.enum(["bios", "uefi"]),
  machine: z.enum(["pc", "q35"]),
  memory_bytes: z.number().int().positive(),
  vcpus: z.number().int().positive(),
  disks: z.array(z.looseObject({ path: z.string().min(1), format: z.enum(["raw", "qcow2", "vmdk"]) })).min(1),
  platform: z.looseObject({ tpm: z.boolean() }),
  inspection: z.looseObject({
    os_type: z.string(),
    distro: z.string(),
    major_version: z.number().int(),
    minor_version: z.number().int(),
    product_name: z.string(),
    osinfo: z.string(),
    firmware: z.enum(["bios", "uefi"]),
    applications: z.array(z.looseObject({ name: z.string() })),
  }),
});

/** Pure: the facts of NAME.json; throws a sentence naming the first field that is not as expected. */
export function readConvertedJson(text: string): ConvertedFacts {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`NAME.json is not JSON (${(e as Error).message})`);
  }
  const r = jsonSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`NAME.json: ${i.path.join(".") || "the document"}: ${i.message}`);
  }
  const j = r.data;
  const i = j.inspection;
  return {
    firmware: j.firmware,
    machine: j.machine,
    memoryMiB: j.memory_bytes / (1024 * 1024),
    vcpus: j.vcpus,
    disks: j.disks.map((d) => ({ path: d.path, format: d.format })),
    tpm: j.platform.tpm,
    inspection: {
      osType: i.os_type, distro: i.distro, major: i.major_version, minor: i.minor_version,
      productName: i.product_name, osinfo: i.osinfo, firmware: i.firmware, applications: i.applications.map((a) => a.name),
    },
  };
}

const describeExpect = (e: ExternalExpect): string =>
  [e.osType, e.distro, e.major !== undefined ? `${e.major}${e.minor !== undefined ? `.${e.minor}` : ""}` : undefined, e.productName && `"…${e.productName}…"`]
    .filter((x) => x !== undefined && x !== "")
    .join(" ");

/** Pure: the image holds the OS the recipe says, by v2v's inspection; every stated field is compared. */
export function checkExpectedOs(e: ExternalExpect, i: ConvertedInspection): CheckResult {
  const wrong: string[] = [];
  if (i.osType !== e.osType) wrong.push(`os type is ${i.osType}`);
  if (e.distro !== undefined && i.distro !== e.distro) wrong.push(`distro is ${i.distro}`);
  if (e.major !== undefined && i.major !== e.major) wrong.push(`major version is ${i.major}`);
  if (e.minor !== undefined && i.minor !== e.minor) wrong.push(`minor version is ${i.minor}`);
  if (e.productName !== undefined && !i.productName.toLowerCase().includes(e.productName.toLowerCase())) wrong.push(`product name lacks "${e.productName}"`);
  const found = `${i.osType} ${i.distro} ${i.major}.${i.minor} "${i.productName}" (${i.osinfo})`;
  return {
    name: `the image holds what the recipe expects: ${describeExpect(e)}`,
    ok: wrong.length === 0,
    detail: wrong.length === 0 ? `inspection found ${found}` : `${wrong.join("; ")}: inspection found ${found}; fix the recipe's expect, or its path`,
  };
}

/** Pure: a Windows 11 target gets a TPM; inspection says so by osinfo or product name (v2v's rule, read from its output). */
export const expectsTpm = (i: ConvertedInspection): boolean => i.osType === "windows" && (i.osinfo === "win11" || /\bWindows 11\b/i.test(i.productName));

/** Pure: the VMware Tools were installed on the source (so their uninstall must be scheduled). */
export const hadVmwareTools = (i: ConvertedInspection): boolean => i.applications.some((a) => /vmware tools/i.test(a));

/**
 * Pure: the converted Windows guest's boot. Its first-boot service writes one V2V-BOOT-REPORT line
 * on COM1 after installing the drivers; with virtio drivers, the system disk must be driven by the
 * boot driver v2v registered (viostor, or vioscsi on virtio-scsi); without, by an emulated one.
 */
export function checkWindowsBoot(r: BootResult, o: { readonly bootDriver: "viostor" | "vioscsi" | undefined }): CheckResult[] {
  const report = r.reportLine !== undefined ? parseWindowsBootReport(r.reportLine) : undefined;
  const reached: CheckResult = {
    name: "boot: the converted Windows guest writes its V2V-BOOT-REPORT line on COM1",
    ok: r.outcome === "reported" && report !== undefined,
    detail: r.outcome !== "reported"
      ? `${r.outcome} after ${r.seconds.toFixed(0)} s${r.failureLine ? `: ${r.failureLine}` : ""}`
      : report === undefined
        ? `after ${r.seconds.toFixed(0)} s, a malformed report: ${r.reportLine ?? ""}`
        : `after ${r.seconds.toFixed(0)} s: ${r.reportLine ?? ""}`,
  };
  if (!report) return [reached];
  const disk: CheckResult = o.bootDriver !== undefined
    ? { name: `boot: the system disk is driven by ${o.bootDriver}`, ok: report.disk === o.bootDriver, detail: `disk=${report.disk}` }
    : {
      name: "boot: the system disk is on an emulated controller (no virtio drivers were installed)",
      ok: !["viostor", "vioscsi", "unknown"].includes(report.disk),
      detail: `disk=${report.disk}`,
    };
  return [reached, disk];
}

/** Pure: the first line where qemu itself complains (it could not start, so nothing booted at all). */
export function qemuComplaint(serialLog: string): string | undefined {
  return serialLog.split("\n").map((l) => l.trim()).find((l) => /^qemu-system-\w+: /.test(l) && !/terminating on signal/.test(l));
}

/**
 * Pure: the negative control of an external image: the unconverted source, booted on virtio-blk,
 * must not reach the boot report. A Linux guest gives up on its root device; a Windows guest
 * resets (the INACCESSIBLE_BOOT_DEVICE stop error restarts it, and -no-reboot ends qemu) or stays
 * silent until the bound. If qemu itself could not run, the control showed nothing and fails.
 */
export function checkExternalNegativeControl(r: BootResult, osType: ExternalExpect["osType"], serialLog: string): CheckResult {
  const name = "negative control: the unconverted image does not reach the boot report on virtio";
  const after = `after ${r.seconds.toFixed(0)} s`;
  if (r.outcome === "reported") return { name, ok: false, detail: `${NEGATIVE_CONTROL_BOOTED} (${r.reportLine ?? ""})` };
  const complaint = qemuComplaint(serialLog);
  if (complaint) return { name, ok: false, detail: `qemu did not run the unconverted image, so this shows nothing: ${complaint}` };
  if (r.outcome === "failed") return { name, ok: true, detail: `${after}: ${r.failureLine ?? "failed"}${osType === "windows" ? " (the guest reset: the stop error of a missing boot driver)" : ""}` };
  return { name, ok: true, detail: `no report ${after}, the bound${osType === "windows" ? " (the unconverted Windows has no first-boot service, so no line can come from it)" : ""}` };
}
