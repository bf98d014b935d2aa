// dracut as an initramfs builder: the RHEL and SUSE families' tool, and the fallback of Debian
// guests that replaced initramfs-tools with it. Host-only mode is off: it would size the image
// for the hardware the build runs on, which is the libguestfs appliance, not the target.
import type { InitramfsBuilder } from "./family.js";
import { runGuestCommand } from "./guest-files.js";
import { REBUILD_TIMEOUT_MS } from "./initramfs.js";

export const dracutBuilder: InitramfsBuilder = {
  name: "dracut",
  async rebuild(g, k, image, modules) {
    await runGuestCommand(g,
      ["dracut", "--force", "--no-hostonly", "--add-drivers", modules.join(" "), image, k.version],
      `rebuilding the initramfs of kernel ${k.version}`, "Check that the guest's dracut works and retry.", REBUILD_TIMEOUT_MS);
  },
};
