// The data model of a conversion, from the source a user names to the target's metadata.
//
// Read this file first: every stage takes and returns these records. The flow is
//
//   Source (from an input module: what the other hypervisor said about the guest)
//     -> overlays (one protective qcow2 per source disk; conversion writes only there)
//     -> Inspection (what libguestfs found inside the guest)
//     -> ConversionResult (what the converter changed, and what the guest can now drive)
//     -> TargetMeta (what the output module writes: buses, firmware, disks on the target)
//
// Conventions: sizes are bytes, times are seconds, every "unknown" case is explicit.

// ---------------------------------------------------------------------------------------
// Closed sets
// ---------------------------------------------------------------------------------------

/** An input mode's name (`-i`). The modes themselves are listed in src/pipeline/registry.ts only. */
export type InputMode = string;

/** An output mode's name (`-o`); see src/pipeline/registry.ts. */
export type OutputMode = string;

/** Disk image formats we read. `vmdk` covers monolithicSparse, streamOptimized and flat descriptors. */
export type ImageFormat = "raw" | "qcow2" | "vmdk";

/** Formats we write to the target (`-of`). */
export type TargetFormat = "raw" | "qcow2";

/** `-oa`: sparse (default) or fully preallocated target disks. */
export type Allocation = "sparse" | "preallocated";

/** Firmware. `unknown` only on the source side (e.g. `-i disk`); inspection then decides. */
export type Firmware = "bios" | "uefi" | "unknown";

/** The controller a disk hangs off on the source hypervisor, when the metadata says so. */
export type SourceController = "ide" | "sata" | "scsi" | "nvme" | "virtio-blk";

/** Block bus on the target. virtio-blk and virtio-scsi need virtio drivers in the guest; sata/ide do not. */
export type TargetBlockBus = "virtio-blk" | "virtio-scsi" | "sata" | "ide";

/**
 * `--block-driver`: the virtio disk driver a Windows guest is set up to boot from (virtio-blk's
 * viostor, or virtio-scsi's vioscsi). Linux guests always get virtio-blk.
 */
export type BlockDriver = "virtio-blk" | "virtio-scsi";

/** NIC model on the target. e1000 is the emulated fallback every OS knows. */
export type TargetNicModel = "virtio-net" | "e1000" | "rtl8139";

/** qemu machine type. i440fx ("pc") is chosen for BIOS guests whose OS may predate q35. */
export type MachineType = "pc" | "q35";

/** `--root`: how to choose among several operating systems on the source disks. */
export type RootChoice =
  | { readonly kind: "ask" }
  | { readonly kind: "single" }
  | { readonly kind: "first" }
  | { readonly kind: "device"; readonly device: string };

// ---------------------------------------------------------------------------------------
// Source: what the input module read from the other hypervisor's metadata
// ---------------------------------------------------------------------------------------

export interface SourceDisk {
  /** 0-based position; target disk names derive from it (index 0 -> NAME-sda). */
  readonly index: number;
  /** How qemu reaches this disk's bytes, as checked by the input (see SourceImage). */
  readonly image: SourceImage;
  /** Where the user can find this disk, for messages (e.g. "guest.ova:guest-disk1.vmdk"). */
  readonly displayName: string;
  /** The source controller, when the metadata names one (OVF, VMX, libvirt XML). */
  readonly controller?: SourceController;
  /** Guest-visible size, when known before opening; the overlay's virtual size is authoritative. */
  readonly virtualSizeBytes?: number;
}

/**
 * A source disk is either ready for qemu, or still compressed inside the source (a gzip member of
 * an OVA). A compressed disk is inflated only after `--print-source` has returned, by the
 * pipeline, up to `limitBytes`, and then checked like any other image.
 */
export type SourceImage = CheckedSourceImage | CompressedSourceImage;

export interface CheckedSourceImage {
  readonly kind: "checked";
  /**
   * What qemu opens, read-only, as the backing file of the protective overlay: a `json:{...}`
   * pseudo-filename naming the format, the protocol and the whole backing chain explicitly,
   * built by src/inputs/image/check-image.ts after every file it names was checked. Never a
   * plain path: qemu would probe the format and follow the references inside the image.
   */
  readonly qemuUri: string;
  /** Format of the top image. */
  readonly format: ImageFormat;
  /** Every image qemu will open for this disk, top first (--print-source lists it). */
  readonly chain: readonly ChainLink[];
  /** The guest-visible size, as qemu reads the top image. */
  readonly virtualSizeBytes: number;
}

export interface CompressedSourceImage {
  readonly kind: "gzip";
  /** The compressed bytes: a whole file, or a window inside a tar. */
  readonly path: string;
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  /** Inflating stops with an error past this many bytes (the declared size plus a margin); undefined: only free space limits it. */
  readonly limitBytes?: number;
}

