// Pure: render a TargetMeta as a /bin/sh script that boots the guest with qemu (NAME.sh of -o qemu).
//
// The script is run by people and by the boot suite, so it reads two variables at run time:
//   V2V_ACCEL=kvm|tcg  the accelerator; defaults to the one chosen at conversion time. kvm is used
//                      only when /dev/kvm is readable and writable, else the script says so and
//                      uses tcg. (KVM can exist and still be broken, as on the project's machine,
//                      so the default is what host/accel.ts found to really work.)
//   V2V_HEADLESS=1     no display window; the guest's first serial port on stdio.
// The guest sees the same devices either way; only the display backend differs.
import { isAbsolute } from "node:path";
import type { Accel } from "../../host/accel.js";
import type { TargetDisk, TargetMeta, TargetNicModel } from "../../model/types.js";
import { escapeForTerminal } from "../../model/untrusted.js";
import { HYPERV_SPINLOCK_RETRIES } from "../../target/platform.js";
import { GUEST_AGENT_CHANNEL } from "../common/libvirt-xml.js";

export interface QemuScriptOptions {
  readonly version: string;
  /** The accelerator chosen at conversion time: the script's default. */
  readonly accel: Accel;
  /** For UEFI guests: the OVMF code file (the Secure Boot build when meta.secureBoot) and this guest's own copy of the variable store. */
  readonly uefi?: { readonly code: string; readonly vars: string };
  /**
   * Where qemu listens for the QEMU guest agent (a unix socket, created when the script runs);
   * undefined leaves the channel out (see guestAgentSocketFits).
   */
  readonly guestAgentSocket?: string;
}

/** The longest path a unix socket may have on Linux (sun_path is 108 bytes with its NUL). */
export const UNIX_SOCKET_PATH_MAX_BYTES = 107;

/** Whether qemu can listen on `path`: a longer one would make qemu refuse to start. */
export const guestAgentSocketFits = (path: string): boolean => Buffer.byteLength(path) <= UNIX_SOCKET_PATH_MAX_BYTES;

/** Quote a string for /bin/sh: single quotes, with each ' written as '\''. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Escape a value inside a qemu option string, where ',' separates keys (a literal comma is ',,'). */
export const qemuOptValue = (s: string): string => s.replace(/,/g, ",,");

/**
 * A host path as a qemu option value. Only absolute paths: qemu reads "nbd:...", "json:..." and
 * other "PROTOCOL:" prefixes as protocols, which an absolute path can never start with.
 */
function qemuPathValue(path: string, what: string): string {
  if (!isAbsolute(path)) throw new Error(`renderQemuScript: ${what} ${JSON.stringify(path)} is not an absolute path`);
  return qemuOptValue(path);
}

/** The only MAC shape that may reach `-device ...,mac=` (inputs normalise MACs; this is the last check). */
const CANONICAL_MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

const NIC_DEVICE: Readonly<Record<TargetNicModel, string>> = { "virtio-net": "virtio-net-pci", e1000: "e1000", rtl8139: "rtl8139" };

/** q35's built-in AHCI controller is "ide" with 6 ports; further disks go on added AHCI controllers. */
const AHCI_PORTS = 6;

