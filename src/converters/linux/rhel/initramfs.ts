// The RHEL family's initramfs tool: dracut (RHEL 6+, Fedora), with the shared builder (dracut.ts);
// RHEL 5 and older have only mkinitrd, which takes the modules on its command line.
import { V2vError } from "../../../model/errors.js";
import { dracutBuilder } from "../dracut.js";
import type { InitramfsBuilder, InitramfsTool } from "../family.js";
import { hasGuestProgram, runGuestCommand } from "../guest-files.js";
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

export const rhelInitramfs: InitramfsTool = {
  configDir: "/etc/dracut.conf.d",
  // dracut takes resume= from the kernel command line, which the GRUB and BLS renames cover.
  resumeFiles: [],
  async findBuilder(g, k) {
    if (await hasGuestProgram(g, "dracut")) return dracutBuilder;
    if (await hasGuestProgram(g, "mkinitrd")) return redhatMkinitrdBuilder;
    throw new V2vError("CONVERSION",
      `the guest has neither dracut nor mkinitrd, so the initramfs of kernel ${k.version} cannot be rebuilt with the virtio drivers; `
      + `install dracut in the guest and convert it again.`);
  },
};
