// Pure: the differences between our Windows conversion and virt-v2v 2.2 that are intended, each
// with its reason, and which differences matter for booting.
//
// A row is explained by the first rule whose area and key pattern match (and, when the rule has
// them, whose ours/theirs patterns match the row's text). Everything else is UNEXPLAINED. A
// row is boot-critical when it touches what Windows needs to find its disk at boot: the boot
// driver's service, the CriticalDeviceDatabase, DriverDatabase\DeviceIds and the stand-in
// package's configuration (which names the service), Select, or the BCD.
import type { Area, DiffRow } from "./diff.js";

export interface KnownDifference {
  readonly id: string;
  readonly area: Area | readonly Area[];
  /** Matched against the row's key (lower-cased registry path, file name or XML facet). */
  readonly key: RegExp;
  readonly ours?: RegExp;
  readonly theirs?: RegExp;
  /** Only for these reference guests (matched against the guest's name). */
  readonly guest?: RegExp;
  readonly reason: string;
}

/** The storage drivers either tool may register to start at boot. */
export const BOOT_DRIVERS = ["viostor", "vioscsi", "virtio_blk", "vrtioblk"] as const;

// Registry keys are lower-cased by flattenHive; "controlset\d{3}" stands for the current control set.
const CCS = String.raw`controlset\d{3}`;

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: "firstboot-service",
    area: "SYSTEM",
    key: new RegExp(String.raw`^${CCS}\\services\\(v2v-firstboot|firstboot)(\\|:)`),
    reason: "each tool registers its own first-boot service: ours is v2v-firstboot (v2vfirstboot.exe, our own program); virt-v2v 2.2's is firstboot (rhsrvany.exe running firstboot.bat)",
  },
  {
    id: "firstboot-folder",
    area: "Firstboot",
    key: /^first-boot folder$/,
    reason: "our first-boot files live in Program Files\\V2V\\Firstboot (v2vfirstboot.exe, scripts\\), virt-v2v's in Program Files\\Guestfs\\Firstboot (rhsrvany.exe, firstboot.bat, scripts\\); the scripts are each tool's own",
  },
  {
    id: "driver-package-name",
    area: "SYSTEM",
    key: /^driverdatabase\\(driverinffiles\\(v2v[a-z0-9_]+|guestor)\.inf|driverpackages\\(v2v[a-z0-9_]+\.inf_v2v|guestor\.inf_tmp)|deviceids\\pci\\ven_1af4&dev_(1001|1042)&subsys_[0-9a-f]{8}&rev_[0-9a-f]{2}:(v2v[a-z0-9_]+|guestor)\.inf)(\\|:|$)/,
    reason: "both register a stand-in DriverDatabase package binding the virtio-blk ids to the boot driver; ours is named v2v<driver>.inf (package v2v<driver>.inf_v2v, configuration v2v<driver>_conf), virt-v2v 2.2's guestor.inf (guestor.inf_tmp, guestor_conf); the same ids point at the same service",
  },
  {
    id: "driver-package-provider",
    area: "SYSTEM",
    key: /^driverdatabase\\driverpackages\\<package>:provider$/,
    ours: /^added SZ "v2v"$/,
    theirs: /^\(not touched\)$/,
    reason: "ours names a Provider (\"v2v\") in its stand-in package, virt-v2v 2.2 none; the device is bound through DeviceIds -> package -> configuration -> Service, which the Provider is no part of",
  },
  {
    id: "driver-package-default",
    area: "SYSTEM",
    key: /^driverdatabase\\driverpackages\\<package>:$/,
    ours: /^added SZ "<inf>"$/,
    theirs: /^\(not touched\)$/,
    reason: "ours also sets the stand-in package key's default value to its .inf name, virt-v2v 2.2 leaves it unset; the binding DeviceIds -> package -> configuration -> Service does not use it",
  },
  {
    id: "devicepath",
    area: "SOFTWARE",
    key: /^microsoft\\windows\\currentversion:devicepath$/,
    ours: /VirtIO/i,
    theirs: /VirtIO/i,
    reason: "both append %SystemRoot%\\Drivers\\VirtIO to DevicePath; ours stores it as REG_EXPAND_SZ as Windows does, the text may differ in separators",
  },
  {
    id: "hyperv-tpm",
    area: "XML",
    key: /^(features|features hyperv|tpm|clock)$/,
    reason: "our -o local XML gives Windows guests Hyper-V enlightenments with their clock (offset localtime, as Windows keeps the RTC, hypervclock timer, no hpet) and, where the target chooses it, a TPM 2.0 (and SMM for a source that had Secure Boot); virt-v2v 2.2 sets none of these",
  },
  {
    id: "secure-boot",
    area: "XML",
    key: /^loader$/,
    ours: /secure=yes/,
    theirs: /secure=-/,
    reason: "the source booted with Secure Boot (its OVF said uefi.secureBoot.enabled): ours keeps it with a secure loader, the Secure Boot OVMF and SMM; virt-v2v 2.2 does not read the key",
  },
  {
    id: "vmware-services",
    area: "SYSTEM",
    key: new RegExp(String.raw`^${CCS}\\services\\(vmci|vm3dmp|vmmemctl|vmhgfs|vmmouse|vmusbmouse|vmrawdsk|vmx_svga|vmxnet|vmxnet3ndis6|vmtools|vmvss|vgauthservice|vsepflt|vnetwfp):start$`),
    ours: /^set DWORD 0x4$/,
    theirs: /^\(not touched\)$/,
    reason: "ours sets Start 4 on VMware Tools' services and drivers at conversion time (their devices are gone on KVM); virt-v2v 2.2 disables only rhelscsi and the prl_* services and leaves VMware's to the first-boot uninstaller",
  },
  {
    id: "osinfo-2k22",
    area: "XML",
    key: /^osinfo$/,
    ours: /\/win\/2k22$/,
    theirs: /\/win\/2k16$/,
    reason: "virt-v2v 2.2's osinfo table has no Server 2022 entry and names build 20348 win/2k16; ours names it win/2k22",
  },
  {
    id: "boot-dev-hd",
    area: "XML",
    key: /^os boot$/,
    ours: /^hd$/,
    theirs: /^\(absent\)$/,
    reason: "equivalent: ours states <boot dev='hd'/>, which is libvirt's default when <os> has no <boot> (virt-v2v 2.2 omits it)",
  },
  {
    id: "2k25-driver-dir",
    area: "VirtIO",
    key: /./,
    theirs: /^absent$/,
    guest: /2025/,
    reason: "Windows Server 2025 (build 26100+): we take the 2k25 driver folder; virt-v2v 2.2 has no 2k25 in its table and falls back to 2k22 or none",
  },
  {
    id: "graphicsmodedisabled",
    area: "BCD",
    key: /\\elements\\16000046(\\|:)/,
    reason: "both remove the default entry's graphicsmodedisabled element (16000046); the tools delete it differently (the whole element key, or only its value)",
  },
  {
    id: "pnp-wait-suppress-ui",
    area: ["SYSTEM", "SOFTWARE"],
    key: /(services\\plugplay\\parameters:suppressui|policies\\microsoft\\windows\\deviceinstall\\settings:suppressnewhwui)$/,
    reason: "virt-v2v 2.2 sets these only on XP/2003 for the length of pnp_wait; our first boot does not",
  },
];