/** qemu arguments for one disk: the drive, its controller when one must be added, and the device. */
export function diskArgs(d: TargetDisk, position: number): string[][] {
  if (d.path === undefined) throw new Error(`renderQemuScript: disk ${d.index} has no target path`);
  const id = `drive-${position}`;
  const drive = ["-drive", `file=${qemuPathValue(d.path, `disk ${d.index}'s path`)},format=${d.format},if=none,id=${id},media=disk`];
  const boot = `bootindex=${position + 1}`;
  switch (d.bus) {
    case "virtio-blk":
      return [drive, ["-device", `virtio-blk-pci,drive=${id},${boot}`]];
    case "virtio-scsi": {
      // One virtio-scsi controller for all disks (they share a bus), each disk a LUN on it.
      const controller = position === 0 ? [["-device", "virtio-scsi-pci,id=scsi0"]] : [];
      return [drive, ...controller, ["-device", `scsi-hd,drive=${id},bus=scsi0.0,lun=${position},${boot}`]];
    }
    case "ide":
      // i440fx's PIIX: buses ide.0 and ide.1, two units each (hda hdb / hdc hdd).
      return [drive, ["-device", `ide-hd,drive=${id},bus=ide.${Math.floor(position / 2)},unit=${position % 2},${boot}`]];
    case "sata": {
      const controller = Math.floor(position / AHCI_PORTS);
      const port = position % AHCI_PORTS;
      const bus = controller === 0 ? "ide" : `ahci${controller}`;
      const extra = controller > 0 && port === 0 ? [["-device", `ahci,id=${bus}`]] : [];
      return [drive, ...extra, ["-device", `ide-hd,drive=${id},bus=${bus}.${port},${boot}`]];
    }
  }
}

/**
 * The guest agent's channel: a virtio-serial port named as qemu-ga expects, on a unix socket qemu
 * listens on without waiting for a client. Harmless to a guest without the virtio-serial driver.
 */
function guestAgentArgs(socket: string): string[][] {
  if (!guestAgentSocketFits(socket)) throw new Error(`renderQemuScript: the guest agent socket ${JSON.stringify(socket)} is longer than ${UNIX_SOCKET_PATH_MAX_BYTES} bytes`);
  return [
    ["-device", "virtio-serial-pci,id=virtio-serial0"],
    ["-chardev", `socket,id=qga0,path=${qemuPathValue(socket, "the guest agent socket")},server=on,wait=off`],
    ["-device", `virtserialport,bus=virtio-serial0.0,chardev=qga0,name=${GUEST_AGENT_CHANNEL}`],
  ];
}

/** The fixed part of the command line: everything except the accelerator and the display. */
export function qemuArgs(meta: TargetMeta, uefi: QemuScriptOptions["uefi"], guestAgentSocket?: string): string[][] {
  if (meta.secureBoot && (meta.firmware !== "uefi" || meta.machine !== "q35")) {
    throw new Error("renderQemuScript: Secure Boot needs UEFI on q35 (target/meta.ts decides it only then)");
  }
  const lines: string[][] = [
    ["-no-user-config", "-nodefaults"],
    // "guest=" is explicit: a bare value with "=" in it would be read as a key by qemu.
    ["-name", `guest=${qemuOptValue(meta.name)}`],
    // The Secure Boot build of OVMF stops at once without SMM.
    ["-machine", meta.secureBoot ? `${meta.machine},smm=on` : meta.machine],
    ["-m", String(Math.ceil(meta.memoryBytes / (1024 * 1024)))],
  ];
  const t = meta.cpuTopology;
  lines.push(["-smp", t ? `${meta.vcpus},sockets=${t.sockets},cores=${t.coresPerSocket},threads=${t.threadsPerCore}` : String(meta.vcpus)]);
  if (meta.firmware === "uefi") {
    if (!uefi) throw new Error("renderQemuScript: a UEFI guest needs the OVMF code and vars files (options.uefi)");
    lines.push(["-drive", `if=pflash,format=raw,unit=0,readonly=on,file=${qemuPathValue(uefi.code, "the OVMF code file")}`]);
    lines.push(["-drive", `if=pflash,format=raw,unit=1,file=${qemuPathValue(uefi.vars, "the OVMF vars file")}`]);
    // Only code running in SMM may then write the variable store, so the guest cannot turn Secure Boot off behind the firmware's back.
    if (meta.secureBoot) lines.push(["-global", "driver=cfi.pflash01,property=secure,value=on"]);
  }
  meta.disks.forEach((d, position) => lines.push(...diskArgs(d, position)));
  meta.nics.forEach((n, i) => {
    if (n.mac !== undefined && !CANONICAL_MAC.test(n.mac)) throw new Error(`renderQemuScript: NIC ${i} has MAC ${JSON.stringify(n.mac)}, not six hex pairs`);
    const mac = n.mac !== undefined ? `,mac=${n.mac}` : "";
    lines.push(["-netdev", `user,id=net${i}`], ["-device", `${NIC_DEVICE[n.model]},netdev=net${i}${mac}`]);
  });
  if (meta.guestcaps.virtioRng) {
    lines.push(["-object", "rng-random,id=rng0,filename=/dev/urandom"], ["-device", "virtio-rng-pci,rng=rng0"]);
  }
  if (meta.guestcaps.virtioBalloon) lines.push(["-device", "virtio-balloon"]);
  if (guestAgentSocket !== undefined) lines.push(...guestAgentArgs(guestAgentSocket));
  if (meta.platform.clock === "localtime") lines.push(["-rtc", "base=localtime"]);
  lines.push(["-vga", "std"]);
  return lines;
}

/**
 * The Hyper-V enlightenments as -cpu flags (",hv-relaxed,..."), or "". qemu offers them only
 * with KVM, so the script adds them to the kvm branch; under tcg the guest runs without them.
 */
export function hypervCpuFlags(meta: TargetMeta): string {
  const flags = meta.platform.hyperv.map((f) => (f === "spinlocks" ? `hv-spinlocks=0x${HYPERV_SPINLOCK_RETRIES.toString(16)}` : `hv-${f}`));
  // hv-time is the reference TSC page that libvirt's hypervclock timer turns on.
  return flags.length > 0 ? `,${[...flags, "hv-time"].join(",")}` : "";
}

/** Render the script. Paths and names are shell-quoted; qemu option commas are doubled. */
export function renderQemuScript(meta: TargetMeta, options: QemuScriptOptions): string {
  const args = qemuArgs(meta, options.uefi, options.guestAgentSocket);
  // A shell word cannot carry NUL; inputs refuse it, so one here is a programming error.
  for (const word of [meta.name, ...args.flat()]) {
    if (word.includes("\0")) throw new Error(`renderQemuScript: ${JSON.stringify(word)} contains a NUL character`);
  }
  const self = shellQuote(`${meta.name}.sh`);
  // A name is data: control characters (escaped here) must not end the comment line and start a command.
  const printableName = escapeForTerminal(meta.name);
  const fixed = args.map((words) => `  ${words.map(shellQuote).join(" ")} \\`).join("\n");
  return `#!/bin/sh -
# generated by v2v-ts ${options.version}: boots the converted guest ${printableName} with qemu.
#   V2V_ACCEL=kvm|tcg  accelerator (default ${options.accel}, chosen at conversion time); kvm needs a usable /dev/kvm
#   V2V_HEADLESS=1     no display: the serial console on stdio
set -e

accel=\${V2V_ACCEL:-${options.accel}}
case "$accel" in
  kvm)
    if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
      set -- -accel kvm -cpu host${hypervCpuFlags(meta)}
    else
      printf '%s: /dev/kvm is not usable; using tcg\\n' ${self} >&2
      set -- -accel tcg
    fi ;;
  tcg) set -- -accel tcg ;;
  *) printf "%s: V2V_ACCEL must be kvm or tcg, not '%s'\\n" ${self} "$accel" >&2; exit 2 ;;
esac

${meta.platform.tpm ? "# This guest expects a TPM 2.0 (Windows 11); add one with swtpm (-chardev socket,id=chrtpm,path=SOCK\n#   -tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-crb,tpmdev=tpm0).\n" : ""}if [ "\${V2V_HEADLESS:-0}" = 1 ]; then
  set -- "$@" -display none -serial stdio
fi

exec qemu-system-x86_64 \\
${fixed}
  "$@"
`;
}
