// The RHEL family's initramfs tool: dracut (RHEL 6+, Fedora), with the shared builder (dracut.ts);
// RHEL 5 and older have only mkinitrd, which takes the modules on its command line.
import { dracutOrMkinitrd, mkinitrdBuilder } from "../dracut.js";
import type { InitramfsBuilder, InitramfsTool } from "../family.js";

/** Pure: Red Hat's old mkinitrd command line (-f replaces the image). */
export function redhatMkinitrdArgv(image: string, version: string, modules: readonly string[]): readonly string[] {
  return ["mkinitrd", ...modules.map((m) => `--with=${m}`), "-f", image, version];
}

export const redhatMkinitrdBuilder: InitramfsBuilder = mkinitrdBuilder((image, k, modules) => redhatMkinitrdArgv(image, k.version, modules));

export const rhelInitramfs: InitramfsTool = dracutOrMkinitrd(redhatMkinitrdBuilder);