/** One image of a disk's backing chain, top first. */
export interface ChainLink {
  readonly label: string;
  readonly format: ImageFormat;
  /** VMDK descriptors: the extent files, as the descriptor names them. */
  readonly extents?: readonly string[];
}

export interface SourceNic {
  /** MAC address, lower case `aa:bb:cc:dd:ee:ff`, when the source names one. */
  readonly mac?: string;
  /** The model on the source (e1000, vmxnet3, ...), lower case, when named. */
  readonly sourceModel?: string;
  /** Network or bridge name on the source side. */
  readonly networkName: string;
  readonly vnetType: "network" | "bridge";
}

export interface CpuTopology {
  readonly sockets: number;
  readonly coresPerSocket: number;
  readonly threadsPerCore: number;
}

export interface Source {
  /** Guest name; `-on` overrides it for the target. */
  readonly name: string;
  /** The hypervisor the guest comes from, as far as the input can tell. */
  readonly hypervisor: "vmware" | "kvm" | "xen" | "virtualbox" | "hyperv" | "unknown";
  readonly memoryBytes: number;
  readonly vcpus: number;
  readonly cpuTopology?: CpuTopology;
  /** Firmware the source declares; `unknown` means "decide from inspection". */
  readonly firmware: Firmware;
  /**
   * Whether the source booted with UEFI Secure Boot, when its metadata says (VMware's
   * `uefi.secureBoot.enabled`); undefined when it does not (-i disk). Only meaningful with uefi.
   */
  readonly secureBoot?: boolean;
  readonly disks: readonly SourceDisk[];
  readonly nics: readonly SourceNic[];
  /** Number of CD-ROM/floppy devices the source had; they are reported, not converted. */
  readonly removableCount: number;
}

// ---------------------------------------------------------------------------------------
// Inspection: what libguestfs found inside the guest (on the overlay)
// ---------------------------------------------------------------------------------------

export interface InstalledApp {
  readonly name: string;
  /** Full version string as the package manager reports it (epoch:version-release). */
  readonly version: string;
}

export interface Mountpoint {
  /** Guest path, e.g. "/" or "/boot". */
  readonly mountpoint: string;
  /** Device as seen inside the libguestfs appliance, e.g. "/dev/sda1" or "/dev/vg0/root". */
  readonly device: string;
}

export interface Inspection {
  /** Root filesystem device, as seen inside the appliance. */
  readonly root: string;
  /** libguestfs inspect-get-type: "linux", "windows", ... */
  readonly osType: string;
  /** libguestfs inspect-get-distro: "debian", "ubuntu", "fedora", "windows", ... */
  readonly distro: string;
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly productName: string;
  /** "x86_64", "i386", ... */
  readonly arch: string;
  /** libosinfo short id, e.g. "debian12"; "unknown" when libguestfs cannot tell. */
  readonly osinfo: string;
  /** "deb", "rpm", ... or "unknown". */
  readonly packageFormat: string;
  /** "apt", "dnf", "yum", ... or "unknown". */
  readonly packageManagement: string;
  /** Sorted so that parents come before children ("/" before "/boot"). */
  readonly mountpoints: readonly Mountpoint[];
  readonly applications: readonly InstalledApp[];
  /** Firmware the guest boots with, from its bootloader and partitioning (an ESP means uefi). */
  readonly firmware: "bios" | "uefi";
  /** What libguestfs says of a Windows root (undefined for every other OS). */
  readonly windows?: WindowsInspection;
}

/** libguestfs' facts about a Windows root; paths are guest paths as spelled on the disk. */
export interface WindowsInspection {
  /** inspect-get-windows-systemroot: "/Windows". */
  readonly systemRoot: string;
  /** inspect-get-windows-current-control-set: "ControlSet001". */
  readonly currentControlSet: string;
  /** inspect-get-product-variant: "Client", "Server" (or "unknown"). */
  readonly productVariant: string;
  /** inspect-get-windows-system-hive / -software-hive: "/Windows/System32/config/SYSTEM". */
  readonly systemHive: string;
  readonly softwareHive: string;
}

// ---------------------------------------------------------------------------------------
// Conversion: what the guest can drive after conversion
// ---------------------------------------------------------------------------------------

export interface GuestCaps {
  readonly blockBus: TargetBlockBus;
  readonly nicModel: TargetNicModel;
  readonly machine: MachineType;
  /** True when the guest has virtio_blk and virtio_net for the kernel it will boot. */
  readonly virtioDrivers: boolean;
  readonly virtioRng: boolean;
  readonly virtioBalloon: boolean;
  readonly acpi: boolean;
}

/** Which virtio drivers the guest can use once converted (for Linux: the kernel it will boot has them). */
export interface GuestDriverSupport {
  readonly virtioBlk: boolean;
  /** The guest boots from a virtio-scsi disk (Windows with `--block-driver virtio-scsi`). */
  readonly virtioScsi?: boolean;
  readonly virtioNet: boolean;
  readonly virtioRng: boolean;
  readonly virtioBalloon: boolean;
}

