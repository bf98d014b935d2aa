// The contract of a Linux family: the choices that differ between Debian, RHEL and SUSE guests,
// behind which the common steps (linux-converter.ts) run unchanged. A family is one sibling folder
// (linux/debian/, linux/rhel/, linux/suse/, linux/alt/) that exports one LinuxFamily value.
// The optional members are hooks only some families need (BLS entries, grubby, their own
// configuration edits); a family without them converts exactly as before they existed.
//
// Everything here is data or a narrow effect on the guest; the order of the steps, the checks and
// the messages stay in the common code so that every family converts the same way.
import type { GuestHandle } from "../../model/guest-handle.js";
import type { Inspection } from "../../model/types.js";
import type { StepLog } from "../step-log.js";
import type { DriverSource, VirtioModule } from "./virtio-support.js";

/** A kernel installed in the guest, found through the family's KernelNaming. */
export interface InstalledKernel {
  /** Kernel release, as `uname -r` prints it: "6.1.0-13-amd64". */
  readonly version: string;
  /** Guest path of the image: "/boot/vmlinuz-6.1.0-13-amd64". */
  readonly vmlinuz: string;
  /** Guest path of the initramfs when it exists. */
  readonly initrd?: string;
  /** False when /lib/modules/<ver> is missing (a leftover image that cannot load any driver). */
  readonly hasModules: boolean;
  readonly drivers: Readonly<Record<VirtioModule, DriverSource>>;
}

/** One way of removing packages, tried in turn until one succeeds. */
export interface RemovalScript {
  /** The program, for "after dpkg refused: ..." in the change log. */
  readonly program: string;
  /** How the change log names this way ("dpkg --purge", "apt-get purge"). */
  readonly how: string;
  /** The /bin/sh script that removes the packages (noninteractive, names quoted). */
  readonly script: string;
}

/** The guest's package manager, used to remove other hypervisors' guest tools. */
export interface PackageManager {
  /**
   * Of the installed tool packages (`tools`, sorted), the ones to remove. `kept` explains a package
   * kept on purpose (Ubuntu's ubuntu-server metapackage needs open-vm-tools); shown with -v.
   */
  selectRemovals(tools: readonly string[], insp: Inspection): { readonly remove: readonly string[]; readonly kept?: string };
  /** The scripts that remove `pkgs`, best first. Each runs with a 10-minute timeout. */
  removalScripts(pkgs: readonly string[]): readonly RemovalScript[];
  /** The command the user can run after the first boot when every script failed. */
  manualRemoval(pkgs: readonly string[]): string;
}

/** How one guest rebuilds an initramfs (initramfs-tools, dracut). */
export interface InitramfsBuilder {
  /** "initramfs-tools", "dracut": for -v. */
  readonly name: string;
  /**
   * Make the image at `image` (the kernel's initramfs path) load `modules`, and rebuild it. Logs
   * each configuration change. A failed command throws V2vError("CONVERSION") naming it.
   */
  rebuild(g: GuestHandle, kernel: InstalledKernel, image: string, modules: readonly string[], log: StepLog): Promise<void>;
}

/** The family's initramfs tool. */
export interface InitramfsTool {
  /** Where its configuration lives, named when a rebuild produced no image ("/etc/initramfs-tools"). */
  readonly configDir: string;
  /**
   * Files whose RESUME= device the tool copies into the image: renamed with the other device
   * names, before the rebuild. Missing files are skipped.
   */
  readonly resumeFiles: readonly string[];
  /**
   * Read-only: how this guest rebuilds the initramfs of `kernel`. Throws V2vError("CONVERSION")
   * naming what to install when it cannot.
   */
  findBuilder(g: GuestHandle, kernel: InstalledKernel): Promise<InitramfsBuilder>;
}

/** A program that regenerates grub.cfg. */
export interface GrubRegenerator {
  /** Its file name, looked up in /usr/sbin, /sbin, /usr/bin and /bin ("update-grub"). */
  readonly program: string;
  /** The shell line that runs it ("grub-mkconfig -o /boot/grub/grub.cfg"). */
  readonly shell: string;
}

