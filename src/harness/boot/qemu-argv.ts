// Pure: the qemu command line that boots a test VM inside the runner container: TCG, serial
// console on stdout, every drive with snapshot=on so the disk under test is never written.

/** Buses a test VM can put a disk on. "ide" means the machine's IDE (or, on q35, its AHCI). */
export type BootBus = "virtio-blk" | "virtio-scsi" | "sata" | "ide";
export type BootNic = "virtio-net" | "e1000" | "rtl8139" | "none";

export interface QemuDrive {
  /** Path inside the container. */
  readonly path: string;
  readonly format: "raw" | "qcow2" | "vmdk";
  readonly bus: BootBus;
  /**
   * The image is these bytes of the file (a disk inside an OVA, read in place): qemu gets a raw
   * window under the format driver, as v2v's own -i ova does. Sizes are whole sectors.
   */
  readonly window?: { readonly offsetBytes: number; readonly sizeBytes: number };
}

export interface QemuMachine {
  readonly drives: readonly QemuDrive[];
  readonly firmware: "bios" | "uefi";
  readonly machine: "pc" | "q35";
  readonly nic: BootNic;
  readonly memoryMiB: number;
  readonly vcpus: number;
  /** OVMF code and variable-store template inside the container (UEFI only). */
  readonly ovmf?: { readonly code: string; readonly vars: string };
  /**
   * Let the guest restart (default: -no-reboot, a reset ends qemu). Windows restarts during its
   * first boot on new hardware; a converted Windows guest halts on a stop error (AutoReboot=0),
   * so allowing resets cannot turn a crash into a loop.
   */
  readonly reboot?: boolean;
}

/** OVMF as Debian's ovmf package installs it in the runner image (4 MiB layout, no secure boot). */
export const CONTAINER_OVMF = { code: "/usr/share/OVMF/OVMF_CODE_4M.fd", vars: "/usr/share/OVMF/OVMF_VARS_4M.fd" } as const;

/** qemu -drive option values are comma-separated: a comma in a path is written twice. */
const escapeOpt = (v: string): string => v.replace(/,/g, ",,");

const NIC_DEVICE: Record<Exclude<BootNic, "none">, string> = { "virtio-net": "virtio-net-pci", e1000: "e1000", rtl8139: "rtl8139" };

/** The device options for drive i on its bus. */
function diskDevice(d: QemuDrive, i: number, machine: QemuMachine["machine"]): string[] {
  const drive = `drive=disk${i},bootindex=${i}`;
  switch (d.bus) {
    case "virtio-blk":
      return ["-device", `virtio-blk-pci,${drive}`];
    case "virtio-scsi":
      return ["-device", `scsi-hd,bus=scsi0.0,${drive}`];
    case "ide":
      // pc: PIIX IDE, two buses of master/slave; q35 has no IDE, its AHCI ports are named ide.N.
      return machine === "pc"
        ? ["-device", `ide-hd,bus=ide.${Math.floor(i / 2)},unit=${i % 2},${drive}`]
        : ["-device", `ide-hd,bus=ide.${i},${drive}`];
    case "sata":
      return ["-device", `ide-hd,bus=${machine === "pc" ? "ahci0." : "ide."}${i},${drive}`];
  }
}

/** Pure: argv for qemu-system-x86_64 (argv[0] included). */
export function buildQemuArgv(m: QemuMachine): string[] {
  const argv = [
    "qemu-system-x86_64", "-accel", "tcg", "-machine", m.machine, "-m", String(m.memoryMiB), "-smp", String(m.vcpus),
    "-nodefaults", "-display", "none", "-serial", "stdio", ...(m.reboot ? [] : ["-no-reboot"]),
  ];
  if (m.firmware === "uefi") {
    const ovmf = m.ovmf ?? CONTAINER_OVMF;
    argv.push("-drive", `if=pflash,format=raw,unit=0,readonly=on,file=${escapeOpt(ovmf.code)}`);
    // The variable store is written by the firmware at every boot: a snapshot keeps the template clean.
    argv.push("-drive", `if=pflash,format=raw,unit=1,snapshot=on,file=${escapeOpt(ovmf.vars)}`);
  }
  if (m.machine === "pc" && m.drives.some((d) => d.bus === "sata")) argv.push("-device", "ahci,id=ahci0");
  if (m.drives.some((d) => d.bus === "virtio-scsi")) argv.push("-device", "virtio-scsi-pci,id=scsi0");
  m.drives.forEach((d, i) => {
    const image = d.window
      ? `driver=${d.format},file.driver=raw,file.offset=${d.window.offsetBytes},file.size=${d.window.sizeBytes},file.file.driver=file,file.file.filename=${escapeOpt(d.path)}`
      : `file=${escapeOpt(d.path)},format=${d.format}`;
    argv.push("-drive", `${image},if=none,id=disk${i},snapshot=on`);
    argv.push(...diskDevice(d, i, m.machine));
  });
  if (m.nic !== "none") {
    // User-mode networking with restrict=on: the guest gets DHCP but reaches nothing outside.
    argv.push("-netdev", "user,id=net0,restrict=on", "-device", `${NIC_DEVICE[m.nic]},netdev=net0`);
  }
  return argv;
}
