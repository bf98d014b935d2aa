// GuestHandle: everything the pipeline may do inside a guest. Only src/guest/ implements it
// (guestfish.ts drives a real libguestfs appliance); unit tests may pass an in-memory fake.
// Guest paths are absolute paths inside the guest's mounted filesystems.
import type { Inspection } from "./types.js";

/** What inspection says of one root before it is chosen and mounted (no packages, no firmware yet). */
export interface InspectedRoot extends Omit<Inspection, "mountpoints" | "applications" | "firmware"> {
  /** mountpoint -> appliance device */
  readonly mountpoints: Readonly<Record<string, string>>;
}

/** A partition as libguestfs sees it (part-to-dev, part-to-partnum, part-get-mbr-id / part-get-gpt-type). */
export interface PartitionInfo {
  /** The whole disk holding it (/dev/sda). */
  readonly disk: string;
  /** 1-based partition number. */
  readonly number: number;
  /** The disk's partition table: "msdos" (MBR), "gpt", or another libguestfs name. */
  readonly table: string;
  /** MBR only: the partition type byte (0x07 NTFS, 0x42 Windows dynamic disk). */
  readonly mbrId?: number;
  /** GPT only: the partition type GUID, upper-case. */
  readonly gptType?: string;
}

export interface GuestHandle {
  /** Roots found by libguestfs inspection, with their basic facts. Empty when no OS was found. */
  inspectRoots(): Promise<readonly InspectedRoot[]>;
  /** Installed packages of a root (libguestfs inspect-list-applications2). */
  listApplications(root: string): Promise<readonly { name: string; version: string }[]>;
  /**
   * Mount a root's filesystems at their mountpoints (parents first). A data file system that
   * cannot be mounted (fstab names a device the appliance lacks) is left out: the result says so,
   * one sentence each. "/" and the system's own places must mount, or this throws.
   */
  mountRoot(root: InspectedRoot): Promise<readonly string[]>;
  /** Every filesystem the appliance sees: device -> type ("ext4", "vfat", "swap", "unknown"...). */
  listFilesystems(): Promise<Readonly<Record<string, string>>>;
  /** Partition table type of a whole device ("msdos", "gpt"), or undefined when none. */
  partitionTableType(device: string): Promise<string | undefined>;
  /** Block devices of the appliance (/dev/sda, /dev/sdb ...), in source disk order. */
  listDevices(): Promise<readonly string[]>;
  /** Every partition of the appliance's disks (/dev/sda1 ...), LDM and extended ones included. */
  listPartitions(): Promise<readonly string[]>;
  /**
   * Where a partition is and what its table says it holds; undefined for a device that is no
   * partition (a whole disk, an LVM or LDM volume such as /dev/mapper/ldm_vol_*).
   */
  partitionInfo(device: string): Promise<PartitionInfo | undefined>;
  /**
   * What libblkid finds on a device ("ntfs", "BitLocker", "crypto_LUKS"...), "" when nothing.
   * Unlike listFilesystems it sees encrypted volumes, which libguestfs leaves out of that list.
   */
  vfsType(device: string): Promise<string>;
  /**
   * Open a LUKS volume as /dev/mapper/NAME with a passphrase (cryptsetup-open); throws when the
   * passphrase does not open it. The passphrase never reaches a command line or a log.
   */
  openLuks(device: string, mapName: string, passphrase: string): Promise<void>;
  /** Scan for LVM volume groups again and activate them (after LUKS volumes were opened). */
  activateVolumeGroups(): Promise<void>;
  /** Size in bytes of a block device of the appliance (a whole disk or a partition). */
  deviceSizeBytes(device: string): Promise<number>;
  /** Bytes [offset, offset+size) of a block device into a host file (a boot sector). */
  readDeviceRange(device: string, localPath: string, offset: number, size: number): Promise<void>;
  /** Write a host file's bytes onto a block device at `offset` (a boot sector's field). */
  writeDeviceRange(localPath: string, device: string, offset: number): Promise<void>;

