// The contract of a Linux family: the choices that differ between Debian, RHEL and SUSE guests,
// behind which the common steps (linux-converter.ts) run unchanged. A family is one sibling folder
// (linux/debian/ today; linux/rhel/ and linux/suse/ next) that exports one LinuxFamily value.
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
}
