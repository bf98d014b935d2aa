// GRUB 2 as Debian and Ubuntu install it: grub.cfg under /boot/grub, update-grub (a wrapper of
// grub-mkconfig) to regenerate it, and drop-in defaults in /etc/default/grub.d (cloud images).
import type { GrubTooling } from "../family.js";

const CFG = "/boot/grub/grub.cfg";

export const debianGrub: GrubTooling = {
  cfgPath: CFG,
  envPath: "/boot/grub/grubenv",
  defaultsPath: "/etc/default/grub",
  defaultsDir: "/etc/default/grub.d",
  deviceMapPath: "/boot/grub/device.map",
  regenerators: [
    { program: "update-grub", shell: "update-grub" },
    { program: "grub-mkconfig", shell: `grub-mkconfig -o ${CFG}` },
  ],
  supportedOn: "Debian and Ubuntu guests",
  bootloaderPackages: "grub-pc or grub-efi",
  toolsPackage: "grub2-common",
};
