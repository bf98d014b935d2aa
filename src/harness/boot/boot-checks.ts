// Pure: judge a boot of the converted guest against the cell's expectations, and the negative
// control (the unconverted guest on virtio), whose boot must NOT reach the report line.
import type { TargetBlockBus } from "../../model/types.js";
import type { BootResult } from "./boot.js";
import type { CheckResult } from "../checks/guest.js";

export interface BootExpect {
  readonly blockBus: TargetBlockBus;
  readonly diskCount: number;
  /** Regex source the kernel release must match. */
  readonly kernel?: string;
  /** The kernel grub's default entry should boot (from the static checks), when known. */
  readonly defaultKernel?: string;
  /** The NIC driver the guest should bind ("virtio_net"); undefined skips. */
  readonly nicDriver?: string;
  /** The kernel console the guest should have ("ttyS0": a Xen guest's hvc0 must have become it); undefined skips. */
  readonly console?: string;
}

export const NEGATIVE_CONTROL_BOOTED = "negative control booted: the boot check cannot fail, so it proves nothing";

const PREFIX: Readonly<Record<TargetBlockBus, string>> = { "virtio-blk": "vd", "virtio-scsi": "sd", sata: "sd", ide: "sd" };

/** The boot's checks: reported at all, then each field of the report. */
export function checkBoot(r: BootResult, e: BootExpect): CheckResult[] {
  const reached: CheckResult = {
    name: "boot: the converted guest reaches the boot-report line",
    ok: r.outcome === "reported",
    detail: r.outcome === "reported"
      ? `after ${r.seconds.toFixed(0)} s: ${r.reportLine ?? ""}`
      : `${r.outcome} after ${r.seconds.toFixed(0)} s${r.failureLine ? `: ${r.failureLine}` : ""}`,
  };
  const rep = r.report;
  if (!rep) return [reached];
  const out: CheckResult[] = [reached];
  const add = (name: string, ok: boolean, detail: string): void => void out.push({ name: `boot: ${name}`, ok, detail });
  // An LVM root is /dev/mapper/...; then the disk list below still proves the bus.
  const rootOnBus = rep.root.startsWith(`/dev/${PREFIX[e.blockBus]}`) || rep.root.startsWith("/dev/mapper/");
  add(`/ is mounted from a ${e.blockBus} disk`, rootOnBus, `root=${rep.root}`);
  const disksOnBus = rep.disks.filter((d) => d.startsWith(PREFIX[e.blockBus]));
  add(`the guest sees ${e.diskCount} ${e.blockBus} disk(s)`, disksOnBus.length === e.diskCount, `disks=${rep.disks.join(",") || "none"}`);
  if (e.blockBus === "virtio-blk") add("virtio_blk is bound", rep.virtioBlk === "bound", `virtio_blk=${rep.virtioBlk}`);
  add("every fstab entry is mounted (swap: active)", rep.fstabOk, rep.fstabOk ? "fstab=ok" : `missing: ${rep.fstabMissing.join(", ") || "?"}`);
  if (e.kernel !== undefined) add(`the kernel matches /${e.kernel}/`, new RegExp(e.kernel).test(rep.kernel), `kernel=${rep.kernel}`);
  if (e.defaultKernel !== undefined) add("the kernel is grub's default entry", rep.kernel === e.defaultKernel, `booted ${rep.kernel}, grub default ${e.defaultKernel}`);
  if (e.console !== undefined) add(`the kernel's console is ${e.console}`, rep.console === e.console, `console=${rep.console ?? "(not reported)"}`);
  if (e.nicDriver !== undefined) add(`the NIC is driven by ${e.nicDriver}`, rep.nicDrivers.includes(e.nicDriver), `nic=${rep.nicDrivers.join(",") || "none"}`);
  return out;
}

/** The negative control's check: ok when the unconverted guest did NOT reach the report line. */
export function checkNegativeControl(r: BootResult): CheckResult {
  if (r.outcome === "reported") return { name: "negative control: the unconverted guest does not boot on virtio", ok: false, detail: `${NEGATIVE_CONTROL_BOOTED} (${r.reportLine ?? ""})` };
  return {
    name: "negative control: the unconverted guest does not boot on virtio",
    ok: true,
    detail: `${r.outcome} after ${r.seconds.toFixed(0)} s${r.failureLine ? `: ${r.failureLine}` : ""}`,
  };
}
