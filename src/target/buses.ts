// Pure decisions about the target hardware: firmware, machine type, disk bus and NIC model.
//
// Rules (x86_64 only):
// - Firmware: what the source declares wins; "unknown" (e.g. -i disk) defers to inspection.
// - Machine: q35 for UEFI guests and for every OS that knows q35 (ICH9 AHCI, PCIe). i440fx ("pc")
//   for OSes older than q35 (same table as virt-v2v: Debian family < 4, RHEL family <= 4,
//   SLES < 10, Windows NT < 6), and for BIOS guests without virtio whose source disks were all on
//   IDE: on pc they keep the PIIX IDE controller whose driver (ata_piix) already booted them.
//   pc has only 4 IDE slots, so more than 4 such disks go to q35/sata instead.
// - Disks: virtio-scsi when the guest was set up to boot from it (Windows with --block-driver
//   virtio-scsi), else virtio-blk when the guest has virtio_blk; otherwise sata on q35, ide on pc.
// - NIC: virtio-net when the guest has virtio_net; otherwise e1000, which every OS since 2003
//   drives, except Windows NT 5 (XP, 2003), whose in-box driver is for the rtl8139.
import { DEBIAN_FAMILY, RHEL_FAMILY, SUSE_FAMILY } from "../model/os-families.js";
import type {
  Firmware, GuestCaps, GuestDriverSupport, Inspection, Source, MachineType, SourceController, TargetBlockBus, TargetNicModel,
} from "../model/types.js";
import { deviceName } from "./disk-names.js";


export interface GuestCapsInput {
  readonly drivers: GuestDriverSupport;
  /** The target firmware, from decideTargetFirmware. */
  readonly firmware: "bios" | "uefi";
  readonly inspection: Pick<Inspection, "osType" | "distro" | "majorVersion">;
  /** The source controller of each disk, in disk order (undefined when the metadata names none). */
  readonly sourceControllers: readonly (SourceController | undefined)[];
}

/** The slots an i440fx machine offers on its PIIX IDE controller (2 buses x 2 units). */
export const PC_IDE_SLOTS = 4;

/** Source firmware wins unless it is unknown; then what inspection found in the guest. */
export function decideTargetFirmware(source: Firmware, inspected: "bios" | "uefi"): "bios" | "uefi" {
  return source === "unknown" ? inspected : source;
}

/** True for operating systems released before q35 existed, which may lack its drivers. */
export function osPredatesQ35(os: Pick<Inspection, "osType" | "distro" | "majorVersion">): boolean {
  if (os.osType === "windows") return os.majorVersion < 6;
  if (DEBIAN_FAMILY.has(os.distro)) return os.distro === "debian" && os.majorVersion < 4;
  if (RHEL_FAMILY.has(os.distro)) return os.majorVersion <= 4;
  if (SUSE_FAMILY.has(os.distro)) return os.distro === "sles" && os.majorVersion < 10;
  return false;
}

/** True when every disk whose controller is known was on IDE, and at least one is known. */
function sourceDisksOnIde(controllers: readonly (SourceController | undefined)[]): boolean {
  const known = controllers.filter((c): c is SourceController => c !== undefined);
  return known.length > 0 && known.every((c) => c === "ide");
}

/** The qemu machine type for a guest (see the rules at the top of this file). */
export function chooseMachine(input: GuestCapsInput): MachineType {
  if (input.firmware === "uefi") return "q35";
  if (osPredatesQ35(input.inspection)) return "pc";
  if (input.drivers.virtioBlk || input.drivers.virtioScsi) return "q35";
  const fitsOnPcIde = input.sourceControllers.length <= PC_IDE_SLOTS;
  return sourceDisksOnIde(input.sourceControllers) && fitsOnPcIde ? "pc" : "q35";
}

/** True for the buses that need virtio drivers in the guest. */
export const isVirtioBus = (bus: TargetBlockBus): boolean => bus === "virtio-blk" || bus === "virtio-scsi";

/** The block bus for the guest's disks on the target. */
export function chooseBlockBus(drivers: Pick<GuestDriverSupport, "virtioBlk" | "virtioScsi">, machine: MachineType): TargetBlockBus {
  if (drivers.virtioScsi) return "virtio-scsi";
  if (drivers.virtioBlk) return "virtio-blk";
  return machine === "q35" ? "sata" : "ide";
}

export function chooseNicModel(virtioNet: boolean, os: Pick<Inspection, "osType" | "majorVersion">): TargetNicModel {
  if (virtioNet) return "virtio-net";
  return os.osType === "windows" && os.majorVersion < 6 ? "rtl8139" : "e1000";
}

/** Everything the target can offer this guest, from the drivers its boot kernel has. */
export function chooseGuestCaps(input: GuestCapsInput): GuestCaps {
  const { drivers } = input;
  const machine = chooseMachine(input);
  return {
    blockBus: chooseBlockBus(drivers, machine),
    nicModel: chooseNicModel(drivers.virtioNet, input.inspection),
    machine,
    virtioDrivers: (drivers.virtioBlk || drivers.virtioScsi === true) && drivers.virtioNet,
    virtioRng: drivers.virtioRng,
    virtioBalloon: drivers.virtioBalloon,
    acpi: true,
  };
}

/** The caps of a converted guest: its drivers, the source's disks and firmware, and what inspection found. */
export function guestCapsFor(drivers: GuestDriverSupport, source: Pick<Source, "firmware" | "disks">, insp: Inspection): GuestCaps {
  return chooseGuestCaps({
    drivers,
    firmware: decideTargetFirmware(source.firmware, insp.firmware),
    inspection: insp,
    sourceControllers: source.disks.map((d) => d.controller),
  });
}

/** Guest device names for `count` disks on one bus, in disk order: vda, vdb ... / sda ... / hda ... */
export function deviceNamesForBus(bus: TargetBlockBus, count: number): string[] {
  return Array.from({ length: count }, (_, i) => deviceName(bus, i));
}
