// Strict FakeGuests shaped like installed RPM-family guests (RHEL 9, Rocky 8 UEFI, CentOS 7, and
// the SUSE and ALT ones), each on one disk (sda1 /, sda2 swap, plus the ESP on UEFI), with the
// programs of fake-rpm-tools.ts; and the inspection a conversion of each takes.
import type { Inspection } from "../../../../../src/model/types.js";
import { FakeGuest } from "../../../fakes/fake-guest.js";
import { convertGuest } from "../../../../../src/converters/convert.js";
import { linuxConverter } from "../../../../../src/converters/linux/convert-linux.js";
import { diskSource, inspectionOf, debianRoot, testContext } from "../debian-guest.js";
import { generateRpmGrubCfg, grubenvBlock, scriptRpmTools, type RpmProbe } from "./fake-rpm-tools.js";

export const ROOT_UUID = "5e1f0000-0000-4000-8000-00000000c0de";
export const MACHINE_ID = "8f3c2b1a0e9d4c7b6a5f4e3d2c1b0a99";

/** Kernel files: the image, its initramfs, modules with (or without) virtio_blk and virtio_net. */
export function rpmKernel(version: string, initrd: string, virtio: boolean): Record<string, string> {
  const mod = `/lib/modules/${version}`;
  return {
    [`/boot/vmlinuz-${version}`]: "kernel image",
    [initrd]: `original initramfs ${version}`,
    [`${mod}/modules.builtin`]: "kernel/fs/xfs/xfs.ko\n",
    [`${mod}/modules.dep`]: virtio
      ? "kernel/drivers/block/virtio_blk.ko.xz:\nkernel/drivers/net/virtio_net.ko.xz:\nkernel/drivers/scsi/virtio_scsi.ko.xz:\n"
      : "kernel/drivers/scsi/vmw_pvscsi.ko.xz:\n",
    ...(virtio ? {
      [`${mod}/kernel/drivers/block/virtio_blk.ko.xz`]: "",
      [`${mod}/kernel/drivers/net/virtio_net.ko.xz`]: "",
      [`${mod}/kernel/drivers/scsi/virtio_scsi.ko.xz`]: "",
    } : {}),
  };
}

/** A BLS entry as kernel-install writes it on RHEL 8+. */
export const blsEntry = (version: string, title: string, options: string): string =>
  `title ${title} (${version})\nversion ${version}\nlinux /vmlinuz-${version}\ninitrd /initramfs-${version}.img $tuned_initrd\noptions ${options}\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class kernel\n`;

export const blsPath = (version: string): string => `/boot/loader/entries/${MACHINE_ID}-${version}.conf`;

/** What every RHEL-family guest has: its programs, fstab, SELinux. */
const RHEL_BASE: Readonly<Record<string, string>> = {
  "/etc/fstab": "/dev/sda1 / xfs defaults 0 0\n/dev/sda2 none swap defaults 0 0\n",
  "/etc/selinux/config": "SELINUX=enforcing\nSELINUXTYPE=targeted\n",
  "/usr/bin/rpm": "", "/usr/bin/dracut": "", "/usr/sbin/grub2-mkconfig": "", "/usr/sbin/grubby": "",
};

