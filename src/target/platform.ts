// Pure: what the target's virtual platform offers a guest beyond its buses: the clock, Hyper-V
// enlightenments and a TPM. Every output writes these from TargetMeta.platform.
//
// - Windows keeps its RTC in local time; every other OS expects UTC.
// - Windows runs markedly better with Hyper-V enlightenments (paravirtual spinlocks, APIC,
//   timers, SynIC): KubeVirt and Proxmox enable them for Windows guests; virt-v2v 2.2 does not.
// - Windows 11 requires TPM 2.0 (its setup and feature updates check for it), so a converted
//   Windows 11 guest gets an emulated TPM 2.0.
import type { Inspection } from "../model/types.js";

/** The Hyper-V enlightenments given to Windows guests, by their libvirt names. */
export const HYPERV_FEATURES = ["relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "reset", "frequencies"] as const;
export type HypervFeature = (typeof HYPERV_FEATURES)[number];

/** Spinlock retries before a guest notifies the hypervisor (0x1fff, the value libvirt and KubeVirt use). */
export const HYPERV_SPINLOCK_RETRIES = 8191;

export interface TargetPlatform {
  readonly clock: "localtime" | "utc";
  /** Enlightenments to enable; empty for non-Windows guests. */
  readonly hyperv: readonly HypervFeature[];
  /** An emulated TPM 2.0. */
  readonly tpm: boolean;
}

export function isWindows11(i: Pick<Inspection, "osType" | "osinfo" | "productName">): boolean {
  return i.osType === "windows" && (i.osinfo === "win11" || /\bWindows 11\b/i.test(i.productName));
}

export function decidePlatform(i: Pick<Inspection, "osType" | "osinfo" | "productName" | "majorVersion">): TargetPlatform {
  const windows = i.osType === "windows";
  return {
    clock: windows ? "localtime" : "utc",
    // The enlightenments need Windows Vista / 2008 (NT 6.0) or later.
    hyperv: windows && i.majorVersion >= 6 ? HYPERV_FEATURES : [],
    tpm: isWindows11(i),
  };
}