  exists(path: string): Promise<boolean>;
  isFile(path: string): Promise<boolean>;
  isDir(path: string): Promise<boolean>;
  /** Names (not paths) in a directory; [] when it does not exist. */
  ls(path: string): Promise<readonly string[]>;
  /**
   * A regular file's content (after symlinks, resolved inside the guest). Throws CONVERSION for a
   * device, a directory, or a file over 32 MiB: the guest is untrusted.
   */
  readFile(path: string): Promise<string>;
  /** Create or replace a file (parent must exist). */
  writeFile(path: string, content: string, mode?: number): Promise<void>;
  /** Copy a host file into the guest, bytes as they are (drivers, registry hives); parent must exist. */
  upload(localPath: string, path: string, mode?: number): Promise<void>;
  /**
   * Copy a guest's regular file to a host file, bytes as they are. Refuses what is not a regular
   * file, and a file over maxBytes (default 1 GiB): the guest is untrusted.
   */
  download(path: string, localPath: string, maxBytes?: number): Promise<void>;
  /**
   * Bytes [offset, offset+size) of a guest file into a host file (a header of a file too big to
   * download, such as hiberfil.sys). Fewer bytes when the file is shorter.
   */
  downloadRange(path: string, localPath: string, offset: number, size: number): Promise<void>;
  /**
   * The path as it is spelled in the guest, matching each component case-insensitively (NTFS
   * and FAT names are case-insensitive, the appliance's mounts are not). The last component may
   * be missing: it is then returned as given. Throws when a parent is missing.
   */
  caseSensitivePath(path: string): Promise<string>;
  /** Mount another filesystem (a Windows ESP) on a directory of the mounted guest. */
  mount(device: string, path: string): Promise<void>;
  umount(path: string): Promise<void>;
  mkdirP(path: string): Promise<void>;
  rm(path: string): Promise<void>;
  rmRf(path: string): Promise<void>;
  /** Rename within the guest. */
  mv(from: string, to: string): Promise<void>;
  cp(from: string, to: string): Promise<void>;
  /** Resolve a symlink chain to its final target path (guest-absolute). */
  realpath(path: string): Promise<string>;
  /** UUID/LABEL/… of a filesystem (blkid tags), for resolving fstab and root= entries. */
  blkid(device: string): Promise<Readonly<Record<string, string>>>;

  /**
   * Run a program inside the guest (chroot, with /dev, /proc, /sys bound), as the guest's own root.
   * argv[0] is looked up in the guest's PATH. Throws a GuestfsError with the output on failure.
   */
  command(argv: readonly string[], opts?: { timeoutMs?: number }): Promise<string>;
  /** Run a /bin/sh script inside the guest. */
  sh(script: string, opts?: { timeoutMs?: number }): Promise<string>;

  /** Free bytes on the filesystem mounted at a guest path. */
  freeBytes(path: string): Promise<number>;
  /**
   * Discard unused blocks of every mounted filesystem, so the copy skips them. A filesystem that
   * cannot be trimmed is not an error: its "mountpoint: reason" is returned for a warning.
   */
  fstrimAll(): Promise<readonly string[]>;
  /** Unmount, sync and shut the appliance down cleanly (writes reach the overlay). */
  close(): Promise<void>;
}

/** A GuestHandle backed by a running appliance, which a failed run must be able to stop at once. */
export interface ApplianceGuest extends GuestHandle {
  /** Stop the appliance without a clean shutdown (writes may be lost; the overlay is thrown away). */
  kill(): Promise<void>;
}

/** A disk the appliance opens: the run's overlays are qcow2, written through. */
export interface ApplianceDrive {
  readonly path: string;
  readonly format: "qcow2" | "raw";
}

/** How the appliance is started: its size, the accelerator probed before, logging. */
export interface ApplianceOptions {
  readonly smp: number;
  readonly memoryMiB: number;
  readonly accel: "kvm" | "tcg";
  readonly trace: boolean;
  /** Where its temporary files go (the run's work directory). */
  readonly tmpDir: string;
  readonly onLog?: (line: string) => void;
  /** Told when the appliance did not start at the first try and is started once more. */
  readonly onWarning?: (message: string) => void;
}