export type Explanation = { readonly explained: true; readonly id: string; readonly reason: string } | { readonly explained: false };

export interface ExplainedRow extends DiffRow {
  readonly explanation: Explanation;
  readonly bootCritical: boolean;
}

const areaMatches = (rule: KnownDifference, area: Area): boolean => (typeof rule.area === "string" ? rule.area === area : rule.area.includes(area));

/** The first known difference that covers the row, if any. */
export function explainRow(row: DiffRow, guest: string, rules: readonly KnownDifference[] = KNOWN_DIFFERENCES): Explanation {
  for (const r of rules) {
    if (!areaMatches(r, row.area) || !r.key.test(row.key)) continue;
    if (r.guest && !r.guest.test(guest)) continue;
    if (r.ours && !r.ours.test(row.ours)) continue;
    if (r.theirs && !r.theirs.test(row.theirs)) continue;
    return { explained: true, id: r.id, reason: r.reason };
  }
  return { explained: false };
}

const BOOT_CRITICAL_SYSTEM = new RegExp(
  String.raw`^(${CCS}\\services\\(${BOOT_DRIVERS.join("|")})(\\|:)|${CCS}\\control\\criticaldevicedatabase\\|driverdatabase\\deviceids\\|driverdatabase\\driverpackages\\<package>\\configurations\\|select(\\|:))`,
);

/** Whether a row touches what the guest needs to find its boot disk. */
export function isBootCritical(row: DiffRow): boolean {
  if (row.area === "BCD") return true;
  return row.area === "SYSTEM" && BOOT_CRITICAL_SYSTEM.test(row.key);
}

/** Every row with its explanation and its boot-criticality. */
export function explainRows(rows: readonly DiffRow[], guest: string, rules: readonly KnownDifference[] = KNOWN_DIFFERENCES): ExplainedRow[] {
  return rows.map((r) => ({ ...r, explanation: explainRow(r, guest, rules), bootCritical: isBootCritical(r) }));
}
