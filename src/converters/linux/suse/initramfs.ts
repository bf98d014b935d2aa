// The SUSE family's initramfs tool: dracut on SLE 12+ and openSUSE (whose /sbin/mkinitrd is only
// a wrapper of it), SUSE's own mkinitrd on SLES 11 and older, which takes the modules with -m (and
// reads INITRD_MODULES, edited before: sysconfig-kernel.ts).
import { dracutOrMkinitrd, mkinitrdBuilder } from "../dracut.js";
import type { InitramfsBuilder, InitramfsTool } from "../family.js";

/** Pure: SUSE's mkinitrd for one kernel image and its initrd; it finds the root device in the (renamed) fstab. */
export function suseMkinitrdArgv(image: string, vmlinuz: string, modules: readonly string[]): readonly string[] {
  return ["mkinitrd", "-m", modules.join(" "), "-i", image, "-k", vmlinuz];
}

export const suseMkinitrdBuilder: InitramfsBuilder = mkinitrdBuilder((image, k, modules) => suseMkinitrdArgv(image, k.vmlinuz, modules));

export const suseInitramfs: InitramfsTool = dracutOrMkinitrd(suseMkinitrdBuilder);
