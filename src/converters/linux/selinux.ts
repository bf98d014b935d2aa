// SELinux: files written from the appliance (edited configuration, the rebuilt initramfs, the
// rpm database after "rpm -e") have no SELinux label, and an enforcing guest could deny access
// to them. As virt-v2v falls back to, /.autorelabel asks the guest to relabel every file at its
// first boot (one extra reboot). A guest with SELinux disabled needs nothing.
import type { ConfigEdit, GuestText } from "./family.js";

export const SELINUX_CONFIG = "/etc/selinux/config";
export const AUTORELABEL = "/.autorelabel";

/** True when /etc/selinux/config leaves SELinux on (enforcing or permissive). */
export function selinuxEnabled(config: string): boolean {
  let mode: string | undefined;
  for (const line of config.split("\n")) {
    const m = /^\s*SELINUX\s*=\s*["']?(\w+)["']?\s*$/.exec(line);
    if (m) mode = m[1]!.toLowerCase();
  }
  return mode === "enforcing" || mode === "permissive";
}

export const selinuxRelabelEdit: ConfigEdit = {
  name: "SELinux relabel",
  paths: [SELINUX_CONFIG],
  apply(files: readonly GuestText[]) {
    const config = files.find((f) => f.path === SELINUX_CONFIG);
    if (!config || !selinuxEnabled(config.text)) return { written: [], changes: [], warnings: [] };
    return {
      written: [{ path: AUTORELABEL, text: "" }],
      changes: [`created ${AUTORELABEL}: files written during the conversion have no SELinux label, so the first boot relabels the filesystems (one extra reboot)`],
      warnings: [],
    };
  },
};