export interface RpmGuestSpec {
  readonly files: Readonly<Record<string, string>>;
  readonly probe: RpmProbe;
  readonly cfgPath: string;
  readonly envPath: string;
  readonly defaultsPath?: string;
  /** Filesystems besides / (sda1) and swap (sda2). */
  readonly extraFilesystems?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Build the guest and regenerate its grub.cfg once, as the installed system had it. */
export function makeRpmGuest(spec: RpmGuestSpec): FakeGuest {
  const filesystems = {
    "/dev/sda1": { TYPE: "xfs", UUID: ROOT_UUID },
    "/dev/sda2": { TYPE: "swap", UUID: "5e1f0000-0000-4000-8000-000000005a9e" },
    ...spec.extraFilesystems,
  };
  const g = new FakeGuest({
    files: spec.files,
    devices: ["/dev/sda"],
    filesystems: Object.fromEntries(Object.entries(filesystems).map(([d, t]) => [d, t["TYPE"] ?? "unknown"])),
    blkid: filesystems,
  });
  const defaultsPath = spec.defaultsPath ?? "/etc/default/grub";
  if (!g.file(spec.cfgPath)) g.setFile(spec.cfgPath, generateRpmGrubCfg(g, defaultsPath, spec.envPath, spec.probe));
  scriptRpmTools(g, { probe: spec.probe, defaultsPath, cfgPath: spec.cfgPath, envPath: spec.envPath });
  return g;
}

const rhelProbe = (title: string): RpmProbe => ({ kernelRoot: "/dev/sda1", rootUuid: ROOT_UUID, initrd: (v) => `/boot/initramfs-${v}.img`, title });

export const RHEL9_NEW = "5.14.0-362.8.1.el9_3.x86_64";
export const RHEL9_OLD = "5.14.0-70.13.1.el9_0.x86_64";

/** RHEL 9, BIOS, BLS with the arguments on each entry's options line; two kernels, the newest the default. */
export function rhel9Guest(opts: { newestHasVirtio?: boolean } = {}): FakeGuest {
  const options = "root=/dev/sda1 ro resume=/dev/sda2 console=hvc0 crashkernel=1G-4G:192M";
  return makeRpmGuest({
    probe: rhelProbe("Red Hat Enterprise Linux"),
    cfgPath: "/boot/grub2/grub.cfg",
    envPath: "/boot/grub2/grubenv",
    files: {
      ...RHEL_BASE,
      ...rpmKernel(RHEL9_NEW, `/boot/initramfs-${RHEL9_NEW}.img`, opts.newestHasVirtio ?? true),
      ...rpmKernel(RHEL9_OLD, `/boot/initramfs-${RHEL9_OLD}.img`, true),
      "/boot/vmlinuz-0-rescue-8f3c2b1a0e9d4c7b6a5f4e3d2c1b0a99": "rescue",
      [blsPath(RHEL9_NEW)]: blsEntry(RHEL9_NEW, "Red Hat Enterprise Linux", options),
      [blsPath(RHEL9_OLD)]: blsEntry(RHEL9_OLD, "Red Hat Enterprise Linux", options),
      "/boot/grub2/grubenv": grubenvBlock({ saved_entry: `${MACHINE_ID}-${RHEL9_NEW}`, boot_success: "0" }),
      "/etc/default/grub": 'GRUB_TIMEOUT=5\nGRUB_DEFAULT=saved\nGRUB_CMDLINE_LINUX="resume=/dev/sda2 console=hvc0 crashkernel=1G-4G:192M"\nGRUB_DISABLE_RECOVERY="true"\nGRUB_ENABLE_BLSCFG=true\n',
      "/etc/kernel/cmdline": "root=/dev/sda1 ro resume=/dev/sda2 console=hvc0 crashkernel=1G-4G:192M\n",
      "/etc/sysconfig/kernel": "UPDATEDEFAULT=yes\nDEFAULTKERNEL=kernel-core\n",
      "/etc/NetworkManager/system-connections/ens192.nmconnection":
        "[connection]\nid=ens192\ntype=ethernet\ninterface-name=ens192\n\n[ethernet]\nmac-address=00:50:56:AB:CD:EF\n\n[ipv4]\nmethod=auto\n",
      "/etc/yum.repos.d/vmware-tools.repo": "[vmware-tools]\nname=VMware Tools\nbaseurl=https://packages.vmware.com/packages/rhel9/x86_64/\nenabled=1\ngpgcheck=1\n",
      "/etc/yum.repos.d/redhat.repo": "[rhel-9-baseos]\nname=BaseOS\nbaseurl=https://cdn.redhat.com/content/dist/rhel9/9/x86_64/baseos/os\nenabled=1\n",
    },
  });
}

export const ROCKY8 = "4.18.0-513.5.1.el8_9.x86_64";
const ESP = "/boot/efi/EFI/rocky";

/** Rocky 8, UEFI: grub.cfg and grubenv on the ESP, BLS entries with "options $kernelopts", ifcfg with HWADDR. */
export function rocky8Guest(): FakeGuest {
  return makeRpmGuest({
    probe: rhelProbe("Rocky Linux"),
    cfgPath: `${ESP}/grub.cfg`,
    envPath: `${ESP}/grubenv`,
    extraFilesystems: { "/dev/sda3": { TYPE: "vfat", UUID: "ABCD-1234" } },
    files: {
      ...RHEL_BASE,
      "/etc/fstab": "/dev/sda1 / xfs defaults 0 0\n/dev/sda3 /boot/efi vfat umask=0077 0 2\n/dev/sda2 none swap defaults 0 0\n",
      ...rpmKernel(ROCKY8, `/boot/initramfs-${ROCKY8}.img`, true),
      [blsPath(ROCKY8)]: blsEntry(ROCKY8, "Rocky Linux", "$kernelopts $tuned_params"),
      [`${ESP}/grubenv`]: grubenvBlock({ saved_entry: `${MACHINE_ID}-${ROCKY8}`, kernelopts: "root=/dev/sda1 ro resume=/dev/sda2 console=hvc0" }),
      [`${ESP}/grubx64.efi`]: "grub", [`${ESP}/shimx64.efi`]: "shim",
      "/boot/efi/EFI/BOOT/BOOTX64.EFI": "shim", "/boot/efi/EFI/BOOT/fbx64.efi": "fallback",
      "/etc/default/grub": 'GRUB_TIMEOUT=5\nGRUB_DEFAULT=saved\nGRUB_CMDLINE_LINUX="resume=/dev/sda2 console=hvc0"\nGRUB_DISABLE_LINUX_UUID=true\nGRUB_ENABLE_BLSCFG=true\n',
      "/etc/sysconfig/network-scripts/ifcfg-ens192": 'TYPE=Ethernet\nBOOTPROTO=dhcp\nNAME=ens192\nDEVICE=ens192\nONBOOT=yes\nHWADDR="00:50:56:12:34:56"\n',
      "/etc/sysconfig/network-scripts/ifcfg-lo": "DEVICE=lo\nIPADDR=127.0.0.1\n",
    },
  });
}

export const C7_NEW = "3.10.0-1160.105.1.el7.x86_64";
export const C7_OLD = "3.10.0-1160.el7.x86_64";

/** CentOS 7, BIOS, no BLS: grub.cfg menu entries, GRUB_DEFAULT=saved, modprobe aliases, Xen tools. */
export function centos7Guest(opts: { newestHasVirtio?: boolean } = {}): FakeGuest {
  return makeRpmGuest({
    probe: rhelProbe("CentOS Linux"),
    cfgPath: "/boot/grub2/grub.cfg",
    envPath: "/boot/grub2/grubenv",
    files: {
      ...RHEL_BASE,
      ...rpmKernel(C7_NEW, `/boot/initramfs-${C7_NEW}.img`, opts.newestHasVirtio ?? true),
      ...rpmKernel(C7_OLD, `/boot/initramfs-${C7_OLD}.img`, true),
      "/boot/grub2/grubenv": grubenvBlock({ saved_entry: `CentOS Linux (${C7_NEW})` }),
      "/boot/grub2/device.map": "(hd0)      /dev/sda\n",
      "/etc/default/grub": 'GRUB_TIMEOUT=5\nGRUB_DEFAULT=saved\nGRUB_CMDLINE_LINUX="rd.lvm.lv=centos/swap resume=/dev/sda2 console=xvc0"\nGRUB_DISABLE_LINUX_UUID=true\n',
      "/etc/sysconfig/kernel": "UPDATEDEFAULT=yes\nDEFAULTKERNEL=kernel\n",
      "/etc/modprobe.d/vmware.conf": "# added by the installer\nalias scsi_hostadapter mptspi\nalias scsi_hostadapter1 ata_piix\nalias eth0 vmxnet3\n",
      "/etc/modprobe.conf": "alias eth1 xennet\n",
      "/etc/sysconfig/network-scripts/ifcfg-eth0": "DEVICE=eth0\nHWADDR=00:50:56:aa:bb:cc\nONBOOT=yes\nBOOTPROTO=dhcp\n",
    },
  });
}

/** The inspection of an RPM-family root on /dev/sda1. */
export function rpmInspection(
  distro: string, major: number, packages: readonly string[], firmware: Inspection["firmware"] = "bios", mounts: Readonly<Record<string, string>> = { "/": "/dev/sda1" },
): Inspection {
  return inspectionOf(debianRoot("/dev/sda1", mounts, {
    distro, majorVersion: major, minorVersion: 0, productName: `${distro} ${major}`, osinfo: `${distro}${major}`,
    packageFormat: "rpm", packageManagement: major >= 8 ? "dnf" : "yum",
  }), packages, firmware);
}

const suseProbe = (title: string): RpmProbe => ({ kernelRoot: "/dev/sda1", rootUuid: ROOT_UUID, initrd: (v) => `/boot/initrd-${v}`, title });

export const SLES15 = "5.14.21-150500.55.39-default";
export const SLES15_OLD = "5.14.21-150500.53-default";

/** SLES 15 SP5, BIOS, Xen-born: INITRD_MODULES with Xen drivers, hvc0 console, xe-guest-utilities. */
export function sles15Guest(opts: { dracut?: boolean; newestHasVirtio?: boolean } = {}): FakeGuest {
  return makeRpmGuest({
    probe: suseProbe("SLES 15-SP5"),
    cfgPath: "/boot/grub2/grub.cfg",
    envPath: "/boot/grub2/grubenv",
    files: {
      "/etc/fstab": "/dev/xvda1 / btrfs defaults 0 0\n/dev/xvda2 swap swap defaults 0 0\n",
      "/usr/bin/rpm": "", "/usr/sbin/grub2-mkconfig": "", "/sbin/mkinitrd": "",
      ...(opts.dracut ?? true ? { "/usr/bin/dracut": "" } : {}),
      ...rpmKernel(SLES15, `/boot/initrd-${SLES15}`, opts.newestHasVirtio ?? true),
      ...rpmKernel(SLES15_OLD, `/boot/initrd-${SLES15_OLD}`, true),
      "/boot/vmlinuz": "symlink stand-in", "/boot/grub2/grubenv": grubenvBlock({ saved_entry: "0" }),
      "/etc/default/grub": 'GRUB_DEFAULT=saved\nGRUB_CMDLINE_LINUX_DEFAULT="splash=silent resume=/dev/xvda2 console=hvc0 quiet"\nGRUB_DISABLE_LINUX_UUID=true\n',
      "/etc/sysconfig/kernel": '## Type: string\nINITRD_MODULES="xenblk xen-vbd ahci"\nDOMU_INITRD_MODULES="xennet xenblk"\nMODULES_LOADED_ON_BOOT=""\n',
      "/etc/zypp/repos.d/vmware.repo": "[VMware-Tools]\nname=VMware Tools\nenabled=1\nautorefresh=0\nbaseurl=https://packages.vmware.com/tools/esx/latest/sles15/x86_64\n",
      "/etc/zypp/repos.d/SLE-Module-Basesystem.repo": "[Basesystem]\nenabled=1\nbaseurl=https://updates.suse.com/SUSE/Products/SLE-Module-Basesystem/15-SP5/x86_64/product/\n",
    },
  });
}

export const LEAP15 = "5.14.21-150500.55.49-default";

/** openSUSE Leap 15.5, UEFI (the ESP's grub.cfg is a stub), NetworkManager, open-vm-tools. */
export function opensuseGuest(): FakeGuest {
  return makeRpmGuest({
    probe: suseProbe("openSUSE Leap 15.5"),
    cfgPath: "/boot/grub2/grub.cfg",
    envPath: "/boot/grub2/grubenv",
    extraFilesystems: { "/dev/sda3": { TYPE: "vfat", UUID: "ABCD-5678" } },
    files: {
      "/etc/fstab": "/dev/sda1 / ext4 defaults 0 1\n/dev/sda3 /boot/efi vfat defaults 0 0\n/dev/sda2 swap swap defaults 0 0\n",
      "/usr/bin/rpm": "", "/usr/bin/dracut": "", "/usr/sbin/grub2-mkconfig": "",
      ...rpmKernel(LEAP15, `/boot/initrd-${LEAP15}`, true),
      "/boot/efi/EFI/opensuse/grub.cfg": "set btrfs_relative_path=\"yes\"\nsearch --fs-uuid --set=root x\nset prefix=(${root})/boot/grub2\nsource \"${prefix}/grub.cfg\"\n",
      "/boot/efi/EFI/opensuse/grubx64.efi": "grub", "/boot/efi/EFI/BOOT/BOOTX64.EFI": "shim",
      "/etc/default/grub": 'GRUB_DEFAULT=saved\nGRUB_CMDLINE_LINUX_DEFAULT="splash=silent resume=/dev/sda2 quiet"\nGRUB_DISABLE_LINUX_UUID=true\n',
      "/etc/sysconfig/kernel": 'INITRD_MODULES=""\n',
      "/etc/NetworkManager/system-connections/Wired.nmconnection": "[connection]\nid=Wired\ntype=ethernet\n[ethernet]\nmac-address=00:0C:29:11:22:33\n",
      "/etc/selinux/config": "SELINUX=disabled\n",
    },
  });
}

export const ALT10 = "6.1.79-un-def-alt1";
export const ALT10_OLD = "5.10.210-std-def-alt1";

/** ALT p10, BIOS: /boot/grub, /etc/sysconfig/grub2, make-initrd, open-vm-tools. */
export function altGuest(opts: { newestHasVirtio?: boolean } = {}): FakeGuest {
  return makeRpmGuest({
    probe: { kernelRoot: "/dev/sda1", rootUuid: ROOT_UUID, initrd: (v) => `/boot/initrd-${v}.img`, title: "ALT Workstation 10" },
    cfgPath: "/boot/grub/grub.cfg",
    envPath: "/boot/grub/grubenv",
    defaultsPath: "/etc/sysconfig/grub2",
    files: {
      "/etc/fstab": "proc /proc proc nosuid,noexec,gid=proc 0 0\n/dev/sda1 / ext4 relatime 1 1\n/dev/sda2 swap swap defaults 0 0\n",
      "/usr/bin/rpm": "", "/usr/sbin/grub-mkconfig": "", "/sbin/make-initrd": "",
      ...rpmKernel(ALT10, `/boot/initrd-${ALT10}.img`, opts.newestHasVirtio ?? true),
      ...rpmKernel(ALT10_OLD, `/boot/initrd-${ALT10_OLD}.img`, true),
      "/boot/vmlinuz": "symlink stand-in", "/boot/grub/grubenv": grubenvBlock({}),
      "/etc/sysconfig/grub2": 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet resume=/dev/sda2 panic=30 splash"\nGRUB_DISABLE_LINUX_UUID=true\n',
      "/etc/initrd.mk": "AUTODETECT = all\nMODULES_ADD += ahci\n",
      "/etc/modprobe.d/vmware.conf": "alias eth0 vmxnet3\n",
    },
  });
}

/** Convert a fake RPM guest with the registry's Linux converter, as the pipeline would. */
export async function convertRpmGuest(g: FakeGuest, insp: Inspection) {
  const { ctx, reporter } = testContext();
  const r = await convertGuest([linuxConverter], g, insp, diskSource(1, insp.firmware), ctx);
  return { r, reporter };
}

/** Each guest command reduced to its working line (scripts start with the PATH export and the rpm lock clean-up). */
export const commandLines = (g: FakeGuest): string[] =>
  g.commandTexts.map((t) => t.split("\n").filter((l) => l !== "" && !l.startsWith("export ") && !l.startsWith("rm -f /var/lib/rpm/"))[0]!);
