// The boot report: a guest-side script that prints one "V2V-BOOT-REPORT k=v ..." line on the
// serial console once the guest is up, and the pure parser the harness reads it back with.

export const BOOT_REPORT_PREFIX = "V2V-BOOT-REPORT";

/** A virtio driver as the booted guest sees it: bound to a device, registered only, or not loaded. */
export type DriverState = "bound" | "loaded" | "absent" | "unknown";

export interface BootReport {
  /** Source of / as findmnt names it: "/dev/sda1", "/dev/vda1", "/dev/mapper/vg0-root". */
  readonly root: string;
  /** uname -r. */
  readonly kernel: string;
  readonly virtioBlk: DriverState;
  readonly virtioNet: DriverState;
  readonly virtioScsi: DriverState;
  /** Every fstab entry (not noauto) is mounted, or for swap, active. */
  readonly fstabOk: boolean;
  /** Mountpoints fstab names that are not mounted, and "swap:SPEC" for swap entries not active. */
  readonly fstabMissing: readonly string[];
  /** The kernel's console (the last console= of its command line, without options): "ttyS0"; "none" when unset. */
  readonly console?: string;
  /** Driver of each NIC ("virtio_net", "e1000"); [] when the guest has none. */
  readonly nicDrivers: readonly string[];
  /** Whole disks the guest sees ("vda", "sda"). */
  readonly disks: readonly string[];
  /** Every key=value of the line, including ones this version does not know. */
  readonly fields: Readonly<Record<string, string>>;
}

const DRIVER_STATES: readonly string[] = ["bound", "loaded", "absent"];
const driverState = (v: string | undefined): DriverState => (v && DRIVER_STATES.includes(v) ? (v as DriverState) : "unknown");
const list = (v: string | undefined): string[] => (!v || v === "none" ? [] : v.split(",").filter((x) => x.length > 0));

/** The report part of the first line holding the prefix (console noise before it is dropped). */
export function findReportLine(text: string): string | undefined {
  for (const raw of text.split("\n")) {
    const at = raw.indexOf(`${BOOT_REPORT_PREFIX} `);
    if (at >= 0) return raw.slice(at).replace(/\r/g, "").trimEnd();
  }
  return undefined;
}

/** Parse a report line; undefined when `line` holds no report or lacks root= and kernel=. */
export function parseBootReport(line: string): BootReport | undefined {
  const report = findReportLine(line);
  if (!report) return undefined;
  const fields: Record<string, string> = {};
  for (const token of report.slice(BOOT_REPORT_PREFIX.length).trim().split(/\s+/)) {
    const eq = token.indexOf("=");
    if (eq > 0) fields[token.slice(0, eq)] = token.slice(eq + 1);
  }
  const root = fields["root"];
  const kernel = fields["kernel"];
  if (!root || !kernel) return undefined;
  const fstab = fields["fstab"] ?? "";
  return {
    root,
    kernel,
    virtioBlk: driverState(fields["virtio_blk"]),
    virtioNet: driverState(fields["virtio_net"]),
    virtioScsi: driverState(fields["virtio_scsi"]),
    fstabOk: fstab === "ok",
    fstabMissing: fstab.startsWith("missing:") ? list(fstab.slice("missing:".length)) : [],
    nicDrivers: list(fields["nic"]),
    disks: list(fields["disks"]),
    ...(fields["console"] !== undefined ? { console: fields["console"] } : {}),
    fields,
  };
}

/** Where the guest-side pieces are installed. */
export const BOOT_REPORT_SCRIPT_PATH = "/usr/local/sbin/v2v-boot-report";
export const BOOT_REPORT_UNIT_NAME = "v2v-boot-report.service";

/**
 * The guest-side script (POSIX sh, util-linux). It waits for udev so the NIC and disk drivers
 * are bound, then writes the whole line with a single echo so console noise cannot split it.
 */
export function renderBootReportScript(): string {
  return `#!/bin/sh
# Prints one ${BOOT_REPORT_PREFIX} line on the serial console: what this boot actually got.
# Installed by the v2v-ts harness in its reference guests; read back by src/harness/boot/boot-report.ts.
udevadm settle --timeout=30 >/dev/null 2>&1 || true
drv() {
  d=/sys/bus/virtio/drivers/$1
  if [ ! -d "$d" ]; then echo absent
  elif ls "$d" | grep -q '^virtio[0-9]'; then echo bound
  else echo loaded; fi
}
missing=
while read -r spec mp type opts rest; do
  case "$spec" in ''|'#'*) continue ;; esac
  case ",$opts," in *,noauto,*) continue ;; esac
  if [ "$type" = swap ]; then
    dev=$(findfs "$spec" 2>/dev/null || readlink -f "$spec")
    swapon --show=NAME --noheadings 2>/dev/null | grep -qx "$(readlink -f "$dev")" || missing="$missing,swap:$spec"
    continue
  fi
  findmnt -n --mountpoint "$mp" >/dev/null 2>&1 || missing="$missing,$mp"
done < /etc/fstab
console=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^console=//p' | tail -n 1 | cut -d, -f1)
if [ -n "$missing" ]; then fstab="missing:\${missing#,}"; else fstab=ok; fi
nic=
for n in /sys/class/net/*; do
  [ -e "$n/device/driver" ] && nic="$nic,$(basename "$(readlink -f "$n/device/driver")")"
done
nic=\${nic#,}
disks=$(lsblk -dn -o NAME -e 7,11 | paste -sd, -)
echo "${BOOT_REPORT_PREFIX} root=$(findmnt -n -o SOURCE /) kernel=$(uname -r) virtio_blk=$(drv virtio_blk) virtio_net=$(drv virtio_net) virtio_scsi=$(drv virtio_scsi) fstab=$fstab nic=\${nic:-none} disks=\${disks:-none} console=\${console:-none}" > /dev/ttyS0
`;
}

/** The systemd unit that runs the script once per boot, after local file systems are up. */
export function renderBootReportUnit(): string {
  return `[Unit]
Description=Print the v2v-ts boot report on the serial console
After=local-fs.target swap.target network.target systemd-udev-trigger.service

[Service]
Type=oneshot
ExecStart=${BOOT_REPORT_SCRIPT_PATH}
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
`;
}

/**
 * Lines that mean this boot cannot reach the report: the initramfs giving up on the root device,
 * a kernel panic, grub's rescue prompt, systemd's emergency mode. Strict phrases only: a loose
 * /initramfs/ would match the kernel's "Unpacking initramfs" line seconds into every boot.
 */
export const BOOT_FAILURE_PATTERNS: readonly RegExp[] = [
  /Gave up waiting for root (file system )?device/,
  /ALERT! .* does not exist/,
  /Kernel panic - not syncing/,
  /grub rescue>/,
  /You are in emergency mode/,
  /Cannot open access to console, the root account is locked/,
  /Failed to start .*v2v-boot-report/,
];

/** The first failure line in `text`, if any. */
export function findFailureLine(text: string, patterns: readonly RegExp[] = BOOT_FAILURE_PATTERNS): string | undefined {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r/g, "");
    if (patterns.some((p) => p.test(line))) return line.trim();
  }
  return undefined;
}
