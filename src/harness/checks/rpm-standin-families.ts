// Where each stand-in RPM family keeps what the checks read (guests/rpm/: tree.ts, suse.ts, alt.ts;
// the paths are the contract), and which programs the conversion must have run there. Written
// out here, not imported from the builders or the converter: the oracle states what it expects.

export type StandinFamily = "rhel" | "suse" | "alt";

export interface StandinFamilyFacts {
  /** The initramfs of a kernel release. */
  initrd(kernel: string): string;
  /** The program that rebuilds it, and the arguments that name the kernel's image. */
  readonly initramfsTool: "dracut" | "make-initrd";
  /** The generated GRUB configuration, its environment block and its defaults file. */
  readonly grubCfg: string;
  readonly grubenv: string;
  readonly grubDefaults: string;
  /** The program that regenerates grubCfg. */
  readonly mkconfig: "grub2-mkconfig" | "grub-mkconfig";
  /** The package inspection lists for the kernels (a database that lost it was damaged). */
  readonly kernelPackage: string;
  /** VMware's package repository file, when the family's conversion disables it. */
  readonly vmwareRepo?: string;
  /** Network profile directories and the file names read there. */
  readonly networkDirs: readonly { readonly dir: string; readonly names: RegExp }[];
  /** The modprobe file whose aliases name VMware's drivers (checked on SUSE and ALT). */
  readonly modprobeConf?: string;
}

const NM_DIR = { dir: "/etc/NetworkManager/system-connections", names: /\.nmconnection$/ } as const;

export const STANDIN_FAMILY_FACTS: Readonly<Record<StandinFamily, StandinFamilyFacts>> = {
  rhel: {
    initrd: (k) => `/boot/initramfs-${k}.img`,
    initramfsTool: "dracut",
    grubCfg: "/boot/grub2/grub.cfg",
    grubenv: "/boot/grub2/grubenv",
    grubDefaults: "/etc/default/grub",
    mkconfig: "grub2-mkconfig",
    kernelPackage: "kernel-core",
    vmwareRepo: "/etc/yum.repos.d/vmware-tools.repo",
    networkDirs: [{ dir: "/etc/sysconfig/network-scripts", names: /^ifcfg-(?!lo$)/ }, NM_DIR],
  },
  suse: {
    initrd: (k) => `/boot/initrd-${k}`,
    initramfsTool: "dracut",
    grubCfg: "/boot/grub2/grub.cfg",
    grubenv: "/boot/grub2/grubenv",
    grubDefaults: "/etc/default/grub",
    mkconfig: "grub2-mkconfig",
    kernelPackage: "kernel-default",
    vmwareRepo: "/etc/zypp/repos.d/vmware-tools.repo",
    networkDirs: [NM_DIR],
    modprobeConf: "/etc/modprobe.d/50-vmware.conf",
  },
  alt: {
    initrd: (k) => `/boot/initrd-${k}.img`,
    initramfsTool: "make-initrd",
    grubCfg: "/boot/grub/grub.cfg",
    grubenv: "/boot/grub/grubenv",
    grubDefaults: "/etc/sysconfig/grub2",
    mkconfig: "grub-mkconfig",
    kernelPackage: "kernel-image-std-def",
    networkDirs: [],
    modprobeConf: "/etc/modprobe.d/vmware.conf",
  },
};

/** SUSE's /etc/sysconfig/kernel and ALT's make-initrd configuration. */
export const SYSCONFIG_KERNEL = "/etc/sysconfig/kernel";
export const INITRD_MK = "/etc/initrd.mk";

/** Pure: the modules an image was built with, as the stand-ins write them (dracut's add_drivers, make-initrd's MODULES_ADD). */
export function imageModules(family: StandinFamily, image: string): string[] {
  if (family === "alt") {
    return [...image.matchAll(/^\s*MODULES_ADD\s*\+?=(.*)$/gm)].flatMap((m) => m[1]!.split(/\s+/)).filter((w) => w !== "");
  }
  return [...image.matchAll(/^add_drivers\+?=\s*"([^"]*)"/gm)].flatMap((m) => m[1]!.split(/\s+/)).filter((w) => w !== "");
}

/** Pure: the words of a shell variable assignment (last one wins), "" quotes or not. */
export function shellListValue(text: string, key: string): string[] | undefined {
  let out: string[] | undefined;
  for (const line of text.split("\n")) {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*(["']?)([^"']*)\\1\\s*(#.*)?$`).exec(line);
    if (m) out = m[2]!.split(/\s+/).filter((w) => w !== "");
  }
  return out;
}