/** What a converter returns: the drivers the guest now has, and what it changed. */
export interface ConverterOutcome {
  readonly drivers: GuestDriverSupport;
  /** Kernel version the bootloader's default entry now boots ("6.1.0-13-amd64"), when Linux. */
  readonly defaultKernel?: string;
  /**
   * The libosinfo id the converter determined when it is more precise than inspection's
   * (Windows 11 and Server 2025 told apart by their build number, which libguestfs 1.48 does not).
   */
  readonly osinfo?: string;
  /** Human-readable list of what was changed, for -v and for the json output. */
  readonly changes: readonly string[];
  /** Warnings already printed; kept for machine consumers (json output, harness). */
  readonly warnings: readonly string[];
}

/** The converter's outcome with what the target decided from it (src/target/buses.ts). */
export interface ConversionResult extends ConverterOutcome {
  /** The converter that ran ("linux"). */
  readonly converter: string;
  readonly guestcaps: GuestCaps;
}

// ---------------------------------------------------------------------------------------
// Target: what the output module writes
// ---------------------------------------------------------------------------------------

export interface TargetDisk {
  readonly index: number;
  /** Absolute path of the file written on the target (undefined for -o null). */
  readonly path?: string;
  readonly format: TargetFormat;
  readonly bus: TargetBlockBus;
  /** Guest device name on the target bus: vda, sda, hda ... */
  readonly deviceName: string;
  readonly virtualSizeBytes: number;
}

export interface TargetNic {
  readonly mac?: string;
  readonly model: TargetNicModel;
  readonly networkName: string;
  readonly vnetType: "network" | "bridge";
}

export interface TargetMeta {
  readonly name: string;
  readonly memoryBytes: number;
  readonly vcpus: number;
  readonly cpuTopology?: CpuTopology;
  readonly firmware: "bios" | "uefi";
  /**
   * Present (true) only when the firmware is uefi and the source booted with Secure Boot: the
   * outputs then give the guest the Secure Boot OVMF with Microsoft's keys enrolled, and SMM.
   */
  readonly secureBoot?: true;
  readonly machine: MachineType;
  readonly disks: readonly TargetDisk[];
  readonly nics: readonly TargetNic[];
  readonly guestcaps: GuestCaps;
  readonly inspection: Inspection;
  /** Clock, Hyper-V enlightenments and TPM (src/target/platform.ts). */
  readonly platform: {
    readonly clock: "localtime" | "utc";
    readonly hyperv: readonly string[];
    readonly tpm: boolean;
  };
  /** Which hypervisor the guest came from (labels such as KubeVirt's libguestfs.org/source). */
  readonly sourceHypervisor?: Source["hypervisor"];
}

// ---------------------------------------------------------------------------------------
// Options shared by the stages (parsed from the command line in src/cli/)
// ---------------------------------------------------------------------------------------

export interface InputOptions {
  readonly mode: InputMode;
  /** Positional arguments: the files or directory to read. */
  readonly args: readonly string[];
  /** `-if`: force the format of `-i disk` files instead of probing. */
  readonly inputFormat?: ImageFormat;
}

export interface OutputOptions {
  readonly mode: OutputMode;
  /** `-os`: the output directory for local/qemu/json. */
  readonly storage?: string;
  /** `-on`: rename the guest on the target. */
  readonly name?: string;
  /** `-of` (default raw). */
  readonly format: TargetFormat;
  /** `-oa` (default sparse). */
  readonly allocation: Allocation;
  /** `--compressed` / `-oo compressed`: qcow2 with compressed clusters. */
  readonly compressed: boolean;
}

/**
 * A `--key` option: the passphrase of one LUKS volume, named by its device ("/dev/sda2") or its
 * LUKS UUID, given on the command line or in a file (its first line).
 */
export type LuksKey =
  | { readonly selector: string; readonly kind: "key"; readonly passphrase: string }
  | { readonly selector: string; readonly kind: "file"; readonly file: string };

export interface RunOptions {
  readonly input: InputOptions;
  readonly output: OutputOptions;
  readonly root: RootChoice;
  /** `--key`: passphrases of encrypted volumes, opened before inspection. */
  readonly keys: readonly LuksKey[];
  /** `--keys-from-stdin`: one passphrase per line on stdin, for the encrypted volumes no --key names. */
  readonly keysFromStdin: boolean;
  /** `--block-driver` (default virtio-blk). */
  readonly blockDriver: BlockDriver;
  /** `-v`: verbose; `-x`: trace every libguestfs and host command. */
  readonly verbose: boolean;
  readonly trace: boolean;
  /** `-q`: only errors and warnings. */
  readonly quiet: boolean;
  readonly machineReadable: boolean;
  /** `--print-source`: print the parsed Source and stop before touching disks. */
  readonly printSource: boolean;
}
