// The RHEL family's initramfs tool: dracut (RHEL 6+, Fedora), with the shared builder (dracut.ts);
// RHEL 5 and older have only mkinitrd, which takes the modules on its command line.
import { dracutOrMkinitrd } from "../dracut.js";
import type { InitramfsBuilder, InitramfsTool } from "../family.js";
import { runGuestCommand } from "../guest-files.js";
import { REBUILD_TIMEOUT_MS } from "../initramfs.js";

/** Pure: Red Hat's old mkinitrd command line (-f replaces the image). */
export function redhatMkinitrdArgv(image: string, version: string, modules: readonly string[]): readonly string[] {
  return ["mkinitrd", ...modules.map((m) => `--with=${m}`), "-f", image, version];
}

export const redhatMkinitrdBuilder: InitramfsBuilder = {
  name: "mkinitrd",
  async rebuild(g, k, image, modules) {
    await runGuestCommand(g, redhatMkinitrdArgv(image, k.version, modules),
      `rebuilding the initramfs of kernel ${k.version}`, "Check that the guest's mkinitrd works and retry.", REBUILD_TIMEOUT_MS);
  },
};

export const rhelInitramfs: InitramfsTool = dracutOrMkinitrd(redhatMkinitrdBuilder);