/** Where the family keeps GRUB 2's files and which programs regenerate its configuration. */
export interface GrubTooling {
  /** The generated configuration GRUB reads at boot ("/boot/grub/grub.cfg"). */
  readonly cfgPath: string;
  /** GRUB's environment block, for saved_entry ("/boot/grub/grubenv"). */
  readonly envPath: string;
  /** The defaults file grub-mkconfig reads ("/etc/default/grub"). */
  readonly defaultsPath: string;
  /** A directory of drop-in defaults ("*.cfg", read after defaultsPath), when the family has one. */
  readonly defaultsDir?: string;
  /** BIOS drive map ("/boot/grub/device.map"). */
  readonly deviceMapPath: string;
  /** Programs that regenerate cfgPath, preferred first. */
  readonly regenerators: readonly GrubRegenerator[];
  /** For the refusal of a guest without cfgPath: "Debian and Ubuntu guests". */
  readonly supportedOn: string;
  /** The packages that provide GRUB 2 ("grub-pc or grub-efi"). */
  readonly bootloaderPackages: string;
  /** The package that provides the regenerators ("grub2-common"). */
  readonly toolsPackage: string;
  /**
   * Boot Loader Specification entries (RHEL 8+, Fedora 30+): a directory of <id>.conf files that
   * grub.cfg's "blscfg" command turns into menu entries. Their `options` lines carry the kernel
   * arguments, so device and console renames apply to them too.
   */
  readonly bls?: BlsTooling;
  /** A program that makes a kernel the default by its image path ("grubby --set-default"). */
  readonly defaultSetter?: string;
}

/** Where a BLS family keeps its entries and the kernel command line for new kernels. */
export interface BlsTooling {
  /** "/boot/loader/entries". */
  readonly entriesDir: string;
  /** Kernel arguments that kernel-install copies into new entries ("/etc/kernel/cmdline"). */
  readonly cmdlinePath: string;
}

/** How the family names its kernels in /boot, and which release is newer. */
export interface KernelNaming {
  /** Kernel releases named by the entries of /boot; backups and signed copies are not kernels. */
  versionsInBoot(bootEntries: readonly string[]): readonly string[];
  /** The kernel image of a release ("/boot/vmlinuz-6.1.0-13-amd64"); with "*", the glob for messages. */
  vmlinuzPath(version: string): string;
  /** The initramfs of a release, whether it exists yet or not ("/boot/initrd.img-6.1.0-13-amd64"). */
  initrdPath(version: string): string;
  /** Negative when release a is older than b, positive when newer, 0 when equal (the family's version order). */
  compareVersions(a: string, b: string): number;
  /** What provides a kernel, for the refusal of a guest without one ("a linux-image package"). */
  readonly packageHint: string;
}

/** What a family's configuration edits may depend on. */
export interface EditFacts {
  /** The kernel the guest will boot, when one has virtio_blk and virtio_net. */
  readonly kernel?: InstalledKernel;
  /** The modules presentModules() found in that kernel (what the initramfs gets); [] without one. */
  readonly virtioModules: readonly string[];
}

/** A guest file's path and text. */
export interface GuestText {
  readonly path: string;
  readonly text: string;
}

export interface ConfigEditResult {
  /** Files to write (changed ones, or new ones such as /.autorelabel). */
  readonly written: readonly GuestText[];
  /** One change-log line per change. */
  readonly changes: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * A pure edit of a set of configuration files that only some families have (yum repositories,
 * /etc/sysconfig/kernel, ifcfg files, modprobe aliases). It sees every existing file of its set at
 * once, in order, because some edits span files (only the first scsi_hostadapter alias is kept).
 */
export interface ConfigEdit {
  /** For -v and tests ("modprobe aliases"). */
  readonly name: string;
  /** Exact paths, read when they exist. */
  readonly paths?: readonly string[];
  /** Directories whose files with a matching name are read, sorted by name. */
  readonly dirs?: readonly { readonly dir: string; readonly names: RegExp }[];
  apply(files: readonly GuestText[], facts: EditFacts): ConfigEditResult;
}

export interface LinuxFamily {
  /** "debian": for -v and tests. */
  readonly name: string;
  /** What the converter says it converts ("Debian-family Linux"). */
  readonly supports: string;
  /** libguestfs distro names of the family: one of the lists in src/model/os-families.ts. */
  readonly distros: ReadonlySet<string>;
  readonly packages: PackageManager;
  readonly initramfs: InitramfsTool;
  readonly grub: GrubTooling;
  readonly kernels: KernelNaming;
  /**
   * The GRUB files of this guest when they depend on it (RHEL's UEFI grub.cfg is under
   * /boot/efi/EFI/<vendor>/); `grub` otherwise. Read-only.
   */
  locateGrub?(g: GuestHandle, insp: Inspection): Promise<GrubTooling>;
  /** The family's own edits, applied after the device renames and before the initramfs is rebuilt. */
  readonly configEdits?: readonly ConfigEdit[];
}
